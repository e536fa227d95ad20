//! `MAX_REQUEST_BODY_BYTES` (docs/behaviour.md §1.1; the setting and its default of 1 MiB are in
//! `crate::config::http`): a larger request body is answered with `413 PAYLOAD_TOO_LARGE`.
//!
//! A declared `Content-Length` over the limit is refused before anything is read. A body without
//! one (`Transfer-Encoding: chunked`) is counted while the handler reads it: the read fails once
//! the limit is passed, and whatever the handler then answered is replaced by the 413. Nothing is
//! buffered here; a handler that never reads the body is not affected.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};

use plystra_server_api::types::ErrorCode;
use poem::http::StatusCode;
use poem::http::header::CONTENT_LENGTH;
use poem::{Body, Endpoint, IntoResponse, Middleware, Request, Response};
use tokio::io::{AsyncRead, ReadBuf};

use crate::ApiError;

/// The 413 answer for a body over `limit` bytes.
pub fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PayloadTooLarge,
        format!("Request body is larger than the limit of {limit} bytes."),
    )
    .with_details(serde_json::json!({ "max_request_body_bytes": limit }))
}

/// The middleware; see the module docs.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit {
    limit: usize,
}

impl BodyLimit {
    /// Refuses request bodies over `limit` bytes.
    pub fn new(limit: usize) -> Self {
        BodyLimit { limit }
    }
}

impl<E: Endpoint> Middleware<E> for BodyLimit {
    type Output = BodyLimitEndpoint<E>;

    fn transform(&self, inner: E) -> Self::Output {
        BodyLimitEndpoint {
            inner,
            limit: self.limit,
        }
    }
}

/// The endpoint produced by [`BodyLimit`].
pub struct BodyLimitEndpoint<E> {
    inner: E,
    limit: usize,
}

impl<E: Endpoint> Endpoint for BodyLimitEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        match declared {
            // The server never delivers more than a declared length.
            Some(length) if length > self.limit as u64 => Err(too_large(self.limit).into()),
            Some(_) => Ok(self.inner.call(req).await?.into_response()),
            None => {
                let body = req.take_body();
                if body.is_empty() {
                    req.set_body(body);
                    return Ok(self.inner.call(req).await?.into_response());
                }
                let exceeded = Arc::new(AtomicBool::new(false));
                req.set_body(Body::from_async_read(Capped {
                    inner: body.into_async_read(),
                    remaining: self.limit,
                    exceeded: exceeded.clone(),
                }));
                let result = self.inner.call(req).await;
                if exceeded.load(Ordering::SeqCst) {
                    return Err(too_large(self.limit).into());
                }
                Ok(result?.into_response())
            }
        }
    }
}

/// A reader that fails, and says so in `exceeded`, once more than `remaining` bytes came through.
struct Capped<R> {
    inner: R,
    remaining: usize,
    exceeded: Arc<AtomicBool>,
}

impl<R: AsyncRead + Unpin> AsyncRead for Capped<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let read = buf.filled().len() - before;
        if read > self.remaining {
            self.exceeded.store(true, Ordering::SeqCst);
            return Poll::Ready(Err(io::Error::other(
                "request body is larger than the configured limit",
            )));
        }
        self.remaining -= read;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use poem::{EndpointExt, handler};

    #[handler]
    async fn length(body: Body) -> poem::Result<String> {
        Ok(body.into_vec().await?.len().to_string())
    }

    /// A body of unknown length, as a chunked request has.
    fn streamed(data: &'static [u8]) -> Body {
        Body::from_async_read(data)
    }

    async fn status_and_body(app: &impl Endpoint, req: Request) -> (StatusCode, String) {
        match app.call(req).await {
            Ok(resp) => {
                let resp = resp.into_response();
                let status = resp.status();
                (status, resp.into_body().into_string().await.unwrap())
            }
            Err(err) => (err.status(), err.to_string()),
        }
    }

    #[tokio::test]
    async fn declared_and_streamed_bodies_are_limited() {
        let app = length.with(BodyLimit::new(10));
        let sized = |body: &'static str| {
            Request::builder()
                .header(CONTENT_LENGTH, body.len())
                .body(body)
        };
        assert_eq!(
            status_and_body(&app, sized("0123456789")).await,
            (StatusCode::OK, "10".into())
        );
        let (status, message) = status_and_body(&app, sized("0123456789a")).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(message.contains("limit of 10 bytes"), "{message}");
        // No Content-Length: counted while read.
        let chunked = |data| Request::builder().body(streamed(data));
        assert_eq!(
            status_and_body(&app, chunked(b"0123456789")).await,
            (StatusCode::OK, "10".into())
        );
        let (status, _) = status_and_body(&app, chunked(b"0123456789a")).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        // No body at all.
        assert_eq!(
            status_and_body(&app, Request::builder().finish()).await,
            (StatusCode::OK, "0".into())
        );
    }

    #[test]
    fn the_413_names_the_limit() {
        let error = too_large(1_048_576);
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(error.code, ErrorCode::PayloadTooLarge);
        assert_eq!(
            error.message,
            "Request body is larger than the limit of 1048576 bytes."
        );
    }
}
