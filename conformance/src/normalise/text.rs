//! The rules for one string: variables put back, timestamps, request ids and generated parts
//! (see the list in [`super`]).

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use crate::vars::Vars;

/// What a generated request id is matched with (the shape is the server's own business).
pub const REQUEST_ID: &str = "^req_";

static GENERATED_REQUEST_ID: LazyLock<Option<Regex>> = LazyLock::new(|| re("^req_[0-9a-f]{16}$"));
static HEX: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"[._]([0-9a-f]{64}|[0-9a-f]{16})\b"));
pub(super) const TIME: &str =
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})";
static WHOLE_TIME: LazyLock<Option<Regex>> = LazyLock::new(|| re(&format!("^{TIME}$")));
static EMBEDDED_TIME: LazyLock<Option<Regex>> = LazyLock::new(|| re(TIME));

/// A constant pattern (the unit tests exercise every one, so `None` never happens).
fn re(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

fn is_match(re: &LazyLock<Option<Regex>>, s: &str) -> bool {
    re.as_ref().is_some_and(|re| re.is_match(s))
}

/// The values a response may repeat: the run id and the variables known at that point.
#[derive(Debug)]
pub(super) struct Known<'a> {
    run: String,
    /// `(name, value)`, longest value first, then by name.
    vars: Vec<(&'a str, &'a str)>,
}

impl<'a> Known<'a> {
    /// `vars`' run id and (non-empty) other values.
    pub(super) fn new(vars: &'a Vars) -> Known<'a> {
        let mut known: Vec<(&str, &str)> = vars
            .iter()
            .filter(|(name, value)| *name != "run" && !value.is_empty())
            .collect();
        known.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        Known {
            run: vars.get("run").unwrap_or_default().to_string(),
            vars: known,
        }
    }

    /// Rules 1–5 for one string.
    pub(super) fn string(&self, s: &str) -> Value {
        if let Some((name, _)) = self.vars.iter().find(|(_, value)| *value == s) {
            return Value::String(format!("${{{name}}}"));
        }
        if is_match(&WHOLE_TIME, s) && chrono::DateTime::parse_from_rfc3339(s).is_ok() {
            return json!({"$time": "rfc3339"});
        }
        if is_match(&GENERATED_REQUEST_ID, s) {
            return json!({"$regex": REQUEST_ID});
        }
        let pieces = self.pieces(s, true);
        if pieces
            .iter()
            .any(|p| matches!(p, Piece::Hex(_) | Piece::Time))
        {
            let mut pattern = String::from("^");
            for piece in &pieces {
                match piece {
                    Piece::Text(text) => pattern.push_str(&regex::escape(text)),
                    Piece::Var(name) => pattern.push_str(&format!("${{{name}}}")),
                    Piece::Hex(n) => pattern.push_str(&format!("[0-9a-f]{{{n}}}")),
                    Piece::Time => pattern.push_str(TIME),
                }
            }
            pattern.push('$');
            return json!({"$regex": pattern});
        }
        Value::String(join(&pieces))
    }

    /// `s` with variables put back, nothing generalised.
    pub(super) fn placeholders(&self, s: &str) -> String {
        if let Some((name, _)) = self.vars.iter().find(|(_, value)| *value == s) {
            return format!("${{{name}}}");
        }
        join(&self.pieces(s, false))
    }

    /// `s` cut into literal text, variables and (when `generated`) generated parts.
    fn pieces(&self, s: &str, generated: bool) -> Vec<Piece> {
        // Spans of `s` that are not literal, found in order of precedence.
        let mut spans: Vec<(usize, usize, Piece)> = Vec::new();
        let free = |spans: &[(usize, usize, Piece)], a: usize, b: usize| {
            spans.iter().all(|(x, y, _)| b <= *x || a >= *y)
        };
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        for (name, value) in self.vars.iter().filter(|(_, v)| v.len() >= 6) {
            for (a, _) in s.match_indices(value) {
                let b = a + value.len();
                let alone = !word(s[..a].chars().next_back()) && !word(s[b..].chars().next());
                if alone && free(&spans, a, b) {
                    spans.push((a, b, Piece::Var(name.to_string())));
                }
            }
        }
        if generated {
            let hex = HEX.as_ref().map(|re| re.captures_iter(s));
            for found in hex.into_iter().flatten().filter_map(|c| c.get(1)) {
                if free(&spans, found.start(), found.end()) {
                    spans.push((found.start(), found.end(), Piece::Hex(found.len())));
                }
            }
            let times = EMBEDDED_TIME.as_ref().map(|re| re.find_iter(s));
            for found in times.into_iter().flatten() {
                if free(&spans, found.start(), found.end()) {
                    spans.push((found.start(), found.end(), Piece::Time));
                }
            }
        }
        if !self.run.is_empty() {
            for (a, _) in s.match_indices(self.run.as_str()) {
                if free(&spans, a, a + self.run.len()) {
                    spans.push((a, a + self.run.len(), Piece::Var("run".into())));
                }
            }
        }
        spans.sort_by_key(|(a, _, _)| *a);
        let mut out = Vec::new();
        let mut at = 0;
        for (a, b, piece) in spans {
            if a > at {
                out.push(Piece::Text(s[at..a].to_string()));
            }
            out.push(piece);
            at = b;
        }
        if at < s.len() {
            out.push(Piece::Text(s[at..].to_string()));
        }
        out
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Text(String),
    Var(String),
    /// So many generated hex digits.
    Hex(usize),
    Time,
}

fn join(pieces: &[Piece]) -> String {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Text(text) => text.clone(),
            Piece::Var(name) => format!("${{{name}}}"),
            Piece::Hex(_) | Piece::Time => String::new(),
        })
        .collect()
}
