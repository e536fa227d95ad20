//! The document poem-openapi serves must say what `spec/plystra.yaml` says: same paths, methods,
//! operationIds, tags, parameters, request bodies, statuses, media types, security, schema names,
//! property names and enum values. Representation differences that poem-openapi imposes are
//! accepted below, each with its reason; anything else fails.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::common::server;

const METHODS: [&str; 7] = ["get", "put", "post", "delete", "patch", "head", "options"];

fn ours() -> Value {
    serde_yaml::from_str(include_str!("../../../../spec/plystra.yaml")).expect("spec parses")
}

async fn served() -> Value {
    let service = plystra_server::http::openapi_service(server().await);
    serde_json::from_str(&service.spec()).expect("poem-openapi emits JSON")
}

fn ref_name(schema: &Value) -> Option<String> {
    schema["$ref"]
        .as_str()
        .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
}

/// Accepted: poem-openapi writes `application/json; charset=utf-8` where the spec says
/// `application/json` (the same for `text/plain`).
fn media_type(media: &str) -> &str {
    media.split(';').next().unwrap_or(media).trim()
}

/// A comparable summary of one operation.
fn operation(op: &Value) -> BTreeMap<&'static str, String> {
    let mut out = BTreeMap::new();
    out.insert("operationId", op["operationId"].to_string());
    out.insert("tags", op["tags"].to_string());
    let params: BTreeSet<String> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            // Accepted: poem-openapi writes `required: false` explicitly; the spec omits it.
            let required = p["required"].as_bool().unwrap_or(false);
            let schema = ref_name(&p["schema"]).unwrap_or_else(|| p["schema"]["type"].to_string());
            format!("{}:{}:{}:{}", p["name"], p["in"], required, schema)
        })
        .collect();
    out.insert("parameters", format!("{params:?}"));
    let body = &op["requestBody"];
    if !body.is_null() {
        let content: Vec<String> = body["content"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(media, c)| format!("{}:{:?}", media_type(media), ref_name(&c["schema"])))
            .collect();
        out.insert(
            "requestBody",
            format!(
                "required={} {content:?}",
                body["required"].as_bool().unwrap_or(false)
            ),
        );
    }
    let responses: Vec<String> = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, r)| {
            let content: Vec<String> = r["content"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(media, c)| format!("{}:{:?}", media_type(media), ref_name(&c["schema"])))
                .collect();
            format!("{status} {content:?}")
        })
        .collect();
    out.insert("responses", format!("{responses:?}"));
    let security: BTreeSet<String> = op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|alt| {
            alt.as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
        })
        .collect();
    out.insert("security", format!("{security:?}"));
    out
}

fn operations(doc: &Value) -> BTreeMap<String, BTreeMap<&'static str, String>> {
    let mut out = BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                out.insert(format!("{} {path}", method.to_uppercase()), operation(op));
            }
        }
    }
    out
}

#[tokio::test]
async fn served_operations_match_the_spec() {
    let (ours, served) = (operations(&ours()), operations(&served().await));
    let our_keys: BTreeSet<_> = ours.keys().collect();
    let served_keys: BTreeSet<_> = served.keys().collect();
    assert_eq!(our_keys, served_keys, "routes differ");
    assert_eq!(ours.len(), 165);
    let mut diffs = Vec::new();
    for (route, mine) in &ours {
        let theirs = &served[route];
        for (aspect, value) in mine {
            let other = theirs.get(aspect).cloned().unwrap_or_default();
            if *value != other {
                diffs.push(format!(
                    "{route} {aspect}:\n  spec:   {value}\n  served: {other}"
                ));
            }
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[tokio::test]
async fn served_schemas_match_the_spec() {
    let (ours, served) = (ours(), served().await);
    let mine = ours["components"]["schemas"].as_object().expect("schemas");
    let theirs = served["components"]["schemas"]
        .as_object()
        .expect("served schemas");
    let mut diffs = Vec::new();
    for (name, schema) in mine {
        let Some(other) = theirs.get(name) else {
            // Accepted: a schema that is only an alias of a map or scalar is inlined by
            // poem-openapi (Rust type aliases have no name of their own).
            if schema.get("properties").is_none() && schema.get("enum").is_none() {
                continue;
            }
            diffs.push(format!("{name}: not served"));
            continue;
        };
        let keys = |s: &Value| -> BTreeSet<String> {
            s["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect()
        };
        if keys(schema) != keys(other) {
            diffs.push(format!(
                "{name}: properties {:?} != served {:?}",
                keys(schema),
                keys(other)
            ));
        }
        if schema["enum"] != other["enum"] {
            diffs.push(format!(
                "{name}: enum {} != served {}",
                schema["enum"], other["enum"]
            ));
        }
        // Accepted: poem-openapi does not list nullable (`Option`) fields as required, so a
        // required-but-nullable property may be optional in the served document. Every other
        // required property must be required there too, and nothing beyond the spec's list.
        let required = |s: &Value| -> BTreeSet<String> {
            s["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        };
        let nullable = |prop: &str| {
            schema["properties"][prop]["nullable"]
                .as_bool()
                .unwrap_or(false)
        };
        let want: BTreeSet<String> = required(schema)
            .into_iter()
            .filter(|p| !nullable(p))
            .collect();
        let served_required = required(other);
        if !want.is_subset(&served_required) || !served_required.is_subset(&required(schema)) {
            diffs.push(format!(
                "{name}: required {want:?} != served {:?}",
                required(other)
            ));
        }
    }
    let extra: Vec<_> = theirs.keys().filter(|k| !mine.contains_key(*k)).collect();
    assert!(extra.is_empty(), "served schemas the spec lacks: {extra:?}");
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[tokio::test]
async fn served_security_schemes_match_the_spec() {
    let (ours, served) = (ours(), served().await);
    let ours = &ours["components"]["securitySchemes"];
    let served = &served["components"]["securitySchemes"];
    for name in ["BearerAuth", "ApiKeyAuth", "MetricsTokenAuth"] {
        for key in ["type", "scheme", "in", "name"] {
            assert_eq!(ours[name][key], served[name][key], "{name}.{key}");
        }
    }
    assert_eq!(
        ours.as_object().map(|o| o.len()),
        served.as_object().map(|o| o.len())
    );
}
