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
fn matcher(expected: &Value) -> Option<(&str, &Value)> {
    let object = expected.as_object()?;
    if object.len() != 1 {
        return None;
    }
    let (key, value) = object.iter().next()?;
    key.starts_with('$').then_some((key.as_str(), value))
}

fn type_name(value: &Value) -> &'static str {
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
}
