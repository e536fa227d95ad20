//! Integration tests of plystra-server: the endpoint called in-process against a real database.
//! One binary; each file is a module.

mod common;
mod drift;
mod http;
mod store;
