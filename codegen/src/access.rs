//! `x-plystra-access`: who may call an operation, read from the spec once for the validator and
//! the server generator.
//!
//! ```yaml
//! x-plystra-access: {public: true}            # anyone; the operation has no `security`
//! x-plystra-access: {authenticated: true}     # a credential of `security`, no permission
//! x-plystra-access: {permission: members:manage, space: path.space_id}
//! x-plystra-access: {permission: groups:read, space: path.space_id, group: path.group_id,
//!                    entity: {kind: group, id: path.group_id}}
//! x-plystra-access: {permission: api_keys:read, handler_resolved: true}
//! x-plystra-access: {permission: metrics:read, or_scheme: MetricsTokenAuth}
//! ```

use openapiv3::Operation;
use proc_macro2::TokenStream;
use quote::quote;

/// The extension's name.
pub(crate) const EXTENSION: &str = "x-plystra-access";

/// A parameter a scope is read from: `path.NAME` or `query.NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Path(String),
    Query(String),
}

/// The rule of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    Public,
    Authenticated,
    Permission {
        key: String,
        space: Option<Source>,
        group: Option<Source>,
        entity: Option<(String, Source)>,
        handler_resolved: bool,
        or_scheme: Option<String>,
    },
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    public: bool,
    #[serde(default)]
    authenticated: bool,
    permission: Option<String>,
    space: Option<String>,
    group: Option<String>,
    entity: Option<RawEntity>,
    #[serde(default)]
    handler_resolved: bool,
    or_scheme: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntity {
    kind: String,
    id: String,
}

fn source(text: &str) -> Result<Source, String> {
    match text.split_once('.') {
        Some(("path", name)) if !name.is_empty() => Ok(Source::Path(name.to_string())),
        Some(("query", name)) if !name.is_empty() => Ok(Source::Query(name.to_string())),
        _ => Err(format!(
            "{text:?} is not a parameter (`path.NAME` or `query.NAME`)"
        )),
    }
}

/// `domain:action`, each of `a-z 0-9 _ -`.
fn valid_key(key: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    };
    key.split_once(':')
        .is_some_and(|(domain, action)| token(domain) && token(action))
}

/// The operation's rule, or what is wrong with it (the shape only; the validator checks it
/// against the parameters and the security).
pub(crate) fn parse(op: &Operation) -> Result<Access, String> {
    let value = op
        .extensions
        .get(EXTENSION)
        .ok_or_else(|| format!("missing {EXTENSION} (who may call this operation)"))?;
    let raw: Raw =
        serde_json::from_value(value.clone()).map_err(|e| format!("{EXTENSION}: {e}"))?;
    let kinds = usize::from(raw.public)
        + usize::from(raw.authenticated)
        + usize::from(raw.permission.is_some());
    if kinds != 1 {
        return Err(format!(
            "{EXTENSION}: exactly one of `public: true`, `authenticated: true`, `permission` is needed"
        ));
    }
    let Some(key) = raw.permission else {
        if raw.space.is_some()
            || raw.group.is_some()
            || raw.entity.is_some()
            || raw.handler_resolved
            || raw.or_scheme.is_some()
        {
            return Err(format!(
                "{EXTENSION}: space, group, entity, handler_resolved and or_scheme go with a permission"
            ));
        }
        return Ok(if raw.public {
            Access::Public
        } else {
            Access::Authenticated
        });
    };
    if !valid_key(&key) {
        return Err(format!(
            "{EXTENSION}: permission {key:?} is not `domain:action`"
        ));
    }
    let entity = match raw.entity {
        Some(RawEntity { kind, id }) => {
            if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return Err(format!(
                    "{EXTENSION}: entity kind {kind:?} is not snake_case"
                ));
            }
            Some((kind, source(&id)?))
        }
        None => None,
    };
    Ok(Access::Permission {
        key,
        space: raw.space.as_deref().map(source).transpose()?,
        group: raw.group.as_deref().map(source).transpose()?,
        entity,
        handler_resolved: raw.handler_resolved,
        or_scheme: raw.or_scheme,
    })
}

impl Access {
    /// The parameters the rule reads.
    pub(crate) fn sources(&self) -> Vec<&Source> {
        match self {
            Access::Permission {
                space,
                group,
                entity,
                ..
            } => space
                .iter()
                .chain(group)
                .chain(entity.as_ref().map(|(_, id)| id))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The `crate::runtime::Access` value of the `OPERATIONS` table.
    pub(crate) fn tokens(&self) -> TokenStream {
        fn src(s: &Source) -> TokenStream {
            match s {
                Source::Path(name) => quote! { Source::Path(#name) },
                Source::Query(name) => quote! { Source::Query(#name) },
            }
        }
        fn opt(s: &Option<Source>) -> TokenStream {
            match s {
                Some(s) => {
                    let s = src(s);
                    quote! { Some(#s) }
                }
                None => quote! { None },
            }
        }
        match self {
            Access::Public => quote! { Access::Public },
            Access::Authenticated => quote! { Access::Authenticated },
            Access::Permission {
                key,
                space,
                group,
                entity,
                handler_resolved,
                or_scheme,
            } => {
                let (space, group) = (opt(space), opt(group));
                let entity = match entity {
                    Some((kind, id)) => {
                        let id = src(id);
                        quote! { Some(Entity { kind: #kind, id: #id }) }
                    }
                    None => quote! { None },
                };
                let or_scheme = match or_scheme {
                    Some(s) => quote! { Some(#s) },
                    None => quote! { None },
                };
                quote! {
                    Access::Permission(Permission {
                        key: #key, space: #space, group: #group, entity: #entity,
                        handler_resolved: #handler_resolved, or_scheme: #or_scheme,
                    })
                }
            }
        }
    }
}
