//! The HTTP surface: two endpoints, one per listener, each the generated contract behind
//! `server_common`'s envelope (request ids, JSON errors in the listener's shape, security
//! headers). A panic in a handler becomes a 500 in the listener's error body (`CatchPanic`
//! inside the envelope) instead of a dropped connection.
//!
//! - public: `public::Api` (OAuth, discovery, probes, browser pages), errors as
//!   `OAuthErrorResponse`;
//! - admin: [`AdminGate`] (the bearer key check) in front of `admin::Api`, errors as `Problem`
//!   and, from the gate, `AdminAccessError`.

mod admin_gate;
pub mod errors;
mod health;
mod livez;
mod ready;
mod unimplemented;
mod well_known;

use std::sync::Arc;

use authplane_server_api::{admin, public};
use poem::middleware::{CatchPanic, NormalizePath, TrailingSlash};
use poem::{Endpoint, EndpointExt, Route};
use poem_openapi::OpenApiService;
use server_common::Envelope;

pub use admin_gate::AdminGate;
pub use errors::{AdminErrors, PublicErrors};

use crate::Authplane;

/// The public listener's endpoint.
pub fn public_app(server: Arc<Authplane>) -> impl Endpoint + use<> {
    let api = OpenApiService::new(public::Api::new(server), public::TITLE, public::VERSION)
        .description(public::DESCRIPTION);
    Route::new()
        .nest("/", api)
        .with(CatchPanic::new())
        .with(Envelope::new(PublicErrors))
}

/// The admin listener's endpoint; `admin_api_key` is the key the gate accepts (`None`: none).
pub fn admin_app(server: Arc<Authplane>, admin_api_key: Option<&str>) -> impl Endpoint + use<> {
    let api = OpenApiService::new(admin::Api::new(server), admin::TITLE, admin::VERSION)
        .description(admin::DESCRIPTION);
    Route::new()
        .nest("/", api)
        .with(CatchPanic::new())
        .with(AdminGate::new(admin_api_key))
        // poem-openapi registers `/admin/ui/` (the console's path, with its slash) as
        // `/admin/ui`; trimming the request's trailing slash reaches it by its documented path.
        .with(NormalizePath::new(TrailingSlash::Trim))
        .with(Envelope::new(AdminErrors))
}
