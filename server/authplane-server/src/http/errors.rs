//! The error bodies of the two listeners, as the contracts declare them, plugged into
//! `server_common`'s envelope middleware:
//!
//! - public: `OAuthErrorResponse` (the RFC 6749 `error`/`error_description` pair merged with RFC
//!   9457 fields);
//! - admin: `Problem` (RFC 9457) from handlers and routing, `AdminAccessError` from the key
//!   check.
//!
//! An operation nobody has implemented answers 501: on the public side with `error:
//! service_unavailable`, the contract's code for "this deployment does not offer the feature"
//! (the contract has no `not_implemented` code, and `server_error` would say something broke).

use authplane_server_api::admin::types::{AdminAccessError, AdminAccessErrorCode, Problem};
use authplane_server_api::public::types::{OAuthErrorCode, OAuthErrorResponse};
use authplane_server_api::runtime::{InvalidBody, NotImplemented, Operation};
use poem::http::StatusCode;
use poem::http::header::{HeaderValue, WWW_AUTHENTICATE};
use poem::{IntoResponse, Response};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};
use poem_openapi::payload::Json;
use server_common::ErrorBody;

/// The challenge of every admin 401, as the admin contract gives it.
pub const ADMIN_CHALLENGE: &str = "Bearer realm=\"admin\"";

/// What went wrong, whichever listener answers.
#[derive(Debug)]
enum Failure {
    /// The operation still has the generated default.
    NotImplemented(&'static Operation),
    /// The request did not parse (body, parameters, content type).
    BadRequest(String),
    /// A security scheme of the operation found no credential.
    Unauthorized,
    /// Anything else, by status (poem's own 404 and 405, server errors).
    Status(StatusCode, String),
}

fn classify(err: &poem::Error) -> Failure {
    if let Some(NotImplemented(op)) = err.downcast_ref::<NotImplemented>() {
        return Failure::NotImplemented(op);
    }
    if err.is::<ParseRequestPayloadError>()
        || err.is::<InvalidBody>()
        || err.is::<ContentTypeError>()
        || err.is::<ParseParamError>()
        || err.is::<ParsePathError>()
    {
        return Failure::BadRequest(err.to_string());
    }
    if err.is::<AuthorizationError>() {
        return Failure::Unauthorized;
    }
    Failure::Status(err.status(), err.to_string())
}

fn reason(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_string()
}

/// Logs a server error with the request id; its cause never reaches the body.
fn log_server_error(status: StatusCode, cause: &str, request_id: &str) {
    tracing::error!(
        request_id,
        status = status.as_u16(),
        cause,
        "request failed"
    );
}

/// Error bodies of the public listener.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicErrors;

/// An `OAuthErrorResponse` with `status`.
pub fn oauth_error(status: StatusCode, error: OAuthErrorCode, description: String) -> Response {
    let body = OAuthErrorResponse {
        error,
        type_: format!("https://docs.authplane.ai/errors/{}", error.as_str()),
        title: reason(status),
        detail: description.clone(),
        error_description: description,
        status: i32::from(status.as_u16()),
        error_uri: None,
        consent_url: None,
        cause: None,
    };
    let mut response = Json(body).into_response();
    response.set_status(status);
    response
}

impl PublicErrors {
    fn from_status(status: StatusCode, detail: &str, request_id: &str) -> Response {
        match status {
            StatusCode::NOT_FOUND => oauth_error(
                status,
                OAuthErrorCode::NotFound,
                "no such route on the public API".into(),
            ),
            StatusCode::UNAUTHORIZED => oauth_error(
                status,
                OAuthErrorCode::Unauthorized,
                "sign-in required".into(),
            ),
            s if s.is_client_error() => {
                oauth_error(s, OAuthErrorCode::InvalidRequest, detail.to_string())
            }
            s => {
                log_server_error(s, detail, request_id);
                oauth_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    OAuthErrorCode::ServerError,
                    "internal server error".into(),
                )
            }
        }
    }
}

impl ErrorBody for PublicErrors {
    fn render_error(&self, err: &poem::Error, request_id: &str) -> Response {
        match classify(err) {
            Failure::NotImplemented(op) => oauth_error(
                StatusCode::NOT_IMPLEMENTED,
                OAuthErrorCode::ServiceUnavailable,
                format!("{} is not implemented by this server yet", op.id),
            ),
            Failure::BadRequest(detail) => oauth_error(
                StatusCode::BAD_REQUEST,
                OAuthErrorCode::InvalidRequest,
                detail,
            ),
            Failure::Unauthorized => Self::from_status(StatusCode::UNAUTHORIZED, "", request_id),
            Failure::Status(status, detail) => Self::from_status(status, &detail, request_id),
        }
    }

    fn render_status(&self, status: StatusCode, request_id: &str) -> Response {
        let detail = match status {
            StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route",
            _ => "request failed",
        };
        Self::from_status(status, detail, request_id)
    }
}

/// Error bodies of the admin listener.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminErrors;

/// A `Problem` with `status`.
pub fn problem(status: StatusCode, detail: String) -> Response {
    let body = Problem {
        type_: "about:blank".into(),
        title: reason(status),
        status: i32::from(status.as_u16()),
        detail,
    };
    let mut response = Json(body).into_response();
    response.set_status(status);
    response
}

/// The 401 of the admin key check: `AdminAccessError` with the bearer challenge.
pub fn admin_unauthorized(description: &str) -> Response {
    let body = AdminAccessError {
        error: AdminAccessErrorCode::Unauthorized,
        error_description: description.to_string(),
    };
    let mut response = Json(body).into_response();
    response.set_status(StatusCode::UNAUTHORIZED);
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static(ADMIN_CHALLENGE));
    response
}

impl AdminErrors {
    fn from_status(status: StatusCode, detail: &str, request_id: &str) -> Response {
        match status {
            StatusCode::NOT_FOUND => problem(status, "no such route on the admin API".into()),
            StatusCode::UNAUTHORIZED => admin_unauthorized("missing API key"),
            s if s.is_client_error() => problem(s, detail.to_string()),
            s => {
                log_server_error(s, detail, request_id);
                problem(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal server error".into(),
                )
            }
        }
    }
}

impl ErrorBody for AdminErrors {
    fn render_error(&self, err: &poem::Error, request_id: &str) -> Response {
        match classify(err) {
            Failure::NotImplemented(op) => problem(
                StatusCode::NOT_IMPLEMENTED,
                format!("{} is not implemented by this server yet", op.id),
            ),
            Failure::BadRequest(detail) => problem(StatusCode::BAD_REQUEST, detail),
            Failure::Unauthorized => admin_unauthorized("missing API key"),
            Failure::Status(status, detail) => Self::from_status(status, &detail, request_id),
        }
    }

    fn render_status(&self, status: StatusCode, request_id: &str) -> Response {
        let detail = match status {
            StatusCode::METHOD_NOT_ALLOWED => "method not allowed on this route",
            _ => "request failed",
        };
        Self::from_status(status, detail, request_id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    async fn body(response: Response) -> Value {
        serde_json::from_str(&response.into_body().into_string().await.unwrap()).unwrap()
    }

    #[tokio::test]
    async fn public_errors_carry_the_oauth_and_problem_fields() {
        let err: poem::Error = NotImplemented(&authplane_server_api::public::OPERATIONS[3]).into();
        let response = PublicErrors.render_error(&err, "req_1");
        assert_eq!(response.status(), StatusCode::NOT_IMPLEMENTED);
        let body = body(response).await;
        assert_eq!(body["error"], "service_unavailable");
        assert_eq!(body["status"], 501);
        assert_eq!(body["title"], "Not Implemented");
        assert_eq!(
            body["type"],
            "https://docs.authplane.ai/errors/service_unavailable"
        );
        assert_eq!(body["detail"], body["error_description"]);
        assert!(
            body["detail"]
                .as_str()
                .unwrap()
                .starts_with("http-public-connect-provider ")
        );
    }

    #[tokio::test]
    async fn server_error_causes_stay_out_of_the_body() {
        let err =
            poem::Error::from_string("connection refused to 10.0.0.7", StatusCode::BAD_GATEWAY);
        let public = body(PublicErrors.render_error(&err, "req_1")).await;
        assert_eq!(public["error"], "server_error");
        assert_eq!(public["status"], 500);
        assert!(!public.to_string().contains("10.0.0.7"));
        let admin = body(AdminErrors.render_error(&err, "req_1")).await;
        assert_eq!(admin["status"], 500);
        assert!(!admin.to_string().contains("10.0.0.7"));
    }

    #[tokio::test]
    async fn admin_routing_errors_are_problems() {
        let response = AdminErrors.render_status(StatusCode::METHOD_NOT_ALLOWED, "req_1");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        let body = body(response).await;
        assert_eq!(body["type"], "about:blank");
        assert_eq!(body["title"], "Method Not Allowed");
        assert_eq!(body["status"], 405);
    }

    #[tokio::test]
    async fn the_admin_401_names_the_bearer_realm() {
        let response = admin_unauthorized("missing API key");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], ADMIN_CHALLENGE);
        let body = body(response).await;
        assert_eq!(body["error"], "unauthorized");
        assert_eq!(body["error_description"], "missing API key");
    }
}
