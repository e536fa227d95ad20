//! Secrets that never show in `Debug` output.

use std::fmt;
use std::sync::Arc;

use reqwest::header::HeaderValue;

/// An API key, token or client secret. `Debug` prints `<redacted>`; headers made from it are
/// marked sensitive, so reqwest and tracing never print them either. Cheap to clone.
///
/// ```
/// let key = sdk_runtime::Secret::new("ply_ak_1.topsecret");
/// assert_eq!(format!("{key:?}"), "<redacted>");
/// assert_eq!(key.expose(), "ply_ak_1.topsecret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: &str) -> Self {
        Secret(Arc::from(value))
    }

    /// The value itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// A sensitive header value `<prefix><secret>` (`"Bearer "`, or `""` for a bare key); `None`
    /// if the secret is not a valid header value.
    pub fn header(&self, prefix: &str) -> Option<HeaderValue> {
        let mut value = HeaderValue::from_str(&format!("{prefix}{}", self.0)).ok()?;
        value.set_sensitive(true);
        Some(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_sensitive_and_debug_is_redacted() {
        let secret = Secret::new("s3cret");
        let header = secret.header("Bearer ").unwrap();
        assert!(header.is_sensitive());
        assert_eq!(header.to_str().unwrap(), "Bearer s3cret");
        assert!(!format!("{:?}", (secret, header)).contains("s3cret"));
        assert_eq!(Secret::new("bad\nvalue").header(""), None);
    }
}
