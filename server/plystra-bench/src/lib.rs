//! Benchmarks of issue 7: the decision engine in process (against Cedar with the `cedar`
//! feature) and `POST /api/v1/authz/check` through the reference server (against a bare poem
//! echo handler). The bench targets in `benches/` print the tables; this library holds what they
//! share, so its unit tests keep the fixtures and the load generator's arithmetic honest in
//! `cargo test`.

#[cfg(feature = "cedar")]
pub mod cedar;
pub mod fixtures;
pub mod load;
pub mod measure;
pub mod servers;
