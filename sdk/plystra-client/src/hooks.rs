//! The one seam between the generated client and the layer above it: every request goes through
//! a [`Transport`] if one is installed, which may add headers, retry, time and trace it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

use crate::Client;

/// A boxed future of a response.
pub type ResponseFuture<'a> =
    Pin<Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>>;

/// Executes the generated client's requests.
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends `request` for the operation `operation_id` (snake_case) with `client`.
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        request: reqwest::Request,
        operation_id: &'static str,
    ) -> ResponseFuture<'a>;
}

/// What the generated `Client` carries: an optional [`Transport`].
#[derive(Clone, Debug, Default)]
pub struct Hooks {
    transport: Option<Arc<dyn Transport>>,
}

impl Hooks {
    /// Requests go through `transport`.
    pub fn new(transport: Arc<dyn Transport>) -> Self {
        Hooks {
            transport: Some(transport),
        }
    }

    /// Requests are sent as built.
    pub fn none() -> Self {
        Hooks::default()
    }
}

impl ClientHooks<Hooks> for Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        match &self.inner().transport {
            Some(transport) => {
                transport
                    .execute(self.client(), request, info.operation_id)
                    .await
            }
            None => self.client().execute(request).await,
        }
    }
}
