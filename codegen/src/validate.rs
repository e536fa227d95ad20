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

impl<'a> Checker<'a> {
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

    fn component(&self, name: &str) -> Option<&'a ReferenceOr<Schema>> {
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
            Parameter::Path { parameter_data, .. }
            | Parameter::Query { parameter_data, .. }
            | Parameter::Header { parameter_data, .. } => parameter_data,
            Parameter::Cookie { parameter_data, .. } => {
                return self.report(
                    pointer,
                    format!(
                        "{} is a cookie parameter: not supported (use a cookie API-key security scheme)",
                        parameter_data.name
                    ),
                );
            }
        };
        if matches!(parameter, Parameter::Header { .. }) && !valid_header_name(&data.name) {
            self.report(
                pointer,
                format!("{:?} is not a valid header name", data.name),
            );
        }
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

    fn request_body(&mut self, pointer: &str, body: &ReferenceOr<openapiv3::RequestBody>) {
        let body = match body {
            ReferenceOr::Reference { .. } => {
                return self.report(pointer, "requestBody $ref is not supported");
            }
            ReferenceOr::Item(body) => body,
        };
        if body.content.len() != 1 {
            self.report(
                pointer,
                format!(
                    "want exactly one request media type, found {}",
                    body.content.len()
                ),
            );
        }
        for (media, content) in &body.content {
            let mptr = format!("{pointer}/content/{}", token(media));
            if media != JSON && media != FORM {
                self.report(&mptr, format!("unsupported request media type {media}"));
            }
            let reference = match &content.schema {
                Some(ReferenceOr::Reference { reference }) => reference,
                _ => {
                    self.report(&mptr, "request body schema must be a $ref to a component");
                    continue;
                }
            };
            self.check_ref(&format!("{mptr}/schema"), reference);
            if media == FORM {
                self.form_schema(&format!("{mptr}/schema"), reference);
            }
        }
    }

    /// A form body is one flat object: each property a scalar, an enum, or an array of those.
    fn form_schema(&mut self, pointer: &str, reference: &str) {
        let Some(ReferenceOr::Item(schema)) = reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| self.component(name))
        else {
            return; // reported by check_ref
        };
        let SchemaKind::Type(Type::Object(object)) = &schema.schema_kind else {
            return self.report(pointer, "a form body must be an object");
        };
        for (name, prop) in &object.properties {
            let flat = match prop {
                ReferenceOr::Reference { reference } => self.is_scalar_ref(reference),
                ReferenceOr::Item(prop) => match &prop.schema_kind {
                    SchemaKind::Type(Type::Array(array)) => match &array.items {
                        Some(ReferenceOr::Reference { reference }) => self.is_scalar_ref(reference),
                        Some(ReferenceOr::Item(item)) => is_scalar(item),
                        None => false,
                    },
                    _ => is_scalar(prop),
                },
            };
            if !flat {
                self.report(
                    pointer,
                    format!(
                        "form property {name:?} must be a scalar, an enum or an array of those"
                    ),
                );
            }
        }
    }

    fn is_scalar_ref(&self, reference: &str) -> bool {
        match reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| self.component(name))
        {
            Some(ReferenceOr::Item(schema)) => is_scalar(schema),
            _ => false,
        }
    }

    /// Statuses, media types and headers. An operation succeeds with a 2xx (several are
    /// allowed: the server gets one variant each); one without any 2xx must redirect, and every
    /// redirect names its target in a `Location` header.
    fn responses(&mut self, pointer: &str, responses: &openapiv3::Responses) {
        if responses.default.is_some() {
            self.report(
                &format!("{pointer}/default"),
                "default responses are not supported: list each status",
            );
        }
        let (mut successes, mut redirects) = (0, 0);
        for (status, response) in &responses.responses {
            let code = match status {
                openapiv3::StatusCode::Code(code) => *code,
                openapiv3::StatusCode::Range(_) => {
                    self.report(pointer, "status ranges are not supported");
                    continue;
                }
            };
            let rptr = format!("{pointer}/{code}");
            if (200..300).contains(&code) {
                successes += 1;
            }
            let response = match response {
                ReferenceOr::Reference { .. } => {
                    self.report(
                        &rptr,
                        "response $ref is not supported: declare responses inline",
                    );
                    continue;
                }
                ReferenceOr::Item(r) => r,
            };
            if is_redirect(code) {
                redirects += 1;
                let location = response
                    .headers
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("Location"));
                match location {
                    Some((_, ReferenceOr::Item(header))) if header.required => {}
                    _ => self.report(
                        &rptr,
                        "a redirect must declare a required `Location` header",
                    ),
                }
            }
            for (name, header) in &response.headers {
                self.response_header(&format!("{rptr}/headers/{}", token(name)), name, header);
            }
            for (media, content) in &response.content {
                let mptr = format!("{rptr}/content/{}", token(media));
                if media == JSON {
                    match &content.schema {
                        Some(ReferenceOr::Reference { reference }) => {
                            self.check_ref(&format!("{mptr}/schema"), reference)
                        }
                        _ => {
                            self.report(&mptr, "JSON response schema must be a $ref to a component")
                        }
                    }
                } else if TEXT.contains(&media.as_str()) {
                    match &content.schema {
                        Some(ReferenceOr::Item(Schema {
                            schema_kind: SchemaKind::Type(Type::String(_)),
                            ..
                        })) => {}
                        _ => self.report(
                            &mptr,
                            format!("{media} responses must have a string schema"),
                        ),
                    }
                } else {
                    self.report(&mptr, format!("unsupported response media type {media}"))
                }
            }
        }
        if successes == 0 && redirects == 0 {
            self.report(
                pointer,
                "want a 2xx response, or a 3xx redirect when there is none",
            );
        }
    }

    fn response_header(
        &mut self,
        pointer: &str,
        name: &str,
        header: &ReferenceOr<openapiv3::Header>,
    ) {
        if !valid_header_name(name) {
            self.report(pointer, format!("{name:?} is not a valid header name"));
        }
        let header = match header {
            ReferenceOr::Reference { .. } => {
                return self.report(pointer, "header $ref is not supported: declare it inline");
            }
            ReferenceOr::Item(header) => header,
        };
        match &header.format {
            ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) if is_scalar(schema) => {}
            _ => self.report(
                pointer,
                "response headers must have an inline scalar schema",
            ),
        }
    }

    /// Alternatives of single schemes, and the empty alternative `{}` (anonymous access).
    fn security(&mut self, pointer: &str, requirements: &[openapiv3::SecurityRequirement]) {
        let schemes = self.spec.components.as_ref().map(|c| &c.security_schemes);
        for (i, requirement) in requirements.iter().enumerate() {
            if requirement.len() > 1 {
                self.report(
                    &format!("{pointer}/{i}"),
                    "a requirement combining several schemes is not supported: list them as alternatives",
                );
            }
            for name in requirement.keys() {
                if !schemes.is_some_and(|s| s.contains_key(name)) {
                    self.report(
                        &format!("{pointer}/{i}"),
                        format!("unknown security scheme {name:?}"),
                    );
                }
            }
        }
    }

    /// The rule reads declared parameters, and agrees with the security the SDK sends: public
    /// exactly when no scheme is named, no anonymous alternative behind a rule, and a rule's
    /// `or_scheme` one of several alternatives.
    fn access(&mut self, pointer: &str, op: &openapiv3::Operation, rule: &crate::access::Access) {
        use crate::access::{Access, Source};
        let requirements = op
            .security
            .as_ref()
            .or(self.spec.security.as_ref())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let schemes: Vec<&String> = requirements.iter().flat_map(|r| r.keys()).collect();
        let anonymous = requirements.iter().any(|r| r.is_empty());
        match rule {
            Access::Public if !schemes.is_empty() => self.report(
                pointer,
                "a public operation must not list security schemes (the SDK would send a credential)",
            ),
            Access::Public => {}
            _ if schemes.is_empty() => self.report(
                pointer,
                "only a public operation may have no security scheme",
            ),
            _ if anonymous => self.report(
                pointer,
                "an operation with a rule cannot also allow anonymous access (`{}` in security)",
            ),
            _ => {}
        }
        if let Access::Permission {
            or_scheme: Some(scheme),
            ..
        } = rule
            && (!schemes.contains(&scheme) || schemes.len() < 2)
        {
            self.report(
                pointer,
                format!("or_scheme {scheme:?} must be one of several alternatives in security"),
            );
        }
        for source in rule.sources() {
            let (want_path, name) = match source {
                Source::Path(name) => (true, name),
                Source::Query(name) => (false, name),
            };
            let declared = op.parameters.iter().any(|p| match p {
                ReferenceOr::Item(Parameter::Path { parameter_data, .. }) => {
                    want_path && parameter_data.name == *name
                }
                ReferenceOr::Item(Parameter::Query { parameter_data, .. }) => {
                    !want_path && parameter_data.name == *name
                }
                _ => false,
            });
            if !declared {
                let place = if want_path { "path" } else { "query" };
                self.report(
                    pointer,
                    format!("the rule reads {place} parameter {name:?}, which the operation does not declare"),
                );
            }
        }
    }

    fn security_scheme(&mut self, pointer: &str, scheme: &ReferenceOr<openapiv3::SecurityScheme>) {
        use openapiv3::SecurityScheme as S;
        match scheme {
            ReferenceOr::Item(S::HTTP { scheme, .. })
                if scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("basic") => {}
            ReferenceOr::Item(S::APIKey { name, .. }) if valid_header_name(name) => {}
            _ => self.report(
                pointer,
                "supported security schemes: http bearer, http basic, apiKey (header, query, cookie)",
            ),
        }
    }
}

/// A string, number, integer or boolean (string enums included).
fn is_scalar(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(_) | Type::Integer(_) | Type::Number(_) | Type::Boolean(_))
    )
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// An HTTP token (RFC 9110 §5.6.2), as header names are.
pub(crate) fn valid_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

/// Media types a request body may have.
pub(crate) const JSON: &str = "application/json";
pub(crate) const FORM: &str = "application/x-www-form-urlencoded";
/// Text media types a response may have (each with a string schema).
pub(crate) const TEXT: &[&str] = &["text/plain", "text/html"];

/// A 3xx that sends the client elsewhere and so must say where (`304 Not Modified` does not).
pub(crate) fn is_redirect(code: u16) -> bool {
    (300..400).contains(&code) && code != 304
}

/// Every problem of the spec; empty when both generators can take it.
/// `access`: every operation must carry a valid `x-plystra-access` that agrees with its security.
pub(crate) fn validate(spec: &OpenAPI, access: bool) -> Vec<Problem> {
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
                c.request_body(&format!("{ptr}/requestBody"), body);
            }
            c.responses(&format!("{ptr}/responses"), &op.responses);
            if let Some(security) = &op.security {
                c.security(&format!("{ptr}/security"), security);
            }
            if access {
                let pointer = format!("{ptr}/{}", token(crate::access::EXTENSION));
                match crate::access::parse(op) {
                    Ok(rule) => c.access(&pointer, op, &rule),
                    Err(message) => c.report(&pointer, message),
                }
            }
        }
    }
    if let Some(security) = &spec.security {
        c.operation = None;
        c.security("/security", security);
    }
    if let Some(components) = &spec.components {
        c.operation = None;
        for (name, scheme) in &components.security_schemes {
            c.security_scheme(
                &format!("/components/securitySchemes/{}", token(name)),
                scheme,
            );
        }
    }
    c.problems
}
