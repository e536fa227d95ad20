//! The Plystra Core API contract for servers, generated from `spec/plystra.yaml`.
//!
//! [`generated`] holds poem-openapi types named like the spec's schemas, one trait per tag with one
//! async method per operation (each answering `501` until implemented), a response enum per
//! operation, and [`Api`], the `#[OpenApi]` endpoint that hands every route to those traits.
//! [`runtime`] is the small hand-written support the generated code uses (the `openapi-runtime`
//! crate, shared with the other generated contracts).

#[allow(clippy::all, missing_docs)]
#[rustfmt::skip]
pub mod generated;
pub use openapi_runtime as runtime;

pub use generated::*;
