//! The layout `record` writes: block style, with any mapping or sequence that fits on its line
//! (100 columns) written in flow style as people write fixtures by hand (`{$regex: "^req_"}`).
//! Strings are plain where that reads back as the same string, else JSON-quoted. The output
//! depends only on the value, so re-recording the same responses gives the same bytes.

use serde_yaml::Value;

/// The line width flow collections must fit in.
const WIDTH: usize = 100;

/// `value` (a mapping at the top) as YAML text.
pub fn render(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(map) if !map.is_empty() => mapping(map, 0, &mut out),
        other => {
            out.push_str(&flow(other));
            out.push('\n');
        }
    }
    out
}

fn mapping(map: &serde_yaml::Mapping, indent: usize, out: &mut String) {
    for (key, value) in map {
        let head = format!("{}{}:", " ".repeat(indent), scalar(key, true));
        out.push_str(&head);
        nested(value, head.len(), indent, out);
    }
}

fn sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        let head = format!("{}-", " ".repeat(indent));
        match item {
            Value::Mapping(map) if !fits(item, head.len()) => {
                // The first member goes on the dash's line.
                let mut inner = String::new();
                mapping(map, indent + 2, &mut inner);
                out.push_str(&head);
                out.push_str(&inner[indent + 1..]);
            }
            Value::Sequence(seq) if !fits(item, head.len()) => {
                let mut inner = String::new();
                sequence(seq, indent + 2, &mut inner);
                out.push_str(&head);
                out.push_str(&inner[indent + 1..]);
            }
            _ => {
                out.push_str(&head);
                nested(item, head.len(), indent, out);
            }
        }
    }
}

/// After `key:` or `-` (`used` columns so far): the value on the same line, or below it.
fn nested(value: &Value, used: usize, indent: usize, out: &mut String) {
    match value {
        Value::Mapping(map) if !fits(value, used) => {
            out.push('\n');
            mapping(map, indent + 2, out);
        }
        Value::Sequence(seq) if !fits(value, used) => {
            out.push('\n');
            sequence(seq, indent + 2, out);
        }
        Value::Mapping(_) | Value::Sequence(_) => {
            out.push(' ');
            out.push_str(&flow(value));
            out.push('\n');
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, false));
            out.push('\n');
        }
    }
}

fn fits(value: &Value, used: usize) -> bool {
    let empty = match value {
        Value::Mapping(map) => map.is_empty(),
        Value::Sequence(seq) => seq.is_empty(),
        _ => true,
    };
    empty || used + 1 + flow(value).len() <= WIDTH
}

/// The value on one line.
fn flow(value: &Value) -> String {
    match value {
        Value::Mapping(map) => {
            let members: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", scalar(k, true), flow(v)))
                .collect();
            format!("{{{}}}", members.join(", "))
        }
        Value::Sequence(seq) => {
            let items: Vec<String> = seq.iter().map(flow).collect();
            format!("[{}]", items.join(", "))
        }
        other => scalar(other, true),
    }
}

/// A scalar; `in_flow` for keys and values inside `{…}` or `[…]`, where fewer characters may
/// stay plain.
fn scalar(value: &Value, in_flow: bool) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if plain(s, in_flow) => s.clone(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        other => flow(&serde_yaml::to_value(other).unwrap_or(Value::Null)),
    }
}

/// Whether `s` may be written without quotes.
fn plain(s: &str, in_flow: bool) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let indicator = "-?:,[]{}#&*!|>'\"%@`".contains(first);
    // Inside `{…}` and `[…]` a space or `;` would still read back, but quotes read easier.
    let flow_unsafe = in_flow && s.contains([',', '[', ']', '{', '}', ':', ' ', ';']);
    if indicator
        || flow_unsafe
        || s.trim() != s
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(char::is_control)
    {
        return false;
    }
    matches!(serde_yaml::from_str::<Value>(s), Ok(Value::String(back)) if back == s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Value {
        serde_yaml::from_str(text).unwrap()
    }

    #[test]
    fn short_collections_flow_long_ones_nest() {
        let value = yaml(
            r#"
name: x
setup:
  - request: {method: POST, path: /api/v1/spaces, body: {id: "space_${run}"}}
    response: {status: 201}
exchanges:
  - request: {method: GET, path: /api/v1/health, auth: none}
    response:
      status: 200
      headers: {x-request-id: {$regex: "^req_"}}
      body:
        data: {status: ok, description: "a long description that will not fit in one line with the rest of it"}
        request_id: {$regex: "^req_"}
        list: [[1, 2], {a: b}]
"#,
        );
        let text = render(&value);
        assert_eq!(
            text,
            r#"name: x
setup:
  - request: {method: POST, path: /api/v1/spaces, body: {id: "space_${run}"}}
    response: {status: 201}
exchanges:
  - request: {method: GET, path: /api/v1/health, auth: none}
    response:
      status: 200
      headers: {x-request-id: {$regex: ^req_}}
      body:
        data:
          status: ok
          description: a long description that will not fit in one line with the rest of it
        request_id: {$regex: ^req_}
        list: [[1, 2], {a: b}]
"#
        );
        assert_eq!(yaml(&text), value);
    }

    #[test]
    fn strings_that_would_read_back_differently_are_quoted() {
        for s in [
            "true", "null", "~", "1.0", "3", "-x", "a: b", "a #b", "", " x", "x\ny", "@x", "'q",
            "{x}", "a,b", "k:",
        ] {
            let text = render(&Value::Mapping(
                [(Value::String(s.into()), Value::String(s.into()))]
                    .into_iter()
                    .collect(),
            ));
            let back: serde_yaml::Mapping = serde_yaml::from_str(&text).unwrap();
            assert_eq!(back.get(s), Some(&Value::String(s.into())), "{s:?}: {text}");
        }
        assert!(plain("Finance Reviewer", false));
        assert!(!plain("Finance Reviewer", true));
        assert!(plain("$regex", true));
        assert!(plain("a, b (c)", false));
        assert!(!plain("a, b (c)", true));
    }

    #[test]
    fn sequences_of_long_mappings_start_on_the_dash() {
        let long = "x".repeat(90);
        let value = yaml(&format!(
            "items:\n  - {{a: {long}, b: 1}}\n  - [{long}, {long}]\n"
        ));
        let text = render(&value);
        assert_eq!(
            text,
            format!("items:\n  - a: {long}\n    b: 1\n  - - {long}\n    - {long}\n")
        );
        assert_eq!(yaml(&text), value);
    }
}
