//! Why a token was rejected, and how to say so in a response (RFC 6750 §3).

/// Why a request's access token was rejected.
///
/// [`status`](ValidationError::status) and
/// [`www_authenticate`](ValidationError::www_authenticate) give the response to send. The
/// messages are fixed strings that never repeat token contents, so they are safe to send and
/// to log; fields such as `kid` or `issuer` keep what the token said, for your own logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The request carries no bearer token (or another authentication scheme).
    #[error("no bearer token")]
    MissingToken,
    /// The `Authorization` header is malformed.
    #[error("malformed Authorization header")]
    InvalidRequest,
    /// The token is not a well-formed JWS or its claims are not an access token's.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// `alg` is not one the validator accepts (`none` and HMAC never are).
    #[error("unsupported signing algorithm")]
    UnsupportedAlgorithm {
        /// The token's `alg`.
        alg: String,
    },
    /// The token's `typ` is not `at+jwt` (RFC 9068 §4), so it may be an ID token or another JWT.
    #[error("not an access token")]
    WrongType,
    /// No key of the issuer has the token's `kid`, even after fetching the JWKS again (or a
    /// fetch was not allowed yet).
    #[error("unknown signing key")]
    UnknownKey {
        /// The token's `kid`.
        kid: String,
    },
    /// The key with the token's `kid` is not for the token's `alg`.
    #[error("signing key does not match the algorithm")]
    KeyMismatch,
    /// The signature does not verify.
    #[error("invalid signature")]
    BadSignature,
    /// `iss` is not the configured issuer.
    #[error("wrong issuer")]
    WrongIssuer {
        /// The token's `iss`.
        issuer: String,
    },
    /// `aud` names none of the configured audiences.
    #[error("wrong audience")]
    WrongAudience,
    /// `exp` has passed (beyond the leeway).
    #[error("token expired")]
    Expired,
    /// `nbf` has not been reached (beyond the leeway).
    #[error("token not yet valid")]
    NotYetValid,
    /// The token is bound to a DPoP key (`cnf`), and this validator does not check DPoP proofs:
    /// accepting it as a bearer token would undo the binding.
    #[error("token is bound to a proof-of-possession key")]
    SenderConstrained,
    /// The token is valid but lacks scopes the request needs.
    #[error("insufficient scope")]
    InsufficientScope {
        /// Every scope the request needs (sent in the challenge's `scope`).
        required: Vec<String>,
    },
    /// The issuer's keys could not be fetched and none are cached: a server-side failure.
    #[error("signing keys unavailable")]
    KeysUnavailable(#[source] crate::Error),
}

impl ValidationError {
    /// The HTTP status to answer: 400 for a malformed header, 403 for insufficient scope, 503
    /// when the keys are unavailable, 401 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            ValidationError::InvalidRequest => 400,
            ValidationError::InsufficientScope { .. } => 403,
            ValidationError::KeysUnavailable(_) => 503,
            _ => 401,
        }
    }

    /// The RFC 6750 error code, if one applies: none when no token was sent (§3.1) or when the
    /// failure is the server's.
    pub fn error_code(&self) -> Option<&'static str> {
        match self {
            ValidationError::MissingToken | ValidationError::KeysUnavailable(_) => None,
            ValidationError::InvalidRequest => Some("invalid_request"),
            ValidationError::InsufficientScope { .. } => Some("insufficient_scope"),
            _ => Some("invalid_token"),
        }
    }

    /// The `WWW-Authenticate` header value, for example
    /// `Bearer error="invalid_token", error_description="token expired"`, or
    /// `Bearer error="insufficient_scope", error_description="insufficient scope", scope="a b"`.
    ///
    /// ```
    /// use authplane::ValidationError;
    /// assert_eq!(ValidationError::MissingToken.www_authenticate(), "Bearer");
    /// assert_eq!(ValidationError::Expired.status(), 401);
    /// assert_eq!(
    ///     ValidationError::Expired.www_authenticate(),
    ///     r#"Bearer error="invalid_token", error_description="token expired""#
    /// );
    /// ```
    pub fn www_authenticate(&self) -> String {
        let Some(code) = self.error_code() else {
            return "Bearer".to_string();
        };
        let mut value = format!(
            r#"Bearer error="{code}", error_description="{}""#,
            quoted(&self.to_string())
        );
        if let ValidationError::InsufficientScope { required } = self {
            value.push_str(&format!(r#", scope="{}""#, quoted(&required.join(" "))));
        }
        value
    }
}

/// Keeps only the characters RFC 6750 allows inside its quoted values (printable ASCII without
/// `"` and `\`), so no value can break out of its quotes.
fn quoted(value: &str) -> String {
    value
        .chars()
        .filter(|c| matches!(c, ' '..='~') && !matches!(c, '"' | '\\'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let scope = ValidationError::InsufficientScope {
            required: vec!["mcp:echo".into(), "mcp:query_database".into()],
        };
        assert_eq!(scope.status(), 403);
        assert_eq!(
            scope.www_authenticate(),
            r#"Bearer error="insufficient_scope", error_description="insufficient scope", scope="mcp:echo mcp:query_database""#
        );
        let unknown = ValidationError::UnknownKey {
            kid: "\"evil\"".into(),
        };
        assert_eq!(
            unknown.www_authenticate(),
            r#"Bearer error="invalid_token", error_description="unknown signing key""#
        );
        assert_eq!(ValidationError::InvalidRequest.status(), 400);
        assert_eq!(
            ValidationError::InvalidRequest.www_authenticate(),
            r#"Bearer error="invalid_request", error_description="malformed Authorization header""#
        );
        let down = ValidationError::KeysUnavailable(crate::Error::Crypto("x"));
        assert_eq!(down.status(), 503);
        assert_eq!(down.www_authenticate(), "Bearer");
    }

    #[test]
    fn quoting_drops_what_could_escape() {
        assert_eq!(quoted("a\"b\\c\nd é"), "abcd ");
    }
}
