//! The server's one error type and its mapping to the contract's error envelope.

use plystra_server_api::types::{ErrorBody, ErrorCode, ErrorEnvelope};
use poem::http::StatusCode;
use poem_openapi::payload::Json;
use serde_json::Value;

/// An error a handler answers with. Rendered once, in `http::envelope`, with the request id.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Contract error code.
    pub code: ErrorCode,
    /// Human-readable message.
    pub message: String,
    /// Extra detail (`null` when none).
    pub details: Value,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with no details.
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Value::Null,
            retry_after: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// 400 `VALIDATION_FAILED`.
    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ValidationFailed,
            message,
        )
    }

    /// 500 `INTERNAL_ERROR`; the cause goes into details (hidden in production).
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalError,
            "Request handling failed.",
        )
        .with_details(Value::String(cause.to_string()))
    }

    /// The contract's error envelope for this error.
    pub fn envelope(&self, request_id: &str) -> Json<ErrorEnvelope> {
        Json(ErrorEnvelope {
            error: ErrorBody {
                code: self.code,
                message: self.message.clone(),
                details: self.details.clone(),
                request_id: request_id.to_string(),
                deny_code: None,
                trace_id: None,
                audit_log_id: None,
            },
            request_id: request_id.to_string(),
        })
    }
}

impl poem::error::ResponseError for ApiError {
    fn status(&self) -> StatusCode {
        self.status
    }
}
