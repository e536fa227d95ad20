//! The middleware every request of a server goes through: it assigns the request id, makes sure
//! every error answer is JSON in the product's error shape, and stamps the response headers.
//!
//! Handlers answer typed errors; poem and poem-openapi answer their own rejections (bad JSON,
//! wrong content type, bad parameter, missing credential, unknown route, wrong method) as
//! `poem::Error`s or as plain-text error responses. The middleware hands all of them to the
//! product's [`ErrorBody`], so an unknown route answers a JSON 404 and a wrong method a JSON 405
//! in the same shape as any other error of that API.

use poem::http::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use poem::http::{HeaderMap, StatusCode};
use poem::{Endpoint, IntoResponse, Middleware, Request, Response};

use crate::request_id::{HEADER, RequestId};

/// How a product writes its error answers.
pub trait ErrorBody: Send + Sync + 'static {
    /// The answer to a request that failed with `err` (a handler's error, a poem rejection, or
    /// the 501 of an operation nobody implemented yet).
    fn render_error(&self, err: &poem::Error, request_id: &str) -> Response;

    /// The answer replacing an error response whose body is not JSON (poem's own 404 and 405,
    /// or a panic caught by the runtime).
    fn render_status(&self, status: StatusCode, request_id: &str) -> Response;
}

/// Headers every response gets unless the handler set them itself: no MIME sniffing, no
/// framing, no referrer, and no caching (a discovery document may allow caching; an API answer
/// with a token in it must not be cached).
pub const DEFAULT_HEADERS: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("cache-control", "no-store"),
];

/// The middleware; see the module docs.
#[derive(Debug, Clone)]
pub struct Envelope<B> {
    body: std::sync::Arc<B>,
}

impl<B: ErrorBody> Envelope<B> {
    /// Errors are written by `body`.
    pub fn new(body: B) -> Self {
        Envelope {
            body: std::sync::Arc::new(body),
        }
    }
}

impl<E: Endpoint, B: ErrorBody> Middleware<E> for Envelope<B> {
    type Output = EnvelopeEndpoint<E, B>;

    fn transform(&self, inner: E) -> Self::Output {
        EnvelopeEndpoint {
            inner,
            body: self.body.clone(),
        }
    }
}

/// The endpoint produced by [`Envelope`].
pub struct EnvelopeEndpoint<E, B> {
    inner: E,
    body: std::sync::Arc<B>,
}

impl<E: Endpoint, B: ErrorBody> Endpoint for EnvelopeEndpoint<E, B> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> poem::Result<Response> {
        let id = RequestId::accept_or_generate(req.header(HEADER));
        req.extensions_mut().insert(id.clone());
        let mut response = match self.inner.call(req).await {
            Ok(output) => {
                let response = output.into_response();
                if is_bare_error(&response) {
                    self.body.render_status(response.status(), &id.0)
                } else {
                    response
                }
            }
            Err(err) => self.body.render_error(&err, &id.0),
        };
        stamp(response.headers_mut(), &id.0);
        Ok(response)
    }
}

fn stamp(headers: &mut HeaderMap, request_id: &str) {
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(HeaderName::from_static(HEADER), value);
    }
    for (name, value) in DEFAULT_HEADERS {
        headers
            .entry(HeaderName::from_static(name))
            .or_insert(HeaderValue::from_static(value));
    }
}

/// An error status whose body is not JSON.
fn is_bare_error(response: &Response) -> bool {
    let status = response.status();
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    (status.is_client_error() || status.is_server_error()) && !is_json
}

#[cfg(test)]
mod tests {
    use poem::test::TestClient;
    use poem::web::Json;
    use poem::{EndpointExt, Route, get, handler};

    use super::*;

    /// Writes `{"status": …, "from": …, "request_id": …}`.
    struct Plain;

    impl ErrorBody for Plain {
        fn render_error(&self, err: &poem::Error, request_id: &str) -> Response {
            let body = serde_json::json!({
                "status": err.status().as_u16(), "from": "error", "request_id": request_id,
            });
            (err.status(), Json(body)).into_response()
        }

        fn render_status(&self, status: StatusCode, request_id: &str) -> Response {
            let body = serde_json::json!({
                "status": status.as_u16(), "from": "status", "request_id": request_id,
            });
            (status, Json(body)).into_response()
        }
    }

    #[handler]
    fn ok() -> &'static str {
        "fine"
    }

    #[handler]
    fn teapot() -> poem::Result<()> {
        Err(poem::Error::from_status(StatusCode::IM_A_TEAPOT))
    }

    #[handler]
    fn cacheable() -> Response {
        Response::builder()
            .header("cache-control", "public, max-age=300")
            .body("doc")
    }

    #[handler]
    fn json_conflict() -> Response {
        (
            StatusCode::CONFLICT,
            Json(serde_json::json!({"mine": true})),
        )
            .into_response()
    }

    fn app() -> impl Endpoint {
        Route::new()
            .at("/ok", get(ok))
            .at("/teapot", get(teapot))
            .at("/cacheable", get(cacheable))
            .at("/conflict", get(json_conflict))
            .with(Envelope::new(Plain))
    }

    #[tokio::test]
    async fn request_ids_are_kept_or_made_and_always_echoed() {
        let cli = TestClient::new(app());
        let resp = cli.get("/ok").header(HEADER, "req_mine").send().await;
        resp.assert_status_is_ok();
        resp.assert_header(HEADER, "req_mine");
        let resp = cli.get("/ok").header(HEADER, "has space").send().await;
        let made = resp.0.headers()[HEADER].to_str().unwrap().to_string();
        assert!(made.starts_with("req_") && made.len() == 20, "{made}");
    }

    #[tokio::test]
    async fn unknown_routes_and_methods_become_json_in_the_product_shape() {
        let cli = TestClient::new(app());
        for (method, path, status) in [
            ("GET", "/nowhere", 404),
            ("POST", "/ok", 405),
            ("GET", "/teapot", 418),
        ] {
            let req = match method {
                "POST" => cli.post(path),
                _ => cli.get(path),
            };
            let resp = req.header(HEADER, "req_x").send().await;
            resp.assert_status(StatusCode::from_u16(status).unwrap());
            resp.assert_content_type("application/json; charset=utf-8");
            let body: serde_json::Value = resp.0.into_body().into_json().await.unwrap();
            assert_eq!(body["status"], status, "{method} {path}");
            assert_eq!(body["request_id"], "req_x");
        }
    }

    #[tokio::test]
    async fn json_error_answers_pass_through() {
        let cli = TestClient::new(app());
        let resp = cli.get("/conflict").send().await;
        resp.assert_status(StatusCode::CONFLICT);
        resp.assert_json(serde_json::json!({"mine": true})).await;
    }

    #[tokio::test]
    async fn default_headers_fill_in_what_the_handler_left_unset() {
        let cli = TestClient::new(app());
        let resp = cli.get("/ok").send().await;
        for (name, value) in DEFAULT_HEADERS {
            resp.assert_header(name, value);
        }
        let resp = cli.get("/cacheable").send().await;
        resp.assert_header("cache-control", "public, max-age=300");
        resp.assert_header("x-frame-options", "DENY");
    }
}
