//! `responses.rs` of the server contract: one `ApiResponse` enum per operation with one variant
//! per documented status. A variant carries the body (if any) and then every documented response
//! header in spec order (`Location` of a redirect, `Retry-After`, …; `Option` unless required).

use openapiv3::{MediaType, ReferenceOr, Response, StatusCode};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Gen, Op, doc, response_ident};
use crate::names::{camel, status_variant};
use crate::validate::JSON;

impl Gen<'_> {
    pub(super) fn responses_file(&self) -> TokenStream {
        let enums = self.ops.iter().map(|op| self.response_enum(op));
        quote! {
            use super::types;
            #( #enums )*
        }
    }

    fn response_enum(&self, op: &Op) -> TokenStream {
        let ident = response_ident(op.id);
        let mut variants = Vec::new();
        let mut bodies = Vec::new();
        for (status, response) in &op.op.responses.responses {
            let (StatusCode::Code(code), ReferenceOr::Item(response)) = (status, response) else {
                continue;
            };
            let variant = format_ident!("{}", status_variant(*code));
            let docs = doc(Some(response.description.as_str()));
            let mut fields = Vec::new();
            match response.content.len() {
                0 => {}
                1 => fields.extend(response.content.iter().map(|(m, c)| self.payload(m, c))),
                _ => {
                    // Several media types: a `ResponseContent` enum, one variant per type.
                    let body = format_ident!("{}{}Body", camel(op.id), variant);
                    bodies.push(self.body_enum(&body, op.id, *code, response));
                    fields.push(quote! { #body });
                }
            }
            fields.extend(self.headers(response));
            let code = Literal::u16_unsuffixed(*code);
            let fields = (!fields.is_empty()).then(|| quote! { ( #( #fields ),* ) });
            variants.push(quote! { #docs #[oai(status = #code)] #variant #fields, });
        }
        let docs = format!(" Every documented response of `{}`.", op.id);
        quote! {
            #[doc = #docs]
            #[derive(Debug, poem_openapi::ApiResponse)]
            pub enum #ident { #( #variants )* }
            #( #bodies )*
        }
    }

    /// The payload type of one media type.
    fn payload(&self, media: &str, content: &MediaType) -> TokenStream {
        match media {
            "text/plain" => quote! { poem_openapi::payload::PlainText<String> },
            "text/html" => quote! { poem_openapi::payload::Html<String> },
            _ => {
                let t = content
                    .schema
                    .as_ref()
                    .map(|s| self.ty(s, true).0)
                    .unwrap_or_else(|| quote! { serde_json::Value });
                quote! { poem_openapi::payload::Json<#t> }
            }
        }
    }

    fn body_enum(&self, ident: &Ident, op_id: &str, code: u16, response: &Response) -> TokenStream {
        let variants = response.content.iter().map(|(media, content)| {
            let name = match media.as_str() {
                JSON => "Json",
                "text/plain" => "PlainText",
                "text/html" => "Html",
                other => other,
            };
            let variant = format_ident!("{}", camel(name));
            let payload = self.payload(media, content);
            let docs = format!(" `{media}`.");
            quote! { #[doc = #docs] #variant(#payload), }
        });
        let docs = format!(" The body of `{op_id}`'s {code} response, in one of its media types.");
        quote! {
            #[doc = #docs]
            #[derive(Debug, poem_openapi::ResponseContent)]
            pub enum #ident { #( #variants )* }
        }
    }

    /// One tuple field per documented header.
    fn headers(&self, response: &Response) -> Vec<TokenStream> {
        response
            .headers
            .iter()
            .filter_map(|(name, header)| match header {
                ReferenceOr::Item(header) => Some((name, header)),
                ReferenceOr::Reference { .. } => None,
            })
            .map(|(name, header)| {
                let t = match &header.format {
                    openapiv3::ParameterSchemaOrContent::Schema(schema) => self.ty(schema, true).0,
                    openapiv3::ParameterSchemaOrContent::Content(_) => quote! { String },
                };
                let t = if header.required {
                    t
                } else {
                    quote! { Option<#t> }
                };
                let docs = doc(header.description.as_deref());
                quote! { #docs #[oai(header = #name)] #t }
            })
            .collect()
    }
}
