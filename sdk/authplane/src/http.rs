//! The HTTP plumbing every call shares: the default client, secrets, and reading responses.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, WWW_AUTHENTICATE};
use serde::de::DeserializeOwned;

use crate::Error;

/// An HTTP client with the SDK's defaults: rustls with the `ring` provider and the platform's
/// certificate verifier, a 30 s timeout, a 10 s connect timeout. Build one and pass it to every
/// builder's `http_client` to share its connection pool.
pub fn default_http_client() -> Result<reqwest::Client, Error> {
    http_client_builder()?
        .build()
        .map_err(|e| Error::InvalidRequest(format!("HTTP client settings: {e}")))
}

/// The settings of [`default_http_client`], to add to (default headers, another timeout).
pub(crate) fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    Ok(reqwest::Client::builder()
        .user_agent(concat!("authplane-rust/", env!("CARGO_PKG_VERSION")))
        .tls_backend_preconfigured(tls_config()?)
        .timeout(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(10)))
}

// The same choice as the plystra SDK: the ring provider keeps aws-lc's C build out of the
// dependency graph, and ring is what the JWS checks use anyway.
// TODO(#9): move into the shared SDK runtime crate once it exists.
fn tls_config() -> Result<rustls::ClientConfig, Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|builder| builder.with_platform_verifier())
        .map_err(|e| Error::InvalidRequest(format!("TLS settings: {e}")))?
        .with_no_client_auth();
    Ok(config)
}

/// A secret that never shows in `Debug` output.
#[derive(Clone)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(value: &str) -> Self {
        Secret(Arc::from(value))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Parses an endpoint URL, naming the setting in the error.
pub(crate) fn parse_url(what: &str, value: &str) -> Result<reqwest::Url, Error> {
    let url = reqwest::Url::parse(value)
        .map_err(|e| Error::InvalidRequest(format!("{what} {value:?}: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::InvalidRequest(format!(
            "{what} {value:?}: want an http:// or https:// URL"
        )));
    }
    Ok(url)
}

/// Sends a request and returns the status and body of a success; any other status becomes the
/// OAuth error it carries, or `Decode` with the raw body.
pub(crate) async fn send(request: reqwest::RequestBuilder) -> Result<(u16, Vec<u8>), Error> {
    let response = request
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(Error::transport)?;
    let status = response.status();
    let challenge = response
        .headers()
        .get(WWW_AUTHENTICATE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let body = response.bytes().await.map_err(Error::transport)?;
    if status.is_success() {
        Ok((status.as_u16(), body.to_vec()))
    } else {
        Err(Error::from_response(status.as_u16(), challenge, &body))
    }
}

/// Sends a request and decodes the JSON body of a success.
pub(crate) async fn send_json<T: DeserializeOwned>(
    request: reqwest::RequestBuilder,
) -> Result<T, Error> {
    let (status, body) = send(request).await?;
    serde_json::from_slice(&body).map_err(|source| Error::Decode {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        source: Some(source),
    })
}
