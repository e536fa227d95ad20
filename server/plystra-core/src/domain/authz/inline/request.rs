//! The Context Mode request body, which mode it asks for, and what the API key must reach.

use crate::domain::authz::model::{CheckRequest, Metadata, Resource, Target};

/// The authz request body as far as Context Mode is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlineRequest {
    /// `resource_type` (defaults to `resource.type`).
    pub resource_type: String,
    /// `resource_id` (defaults to `resource.id`, then `resource.external_id`).
    pub resource_id: String,
    /// `action`
    pub action: String,
    /// `actor`
    pub actor: InlineActor,
    /// `resource` (all empty when the body has none).
    pub resource: InlineResource,
    /// `grants`
    pub grants: Vec<InlineGrant>,
}

/// The body's `actor` object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlineActor {
    /// `user_id`
    pub user_id: String,
    /// `member_id`
    pub member_id: String,
    /// `user_member_id`
    pub user_member_id: String,
    /// `binding_id`, an alias of `user_member_id`.
    pub binding_id: String,
    /// `space_id`
    pub space_id: String,
    /// `user_email`
    pub user_email: String,
    /// `user_status` (default `active`)
    pub user_status: String,
    /// `member_display_name` (default: the member id)
    pub member_display_name: String,
    /// `member_status` (default `active`)
    pub member_status: String,
    /// `binding_status` (default `active`)
    pub binding_status: String,
    /// `relation_type` (default `external`)
    pub relation_type: String,
    /// `space_name` (default: the space id)
    pub space_name: String,
    /// `space_status` (default `active`)
    pub space_status: String,
}

/// The body's `resource` object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlineResource {
    /// `type`
    pub resource_type: String,
    /// `id`
    pub id: String,
    /// `external_id`
    pub external_id: String,
    /// `space_id`
    pub space_id: String,
    /// `group_id`
    pub group_id: String,
    /// `group_path`
    pub group_path: String,
    /// `owner_member_id`
    pub owner_member_id: String,
    /// `display_name`
    pub display_name: String,
    /// `visibility`
    pub visibility: String,
    /// `status` (default `active`)
    pub status: String,
    /// `metadata`
    pub metadata: Metadata,
}

/// One entry of the body's `grants`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InlineGrant {
    /// `role_id` (default `role_inline_<token(role_key)>`)
    pub role_id: String,
    /// `role_key` (default `inline`)
    pub role_key: String,
    /// `permission_id` (default `perm_inline_<token(resource_action_scope)>`)
    pub permission_id: String,
    /// `resource` (default: the requested resource type)
    pub resource: String,
    /// `action` (default: the requested action)
    pub action: String,
    /// `scope` (required; one of the five scopes)
    pub scope: String,
    /// `space_id` (default: the actor's space)
    pub space_id: String,
    /// `scope_anchor_group_id`
    pub scope_anchor_group_id: String,
    /// `scope_anchor_group_path`
    pub scope_anchor_group_path: String,
}

/// Where a check's actor, target and grants come from (§10.2 step 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextMode {
    /// Everything from the store.
    Managed,
    /// Stored actor and grants, but the target described in the body (no grants and no actor
    /// metadata, only resource fields).
    ProposedTarget,
    /// Actor, target and grants all from the body.
    Inline,
}

impl ContextMode {
    /// Whether only an API key may ask for this mode (`INLINE_CONTEXT_REQUIRES_API_KEY`).
    pub fn requires_api_key(self) -> bool {
        self != ContextMode::Managed
    }
}

/// One `(space, group)` place the API key must hold `authz:check` in. `group_id` is `None` for a
/// space-wide requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequiredScope<'a> {
    /// The space.
    pub space_id: &'a str,
    /// The group, when one is named.
    pub group_id: Option<&'a str>,
}

impl InlineActor {
    /// `user_member_id`, else `binding_id`.
    pub fn effective_user_member_id(&self) -> &str {
        or_else(&self.user_member_id, &self.binding_id)
    }

    /// Whether no actor id was given (the caller then falls back to the session's actor).
    pub fn is_empty(&self) -> bool {
        self.user_id.is_empty()
            && self.member_id.is_empty()
            && self.effective_user_member_id().is_empty()
            && self.space_id.is_empty()
    }

    /// Whether any field beyond the ids was given, which makes the check pure Context Mode.
    pub fn has_inline_metadata(&self) -> bool {
        [
            &self.user_email,
            &self.user_status,
            &self.member_display_name,
            &self.member_status,
            &self.binding_status,
            &self.relation_type,
            &self.space_name,
            &self.space_status,
        ]
        .into_iter()
        .any(|field| !field.is_empty())
    }
}

impl InlineResource {
    /// Whether the body describes the resource rather than only naming it (`type` and `id` alone
    /// do not count).
    pub fn has_inline_fields(&self) -> bool {
        [
            &self.space_id,
            &self.external_id,
            &self.group_id,
            &self.group_path,
            &self.owner_member_id,
            &self.display_name,
            &self.visibility,
            &self.status,
        ]
        .into_iter()
        .any(|field| !field.is_empty())
            || !self.metadata.is_empty()
    }
}

impl InlineRequest {
    /// Which mode the body asks for.
    pub fn mode(&self) -> ContextMode {
        if !self.grants.is_empty() || self.actor.has_inline_metadata() {
            ContextMode::Inline
        } else if self.resource.has_inline_fields() {
            ContextMode::ProposedTarget
        } else {
            ContextMode::Managed
        }
    }

    /// `resource_type`, else `resource.type`.
    pub fn effective_resource_type(&self) -> &str {
        or_else(&self.resource_type, &self.resource.resource_type)
    }

    /// `resource_id`, else `resource.id`, else `resource.external_id` (those two trimmed).
    pub fn effective_resource_id(&self) -> &str {
        if self.resource_id.is_empty() {
            first_non_blank(&self.resource.id, &self.resource.external_id)
        } else {
            &self.resource_id
        }
    }

    /// The requested ids, defaults applied.
    pub fn check_request(&self) -> CheckRequest {
        CheckRequest {
            user_id: self.actor.user_id.clone(),
            member_id: self.actor.member_id.clone(),
            user_member_id: self.actor.effective_user_member_id().to_owned(),
            space_id: self.actor.space_id.clone(),
            resource_type: self.effective_resource_type().to_owned(),
            resource_id: self.effective_resource_id().to_owned(),
            action: self.action.clone(),
        }
    }

    /// Every place the API key must hold `authz:check` in before a pure inline check runs
    /// (§10.2 step 4): the actor's space; the resource's space and group; each grant's space
    /// (default: the actor's) with its anchor group. Ids are taken as given, trimmed, not
    /// synthesised: a group known only by path asks for its space. Empty pairs are skipped and
    /// repeats dropped, first occurrence first.
    pub fn required_scopes(&self) -> Vec<RequiredScope<'_>> {
        let actor = (self.actor.space_id.as_str(), "");
        let resource = self.resource.has_inline_fields().then_some((
            self.resource.space_id.as_str(),
            self.resource.group_id.as_str(),
        ));
        let grants = self.grants.iter().map(|grant| {
            (
                first_non_blank(&grant.space_id, &self.actor.space_id),
                grant.scope_anchor_group_id.as_str(),
            )
        });
        let mut scopes: Vec<RequiredScope<'_>> = Vec::with_capacity(2 + self.grants.len());
        for (space_id, group_id) in std::iter::once(actor).chain(resource).chain(grants) {
            let (space_id, group_id) = (space_id.trim(), group_id.trim());
            if space_id.is_empty() && group_id.is_empty() {
                continue;
            }
            let scope = RequiredScope {
                space_id,
                group_id: (!group_id.is_empty()).then_some(group_id),
            };
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        scopes
    }

    /// The target of [`ContextMode::ProposedTarget`]: the body's resource fields as given, with
    /// the requested type and id filling in a missing type and id. Upstream neither validates
    /// this target nor looks up or synthesises its group, so `group` and `group_tree` grants meet
    /// it as `TARGET_GROUP_MISSING`; a caller that wants the stored group sets `group` itself.
    pub fn proposed_target(&self) -> Target {
        let r = &self.resource;
        Target {
            resource: Resource {
                id: or_else(&r.id, self.effective_resource_id()).to_owned(),
                external_id: r.external_id.clone(),
                resource_type: or_else(&r.resource_type, self.effective_resource_type()).to_owned(),
                space_id: r.space_id.clone(),
                group_id: r.group_id.clone(),
                group_path: r.group_path.clone(),
                owner_member_id: r.owner_member_id.clone(),
                display_name: r.display_name.clone(),
                visibility: r.visibility.clone(),
                status: r.status.clone(),
                metadata: r.metadata.clone(),
            },
            group: None,
        }
    }
}

/// `value` unless it is empty, then `fallback`.
pub(super) fn or_else<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    if value.is_empty() { fallback } else { value }
}

/// The first of the two that is not blank, trimmed; `""` if both are.
pub(super) fn first_non_blank<'a>(value: &'a str, fallback: &'a str) -> &'a str {
    match value.trim() {
        "" => fallback.trim(),
        kept => kept,
    }
}
