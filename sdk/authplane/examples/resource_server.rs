//! A resource server (poem) that accepts Authplane access tokens: a middleware validates the
//! bearer token, answers rejections with their status and `WWW-Authenticate` challenge, and
//! hands the claims to the handlers.
//!
//! ```text
//! AUTHPLANE_ISSUER=http://localhost:9000 RESOURCE_URI=http://localhost:3000/mcp \
//!   cargo run -p authplane --example resource_server
//! curl -H "Authorization: Bearer $TOKEN" http://localhost:3000/whoami
//! ```
//!
//! Its tests (`cargo test -p authplane --example resource_server`) drive the same routes
//! in-process with tokens minted by a local test key.

use authplane::ServerMetadata;
use authplane::validate::{AccessClaims, ValidationError, Validator};
use poem::http::StatusCode;
use poem::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use poem::listener::TcpListener;
use poem::web::Data;
use poem::{
    Endpoint, EndpointExt, IntoResponse, Middleware, Request, Response, Route, Server, get, handler,
};

/// Requires a valid access token carrying `scopes`; puts its [`AccessClaims`] in the request's
/// extensions for [`Data`] to extract.
#[derive(Clone)]
struct RequireToken {
    validator: Validator,
    scopes: Vec<String>,
}

impl RequireToken {
    fn new(validator: Validator, scopes: &[&str]) -> Self {
        RequireToken {
            validator,
            scopes: scopes.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl<E: Endpoint> Middleware<E> for RequireToken {
    type Output = RequireTokenEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        RequireTokenEndpoint {
            inner,
            guard: self.clone(),
        }
    }
}

struct RequireTokenEndpoint<E> {
    inner: E,
    guard: RequireToken,
}

impl<E: Endpoint> Endpoint for RequireTokenEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut request: Request) -> poem::Result<Response> {
        let header = request
            .headers()
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        let checked = match self.guard.validator.validate_header(header).await {
            Ok(claims) => claims.require_scopes(&self.guard.scopes).map(|()| claims),
            Err(rejection) => Err(rejection),
        };
        match checked {
            Ok(claims) => {
                request.extensions_mut().insert(claims);
                Ok(self.inner.call(request).await?.into_response())
            }
            Err(rejection) => Ok(reject(&rejection)),
        }
    }
}

fn reject(rejection: &ValidationError) -> Response {
    if let ValidationError::KeysUnavailable(cause) = rejection {
        eprintln!("cannot check tokens: {cause}");
    }
    Response::builder()
        .status(StatusCode::from_u16(rejection.status()).unwrap_or(StatusCode::UNAUTHORIZED))
        .header(WWW_AUTHENTICATE, rejection.www_authenticate())
        .finish()
}

#[handler]
fn whoami(claims: Data<&AccessClaims>) -> String {
    match claims.client_id.as_deref() {
        Some(client) if claims.is_client_token() => format!("client {client}"),
        Some(client) => format!("user {} via client {client}", claims.sub),
        None => format!("user {}", claims.sub),
    }
}

fn app(validator: Validator) -> impl Endpoint {
    Route::new()
        .at("/whoami", get(whoami))
        .with(RequireToken::new(validator, &["mcp:echo"]))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let issuer =
        std::env::var("AUTHPLANE_ISSUER").unwrap_or_else(|_| "http://localhost:9000".into());
    let audience =
        std::env::var("RESOURCE_URI").unwrap_or_else(|_| "http://localhost:3000/mcp".into());
    let http = authplane::default_http_client()?;
    let metadata = ServerMetadata::discover(&http, &issuer).await?;
    let validator = Validator::from_metadata(&metadata, audience)
        .http_client(http)
        .build()?;
    Server::new(TcpListener::bind("127.0.0.1:3000"))
        .run(app(validator))
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::{SystemTime, UNIX_EPOCH};

    use authplane::testing::{TestKey, jwk_set};
    use serde_json::json;

    use super::*;

    const ISSUER: &str = "https://as.test";
    const AUDIENCE: &str = "https://mcp.test/mcp";

    /// The app with a validator that trusts `key`, and a token of `key` with `scope`.
    fn setup(scope: &str) -> (impl Endpoint, String) {
        let key = TestKey::es256("test-key").unwrap();
        let validator = Validator::builder(ISSUER, AUDIENCE)
            .jwks(jwk_set([&key]))
            .build()
            .unwrap();
        #[allow(clippy::disallowed_methods)] // the validator checks against the system clock
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let token = key
            .mint(&json!({
                "iss": ISSUER, "sub": "user-1", "aud": [AUDIENCE], "client_id": "app-1",
                "iat": now, "exp": now + 900, "scope": scope,
            }))
            .unwrap();
        (app(validator), token)
    }

    async fn get_whoami(app: &impl Endpoint, authorization: Option<&str>) -> Response {
        let mut request = Request::builder().uri_str("/whoami");
        if let Some(value) = authorization {
            request = request.header(AUTHORIZATION, value);
        }
        app.get_response(request.finish()).await
    }

    fn challenge(response: &Response) -> &str {
        response.headers()[WWW_AUTHENTICATE].to_str().unwrap()
    }

    #[tokio::test]
    async fn a_valid_token_reaches_the_handler_with_its_claims() {
        let (app, token) = setup("mcp:echo");
        let response = get_whoami(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), StatusCode::OK);
        let body = response.into_body().into_string().await.unwrap();
        assert_eq!(body, "user user-1 via client app-1");
    }

    #[tokio::test]
    async fn rejections_carry_their_status_and_challenge() {
        let (app, token) = setup("mcp:other");

        let response = get_whoami(&app, None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(challenge(&response), "Bearer");

        let response = get_whoami(&app, Some("Bearer not.a.token")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(challenge(&response).starts_with(r#"Bearer error="invalid_token""#));

        let response = get_whoami(&app, Some(&format!("Bearer {token}"))).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            challenge(&response),
            r#"Bearer error="insufficient_scope", error_description="insufficient scope", scope="mcp:echo""#
        );
    }
}
