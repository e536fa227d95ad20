//! The runtime the `plystra` and `authplane` SDKs share, so that both behave the same way on the
//! wire: the TLS stack ([`tls`]), the retry policy with its backoff ([`RetryPolicy`]), the
//! per-attempt and whole-call time limits and the loop that applies them ([`execute`]), secrets
//! that never print ([`Secret`]), the request-id header, and the metadata every error of either
//! SDK can report ([`ErrorMetadata`]).
//!
//! Users do not add this crate: each SDK re-exports what its own API names (`plystra::RetryPolicy`,
//! `authplane::RetryPolicy`). The error types stay in the SDKs, since what a failure carries is
//! product-specific; each of them implements [`ProvideErrorMetadata`].
#![warn(missing_docs)]

mod execute;
mod metadata;
mod retry;
mod secret;
pub mod tls;

pub use execute::{Deadline, execute};
pub use metadata::{
    ErrorMetadata, ErrorMetadataBuilder, ProvideErrorMetadata, REQUEST_ID_HEADER, request_id,
    retry_after,
};
pub use retry::RetryPolicy;
pub use secret::Secret;
