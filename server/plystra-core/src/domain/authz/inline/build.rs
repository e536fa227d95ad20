//! Validation and construction of the inline actor, target and candidates (§10.4).

use sha1::{Digest, Sha1};

use super::request::{InlineRequest, first_non_blank, or_else};
use crate::domain::authz::model::{
    ACTIVE, Actor, Candidate, CheckRequest, Context, Group, Member, Permission, Registry, Resource,
    Role, Space, Target, User, UserMember,
};
use crate::domain::authz::scope::Scope;

/// Why an inline context cannot be built. The HTTP layer answers
/// `400 VALIDATION_FAILED "Inline authorization context is invalid."` with this message as
/// details, except for [`InlineError::RequestIncomplete`] (see there).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InlineError {
    /// An actor id is missing.
    #[error("inline actor needs user_id, member_id, user_member_id (or binding_id) and space_id")]
    ActorIncomplete,
    /// Context Mode without resource fields.
    #[error("context mode needs an inline resource")]
    ResourceMissing,
    /// `resource.type` names another type than the request.
    #[error("inline resource type {inline:?} is not the requested resource_type {requested:?}")]
    ResourceTypeMismatch {
        /// `resource.type`
        inline: String,
        /// the requested `resource_type`
        requested: String,
    },
    /// The resource lacks a type, an id or a space.
    #[error("inline resource needs a type, an id or external_id, and a space_id")]
    ResourceIncomplete,
    /// A grant lacks its resource, action, scope or space, even after the defaults.
    #[error(
        "inline grant {index} needs a resource, an action, a scope and a space_id (its own or the actor's)"
    )]
    GrantIncomplete {
        /// Position in `grants`.
        index: usize,
    },
    /// A grant's scope is not one of the five.
    #[error("inline grant {index} has unknown scope {scope:?}")]
    GrantScopeUnknown {
        /// Position in `grants`.
        index: usize,
        /// The scope as given.
        scope: String,
    },
    /// The context is valid but the request itself lacks a field every check needs (in practice
    /// `action`, when there are no grants to require it). Upstream meets this in the engine, after
    /// validation, and answers `500 INTERNAL_ERROR "Authorization check failed."`; the server answers 400
    /// after the body's scopes are checked.
    #[error("{field} is required")]
    RequestIncomplete {
        /// The missing request field.
        field: &'static str,
    },
}

/// A validated inline context, waiting for the registry lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineContext {
    /// The requested ids, defaults applied.
    pub request: CheckRequest,
    /// The actor, defaults applied.
    pub actor: Actor,
    /// The target, with its group synthesised from the id or path given.
    pub target: Target,
    /// The grants naming the requested type and action, in request order.
    pub candidates: Vec<Candidate>,
}

impl InlineContext {
    /// The full context, once the registry lookup for the requested type and action is known
    /// (Context Mode still needs them registered).
    pub fn into_context(self, registry: Registry) -> Context {
        Context {
            request: self.request,
            actor: self.actor,
            registry,
            target: self.target,
            candidates: self.candidates,
        }
    }
}

impl InlineRequest {
    /// Validates the body and builds the actor, target and candidates (§10.4). Checks run in the
    /// order actor, resource, grants (every grant, also those for other actions), then the
    /// request's own required fields; the first failure is returned.
    pub fn build(&self) -> Result<InlineContext, InlineError> {
        let request = self.check_request();
        let actor = self.inline_actor(&request)?;
        let target = self.inline_target(&request)?;
        let candidates = self.inline_candidates(&request)?;
        if let Some(field) = request.missing_field() {
            return Err(InlineError::RequestIncomplete { field });
        }
        Ok(InlineContext {
            request,
            actor,
            target,
            candidates,
        })
    }

    fn inline_actor(&self, request: &CheckRequest) -> Result<Actor, InlineError> {
        let a = &self.actor;
        if request.user_id.is_empty()
            || request.member_id.is_empty()
            || request.user_member_id.is_empty()
            || request.space_id.is_empty()
        {
            return Err(InlineError::ActorIncomplete);
        }
        Ok(Actor {
            user: User {
                id: request.user_id.clone(),
                email: a.user_email.clone(),
                status: status_or_active(&a.user_status),
            },
            member: Member {
                id: request.member_id.clone(),
                space_id: request.space_id.clone(),
                display_name: or_else(&a.member_display_name, &a.member_id).to_owned(),
                status: status_or_active(&a.member_status),
            },
            user_member: UserMember {
                id: request.user_member_id.clone(),
                user_id: request.user_id.clone(),
                member_id: request.member_id.clone(),
                space_id: request.space_id.clone(),
                relation_type: or_else(&a.relation_type, "external").to_owned(),
                status: status_or_active(&a.binding_status),
                is_primary: true,
                expires_at: None,
            },
            space: Space {
                id: request.space_id.clone(),
                name: or_else(&a.space_name, &a.space_id).to_owned(),
                status: status_or_active(&a.space_status),
            },
        })
    }

    fn inline_target(&self, request: &CheckRequest) -> Result<Target, InlineError> {
        let r = &self.resource;
        if !r.has_inline_fields() {
            return Err(InlineError::ResourceMissing);
        }
        let resource_type = or_else(&r.resource_type, &request.resource_type);
        if resource_type != request.resource_type {
            return Err(InlineError::ResourceTypeMismatch {
                inline: resource_type.to_owned(),
                requested: request.resource_type.clone(),
            });
        }
        let id = if r.id.is_empty() {
            first_non_blank(&r.external_id, &request.resource_id)
        } else {
            &r.id
        };
        if resource_type.is_empty() || id.is_empty() || r.space_id.is_empty() {
            return Err(InlineError::ResourceIncomplete);
        }
        let group = (!r.group_id.is_empty() || !r.group_path.is_empty()).then(|| {
            let path = or_else(&r.group_path, &r.group_id);
            Group {
                id: if r.group_id.is_empty() {
                    synthetic_group_id(&r.space_id, path)
                } else {
                    r.group_id.clone()
                },
                space_id: r.space_id.clone(),
                path: path.to_owned(),
                status: ACTIVE.to_owned(),
            }
        });
        let (group_id, group_path) = match &group {
            Some(g) => (or_else(&r.group_id, &g.id), or_else(&r.group_path, &g.path)),
            None => ("", ""),
        };
        Ok(Target {
            resource: Resource {
                id: id.to_owned(),
                external_id: or_else(&r.external_id, id).to_owned(),
                resource_type: resource_type.to_owned(),
                space_id: r.space_id.clone(),
                group_id: group_id.to_owned(),
                group_path: group_path.to_owned(),
                owner_member_id: r.owner_member_id.clone(),
                display_name: r.display_name.clone(),
                visibility: r.visibility.clone(),
                status: or_else(&r.status, ACTIVE).to_owned(),
                metadata: r.metadata.clone(),
            },
            group,
        })
    }

    fn inline_candidates(&self, request: &CheckRequest) -> Result<Vec<Candidate>, InlineError> {
        let mut candidates = Vec::new();
        for (index, grant) in self.grants.iter().enumerate() {
            let resource = first_non_blank(&grant.resource, &request.resource_type);
            let action = first_non_blank(&grant.action, &request.action);
            let space_id = first_non_blank(&grant.space_id, &request.space_id);
            if resource.is_empty()
                || action.is_empty()
                || grant.scope.is_empty()
                || space_id.is_empty()
            {
                return Err(InlineError::GrantIncomplete { index });
            }
            if Scope::parse(&grant.scope).is_none() {
                return Err(InlineError::GrantScopeUnknown {
                    index,
                    scope: grant.scope.clone(),
                });
            }
            if resource != request.resource_type || action != request.action {
                continue;
            }
            let role_key = or_else(&grant.role_key, "inline");
            let role_id = if grant.role_id.is_empty() {
                format!("role_inline_{}", token(role_key))
            } else {
                grant.role_id.clone()
            };
            let permission_id = if grant.permission_id.is_empty() {
                let scope = &grant.scope;
                format!(
                    "perm_inline_{}",
                    token(&format!("{resource}_{action}_{scope}"))
                )
            } else {
                grant.permission_id.clone()
            };
            let anchor_id = grant.scope_anchor_group_id.as_str();
            let anchor_path = grant.scope_anchor_group_path.as_str();
            let scope_anchor = (!anchor_id.is_empty() || !anchor_path.is_empty()).then(|| {
                let path = first_non_blank(anchor_path, anchor_id);
                let id = match anchor_id.trim() {
                    "" => synthetic_group_id(space_id, path),
                    id => id.to_owned(),
                };
                Group {
                    id,
                    space_id: space_id.to_owned(),
                    path: path.to_owned(),
                    status: ACTIVE.to_owned(),
                }
            });
            candidates.push(Candidate {
                role: Role {
                    id: role_id,
                    key: role_key.to_owned(),
                    space_id: space_id.to_owned(),
                },
                permission: Permission {
                    id: permission_id,
                    resource: resource.to_owned(),
                    action: action.to_owned(),
                    scope: grant.scope.clone(),
                },
                member_role_space_id: space_id.to_owned(),
                scope_anchor,
            });
        }
        Ok(candidates)
    }
}

/// The id of a group known only by path: `group_inline_` and the first 16 hex digits of
/// SHA-1(`space_id` NUL `path`). Stable, so repeated checks on one path share an id, and scoped
/// by space, so equal paths in two spaces never collide.
pub fn synthetic_group_id(space_id: &str, path: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(space_id.as_bytes());
    hasher.update([0u8]);
    hasher.update(path.as_bytes());
    let digest = hasher.finalize();
    format!("group_inline_{}", hex::encode(&digest[..8]))
}

/// The id-safe form of a key used in default inline ids: trimmed, ASCII letters lower-cased,
/// ASCII letters and digits kept, every other character (including each non-ASCII one) turned
/// into `_`, leading and trailing `_` dropped; `value` if nothing is left. This is upstream's
/// token, so default ids agree with it (`Finance Approver!` → `finance_approver`).
pub fn token(value: &str) -> String {
    let mapped: String = value
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    match mapped.trim_matches('_') {
        "" => "value".to_owned(),
        kept => kept.to_owned(),
    }
}

fn status_or_active(status: &str) -> String {
    or_else(status.trim(), ACTIVE).to_owned()
}
