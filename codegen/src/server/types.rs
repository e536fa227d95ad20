//! `types.rs` of the server contract: one poem-openapi `Object` or `Enum` per component schema,
//! with `Probe` impls for request types and `FormFields` impls for form bodies; and the Rust type
//! of any schema, used by the other files.

use std::collections::BTreeSet;

use openapiv3::{
    AdditionalProperties, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type,
    VariantOrUnknownOrEmpty,
};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Gen, doc, ref_name};
use crate::names::{camel_ident, snake_ident};
use crate::validate::{FORM, JSON};

impl Gen<'_> {
    /// The Rust type of a schema used somewhere (a property, an item, a parameter).
    /// Returns the type and whether the schema is nullable.
    pub(super) fn ty(&self, schema: &ReferenceOr<Schema>, qualified: bool) -> (TokenStream, bool) {
        let schema = match schema {
            ReferenceOr::Reference { reference } => {
                let ident = format_ident!("{}", ref_name(reference));
                return if qualified {
                    (quote! { types::#ident }, false)
                } else {
                    (quote! { #ident }, false)
                };
            }
            ReferenceOr::Item(schema) => schema,
        };
        let nullable = schema.schema_data.nullable;
        let ty = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => {
                    quote! { chrono::DateTime<chrono::Utc> }
                }
                _ => quote! { String },
            },
            SchemaKind::Type(Type::Integer(i)) => match &i.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32) => quote! { i32 },
                _ => quote! { i64 },
            },
            SchemaKind::Type(Type::Number(n)) => match &n.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::NumberFormat::Float) => quote! { f32 },
                _ => quote! { f64 },
            },
            SchemaKind::Type(Type::Boolean(_)) => quote! { bool },
            SchemaKind::Type(Type::Array(a)) => {
                let inner = match &a.items {
                    Some(items) => {
                        let (t, n) = self.ty(&items.clone().unbox(), qualified);
                        if n {
                            quote! { Option<#t> }
                        } else {
                            t
                        }
                    }
                    None => quote! { serde_json::Value },
                };
                quote! { Vec<#inner> }
            }
            SchemaKind::Type(Type::Object(o)) => match &o.additional_properties {
                Some(AdditionalProperties::Schema(value)) => {
                    let (t, n) = self.ty(value, qualified);
                    let t = if n {
                        quote! { Option<#t> }
                    } else {
                        t
                    };
                    quote! { std::collections::BTreeMap<String, #t> }
                }
                _ => quote! { std::collections::BTreeMap<String, serde_json::Value> },
            },
            SchemaKind::AllOf { all_of } => match all_of.first() {
                Some(inner) => return (self.ty(inner, qualified).0, nullable),
                None => quote! { serde_json::Value },
            },
            // An untyped schema holds anything, null included.
            _ => return (quote! { serde_json::Value }, false),
        };
        (ty, nullable)
    }

    /// Names of the component schemas reachable from request bodies and parameters; with
    /// `json_only`, from JSON bodies and parameters only (form bodies are left out).
    fn request_types(&self, json_only: bool) -> BTreeSet<String> {
        let mut todo: Vec<String> = Vec::new();
        for op in &self.ops {
            if let Some(ReferenceOr::Item(body)) = &op.op.request_body {
                for (media, content) in &body.content {
                    if json_only && media != JSON {
                        continue;
                    }
                    if let Some(ReferenceOr::Reference { reference }) = &content.schema {
                        todo.push(ref_name(reference).to_string());
                    }
                }
            }
            for p in &op.op.parameters {
                if let ReferenceOr::Item(p) = p
                    && let ParameterSchemaOrContent::Schema(ReferenceOr::Reference { reference }) =
                        &p.parameter_data_ref().format
                {
                    todo.push(ref_name(reference).to_string());
                }
            }
        }
        let mut seen = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            if let Some(schema) = self.schemas.get(&name) {
                collect_refs(schema, &mut todo);
            }
        }
        seen
    }

    /// Names of the component schemas used as form bodies.
    fn form_types(&self) -> BTreeSet<String> {
        self.ops
            .iter()
            .filter_map(|op| match &op.op.request_body {
                Some(ReferenceOr::Item(body)) => body.content.get(FORM)?.schema.as_ref(),
                _ => None,
            })
            .filter_map(|schema| match schema {
                ReferenceOr::Reference { reference } => Some(ref_name(reference).to_string()),
                ReferenceOr::Item(_) => None,
            })
            .collect()
    }

    /// How a form field's text becomes a value: the runtime's `FieldKind` and whether the
    /// property is an array.
    fn form_field(&self, schema: &ReferenceOr<Schema>) -> (proc_macro2::Ident, bool) {
        let resolved = |schema: &ReferenceOr<Schema>| -> Option<Schema> {
            match schema {
                ReferenceOr::Item(s) => Some(s.clone()),
                ReferenceOr::Reference { reference } => {
                    match self.schemas.get(ref_name(reference))? {
                        ReferenceOr::Item(s) => Some(s.clone()),
                        ReferenceOr::Reference { .. } => None,
                    }
                }
            }
        };
        let kind = |schema: Option<Schema>| {
            let name = match schema.map(|s| s.schema_kind) {
                Some(SchemaKind::Type(Type::Integer(_))) => "Integer",
                Some(SchemaKind::Type(Type::Number(_))) => "Number",
                Some(SchemaKind::Type(Type::Boolean(_))) => "Boolean",
                _ => "String",
            };
            format_ident!("{}", name)
        };
        match resolved(schema) {
            Some(Schema {
                schema_kind: SchemaKind::Type(Type::Array(array)),
                ..
            }) => {
                let item = array.items.map(|items| items.unbox());
                (kind(item.as_ref().and_then(resolved)), true)
            }
            other => (kind(other), false),
        }
    }

    pub(super) fn types_file(&self) -> TokenStream {
        let request_types = self.request_types(false);
        let json_request_types = self.request_types(true);
        let form_types = self.form_types();
        let mut items = Vec::new();
        for (name, schema) in self.schemas {
            let ident = format_ident!("{}", name);
            let item = match schema {
                ReferenceOr::Item(item) => item,
                reference => {
                    let (t, _) = self.ty(reference, false);
                    items.push(quote! { pub type #ident = #t; });
                    continue;
                }
            };
            let schema = item;
            let docs = doc(schema
                .schema_data
                .description
                .as_deref()
                .or(schema.schema_data.title.as_deref()));
            let is_request = request_types.contains(name);
            match &schema.schema_kind {
                SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                    let values: Vec<&str> =
                        s.enumeration.iter().flatten().map(String::as_str).collect();
                    let variants: Vec<_> = values.iter().map(|v| camel_ident(v)).collect();
                    let first = &variants[0];
                    let probe = is_request.then(|| {
                        quote! {
                            impl crate::runtime::Probe for #ident {
                                fn probe() -> Self { Self::#first }
                            }
                        }
                    });
                    items.push(quote! {
                        #docs
                        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, poem_openapi::Enum)]
                        pub enum #ident {
                            #( #[oai(rename = #values)] #variants, )*
                        }
                        impl #ident {
                            /// The value as it appears on the wire.
                            pub fn as_str(&self) -> &'static str {
                                match self { #( Self::#variants => #values, )* }
                            }
                        }
                        impl std::fmt::Display for #ident {
                            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                                f.write_str(self.as_str())
                            }
                        }
                        #probe
                    });
                }
                SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
                    let mut fields = Vec::new();
                    let mut field_idents = Vec::new();
                    for (prop, prop_schema) in &o.properties {
                        let field = snake_ident(prop);
                        let prop_schema = prop_schema.clone().unbox();
                        let (t, nullable) = self.ty(&prop_schema, false);
                        let required = o.required.contains(prop);
                        let t = if nullable || !required {
                            quote! { Option<#t> }
                        } else {
                            t
                        };
                        let rename =
                            (field != prop.as_str()).then(|| quote! { #[oai(rename = #prop)] });
                        let skip =
                            (!required).then(|| quote! { #[oai(skip_serializing_if_is_none)] });
                        let pdoc = match &prop_schema {
                            ReferenceOr::Item(s) => doc(s.schema_data.description.as_deref()),
                            ReferenceOr::Reference { .. } => quote! {},
                        };
                        fields.push(quote! { #pdoc #rename #skip pub #field: #t, });
                        field_idents.push(field);
                    }
                    // Form bodies ignore fields they do not know: HTML forms carry extra inputs,
                    // and OAuth endpoints must ignore unrecognized parameters (RFC 6749 §3.2).
                    let deny = json_request_types
                        .contains(name)
                        .then(|| quote! { #[oai(deny_unknown_fields)] });
                    let form = form_types.contains(name).then(|| {
                        let fields = o.properties.iter().map(|(prop, prop_schema)| {
                            let (kind, is_list) = self.form_field(&prop_schema.clone().unbox());
                            quote! {
                                crate::runtime::FormField {
                                    name: #prop,
                                    kind: crate::runtime::FieldKind::#kind,
                                    is_list: #is_list,
                                },
                            }
                        });
                        quote! {
                            impl crate::runtime::FormFields for #ident {
                                const FIELDS: &'static [crate::runtime::FormField] = &[ #( #fields )* ];
                            }
                        }
                    });
                    let probe = is_request.then(|| {
                        quote! {
                            impl crate::runtime::Probe for #ident {
                                fn probe() -> Self {
                                    Self { #( #field_idents: crate::runtime::Probe::probe(), )* }
                                }
                            }
                        }
                    });
                    items.push(quote! {
                        #docs
                        #[derive(Debug, Clone, poem_openapi::Object)]
                        #deny
                        pub struct #ident { #( #fields )* }
                        #probe
                        #form
                    });
                }
                _ => {
                    let (t, nullable) = self.ty(&ReferenceOr::Item(schema.clone()), false);
                    let t = if nullable {
                        quote! { Option<#t> }
                    } else {
                        t
                    };
                    items.push(quote! { #docs pub type #ident = #t; });
                }
            }
        }
        quote! { #( #items )* }
    }
}

fn collect_refs(schema: &ReferenceOr<Schema>, out: &mut Vec<String>) {
    match schema {
        ReferenceOr::Reference { reference } => out.push(ref_name(reference).to_string()),
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::Type(Type::Array(a)) => {
                if let Some(items) = &a.items {
                    collect_refs(&items.clone().unbox(), out);
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                for prop in o.properties.values() {
                    collect_refs(&prop.clone().unbox(), out);
                }
                if let Some(AdditionalProperties::Schema(extra)) = &o.additional_properties {
                    collect_refs(extra, out);
                }
            }
            SchemaKind::AllOf { all_of } => {
                for s in all_of {
                    collect_refs(s, out);
                }
            }
            _ => {}
        },
    }
}
