//! Whether the SDK decoded the answer into what it was sent.

use serde_json::Value;

use super::Answer;
use crate::matcher::compare;
use crate::sdk_dispatch::Outcome;

/// Compares what the SDK decoded with what the mock answered.
pub(super) fn outcome(answer: &Answer, outcome: Outcome) -> Result<(), String> {
    let success = (200..300).contains(&answer.status);
    match outcome {
        Outcome::Data {
            data,
            request_id,
            pagination,
        } if success => {
            let mut decoded = serde_json::json!({"data": data, "request_id": request_id});
            if let (Some(page), Some(object)) = (pagination, decoded.as_object_mut()) {
                object.insert("pagination".into(), page);
            }
            let sent = answer.body.clone().unwrap_or(Value::Null);
            let mismatches = compare(&canonical(sent), Some(&canonical(decoded)));
            if mismatches.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "decoded differently from the answer: {mismatches:?}"
                ))
            }
        }
        Outcome::Text { text, .. } if success => match &answer.body {
            Some(Value::String(sent)) if *sent == text => Ok(()),
            other => Err(format!("decoded text {text:?} from {other:?}")),
        },
        Outcome::Error(plystra::Error::Api(api)) if !success => error(answer, &api),
        other => Err(format!("a {} answer came back as {other:?}", answer.status)),
    }
}

/// The SDK's error carries the status and the envelope's fields.
fn error(answer: &Answer, api: &plystra::ApiError) -> Result<(), String> {
    let body = answer.body.as_ref();
    let error = body.and_then(|b| b.get("error"));
    let text = |key: &str| {
        error
            .and_then(|e| e.get(key))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let request_id = text("request_id")
        .or_else(|| {
            body.and_then(|b| b.get("request_id"))
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .or_else(|| answer.headers.get("x-request-id").cloned());
    let details = error
        .and_then(|e| e.get("details"))
        .cloned()
        .unwrap_or(Value::Null);
    let fields = [
        ("status", api.status.to_string(), answer.status.to_string()),
        ("code", api.code.as_str(), text("code").unwrap_or_default()),
        (
            "message",
            api.message.clone(),
            text("message").unwrap_or_default(),
        ),
        ("details", api.details.to_string(), details.to_string()),
        (
            "request_id",
            format!("{:?}", api.request_id),
            format!("{request_id:?}"),
        ),
        (
            "trace_id",
            format!("{:?}", api.trace_id),
            format!("{:?}", text("trace_id")),
        ),
        (
            "audit_log_id",
            format!("{:?}", api.audit_log_id),
            format!("{:?}", text("audit_log_id")),
        ),
        (
            "deny_code",
            format!("{:?}", api.deny_code.as_ref().map(|d| d.as_str())),
            format!("{:?}", text("deny_code")),
        ),
    ];
    let wrong: Vec<String> = fields
        .iter()
        .filter(|(_, got, sent)| got != sent)
        .map(|(field, got, sent)| format!("{field}: the SDK has {got}, the answer {sent}"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(wrong.join("; "))
    }
}

/// `value` without object members that are `null`, `{}` or `[]`: the SDK's types hold such a
/// member and a missing one alike (`None`, or an empty collection by default), and serialize
/// neither.
fn canonical(value: Value) -> Value {
    let is_empty = |v: &Value| match v {
        Value::Null => true,
        Value::Object(members) => members.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    };
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, canonical(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(canonical).collect()),
        other => other,
    }
}
