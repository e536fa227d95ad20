//! Integration tests of authplane-server: the endpoints called in-process (poem's test client)
//! and the real binary on port 0. One binary; each file is a module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod admin;
mod binary;
mod common;
mod discovery;
mod errors;
mod listeners;
mod probes;
mod store;
