//! The server contract: poem-openapi types, one trait per tag, one response enum per operation,
//! and the `#[OpenApi]` endpoint that hands every route to the traits.
//!
//! The output refers to a small hand-written runtime that the generated crate re-exports as
//! `crate::runtime` (the `openapi-runtime` crate): `Operation`, `NotImplemented`, `OptionalJson`,
//! `Form`, `Probe`, none of which depend on the contract.

mod responses;
mod security;
mod types;

use std::collections::BTreeMap;

use heck::ToUpperCamelCase;
use openapiv3::{OpenAPI, Operation, Parameter, ParameterSchemaOrContent, ReferenceOr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::Error;
use crate::access::Access;
use crate::names::{camel, poem_path, snake, snake_ident};
use crate::validate::{FORM, JSON};

/// Parameter names that would clash with the arguments every method has.
const RESERVED_ARGS: &[&str] = &["request", "credential", "body", "ctx", "guard"];

struct Op<'a> {
    index: usize,
    id: &'a str,
    method: &'static str,
    path: &'a str,
    tag: &'a str,
    op: &'a Operation,
    /// Alternatives of the security requirement, each a single scheme; empty when public.
    security: Vec<String>,
    /// The requirement also lists `{}`: the credential is optional.
    anonymous: bool,
    /// `x-plystra-access`, in a contract that states rules.
    access: Option<crate::access::Access>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ParamIn {
    Path,
    Query,
    Header,
}

struct Param {
    name: String,
    ident: proc_macro2::Ident,
    ty: TokenStream,
    location: ParamIn,
}

struct Body {
    ty: TokenStream,
    required: bool,
    is_form: bool,
}

struct Gen<'a> {
    spec: &'a OpenAPI,
    /// Whether the contract states rules (`access: true`).
    admits: bool,
    schemas: &'a indexmap_like::Schemas,
    ops: Vec<Op<'a>>,
}

/// `openapiv3` keeps components in an `IndexMap`; we only need ordered lookups.
mod indexmap_like {
    pub(crate) type Schemas = indexmap::IndexMap<String, openapiv3::ReferenceOr<openapiv3::Schema>>;
}

fn doc(text: Option<&str>) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let lines = text.lines().map(|line| format!(" {line}"));
            quote! { #( #[doc = #lines] )* }
        }
        None => quote! {},
    }
}

fn method_name(method: &str) -> Option<&'static str> {
    Some(match method {
        "get" => "GET",
        "put" => "PUT",
        "post" => "POST",
        "delete" => "DELETE",
        "patch" => "PATCH",
        "head" => "HEAD",
        "options" => "OPTIONS",
        "trace" => "TRACE",
        _ => return None,
    })
}

fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

impl<'a> Gen<'a> {
    fn new(
        spec: &'a OpenAPI,
        schemas: &'a indexmap_like::Schemas,
        admits: bool,
    ) -> Result<Self, Error> {
        let mut ops = Vec::new();
        for (path, item) in &spec.paths.paths {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (method, op) in item.iter() {
                let method = method_name(method)
                    .ok_or_else(|| Error::Generate(format!("unsupported method {method}")))?;
                let id = op.operation_id.as_deref().unwrap_or_default();
                let mut security = Vec::new();
                let mut anonymous = false;
                for req in op
                    .security
                    .as_ref()
                    .or(spec.security.as_ref())
                    .into_iter()
                    .flatten()
                {
                    if req.len() > 1 {
                        return Err(Error::Generate(format!(
                            "{id}: a security requirement combining several schemes is not supported"
                        )));
                    }
                    anonymous |= req.is_empty();
                    security.extend(req.keys().cloned());
                }
                let access = if admits {
                    Some(
                        crate::access::parse(op)
                            .map_err(|e| Error::Generate(format!("{id}: {e}")))?,
                    )
                } else {
                    None
                };
                ops.push(Op {
                    access,
                    index: ops.len(),
                    id,
                    method,
                    path,
                    tag: op.tags.first().map(String::as_str).unwrap_or("default"),
                    op,
                    anonymous: anonymous && !security.is_empty(),
                    security,
                });
            }
        }
        Ok(Gen {
            spec,
            admits,
            schemas,
            ops,
        })
    }

    fn params(&self, op: &Op) -> Result<Vec<Param>, Error> {
        let mut path_order: Vec<&str> = Vec::new();
        for seg in op.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                path_order.push(name);
            }
        }
        let mut params = Vec::new();
        for p in &op.op.parameters {
            let ReferenceOr::Item(p) = p else { continue };
            let data = p.parameter_data_ref();
            let location = match p {
                Parameter::Path { .. } => ParamIn::Path,
                Parameter::Query { .. } => ParamIn::Query,
                Parameter::Header { .. } => ParamIn::Header,
                Parameter::Cookie { .. } => continue,
            };
            let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                continue;
            };
            let (t, _) = self.ty(schema, true);
            let ty = if location == ParamIn::Path || data.required {
                t
            } else {
                quote! { Option<#t> }
            };
            let name = data.name.clone();
            // Header names are case-insensitive and often mixed-case (`DPoP` -> `dpop`).
            let ident = match location {
                ParamIn::Header => snake(&name.to_ascii_lowercase()),
                ParamIn::Path | ParamIn::Query => snake(&name),
            };
            if RESERVED_ARGS.contains(&ident.as_str()) {
                return Err(Error::Generate(format!(
                    "{}: parameter name {name:?} is reserved",
                    op.id
                )));
            }
            params.push(Param {
                ident: format_ident!("{}", ident),
                name,
                ty,
                location,
            });
        }
        // Path parameters first, in template order; then query and header parameters in spec
        // order.
        params.sort_by_key(|p| {
            if p.location == ParamIn::Path {
                path_order
                    .iter()
                    .position(|n| *n == p.name)
                    .unwrap_or(usize::MAX)
            } else {
                usize::MAX
            }
        });
        Ok(params)
    }

    /// The media type and content of the operation's request body (JSON or form).
    fn body_content<'o>(&self, op: &Op<'o>) -> Option<(&'o str, &'o openapiv3::MediaType)> {
        let ReferenceOr::Item(body) = op.op.request_body.as_ref()? else {
            return None;
        };
        body.content
            .iter()
            .find(|(media, _)| *media == JSON || *media == FORM)
            .map(|(media, content)| (media.as_str(), content))
    }

    /// The component name of the operation's request body.
    fn body_schema(&self, op: &Op) -> Option<String> {
        match self.body_content(op)?.1.schema.as_ref()? {
            ReferenceOr::Reference { reference } => Some(ref_name(reference).to_string()),
            ReferenceOr::Item(_) => None,
        }
    }

    fn body(&self, op: &Op) -> Option<Body> {
        let (media, content) = self.body_content(op)?;
        let schema = content.schema.as_ref()?;
        let required = matches!(&op.op.request_body, Some(ReferenceOr::Item(b)) if b.required);
        Some(Body {
            ty: self.ty(schema, true).0,
            required,
            is_form: media == FORM,
        })
    }

    fn tags(&self) -> Vec<(String, Option<String>)> {
        let mut tags: Vec<(String, Option<String>)> = self
            .spec
            .tags
            .iter()
            .map(|t| (t.name.clone(), t.description.clone()))
            .collect();
        for op in &self.ops {
            if !tags.iter().any(|(name, _)| name == op.tag) {
                tags.push((op.tag.to_string(), None));
            }
        }
        tags
    }

    fn operations_file(&self) -> Result<TokenStream, Error> {
        let table = self.ops.iter().map(|op| {
            let (id, tag, method, path) = (op.id, op.tag, op.method, op.path);
            let summary = op.op.summary.clone().unwrap_or_default();
            let body = match self.body_schema(op) {
                Some(name) => quote! { Some(#name) },
                None => quote! { None },
            };
            let access = match &op.access {
                Some(access) => {
                    let access = access.tokens();
                    quote! { Some(#access) }
                }
                None => quote! { None },
            };
            quote! {
                Operation {
                    id: #id, tag: #tag, method: #method, path: #path, summary: #summary,
                    request_body: #body, access: #access,
                },
            }
        });
        let mut traits = Vec::new();
        let mut trait_idents = Vec::new();
        for (tag, desc) in self.tags() {
            let ops: Vec<&Op> = self.ops.iter().filter(|op| op.tag == tag).collect();
            if ops.is_empty() {
                continue;
            }
            let trait_ident = format_ident!("{}", tag_trait(&tag));
            let mut methods = Vec::new();
            for op in ops {
                let sig = self.signature(op)?;
                let index = op.index;
                methods.push(quote! {
                    #sig {
                        async move { Err(NotImplemented(&OPERATIONS[#index]).into()) }
                    }
                });
            }
            let docs = doc(desc.as_deref());
            let head = format!(
                " Operations tagged `{tag}`. Every method answers `501` until it is implemented."
            );
            let supertrait = if self.admits {
                quote! { crate::runtime::Admission }
            } else {
                quote! { Send + Sync + 'static }
            };
            traits.push(quote! {
                #[doc = #head]
                #[doc = ""]
                #docs
                #[allow(unused_variables)]
                pub trait #trait_ident: #supertrait { #( #methods )* }
            });
            trait_idents.push(trait_ident);
        }
        let op_ref = self.admits.then(|| {
            quote! {
                /// Names row `N` of [`OPERATIONS`] for the endpoint's admission guard.
                pub struct Op<const N: usize>;
                impl<const N: usize> crate::runtime::OperationRef for Op<N> {
                    fn operation() -> &'static Operation { &OPERATIONS[N] }
                }
            }
        });
        let imports = if self.admits {
            quote! {
                use super::{responses, types};
                use crate::runtime::Ctx;
            }
        } else {
            quote! { use super::{responses, security::Credential, types}; }
        };
        Ok(quote! {
            use std::future::Future;
            #imports
            #[allow(unused_imports)]
            use crate::runtime::{Access, Entity, NotImplemented, Operation, Permission, Source};

            /// Every operation of the contract, in spec order.
            pub static OPERATIONS: &[Operation] = &[ #( #table )* ];

            #op_ref

            #( #traits )*

            /// Everything the endpoint needs: one implementation of every tag trait.
            pub trait Service: #( #trait_idents + )* {}
            impl<T> Service for T where T: #( #trait_idents + )* {}
        })
    }

    /// The trait method signature of an operation (without body).
    fn signature(&self, op: &Op) -> Result<TokenStream, Error> {
        let name = snake_ident(op.id);
        let docs = op_docs(op);
        let resp = response_ident(op.id);
        // With rules, the context replaces the request and the credential.
        let (request, credential) = match &op.access {
            Some(access) => {
                let principal = match access {
                    Access::Public => quote! { Self::Guest },
                    Access::Permission {
                        or_scheme: Some(_), ..
                    } => quote! { Option<Self::Principal> },
                    _ => quote! { Self::Principal },
                };
                (quote! { ctx: Ctx<#principal>, }, None)
            }
            None => (
                quote! { request: &poem::Request, },
                match (op.security.is_empty(), op.anonymous) {
                    (true, _) => None,
                    (false, false) => Some(quote! { credential: Credential, }),
                    (false, true) => Some(quote! { credential: Option<Credential>, }),
                },
            ),
        };
        let params = self.params(op)?;
        let args = params.iter().map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            quote! { #ident: #ty, }
        });
        let body = self.body(op).map(|b| {
            let t = b.ty;
            if b.required {
                quote! { body: #t, }
            } else {
                quote! { body: Option<#t>, }
            }
        });
        Ok(quote! {
            #docs
            fn #name(&self, #request #credential #( #args )* #body)
                -> impl Future<Output = poem::Result<responses::#resp>> + Send
        })
    }

    fn endpoint_file(&self) -> Result<TokenStream, Error> {
        let tags = self.tags();
        let tag_variants = tags.iter().map(|(name, desc)| {
            let ident = format_ident!("{}", tag_trait(name));
            let docs = doc(desc.as_deref());
            quote! { #docs #[oai(rename = #name)] #ident, }
        });
        let mut handlers = Vec::new();
        for op in &self.ops {
            let name = snake_ident(op.id);
            let docs = op_docs(op);
            let path = poem_path(op.path);
            let method = op.method.to_lowercase();
            let id = op.id;
            let tag = format!("Tag::{}", tag_trait(op.tag));
            let trait_ident = format_ident!("{}", tag_trait(op.tag));
            let resp = response_ident(op.id);
            let index = op.index;
            let (auth_arg, auth_pass) = match (&op.access, security::scheme_type(op)) {
                (Some(access), scheme) => {
                    let sec = match scheme {
                        Some(scheme) => quote! { security::#scheme },
                        None => quote! { crate::runtime::NoSecurity },
                    };
                    let mode = match access {
                        Access::Public => quote! { crate::runtime::Anyone },
                        Access::Permission {
                            or_scheme: Some(_), ..
                        } => quote! { crate::runtime::Optional },
                        _ => quote! { crate::runtime::Required },
                    };
                    (
                        quote! { guard: crate::runtime::Guard<S, #sec, operations::Op<#index>, #mode>, },
                        quote! { guard.ctx, },
                    )
                }
                (None, None) => (quote! { request: &poem::Request, }, quote! { request, }),
                (None, Some(scheme)) => (
                    quote! { request: &poem::Request, credential: security::#scheme, },
                    quote! { request, credential.into(), },
                ),
            };
            let params = self.params(op)?;
            let args = params.iter().map(|p| {
                let (ident, ty, pname) = (&p.ident, &p.ty, &p.name);
                let wrapper = match p.location {
                    ParamIn::Path => quote! { Path },
                    ParamIn::Query => quote! { Query },
                    ParamIn::Header => quote! { Header },
                };
                quote! { #[oai(name = #pname)] #ident: poem_openapi::param::#wrapper<#ty>, }
            });
            let pass = params.iter().map(|p| {
                let ident = &p.ident;
                quote! { #ident.0, }
            });
            let body_arg = self.body(op).map(
                |Body {
                     ty,
                     required,
                     is_form,
                 }| {
                    let extractor = match (is_form, required) {
                        (false, true) => quote! { poem_openapi::payload::Json },
                        (false, false) => quote! { crate::runtime::OptionalJson },
                        (true, true) => quote! { crate::runtime::Form },
                        (true, false) => quote! { crate::runtime::OptionalForm },
                    };
                    quote! { body: #extractor<#ty>, }
                },
            );
            let body_pass = body_arg.is_some().then(|| quote! { body.0, });
            handlers.push(quote! {
                #docs
                #[oai(path = #path, method = #method, operation_id = #id, tag = #tag)]
                async fn #name(&self, #auth_arg #( #args )* #body_arg)
                    -> poem::Result<responses::#resp>
                {
                    operations::#trait_ident::#name(&*self.0, #auth_pass #( #pass )* #body_pass).await
                }
            });
        }
        let admission_doc = self.admits.then(|| {
            quote! {
                ///
                /// Each route first admits the caller through `S`'s `Admission`, which it finds
                /// in the request's data: serve the endpoint with `.data(service.clone())` (an
                /// `Arc<S>`).
            }
        });
        Ok(quote! {
            use std::sync::Arc;
            use super::{operations, responses, security, types};

            /// The tags of the contract.
            #[derive(poem_openapi::Tags)]
            pub enum Tag { #( #tag_variants )* }

            /// The poem-openapi endpoint: every route of the contract, each handed to the
            /// matching trait method of `S`.
            #admission_doc
            pub struct Api<S>(pub Arc<S>);

            impl<S> Api<S> {
                /// Serves `service`.
                pub fn new(service: Arc<S>) -> Self { Api(service) }
            }

            #[poem_openapi::OpenApi]
            impl<S: operations::Service> Api<S> { #( #handlers )* }
        })
    }

    fn probe_file(&self) -> Result<TokenStream, Error> {
        let mut calls = Vec::new();
        for op in &self.ops {
            let name = snake_ident(op.id);
            let trait_ident = format_ident!("{}", tag_trait(op.tag));
            let index = op.index;
            let credential = match &op.access {
                Some(_) => {
                    quote! { Ctx::detached(&operations::OPERATIONS[#index], Probe::probe()), }
                }
                None if op.security.is_empty() => quote! { &request, },
                None => quote! { &request, Probe::probe(), },
            };
            let args = self
                .params(op)?
                .into_iter()
                .map(|_| quote! { Probe::probe(), });
            let body = self.body(op).map(|_| quote! { Probe::probe(), });
            calls.push(quote! {
                if is_not_implemented(
                    operations::#trait_ident::#name(service, #credential #( #args )* #body).await
                ) {
                    out.push(&operations::OPERATIONS[#index]);
                }
            });
        }
        let (imports, bound, request) = if self.admits {
            (
                quote! { use crate::runtime::{Ctx, NotImplemented, Operation, Probe}; },
                quote! { where S::Principal: Probe, S::Guest: Probe },
                quote! {},
            )
        } else {
            (
                quote! { use crate::runtime::{NotImplemented, Operation, Probe}; },
                quote! {},
                quote! { let request = poem::Request::default(); },
            )
        };
        Ok(quote! {
            use super::operations;
            #imports

            fn is_not_implemented<T>(result: poem::Result<T>) -> bool {
                matches!(result, Err(e) if e.is::<NotImplemented>())
            }

            /// Calls every operation once with placeholder arguments and returns those that
            /// answered with the default `NotImplemented`.
            ///
            /// Implemented operations really run, so give it a throwaway service (for example
            /// one on an empty in-memory database).
            pub async fn unimplemented_operations<S: operations::Service>(service: &S) -> Vec<&'static Operation> #bound {
                #request
                let mut out = Vec::new();
                #( #calls )*
                out
            }
        })
    }
}

fn op_docs(op: &Op) -> TokenStream {
    let mut text = op.op.summary.clone().unwrap_or_else(|| op.id.to_string());
    if let Some(desc) = op
        .op
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        text.push_str("\n\n");
        text.push_str(desc.trim());
    }
    doc(Some(&text))
}

fn response_ident(op_id: &str) -> proc_macro2::Ident {
    format_ident!("{}Response", camel(op_id))
}

/// `API Keys` -> `ApiKeys`, `User Members` -> `UserMembers`.
fn tag_trait(tag: &str) -> String {
    let camel = tag.to_upper_camel_case();
    if camel.is_empty() {
        "Default".to_string()
    } else {
        camel
    }
}

/// Renders the files of the generated server module: `(file name, text)`.
pub(crate) fn render(spec: &OpenAPI, admits: bool) -> Result<Vec<(String, String)>, Error> {
    let empty = indexmap_like::Schemas::default();
    let schemas = spec
        .components
        .as_ref()
        .map(|c| &c.schemas)
        .unwrap_or(&empty);
    let g = Gen::new(spec, schemas, admits)?;
    let title = &spec.info.title;
    let version = &spec.info.version;
    let description = spec.info.description.clone().unwrap_or_default();
    let servers = spec.servers.iter().map(|s| s.url.as_str());
    let mod_rs = quote! {
        pub mod endpoint;
        pub mod operations;
        pub mod probe;
        pub mod responses;
        pub mod security;
        pub mod types;

        pub use endpoint::{Api, Tag};
        pub use operations::*;
        pub use security::Credential;

        /// `info.title` of the spec.
        pub const TITLE: &str = #title;
        /// `info.version` of the spec.
        pub const VERSION: &str = #version;
        /// `info.description` of the spec.
        pub const DESCRIPTION: &str = #description;
        /// The `servers` of the spec.
        pub const SERVERS: &[&str] = &[ #( #servers ),* ];
    };
    let types = g.types_file();
    let types = quote! { #![allow(clippy::all, missing_docs)] #types };
    let security = g.security_file()?;
    let responses = g.responses_file();
    let operations = g.operations_file()?;
    let endpoint = g.endpoint_file()?;
    let probe = g.probe_file()?;
    let mut files = BTreeMap::new();
    files.insert("mod.rs", crate::format_file(mod_rs, "")?);
    files.insert("types.rs", crate::format_file(types, "")?);
    files.insert("security.rs", crate::format_file(security, "")?);
    files.insert("responses.rs", crate::format_file(responses, "")?);
    files.insert("operations.rs", crate::format_file(operations, "")?);
    files.insert("endpoint.rs", crate::format_file(endpoint, "")?);
    files.insert("probe.rs", crate::format_file(probe, "")?);
    Ok(files.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}
