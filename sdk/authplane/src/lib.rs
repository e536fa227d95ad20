#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod admin;
pub mod clock;
pub mod discovery;
mod error;
mod http;
pub mod oauth;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod validate;
mod wire;

pub use discovery::ServerMetadata;
pub use error::{Error, OAuthError, OAuthErrorCode, Problem};
pub use http::default_http_client;
pub use oauth::OAuthClient;
pub use sdk_runtime::{ErrorMetadata, ProvideErrorMetadata, RetryPolicy};
pub use validate::{AccessClaims, ValidationError, Validator};
