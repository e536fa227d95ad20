//! The SDK against recorded wire shapes (wiremock): what it sends and what it makes of what it
//! receives. One binary; each file is a module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod calls;
mod errors;
mod retries;
mod tracing_spans;
mod wire;
