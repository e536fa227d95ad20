//! The HTTP surface: the generated endpoint, the spec and docs routes, and the middleware around
//! them (client address, access log, CORS, request id and error envelope, body limit).

pub mod access_log;
mod auth;
pub mod body_limit;
pub mod client_ip;
pub mod cors;
pub mod decision_headers;
pub mod envelope;
pub mod metrics;
mod spec;

use std::sync::Arc;

use plystra_server_api::Api;
use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::OpenApiService;

use crate::{Config, Server};

pub use client_ip::ClientIp;
pub use server_common::request_id::{self, RequestId};

/// The poem-openapi service of the generated contract, as the server serves it. Its one server
/// entry (what `/docs` sends requests to) is the configured public URL, else the listen address
/// ([`crate::config::Listen::base_url`]), not the example URL in the spec.
pub fn openapi_service(server: Arc<Server>) -> OpenApiService<Api<Server>, ()> {
    let base_url = server.config().listen.base_url();
    OpenApiService::new(
        Api::new(server),
        plystra_server_api::TITLE,
        plystra_server_api::VERSION,
    )
    .description(plystra_server_api::DESCRIPTION)
    .server(base_url)
}

/// The whole application: API routes, `/openapi.yaml`, `/openapi.json`, `/docs`, and the one
/// middleware stack every request goes through.
///
/// From the outside in:
///
/// 1. [`client_ip::ResolveClientIp`]: the client address ([`ClientIp`]) for the log and handlers.
/// 2. [`access_log::AccessLog`]: one event per request, with the final status and error code;
///    inside it [`metrics::RequestMetrics`] counts and times the request by operation.
/// 3. [`cors::Cors`]: CORS headers on every response, error envelopes included.
/// 4. [`envelope::middleware`]: request id, the error envelope, security headers.
/// 5. [`cors::Preflight`]: any `OPTIONS` is answered `204` here, before authentication.
/// 6. [`body_limit::BodyLimit`]: `413` for bodies over `MAX_REQUEST_BODY_BYTES`.
/// 7. The server as request data: each generated route admits its caller through it
///    (`Admission`, by the operation's `x-plystra-access`) before reading parameters or body;
///    [`auth::Unrouted`] protects API paths that reach no operation as upstream does.
/// 8. [`decision_headers::DecisionHeaders`]: the full Decision for `explain: true` on the check
///    route (its typed `200` is the compact verdict).
/// 9. The routes.
///
/// `EndpointExt::with` wraps what is already built, so the code lists the same layers from the
/// inside out.
pub fn app(server: Arc<Server>, config: &Config) -> impl Endpoint + use<> {
    let api = openapi_service(server.clone());
    let docs = api.swagger_ui();
    let routes = Route::new()
        .at("/openapi.yaml", get(spec::yaml))
        .at("/openapi.json", get(spec::json))
        .nest("/docs", docs)
        .nest("/", api);
    let cors_policy = cors::CorsPolicy::new(&config.http.cors_allowed_origins);
    routes
        .with(decision_headers::DecisionHeaders) // 8
        .with(auth::Unrouted::new(server.clone())) // 7
        .data(server.clone()) // 7
        .with(body_limit::BodyLimit::new(
            config.http.max_request_body_bytes,
        )) // 6
        .with(cors::Preflight) // 5
        .with(envelope::middleware(config.production)) // 4
        .with(cors::Cors::new(cors_policy)) // 3
        .with(metrics::RequestMetrics::new(server)) // 2b
        .with(access_log::AccessLog) // 2
        .with(client_ip::ResolveClientIp::new(
            &config.http.trusted_proxies,
        )) // 1
}
