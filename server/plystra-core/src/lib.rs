//! The Plystra Core engine room: the domain (the authorization engine, principals and their
//! grants, passwords, tokens, time) and the store (SQLite or PostgreSQL, one SQL text per
//! statement, every write with its audit row in one transaction).
//!
//! Nothing here speaks HTTP: no poem, no generated API types. The reference server
//! (`plystra-server`) is the front end that parses requests, calls in here and writes the wire
//! types; benchmarks and the conformance suite use the engine and the store directly.

pub mod domain;
pub mod store;

pub use store::{Store, StoreError};
