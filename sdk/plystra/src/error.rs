//! One error type for every call, carrying whatever the failure told us.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde_json::Value;

use crate::types;

/// Any failure of a call.
///
/// ```no_run
/// # async fn demo(plystra: plystra::Plystra) {
/// match plystra.audit().get("audit_0a1b").await {
///     Ok(row) => println!("{} {}", row.action, row.decision),
///     Err(e) if e.is_not_found() => println!("no such row (request {:?})", e.request_id()),
///     Err(plystra::Error::Api(api)) => println!("{} {}: {}", api.status, api.code, api.message),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (a missing required field, an invalid value, a bad base
    /// URL); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The request could not be sent or the response not read (connection refused, reset, TLS).
    #[error("transport failure")]
    Transport(#[source] reqwest::Error),
    /// No response within the per-attempt timeout, or within what was left of the operation
    /// timeout ([`PlystraBuilder::operation_timeout`](crate::PlystraBuilder::operation_timeout)).
    #[error("no response within the timeout")]
    Timeout(#[source] reqwest::Error),
    /// The server answered with the contract's error envelope.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The server answered something the contract does not allow; the raw body is kept.
    #[error("undecodable {status} response")]
    Decode {
        /// HTTP status (0 if unknown).
        status: u16,
        /// `X-Request-ID` of the response, if any.
        request_id: Option<String>,
        /// The body as received (lossy UTF-8).
        body: String,
        /// Why it did not decode, if a parser said so.
        #[source]
        source: Option<serde_json::Error>,
    },
}

/// An error answered by the server: `{error: {code, message, details, request_id, ...}}`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Stable error code.
    pub code: ErrorCode,
    /// Human-readable message (not for matching).
    pub message: String,
    /// Extra detail, `Value::Null` when none.
    pub details: Value,
    /// The request id, from the body or the `X-Request-ID` header.
    pub request_id: Option<String>,
    /// On `AUTHORIZATION_DENIED`: the decision's trace id.
    pub trace_id: Option<String>,
    /// On `AUTHORIZATION_DENIED`: the audit row of the decision.
    pub audit_log_id: Option<String>,
    /// On `AUTHORIZATION_DENIED`: why.
    pub deny_code: Option<DenyCode>,
    /// `Retry-After` (429), if sent.
    pub retry_after: Option<Duration>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.message)
    }
}

macro_rules! open_enum {
    ($(#[$doc:meta])* $name:ident, $known:ty) => {
        $(#[$doc])*
        ///
        /// `Other` keeps a value this SDK does not know yet, so a newer server never breaks it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name {
            /// A value of the contract this SDK was built from.
            Known($known),
            /// A value this SDK does not know.
            Other(String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> String {
                match self {
                    $name::Known(known) => known.to_string(),
                    $name::Other(other) => other.clone(),
                }
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match <$known>::from_str(value) {
                    Ok(known) => $name::Known(known),
                    Err(_) => $name::Other(value.to_string()),
                }
            }
        }

        impl PartialEq<$known> for $name {
            fn eq(&self, other: &$known) -> bool {
                matches!(self, $name::Known(known) if known == other)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.as_str())
            }
        }
    };
}

open_enum!(
    /// The `code` of an error envelope.
    ErrorCode,
    types::ErrorCode
);
open_enum!(
    /// Why an authorization decision denied.
    DenyCode,
    types::DenyCode
);

impl Error {
    /// The server's error, if it answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// The HTTP status, if a response arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } if *status != 0 => Some(*status),
            _ => None,
        }
    }

    /// The request id of the failed call, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// A 404 (an unknown id, or a feature that is off).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// A 401: no credential, or an invalid or expired one.
    pub fn is_unauthorized(&self) -> bool {
        self.status() == Some(401)
    }

    /// A 429.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.api().and_then(|api| api.retry_after)
    }

    /// No response in time: an attempt timed out, or the operation timeout passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }

    /// The metadata both SDKs report alike: status, code, message, request id, `Retry-After`.
    ///
    /// ```
    /// use plystra::ProvideErrorMetadata;
    /// let e = plystra::Error::InvalidRequest("no base URL".into());
    /// assert_eq!(e.meta().status(), None);
    /// ```
    pub fn meta(&self) -> sdk_runtime::ErrorMetadata {
        let builder = sdk_runtime::ErrorMetadataBuilder::default();
        match self {
            Error::Api(api) => builder
                .status(api.status)
                .maybe(
                    Some(&api.code.as_str()),
                    Some(&api.message),
                    api.request_id.as_deref(),
                    api.retry_after,
                )
                .build(),
            Error::Decode {
                status, request_id, ..
            } if *status != 0 => builder
                .status(*status)
                .maybe(None, None, request_id.as_deref(), None)
                .build(),
            Error::Decode { request_id, .. } => builder
                .maybe(None, None, request_id.as_deref(), None)
                .build(),
            _ => builder.build(),
        }
    }
}

impl sdk_runtime::ProvideErrorMetadata for Error {
    fn meta(&self) -> sdk_runtime::ErrorMetadata {
        Error::meta(self)
    }
}

/// What the transport saw of the last response of a call; the generated client does not keep
/// the status of a body it failed to decode.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseMeta {
    pub(crate) status: u16,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
}

impl ResponseMeta {
    pub(crate) fn from_headers(status: u16, headers: &reqwest::header::HeaderMap) -> Self {
        ResponseMeta {
            status,
            request_id: sdk_runtime::request_id(headers),
            retry_after: sdk_runtime::retry_after(headers),
        }
    }
}

/// Reads an error envelope leniently (unknown codes kept as `Other`); `None` if it is not one.
pub(crate) fn api_error(body: &Value, meta: &ResponseMeta) -> Option<ApiError> {
    let error = body.get("error")?.as_object()?;
    let text = |key: &str| error.get(key).and_then(Value::as_str).map(str::to_string);
    let code = error.get("code")?.as_str()?;
    let request_id = text("request_id")
        .or_else(|| {
            body.get("request_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| meta.request_id.clone());
    let retry_after = meta.retry_after.or_else(|| {
        error
            .get("details")
            .and_then(|d| d.get("retry_after_seconds"))
            .and_then(Value::as_u64)
            .map(Duration::from_secs)
    });
    Some(ApiError {
        status: meta.status,
        code: ErrorCode::from(code),
        message: text("message").unwrap_or_default(),
        details: error.get("details").cloned().unwrap_or(Value::Null),
        request_id,
        trace_id: text("trace_id"),
        audit_log_id: text("audit_log_id"),
        deny_code: text("deny_code").as_deref().map(DenyCode::from),
        retry_after,
    })
}

pub(crate) fn from_reqwest(e: reqwest::Error) -> Error {
    if e.is_timeout() {
        Error::Timeout(e)
    } else {
        Error::Transport(e)
    }
}

fn from_body(bytes: &[u8], meta: &ResponseMeta, source: Option<serde_json::Error>) -> Error {
    let parsed: Result<Value, _> = serde_json::from_slice(bytes);
    if meta.status >= 400
        && let Some(api) = parsed.as_ref().ok().and_then(|v| api_error(v, meta))
    {
        return Error::Api(Box::new(api));
    }
    Error::Decode {
        status: meta.status,
        request_id: meta.request_id.clone(),
        body: String::from_utf8_lossy(bytes).into_owned(),
        source: source.or(parsed.err()),
    }
}

/// Converts the generated client's error, with what the transport saw of the response.
pub(crate) async fn from_progenitor<E: serde::Serialize>(
    error: progenitor_client::Error<E>,
    meta: ResponseMeta,
) -> Error {
    use progenitor_client::Error as P;
    match error {
        P::InvalidRequest(message) | P::Custom(message) => Error::InvalidRequest(message),
        P::CommunicationError(e) | P::InvalidUpgrade(e) | P::ResponseBodyError(e) => {
            from_reqwest(e)
        }
        P::ErrorResponse(value) => {
            let meta = ResponseMeta::from_headers(value.status().as_u16(), value.headers());
            let body = serde_json::to_value(value.into_inner()).unwrap_or(Value::Null);
            match api_error(&body, &meta) {
                Some(api) => Error::Api(Box::new(api)),
                None => from_body(body.to_string().as_bytes(), &meta, None),
            }
        }
        P::InvalidResponsePayload(bytes, source) => from_body(&bytes, &meta, Some(source)),
        P::UnexpectedResponse(response) => {
            let meta = ResponseMeta::from_headers(response.status().as_u16(), response.headers());
            match response.bytes().await {
                Ok(bytes) => from_body(&bytes, &meta, None),
                Err(e) => from_reqwest(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_codes_are_kept_and_known_ones_typed() {
        assert_eq!(
            ErrorCode::from("SESSION_EXPIRED"),
            types::ErrorCode::SessionExpired
        );
        let other = ErrorCode::from("BRAND_NEW_CODE");
        assert_eq!(other, ErrorCode::Other("BRAND_NEW_CODE".into()));
        assert_eq!(other.to_string(), "BRAND_NEW_CODE");
        assert_eq!(
            DenyCode::from("SCOPE_OUT_OF_BOUNDS").as_str(),
            "SCOPE_OUT_OF_BOUNDS"
        );
    }

    #[test]
    fn rate_limit_details_give_retry_after_without_the_header() {
        let body = serde_json::json!({"error": {"code": "AUTH_RATE_LIMITED", "message": "m",
            "details": {"retry_after_seconds": 7}, "request_id": "req_1"}, "request_id": "req_1"});
        let meta = ResponseMeta {
            status: 429,
            ..ResponseMeta::default()
        };
        let api = api_error(&body, &meta).unwrap();
        assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
        assert_eq!(api.request_id.as_deref(), Some("req_1"));
        assert!(Error::Api(Box::new(api)).is_rate_limited());
    }
}
