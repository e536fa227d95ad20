//! The SDK against wiremock (what it sends, what it makes of the answers) and the validator
//! against tokens minted with locally generated keys. One binary; each file is a module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod admin;
mod authorize;
mod cache;
mod discovery;
mod grants;
mod jwks;
mod support;
mod validate;
