//! `spec/plystra.yaml` served as written (`/openapi.yaml`) and as JSON (`/openapi.json`).

use std::sync::OnceLock;

use poem::handler;
use poem::http::header::CONTENT_TYPE;
use poem::{IntoResponse, Response};

const SPEC_YAML: &str = include_str!("../../../../spec/plystra.yaml");

#[handler]
pub(super) fn yaml() -> Response {
    Response::builder()
        .header(CONTENT_TYPE, "application/yaml")
        .body(SPEC_YAML)
}

#[handler]
pub(super) fn json() -> Response {
    static JSON: OnceLock<String> = OnceLock::new();
    let body = JSON.get_or_init(|| {
        // The YAML is compiled in and checked by the tests, so conversion cannot fail at runtime.
        serde_yaml::from_str::<serde_json::Value>(SPEC_YAML)
            .map(|value| value.to_string())
            .unwrap_or_default()
    });
    Response::builder()
        .header(CONTENT_TYPE, "application/json")
        .body(body.as_str())
        .into_response()
}
