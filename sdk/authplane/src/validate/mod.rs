//! Access-token validation for resource servers: JWT access tokens checked locally against the
//! issuer's JWKS.

mod claims;
mod error;
mod jwks;
mod jws;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub use claims::{AccessClaims, Actor, Confirmation};
pub use error::ValidationError;
pub use jwks::{Jwk, JwkSet};
pub use jws::Algorithm;

use crate::Error;
use crate::clock::{Clock, SystemClock, unix_seconds};
use crate::discovery::ServerMetadata;
use crate::http::{default_http_client, parse_url};
use jwks::{KeyStore, Refetch, Source};

/// Checks access tokens: signature (ES256, RS256 or EdDSA, by the `kid`'s key), `typ`
/// `at+jwt`, issuer, audience, `exp`/`nbf` with leeway, no DPoP binding, and required scopes.
/// Cheap to clone; clones share the key cache.
///
/// ```no_run
/// # async fn demo(authorization: Option<&str>) -> Result<(), authplane::Error> {
/// use authplane::Validator;
/// let validator = Validator::builder("https://auth.example.com", "https://mcp.example.com/mcp")
///     .jwks_uri("https://auth.example.com/.well-known/jwks.json")
///     .required_scope("mcp:echo")
///     .build()?;
/// match validator.validate_header(authorization).await {
///     Ok(claims) => println!("request from {}", claims.sub),
///     Err(rejection) => println!("{} {}", rejection.status(), rejection.www_authenticate()),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Validator {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: String,
    audiences: Vec<String>,
    required_scopes: Vec<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    require_access_token_type: bool,
    keys: KeyStore,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Validator")
            .field("issuer", &inner.issuer)
            .field("audiences", &inner.audiences)
            .field("required_scopes", &inner.required_scopes)
            .field("algorithms", &inner.algorithms)
            .field("leeway", &inner.leeway)
            .field("keys", &inner.keys)
            .finish_non_exhaustive()
    }
}

impl Validator {
    /// Configures a validator for tokens of `issuer` meant for `audience` (this resource
    /// server's identifier, as clients pass it in `resource`). Set the keys with
    /// [`jwks_uri`](ValidatorBuilder::jwks_uri) or [`jwks`](ValidatorBuilder::jwks).
    pub fn builder(issuer: impl Into<String>, audience: impl Into<String>) -> ValidatorBuilder {
        ValidatorBuilder {
            issuer: issuer.into(),
            audiences: vec![audience.into()],
            jwks_uri: None,
            jwks: None,
            required_scopes: Vec::new(),
            algorithms: Algorithm::ALL.to_vec(),
            leeway: Duration::from_secs(60),
            require_access_token_type: true,
            refetch: Refetch {
                ttl: Duration::from_secs(300),
                min_interval: Duration::from_secs(10),
            },
            http: None,
            clock: None,
        }
    }

    /// Configures a validator with the issuer and JWKS URL of discovered metadata.
    pub fn from_metadata(
        metadata: &ServerMetadata,
        audience: impl Into<String>,
    ) -> ValidatorBuilder {
        let builder = Validator::builder(metadata.issuer.clone(), audience);
        match &metadata.jwks_uri {
            Some(uri) => builder.jwks_uri(uri.clone()),
            None => builder,
        }
    }

    /// Validates a bearer token, returning its claims.
    pub async fn validate(&self, token: &str) -> Result<AccessClaims, ValidationError> {
        let inner = &self.inner;
        let jws = jws::parse(token)?;
        let header = &jws.header;
        let alg = Algorithm::from_name(&header.alg)
            .filter(|alg| inner.algorithms.contains(alg))
            .ok_or_else(|| ValidationError::UnsupportedAlgorithm {
                alg: header.alg.clone(),
            })?;
        if header.crit.is_some() {
            return Err(ValidationError::Malformed("critical header extensions"));
        }
        if inner.require_access_token_type && !is_access_token_type(header.typ.as_deref()) {
            return Err(ValidationError::WrongType);
        }
        let kid = header
            .kid
            .as_deref()
            .ok_or(ValidationError::Malformed("no key id"))?;
        let key = inner.keys.key(kid).await?;
        key.verify(alg, jws.signing_input, &jws.signature)?;
        let claims: AccessClaims = serde_json::from_slice(&jws.payload)
            .map_err(|_| ValidationError::Malformed("claims"))?;
        self.check(&claims)?;
        Ok(claims)
    }

    /// Validates the token of an `Authorization` header value (`None` when the request has no
    /// such header).
    pub async fn validate_header(
        &self,
        authorization: Option<&str>,
    ) -> Result<AccessClaims, ValidationError> {
        self.validate(bearer_token(authorization)?).await
    }

    fn check(&self, claims: &AccessClaims) -> Result<(), ValidationError> {
        let inner = &self.inner;
        if claims.iss != inner.issuer {
            return Err(ValidationError::WrongIssuer {
                issuer: claims.iss.clone(),
            });
        }
        if !claims.aud.iter().any(|aud| inner.audiences.contains(aud)) {
            return Err(ValidationError::WrongAudience);
        }
        let now = unix_seconds(inner.clock.now());
        let leeway = i64::try_from(inner.leeway.as_secs()).unwrap_or(i64::MAX);
        if now >= claims.exp.saturating_add(leeway) {
            return Err(ValidationError::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| now.saturating_add(leeway) < nbf)
        {
            return Err(ValidationError::NotYetValid);
        }
        if claims.cnf.is_some() {
            return Err(ValidationError::SenderConstrained);
        }
        claims.require_scopes(&inner.required_scopes)
    }
}

/// `at+jwt`, with or without the `application/` prefix, in any case (RFC 9068 §4).
fn is_access_token_type(typ: Option<&str>) -> bool {
    typ.is_some_and(|typ| {
        let typ = typ.to_ascii_lowercase();
        typ == "at+jwt" || typ == "application/at+jwt"
    })
}

/// The token of an `Authorization: Bearer <token>` header value (RFC 6750 §2.1).
///
/// No header, or another scheme, is [`MissingToken`](ValidationError::MissingToken) (answered
/// without an error code, RFC 6750 §3.1); a Bearer header without a single token is
/// [`InvalidRequest`](ValidationError::InvalidRequest).
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, ValidationError> {
    let value = authorization.ok_or(ValidationError::MissingToken)?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ValidationError::MissingToken);
    }
    let token = token.trim_matches(' ');
    if token.is_empty() || token.contains(char::is_whitespace) {
        return Err(ValidationError::InvalidRequest);
    }
    Ok(token)
}

/// Settings of a [`Validator`].
#[derive(Debug)]
#[must_use]
pub struct ValidatorBuilder {
    issuer: String,
    audiences: Vec<String>,
    jwks_uri: Option<String>,
    jwks: Option<JwkSet>,
    required_scopes: Vec<String>,
    algorithms: Vec<Algorithm>,
    leeway: Duration,
    require_access_token_type: bool,
    refetch: Refetch,
    http: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
}

impl ValidatorBuilder {
    /// Also accepts tokens for this audience.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audiences.push(audience.into());
        self
    }

    /// Fetches the issuer's keys from this URL (Authplane: `<issuer>/.well-known/jwks.json`).
    pub fn jwks_uri(mut self, uri: impl Into<String>) -> Self {
        self.jwks_uri = Some(uri.into());
        self
    }

    /// Uses these keys. Without a JWKS URL they are the only keys; with one, they are a
    /// fallback for as long as no fetch has succeeded.
    pub fn jwks(mut self, keys: JwkSet) -> Self {
        self.jwks = Some(keys);
        self
    }

    /// Requires this scope of every token (check per-route scopes with
    /// [`AccessClaims::require_scopes`]).
    pub fn required_scope(mut self, scope: impl Into<String>) -> Self {
        self.required_scopes.push(scope.into());
        self
    }

    /// Accepts only these signature algorithms (default: ES256, RS256, EdDSA).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Algorithm>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// Clock skew tolerated on `exp` and `nbf` (default 60 s).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = leeway;
        self
    }

    /// Accepts tokens whatever their `typ` header. By default only `at+jwt` passes, so an ID
    /// token or another JWT of the same issuer cannot stand in for an access token.
    pub fn accept_any_token_type(mut self) -> Self {
        self.require_access_token_type = false;
        self
    }

    /// Fetches the keys again when they are older than this (default 5 minutes).
    pub fn jwks_ttl(mut self, ttl: Duration) -> Self {
        self.refetch.ttl = ttl;
        self
    }

    /// Fetches the keys at most once per this interval, even for unknown `kid`s (default 10 s).
    pub fn min_refetch_interval(mut self, interval: Duration) -> Self {
        self.refetch.min_interval = interval;
        self
    }

    /// Uses this HTTP client for the JWKS (default: [`default_http_client`]).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// Reads the time from `clock`; default: the system clock.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Builds the validator; fails without keys (neither a JWKS URL nor a key set), without an
    /// issuer or audience, or with no algorithm allowed.
    pub fn build(self) -> Result<Validator, Error> {
        if self.issuer.is_empty() {
            return Err(Error::InvalidRequest("an issuer is required".into()));
        }
        if self.audiences.iter().any(String::is_empty) {
            return Err(Error::InvalidRequest("an audience cannot be empty".into()));
        }
        if self.algorithms.is_empty() {
            return Err(Error::InvalidRequest(
                "no signature algorithm allowed".into(),
            ));
        }
        let source = match (self.jwks_uri, &self.jwks) {
            (Some(uri), _) => Source::Remote {
                url: parse_url("JWKS URL", &uri)?,
                http: match self.http {
                    Some(http) => http,
                    None => default_http_client()?,
                },
            },
            (None, Some(_)) => Source::Static,
            (None, None) => {
                return Err(Error::InvalidRequest(
                    "no keys: set a JWKS URL or a key set".into(),
                ));
            }
        };
        let clock = self.clock.unwrap_or_else(|| Arc::new(SystemClock));
        Ok(Validator {
            inner: Arc::new(Inner {
                issuer: self.issuer,
                audiences: self.audiences,
                required_scopes: self.required_scopes,
                algorithms: self.algorithms,
                leeway: self.leeway,
                require_access_token_type: self.require_access_token_type,
                keys: KeyStore::new(source, self.jwks.as_ref(), self.refetch, clock.clone()),
                clock,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header_forms() {
        assert_eq!(
            bearer_token(Some("Bearer abc.def.ghi")).unwrap(),
            "abc.def.ghi"
        );
        assert_eq!(bearer_token(Some("bearer   abc")).unwrap(), "abc");
        assert!(matches!(
            bearer_token(None),
            Err(ValidationError::MissingToken)
        ));
        assert!(matches!(
            bearer_token(Some("Basic dXNlcjpwYXNz")),
            Err(ValidationError::MissingToken)
        ));
        for malformed in ["Bearer", "Bearer ", "Bearer a b", "Bearer a\tb"] {
            assert!(
                matches!(
                    bearer_token(Some(malformed)),
                    Err(ValidationError::InvalidRequest)
                ),
                "{malformed:?}"
            );
        }
    }

    #[test]
    fn access_token_types() {
        assert!(is_access_token_type(Some("at+jwt")));
        assert!(is_access_token_type(Some("AT+JWT")));
        assert!(is_access_token_type(Some("application/at+jwt")));
        assert!(!is_access_token_type(Some("JWT")));
        assert!(!is_access_token_type(None));
    }

    #[test]
    fn builder_needs_keys_issuer_and_algorithms() {
        let keys = JwkSet::default();
        assert!(Validator::builder("https://as", "rs").build().is_err());
        assert!(
            Validator::builder("", "rs")
                .jwks(keys.clone())
                .build()
                .is_err()
        );
        assert!(
            Validator::builder("https://as", "")
                .jwks(keys.clone())
                .build()
                .is_err()
        );
        assert!(
            Validator::builder("https://as", "rs")
                .jwks(keys.clone())
                .algorithms([])
                .build()
                .is_err()
        );
        assert!(
            Validator::builder("https://as", "rs")
                .jwks(keys)
                .build()
                .is_ok()
        );
    }
}
