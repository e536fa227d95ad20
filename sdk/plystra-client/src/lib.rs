//! Generated low-level client for the Plystra Core API (progenitor, builder style, one extension
//! trait per tag). Everything in [`generated`] comes from `spec/plystra.yaml`; users add the
//! `plystra` crate, which wraps this one.
#![allow(
    clippy::all,
    missing_docs,
    unused_imports,
    mismatched_lifetime_syntaxes,
    rustdoc::all
)]

#[rustfmt::skip]
mod generated;

pub use generated::*;
