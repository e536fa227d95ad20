//! Variables of a run: `${run}` (unique per run, so a second run against the same server does
//! not collide with the first), the credentials the runner was given, and values captured from
//! earlier responses (`capture: {user_id: body.data.id}`).

use std::collections::BTreeMap;

use serde_json::Value;

/// Named values, substituted into `${name}` placeholders.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, String>,
}

impl Vars {
    /// No variables.
    pub fn new() -> Self {
        Vars::default()
    }

    /// Sets `name`.
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.values.insert(name.into(), value.into());
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Every variable, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// `text` with every `${name}` replaced; an unknown name is an error naming it.
    pub fn substitute_str(&self, text: &str) -> Result<String, String> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after
                .find('}')
                .ok_or_else(|| format!("unclosed ${{ in {text:?}"))?;
            let name = &after[..end];
            let value = self
                .get(name)
                .ok_or_else(|| format!("unknown variable ${{{name}}}"))?;
            out.push_str(value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `value` with every string (and object key) substituted.
    pub fn substitute(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::String(s) => Value::String(self.substitute_str(s)?),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.substitute(v))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Object(map) => {
                let mut out = serde_json::Map::new();
                for (k, v) in map {
                    out.insert(self.substitute_str(k)?, self.substitute(v)?);
                }
                Value::Object(out)
            }
            other => other.clone(),
        })
    }
}

/// The value at a dotted path (`data.items[0].id`) of `value`.
pub fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    let mut current = value;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, indexes) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !name.is_empty() {
            current = current.get(name)?;
        }
        for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            current = current.get(index.parse::<usize>().ok()?)?;
        }
    }
    Some(current)
}

/// A captured value as text (strings as they are, anything else as JSON).
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn substitutes_and_reports_unknown_names() {
        let mut vars = Vars::new();
        vars.set("run", "r1");
        vars.set("id", "user_1");
        assert_eq!(
            vars.substitute_str("u_${run}_${id}").unwrap(),
            "u_r1_user_1"
        );
        assert!(vars.substitute_str("${nope}").unwrap_err().contains("nope"));
        assert_eq!(
            vars.substitute(&json!({"${run}": ["${id}", 1]})).unwrap(),
            json!({"r1": ["user_1", 1]})
        );
    }

    #[test]
    fn looks_up_dotted_paths() {
        let v = json!({"data": {"items": [{"id": "a"}, {"id": "b"}]}});
        assert_eq!(lookup(&v, "data.items[1].id"), Some(&json!("b")));
        assert_eq!(lookup(&v, "data.items[2].id"), None);
        assert_eq!(as_text(&json!(3)), "3");
    }
}
