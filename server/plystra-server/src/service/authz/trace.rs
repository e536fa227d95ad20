//! The decision as the JSON the audit row stores (`trace`, docs/behaviour.md §10.5–§10.6).
//!
//! Written straight from the borrowed engine decision into one string, so auditing a check costs
//! that string and nothing else. The shape is the explain response's ([`super::wire::explained`]);
//! a test renders both and compares them.
//!
//! While writing, the keys of every free-form object (resource and registry metadata) are
//! checked: a trace that would store a key naming a password, secret, token, API key or
//! authorization header is refused. The trace's own keys never do (a test checks that too).

use crate::domain::authz::{
    Decision, Group, Metadata, Resource, ResourceAction, ResourceMapping, ResourceType,
    TRACE_VERSION,
};

use super::Refs;

/// What a sensitive key contains, lower-cased.
const SENSITIVE: [&str; 5] = ["password", "secret", "token", "api_key", "authorization"];

/// A key of the trace that may hold a secret; the trace is not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit trace field {0:?} may hold a secret; store a reference to it instead")]
pub struct SensitiveKey(pub String);

/// Whether `key` names something that must not be stored in the audit log.
pub fn is_sensitive(key: &str) -> bool {
    let lower = key.trim().to_lowercase();
    SENSITIVE.iter().any(|word| lower.contains(word))
}

/// The trace of `decision`, or the first sensitive key it would store.
pub fn render(decision: &Decision<'_>, refs: &Refs<'_>) -> Result<String, SensitiveKey> {
    let mut out = String::with_capacity(2048);
    let mut sensitive = None;
    let actor = decision.actor();
    let audit = decision.audit();
    Object::write(&mut out, &mut sensitive, |o| {
        o.str("trace_version", TRACE_VERSION);
        o.str("trace_id", refs.trace_id);
        o.str("decision", decision.outcome().as_str());
        if let Some(code) = decision.deny_code() {
            o.str("deny_code", code.as_str());
        }
        o.object("actor", |a| {
            a.object("user", |u| {
                u.str("id", &actor.user.id);
                u.str("email", &actor.user.email);
                u.str("status", &actor.user.status);
            });
            a.object("member", |m| {
                m.str("id", &actor.member.id);
                m.str("space_id", &actor.member.space_id);
                m.str("display_name", &actor.member.display_name);
                m.str("status", &actor.member.status);
            });
            let um = &actor.user_member;
            a.object("user_member", |b| {
                b.str("id", &um.id);
                b.str("user_id", &um.user_id);
                b.str("member_id", &um.member_id);
                b.str("space_id", &um.space_id);
                b.str("relation_type", &um.relation_type);
                b.str("status", &um.status);
                b.bool("is_primary", um.is_primary);
                match um.expires_at {
                    // Spelled as the explain response spells a date-time (poem-openapi's).
                    Some(at) => b.str("expires_at", &at.to_rfc3339()),
                    None => b.null("expires_at"),
                }
            });
            a.object("space", |s| space(s, decision));
        });
        o.object("space", |s| space(s, decision));
        let target = decision.target();
        o.object("target", |t| {
            let empty = Resource::default();
            t.object("resource", |r| {
                resource(r, target.map_or(&empty, |t| &t.resource));
            });
            match target.and_then(|t| t.group.as_ref()) {
                Some(g) => t.object("group", |o| group(o, g, true)),
                None => t.null("group"),
            }
        });
        let registry = decision.registry();
        o.object("resource_registry", |r| {
            let (no_type, no_action, no_mapping) = Default::default();
            r.object("resource_type", |o| {
                resource_type(o, registry.resource_type.as_ref().unwrap_or(&no_type));
            });
            r.object("action", |o| {
                action(o, registry.action.as_ref().unwrap_or(&no_action));
            });
            r.object("mapping", |o| {
                mapping(o, registry.mapping.as_ref().unwrap_or(&no_mapping));
            });
        });
        if refs.lists_candidates(decision) {
            o.array("matched_candidates", |items| {
                for matched in decision.matched() {
                    let c = matched.candidate;
                    let check = &matched.scope_check;
                    items.object(|m| {
                        m.object("role", |r| {
                            r.str("id", &c.role.id);
                            r.str("key", &c.role.key);
                            r.str("space_id", &c.role.space_id);
                        });
                        m.object("permission", |p| {
                            p.str("id", &c.permission.id);
                            p.str("resource", &c.permission.resource);
                            p.str("action", &c.permission.action);
                            p.str("scope", super::wire::scope(&c.permission.scope).as_str());
                        });
                        match &c.scope_anchor {
                            Some(anchor) => m.object("scope_anchor", |o| group(o, anchor, false)),
                            None => m.null("scope_anchor"),
                        }
                        m.object("scope_check", |s| {
                            s.bool("covered", check.covered);
                            s.str("rule", check.rule);
                            s.str("reason", &check.reason);
                            if let Some(code) = check.deny_code {
                                s.str("deny_code", code.as_str());
                            }
                        });
                        m.str("member_role_space_id", &c.member_role_space_id);
                    });
                }
            });
        } else {
            o.null("matched_candidates");
        }
        o.object("request", |r| {
            r.str("request_id", refs.request_id);
            r.str("ip", refs.ip);
            r.str("user_agent", refs.user_agent);
        });
        o.str("reason", decision.reason());
        o.object("audit", |a| {
            a.str("audit_log_id", refs.audit_log_id);
            a.str("actor_user_id", audit.actor_user_id);
            a.str("actor_member_id", audit.actor_member_id);
            a.str("actor_user_member_id", audit.actor_user_member_id);
            a.str("space_id", audit.space_id);
            a.key("action");
            string_parts(a.out, &[audit.resource_type, ".", audit.action_key]);
            a.str("resource_type", audit.resource_type);
            a.str("resource_id", audit.resource_id);
            a.str("decision", audit.outcome.as_str());
            a.str("deny_code", audit.deny_code.map_or("", |c| c.as_str()));
            a.str("request_id", refs.request_id);
        });
    });
    match sensitive {
        Some(key) => Err(SensitiveKey(key)),
        None => Ok(out),
    }
}

fn space(o: &mut Object<'_>, decision: &Decision<'_>) {
    let space = decision.space();
    o.str("id", &space.id);
    o.str("name", &space.name);
    o.str("status", &space.status);
}

fn resource(o: &mut Object<'_>, r: &Resource) {
    o.str("id", &r.id);
    o.str_if("external_id", &r.external_id);
    o.str("type", &r.resource_type);
    o.str("space_id", &r.space_id);
    o.str("group_id", &r.group_id);
    o.str_if("group_path", &r.group_path);
    o.str("owner_member_id", &r.owner_member_id);
    o.str_if("display_name", &r.display_name);
    o.str_if("visibility", &r.visibility);
    o.str_if("status", &r.status);
    o.metadata_if("metadata", &r.metadata);
}

/// A target group has every field; a scope anchor omits an empty space and status.
fn group(o: &mut Object<'_>, g: &Group, full: bool) {
    o.str("id", &g.id);
    if full {
        o.str("space_id", &g.space_id);
        o.str("path", &g.path);
        o.str("status", &g.status);
    } else {
        o.str("path", &g.path);
        o.str_if("space_id", &g.space_id);
        o.str_if("status", &g.status);
    }
}

fn resource_type(o: &mut Object<'_>, t: &ResourceType) {
    o.str("id", &t.id);
    o.str("key", &t.key);
    o.str("display_name", &t.display_name);
    o.str_if("description", &t.description);
    o.str("status", &t.status);
    o.str("source", &t.source);
    o.metadata_if("metadata", &t.metadata);
}

fn action(o: &mut Object<'_>, a: &ResourceAction) {
    o.str("id", &a.id);
    o.str("resource_type_id", &a.resource_type_id);
    o.str("key", &a.key);
    o.str("display_name", &a.display_name);
    o.str_if("description", &a.description);
    o.str("risk_level", &a.risk_level);
    o.bool("audit_default", a.audit_default);
    o.metadata_if("metadata", &a.metadata);
}

fn mapping(o: &mut Object<'_>, m: &ResourceMapping) {
    o.str("id", &m.id);
    o.str("resource_type_id", &m.resource_type_id);
    o.str("storage_kind", &m.storage_kind);
    o.str_if("table_name", &m.table_name);
    o.str("id_field", &m.id_field);
    o.str("space_field", &m.space_field);
    o.str_if("group_field", &m.group_field);
    o.str_if("owner_member_field", &m.owner_member_field);
    o.str_if("visibility_field", &m.visibility_field);
    o.str_if("metadata_field", &m.metadata_field);
    o.str("status", &m.status);
    o.metadata_if("metadata", &m.metadata);
}

/// A JSON object being appended to `out`; fields are separated as they are added. `sensitive`
/// keeps the first sensitive key met in free-form values.
struct Object<'a> {
    out: &'a mut String,
    sensitive: &'a mut Option<String>,
    has_fields: bool,
}

impl Object<'_> {
    fn write(out: &mut String, sensitive: &mut Option<String>, fill: impl FnOnce(&mut Object<'_>)) {
        out.push('{');
        let mut object = Object {
            out,
            sensitive,
            has_fields: false,
        };
        fill(&mut object);
        object.out.push('}');
    }

    fn key(&mut self, key: &str) {
        if self.has_fields {
            self.out.push(',');
        }
        self.has_fields = true;
        string(self.out, key);
        self.out.push(':');
    }

    fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        string(self.out, value);
    }

    /// Omitted when empty.
    fn str_if(&mut self, key: &str, value: &str) {
        if !value.is_empty() {
            self.str(key, value);
        }
    }

    fn bool(&mut self, key: &str, value: bool) {
        self.key(key);
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn null(&mut self, key: &str) {
        self.key(key);
        self.out.push_str("null");
    }

    fn object(&mut self, key: &str, fill: impl FnOnce(&mut Object<'_>)) {
        self.key(key);
        Object::write(self.out, self.sensitive, fill);
    }

    fn array(&mut self, key: &str, fill: impl FnOnce(&mut Array<'_>)) {
        self.key(key);
        self.out.push('[');
        let mut array = Array {
            out: self.out,
            sensitive: self.sensitive,
            has_items: false,
        };
        fill(&mut array);
        array.out.push(']');
    }

    /// Omitted when empty.
    fn metadata_if(&mut self, key: &str, metadata: &Metadata) {
        if !metadata.is_empty() {
            self.key(key);
            map(self.out, self.sensitive, metadata);
        }
    }
}

/// A JSON array of objects being appended to `out`.
struct Array<'a> {
    out: &'a mut String,
    sensitive: &'a mut Option<String>,
    has_items: bool,
}

impl Array<'_> {
    fn object(&mut self, fill: impl FnOnce(&mut Object<'_>)) {
        if self.has_items {
            self.out.push(',');
        }
        self.has_items = true;
        Object::write(self.out, self.sensitive, fill);
    }
}

fn string(out: &mut String, text: &str) {
    string_parts(out, &[text]);
}

/// One JSON string made of `parts`, escaped as serde_json escapes.
fn string_parts(out: &mut String, parts: &[&str]) {
    out.push('"');
    for part in parts {
        for c in part.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
    }
    out.push('"');
}

/// A free-form value, checking the keys of every object in it.
fn value(out: &mut String, sensitive: &mut Option<String>, value_: &serde_json::Value) {
    use serde_json::Value;
    match value_ {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                value(out, sensitive, item);
            }
            out.push(']');
        }
        Value::Object(object) => map(out, sensitive, object),
    }
}

fn map(out: &mut String, sensitive: &mut Option<String>, object: &Metadata) {
    out.push('{');
    for (i, (key, item)) in object.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if sensitive.is_none() && is_sensitive(key) {
            *sensitive = Some(key.clone());
        }
        string(out, key);
        out.push(':');
        value(out, sensitive, item);
    }
    out.push('}');
}
