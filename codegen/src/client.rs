//! The SDK client: progenitor used as a library, plus what progenitor does not emit: each
//! operation's security requirement, and (when configured) envelope and operation impls that
//! let the hand-written SDK layer unwrap `{data, request_id, pagination}` for every operation.
//! progenitor sees the client's view of the spec (`view`): configured exclusions removed and the
//! error responses reduced to one type per operation.

mod view;

use openapiv3::{OpenAPI, ReferenceOr, Schema, SchemaKind, StatusCode, Type};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::names::{camel, snake};
use crate::{Contract, EnvelopeNames, Error};

/// Builder style with one extension trait per tag, as in Oxide's SDK: builder methods accept anything
/// convertible and report a missing required field from `send()`, so adding an optional parameter
/// to the spec does not break callers.
pub(crate) fn render(spec: &OpenAPI, contract: &Contract) -> Result<String, Error> {
    let view = view::client_view(spec, contract)?;
    let spec = &view.spec;
    let mut settings = progenitor::GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Separate);
    if let Some(hooks) = &contract.client_hooks {
        let path: syn::Path = syn::parse_str(hooks)
            .map_err(|e| Error::Generate(format!("client_hooks {hooks:?}: {e}")))?;
        settings.with_inner_type(quote! { #path });
    }
    let mut generator = progenitor::Generator::new(&settings);
    let mut tokens = generator
        .generate_tokens(spec)
        .map_err(|e| Error::Generate(format!("progenitor: {e}")))?;
    tokens.extend(contract_module(spec, &view.untyped_errors));
    if let Some(names) = &contract.envelope {
        tokens.extend(envelopes(spec, names));
    }
    crate::format_file(tokens, "")
}

fn operations(spec: &OpenAPI) -> impl Iterator<Item = &openapiv3::Operation> {
    spec.paths
        .paths
        .values()
        .filter_map(|item| match item {
            ReferenceOr::Item(item) => Some(item.iter().map(|(_, op)| op)),
            ReferenceOr::Reference { .. } => None,
        })
        .flatten()
}

/// `contract::security(operation_id)`: the schemes an operation accepts, as alternatives. A
/// sorted table searched by bisection: it runs on every request. When some operation also
/// accepts no credential (`{}` among its alternatives), `contract::is_anonymous_allowed` too,
/// and when the client view made error bodies untyped, `contract::error_schema`.
fn contract_module(spec: &OpenAPI, untyped_errors: &[(String, u16, String)]) -> TokenStream {
    let mut rows: Vec<(String, Vec<&str>)> = operations(spec)
        .map(|op| {
            let id = snake(op.operation_id.as_deref().unwrap_or_default());
            let schemes: Vec<&str> = op
                .security
                .as_ref()
                .or(spec.security.as_ref())
                .into_iter()
                .flatten()
                .flat_map(|req| req.keys().map(String::as_str))
                .collect();
            (id, schemes)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let rows = rows
        .iter()
        .map(|(id, schemes)| quote! { (#id, &[ #( #schemes ),* ]), });
    let mut anonymous: Vec<String> = operations(spec)
        .filter(|op| {
            let reqs = op.security.as_ref().or(spec.security.as_ref());
            let reqs = reqs.map(Vec::as_slice).unwrap_or_default();
            reqs.iter().any(|r| r.is_empty()) && reqs.iter().any(|r| !r.is_empty())
        })
        .map(|op| snake(op.operation_id.as_deref().unwrap_or_default()))
        .collect();
    anonymous.sort();
    let anonymous = (!anonymous.is_empty()).then(|| {
        quote! {
            /// Operations that accept a credential but may also be called without one (their
            /// security lists `{}`), sorted.
            static ANONYMOUS: &[&str] = &[ #( #anonymous ),* ];

            /// Whether the operation may be called without any of its security schemes.
            pub fn is_anonymous_allowed(operation_id: &str) -> bool {
                ANONYMOUS.binary_search(&operation_id).is_ok()
            }
        }
    });
    let error_schema = error_schema_table(untyped_errors);
    quote! {
        /// Facts of the contract that progenitor does not carry.
        pub mod contract {
            /// `(operation id, security schemes)`, sorted by operation id.
            static SECURITY: &[(&str, &[&str])] = &[ #( #rows )* ];

            /// The security schemes an operation accepts (any one of them), by progenitor's
            /// operation id (the snake_case operationId); empty for public operations.
            pub fn security(operation_id: &str) -> &'static [&'static str] {
                match SECURITY.binary_search_by(|(id, _)| (*id).cmp(operation_id)) {
                    Ok(index) => SECURITY[index].1,
                    Err(_) => &[],
                }
            }
            #anonymous
            #error_schema
        }
    }
}

/// `contract::error_schema(operation_id, status)`, for the operations whose error bodies the
/// client decodes as `serde_json::Value` because they come in several schemas.
fn error_schema_table(untyped_errors: &[(String, u16, String)]) -> Option<TokenStream> {
    if untyped_errors.is_empty() {
        return None;
    }
    let mut rows: Vec<(String, u16, &str)> = untyped_errors
        .iter()
        .map(|(id, status, schema)| (snake(id), *status, schema.as_str()))
        .collect();
    rows.sort();
    let rows = rows.iter().map(|(id, status, schema)| {
        let status = proc_macro2::Literal::u16_unsuffixed(*status);
        quote! { ((#id, #status), #schema), }
    });
    Some(quote! {
        /// `((operation id, status), schema)` of the error responses decoded as
        /// `serde_json::Value` (their operation's errors come in several schemas), sorted.
        static ERROR_SCHEMAS: &[((&str, u16), &str)] = &[ #( #rows )* ];

        /// The schema (in `types`) of an error body that this client hands over as
        /// `serde_json::Value`, by progenitor's operation id and the response status; `None`
        /// when the operation's errors are typed or the status is not documented.
        pub fn error_schema(operation_id: &str, status: u16) -> Option<&'static str> {
            ERROR_SCHEMAS
                .binary_search_by(|(key, _)| (key.0, key.1).cmp(&(operation_id, status)))
                .ok()
                .map(|index| ERROR_SCHEMAS[index].1)
        }
    })
}

fn component<'a>(spec: &'a OpenAPI, reference: &str) -> Option<(&'a str, &'a Schema)> {
    let name = reference.strip_prefix("#/components/schemas/")?;
    let (name, schema) = spec.components.as_ref()?.schemas.get_key_value(name)?;
    match schema {
        ReferenceOr::Item(schema) => Some((name.as_str(), schema)),
        ReferenceOr::Reference { .. } => None,
    }
}

/// The Rust type (in the client's `types` module) of an envelope's data property.
fn data_type(schema: &ReferenceOr<Box<Schema>>) -> Option<TokenStream> {
    match schema {
        ReferenceOr::Reference { reference } => {
            let ident = format_ident!("{}", reference.rsplit('/').next()?);
            Some(quote! { types::#ident })
        }
        ReferenceOr::Item(item) => match &item.schema_kind {
            SchemaKind::Type(Type::Array(array)) => match array.items.as_ref()? {
                ReferenceOr::Reference { reference } => {
                    let ident = format_ident!("{}", reference.rsplit('/').next()?);
                    Some(quote! { ::std::vec::Vec<types::#ident> })
                }
                ReferenceOr::Item(_) => None,
            },
            SchemaKind::Type(Type::Object(_)) => {
                Some(quote! { ::serde_json::Map<::std::string::String, ::serde_json::Value> })
            }
            _ => None,
        },
    }
}

/// `impl Envelope` for every schema shaped like the envelope, and `impl Operation` for every
/// builder whose 2xx answer is one of them.
fn envelopes(spec: &OpenAPI, names: &EnvelopeNames) -> TokenStream {
    let mut out = TokenStream::new();
    let mut enveloped = std::collections::BTreeSet::new();
    let schemas = spec.components.iter().flat_map(|c| c.schemas.iter());
    for (name, schema) in schemas {
        let ReferenceOr::Item(Schema {
            schema_kind: SchemaKind::Type(Type::Object(object)),
            ..
        }) = schema
        else {
            continue;
        };
        let (Some(data), Some(_)) = (
            object.properties.get(&names.data),
            object.properties.get(&names.request_id),
        ) else {
            continue;
        };
        let Some(data_ty) = data_type(data) else {
            continue;
        };
        let ident = format_ident!("{}", name);
        let data_field = format_ident!("{}", snake(&names.data));
        let id_field = format_ident!("{}", snake(&names.request_id));
        let pagination = match names
            .pagination
            .as_ref()
            .filter(|p| object.properties.contains_key(*p))
        {
            Some(p) => {
                let field = format_ident!("{}", snake(p));
                quote! { Some(self.#field) }
            }
            None => quote! { None },
        };
        out.extend(quote! {
            impl crate::envelope::Envelope for types::#ident {
                type Data = #data_ty;
                fn into_parts(self) -> crate::envelope::Parts<Self::Data> {
                    crate::envelope::Parts {
                        data: self.#data_field,
                        request_id: self.#id_field,
                        pagination: #pagination,
                    }
                }
            }
        });
        enveloped.insert(name.clone());
    }
    for op in operations(spec) {
        let Some(id) = op.operation_id.as_deref() else {
            continue;
        };
        let success = op
            .responses
            .responses
            .iter()
            .find_map(|(status, response)| match (status, response) {
                (StatusCode::Code(200..=299), ReferenceOr::Item(response)) => {
                    response.content.get("application/json")
                }
                _ => None,
            });
        let Some(ReferenceOr::Reference { reference }) = success.and_then(|c| c.schema.as_ref())
        else {
            continue;
        };
        let Some((envelope, _)) = component(spec, reference) else {
            continue;
        };
        if !enveloped.contains(envelope) {
            continue;
        }
        let error = op
            .responses
            .responses
            .iter()
            .find_map(|(status, response)| match (status, response) {
                (StatusCode::Code(400..=599), ReferenceOr::Item(response)) => response
                    .content
                    .get("application/json")
                    .and_then(|c| c.schema.as_ref())
                    .and_then(|s| match s {
                        ReferenceOr::Reference { reference } => {
                            reference.rsplit('/').next().map(str::to_string)
                        }
                        ReferenceOr::Item(_) => None,
                    }),
                _ => None,
            });
        let error_ty = match error {
            Some(name) => {
                let ident = format_ident!("{}", name);
                quote! { types::#ident }
            }
            None => quote! { () },
        };
        let builder = format_ident!("{}", camel(&snake(id)));
        let envelope = format_ident!("{}", envelope);
        let op_id = snake(id);
        out.extend(quote! {
            impl<'a> crate::envelope::Operation for builder::#builder<'a> {
                const ID: &'static str = #op_id;
                type Envelope = types::#envelope;
                type Error = #error_ty;
                fn send(self) -> impl ::std::future::Future<
                    Output = Result<ResponseValue<Self::Envelope>, Error<Self::Error>>,
                > + Send {
                    builder::#builder::send(self)
                }
            }
        });
    }
    out
}
