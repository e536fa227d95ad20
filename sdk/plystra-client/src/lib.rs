//! Generated low-level client for the Plystra Core API (progenitor, builder style, one extension
//! trait per tag). Everything in `generated` comes from `spec/plystra.yaml`; `hooks` and
//! `envelope` are the small hand-written seams the `plystra` crate builds on. Users add the
//! `plystra` crate, which wraps this one.
#![allow(
    clippy::all,
    missing_docs,
    unused_imports,
    mismatched_lifetime_syntaxes,
    rustdoc::all
)]

pub mod envelope;
#[rustfmt::skip]
mod generated;
pub mod hooks;

pub use generated::*;
