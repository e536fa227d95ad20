//! TLS: rustls with the `ring` provider and the platform's certificate verifier.
//!
//! Choosing the provider here, rather than reqwest's default (aws-lc), keeps a C build of about
//! 50 s out of every clean build of either SDK; `ring` is also what Authplane's JWS checks use.

use std::sync::Arc;
use std::time::Duration;

/// The TLS client configuration both SDKs use.
pub fn config() -> Result<rustls::ClientConfig, rustls::Error> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth())
}

/// A `reqwest` client builder with [`config`], `user_agent`, and the per-attempt `timeout` and
/// `connect_timeout` (`None` waits forever).
pub fn http_client_builder(
    user_agent: &str,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
) -> Result<reqwest::ClientBuilder, rustls::Error> {
    let mut builder = reqwest::Client::builder()
        .user_agent(user_agent)
        .tls_backend_preconfigured(config()?);
    if let Some(timeout) = timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(timeout) = connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    Ok(builder)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_client_builds() {
        let builder = super::http_client_builder("t/1", Some(super::Duration::from_secs(1)), None);
        assert!(builder.unwrap().build().is_ok());
    }
}
