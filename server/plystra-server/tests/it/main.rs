//! Integration tests of plystra-server: the endpoint called in-process against a real database.
//! One binary; each file is a module.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod authz;
mod common;
mod drift;
mod entities;
mod http;
mod http_behaviour;
mod lockout;
mod principals;
mod registration;
mod registry;
mod seed;
mod sessions;
mod store;
