//! What any failed call can say about itself, whatever the product.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, RETRY_AFTER};

/// The request-id header both servers read and answer with.
pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The metadata of an error: the parts every SDK error can report, read the same way whichever
/// SDK raised it (after smithy-rs' `ErrorMetadata`). Each field is `None` when the failure did
/// not tell (no response arrived, or the body had no such member).
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::ErrorMetadata;
///
/// let meta = ErrorMetadata::builder()
///     .status(429)
///     .code("AUTH_RATE_LIMITED")
///     .message("slow down")
///     .retry_after(Duration::from_secs(3))
///     .build();
/// assert_eq!(meta.code(), Some("AUTH_RATE_LIMITED"));
/// assert_eq!(meta.to_string(), "429 AUTH_RATE_LIMITED: slow down");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    status: Option<u16>,
    code: Option<String>,
    message: Option<String>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
}

impl ErrorMetadata {
    /// Metadata set field by field.
    pub fn builder() -> ErrorMetadataBuilder {
        ErrorMetadataBuilder::default()
    }

    /// What the response head tells: its status, `X-Request-ID` and `Retry-After`.
    pub fn from_response(status: u16, headers: &HeaderMap) -> ErrorMetadata {
        ErrorMetadata {
            status: Some(status),
            request_id: request_id(headers),
            retry_after: retry_after(headers),
            ..ErrorMetadata::default()
        }
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// The error code of the body (`AUTHORIZATION_DENIED`, `invalid_grant`, a problem type).
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The message of the body: for people, not for matching.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The request id the server answered with.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How long the server asked to wait before trying again.
    pub fn retry_after(&self) -> Option<Duration> {
        self.retry_after
    }
}

impl fmt::Display for ErrorMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(status) = self.status {
            parts.push(status.to_string());
        }
        if let Some(code) = &self.code {
            parts.push(code.clone());
        }
        f.write_str(&parts.join(" "))?;
        if let Some(message) = &self.message {
            if !parts.is_empty() {
                f.write_str(": ")?;
            }
            f.write_str(message)?;
        }
        Ok(())
    }
}

/// Sets the fields of an [`ErrorMetadata`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ErrorMetadataBuilder {
    inner: ErrorMetadata,
}

impl ErrorMetadataBuilder {
    /// Starts from `meta` (for example [`ErrorMetadata::from_response`]).
    pub fn from_metadata(meta: ErrorMetadata) -> Self {
        ErrorMetadataBuilder { inner: meta }
    }

    /// The HTTP status.
    pub fn status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }

    /// The error code.
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }

    /// The message.
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = Some(message.into());
        self
    }

    /// The request id.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.inner.request_id = Some(id.into());
        self
    }

    /// The wait the server asked for.
    pub fn retry_after(mut self, wait: Duration) -> Self {
        self.inner.retry_after = Some(wait);
        self
    }

    /// Sets each field that is `Some` (handy with optional body members).
    pub fn maybe(
        mut self,
        code: Option<&str>,
        message: Option<&str>,
        request_id: Option<&str>,
        retry_after: Option<Duration>,
    ) -> Self {
        if let Some(code) = code {
            self = self.code(code);
        }
        if let Some(message) = message {
            self = self.message(message);
        }
        if let Some(id) = request_id {
            self = self.request_id(id);
        }
        if let Some(wait) = retry_after {
            self = self.retry_after(wait);
        }
        self
    }

    /// The metadata.
    pub fn build(self) -> ErrorMetadata {
        self.inner
    }
}

/// Implemented by each SDK's error type: its [`ErrorMetadata`].
pub trait ProvideErrorMetadata {
    /// What the failure tells of its status, code, message, request id and `Retry-After`.
    fn meta(&self) -> ErrorMetadata;
}

/// The `X-Request-ID` of a response, if it is text.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `Retry-After` in seconds. The HTTP-date form is not read: it would need the wall clock, and
/// neither server sends it.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_the_response_head() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("req_1"));
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 7 "));
        let meta = ErrorMetadata::from_response(429, &headers);
        assert_eq!(meta.status(), Some(429));
        assert_eq!(meta.request_id(), Some("req_1"));
        assert_eq!(meta.retry_after(), Some(Duration::from_secs(7)));
        assert_eq!(meta.code(), None);
        assert_eq!(meta.to_string(), "429");

        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
        assert_eq!(
            ErrorMetadata::builder().message("m").build().to_string(),
            "m"
        );
    }
}
