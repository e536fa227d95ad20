//! Fetches a client credentials token through the cache, twice: the second call is served from
//! the cache.
//!
//! ```text
//! AUTHPLANE_ISSUER=http://localhost:9000 AUTHPLANE_CLIENT_ID=... AUTHPLANE_CLIENT_SECRET=... \
//! AUTHPLANE_RESOURCE=http://localhost:3000/mcp AUTHPLANE_SCOPE=mcp:echo \
//!   cargo run -p authplane --example client_credentials
//! ```

use anyhow::Context;
use authplane::{OAuthClient, ServerMetadata};

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let issuer =
        std::env::var("AUTHPLANE_ISSUER").unwrap_or_else(|_| "http://localhost:9000".into());
    let http = authplane::default_http_client()?;
    let metadata = ServerMetadata::discover(&http, &issuer).await?;
    let client = OAuthClient::from_metadata(&metadata)
        .client_id(env("AUTHPLANE_CLIENT_ID")?)
        .client_secret(env("AUTHPLANE_CLIENT_SECRET")?)
        .http_client(http)
        .build()?;

    let mut request = client
        .client_credentials()
        .resource(env("AUTHPLANE_RESOURCE")?);
    if let Ok(scope) = std::env::var("AUTHPLANE_SCOPE") {
        request = request.scope(scope);
    }
    let tokens = request.cache();

    let first = tokens.token().await?;
    let second = tokens.token().await?;
    println!(
        "{} token, scope {:?}, expires at {:?}; cached: {}",
        first.token_type,
        first.scope,
        first.expires_at,
        first.access_token == second.access_token
    );
    Ok(())
}
