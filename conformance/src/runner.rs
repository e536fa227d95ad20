//! Runs fixtures against a live server: sends each request (placeholders filled in, the chosen
//! credential attached), compares status, headers and body, and remembers captures for the
//! steps after.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::fixture::{Exchange, Fixture, Request, Response};
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
pub struct Received {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body: JSON when it parses, else its text; `None` when empty.
    pub body: Option<Value>,
}

impl Received {
    /// Every difference of the headers and body from `expected` (the status is the caller's),
    /// with `vars` filled in first.
    pub fn differences(&self, expected: &Response, vars: &Vars) -> Result<Vec<Mismatch>, String> {
        let mut mismatches = Vec::new();
        for (name, value) in &expected.headers {
            let want = vars.substitute(value)?;
            let got = self
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
            let want = vars.substitute(body)?;
            mismatches.extend(compare(&want, self.body.as_ref()));
        }
        Ok(mismatches)
    }

    /// Stores the values `capture` names (`name: body.data.id`, `name: header.x-…`) in `vars`.
    pub fn capture(
        &self,
        capture: &BTreeMap<String, String>,
        vars: &mut Vars,
    ) -> Result<(), String> {
        for (name, source) in capture {
            let value = match source.split_once('.') {
                Some(("body", path)) => self
                    .body
                    .as_ref()
                    .and_then(|b| lookup(b, path))
                    .map(as_text),
                Some(("header", header)) => self
                    .headers
                    .get(header)
                    .and_then(|v| v.to_str().ok())
                    .map(String::from),
                _ => None,
            };
            let value = value.ok_or_else(|| format!("nothing to capture at {source}"))?;
            vars.set(name.clone(), value);
        }
        Ok(())
    }
}

impl Failure {
    /// A step that did not get as far as comparing.
    pub fn error(step: &str, request: &str, error: String) -> Failure {
        Failure {
            step: step.to_string(),
            request: request.to_string(),
            error: Some(error),
            mismatches: Vec::new(),
        }
    }
}

/// `METHOD path` of `request` as sent (the path as written when it cannot be filled in).
pub fn shown(request: &Request, vars: &Vars) -> String {
    let path = vars
        .substitute_str(&request.path)
        .unwrap_or_else(|_| request.path.clone());
    format!("{} {path}", request.method)
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
        let mut failure = self.set_up(&fixture.setup, &mut vars).await.err();
        if failure.is_none() {
            for (i, exchange) in fixture.exchanges.iter().enumerate() {
                let step = format!("exchange[{i}]");
                if let Err(f) = self.step(&step, exchange, false, &mut vars).await {
                    failure = Some(f);
                    break;
                }
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

    /// Runs the setup steps of a case, checking only their status, and keeps their captures
    /// in `vars`.
    pub async fn set_up(&self, setup: &[Exchange], vars: &mut Vars) -> Result<(), Failure> {
        for (i, exchange) in setup.iter().enumerate() {
            self.step(&format!("setup[{i}]"), exchange, true, vars)
                .await?;
        }
        Ok(())
    }

    async fn step(
        &self,
        step: &str,
        exchange: &Exchange,
        status_only: bool,
        vars: &mut Vars,
    ) -> Result<(), Failure> {
        let request = &exchange.request;
        let shown = shown(request, vars);
        let fail = |error: String| Failure::error(step, &shown, error);
        let received = self.send(request, vars).await.map_err(fail)?;
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
            mismatches.extend(received.differences(expected, vars).map_err(fail)?);
        }
        if !mismatches.is_empty() {
            return Err(Failure {
                step: step.to_string(),
                request: shown,
                error: None,
                mismatches,
            });
        }
        received.capture(&exchange.capture, vars).map_err(fail)
    }

    /// Sends `request` with `vars` filled in and the credential it names attached.
    pub async fn send(&self, request: &Request, vars: &Vars) -> Result<Received, String> {
        let path = vars.substitute_str(&request.path)?;
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
                .body(vars.substitute_str(&raw.text)?.repeat(raw.repeat));
        }
        let response = builder.send().await.map_err(|e| chain(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.map_err(|e| chain(&e))?;
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

/// An error and its causes (`error sending request: connection closed …`).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// A unique run id: 8 hex digits from the clock, so names a run creates do not collide with an
/// earlier run's.
pub fn run_id() -> String {
    #[allow(clippy::disallowed_methods)] // a source of distinct values, not a time
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{:08x}", (nanos as u64) ^ u64::from(std::process::id()))
        .chars()
        .rev()
        .take(8)
        .collect()
}
