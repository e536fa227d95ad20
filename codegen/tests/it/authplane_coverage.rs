//! The two Authplane contracts describe exactly the upstream operations listed in
//! `spec/authplane/upstream-routes.tsv`: same server, method, path, operationId and tag, the
//! documented success status, explicit statuses only, the upstream security, and no dangling
//! `$ref`. Every check collects all its findings so one run shows everything that is off.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use openapiv3::{APIKeyLocation, OpenAPI, Operation, ReferenceOr, SecurityScheme, StatusCode};

use crate::root;

/// The two documents, keyed by the `server` column of the TSV.
const DOCUMENTS: [(&str, &str); 2] = [
    ("public", "spec/authplane/public.yaml"),
    ("admin", "spec/authplane/admin.yaml"),
];

const BEARER: &str = "AdminAPIKey";
const SESSION: &str = "SessionCookie";

/// One row of `upstream-routes.tsv`.
#[derive(Debug)]
struct Route {
    server: String,
    method: String,
    path: String,
    operation_id: String,
    tag: String,
    security: String,
    success: Option<u16>,
}

impl Route {
    fn label(&self) -> String {
        format!(
            "{} {} {} ({})",
            self.server, self.method, self.path, self.operation_id
        )
    }
}

fn routes() -> Vec<Route> {
    let path = root().join("spec/authplane/upstream-routes.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("server\tmethod\tpath\toperation_id\ttag\tsecurity\tsuccess_status"),
        "unexpected header in {}",
        path.display()
    );
    lines
        .filter(|line| !line.is_empty())
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 7, "malformed row: {line:?}");
            Route {
                server: cols[0].to_string(),
                method: cols[1].to_string(),
                path: cols[2].to_string(),
                operation_id: cols[3].to_string(),
                tag: cols[4].to_string(),
                security: cols[5].to_string(),
                success: (!cols[6].is_empty()).then(|| cols[6].parse().unwrap()),
            }
        })
        .collect()
}

/// One contract, parsed twice: typed by `openapiv3`, and as plain JSON for the `$ref` walk.
struct Document {
    server: &'static str,
    /// Relative to the workspace root, for messages.
    file: &'static str,
    spec: OpenAPI,
    raw: serde_json::Value,
}

fn documents() -> Vec<Document> {
    DOCUMENTS
        .iter()
        .map(|&(server, file)| {
            let text = std::fs::read_to_string(root().join(file))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            let spec: OpenAPI = serde_yaml::from_str(&text)
                .unwrap_or_else(|e| panic!("{file} is not an OpenAPI document: {e}"));
            let raw = serde_yaml::from_str(&text).unwrap();
            assert!(
                spec.openapi.starts_with("3.0."),
                "{file}: OpenAPI {}",
                spec.openapi
            );
            Document {
                server,
                file,
                spec,
                raw,
            }
        })
        .collect()
}

/// Every operation of a document by `(METHOD, path)`.
fn operations(spec: &OpenAPI) -> BTreeMap<(String, String), &Operation> {
    let mut out = BTreeMap::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            panic!("{path}: path item $ref is not expected in these documents");
        };
        for (method, op) in item.iter() {
            out.insert((method.to_uppercase(), path.clone()), op);
        }
    }
    out
}

fn fail_if_any(what: &str, problems: &[String]) {
    if !problems.is_empty() {
        let mut msg = format!("{} {what}:\n", problems.len());
        for p in problems {
            let _ = writeln!(msg, "  - {p}");
        }
        panic!("{msg}");
    }
}

#[test]
fn every_upstream_route_is_described_once_with_its_identity() {
    let routes = routes();
    assert_eq!(routes.len(), 98, "the upstream route list changed size");
    let docs = documents();
    let mut problems = Vec::new();
    let mut expected: BTreeMap<&str, BTreeSet<(String, String)>> = BTreeMap::new();

    for route in &routes {
        expected
            .entry(route.server.as_str())
            .or_default()
            .insert((route.method.clone(), route.path.clone()));
        let Some(doc) = docs.iter().find(|d| d.server == route.server) else {
            problems.push(format!("{}: unknown server", route.label()));
            continue;
        };
        let ops = operations(&doc.spec);
        let Some(op) = ops.get(&(route.method.clone(), route.path.clone())) else {
            let elsewhere = docs.iter().filter(|d| d.server != route.server).any(|d| {
                operations(&d.spec).contains_key(&(route.method.clone(), route.path.clone()))
            });
            let hint = if elsewhere {
                " (it is in the other document)"
            } else {
                ""
            };
            problems.push(format!(
                "{}: missing from {}{hint}",
                route.label(),
                doc.file
            ));
            continue;
        };
        if op.operation_id.as_deref() != Some(route.operation_id.as_str()) {
            problems.push(format!(
                "{}: operationId is {:?}",
                route.label(),
                op.operation_id
            ));
        }
        if op.tags != [route.tag.clone()] {
            problems.push(format!(
                "{}: tags are {:?}, upstream has [{:?}]",
                route.label(),
                op.tags,
                route.tag
            ));
        }
        if let Some(status) = route.success
            && !op
                .responses
                .responses
                .contains_key(&StatusCode::Code(status))
        {
            problems.push(format!(
                "{}: the upstream success status {status} is not declared",
                route.label()
            ));
        }
    }

    let mut ids = BTreeMap::new();
    for doc in &docs {
        let listed = expected.get(doc.server).cloned().unwrap_or_default();
        for ((method, path), op) in operations(&doc.spec) {
            if !listed.contains(&(method.clone(), path.clone())) {
                problems.push(format!(
                    "{}: {method} {path} is not an upstream {} operation",
                    doc.file, doc.server
                ));
            }
            if let Some(id) = &op.operation_id
                && let Some(first) = ids.insert(id.clone(), format!("{method} {path}"))
            {
                problems.push(format!(
                    "operationId {id} is used twice ({first}, {method} {path})"
                ));
            }
        }
    }

    fail_if_any("coverage problems", &problems);
}

#[test]
fn statuses_are_explicit_and_security_matches_upstream() {
    let routes = routes();
    let docs = documents();
    let mut problems = Vec::new();

    for doc in &docs {
        if doc.spec.security.as_ref().is_some_and(|s| !s.is_empty()) {
            problems.push(format!(
                "{}: top-level security would leak into every operation",
                doc.file
            ));
        }
        for ((method, path), op) in operations(&doc.spec) {
            let label = format!("{} {method} {path}", doc.server);
            if op.responses.default.is_some() {
                problems.push(format!("{label}: has a `default` response"));
            }
            if op.responses.responses.is_empty() {
                problems.push(format!("{label}: declares no response"));
            }
            if doc.server == "admin" && path.starts_with("/admin/") && !requires_only(op, BEARER) {
                problems.push(format!(
                    "{label}: does not require the {BEARER} bearer scheme"
                ));
            }
        }
    }

    for route in &routes {
        let Some(doc) = docs.iter().find(|d| d.server == route.server) else {
            continue; // reported by the coverage test
        };
        let ops = operations(&doc.spec);
        let Some(op) = ops.get(&(route.method.clone(), route.path.clone())) else {
            continue; // reported by the coverage test
        };
        let mentions = |scheme: &str| {
            op.security
                .iter()
                .flatten()
                .any(|alt| alt.contains_key(scheme))
        };
        match route.security.as_str() {
            "AdminAPIKey" if !requires_only(op, BEARER) => problems.push(format!(
                "{}: must require exactly the {BEARER} scheme, has {:?}",
                route.label(),
                op.security
            )),
            "SessionCookie" if !mentions(SESSION) => problems.push(format!(
                "{}: must use the {SESSION} scheme, has {:?}",
                route.label(),
                op.security
            )),
            "default" if mentions(BEARER) || mentions(SESSION) => problems.push(format!(
                "{}: upstream needs no admin key or session here, has {:?}",
                route.label(),
                op.security
            )),
            "AdminAPIKey" | "SessionCookie" | "default" => {}
            other => problems.push(format!("{}: unknown security {other:?}", route.label())),
        }
    }

    let scheme = |server: &str, name: &str| {
        docs.iter()
            .find(|d| d.server == server)
            .and_then(|d| d.spec.components.as_ref())
            .and_then(|c| c.security_schemes.get(name))
    };
    match scheme("admin", BEARER) {
        Some(ReferenceOr::Item(SecurityScheme::HTTP { scheme, .. }))
            if scheme.eq_ignore_ascii_case("bearer") => {}
        other => problems.push(format!(
            "admin: {BEARER} must be an HTTP bearer scheme, is {other:?}"
        )),
    }
    match scheme("public", SESSION) {
        Some(ReferenceOr::Item(SecurityScheme::APIKey {
            location: APIKeyLocation::Cookie,
            ..
        })) => {}
        other => problems.push(format!(
            "public: {SESSION} must be an API key in a cookie, is {other:?}"
        )),
    }

    fail_if_any("status or security problems", &problems);
}

/// The operation can only be called with `scheme` (one requirement, no anonymous alternative).
fn requires_only(op: &Operation, scheme: &str) -> bool {
    match op.security.as_deref() {
        Some([only]) => only.len() == 1 && only.contains_key(scheme),
        _ => false,
    }
}

#[test]
fn every_ref_resolves_inside_its_document_and_every_schema_is_used() {
    let mut problems = Vec::new();
    for doc in documents() {
        let mut refs = Vec::new();
        collect_refs(&doc.raw, String::new(), &mut refs);
        let mut used = BTreeSet::new();
        for (at, target) in &refs {
            match target.strip_prefix('#') {
                Some(pointer) if doc.raw.pointer(pointer).is_some() => {
                    if let Some(name) = pointer.strip_prefix("/components/schemas/") {
                        used.insert(name.to_string());
                    }
                }
                Some(_) => problems.push(format!(
                    "{}: {at}: $ref {target:?} does not resolve",
                    doc.file
                )),
                None => problems.push(format!(
                    "{}: {at}: $ref {target:?} leaves the document",
                    doc.file
                )),
            }
        }
        let declared = doc
            .spec
            .components
            .as_ref()
            .map(|c| c.schemas.keys().cloned().collect::<BTreeSet<_>>())
            .unwrap_or_default();
        for unused in declared.difference(&used) {
            problems.push(format!("{}: schema {unused} is never referenced", doc.file));
        }
    }
    fail_if_any("reference problems", &problems);
}

/// Every `$ref` below `value`, with the JSON pointer of the object that holds it.
fn collect_refs(value: &serde_json::Value, at: String, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    out.push((at.clone(), child.as_str().unwrap_or_default().to_string()));
                } else {
                    let token = key.replace('~', "~0").replace('/', "~1");
                    collect_refs(child, format!("{at}/{token}"), out);
                }
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}
