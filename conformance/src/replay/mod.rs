//! Replays fixtures through the SDK against wiremock: for every exchange a mock server answers
//! the fixture's response made concrete ([`crate::matcher::sample`], completed from the
//! contract's schema by [`Schemas`]) to the recorded request only, the exchange's operation is
//! called through the SDK's typed builder ([`crate::sdk_dispatch::call`]), and the replay checks
//! that the SDK sent the recorded request (method, path, query, credential, `X-Request-ID`,
//! body) once and decoded the answer into the value or error it was sent.
//!
//! Setup steps are not replayed: they expect only a status, so there is no answer to decode.
//! Their captures get placeholder values (`sample_<name>`); captures of exchanges come from the
//! sampled answers, so later exchanges use what the SDK was answered.

mod check;
mod schema;
mod wire;

use std::collections::BTreeMap;

use serde_json::Value;
use wiremock::{Mock, MockServer};

pub use schema::Schemas;
pub use wire::{Answer, Credential, Recorded};

use crate::fixture::{Exchange, Fixture, Kind};
use crate::matcher::{compare, sample};
use crate::sdk_dispatch::{self, DispatchError, Outcome, ROUTES, Route};
use crate::vars::{Vars, as_text, lookup};

/// `${run}` of every replay.
pub const RUN: &str = "replay";

/// The credential of `auth: admin` (a session, as in the live run).
pub const ADMIN_TOKEN: &str = "ply_at_replay_admin";

/// Why an exchange did not replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The fixture sends a raw body (malformed JSON, another content type, an oversized body);
    /// a typed SDK sends only what its types serialize.
    RawBody,
    /// No operation of the contract has this method and path.
    NoOperation,
    /// The fixture sends a header the SDK has no setting for.
    Header,
    /// A path or query argument that the typed parameter cannot hold.
    Parameter,
    /// A body that the typed body cannot hold as given.
    Body,
    /// The SDK refused to send the request (nothing was sent).
    Refused,
    /// The SDK's request differs from the recorded one in its credential only.
    Credential,
    /// The SDK's request differs from the recorded one otherwise.
    Request,
    /// The SDK decoded the answer into something other than what it was sent.
    Answer,
    /// The fixture could not be prepared (a placeholder without a value, a sample that does
    /// not match its own expectation).
    Fixture,
}

impl FailureKind {
    /// The kind in snake_case, as skip lists name it.
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::RawBody => "raw_body",
            FailureKind::NoOperation => "no_operation",
            FailureKind::Header => "header",
            FailureKind::Parameter => "parameter",
            FailureKind::Body => "body",
            FailureKind::Refused => "refused",
            FailureKind::Credential => "credential",
            FailureKind::Request => "request",
            FailureKind::Answer => "answer",
            FailureKind::Fixture => "fixture",
        }
    }
}

/// Why an exchange did not replay, in detail.
#[derive(Debug, Clone)]
pub struct Failure {
    /// The class.
    pub kind: FailureKind,
    /// What happened.
    pub message: String,
}

fn fail(kind: FailureKind, message: impl Into<String>) -> Failure {
    Failure {
        kind,
        message: message.into(),
    }
}

/// The replay of one exchange.
#[derive(Debug, Clone)]
pub struct ExchangeResult {
    /// Its index in `exchanges`.
    pub index: usize,
    /// `METHOD path`, placeholders filled in.
    pub request: String,
    /// The operation it calls, if the contract has one for it.
    pub operation: Option<&'static str>,
    /// Whether it replayed.
    pub result: Result<(), Failure>,
}

/// The replay of one fixture.
#[derive(Debug, Clone)]
pub struct FixtureResult {
    /// `profile/name`.
    pub case: String,
    /// Positive or negative.
    pub kind: Kind,
    /// One per exchange.
    pub exchanges: Vec<ExchangeResult>,
}

/// Replays fixtures through the SDK.
#[derive(Debug, Clone)]
pub struct Replayer {
    schemas: Schemas,
}

impl Replayer {
    /// A replayer for the contract `spec_yaml` (the document the SDK was generated from).
    pub fn new(spec_yaml: &str) -> Result<Replayer, String> {
        Ok(Replayer {
            schemas: Schemas::new(spec_yaml)?,
        })
    }

    /// Replays every exchange of `fixture`, each against a fresh mock.
    pub async fn replay(&self, fixture: &Fixture) -> FixtureResult {
        let mut vars = Vars::new();
        vars.set("run", RUN);
        vars.set("admin_token", ADMIN_TOKEN);
        for step in &fixture.setup {
            let schema = vars
                .substitute_str(&step.request.path)
                .ok()
                .and_then(|path| route(&step.request.method, &path))
                .and_then(|(r, _)| {
                    self.schemas
                        .response(r.method, r.path, step.response.status)
                });
            for (name, source) in &step.capture {
                vars.set(name.clone(), self.placeholder(name, source, schema));
            }
        }
        let server = MockServer::start().await;
        let mut exchanges = Vec::with_capacity(fixture.exchanges.len());
        for (index, exchange) in fixture.exchanges.iter().enumerate() {
            server.reset().await;
            let method = &exchange.request.method;
            let path = vars.substitute_str(&exchange.request.path).ok();
            let route = path.as_deref().and_then(|path| route(method, path));
            let request = format!(
                "{method} {}",
                path.as_deref().unwrap_or(&exchange.request.path)
            );
            let result = self
                .exchange(&server, fixture, index, exchange, route.as_ref(), &mut vars)
                .await;
            exchanges.push(ExchangeResult {
                index,
                request,
                operation: route.map(|(r, _)| r.operation),
                result,
            });
        }
        FixtureResult {
            case: format!("{}/{}", fixture.profile, fixture.name),
            kind: fixture.kind,
            exchanges,
        }
    }

    async fn exchange(
        &self,
        server: &MockServer,
        fixture: &Fixture,
        index: usize,
        exchange: &Exchange,
        route: Option<&(&'static Route, BTreeMap<String, String>)>,
        vars: &mut Vars,
    ) -> Result<(), Failure> {
        let answer = self.answer(exchange, route.map(|(r, _)| *r), vars)?;
        capture(exchange, &answer, vars);
        let request = &exchange.request;
        if request.raw_body.is_some() {
            return Err(fail(FailureKind::RawBody, "the fixture sends a raw body"));
        }
        let Some((route, path_args)) = route else {
            return Err(fail(
                FailureKind::NoOperation,
                "no operation of the contract has this method and path",
            ));
        };
        let recorded = Recorded::of(fixture, index, exchange, vars)?;
        let query = recorded.query.clone();
        let template = answer
            .template()
            .map_err(|e| fail(FailureKind::Fixture, e))?;
        Mock::given(recorded.clone())
            .respond_with(template)
            .mount(server)
            .await;
        let client = client(server, &recorded)?;
        let outcome = sdk_dispatch::call(
            &client,
            route.operation,
            path_args,
            &query,
            recorded.body.as_ref(),
        )
        .await;
        let received = server.received_requests().await.unwrap_or_default();
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(DispatchError::Parameter { name, reason }) => {
                return Err(fail(FailureKind::Parameter, format!("{name}: {reason}")));
            }
            Err(DispatchError::Body(reason)) => return Err(fail(FailureKind::Body, reason)),
            Err(other) => return Err(fail(FailureKind::Answer, other.to_string())),
        };
        if let (true, Outcome::Error(plystra::Error::InvalidRequest(reason))) =
            (received.is_empty(), &outcome)
        {
            return Err(fail(FailureKind::Refused, reason.clone()));
        }
        let [sent] = received.as_slice() else {
            return Err(fail(
                FailureKind::Request,
                format!(
                    "the SDK sent {} requests for {}",
                    received.len(),
                    recorded.describe()
                ),
            ));
        };
        let differences = recorded.differences(sent);
        if !differences.is_empty() {
            let kind = if differences.iter().all(|(part, _)| *part == "credential") {
                FailureKind::Credential
            } else {
                FailureKind::Request
            };
            let sent: Vec<String> = differences
                .iter()
                .map(|(part, value)| format!("{part} {value}"))
                .collect();
            return Err(fail(
                kind,
                format!(
                    "recorded {}; the SDK sent {}",
                    recorded.describe(),
                    sent.join(", ")
                ),
            ));
        }
        check::outcome(&answer, outcome).map_err(|e| fail(FailureKind::Answer, e))
    }

    /// A value for a capture of a setup step, which has no answer to capture from:
    /// `sample_<name>`, or an example of the schema where that wants a time, an enum or a
    /// pattern (so that the SDK can decode an answer that repeats it).
    fn placeholder(&self, name: &str, source: &str, schema: Option<&Value>) -> String {
        let typed = source
            .strip_prefix("body.")
            .zip(schema)
            .and_then(|(path, schema)| self.schemas.at(schema, path))
            .filter(|schema| !self.schemas.is_free_text(schema));
        match typed {
            Some(schema) => as_text(&self.schemas.example(schema)),
            None => format!("sample_{name}"),
        }
    }

    /// The exchange's expected response made concrete: sampled, and completed from the
    /// operation's response schema. Checks that it still matches the expectation.
    fn answer(
        &self,
        exchange: &Exchange,
        route: Option<&Route>,
        vars: &Vars,
    ) -> Result<Answer, Failure> {
        let expected = &exchange.response;
        let substituted = |value: &Value| {
            vars.substitute(value)
                .map_err(|e| fail(FailureKind::Fixture, e))
        };
        let mut headers = BTreeMap::new();
        for (name, value) in &expected.headers {
            if let Some(value) = sample(&substituted(value)?) {
                headers.insert(name.to_lowercase(), as_text(&value));
            }
        }
        let schema = route.and_then(|r| self.schemas.response(r.method, r.path, expected.status));
        let body = match &expected.body {
            Some(body) => {
                let body = substituted(body)?;
                let completed = self.schemas.complete(&body, sample(&body), schema);
                let mismatches = compare(&body, completed.as_ref());
                if !mismatches.is_empty() {
                    return Err(fail(
                        FailureKind::Fixture,
                        format!("the sampled body does not match its expectation: {mismatches:?}"),
                    ));
                }
                completed
            }
            None => schema.map(|s| self.schemas.example(s)),
        };
        let media_type =
            route.and_then(|r| self.schemas.media_type(r.method, r.path, expected.status));
        if let (false, Some(media_type)) = (headers.contains_key("content-type"), media_type) {
            headers.insert("content-type".into(), media_type.to_string());
        }
        let request_id = body
            .as_ref()
            .and_then(|b| b.get("request_id"))
            .and_then(Value::as_str);
        if let (false, Some(id)) = (headers.contains_key("x-request-id"), request_id) {
            headers.insert("x-request-id".into(), id.to_string());
        }
        Ok(Answer {
            status: expected.status,
            headers,
            body,
        })
    }
}

/// The operation of `method path` and its path arguments; literal segments win over
/// parameters (`/groups/tree` over `/groups/{group_id}`).
pub fn route(method: &str, path: &str) -> Option<(&'static Route, BTreeMap<String, String>)> {
    let segments: Vec<&str> = path.split('/').collect();
    let candidates = ROUTES
        .iter()
        .filter(|r| r.method == method)
        .filter_map(|r| {
            let template: Vec<&str> = r.path.split('/').collect();
            if template.len() != segments.len() {
                return None;
            }
            let mut args = BTreeMap::new();
            let mut literals = 0;
            for (part, segment) in template.iter().zip(&segments) {
                match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) if !segment.is_empty() => {
                        args.insert(name.to_string(), segment.to_string());
                    }
                    None if part == segment => literals += 1,
                    _ => return None,
                }
            }
            Some((literals, r, args))
        });
    candidates
        .max_by_key(|(literals, ..)| *literals)
        .map(|(_, r, args)| (r, args))
}

/// Remembers the exchange's captures from the sampled answer.
fn capture(exchange: &Exchange, answer: &Answer, vars: &mut Vars) {
    for (name, source) in &exchange.capture {
        let value = match source.split_once('.') {
            Some(("body", path)) => answer
                .body
                .as_ref()
                .and_then(|b| lookup(b, path))
                .map(as_text),
            Some(("header", header)) => answer.headers.get(&header.to_lowercase()).cloned(),
            _ => None,
        };
        vars.set(
            name.clone(),
            value.unwrap_or_else(|| format!("sample_{name}")),
        );
    }
}

/// An SDK client for the mock that holds the recorded credential and sends the recorded
/// request id.
fn client(server: &MockServer, recorded: &Recorded) -> Result<plystra::Plystra, Failure> {
    let builder = plystra::Plystra::builder(server.uri());
    let builder = match &recorded.credential {
        Credential::None => builder,
        Credential::Bearer(token) => builder.access_token(token),
        Credential::ApiKey(key) => builder.api_key(key),
    };
    let client = builder
        .build()
        .map_err(|e| fail(FailureKind::Fixture, format!("building the client: {e}")))?;
    Ok(client.with_request_id(&recorded.request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_prefer_literal_segments() {
        let (r, args) = route("GET", "/api/v1/spaces/s1/groups/tree").unwrap();
        assert_eq!(r.operation, "get_group_tree");
        assert_eq!(args["space_id"], "s1");
        let (r, args) = route("GET", "/api/v1/spaces/s1/groups/g1").unwrap();
        assert_eq!(r.operation, "get_group");
        assert_eq!(args["group_id"], "g1");
        assert!(route("DELETE", "/api/v1/users").is_none());
        assert!(route("GET", "/api/v1/no-such-route").is_none());
    }
}
