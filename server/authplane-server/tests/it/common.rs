//! Shared set-up: a server on an in-memory database, test clients for both listeners, and the
//! PostgreSQL switch.

use std::sync::Arc;

use authplane_server::config::Issuer;
use authplane_server::http::{admin_app, public_app};
use authplane_server::{Authplane, Config, Store};
use poem::Endpoint;
use poem::test::TestClient;

/// The key the admin tests configure.
pub const ADMIN_KEY: &str = "test-admin-key-0123456789abcdef0123";

/// The time every test server reads.
pub fn fixed_time() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-05-12T01:00:00Z")
        .unwrap()
        .to_utc()
}

/// A server on `store` for `config`, answering as `issuer`, with the clock at [`fixed_time`].
pub fn server_on(store: Store, config: &Config, issuer: &str) -> Arc<Authplane> {
    let issuer = Issuer::parse(issuer).unwrap();
    Arc::new(Authplane::new(store, config, issuer).with_clock(Arc::new(fixed_time)))
}

/// A server on a migrated in-memory database.
pub async fn server(config: &Config) -> Arc<Authplane> {
    let store = Store::connect("sqlite::memory:").await.unwrap();
    store.migrate().await.unwrap();
    server_on(store, config, "http://127.0.0.1:9000")
}

/// The public endpoint of a default server.
pub async fn public() -> TestClient<impl Endpoint> {
    TestClient::new(public_app(server(&Config::for_tests(None)).await))
}

/// The admin endpoint of a server whose admin key is `key`.
pub async fn admin(key: Option<&str>) -> TestClient<impl Endpoint> {
    let config = Config::for_tests(key);
    TestClient::new(admin_app(server(&config).await, key))
}

/// The PostgreSQL database of the tests, if any (`AUTHPLANE_TEST_POSTGRES_URL`, else
/// `PLYSTRA_TEST_POSTGRES_URL`, which CI sets to a fresh database).
/// Under CI a missing database is a failure.
pub fn postgres_url() -> Option<String> {
    testkit::postgres_url(&["AUTHPLANE_TEST_POSTGRES_URL", testkit::POSTGRES_URL])
}

/// A migrated store in a PostgreSQL schema of its own (the database may be shared with the
/// Plystra tests, whose migration history must not meet ours), or `None` without PostgreSQL.
pub async fn fresh_postgres_store() -> Option<Store> {
    let Some(url) = postgres_url() else {
        eprintln!(
            "no AUTHPLANE_TEST_POSTGRES_URL / PLYSTRA_TEST_POSTGRES_URL: PostgreSQL half not run"
        );
        return None;
    };
    let url = testkit::fresh_schema_url(&url)
        .await
        .expect("create schema");
    let store = Store::connect(&url).await.expect("postgres store");
    store.migrate().await.expect("migrations apply");
    Some(store)
}

/// The JSON body of a test response.
pub async fn json(resp: poem::test::TestResponse) -> serde_json::Value {
    resp.0.into_body().into_json().await.unwrap()
}

/// A response read off a real socket.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    /// Header lines, lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Raw {
    /// The first header named `name`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// `GET path` on a real listener, HTTP/1.1 with `Connection: close` (blocking; from async tests
/// call it through `spawn_blocking`).
pub fn http_get(addr: std::net::SocketAddr, path: &str, headers: &[(&str, &str)]) -> Raw {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Raw {
        status,
        headers,
        body: body.to_string(),
    }
}
