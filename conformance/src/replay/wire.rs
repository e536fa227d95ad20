//! The request a mock server accepts (the recorded one) and the response it answers (sampled).

use std::collections::BTreeMap;

use serde_json::Value;
use wiremock::ResponseTemplate;
use wiremock::http::{HeaderName, HeaderValue};

use super::{ADMIN_TOKEN, Failure, FailureKind, fail};
use crate::fixture::{Exchange, Fixture};
use crate::vars::Vars;

/// The credential a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// None.
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `X-Plystra-API-Key: <key>`.
    ApiKey(String),
}

impl Credential {
    /// What a received request carries; more than one credential is an error.
    fn of(headers: &wiremock::http::HeaderMap) -> Result<Credential, String> {
        let text = |name: &str| {
            headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
        };
        match (text("authorization"), text("x-plystra-api-key")) {
            (None, None) => Ok(Credential::None),
            (Some(auth), None) => match auth.strip_prefix("Bearer ") {
                Some(token) => Ok(Credential::Bearer(token.to_string())),
                None => Err(format!("Authorization: {auth}")),
            },
            (None, Some(key)) => Ok(Credential::ApiKey(key)),
            (Some(auth), Some(key)) => Err(format!(
                "both Authorization: {auth} and X-Plystra-API-Key: {key}"
            )),
        }
    }

    fn describe(&self) -> String {
        match self {
            Credential::None => "no credential".into(),
            Credential::Bearer(token) => format!("Authorization: Bearer {token}"),
            Credential::ApiKey(key) => format!("X-Plystra-API-Key: {key}"),
        }
    }
}

/// What the SDK must send: the fixture's request with its placeholders filled in.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path, as in the fixture.
    pub path: String,
    /// The query parameters.
    pub query: BTreeMap<String, String>,
    /// The credential.
    pub credential: Credential,
    /// `X-Request-ID` (surrounding whitespace is not part of a header value).
    pub request_id: String,
    /// The JSON body; `None` also accepts `{}`, the default body an SDK builder sends for an
    /// operation whose body is optional.
    pub body: Option<Value>,
}

impl Recorded {
    /// The request the SDK must send for exchange `index` of `fixture`.
    pub fn of(
        fixture: &Fixture,
        index: usize,
        exchange: &Exchange,
        vars: &Vars,
    ) -> Result<Recorded, Failure> {
        let request = &exchange.request;
        let placeholder = |e: String| fail(FailureKind::Fixture, e);
        let mut query = BTreeMap::new();
        for (name, value) in &request.query {
            query.insert(
                name.clone(),
                vars.substitute_str(value).map_err(placeholder)?,
            );
        }
        let mut request_id = None;
        let mut from_header = None;
        for (name, value) in &request.headers {
            let value = vars.substitute_str(value).map_err(placeholder)?;
            match name.to_lowercase().as_str() {
                "x-request-id" => request_id = Some(value),
                "authorization" => match value.strip_prefix("Bearer ") {
                    Some(token) => from_header = Some(Credential::Bearer(token.to_string())),
                    None => return Err(fail(FailureKind::Header, format!("{name}: {value}"))),
                },
                "x-plystra-api-key" => from_header = Some(Credential::ApiKey(value)),
                _ => {
                    return Err(fail(
                        FailureKind::Header,
                        format!("the SDK has no setting for {name}"),
                    ));
                }
            }
        }
        let variable = |name: &str| {
            vars.get(name)
                .map(str::to_string)
                .ok_or_else(|| fail(FailureKind::Fixture, format!("unknown variable {name}")))
        };
        let from_auth = match request.auth.split_once(':') {
            _ if request.auth == "none" => Credential::None,
            _ if request.auth == "admin" => Credential::Bearer(ADMIN_TOKEN.into()),
            Some(("bearer", name)) => Credential::Bearer(variable(name)?),
            Some(("api_key", name)) => Credential::ApiKey(variable(name)?),
            _ => return Err(fail(FailureKind::Fixture, format!("auth {}", request.auth))),
        };
        let credential = match (from_auth, from_header) {
            (auth, None) => auth,
            (Credential::None, Some(header)) => header,
            (_, Some(_)) => {
                return Err(fail(
                    FailureKind::Header,
                    "a credential header beside `auth`",
                ));
            }
        };
        let body = match &request.body {
            Some(body) => Some(vars.substitute(body).map_err(placeholder)?),
            None => None,
        };
        Ok(Recorded {
            method: request.method.clone(),
            path: vars.substitute_str(&request.path).map_err(placeholder)?,
            query,
            credential,
            request_id: request_id.unwrap_or_else(|| {
                format!("req_replay_{}_{}_{index}", fixture.profile, fixture.name)
            }),
            body,
        })
    }

    /// Every part of `request` that differs from the recording: `(part, what was sent)`.
    pub fn differences(&self, request: &wiremock::Request) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if request.method.as_str() != self.method {
            out.push(("method", request.method.to_string()));
        }
        let path = percent_decode(request.url.path());
        if path != self.path {
            out.push(("path", path));
        }
        let pairs: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let query: BTreeMap<String, String> = pairs.iter().cloned().collect();
        if query != self.query || pairs.len() != query.len() {
            out.push(("query", format!("{pairs:?}")));
        }
        match Credential::of(&request.headers) {
            Ok(credential) if credential == self.credential => {}
            Ok(credential) => out.push(("credential", credential.describe())),
            Err(sent) => out.push(("credential", sent)),
        }
        let request_id = request
            .headers
            .get("x-request-id")
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string());
        if request_id.as_deref() != Some(self.request_id.trim()) {
            out.push(("request_id", format!("{request_id:?}")));
        }
        let body = if request.body.is_empty() {
            Ok(None)
        } else {
            serde_json::from_slice::<Value>(&request.body).map(Some)
        };
        let same_body = match (&body, &self.body) {
            (Ok(sent), Some(recorded)) => sent.as_ref() == Some(recorded),
            (Ok(None), None) => true,
            (Ok(Some(sent)), None) => sent.as_object().is_some_and(|o| o.is_empty()),
            (Err(_), _) => false,
        };
        if !same_body {
            out.push((
                "body",
                String::from_utf8_lossy(&request.body)
                    .chars()
                    .take(300)
                    .collect(),
            ));
        }
        out
    }

    /// The request as the fixture records it, for failure messages.
    pub fn describe(&self) -> String {
        let body = self
            .body
            .as_ref()
            .map_or_else(|| "no body".to_string(), Value::to_string);
        format!(
            "{} {} query {:?}, {}, X-Request-ID {:?}, {body}",
            self.method,
            self.path,
            self.query,
            self.credential.describe(),
            self.request_id
        )
    }
}

impl wiremock::Match for Recorded {
    fn matches(&self, request: &wiremock::Request) -> bool {
        self.differences(request).is_empty()
    }
}

/// A response made concrete from a fixture's expectation.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// Headers (names lower-case).
    pub headers: BTreeMap<String, String>,
    /// The body: JSON, or text when the `content-type` is not JSON.
    pub body: Option<Value>,
}

impl Answer {
    /// The answer as a wiremock response; fails on a header that is not a valid header.
    pub fn template(&self) -> Result<ResponseTemplate, String> {
        let mut template = ResponseTemplate::new(self.status);
        let content_type = self.headers.get("content-type");
        for (name, value) in &self.headers {
            let name = HeaderName::try_from(name.as_str()).map_err(|e| format!("{name}: {e}"))?;
            let value =
                HeaderValue::try_from(value.as_str()).map_err(|e| format!("{name}: {e}"))?;
            if name != "content-type" {
                template = template.insert_header(name, value);
            }
        }
        Ok(match (&self.body, content_type) {
            (Some(Value::String(text)), Some(mime)) if !mime.contains("json") => {
                template.set_body_raw(text.clone().into_bytes(), mime)
            }
            (Some(body), mime) => template.set_body_raw(
                body.to_string().into_bytes(),
                mime.map_or("application/json", String::as_str),
            ),
            (None, _) => template,
        })
    }
}

/// `%XX` escapes decoded (paths of fixtures are written decoded).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use wiremock::http::{HeaderMap, Method};

    use super::*;

    fn request(headers: &[(&'static str, &str)], body: &str) -> wiremock::Request {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        wiremock::Request {
            url: "http://mock/api/v1/spaces/s%201/members?limit=1"
                .parse()
                .unwrap(),
            method: Method::POST,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn differences_name_each_part_that_differs() {
        let mut recorded = Recorded {
            method: "POST".into(),
            path: "/api/v1/spaces/s 1/members".into(),
            query: [("limit".to_string(), "1".to_string())].into(),
            credential: Credential::Bearer("ply_at_1".into()),
            request_id: " req_1 ".into(),
            body: Some(json!({"display_name": "m"})),
        };
        let sent = request(
            &[
                ("authorization", "Bearer ply_at_1"),
                ("x-request-id", "req_1"),
            ],
            r#"{"display_name":"m"}"#,
        );
        assert!(recorded.differences(&sent).is_empty());

        let key = request(
            &[
                ("x-plystra-api-key", "ply_ak_1.s"),
                ("x-request-id", "req_2"),
            ],
            r#"{"display_name":"n"}"#,
        );
        let parts: Vec<&str> = recorded.differences(&key).iter().map(|d| d.0).collect();
        assert_eq!(parts, ["credential", "request_id", "body"]);

        // No body recorded: the SDK's default body `{}` is the same request.
        recorded.body = None;
        recorded.credential = Credential::None;
        assert!(
            recorded
                .differences(&request(&[("x-request-id", "req_1")], "{}"))
                .is_empty()
        );
        assert!(
            recorded
                .differences(&request(&[("x-request-id", "req_1")], ""))
                .is_empty()
        );
        let parts: Vec<&str> = recorded
            .differences(&request(&[("x-request-id", "req_1")], r#"{"a":1}"#))
            .iter()
            .map(|d| d.0)
            .collect();
        assert_eq!(parts, ["body"]);
    }

    #[test]
    fn percent_escapes_are_decoded() {
        assert_eq!(percent_decode("/a%20b/%7Bx%7D/%zz"), "/a b/{x}/%zz");
    }
}
