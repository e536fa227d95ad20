//! The replay dispatch: one function from an operation id to the SDK's typed call, so that
//! recorded requests (conformance fixtures) can be sent through the typed SDK.
//!
//! The generated `call` parses path and query arguments (text, as on the wire) into the typed
//! parameters and a JSON body into the typed body, makes the builder call and finishes it
//! through the SDK layer (`Call::call` for enveloped answers, `call_text` for byte streams), and
//! serializes the decoded answer back to JSON. What the spec says (paths, parameters, bodies,
//! security) decides the arms; the parameter and body types are read from the generated
//! client's builders, so the dispatch names exactly the types the SDK takes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use openapiv3::{OpenAPI, Parameter, ReferenceOr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::Error;
use crate::names::snake;

/// Where the replay dispatch goes and which SDK it calls.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Replay {
    /// The generated file.
    pub out: PathBuf,
    /// The SDK crate the dispatch calls through. It exports `prelude` (the generated
    /// per-tag extension traits and `Call`), `types`, `Output`, `Error` and `call_text`.
    pub sdk: String,
    /// The SDK's client type (a path), whose `api()` answers the generated client.
    pub client: String,
}

/// What the generated client offers for each operation.
#[derive(Default)]
struct Builders {
    /// Extension-trait method -> builder struct.
    methods: BTreeMap<String, String>,
    /// Builder struct -> setter -> the type it converts its argument into.
    setters: BTreeMap<String, BTreeMap<String, syn::Type>>,
    /// Builders whose `send` answers a byte stream.
    streams: BTreeSet<String>,
    /// Builders with an `envelope::Operation` impl (answers `Call::call` can unwrap).
    enveloped: BTreeSet<String>,
}

impl Builders {
    fn read(file: &syn::File) -> Builders {
        let mut builders = Builders::default();
        for item in &file.items {
            match item {
                syn::Item::Trait(t) => {
                    for item in &t.items {
                        if let syn::TraitItem::Fn(f) = item
                            && let syn::ReturnType::Type(_, ty) = &f.sig.output
                            && let Some(name) = last_ident(ty)
                        {
                            builders.methods.insert(f.sig.ident.to_string(), name);
                        }
                    }
                }
                syn::Item::Mod(m) if m.ident == "builder" => {
                    for item in m.content.iter().flat_map(|(_, items)| items) {
                        if let syn::Item::Impl(imp) = item
                            && imp.trait_.is_none()
                            && let Some(name) = last_ident(&imp.self_ty)
                        {
                            builders.read_impl(&name, imp);
                        }
                    }
                }
                syn::Item::Impl(imp) => {
                    let is_operation = imp.trait_.as_ref().is_some_and(|(_, path, _)| {
                        path.segments.last().is_some_and(|s| s.ident == "Operation")
                    });
                    if is_operation && let Some(name) = last_ident(&imp.self_ty) {
                        builders.enveloped.insert(name);
                    }
                }
                _ => {}
            }
        }
        builders
    }

    fn read_impl(&mut self, name: &str, imp: &syn::ItemImpl) {
        for item in &imp.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            if f.sig.ident == "send" {
                let output = &f.sig.output;
                if quote!(#output).to_string().contains("ByteStream") {
                    self.streams.insert(name.to_string());
                }
            } else if let Some(ty) = try_into_bound(&f.sig.generics) {
                self.setters
                    .entry(name.to_string())
                    .or_default()
                    .insert(f.sig.ident.to_string(), ty);
            }
        }
    }
}

/// `X` of `builder::X<'_>`.
fn last_ident(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` of a setter's `where V: std::convert::TryInto<T>`.
fn try_into_bound(generics: &syn::Generics) -> Option<syn::Type> {
    let predicates = generics.where_clause.as_ref()?.predicates.iter();
    predicates
        .filter_map(|p| match p {
            syn::WherePredicate::Type(t) => Some(t.bounds.iter()),
            _ => None,
        })
        .flatten()
        .find_map(|bound| {
            let syn::TypeParamBound::Trait(bound) = bound else {
                return None;
            };
            let segment = bound.path.segments.last()?;
            if segment.ident != "TryInto" {
                return None;
            }
            let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
                return None;
            };
            args.args.iter().find_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(ty.clone()),
                _ => None,
            })
        })
}

/// Prefixes the generated client's `types::…` paths with the SDK crate.
struct InSdk<'a>(&'a syn::Path);

impl VisitMut for InSdk<'_> {
    fn visit_type_path_mut(&mut self, ty: &mut syn::TypePath) {
        let is_types = ty.qself.is_none()
            && ty.path.leading_colon.is_none()
            && ty.path.segments.first().is_some_and(|s| s.ident == "types");
        if is_types {
            let mut path = self.0.clone();
            path.segments.extend(ty.path.segments.iter().cloned());
            ty.path = path;
        }
        syn::visit_mut::visit_type_path_mut(self, ty);
    }
}

/// One operation as the spec declares it.
struct Op<'a> {
    method: String,
    path: &'a str,
    id: &'a str,
    path_params: Vec<&'a str>,
    query_params: Vec<&'a str>,
    json_body: bool,
    security: Vec<&'a str>,
}

fn operations(spec: &OpenAPI) -> Vec<Op<'_>> {
    let mut out = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let Some(id) = op.operation_id.as_deref() else {
                continue;
            };
            let mut path_params = Vec::new();
            let mut query_params = Vec::new();
            for parameter in item.parameters.iter().chain(&op.parameters) {
                match parameter {
                    ReferenceOr::Item(Parameter::Path { parameter_data, .. }) => {
                        path_params.push(parameter_data.name.as_str());
                    }
                    ReferenceOr::Item(Parameter::Query { parameter_data, .. }) => {
                        query_params.push(parameter_data.name.as_str());
                    }
                    // The validator refuses header, cookie and referenced parameters.
                    _ => {}
                }
            }
            let json_body = match &op.request_body {
                Some(ReferenceOr::Item(body)) => body.content.contains_key("application/json"),
                _ => false,
            };
            let security = op
                .security
                .as_ref()
                .or(spec.security.as_ref())
                .into_iter()
                .flatten()
                .flat_map(|req| req.keys().map(String::as_str))
                .collect();
            out.push(Op {
                method: method.to_uppercase(),
                path,
                id,
                path_params,
                query_params,
                json_body,
                security,
            });
        }
    }
    out
}

/// Renders the dispatch for `spec`, calling through the client that `client_code` (the
/// generated client file) defines.
pub(crate) fn render(spec: &OpenAPI, replay: &Replay, client_code: &str) -> Result<String, Error> {
    let file = syn::parse_file(client_code)
        .map_err(|e| Error::Generate(format!("replay: the generated client: {e}")))?;
    let builders = Builders::read(&file);
    let sdk: syn::Path = syn::parse_str(&replay.sdk)
        .map_err(|e| Error::Generate(format!("replay sdk {:?}: {e}", replay.sdk)))?;
    let client: syn::Path = syn::parse_str(&replay.client)
        .map_err(|e| Error::Generate(format!("replay client {:?}: {e}", replay.client)))?;
    let mut ops = operations(spec);
    let routes = ops.iter().map(|op| {
        let (method, path, id, security) = (&op.method, op.path, op.id, &op.security);
        let operation = snake(id);
        quote! {
            Route {
                method: #method,
                path: #path,
                operation: #operation,
                operation_id: #id,
                security: &[ #( #security ),* ],
            },
        }
    });
    let routes: Vec<TokenStream> = routes.collect();
    ops.sort_by_key(|op| snake(op.id));
    let mut arms = Vec::new();
    let mut calls = Vec::new();
    for op in &ops {
        let (arm, call) = arm(op, &builders, &sdk, &client)?;
        arms.push(arm);
        calls.extend(call);
    }
    let tokens = quote! {
        use ::std::collections::BTreeMap;
        use ::serde_json::Value;
        use #sdk::prelude::*;

        /// One operation of the contract: how it is addressed and what it accepts.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct Route {
            /// `GET`, `POST`, …
            pub method: &'static str,
            /// The path template, with `{name}` for each path parameter.
            pub path: &'static str,
            /// The SDK's name of the operation (the operationId in snake_case), for [`call`].
            pub operation: &'static str,
            /// The spec's operationId.
            pub operation_id: &'static str,
            /// The security schemes it accepts (any one of them); empty when public.
            pub security: &'static [&'static str],
        }

        /// Every operation of the contract, in the spec's order.
        pub static ROUTES: &[Route] = &[ #( #routes )* ];

        /// What the SDK made of the answer.
        #[derive(Debug)]
        pub enum Outcome {
            /// A success envelope, unwrapped by the SDK, with its parts serialized back to JSON.
            Data {
                /// The payload.
                data: Value,
                /// The request id of the envelope.
                request_id: String,
                /// The pagination of a list envelope.
                pagination: Option<Value>,
            },
            /// A success whose body is not JSON, as text.
            Text {
                /// The body.
                text: String,
                /// The request id the response carried.
                request_id: String,
            },
            /// The SDK's error.
            Error(#sdk::Error),
        }

        /// Why a call could not be made through the typed SDK; nothing was sent.
        #[derive(Debug)]
        #[non_exhaustive]
        pub enum DispatchError {
            /// No operation of that name.
            UnknownOperation(String),
            /// An argument the operation does not define, or one its typed parameter cannot
            /// hold.
            Parameter {
                /// The parameter.
                name: String,
                /// Why.
                reason: String,
            },
            /// A body the typed body cannot hold as given, or a body for an operation that
            /// takes none.
            Body(String),
            /// The operation's success answer is neither an envelope nor a byte stream.
            Unsupported(&'static str),
            /// The decoded answer could not be serialized back to JSON.
            Serialize(::serde_json::Error),
        }

        impl ::std::fmt::Display for DispatchError {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                match self {
                    DispatchError::UnknownOperation(op) => write!(f, "no operation {op}"),
                    DispatchError::Parameter { name, reason } => {
                        write!(f, "parameter {name}: {reason}")
                    }
                    DispatchError::Body(reason) => write!(f, "body: {reason}"),
                    DispatchError::Unsupported(op) => {
                        write!(f, "{op} answers neither an envelope nor a byte stream")
                    }
                    DispatchError::Serialize(e) => write!(f, "serializing the answer: {e}"),
                }
            }
        }

        impl ::std::error::Error for DispatchError {}

        /// Calls `operation` (see [`Route::operation`]) through the SDK's typed builder. Path
        /// and query arguments are text, as on the wire, parsed into the typed parameters; the
        /// body is parsed into the typed body and must serialize back to itself.
        pub async fn call(
            client: &#client,
            operation: &str,
            path: &BTreeMap<String, String>,
            query: &BTreeMap<String, String>,
            body: Option<&Value>,
        ) -> Result<Outcome, DispatchError> {
            match operation {
                #( #arms )*
                other => Err(DispatchError::UnknownOperation(other.to_string())),
            }
        }

        /// One function per operation (each boxed by `call`, so that no stack frame holds
        /// every operation's state).
        mod operation {
            use super::*;

            #( #calls )*
        }

        fn known(
            args: &BTreeMap<String, String>,
            names: &[&str],
            place: &str,
        ) -> Result<(), DispatchError> {
            match args.keys().find(|name| !names.contains(&name.as_str())) {
                Some(name) => Err(DispatchError::Parameter {
                    name: name.clone(),
                    reason: format!("not a {place} parameter of the operation"),
                }),
                None => Ok(()),
            }
        }

        /// A parameter from its text: as a JSON string first (strings, enums, times), else as
        /// JSON (numbers, booleans).
        fn arg<T: ::serde::de::DeserializeOwned>(
            args: &BTreeMap<String, String>,
            name: &str,
        ) -> Result<Option<T>, DispatchError> {
            let Some(text) = args.get(name) else {
                return Ok(None);
            };
            ::serde_json::from_value(Value::String(text.clone()))
                .or_else(|first| ::serde_json::from_str(text).map_err(|_| first))
                .map(Some)
                .map_err(|e| DispatchError::Parameter {
                    name: name.to_string(),
                    reason: e.to_string(),
                })
        }

        fn json_body<T: ::serde::de::DeserializeOwned + ::serde::Serialize>(
            body: Option<&Value>,
        ) -> Result<Option<T>, DispatchError> {
            let Some(given) = body else {
                return Ok(None);
            };
            let typed: T = ::serde_json::from_value(given.clone())
                .map_err(|e| DispatchError::Body(e.to_string()))?;
            let sent = ::serde_json::to_value(&typed).map_err(DispatchError::Serialize)?;
            if &sent != given {
                return Err(DispatchError::Body(format!("the typed body would send {sent}")));
            }
            Ok(Some(typed))
        }

        fn no_body(body: Option<&Value>) -> Result<(), DispatchError> {
            match body {
                Some(_) => Err(DispatchError::Body("the operation takes no JSON body".into())),
                None => Ok(()),
            }
        }

        fn data<T: ::serde::Serialize>(
            result: Result<#sdk::Output<T>, #sdk::Error>,
        ) -> Result<Outcome, DispatchError> {
            let output = match result {
                Ok(output) => output,
                Err(error) => return Ok(Outcome::Error(error)),
            };
            let pagination = match &output.pagination {
                Some(page) => Some(::serde_json::to_value(page).map_err(DispatchError::Serialize)?),
                None => None,
            };
            Ok(Outcome::Data {
                data: ::serde_json::to_value(&output.data).map_err(DispatchError::Serialize)?,
                request_id: output.request_id,
                pagination,
            })
        }

        fn text(result: Result<#sdk::Output<String>, #sdk::Error>) -> Outcome {
            match result {
                Ok(output) => Outcome::Text {
                    text: output.data,
                    request_id: output.request_id,
                },
                Err(error) => Outcome::Error(error),
            }
        }
    };
    crate::format_file(tokens, "")
}

/// The match arm of one operation, and the function it calls (none when unsupported).
fn arm(
    op: &Op,
    builders: &Builders,
    sdk: &syn::Path,
    client: &syn::Path,
) -> Result<(TokenStream, Option<TokenStream>), Error> {
    let operation = snake(op.id);
    let missing = |what: String| Error::Generate(format!("replay: {}: {what}", op.id));
    let builder = builders
        .methods
        .get(&operation)
        .ok_or_else(|| missing("the generated client has no method for it".into()))?;
    let finish = if builders.enveloped.contains(builder) {
        quote! { data(builder.call().await) }
    } else if builders.streams.contains(builder) {
        quote! { Ok(text(#sdk::call_text(builder.send()).await)) }
    } else {
        let arm = quote! { #operation => Err(DispatchError::Unsupported(#operation)), };
        return Ok((arm, None));
    };
    let no_setters = BTreeMap::new();
    let setters = builders.setters.get(builder).unwrap_or(&no_setters);
    // `builder = builder.<setter>(value)` when the argument is given, parsed into the
    // setter's type by `parse(args)` (`arg` or `json_body`).
    let set = |name: &str, parse: TokenStream, args: TokenStream| -> Result<TokenStream, Error> {
        let setter = snake(name);
        let mut ty = setters
            .get(&setter)
            .cloned()
            .ok_or_else(|| missing(format!("the builder has no setter {setter}")))?;
        InSdk(sdk).visit_type_mut(&mut ty);
        let setter = format_ident!("{}", setter);
        Ok(quote! {
            let builder = match #parse::<#ty>(#args)? {
                Some(value) => builder.#setter(value),
                None => builder,
            };
        })
    };
    let mut steps = Vec::new();
    for name in &op.path_params {
        steps.push(set(name, quote!(arg), quote!(path, #name))?);
    }
    for name in &op.query_params {
        steps.push(set(name, quote!(arg), quote!(query, #name))?);
    }
    let body = if op.json_body {
        set("body", quote!(json_body), quote!(body))?
    } else {
        quote! { no_body(body)?; }
    };
    let (path_names, query_names) = (&op.path_params, &op.query_params);
    let method = format_ident!("{}", operation);
    let arm = quote! {
        #operation => Box::pin(operation::#method(client, path, query, body)).await,
    };
    let call = quote! {
        pub(super) async fn #method(
            client: &#client,
            path: &BTreeMap<String, String>,
            query: &BTreeMap<String, String>,
            body: Option<&Value>,
        ) -> Result<Outcome, DispatchError> {
            known(path, &[ #( #path_names ),* ], "path")?;
            known(query, &[ #( #query_names ),* ], "query")?;
            let builder = client.api().#method();
            #( #steps )*
            #body
            #finish
        }
    };
    Ok((arm, Some(call)))
}
