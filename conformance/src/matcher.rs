//! Expected values with matchers, compared against actual JSON, reporting every difference at
//! its JSON path.
//!
//! An expected value is plain JSON, except that an object with exactly one `$`-key is a matcher:
//!
//! | matcher | matches |
//! |---|---|
//! | `{$any: string}` (or `number`, `boolean`, `object`, `array`, `null`, `value`) | any value of that type |
//! | `{$regex: "^req_[0-9a-f]{16}$"}` | a string matching the pattern |
//! | `{$time: rfc3339}` | an RFC 3339 timestamp string |
//! | `{$absent: true}` | the key is missing (as an object member) |
//! | `{$ignore: true}` | anything, present or not |
//! | `{$contains: {…}}` | an object with at least these members (others allowed) |
//! | `{$unordered: […]}` | an array with these elements in any order |
//!
//! Plain objects must have exactly the expected members; plain arrays the expected elements in
//! order. `${name}` inside expected strings is replaced by the captured value first
//! ([`crate::vars::Vars::substitute`]).

use std::fmt;

use regex::Regex;
use serde_json::Value;

/// One difference between expected and actual.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    /// Where: `$.data.items[2].id`.
    pub path: String,
    /// What was expected (a value or a matcher's description).
    pub expected: String,
    /// What was there (`<missing>` when absent).
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.path, self.expected, self.actual
        )
    }
}

/// Compares `actual` with `expected` and answers every difference.
pub fn compare(expected: &Value, actual: Option<&Value>) -> Vec<Mismatch> {
    let mut out = Vec::new();
    walk("$", expected, actual, &mut out);
    out
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 120 {
        format!(
            "{}…",
            &text[..text.char_indices().nth(117).map_or(text.len(), |(i, _)| i)]
        )
    } else {
        text
    }
}

fn shown(actual: Option<&Value>) -> String {
    actual.map_or_else(|| "<missing>".to_string(), short)
}

/// The matcher of an object with exactly one `$`-key.
pub(crate) fn matcher(expected: &Value) -> Option<(&str, &Value)> {
    let object = expected.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let (key, value) = object.iter().next()?;
    key.starts_with('$').then_some((key.as_str(), value))
}

pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn walk(path: &str, expected: &Value, actual: Option<&Value>, out: &mut Vec<Mismatch>) {
    let miss = |out: &mut Vec<Mismatch>, expected: String| {
        out.push(Mismatch {
            path: path.to_string(),
            expected,
            actual: shown(actual),
        });
    };
    if let Some((name, argument)) = matcher(expected) {
        match name {
            "$ignore" => {}
            "$absent" => {
                if actual.is_some() {
                    miss(out, "no such member".into());
                }
            }
            "$any" => {
                let wanted = argument.as_str().unwrap_or("value");
                match actual {
                    Some(value) if wanted == "value" || type_name(value) == wanted => {}
                    _ => miss(out, format!("any {wanted}")),
                }
            }
            "$regex" => {
                let pattern = argument.as_str().unwrap_or_default();
                let ok = match (Regex::new(pattern), actual.and_then(Value::as_str)) {
                    (Ok(re), Some(text)) => re.is_match(text),
                    _ => false,
                };
                if !ok {
                    miss(out, format!("a string matching /{pattern}/"));
                }
            }
            "$time" => {
                let ok = actual
                    .and_then(Value::as_str)
                    .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok());
                if !ok {
                    miss(out, "an RFC 3339 timestamp".into());
                }
            }
            "$contains" => match (argument.as_object(), actual.and_then(Value::as_object)) {
                (Some(wanted), Some(got)) => {
                    for (key, value) in wanted {
                        walk(&member(path, key), value, got.get(key), out);
                    }
                }
                _ => miss(out, format!("an object containing {}", short(argument))),
            },
            "$unordered" => match (argument.as_array(), actual.and_then(Value::as_array)) {
                (Some(wanted), Some(got)) if wanted.len() == got.len() => {
                    let mut left: Vec<&Value> = got.iter().collect();
                    for value in wanted {
                        match left.iter().position(|g| compare(value, Some(g)).is_empty()) {
                            Some(i) => {
                                left.swap_remove(i);
                            }
                            None => miss(out, format!("an element matching {}", short(value))),
                        }
                    }
                }
                _ => miss(
                    out,
                    format!("the elements of {} in any order", short(argument)),
                ),
            },
            other => miss(out, format!("a known matcher (not {other})")),
        }
        return;
    }
    let Some(actual_value) = actual else {
        miss(out, short(expected));
        return;
    };
    match (expected, actual_value) {
        (Value::Object(wanted), Value::Object(got)) => {
            for (key, value) in wanted {
                walk(&member(path, key), value, got.get(key), out);
            }
            for key in got.keys().filter(|k| !wanted.contains_key(*k)) {
                out.push(Mismatch {
                    path: member(path, key),
                    expected: "no such member".into(),
                    actual: short(&got[key]),
                });
            }
        }
        (Value::Array(wanted), Value::Array(got)) => {
            if wanted.len() != got.len() {
                out.push(Mismatch {
                    path: path.to_string(),
                    expected: format!("{} elements", wanted.len()),
                    actual: format!("{} elements", got.len()),
                });
            }
            for (i, (w, g)) in wanted.iter().zip(got).enumerate() {
                walk(&format!("{path}[{i}]"), w, Some(g), out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        _ => miss(out, short(expected)),
    }
}

/// The timestamp [`sample`] gives for `{$time: rfc3339}`.
pub const SAMPLE_TIME: &str = "2026-01-02T03:04:05Z";

/// A concrete value that `expected` matches, for answering with a recorded response (a mock
/// server must send a body, while a fixture describes it with matchers); `None` where the
/// member is best left out (`$absent`, `$ignore`).
///
/// `{$any: string}` gives `"x"` (`0`, `false`, `{}`, `[]` and `null` for the other types),
/// `$regex` a string generated from the pattern ([`sample_regex`]), `$time` [`SAMPLE_TIME`],
/// `$contains` its members and `$unordered` its elements in the order written. `${name}`
/// placeholders are not substituted here: substitute first.
pub fn sample(expected: &Value) -> Option<Value> {
    if let Some((name, argument)) = matcher(expected) {
        return match name {
            "$absent" | "$ignore" => None,
            "$any" => Some(match argument.as_str().unwrap_or("value") {
                "string" => Value::String("x".into()),
                "number" => Value::from(0),
                "boolean" => Value::Bool(false),
                "object" => Value::Object(serde_json::Map::new()),
                "array" => Value::Array(Vec::new()),
                _ => Value::Null,
            }),
            "$regex" => sample_regex(argument.as_str().unwrap_or_default()).map(Value::String),
            "$time" => Some(Value::String(SAMPLE_TIME.into())),
            "$contains" => sample(argument),
            "$unordered" => sample(argument),
            _ => None,
        };
    }
    Some(match expected {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter_map(|(key, value)| Some((key.clone(), sample(value)?)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| sample(item).unwrap_or(Value::Null))
                .collect(),
        ),
        other => other.clone(),
    })
}

/// A short string matching `pattern`: literals as written, the first alternative, the fewest
/// repetitions allowed, and from each class a letter or digit where it has one. `None` when the
/// pattern does not parse or the string made does not match (look-arounds the generator does
/// not model, such as `\b` between two letters).
pub fn sample_regex(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    generate(&hir, &mut out)?;
    Regex::new(pattern).ok()?.is_match(&out).then_some(out)
}

fn generate(hir: &regex_syntax::hir::Hir, out: &mut String) -> Option<()> {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(std::str::from_utf8(&literal.0).ok()?),
        HirKind::Class(Class::Unicode(class)) => out.push(pick(
            class
                .ranges()
                .iter()
                .flat_map(|r| (r.start()..=r.end()).take(128)),
        )?),
        HirKind::Class(Class::Bytes(class)) => {
            out.push(pick(class.ranges().iter().flat_map(|r| {
                (r.start()..=r.end()).filter(u8::is_ascii).map(char::from)
            }))?)
        }
        HirKind::Repetition(repetition) => {
            for _ in 0..repetition.min {
                generate(&repetition.sub, out)?;
            }
        }
        HirKind::Capture(capture) => generate(&capture.sub, out)?,
        HirKind::Concat(parts) => {
            for part in parts {
                generate(part, out)?;
            }
        }
        HirKind::Alternation(branches) => generate(branches.first()?, out)?,
    }
    Some(())
}

/// A readable character of a class: a lowercase letter, else a digit, else an uppercase letter,
/// else any visible ASCII character, else the first one.
fn pick(chars: impl Iterator<Item = char>) -> Option<char> {
    let chars: Vec<char> = chars.collect();
    let preferred: [fn(&char) -> bool; 4] = [
        char::is_ascii_lowercase,
        char::is_ascii_digit,
        char::is_ascii_uppercase,
        char::is_ascii_graphic,
    ];
    preferred
        .iter()
        .find_map(|wanted| chars.iter().copied().find(wanted))
        .or_else(|| chars.first().copied())
}

fn member(path: &str, key: &str) -> String {
    if key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        format!("{path}.{key}")
    } else {
        format!("{path}[{key:?}]")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(expected: Value, actual: Value) -> Vec<String> {
        let mut paths: Vec<String> = compare(&expected, Some(&actual))
            .into_iter()
            .map(|m| m.path)
            .collect();
        paths.sort();
        paths
    }

    #[test]
    fn plain_values_match_exactly_and_name_the_path() {
        assert!(
            paths(
                json!({"a": [1, {"b": "x"}]}),
                json!({"a": [1.0, {"b": "x"}]})
            )
            .is_empty()
        );
        assert_eq!(
            paths(
                json!({"a": [1, {"b": "x"}]}),
                json!({"a": [1, {"b": "y", "c": 1}]})
            ),
            ["$.a[1].b", "$.a[1].c"]
        );
        assert_eq!(paths(json!({"a": 1, "b": 2}), json!({"a": 1})), ["$.b"]);
        assert_eq!(paths(json!([1, 2]), json!([1])), ["$"]);
    }

    #[test]
    fn matchers() {
        let expected = json!({
            "id": {"$regex": "^user_[0-9a-f]{16}$"},
            "created_at": {"$time": "rfc3339"},
            "secret": {"$absent": true},
            "noise": {"$ignore": true},
            "n": {"$any": "number"},
            "meta": {"$contains": {"a": 1}},
            "tags": {"$unordered": ["x", "y"]},
        });
        let good = json!({
            "id": "user_0123456789abcdef",
            "created_at": "2026-11-27T01:00:00Z",
            "n": 3,
            "meta": {"a": 1, "b": 2},
            "tags": ["y", "x"],
        });
        assert!(paths(expected.clone(), good).is_empty());
        let bad = json!({
            "id": "user_1",
            "created_at": "yesterday",
            "secret": "s",
            "noise": 1,
            "n": "3",
            "meta": {"b": 2},
            "tags": ["x", "x"],
        });
        assert_eq!(
            paths(expected, bad),
            [
                "$.created_at",
                "$.id",
                "$.meta.a",
                "$.n",
                "$.secret",
                "$.tags"
            ]
        );
    }

    #[test]
    fn mismatches_read_well() {
        let m = &compare(&json!({"a": "x"}), Some(&json!({"a": "y"})))[0];
        assert_eq!(m.to_string(), r#"$.a: expected "x", got "y""#);
        let m = &compare(&json!({"a": "x"}), Some(&json!({})))[0];
        assert_eq!(m.to_string(), r#"$.a: expected "x", got <missing>"#);
    }

    #[test]
    fn samples_are_concrete_values_the_matchers_accept() {
        let expected = json!({
            "id": {"$regex": "^user_[0-9a-f]{16}$"},
            "created_at": {"$time": "rfc3339"},
            "secret": {"$absent": true},
            "noise": {"$ignore": true},
            "s": {"$any": "string"},
            "n": {"$any": "number"},
            "b": {"$any": "boolean"},
            "o": {"$any": "object"},
            "a": {"$any": "array"},
            "v": {"$any": "value"},
            "meta": {"$contains": {"a": 1, "t": {"$time": "rfc3339"}}},
            "tags": {"$unordered": ["x", {"$regex": "^y"}]},
            "plain": [1, {"k": null}],
        });
        let sampled = sample(&expected).unwrap();
        assert_eq!(
            sampled,
            json!({
                "id": "user_aaaaaaaaaaaaaaaa",
                "created_at": SAMPLE_TIME,
                "s": "x",
                "n": 0,
                "b": false,
                "o": {},
                "a": [],
                "v": null,
                "meta": {"a": 1, "t": SAMPLE_TIME},
                "tags": ["x", "y"],
                "plain": [1, {"k": null}],
            })
        );
        assert!(compare(&expected, Some(&sampled)).is_empty());
        assert_eq!(sample(&json!({"$absent": true})), None);
    }

    #[test]
    fn regex_samples_cover_the_patterns_fixtures_use() {
        for (pattern, wanted) in [
            ("^req_", "req_"),
            ("^audit_[0-9a-f]{16}$", "audit_aaaaaaaaaaaaaaaa"),
            ("^2099-01-01T00:00:00(Z|\\+00:00)$", "2099-01-01T00:00:00Z"),
            ("^(active|disabled)$", "active"),
            (
                "^ply_ak_ak_[0-9a-f]{16}\\.[^.]+$",
                "ply_ak_ak_aaaaaaaaaaaaaaaa.a",
            ),
            ("^[a-z0-9][a-z0-9-]*$", "a"),
            ("^[0-9]+\\.[0-9]+\\.[0-9]+", "0.0.0"),
            ("^.+$", "a"),
            (
                "(?m)^authz_denies_total [1-9][0-9]*(\\.[0-9]+)?$",
                "authz_denies_total 1",
            ),
            ("(?i)x-plystra-api-key", "x-plystra-api-key"),
        ] {
            assert_eq!(sample_regex(pattern).as_deref(), Some(wanted), "{pattern}");
        }
        assert_eq!(sample_regex("("), None);
        // A word boundary between two word characters cannot hold: no sample rather than a
        // wrong one.
        assert_eq!(sample_regex("a\\bb"), None);
    }

    /// Every expectation of every fixture (status-only setup steps have none) has a sample
    /// that it matches; placeholders are replaced by a plain word first.
    #[test]
    fn every_fixture_expectation_matches_its_own_sample() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let fixtures = crate::Fixture::load_all(&root, &[]).unwrap();
        let placeholder = Regex::new(r"\$\{[^}]*\}").unwrap();
        let mut checked = 0;
        for fixture in &fixtures {
            for exchange in fixture.setup.iter().chain(&fixture.exchanges) {
                let response = &exchange.response;
                for expected in response.headers.values().chain(&response.body) {
                    let text = placeholder
                        .replace_all(&expected.to_string(), "v")
                        .into_owned();
                    let expected: Value = serde_json::from_str(&text).unwrap();
                    let sampled = sample(&expected);
                    let mismatches = compare(&expected, sampled.as_ref());
                    assert!(
                        mismatches.is_empty(),
                        "{}/{}: {mismatches:?}",
                        fixture.profile,
                        fixture.name
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 300, "{checked}");
    }
}
