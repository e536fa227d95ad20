//! Fills in what a fixture leaves open so that a sampled response decodes into the SDK's types.
//!
//! [`crate::matcher::sample`] knows only the expectation: `{$contains: {id: …}}` samples to an
//! object with just `id`, and `{$any: string}` to `"x"` even where the contract says a time or
//! an enum. The response schema of the contract knows the rest: [`Schemas::complete`] adds the
//! required members an expectation leaves open (inside `$contains`, or marked `$ignore`) and
//! replaces `$any` samples by an example of the schema when that has the same JSON type. Plain
//! objects stay exact: a member the fixture does not list is not added, so the completed sample
//! still matches the expectation.

use serde_json::{Map, Value};

use crate::matcher::{SAMPLE_TIME, matcher, sample_regex, type_name};

/// How deep examples of nested schemas go (recursive schemas, such as a tree, stop there).
const DEPTH: usize = 8;

/// The schemas of an OpenAPI document (as JSON).
#[derive(Debug, Clone)]
pub struct Schemas {
    spec: Value,
}

impl Schemas {
    /// Reads an OpenAPI document from YAML.
    pub fn new(spec_yaml: &str) -> Result<Schemas, String> {
        let spec = serde_yaml::from_str(spec_yaml).map_err(|e| e.to_string())?;
        Ok(Schemas { spec })
    }

    /// The content of the `status` answer of `method path` (a path template).
    fn content(&self, method: &str, path: &str, status: u16) -> Option<&Map<String, Value>> {
        let responses = self
            .spec
            .get("paths")?
            .get(path)?
            .get(method.to_lowercase())?
            .get("responses")?;
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))?;
        self.resolve(response).get("content")?.as_object()
    }

    /// The JSON schema of the `status` answer of `method path` (a path template).
    pub fn response(&self, method: &str, path: &str, status: u16) -> Option<&Value> {
        self.content(method, path, status)?
            .get("application/json")?
            .get("schema")
    }

    /// The media type of the `status` answer of `method path`, when it has one.
    pub fn media_type(&self, method: &str, path: &str, status: u16) -> Option<&str> {
        let content = self.content(method, path, status)?;
        (content.len() == 1)
            .then(|| content.keys().next().map(String::as_str))
            .flatten()
    }

    /// The schema at a dotted path (`data.items[0].id`) below `schema`.
    pub fn at<'a>(&'a self, mut schema: &'a Value, path: &str) -> Option<&'a Value> {
        for part in path.split('.').filter(|p| !p.is_empty()) {
            let (name, indexes) = part.split_at(part.find('[').unwrap_or(part.len()));
            if !name.is_empty() {
                schema = self.property(schema, name)?;
            }
            for _ in indexes.matches('[') {
                schema = self.items(schema)?;
            }
        }
        Some(schema)
    }

    /// A string schema without an enum, a format or a pattern: any text will do.
    pub fn is_free_text(&self, schema: &Value) -> bool {
        self.keyword(schema, "type").and_then(Value::as_str) == Some("string")
            && ["enum", "format", "pattern"]
                .iter()
                .all(|keyword| self.keyword(schema, keyword).is_none())
    }

    /// Follows `$ref`s.
    fn resolve<'a>(&'a self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..DEPTH {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let target = reference
                .strip_prefix('#')
                .and_then(|pointer| self.spec.pointer(pointer));
            match target {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    /// The schema and the parts it is made of (`allOf`, resolved).
    fn parts<'a>(&'a self, schema: &'a Value) -> Vec<&'a Value> {
        let schema = self.resolve(schema);
        let mut parts = vec![schema];
        for part in schema
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            parts.extend(self.parts(part));
        }
        parts
    }

    fn keyword<'a>(&'a self, schema: &'a Value, name: &str) -> Option<&'a Value> {
        self.parts(schema)
            .into_iter()
            .find_map(|part| part.get(name))
    }

    fn property<'a>(&'a self, schema: &'a Value, name: &str) -> Option<&'a Value> {
        self.parts(schema)
            .into_iter()
            .find_map(|part| part.get("properties")?.get(name))
    }

    fn required<'a>(&'a self, schema: &'a Value) -> Vec<&'a str> {
        self.parts(schema)
            .into_iter()
            .filter_map(|part| part.get("required")?.as_array())
            .flatten()
            .filter_map(Value::as_str)
            .collect()
    }

    fn items<'a>(&'a self, schema: &'a Value) -> Option<&'a Value> {
        self.keyword(schema, "items")
    }

    /// A value the schema allows: its default or first enum value, else the smallest value of
    /// its type (objects with their required members).
    pub fn example(&self, schema: &Value) -> Value {
        self.example_at(schema, 0)
    }

    fn example_at(&self, schema: &Value, depth: usize) -> Value {
        if depth > DEPTH {
            return Value::Null;
        }
        if let Some(value) = self.keyword(schema, "default") {
            return value.clone();
        }
        if let Some(first) = self
            .keyword(schema, "enum")
            .and_then(Value::as_array)
            .and_then(|values| values.first())
        {
            return first.clone();
        }
        let branch = self
            .keyword(schema, "oneOf")
            .or_else(|| self.keyword(schema, "anyOf"))
            .and_then(Value::as_array)
            .and_then(|branches| branches.first());
        if let Some(branch) = branch {
            return self.example_at(branch, depth + 1);
        }
        let text = |name| self.keyword(schema, name).and_then(Value::as_str);
        let number = |name| self.keyword(schema, name).and_then(Value::as_f64);
        match text("type") {
            Some("string") => Value::String(match (text("format"), text("pattern")) {
                (Some("date-time"), _) => SAMPLE_TIME.to_string(),
                (Some("date"), _) => SAMPLE_TIME[..10].to_string(),
                (_, Some(pattern)) => sample_regex(pattern).unwrap_or_else(|| "x".into()),
                _ => "x".repeat(number("minLength").map_or(1, |n| n.max(1.0) as usize)),
            }),
            Some("integer") => Value::from(number("minimum").map_or(0, |n| n as i64)),
            Some("number") => Value::from(number("minimum").unwrap_or(0.0)),
            Some("boolean") => Value::Bool(false),
            Some("array") => {
                let count = number("minItems").map_or(0, |n| n as usize);
                let item = self
                    .items(schema)
                    .map_or(Value::Null, |items| self.example_at(items, depth + 1));
                Value::Array(vec![item; count])
            }
            Some("object") => self.object_example(schema, depth),
            _ if self.keyword(schema, "properties").is_some() => self.object_example(schema, depth),
            _ => Value::Null,
        }
    }

    fn object_example(&self, schema: &Value, depth: usize) -> Value {
        let mut out = Map::new();
        for name in self.required(schema) {
            let value = self
                .property(schema, name)
                .map_or(Value::Null, |p| self.example_at(p, depth + 1));
            out.insert(name.to_string(), value);
        }
        Value::Object(out)
    }

    /// `sample` (of `expected`) completed from `schema` where the expectation leaves it open.
    pub fn complete(
        &self,
        expected: &Value,
        sample: Option<Value>,
        schema: Option<&Value>,
    ) -> Option<Value> {
        let Some(schema) = schema else {
            return sample;
        };
        if let Some((name, argument)) = matcher(expected) {
            return match name {
                "$any" => {
                    let wanted = argument.as_str().unwrap_or("value");
                    let example = self.example(schema);
                    if wanted == "value" || type_name(&example) == wanted {
                        Some(example)
                    } else {
                        sample
                    }
                }
                "$contains" => Some(self.complete_object(argument, sample, schema, true)),
                "$unordered" => Some(self.complete_array(argument, sample, schema)),
                _ => sample,
            };
        }
        match expected {
            Value::Object(_) => Some(self.complete_object(expected, sample, schema, false)),
            Value::Array(_) => Some(self.complete_array(expected, sample, schema)),
            _ => sample,
        }
    }

    /// Completes the members `expected` lists; with `open` (`$contains`) also adds the
    /// required members it does not list, else only the required ones it marks `$ignore`.
    fn complete_object(
        &self,
        expected: &Value,
        sample: Option<Value>,
        schema: &Value,
        open: bool,
    ) -> Value {
        let mut object = match sample {
            Some(Value::Object(object)) => object,
            _ => Map::new(),
        };
        let empty = Map::new();
        let members = expected.as_object().unwrap_or(&empty);
        for (name, wanted) in members {
            let value = object.remove(name);
            if let Some(value) = self.complete(wanted, value, self.property(schema, name)) {
                object.insert(name.clone(), value);
            }
        }
        for name in self.required(schema) {
            let may_add = match members.get(name) {
                Some(wanted) => matcher(wanted).is_some_and(|(m, _)| m == "$ignore"),
                None => open,
            };
            if may_add && !object.contains_key(name) {
                let value = self
                    .property(schema, name)
                    .map_or(Value::Null, |p| self.example(p));
                object.insert(name.to_string(), value);
            }
        }
        Value::Object(object)
    }

    fn complete_array(&self, expected: &Value, sample: Option<Value>, schema: &Value) -> Value {
        let items = self.items(schema);
        let sampled = match sample {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let wanted = expected.as_array().map(Vec::as_slice).unwrap_or_default();
        Value::Array(
            sampled
                .into_iter()
                .zip(wanted)
                .map(|(value, wanted)| {
                    self.complete(wanted, Some(value), items)
                        .unwrap_or(Value::Null)
                })
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::matcher::{compare, sample};

    const SPEC: &str = r##"
paths:
  /pets/{id}:
    get:
      responses:
        '200':
          content:
            application/json:
              schema: {$ref: '#/components/schemas/PetEnvelope'}
components:
  schemas:
    PetEnvelope:
      type: object
      required: [data, request_id]
      properties:
        data: {$ref: '#/components/schemas/Pet'}
        request_id: {type: string}
    Pet:
      type: object
      required: [id, kind, born_at, tags, owner, limit]
      properties:
        id: {type: string}
        kind: {type: string, enum: [cat, dog]}
        born_at: {type: string, format: date-time, nullable: true}
        tags: {type: array, items: {type: string}}
        owner:
          nullable: true
          allOf: [{$ref: '#/components/schemas/Owner'}]
        limit: {type: integer, default: 50}
        note: {type: string}
    Owner:
      type: object
      required: [id]
      properties:
        id: {type: string}
"##;

    #[test]
    fn contains_gets_the_required_members_and_any_fits_the_schema() {
        let schemas = Schemas::new(SPEC).unwrap();
        let schema = schemas.response("GET", "/pets/{id}", 200).unwrap();
        let expected = json!({
            "data": {"$contains": {"id": "pet_1", "born_at": {"$any": "string"}}},
            "request_id": {"$any": "string"},
        });
        let completed = schemas
            .complete(&expected, sample(&expected), Some(schema))
            .unwrap();
        assert_eq!(
            completed,
            json!({
                "data": {
                    "id": "pet_1",
                    "kind": "cat",
                    "born_at": SAMPLE_TIME,
                    "tags": [],
                    "owner": {"id": "x"},
                    "limit": 50,
                },
                "request_id": "x",
            })
        );
        assert!(compare(&expected, Some(&completed)).is_empty());
    }

    #[test]
    fn exact_objects_stay_exact_but_ignored_required_members_are_filled() {
        let schemas = Schemas::new(SPEC).unwrap();
        let schema = schemas.response("GET", "/pets/{id}", 200).unwrap();
        let expected = json!({
            "data": {"id": "pet_1", "kind": {"$ignore": true}, "note": {"$absent": true}},
            "request_id": "req_1",
        });
        let completed = schemas
            .complete(&expected, sample(&expected), Some(schema))
            .unwrap();
        assert_eq!(
            completed,
            json!({"data": {"id": "pet_1", "kind": "cat"}, "request_id": "req_1"})
        );
        assert!(schemas.response("GET", "/pets/{id}", 404).is_none());
    }
}
