//! The HTTP surface: the generated endpoint, the spec and docs routes, and the middleware that
//! gives every response a request id and every error the contract's envelope.

pub mod envelope;
pub mod request_id;
mod spec;

use std::sync::Arc;

use plystra_server_api::Api;
use poem::{Endpoint, EndpointExt, Route, get};
use poem_openapi::OpenApiService;

use crate::{Config, Server};

pub use request_id::RequestId;

/// The poem-openapi service of the generated contract, as the server serves it.
pub fn openapi_service(server: Arc<Server>) -> OpenApiService<Api<Server>, ()> {
    let mut service = OpenApiService::new(
        Api::new(server),
        plystra_server_api::TITLE,
        plystra_server_api::VERSION,
    )
    .description(plystra_server_api::DESCRIPTION);
    for url in plystra_server_api::SERVERS {
        service = service.server(*url);
    }
    service
}

/// The whole application: API routes, `/openapi.yaml`, `/openapi.json`, `/docs`.
pub fn app(server: Arc<Server>, config: &Config) -> impl Endpoint + use<> {
    let api = openapi_service(server);
    let docs = api.swagger_ui();
    Route::new()
        .at("/openapi.yaml", get(spec::yaml))
        .at("/openapi.json", get(spec::json))
        .nest("/docs", docs)
        .nest("/", api)
        .with(envelope::Envelope::new(config.production))
}
