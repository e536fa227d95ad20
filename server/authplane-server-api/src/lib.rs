//! The Authplane contracts for servers, generated from `spec/authplane/public.yaml` ([`public`])
//! and `spec/authplane/admin.yaml` ([`admin`]): one module per server, each with poem-openapi
//! types named like its schemas, one trait per tag with one async method per operation (each
//! answering `501` until implemented), a response enum per operation, and `Api`, the
//! `#[OpenApi]` endpoint that hands every route to those traits. [`runtime`] is the small
//! hand-written support the generated code uses (the shared `openapi-runtime` crate).

#[allow(clippy::all, missing_docs)]
#[rustfmt::skip]
#[path = "generated/public/mod.rs"]
pub mod public;

#[allow(clippy::all, missing_docs)]
#[rustfmt::skip]
#[path = "generated/admin/mod.rs"]
pub mod admin;

pub use openapi_runtime as runtime;
