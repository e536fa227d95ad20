//! The HTTP plumbing every call shares: the default client, secrets, and reading responses.

use std::time::Duration;

use reqwest::header::{ACCEPT, WWW_AUTHENTICATE};
use sdk_runtime::{Deadline, RetryPolicy};
use serde::de::DeserializeOwned;

use crate::Error;

pub(crate) use sdk_runtime::Secret;

/// The per-attempt timeout of [`default_http_client`].
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// An HTTP client with the SDK's defaults: rustls with the `ring` provider and the platform's
/// certificate verifier (the TLS stack of `sdk-runtime`, shared with the plystra SDK), a 30 s
/// timeout, a 10 s connect timeout. Build one and pass it to every builder's `http_client` to
/// share its connection pool.
pub fn default_http_client() -> Result<reqwest::Client, Error> {
    http_client_builder()?
        .build()
        .map_err(|e| Error::InvalidRequest(format!("HTTP client settings: {e}")))
}

/// The settings of [`default_http_client`], to add to (default headers, another timeout).
pub(crate) fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
    sdk_runtime::tls::http_client_builder(
        concat!("authplane-rust/", env!("CARGO_PKG_VERSION")),
        Some(DEFAULT_TIMEOUT),
        Some(Duration::from_secs(10)),
    )
    .map_err(|e| Error::InvalidRequest(format!("TLS settings: {e}")))
}

/// How the calls of one client are retried and timed.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallSettings {
    pub(crate) retry: RetryPolicy,
    pub(crate) limits: Deadline,
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
pub(crate) async fn send(
    request: reqwest::RequestBuilder,
    settings: &CallSettings,
) -> Result<(u16, Vec<u8>), Error> {
    let (client, request) = request.header(ACCEPT, "application/json").build_split();
    let request = request.map_err(|e| Error::InvalidRequest(format!("request: {e}")))?;
    let (response, _attempts) =
        sdk_runtime::execute(&client, request, &settings.retry, settings.limits).await;
    let response = response.map_err(Error::transport)?;
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
    settings: &CallSettings,
) -> Result<T, Error> {
    let (status, body) = send(request, settings).await?;
    serde_json::from_slice(&body).map_err(|source| Error::Decode {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
        source: Some(source),
    })
}
