//! Cross-cutting HTTP behaviour (docs/behaviour.md §1.1, §2): CORS and preflights, the request body
//! limit (declared and chunked), the client address behind trusted proxies, and the access log.

use std::io::Write;
use std::sync::{Arc, Mutex};

use plystra_server::config::LogFormat;
use plystra_server::{Config, Server};
use poem::Body;
use poem::http::StatusCode;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{client, client_with, serve_app, server};

const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, X-Request-ID, X-Plystra-Metrics-Token, X-Plystra-API-Key";
const ALLOW_METHODS: &str = "GET, POST, PATCH, DELETE, OPTIONS";

fn config(change: impl FnOnce(&mut Config)) -> Config {
    let mut config = Config::for_tests();
    change(&mut config);
    config
}

async fn parts(resp: poem::test::TestResponse) -> (StatusCode, poem::http::HeaderMap, String) {
    let status = resp.0.status();
    let headers = resp.0.headers().clone();
    (
        status,
        headers,
        resp.0.into_body().into_string().await.unwrap(),
    )
}

/// Asserts the contract's error envelope and returns its code and message.
fn envelope(headers: &poem::http::HeaderMap, body: &str) -> (String, String) {
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let request_id = headers["x-request-id"].to_str().unwrap();
    assert_eq!(body["request_id"], request_id, "{body}");
    assert_eq!(body["error"]["request_id"], request_id, "{body}");
    let code = body["error"]["code"].as_str().unwrap().to_string();
    assert_eq!(headers["x-plystra-error-code"], code.as_str());
    (code, body["error"]["message"].as_str().unwrap().to_string())
}

fn assert_security_headers(headers: &poem::http::HeaderMap) {
    assert!(headers.contains_key("x-request-id"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["referrer-policy"], "no-referrer");
    assert_eq!(headers["cache-control"], "no-store");
}

// ---------------------------------------------------------------------------------------------
// CORS

#[tokio::test]
async fn cors_echoes_listed_origins_on_success_and_error_responses() {
    let cli = client(server().await);
    for (path, status) in [
        ("/api/v1/health", StatusCode::OK),
        ("/api/v1/users", StatusCode::UNAUTHORIZED),
    ] {
        let resp = cli
            .get(path)
            .header("Origin", "http://localhost:5173")
            .send()
            .await;
        let (got, headers, body) = parts(resp).await;
        assert_eq!(got, status, "{body}");
        assert_eq!(
            headers["access-control-allow-origin"],
            "http://localhost:5173"
        );
        assert_eq!(headers["vary"], "Origin");
        assert_eq!(headers["access-control-allow-headers"], ALLOW_HEADERS);
        assert_eq!(headers["access-control-allow-methods"], ALLOW_METHODS);
        assert!(
            headers["access-control-expose-headers"]
                .to_str()
                .unwrap()
                .contains("X-Request-ID")
        );
        assert_security_headers(&headers);
    }
    // An origin that is not listed gets no Allow-Origin (the default list has no wildcard).
    for origin in ["https://evil.example", "http://localhost:4000"] {
        let resp = cli
            .get("/api/v1/health")
            .header("Origin", origin)
            .send()
            .await;
        let (_, headers, _) = parts(resp).await;
        assert!(
            !headers.contains_key("access-control-allow-origin"),
            "{origin}"
        );
        assert_eq!(headers["vary"], "Origin");
    }
}

#[tokio::test]
async fn a_wildcard_list_allows_any_origin() {
    let cfg = config(|c| c.http.cors_allowed_origins = vec!["*".into()]);
    let cli = client_with(server().await, &cfg);
    let resp = cli
        .get("/api/v1/health")
        .header("Origin", "https://anything.example")
        .send()
        .await;
    let (_, headers, _) = parts(resp).await;
    assert_eq!(headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn any_options_request_is_204_without_credentials() {
    let cli = client(server().await);
    for path in [
        "/api/v1/users",
        "/api/v1/auth/login",
        "/api/v1/no-such-route",
    ] {
        let resp = cli
            .options(path)
            .header("Origin", "http://127.0.0.1:3000")
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .header("X-Request-ID", "preflight-1")
            .send()
            .await;
        let (status, headers, body) = parts(resp).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{path}: {body}");
        assert_eq!(body, "", "{path}");
        assert_eq!(headers["x-request-id"], "preflight-1");
        assert_security_headers(&headers);
        assert_eq!(
            headers["access-control-allow-origin"],
            "http://127.0.0.1:3000"
        );
        assert_eq!(headers["access-control-allow-methods"], ALLOW_METHODS);
        assert!(!headers.contains_key("x-plystra-error-code"));
    }
}

// ---------------------------------------------------------------------------------------------
// Body limit

const LOGIN: &str = r#"{"email":"nobody@example.com","password":"not-the-password"}"#;

#[tokio::test]
async fn a_declared_body_over_the_limit_is_413_with_the_envelope() {
    let limit = LOGIN.len() - 1;
    let cfg = config(|c| c.http.max_request_body_bytes = limit);
    let cli = client_with(server().await, &cfg);
    let resp = cli
        .post("/api/v1/auth/login")
        .content_type("application/json")
        .header("Content-Length", LOGIN.len())
        .header("Origin", "http://localhost:3000")
        .body(LOGIN)
        .send()
        .await;
    let (status, headers, body) = parts(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    let (code, message) = envelope(&headers, &body);
    assert_eq!(code, "PAYLOAD_TOO_LARGE");
    assert_eq!(
        message,
        format!("Request body is larger than the limit of {limit} bytes.")
    );
    assert_security_headers(&headers);
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:3000"
    );
}

#[tokio::test]
async fn a_streamed_body_over_the_limit_is_413_and_one_within_it_is_read() {
    let cfg = config(|c| c.http.max_request_body_bytes = LOGIN.len());
    let cli = client_with(server().await, &cfg);
    // No Content-Length: the body is counted while the handler reads it.
    let oversized = format!("{LOGIN} ");
    let resp = cli
        .post("/api/v1/auth/login")
        .content_type("application/json")
        .body(Body::from_async_read(std::io::Cursor::new(oversized)))
        .send()
        .await;
    let (status, headers, body) = parts(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(envelope(&headers, &body).0, "PAYLOAD_TOO_LARGE");
    let resp = cli
        .post("/api/v1/auth/login")
        .content_type("application/json")
        .body(Body::from_async_read(std::io::Cursor::new(LOGIN)))
        .send()
        .await;
    let (status, headers, body) = parts(resp).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(envelope(&headers, &body).0, "AUTHENTICATION_REQUIRED");
}

#[tokio::test]
async fn the_default_limit_is_one_mebibyte() {
    let cli = client(server().await);
    let big = vec![b' '; 1024 * 1024 + 1];
    let resp = cli
        .post("/api/v1/auth/login")
        .content_type("application/json")
        .header("Content-Length", big.len())
        .body(big)
        .send()
        .await;
    let (status, headers, body) = parts(resp).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        envelope(&headers, &body).1,
        "Request body is larger than the limit of 1048576 bytes."
    );
}

/// One HTTP/1.1 exchange over a real socket: status, lower-case header text, body.
async fn exchange(base: &str, request: &[u8]) -> (u16, String, String) {
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
        let text = String::from_utf8_lossy(&data);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().to_string())
                })
                .and_then(|v| v.parse::<usize>().ok());
            if length.is_some_and(|n| body.len() >= n) {
                break;
            }
        }
    }
    let text = String::from_utf8(data).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").expect("a complete response");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn chunked(path: &str, chunks: &[&str]) -> Vec<u8> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    for chunk in chunks {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    request.into_bytes()
}

#[tokio::test]
async fn over_a_socket_chunked_and_declared_bodies_are_limited() {
    let cfg = config(|c| c.http.max_request_body_bytes = LOGIN.len());
    let base = serve_app(server().await, &cfg).await;
    let (half, rest) = LOGIN.split_at(20);
    // Chunked, within the limit: read and answered by the handler.
    let (status, _, body) = exchange(&base, &chunked("/api/v1/auth/login", &[half, rest])).await;
    assert_eq!(status, 401, "{body}");
    // Chunked, one byte over.
    let (status, head, body) =
        exchange(&base, &chunked("/api/v1/auth/login", &[half, rest, " "])).await;
    assert_eq!(status, 413, "{body}");
    assert!(
        head.contains("x-plystra-error-code: payload_too_large"),
        "{head}"
    );
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "PAYLOAD_TOO_LARGE");
    // Declared too long: refused before the body is read.
    let oversized = format!("{LOGIN} ");
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{oversized}",
        oversized.len()
    );
    let (status, head, _) = exchange(&base, request.as_bytes()).await;
    assert_eq!(status, 413);
    assert!(
        head.contains("x-plystra-error-code: payload_too_large"),
        "{head}"
    );
}

// ---------------------------------------------------------------------------------------------
// Client address

/// Locks the login throttle key of `ip` for an hour.
async fn lock_address(server: &Server, ip: &str) {
    #[allow(clippy::disallowed_methods)] // the server under test reads the system clock
    let now = chrono::Utc::now();
    let key = format!("ip:{ip}");
    let (now_text, until) = (
        plystra_server::domain::time::format(now),
        plystra_server::domain::time::format(now + chrono::Duration::hours(1)),
    );
    let store = server.store();
    store
        .throttle_record_failure(&key, &now_text, &now_text)
        .await
        .unwrap();
    store.throttle_lock(&key, &now_text, &until).await.unwrap();
}

fn login_from(forwarded_for: Option<&str>) -> Vec<u8> {
    let forwarded = forwarded_for
        .map(|ip| format!("X-Forwarded-For: {ip}, 10.0.0.1\r\n"))
        .unwrap_or_default();
    format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
         {forwarded}Content-Length: {}\r\nConnection: close\r\n\r\n{LOGIN}",
        LOGIN.len()
    )
    .into_bytes()
}

/// The login handler keys its lockout by the client address, so a locked address shows which
/// address the handler saw.
#[tokio::test]
async fn forwarded_addresses_count_only_from_trusted_proxies() {
    let server = server().await;
    lock_address(&server, "203.0.113.7").await;
    let trusting = config(|c| c.http.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()]);
    let behind_proxy = serve_app(server.clone(), &trusting).await;
    let (status, head, body) = exchange(&behind_proxy, &login_from(Some("203.0.113.7"))).await;
    assert_eq!(status, 429, "the forwarded address is the client: {body}");
    assert!(head.contains("retry-after:"), "{head}");
    let (status, _, body) = exchange(&behind_proxy, &login_from(Some("198.51.100.1"))).await;
    assert_eq!(status, 401, "{body}");
    // Without trusted proxies the same header is ignored: the client is the peer, 127.0.0.1.
    let direct = serve_app(server.clone(), &Config::for_tests()).await;
    let (status, _, body) = exchange(&direct, &login_from(Some("203.0.113.7"))).await;
    assert_eq!(status, 401, "{body}");
    lock_address(&server, "127.0.0.1").await;
    let (status, _, _) = exchange(&direct, &login_from(None)).await;
    assert_eq!(status, 429, "the peer address is used");
}

// ---------------------------------------------------------------------------------------------
// Access log

/// A log writer into memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

const SECRETS: [&str; 4] = [
    "ply_at_Sup3rSecretAccessToken",
    "ply_ak_key1.Sup3rSecretApiKey",
    "Sup3rSecretCookie",
    "Sup3rSecretQuery",
];

/// Sends a request carrying every kind of credential and returns the captured log.
async fn logged_request(format: LogFormat) -> (String, String) {
    let captured = Captured::default();
    let subscriber = plystra_server::logging::subscriber(
        format,
        tracing_subscriber::EnvFilter::new("info"),
        captured.clone(),
        false,
    );
    // The test runs on one thread, so the subscriber sees exactly this test's events.
    // tracing caches per call site whether anyone wants its events, and a global level hint,
    // from the subscribers alive when the site is first hit; other test threads hit the access
    // log's site with no subscriber around and can cache "nobody" just as this one is set. A
    // process-wide subscriber that takes INFO and does nothing keeps both at INFO for good.
    static QUIET_GLOBAL: std::sync::Once = std::sync::Once::new();
    QUIET_GLOBAL.call_once(|| {
        use tracing_subscriber::layer::SubscriberExt as _;
        let quiet =
            tracing_subscriber::registry().with(tracing_subscriber::filter::LevelFilter::INFO);
        let _ = tracing::subscriber::set_global_default(quiet);
    });
    let _guard = tracing::subscriber::set_default(subscriber);
    let cli = client(server().await);
    let resp = cli
        .get("/api/v1/users")
        .query("token", &SECRETS[3])
        .header("Authorization", format!("Bearer {}", SECRETS[0]))
        .header("X-Plystra-API-Key", SECRETS[1])
        .header("Cookie", format!("session={}", SECRETS[2]))
        .header("User-Agent", "probe/1.0")
        .header("X-Request-ID", "req_logged")
        .send()
        .await;
    let (status, _, body) = parts(resp).await;
    // The credentials are made up: the request is refused, and logged like any other.
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    (captured.text(), body)
}

#[tokio::test]
async fn the_json_access_log_has_the_fields_and_no_credentials() {
    let (log, body) = logged_request(LogFormat::Json).await;
    let events: Vec<Value> = log
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let access: Vec<&Value> = events
        .iter()
        .filter(|e| e["target"] == "plystra_server::access")
        .collect();
    assert_eq!(access.len(), 1, "{log}");
    let event = access[0];
    assert_eq!(event["level"], "INFO");
    assert!(event["timestamp"].is_string());
    assert_eq!(event["request_id"], "req_logged");
    assert_eq!(event["method"], "GET");
    assert_eq!(event["path"], "/api/v1/users", "no query string");
    assert_eq!(event["status"], 401);
    assert!(
        event["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
        "{event}"
    );
    assert_eq!(event["remote_ip"], "", "in-process requests have no peer");
    assert_eq!(event["user_agent"], "probe/1.0");
    assert_eq!(event["bytes"], body.len());
    assert_eq!(event["error_code"], "AUTHENTICATION_REQUIRED");
    for secret in SECRETS {
        assert!(!log.contains(secret), "{secret} leaked into the log: {log}");
    }
}

#[tokio::test]
async fn the_text_access_log_has_the_fields_and_no_credentials() {
    let (log, _) = logged_request(LogFormat::Text).await;
    let line = log
        .lines()
        .find(|l| l.contains("plystra_server::access"))
        .unwrap_or_else(|| panic!("no access line: {log}"));
    for field in [
        "request_id=\"req_logged\"",
        "method=\"GET\"",
        "path=\"/api/v1/users\"",
        "status=401",
        "latency_ms=",
        "user_agent=\"probe/1.0\"",
        "bytes=",
        "error_code=\"AUTHENTICATION_REQUIRED\"",
    ] {
        assert!(line.contains(field), "{field} missing: {line}");
    }
    assert!(!line.starts_with('{'), "not JSON: {line}");
    for secret in SECRETS {
        assert!(!log.contains(secret), "{secret} leaked into the log: {log}");
    }
}

/// The OpenAPI document behind `/docs` names the configured public URL as its server, else the
/// listen address (not the spec's example URL).
#[tokio::test]
async fn the_served_document_names_the_configured_server() {
    let servers = async |config: Config| -> Value {
        let store = plystra_server::Store::connect("sqlite::memory:")
            .await
            .unwrap();
        let server = Arc::new(Server::new(store, Arc::new(config)));
        let spec: Value =
            serde_json::from_str(&plystra_server::http::openapi_service(server).spec()).unwrap();
        spec["servers"].clone()
    };
    let public = config(|c| c.listen.public_url = Some("https://api.example.com/".into()));
    assert_eq!(
        servers(public).await,
        serde_json::json!([{ "url": "https://api.example.com" }])
    );
    let listening = config(|c| {
        c.listen.host = "0.0.0.0".into();
        c.listen.port = 9090;
    });
    assert_eq!(
        servers(listening).await,
        serde_json::json!([{ "url": "http://localhost:9090" }])
    );
}
