//! One error type for every call to the authorization server.

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;

/// Any failure of a call to the authorization server (token, revocation, introspection,
/// discovery or JWKS endpoints).
///
/// ```no_run
/// # async fn demo(client: authplane::OAuthClient) {
/// use authplane::OAuthErrorCode;
/// match client.client_credentials().scope("mcp:echo").send().await {
///     Ok(token) => println!("expires in {:?} s", token.expires_in),
///     Err(e) if e.oauth_code() == Some(&OAuthErrorCode::InvalidScope) => println!("scope not granted"),
///     Err(authplane::Error::OAuth(oauth)) => println!("{} {}", oauth.status, oauth.code),
///     Err(e) => println!("{e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be built (a bad URL, a missing setting); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The request could not be sent or the response not read (connection refused, reset, TLS).
    #[error("transport failure")]
    Transport(#[source] reqwest::Error),
    /// No response within the per-attempt timeout, or within what was left of the operation
    /// timeout ([`OAuthClientBuilder::operation_timeout`](crate::oauth::OAuthClientBuilder::operation_timeout)).
    #[error("no response within the timeout")]
    Timeout(#[source] reqwest::Error),
    /// The server answered with an OAuth error body (RFC 6749 §5.2).
    #[error("{0}")]
    OAuth(Box<OAuthError>),
    /// The admin API answered an RFC 9457 problem (`type`, `title`, `status`, `detail`).
    #[error("{0}")]
    Problem(Box<Problem>),
    /// The server answered something that is neither the expected body nor an OAuth error.
    #[error("undecodable {status} response")]
    Decode {
        /// HTTP status.
        status: u16,
        /// The body as received (lossy UTF-8).
        body: String,
        /// Why it did not decode, if a parser said so.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// Discovery metadata names another issuer than the one asked for (RFC 8414 §3.3), so it
    /// must not be used.
    #[error("metadata of issuer {actual:?} served for {expected:?}")]
    IssuerMismatch {
        /// The issuer the metadata was fetched for.
        expected: String,
        /// The `issuer` the metadata contains.
        actual: String,
    },
    /// The system's random number generator or a signing primitive failed.
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// One failure handed to several callers: a [`TokenCache`](crate::oauth::TokenCache)
    /// makes one request for every caller waiting on it, and each of them gets its outcome.
    /// [`oauth`](Error::oauth), [`oauth_code`](Error::oauth_code) and [`status`](Error::status)
    /// look through it.
    #[error(transparent)]
    Shared(Arc<Error>),
}

impl Error {
    /// The server's OAuth error, if it answered with one.
    pub fn oauth(&self) -> Option<&OAuthError> {
        match self {
            Error::OAuth(oauth) => Some(oauth),
            Error::Shared(shared) => shared.oauth(),
            _ => None,
        }
    }

    /// The OAuth `error` code, if the server answered with one.
    pub fn oauth_code(&self) -> Option<&OAuthErrorCode> {
        self.oauth().map(|oauth| &oauth.code)
    }

    /// The HTTP status of the response, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::OAuth(oauth) => Some(oauth.status),
            Error::Problem(problem) => Some(problem.status),
            Error::Decode { status, .. } => Some(*status),
            Error::Transport(e) | Error::Timeout(e) => e.status().map(|s| s.as_u16()),
            Error::Shared(shared) => shared.status(),
            _ => None,
        }
    }

    /// No response in time: an attempt timed out, or the operation timeout passed.
    pub fn is_timeout(&self) -> bool {
        match self {
            Error::Timeout(_) => true,
            Error::Shared(shared) => shared.is_timeout(),
            _ => false,
        }
    }

    /// The metadata both SDKs report alike: the status, and as code and message the OAuth
    /// `error` and `error_description` or the problem's `type` and `detail`.
    ///
    /// ```
    /// let e = authplane::Error::InvalidRequest("no token endpoint".into());
    /// assert_eq!(e.meta().status(), None);
    /// ```
    pub fn meta(&self) -> sdk_runtime::ErrorMetadata {
        let builder = sdk_runtime::ErrorMetadataBuilder::default();
        let builder = match self.status() {
            Some(status) => builder.status(status),
            None => builder,
        };
        match self {
            Error::OAuth(oauth) => builder
                .maybe(
                    Some(oauth.code.as_str()),
                    oauth.description.as_deref(),
                    None,
                    None,
                )
                .build(),
            Error::Problem(problem) => builder
                .maybe(
                    Some(problem.kind.as_str()).filter(|k| !k.is_empty()),
                    Some(problem.detail.as_str())
                        .filter(|d| !d.is_empty())
                        .or(Some(problem.title.as_str()).filter(|t| !t.is_empty())),
                    None,
                    None,
                )
                .build(),
            Error::Shared(shared) => shared.meta(),
            _ => builder.build(),
        }
    }

    pub(crate) fn transport(error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout(error)
        } else {
            Error::Transport(error)
        }
    }

    /// The error for a non-success response: the OAuth error body if it is one, else the raw
    /// body.
    pub(crate) fn from_response(status: u16, challenge: Option<String>, body: &[u8]) -> Error {
        match serde_json::from_slice::<WireError>(body) {
            Ok(wire) if !wire.error.is_empty() => Error::OAuth(Box::new(OAuthError {
                status,
                code: OAuthErrorCode::from(wire.error.as_str()),
                description: non_empty(wire.error_description),
                uri: non_empty(wire.error_uri),
                consent_url: non_empty(wire.consent_url),
                cause: non_empty(wire.cause),
                www_authenticate: challenge,
            })),
            Ok(_) => match serde_json::from_slice::<WireProblem>(body) {
                Ok(problem) if !problem.title.is_empty() || !problem.detail.is_empty() => {
                    Error::Problem(Box::new(Problem {
                        status,
                        kind: problem.kind,
                        title: problem.title,
                        detail: problem.detail,
                    }))
                }
                _ => Error::Decode {
                    status,
                    body: String::from_utf8_lossy(body).into_owned(),
                    source: None,
                },
            },
            Err(source) => Error::Decode {
                status,
                body: String::from_utf8_lossy(body).into_owned(),
                source: Some(source),
            },
        }
    }
}

impl sdk_runtime::ProvideErrorMetadata for Error {
    fn meta(&self) -> sdk_runtime::ErrorMetadata {
        Error::meta(self)
    }
}

/// Authplane sends every member of its error body, empty when it has nothing to say.
fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.is_empty())
}

/// The error body of the token, revocation and introspection endpoints: RFC 6749 members plus
/// Authplane's consent hints (its RFC 9457 members repeat the description and are not kept).
#[derive(Deserialize)]
struct WireError {
    #[serde(default)]
    error: String,
    error_description: Option<String>,
    error_uri: Option<String>,
    consent_url: Option<String>,
    cause: Option<String>,
}

/// An RFC 9457 problem body, as the admin API's handlers answer errors.
#[derive(Deserialize)]
struct WireProblem {
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    detail: String,
}

/// A problem (RFC 9457) answered by the admin API: what went wrong with a provisioning call.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Problem {
    /// HTTP status of the response (the body's `status` is not trusted over it).
    pub status: u16,
    /// The problem type URI (`about:blank` when the server gives no more specific one).
    pub kind: String,
    /// Short summary, the same for every occurrence of the type.
    pub title: String,
    /// What happened this time.
    pub detail: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.title)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// An OAuth error answered by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OAuthError {
    /// HTTP status (400 for most, 401 for `invalid_client`).
    pub status: u16,
    /// The `error` code.
    pub code: OAuthErrorCode,
    /// `error_description`: for people, not for matching.
    pub description: Option<String>,
    /// `error_uri`: a page about the error.
    pub uri: Option<String>,
    /// On `consent_required`: where the user can grant the missing consent.
    pub consent_url: Option<String>,
    /// On `consent_required`: `consent_missing` or `scope_insufficient`.
    pub cause: Option<String>,
    /// The response's `WWW-Authenticate` header, if any (for example a DPoP nonce challenge).
    pub www_authenticate: Option<String>,
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.code)?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        Ok(())
    }
}

macro_rules! oauth_error_codes {
    ($($(#[$doc:meta])* $variant:ident = $wire:literal,)*) => {
        /// An OAuth `error` code.
        ///
        /// `Other` keeps a code this SDK does not know, so a newer server never breaks it.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum OAuthErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this SDK does not know.
            Other(String),
        }

        impl OAuthErrorCode {
            /// The code as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(OAuthErrorCode::$variant => $wire,)*
                    OAuthErrorCode::Other(other) => other,
                }
            }
        }

        impl From<&str> for OAuthErrorCode {
            fn from(value: &str) -> Self {
                match value {
                    $($wire => OAuthErrorCode::$variant,)*
                    other => OAuthErrorCode::Other(other.to_string()),
                }
            }
        }
    };
}

oauth_error_codes! {
    /// The request is missing a parameter or is otherwise malformed.
    InvalidRequest = "invalid_request",
    /// Client authentication failed.
    InvalidClient = "invalid_client",
    /// The code, refresh token, subject token or assertion is invalid, expired or revoked.
    InvalidGrant = "invalid_grant",
    /// The client may not use this grant type.
    UnauthorizedClient = "unauthorized_client",
    /// The server does not support this grant type.
    UnsupportedGrantType = "unsupported_grant_type",
    /// The requested scope is invalid or exceeds what the client may get.
    InvalidScope = "invalid_scope",
    /// The `resource` or `audience` is unknown or not allowed (RFC 8707, RFC 8693).
    InvalidTarget = "invalid_target",
    /// The server cannot revoke this kind of token (RFC 7009).
    UnsupportedTokenType = "unsupported_token_type",
    /// The resource owner or server denied the request.
    AccessDenied = "access_denied",
    /// The user has not consented to this client for this resource (Authplane).
    ConsentRequired = "consent_required",
    /// The DPoP proof is invalid (RFC 9449).
    InvalidDpopProof = "invalid_dpop_proof",
    /// The server wants a DPoP proof carrying its nonce (RFC 9449).
    UseDpopNonce = "use_dpop_nonce",
    /// The server failed.
    ServerError = "server_error",
    /// The server is overloaded or down for maintenance.
    TemporarilyUnavailable = "temporarily_unavailable",
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authplane_error_body_keeps_code_description_and_consent_hints() {
        let body = br#"{"error":"consent_required","error_description":"user has not consented",
            "type":"about:blank","title":"Forbidden","detail":"user has not consented","status":400,
            "consent_url":"https://as.example/consent?x=1","cause":"consent_missing"}"#;
        let error = Error::from_response(400, None, body);
        let oauth = error.oauth().unwrap();
        assert_eq!(oauth.code, OAuthErrorCode::ConsentRequired);
        assert_eq!(oauth.description.as_deref(), Some("user has not consented"));
        assert_eq!(
            oauth.consent_url.as_deref(),
            Some("https://as.example/consent?x=1")
        );
        assert_eq!(oauth.cause.as_deref(), Some("consent_missing"));
        assert_eq!(oauth.uri, None);
        assert_eq!(
            error.to_string(),
            "400 consent_required: user has not consented"
        );
    }

    #[test]
    fn empty_members_and_unknown_codes() {
        let error = Error::from_response(
            400,
            None,
            br#"{"error":"brand_new","error_description":"","error_uri":""}"#,
        );
        let oauth = error.oauth().unwrap();
        assert_eq!(oauth.code, OAuthErrorCode::Other("brand_new".into()));
        assert_eq!(oauth.code.as_str(), "brand_new");
        assert_eq!(oauth.description, None);
        assert_eq!(error.to_string(), "400 brand_new");
    }

    #[test]
    fn a_body_that_is_not_an_oauth_error_is_kept_raw() {
        let error = Error::from_response(502, None, b"<html>bad gateway</html>");
        match &error {
            Error::Decode {
                status,
                body,
                source,
            } => {
                assert_eq!(*status, 502);
                assert_eq!(body, "<html>bad gateway</html>");
                assert!(source.is_some());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(error.to_string(), "undecodable 502 response");
        assert_eq!(error.status(), Some(502));

        let no_code = Error::from_response(500, None, br#"{"message":"oops"}"#);
        assert!(matches!(no_code, Error::Decode { source: None, .. }));
    }

    #[test]
    fn codes_round_trip() {
        for code in [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "invalid_target",
            "unsupported_token_type",
            "access_denied",
            "consent_required",
            "invalid_dpop_proof",
            "use_dpop_nonce",
            "server_error",
            "temporarily_unavailable",
        ] {
            let parsed = OAuthErrorCode::from(code);
            assert!(!matches!(parsed, OAuthErrorCode::Other(_)), "{code}");
            assert_eq!(parsed.to_string(), code);
        }
    }
}
