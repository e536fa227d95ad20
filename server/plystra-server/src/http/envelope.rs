//! One place where errors become the contract's error envelope.
//!
//! Handlers answer `Err(ApiError)`; poem and poem-openapi answer their own rejections (bad JSON,
//! wrong content type, bad parameter, missing credential, unknown route, wrong method) as
//! `poem::Error`s. [`server_common::envelope`] hands all of them, and any non-JSON error response
//! that slips through, to [`PlystraErrors`], which writes `{error: {...}, request_id}` with
//! `X-Plystra-Error-Code`; the shared middleware stamps every response with `X-Request-ID` and the
//! security headers.

use plystra_server_api::runtime::{InvalidBody, NotImplemented};
use plystra_server_api::types::ErrorCode;
use poem::http::StatusCode;
use poem::http::header::{HeaderName, HeaderValue};
use poem::{IntoResponse, Response};
use poem_openapi::error::{
    AuthorizationError, ContentTypeError, ParseParamError, ParsePathError, ParseRequestPayloadError,
};
use serde_json::Value;
use server_common::{Envelope, ErrorBody};

use crate::ApiError;

/// The header naming the error code of an error response.
pub const ERROR_CODE_HEADER: &str = "x-plystra-error-code";

/// The middleware: `server_common`'s request id, JSON-error and header handling with the Plystra
/// envelope as the error body; `production` hides the details of server errors.
pub fn middleware(production: bool) -> Envelope<PlystraErrors> {
    Envelope::new(PlystraErrors { production })
}

/// Writes errors as the Plystra envelope.
#[derive(Debug, Clone, Copy)]
pub struct PlystraErrors {
    production: bool,
}

impl ErrorBody for PlystraErrors {
    fn render_error(&self, err: &poem::Error, request_id: &str) -> Response {
        let mut response = render(&classify(err), request_id, self.production);
        // The operation the error came from, for the request metrics outside.
        if let Some(operation) = err.data::<poem_openapi::OperationId>() {
            response.set_data(*operation);
        }
        response
    }

    fn render_status(&self, status: StatusCode, request_id: &str) -> Response {
        let error = from_status(status, "Request failed.".into());
        render(&error, request_id, self.production)
    }
}

/// Maps any error to the contract's status and code.
pub fn classify(err: &poem::Error) -> ApiError {
    if let Some(api) = err.downcast_ref::<ApiError>() {
        return api.clone();
    }
    if let Some(NotImplemented(op)) = err.downcast_ref::<NotImplemented>() {
        return ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            ErrorCode::NotImplemented,
            format!("{} is not implemented by this server yet.", op.id),
        )
        .with_details(serde_json::json!({ "operation_id": op.id }));
    }
    let reason = Value::String(err.to_string());
    if err.is::<ParseRequestPayloadError>()
        || err.is::<InvalidBody>()
        || err.is::<ContentTypeError>()
    {
        return ApiError::validation("Request body is invalid JSON.").with_details(reason);
    }
    if err.is::<ParseParamError>() || err.is::<ParsePathError>() {
        return ApiError::validation("Request parameters are invalid.").with_details(reason);
    }
    if err.is::<AuthorizationError>() {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::AuthenticationRequired,
            "A valid access token or API key is required.",
        );
    }
    from_status(err.status(), err.to_string())
}

fn from_status(status: StatusCode, detail: String) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::new(status, ErrorCode::NotFound, "Route was not found."),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            ErrorCode::MethodNotAllowed,
            "HTTP method is not allowed for this endpoint.",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            ErrorCode::PayloadTooLarge,
            "Request body is too large.",
        ),
        StatusCode::UNAUTHORIZED => ApiError::new(
            status,
            ErrorCode::AuthenticationRequired,
            "A valid access token or API key is required.",
        ),
        s if s.is_client_error() => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed,
            "Request is invalid.",
        )
        .with_details(Value::String(detail)),
        _ => ApiError::internal(detail),
    }
}

/// The envelope response of `error`.
pub fn render(error: &ApiError, request_id: &str, production: bool) -> Response {
    let mut error = error.clone();
    if error.status.is_server_error() && error.status != StatusCode::NOT_IMPLEMENTED {
        tracing::error!(request_id, code = %error.code, details = %error.details, "request failed");
        if production {
            error.details = Value::Null;
        }
    }
    let mut response = error.envelope(request_id).into_response();
    response.set_status(error.status);
    response.headers_mut().insert(
        HeaderName::from_static(ERROR_CODE_HEADER),
        HeaderValue::from_static(error.code.as_str()),
    );
    if let Some(seconds) = error.retry_after {
        response
            .headers_mut()
            .insert(poem::http::header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_codes() {
        let cases = [
            (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            (StatusCode::METHOD_NOT_ALLOWED, ErrorCode::MethodNotAllowed),
            (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge),
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::ValidationFailed,
            ),
            (StatusCode::BAD_GATEWAY, ErrorCode::InternalError),
        ];
        for (status, code) in cases {
            assert_eq!(from_status(status, String::new()).code, code, "{status}");
        }
    }

    #[tokio::test]
    async fn production_hides_server_error_details() {
        let error = ApiError::internal("connection refused to 10.0.0.7");
        for (production, details) in [
            (true, Value::Null),
            (false, Value::from("connection refused to 10.0.0.7")),
        ] {
            let response = render(&error, "req_1", production);
            assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
            assert_eq!(response.headers()[ERROR_CODE_HEADER], "INTERNAL_ERROR");
            let body: Value =
                serde_json::from_str(&response.into_body().into_string().await.unwrap()).unwrap();
            assert_eq!(body["error"]["details"], details);
            assert_eq!(body["error"]["request_id"], "req_1");
            assert_eq!(body["request_id"], "req_1");
        }
    }
}
