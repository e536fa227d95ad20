//! How `record` turns a real response into an expectation that holds on the next run, on the
//! other backend and after re-recording, byte for byte.
//!
//! The general rules, for every string in the body and in the recorded headers:
//!
//! 1. the whole value of a variable known at that point (captured earlier in the case, or the
//!    admin credential) becomes `${name}`;
//! 2. an RFC 3339 timestamp becomes `{$time: rfc3339}`;
//! 3. a generated request id (`req_` + 16 hex) becomes `{$regex: "^req_"}`;
//! 4. a string with generated parts (`_` or `.` then 16 or 64 hex digits: row ids, trace and
//!    audit ids, tokens, API key secrets; embedded timestamps) becomes an anchored regex of its
//!    other parts, e.g. `{$regex: "^member_[0-9a-f]{16}$"}` or
//!    `{$regex: "^ply_ak_ak_${run}\\.[0-9a-f]{64}$"}`;
//! 5. otherwise it is kept, with the run id put back as `${run}` and longer variable values
//!    (6+ characters, standing alone) as `${name}`.
//!
//! A member named `cursor` holding a string (an opaque page cursor), and the error envelope's
//! `error.message` and a text `error.details` (the contract fixes the code, not the wording),
//! become `{$any: string}`.
//! Everything else (numbers, booleans, null, structure) is kept exactly; object members come
//! out sorted by name. Only the headers in [`RECORDED_HEADERS`] are recorded. A scenario's
//! hints ([`crate::scenario::Expect`]) override the rules where they cannot decide.

mod path;
mod text;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use self::path::{Root, Seg, covers, parse};
use self::text::Known;
pub use self::text::REQUEST_ID;
use crate::scenario::Expect;
use crate::vars::Vars;

/// Response headers recorded when present; others only through a hint.
pub const RECORDED_HEADERS: [&str; 9] = [
    "allow",
    "content-type",
    "location",
    "retry-after",
    "www-authenticate",
    "x-plystra-audit-log-id",
    "x-plystra-error-code",
    "x-plystra-trace-id",
    "x-request-id",
];

#[derive(Debug, Clone, Copy)]
enum Action<'a> {
    Match(&'a Value),
    Keep,
    Contains(&'a [String]),
    Unordered,
}

#[derive(Debug)]
struct Hint<'a> {
    text: &'a str,
    root: Root,
    path: Vec<Seg>,
    action: Action<'a>,
}

/// One response's normalisation: the variables known before it and the step's hints.
#[derive(Debug)]
pub struct Normaliser<'a> {
    known: Known<'a>,
    hints: Vec<Hint<'a>>,
    used: Vec<bool>,
}

impl<'a> Normaliser<'a> {
    /// Rules with `vars` (its `run` and every other value) and `expect`'s hints.
    pub fn new(vars: &'a Vars, expect: &'a Expect) -> Result<Normaliser<'a>, String> {
        let mut hints = Vec::new();
        let mut add = |text: &'a String, action: Action<'a>| -> Result<(), String> {
            let (root, path) = parse(text)?;
            hints.push(Hint {
                text,
                root,
                path,
                action,
            });
            Ok(())
        };
        for (text, value) in &expect.matchers {
            add(text, Action::Match(value))?;
        }
        for text in &expect.keep {
            add(text, Action::Keep)?;
        }
        for (text, members) in &expect.contains {
            add(text, Action::Contains(members))?;
        }
        for text in &expect.unordered {
            add(text, Action::Unordered)?;
        }
        Ok(Normaliser {
            known: Known::new(vars),
            used: vec![false; hints.len()],
            hints,
        })
    }

    /// The hints that matched nothing (a scenario out of date with the server).
    pub fn unused(&self) -> Vec<&str> {
        self.hints
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !**used)
            .map(|(hint, _)| hint.text)
            .collect()
    }

    fn find(
        &mut self,
        root: Root,
        path: &[Seg],
        want: fn(&Action<'a>) -> bool,
    ) -> Option<Action<'a>> {
        let i = self
            .hints
            .iter()
            .position(|h| h.root == root && want(&h.action) && covers(&h.path, path))?;
        self.used[i] = true;
        Some(self.hints[i].action)
    }

    /// The recorded headers: [`RECORDED_HEADERS`] when present, and those hints name.
    pub fn headers(&mut self, headers: &reqwest::header::HeaderMap) -> BTreeMap<String, Value> {
        let mut names: Vec<String> = RECORDED_HEADERS.iter().map(|n| n.to_string()).collect();
        names.extend(
            self.hints
                .iter()
                .filter(|h| h.root == Root::Header)
                .filter_map(|h| match h.path.first() {
                    Some(Seg::Key(name)) => Some(name.clone()),
                    _ => None,
                }),
        );
        names.sort();
        names.dedup();
        let mut out = BTreeMap::new();
        for name in names {
            let path = [Seg::Key(name.clone())];
            if let Some(Action::Match(value)) =
                self.find(Root::Header, &path, |a| matches!(a, Action::Match(_)))
            {
                out.insert(name, sorted(value));
                continue;
            }
            let Some(value) = headers.get(&name).and_then(|v| v.to_str().ok()) else {
                continue;
            };
            let kept = self
                .find(Root::Header, &path, |a| matches!(a, Action::Keep))
                .is_some();
            let recorded = if kept {
                Value::String(self.known.placeholders(value))
            } else if RECORDED_HEADERS.contains(&name.as_str()) {
                self.known.string(value)
            } else {
                continue;
            };
            out.insert(name, recorded);
        }
        out
    }

    /// The recorded body.
    pub fn body(&mut self, body: &Value) -> Value {
        self.walk(body, &mut Vec::new(), false)
    }

    fn walk(&mut self, value: &Value, path: &mut Vec<Seg>, literal: bool) -> Value {
        if let Some(Action::Match(m)) =
            self.find(Root::Body, path, |a| matches!(a, Action::Match(_)))
        {
            return sorted(m);
        }
        let literal = literal
            || self
                .find(Root::Body, path, |a| matches!(a, Action::Keep))
                .is_some();
        if !literal && is_free_text(path, value) {
            return json!({"$any": "string"});
        }
        match value {
            Value::Object(map) => {
                let only = match self.find(Root::Body, path, |a| matches!(a, Action::Contains(_))) {
                    Some(Action::Contains(members)) => Some(members),
                    _ => None,
                };
                let mut out = BTreeMap::new();
                for (key, member) in map {
                    if only.is_some_and(|o| !o.contains(key)) {
                        continue;
                    }
                    path.push(Seg::Key(key.clone()));
                    let recorded = self.walk(member, path, literal);
                    path.pop();
                    out.insert(key.clone(), recorded);
                }
                // Matchers for members that did not come back this time (`$ignore`, `$absent`).
                for i in 0..self.hints.len() {
                    let hint = &self.hints[i];
                    let (Action::Match(m), Some((Seg::Key(key), parent))) =
                        (hint.action, hint.path.split_last())
                    else {
                        continue;
                    };
                    if hint.root == Root::Body && covers(parent, path) && !out.contains_key(key) {
                        out.insert(key.clone(), sorted(m));
                        self.used[i] = true;
                    }
                }
                let object = Value::Object(out.into_iter().collect());
                match only {
                    Some(_) => json!({"$contains": object}),
                    None => object,
                }
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    out.push(self.walk(item, path, literal));
                    path.pop();
                }
                match self.find(Root::Body, path, |a| matches!(a, Action::Unordered)) {
                    Some(_) => {
                        // The server's order may change between recordings; the text may not.
                        out.sort_by_cached_key(|v| v.to_string());
                        json!({"$unordered": out})
                    }
                    None => Value::Array(out),
                }
            }
            Value::String(s) if literal => Value::String(self.known.placeholders(s)),
            Value::String(s) => self.known.string(s),
            other => other.clone(),
        }
    }
}

/// Whether the member at `path` is one whose value is the server's own business: an opaque
/// page cursor, or the human-readable text of the error envelope (the contract fixes the code,
/// not the wording).
fn is_free_text(path: &[Seg], value: &Value) -> bool {
    let key = |i: usize| match path.get(i) {
        Some(Seg::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let last = path.len().checked_sub(1).and_then(key);
    value.is_string()
        && (last == Some("cursor")
            || (path.len() == 2
                && key(0) == Some("error")
                && matches!(last, Some("message" | "details"))))
}

/// `value` with every object's members in name order, whatever serde_json's map keeps.
pub fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                members
                    .into_iter()
                    .map(|(k, v)| (k.clone(), sorted(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::header::{HeaderMap, HeaderValue};

    use super::text::TIME;

    use super::*;

    fn vars() -> Vars {
        let mut vars = Vars::new();
        vars.set("run", "1a2b3c4d");
        vars.set("member_id", "member_00112233aabbccdd");
        vars.set("admin_user", "user_alice");
        vars.set("version", "7");
        vars
    }

    fn expect(yaml: &str) -> Expect {
        serde_yaml::from_str(yaml).unwrap()
    }

    fn body(expect: &Expect, value: Value) -> Value {
        let vars = vars();
        let mut n = Normaliser::new(&vars, expect).unwrap();
        let out = n.body(&value);
        assert!(n.unused().is_empty(), "{:?}", n.unused());
        out
    }

    #[test]
    fn general_rules() {
        let out = body(
            &Expect::default(),
            json!({
                "request_id": "req_0123456789abcdef",
                "client_request_id": "req_cf_1a2b3c4d",
                "id": "member_0123456789abcdef",
                "space_id": "space_cf_1a2b3c4d",
                "generated_in_run": "bill_1a2b3c4d_0123456789abcdef",
                "member": "member_00112233aabbccdd",
                "short": "7",
                "admin": "user_alice",
                "in_text": "member member_00112233aabbccdd of user_alice_x in space_cf_1a2b3c4d",
                "created_at": "2026-11-27T01:02:03.456Z",
                "expires_at": "2099-01-01T00:00:00+00:00",
                "message": "expired at 2026-11-27T01:02:03Z for trc_0123456789abcdef",
                "access_token": format!("ply_at_{}", "ab".repeat(32)),
                "api_key": format!("ply_ak_ak_akc_1a2b3c4d.{}", "0f".repeat(32)),
                "generated_key": format!("ply_ak_ak_0123456789abcdef.{}", "0f".repeat(32)),
                "pagination": {"cursor": "eyJrIjpbXX0", "limit": 7, "has_more": true},
                "null_cursor": {"cursor": null},
                "items": [1, "user_alice", {"b": false, "a": null}],
                "hex17": "x_0123456789abcdef0",
                "error": {"code": "VALIDATION_FAILED", "message": "Bad.", "details": "at 1:2"},
                "data": {"error": {"message": "kept: not the envelope"}, "details": {"a": "b"}},
            }),
        );
        assert_eq!(
            out,
            json!({
                "request_id": {"$regex": "^req_"},
                "client_request_id": "req_cf_${run}",
                "id": {"$regex": "^member_[0-9a-f]{16}$"},
                "space_id": "space_cf_${run}",
                "generated_in_run": {"$regex": "^bill_${run}_[0-9a-f]{16}$"},
                "member": "${member_id}",
                "short": "${version}",
                "admin": "${admin_user}",
                "in_text": "member ${member_id} of user_alice_x in space_cf_${run}",
                "created_at": {"$time": "rfc3339"},
                "expires_at": {"$time": "rfc3339"},
                "message": {"$regex": format!(
                    "^expired at {TIME} for trc_[0-9a-f]{{16}}$"
                )},
                "access_token": {"$regex": "^ply_at_[0-9a-f]{64}$"},
                "api_key": {"$regex": "^ply_ak_ak_akc_${run}\\.[0-9a-f]{64}$"},
                "generated_key": {"$regex": "^ply_ak_ak_[0-9a-f]{16}\\.[0-9a-f]{64}$"},
                "pagination": {"cursor": {"$any": "string"}, "limit": 7, "has_more": true},
                "null_cursor": {"cursor": null},
                "items": [1, "${admin_user}", {"a": null, "b": false}],
                "hex17": "x_0123456789abcdef0",
                "error": {"code": "VALIDATION_FAILED", "message": {"$any": "string"}, "details": {"$any": "string"}},
                "data": {"error": {"message": "kept: not the envelope"}, "details": {"a": "b"}},
            })
        );
        // Members come out sorted, whatever the response's order.
        let text = serde_json::to_string(&out["items"][2]).unwrap();
        assert_eq!(text, r#"{"a":null,"b":false}"#);
    }

    #[test]
    fn hints_override_the_rules() {
        let expect = expect(
            r#"
match:
  body.data[*].email: {$any: string}
  body.data[0].ignored: {$ignore: true}
  body.cursor: "${run}"
keep: ["body.data[1].expires_at", body.literal]
contains: {body.only: [id]}
unordered: [body.tags]
"#,
        );
        let out = body(
            &expect,
            json!({
                "data": [
                    {"email": "a@example.com", "expires_at": "2099-01-01T00:00:00Z"},
                    {"email": "b@example.com", "expires_at": "2099-01-01T00:00:00Z"},
                ],
                "cursor": "abc",
                "literal": {"id": "member_0123456789abcdef", "in": "x_1a2b3c4d"},
                "only": {"id": "space_cf_1a2b3c4d", "name": "dropped"},
                "tags": ["b", "a"],
            }),
        );
        assert_eq!(
            out,
            json!({
                "data": [
                    {"email": {"$any": "string"}, "expires_at": {"$time": "rfc3339"}, "ignored": {"$ignore": true}},
                    {"email": {"$any": "string"}, "expires_at": "2099-01-01T00:00:00Z"},
                ],
                "cursor": "${run}",
                "literal": {"id": "member_0123456789abcdef", "in": "x_${run}"},
                "only": {"$contains": {"id": "space_cf_${run}"}},
                "tags": {"$unordered": ["a", "b"]},
            })
        );
    }

    #[test]
    fn stale_and_malformed_hints_are_reported() {
        let vars = vars();
        let stale = expect("match: {body.gone.x: 1, header.x-nope: {$absent: true}}");
        let mut n = Normaliser::new(&vars, &stale).unwrap();
        n.body(&json!({"a": 1}));
        n.headers(&HeaderMap::new());
        assert_eq!(n.unused(), ["body.gone.x"]);
        for bad in ["data.x", "body.", "body[x]", "body[1", "header."] {
            let e = expect(&format!("keep: [{bad:?}]"));
            assert!(Normaliser::new(&vars, &e).is_err(), "{bad}");
        }
    }

    #[test]
    fn headers_that_matter_are_recorded() {
        let vars = vars();
        let e = expect(
            r#"
keep: [header.vary]
match: {header.access-control-allow-origin: {$absent: true}}
"#,
        );
        let mut n = Normaliser::new(&vars, &e).unwrap();
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-request-id", "req_0123456789abcdef"),
            ("content-type", "application/json; charset=utf-8"),
            ("x-plystra-trace-id", "trc_0123456789abcdef"),
            ("vary", "origin"),
            ("date", "Fri, 27 Nov 2026 01:00:00 GMT"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        let out = n.headers(&headers);
        assert!(n.unused().is_empty());
        assert_eq!(
            serde_json::to_value(out).unwrap(),
            json!({
                "access-control-allow-origin": {"$absent": true},
                "content-type": "application/json; charset=utf-8",
                "vary": "origin",
                "x-plystra-trace-id": {"$regex": "^trc_[0-9a-f]{16}$"},
                "x-request-id": {"$regex": "^req_"},
            })
        );
    }
}
