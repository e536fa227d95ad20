//! Runs fixtures against a live server: sends each request (placeholders filled in, the chosen
//! credential attached), compares status, headers and body, and remembers captures for the
//! steps after.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::fixture::{Exchange, Fixture, Request};
use crate::matcher::{Mismatch, compare};
use crate::vars::{Vars, as_text, lookup};

/// The credential the runner manages state with.
#[derive(Debug, Clone)]
pub enum Admin {
    /// `X-Plystra-API-Key`.
    ApiKey(String),
    /// `Authorization: Bearer` (a session).
    Bearer(String),
}

/// A server under test.
#[derive(Debug, Clone)]
pub struct Target {
    base_url: String,
    admin: Admin,
    client: reqwest::Client,
}

/// What went wrong in one step.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// `setup[0]`, `exchange[1]`.
    pub step: String,
    /// `METHOD path` as sent.
    pub request: String,
    /// A transport or fixture error, when the step did not get as far as comparing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every difference (status at `status`, headers at `header.<name>`, the body at `$…`).
    pub mismatches: Vec<Mismatch>,
}

/// The outcome of one fixture.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// `profile/name`.
    pub case: String,
    /// The operation it exercises.
    pub operation: String,
    /// Whether every step matched.
    pub passed: bool,
    /// How long it took.
    #[serde(serialize_with = "millis")]
    pub duration: Duration,
    /// The first failing step, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u128(d.as_millis())
}

/// A response as received.
#[derive(Debug)]
struct Received {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Option<Value>,
}

impl Target {
    /// A server at `base_url` (without a trailing `/api/v1`), managed with `admin`.
    pub fn new(base_url: &str, admin: Admin) -> Result<Target, String> {
        // reqwest is built without a TLS provider of its own; ring is the workspace's.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Target {
            base_url: base_url.trim_end_matches('/').to_string(),
            admin,
            client,
        })
    }

    /// Variables every case starts with: `${run}` and the admin credential.
    pub fn vars(&self, run: &str) -> Vars {
        let mut vars = Vars::new();
        vars.set("run", run);
        match &self.admin {
            Admin::ApiKey(key) => vars.set("admin_api_key", key.clone()),
            Admin::Bearer(token) => vars.set("admin_token", token.clone()),
        }
        vars
    }

    /// Runs one fixture with `vars` (see [`Target::vars`]).
    pub async fn run(&self, fixture: &Fixture, vars: &Vars) -> CaseResult {
        let started = Instant::now();
        let mut vars = vars.clone();
        let steps = fixture
            .setup
            .iter()
            .enumerate()
            .map(|(i, e)| (format!("setup[{i}]"), e, true))
            .chain(
                fixture
                    .exchanges
                    .iter()
                    .enumerate()
                    .map(|(i, e)| (format!("exchange[{i}]"), e, false)),
            );
        let mut failure = None;
        for (step, exchange, status_only) in steps {
            if let Err(f) = self.step(&step, exchange, status_only, &mut vars).await {
                failure = Some(f);
                break;
            }
        }
        CaseResult {
            case: format!("{}/{}", fixture.profile, fixture.name),
            operation: fixture.operation.clone(),
            passed: failure.is_none(),
            duration: started.elapsed(),
            failure,
        }
    }

    async fn step(
        &self,
        step: &str,
        exchange: &Exchange,
        status_only: bool,
        vars: &mut Vars,
    ) -> Result<(), Failure> {
        let request = &exchange.request;
        let fail = |shown: String, error: String| Failure {
            step: step.to_string(),
            request: shown,
            error: Some(error),
            mismatches: Vec::new(),
        };
        let path = vars
            .substitute_str(&request.path)
            .map_err(|e| fail(request.path.clone(), e))?;
        let shown = format!("{} {path}", request.method);
        let received = self
            .send(request, &path, vars)
            .await
            .map_err(|e| fail(shown.clone(), e))?;
        let expected = &exchange.response;
        let mut mismatches = Vec::new();
        if received.status != expected.status {
            mismatches.push(Mismatch {
                path: "status".into(),
                expected: expected.status.to_string(),
                actual: received.status.to_string(),
            });
        }
        if !status_only {
            for (name, value) in &expected.headers {
                let want = vars.substitute(value).map_err(|e| fail(shown.clone(), e))?;
                let got = received
                    .headers
                    .get(name.as_str())
                    .and_then(|v| v.to_str().ok())
                    .map(|v| Value::String(v.to_string()));
                for mut m in compare(&want, got.as_ref()) {
                    m.path = format!("header.{name}");
                    mismatches.push(m);
                }
            }
            if let Some(body) = &expected.body {
                let want = vars.substitute(body).map_err(|e| fail(shown.clone(), e))?;
                mismatches.extend(compare(&want, received.body.as_ref()));
            }
        }
        if !mismatches.is_empty() {
            return Err(Failure {
                step: step.to_string(),
                request: shown,
                error: None,
                mismatches,
            });
        }
        for (name, source) in &exchange.capture {
            let value = match source.split_once('.') {
                Some(("body", path)) => received
                    .body
                    .as_ref()
                    .and_then(|b| lookup(b, path))
                    .map(as_text),
                Some(("header", header)) => received
                    .headers
                    .get(header)
                    .and_then(|v| v.to_str().ok())
                    .map(String::from),
                _ => None,
            };
            let value = value
                .ok_or_else(|| fail(shown.clone(), format!("nothing to capture at {source}")))?;
            vars.set(name.clone(), value);
        }
        Ok(())
    }

    async fn send(&self, request: &Request, path: &str, vars: &Vars) -> Result<Received, String> {
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|e| format!("method {}: {e}", request.method))?;
        let mut builder = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        let mut query = Vec::with_capacity(request.query.len());
        for (name, value) in &request.query {
            query.push((name.clone(), vars.substitute_str(value)?));
        }
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), vars.substitute_str(value)?);
        }
        builder = match request.auth.split_once(':') {
            _ if request.auth == "none" => builder,
            _ if request.auth == "admin" => match &self.admin {
                Admin::ApiKey(key) => builder.header("X-Plystra-API-Key", key),
                Admin::Bearer(token) => builder.bearer_auth(token),
            },
            Some(("bearer", var)) => builder.bearer_auth(
                vars.get(var)
                    .ok_or_else(|| format!("unknown variable {var} in auth"))?,
            ),
            Some(("api_key", var)) => builder.header(
                "X-Plystra-API-Key",
                vars.get(var)
                    .ok_or_else(|| format!("unknown variable {var} in auth"))?,
            ),
            _ => return Err(format!("unknown auth {:?}", request.auth)),
        };
        if let Some(body) = &request.body {
            builder = builder.json(&vars.substitute(body)?);
        } else if let Some(raw) = &request.raw_body {
            builder = builder
                .header("content-type", raw.content_type.as_str())
                .body(raw.text.repeat(raw.repeat));
        }
        let response = builder.send().await.map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| e.to_string())?;
        let body =
            if bytes.is_empty() {
                None
            } else {
                Some(serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                    Value::String(String::from_utf8_lossy(&bytes).into_owned())
                }))
            };
        Ok(Received {
            status,
            headers,
            body,
        })
    }
}

/// A unique run id: 8 hex digits from the clock, so names a run creates do not collide with an
/// earlier run's.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:08x}", (nanos as u64) ^ u64::from(std::process::id()))
        .chars()
        .rev()
        .take(8)
        .collect()
}
