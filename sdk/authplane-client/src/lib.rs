//! Generated low-level clients for Authplane (progenitor, builder style, one extension trait per
//! tag), one module per server: [`public`] (`spec/authplane/public.yaml`: OAuth endpoints,
//! discovery, health) and [`admin`] (`spec/authplane/admin.yaml`: provisioning behind the admin
//! API key, `/metrics`). Each has its own `Client`, `types` and `builder`.
//!
//! Browser pages and redirect flows (sign-in, consent, connect, OIDC, `/oauth/authorize`, the
//! admin UI) are in the server contract only; `codegen/contracts.yaml` lists what the clients
//! leave out. Authplane answers bare JSON, so there is no envelope layer here.
#![allow(
    clippy::all,
    missing_docs,
    unused_imports,
    mismatched_lifetime_syntaxes,
    rustdoc::all
)]

#[rustfmt::skip]
#[path = "generated/public.rs"]
pub mod public;

#[rustfmt::skip]
#[path = "generated/admin.rs"]
pub mod admin;
