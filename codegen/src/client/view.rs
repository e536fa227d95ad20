//! The spec as the client sees it. progenitor decodes one success type and one error type per
//! operation (and panics on more), so before it runs:
//!
//! * operations listed in `client_exclude_tags` / `client_exclude_operations` are removed;
//! * an operation left in must have 2xx responses that share one body: a redirect-only
//!   operation (a browser flow) or one whose 2xx bodies differ is reported, to be excluded;
//! * when the error responses (4xx/5xx) do not share one body, those that cannot be typed with
//!   the others are removed (non-JSON and empty bodies when some are JSON, empty ones when none
//!   is), so they reach the caller as `Error::UnexpectedResponse` with the raw response; and when
//!   the JSON ones still name different schemas, their schema becomes untyped, so progenitor
//!   decodes them as `serde_json::Value`, and `contract::error_schema` tells the caller which
//!   schema each status carries;
//! * header parameter names are lowercased (header names are case-insensitive, and reqwest sends
//!   them lowercased anyway), so the builder method of `DPoP` is `dpop`, not `d_po_p`.

use std::collections::BTreeSet;

use openapiv3::{OpenAPI, Operation, Parameter, ReferenceOr, Response, StatusCode};

use crate::validate::{JSON, Problem, token};
use crate::{Contract, Error};

/// What one response body decodes to in progenitor.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Body {
    /// No content.
    Empty,
    /// Content, but no JSON: a byte stream.
    Raw,
    /// JSON of this schema (`$ref` or inline, rendered for comparison).
    Json(String),
}

fn body(response: &Response) -> Body {
    match response.content.get(JSON) {
        Some(media) => Body::Json(
            serde_json::to_string(&media.schema).unwrap_or_else(|e| format!("unprintable: {e}")),
        ),
        None if response.content.is_empty() => Body::Empty,
        None => Body::Raw,
    }
}

/// The spec progenitor gets, and what was changed on the way.
pub(crate) struct ClientView {
    pub(crate) spec: OpenAPI,
    /// `(operationId, status, schema name)` of every error response whose schema was made
    /// untyped.
    pub(crate) untyped_errors: Vec<(String, u16, String)>,
}

/// The client's copy of `spec`, or the problems that stop progenitor from taking it.
pub(crate) fn client_view(spec: &OpenAPI, contract: &Contract) -> Result<ClientView, Error> {
    let mut view = spec.clone();
    let mut problems = Vec::new();
    let mut used_tags = BTreeSet::new();
    let mut used_ids = BTreeSet::new();
    let mut untyped_errors = Vec::new();
    for (path, item) in view.paths.paths.iter_mut() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        let slots = [
            ("get", &mut item.get),
            ("put", &mut item.put),
            ("post", &mut item.post),
            ("delete", &mut item.delete),
            ("options", &mut item.options),
            ("head", &mut item.head),
            ("patch", &mut item.patch),
            ("trace", &mut item.trace),
        ];
        for (method, slot) in slots {
            let Some(op) = slot else { continue };
            let id = op.operation_id.clone().unwrap_or_default();
            let by_tag: Vec<&String> = op
                .tags
                .iter()
                .filter(|t| contract.client_exclude_tags.contains(t))
                .collect();
            let by_id = contract.client_exclude_operations.contains(&id);
            if by_id || !by_tag.is_empty() {
                used_tags.extend(by_tag.into_iter().cloned());
                if by_id {
                    used_ids.insert(id);
                }
                *slot = None;
                continue;
            }
            let pointer = format!("/paths/{}/{method}/responses", token(path));
            if let Some(message) = one_success(op) {
                problems.push(Problem {
                    operation: Some(id),
                    pointer,
                    message,
                });
            } else {
                for (status, schema) in one_error(op) {
                    untyped_errors.push((id.clone(), status, schema));
                }
            }
            lowercase_headers(op);
        }
    }
    view.paths
        .paths
        .retain(|_, item| matches!(item, ReferenceOr::Item(item) if item.iter().next().is_some()));
    for tag in &contract.client_exclude_tags {
        if !used_tags.contains(tag) {
            problems.push(config_problem(format!(
                "client_exclude_tags: no operation is tagged {tag:?}"
            )));
        }
    }
    for id in &contract.client_exclude_operations {
        if !used_ids.contains(id) {
            problems.push(config_problem(format!(
                "client_exclude_operations: no operation {id:?} is left to exclude"
            )));
        }
    }
    if problems.is_empty() {
        Ok(ClientView {
            spec: view,
            untyped_errors,
        })
    } else {
        Err(Error::Invalid(problems))
    }
}

fn config_problem(message: String) -> Problem {
    Problem {
        operation: None,
        pointer: "codegen/contracts.yaml".into(),
        message,
    }
}

/// Why progenitor cannot type the operation's success, if it cannot.
fn one_success(op: &Operation) -> Option<String> {
    let bodies: BTreeSet<Body> = op
        .responses
        .responses
        .iter()
        .filter_map(|(status, response)| match (status, response) {
            (StatusCode::Code(200..=299), ReferenceOr::Item(response)) => Some(body(response)),
            _ => None,
        })
        .collect();
    match bodies.len() {
        0 => Some(
            "no 2xx response (a redirect-only browser flow): the client cannot call it; \
             list it in client_exclude_tags or client_exclude_operations"
                .into(),
        ),
        1 => None,
        _ => Some(
            "its 2xx responses have different bodies and the client needs one success type: \
             list it in client_exclude_tags or client_exclude_operations"
                .into(),
        ),
    }
}

fn lowercase_headers(op: &mut Operation) {
    for parameter in &mut op.parameters {
        if let ReferenceOr::Item(Parameter::Header { parameter_data, .. }) = parameter {
            parameter_data.name = parameter_data.name.to_ascii_lowercase();
        }
    }
}

/// Leaves error responses that share one body (see the module docs); returns the status and
/// schema name of those whose schema it made untyped.
fn one_error(op: &mut Operation) -> Vec<(u16, String)> {
    let is_error = |status: &StatusCode| matches!(status, StatusCode::Code(400..=599));
    let bodies = |op: &Operation| -> BTreeSet<Body> {
        op.responses
            .responses
            .iter()
            .filter_map(|(status, response)| match response {
                ReferenceOr::Item(response) if is_error(status) => Some(body(response)),
                _ => None,
            })
            .collect()
    };
    let found = bodies(op);
    if found.len() <= 1 {
        return Vec::new();
    }
    let has_json = found.iter().any(|b| matches!(b, Body::Json(_)));
    op.responses.responses.retain(|status, response| {
        let ReferenceOr::Item(response) = response else {
            return true;
        };
        !is_error(status)
            || match body(response) {
                Body::Json(_) => true,
                Body::Raw => !has_json,
                Body::Empty => false,
            }
    });
    let mut untyped = Vec::new();
    if bodies(op).len() > 1 {
        for (status, response) in op.responses.responses.iter_mut() {
            if let (StatusCode::Code(code @ 400..=599), ReferenceOr::Item(response)) =
                (status, response)
                && let Some(media) = response.content.get_mut(JSON)
            {
                let untyped_schema = ReferenceOr::Item(openapiv3::Schema {
                    schema_data: Default::default(),
                    schema_kind: openapiv3::SchemaKind::Any(Default::default()),
                });
                if let Some(ReferenceOr::Reference { reference }) =
                    media.schema.replace(untyped_schema)
                {
                    let name = reference.rsplit('/').next().unwrap_or(&reference);
                    untyped.push((*code, name.to_string()));
                }
            }
        }
    }
    untyped
}
