//! What the generators accept, checked up front so that a bad spec fails with the operation and
//! the JSON pointer of the offending node instead of a confusing error deep inside a generator.

use std::collections::BTreeMap;
use std::fmt;

use openapiv3::{
    OpenAPI, Parameter, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type,
};

/// One unsupported or inconsistent construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The operationId (or `METHOD path` when it has none), if the problem is inside an operation.
    pub operation: Option<String>,
    /// JSON pointer into the spec.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.operation {
            Some(op) => write!(f, "{op}: {}: {}", self.pointer, self.message),
            None => write!(f, "{}: {}", self.pointer, self.message),
        }
    }
}

/// Escapes one JSON pointer token.
pub(crate) fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

struct Checker<'a> {
    spec: &'a OpenAPI,
    problems: Vec<Problem>,
    operation: Option<String>,
}

impl Checker<'_> {
    fn report(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            operation: self.operation.clone(),
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    fn check_ref(&mut self, pointer: &str, reference: &str) {
        match reference.strip_prefix("#/components/schemas/") {
            Some(name) if self.component(name).is_some() => {}
            _ => self.report(
                pointer,
                format!("unresolved or unsupported $ref {reference:?}"),
            ),
        }
    }

    fn component(&self, name: &str) -> Option<&ReferenceOr<Schema>> {
        self.spec.components.as_ref()?.schemas.get(name)
    }

    /// `top` is true for a schema that is itself a component: only there may objects with
    /// properties and enums be declared, so that each gets exactly one Rust type.
    fn schema(&mut self, pointer: &str, schema: &ReferenceOr<Schema>, top: bool) {
        let schema = match schema {
            ReferenceOr::Reference { reference } => return self.check_ref(pointer, reference),
            ReferenceOr::Item(schema) => schema,
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                if !s.enumeration.is_empty() && !top {
                    self.report(pointer, "inline enum: declare it under components.schemas");
                }
                if s.enumeration.iter().any(Option::is_none) {
                    self.report(pointer, "null inside an enum is not supported");
                }
            }
            SchemaKind::Type(Type::Integer(_) | Type::Number(_) | Type::Boolean(_)) => {}
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => {
                    let items = items.clone().unbox();
                    self.schema(&format!("{pointer}/items"), &items, false)
                }
                None => self.report(pointer, "array without items"),
            },
            SchemaKind::Type(Type::Object(o)) => {
                if !o.properties.is_empty() && !top {
                    self.report(
                        pointer,
                        "inline object with properties: declare it under components.schemas",
                    );
                }
                for (name, prop) in &o.properties {
                    if !valid_name(name) {
                        self.report(
                            pointer,
                            format!("property name {name:?} is not identifier-like"),
                        );
                    }
                    let prop = prop.clone().unbox();
                    self.schema(
                        &format!("{pointer}/properties/{}", token(name)),
                        &prop,
                        false,
                    );
                }
                if let Some(openapiv3::AdditionalProperties::Schema(extra)) =
                    &o.additional_properties
                {
                    self.schema(&format!("{pointer}/additionalProperties"), extra, false);
                }
            }
            SchemaKind::AllOf { all_of } => {
                let single_ref = matches!(all_of.as_slice(), [ReferenceOr::Reference { .. }]);
                if single_ref {
                    self.schema(&format!("{pointer}/allOf/0"), &all_of[0], false);
                } else {
                    self.report(
                        pointer,
                        "allOf is only supported as `allOf: [$ref]` (a nullable reference)",
                    );
                }
            }
            SchemaKind::OneOf { .. } => self.report(pointer, "oneOf is not supported"),
            SchemaKind::AnyOf { .. } => self.report(pointer, "anyOf is not supported"),
            SchemaKind::Not { .. } => self.report(pointer, "not is not supported"),
            SchemaKind::Any(any) => {
                let typed = any.typ.is_some()
                    || !any.properties.is_empty()
                    || !any.one_of.is_empty()
                    || !any.any_of.is_empty()
                    || !any.all_of.is_empty()
                    || !any.enumeration.is_empty();
                if typed {
                    self.report(pointer, "schema mixes keywords the generator cannot type");
                }
            }
        }
    }

    fn parameter(&mut self, pointer: &str, parameter: &ReferenceOr<Parameter>) {
        let parameter = match parameter {
            ReferenceOr::Reference { .. } => {
                return self.report(pointer, "parameter $ref: declare parameters inline");
            }
            ReferenceOr::Item(p) => p,
        };
        let data = match parameter {
            Parameter::Path { parameter_data, .. } | Parameter::Query { parameter_data, .. } => {
                parameter_data
            }
            Parameter::Header { parameter_data, .. } | Parameter::Cookie { parameter_data, .. } => {
                return self.report(
                    pointer,
                    format!(
                        "{} is a header/cookie parameter: not supported",
                        parameter_data.name
                    ),
                );
            }
        };
        match &data.format {
            ParameterSchemaOrContent::Schema(schema) => {
                let scalar = match schema {
                    ReferenceOr::Reference { reference } => {
                        self.check_ref(&format!("{pointer}/schema"), reference);
                        true
                    }
                    ReferenceOr::Item(s) => matches!(
                        &s.schema_kind,
                        SchemaKind::Type(
                            Type::String(_) | Type::Integer(_) | Type::Number(_) | Type::Boolean(_)
                        )
                    ),
                };
                if !scalar {
                    self.report(
                        &format!("{pointer}/schema"),
                        "parameters must be scalars or enum references",
                    );
                }
                self.schema(&format!("{pointer}/schema"), schema, false);
            }
            ParameterSchemaOrContent::Content(_) => {
                self.report(pointer, "parameter content is not supported")
            }
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// Every problem of the spec; empty when both generators can take it.
pub(crate) fn validate(spec: &OpenAPI) -> Vec<Problem> {
    let mut c = Checker {
        spec,
        problems: Vec::new(),
        operation: None,
    };
    if !spec.openapi.starts_with("3.0.") {
        c.report(
            "/openapi",
            format!("OpenAPI {} is not supported (want 3.0.x)", spec.openapi),
        );
    }
    if let Some(components) = &spec.components {
        for (name, schema) in &components.schemas {
            if !valid_name(name) {
                c.report(
                    &format!("/components/schemas/{}", token(name)),
                    "schema name is not identifier-like",
                );
            }
            c.schema(
                &format!("/components/schemas/{}", token(name)),
                schema,
                true,
            );
        }
        if !components.responses.is_empty()
            || !components.parameters.is_empty()
            || !components.request_bodies.is_empty()
        {
            c.report("/components", "shared responses, parameters and request bodies are not supported: declare them inline");
        }
    }
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let item_ptr = format!("/paths/{}", token(path));
        let item = match item {
            ReferenceOr::Reference { .. } => {
                c.operation = None;
                c.report(&item_ptr, "path item $ref is not supported");
                continue;
            }
            ReferenceOr::Item(item) => item,
        };
        if !item.parameters.is_empty() {
            c.operation = None;
            c.report(
                &format!("{item_ptr}/parameters"),
                "path-level parameters: declare them on each operation",
            );
        }
        for (method, op) in item.iter() {
            let ptr = format!("{item_ptr}/{method}");
            let label = op
                .operation_id
                .clone()
                .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
            c.operation = Some(label.clone());
            match &op.operation_id {
                None => c.report(&ptr, "missing operationId"),
                Some(id) => {
                    if let Some(first) = seen.insert(id.clone(), ptr.clone()) {
                        c.report(&ptr, format!("duplicate operationId (also at {first})"));
                    }
                }
            }
            if op.tags.len() != 1 {
                c.report(
                    &format!("{ptr}/tags"),
                    format!("want exactly one tag, found {}", op.tags.len()),
                );
            }
            for (i, p) in op.parameters.iter().enumerate() {
                c.parameter(&format!("{ptr}/parameters/{i}"), p);
            }
            if let Some(body) = &op.request_body {
                match body {
                    ReferenceOr::Reference { .. } => c.report(
                        &format!("{ptr}/requestBody"),
                        "requestBody $ref is not supported",
                    ),
                    ReferenceOr::Item(body) => {
                        for (media, content) in &body.content {
                            let mptr = format!("{ptr}/requestBody/content/{}", token(media));
                            if media != "application/json" {
                                c.report(&mptr, format!("unsupported request media type {media}"));
                            }
                            match &content.schema {
                                Some(ReferenceOr::Reference { reference }) => {
                                    c.check_ref(&format!("{mptr}/schema"), reference)
                                }
                                _ => c.report(
                                    &mptr,
                                    "request body schema must be a $ref to a component",
                                ),
                            }
                        }
                    }
                }
            }
            let mut successes = 0;
            if op.responses.default.is_some() {
                c.report(
                    &format!("{ptr}/responses/default"),
                    "default responses are not supported: list each status",
                );
            }
            for (status, response) in &op.responses.responses {
                let code = match status {
                    openapiv3::StatusCode::Code(code) => *code,
                    openapiv3::StatusCode::Range(_) => {
                        c.report(
                            &format!("{ptr}/responses"),
                            "status ranges are not supported",
                        );
                        continue;
                    }
                };
                let rptr = format!("{ptr}/responses/{code}");
                if (200..300).contains(&code) {
                    successes += 1;
                }
                let response = match response {
                    ReferenceOr::Reference { .. } => {
                        c.report(
                            &rptr,
                            "response $ref is not supported: declare responses inline",
                        );
                        continue;
                    }
                    ReferenceOr::Item(r) => r,
                };
                if response.content.len() > 1 {
                    c.report(&rptr, "one media type per response");
                }
                for (media, content) in &response.content {
                    let mptr = format!("{rptr}/content/{}", token(media));
                    match media.as_str() {
                        "application/json" => match &content.schema {
                            Some(ReferenceOr::Reference { reference }) => {
                                c.check_ref(&format!("{mptr}/schema"), reference)
                            }
                            _ => c.report(
                                &mptr,
                                "JSON response schema must be a $ref to a component",
                            ),
                        },
                        "text/plain" => match &content.schema {
                            Some(ReferenceOr::Item(Schema {
                                schema_kind: SchemaKind::Type(Type::String(_)),
                                ..
                            })) => {}
                            _ => c.report(&mptr, "text/plain responses must have a string schema"),
                        },
                        other => {
                            c.report(&mptr, format!("unsupported response media type {other}"))
                        }
                    }
                }
            }
            if successes != 1 {
                c.report(
                    &format!("{ptr}/responses"),
                    format!("want exactly one 2xx response, found {successes}"),
                );
            }
        }
    }
    c.problems
}
