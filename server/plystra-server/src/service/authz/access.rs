//! Who acts in a check and whether the caller may ask (docs/behaviour.md §10.2 steps 3–5).
//!
//! The middleware let every holder of `authz:check` through, whatever its scope (the route's
//! scope is only known here). These checks narrow that to the spaces and groups the check
//! actually touches.

use plystra_server_api::types::ErrorCode;
use poem::http::StatusCode;

use super::super::Server;
use super::super::session::{no_active_member, store_error};
use crate::ApiError;
use crate::domain::authz::{InlineActor, InlineRequest};
use crate::domain::principal::{EntityKind, Principal};
use crate::domain::time;

/// The permission every check needs.
const AUTHZ_CHECK: &str = "authz:check";

/// 403 `ADMIN_PERMISSION_REQUIRED` for `authz:check`.
fn cannot_check(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::AdminPermissionRequired,
        message,
    )
    .with_details(serde_json::json!({ "permission": AUTHZ_CHECK }))
}

impl Server {
    /// Settles the actor in `actor`. An API key must name one (it acts for nobody). A session
    /// without one acts as its active member; a session naming one must name one of its own
    /// usable bindings (by member and/or binding, in the named space), and then acts exactly as
    /// that binding: it can never speak for another user.
    pub(super) async fn resolve_actor(
        &self,
        principal: &Principal,
        actor: &mut InlineActor,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ApiError> {
        let Principal::Session {
            user_id,
            active_user_member_id,
            ..
        } = principal
        else {
            if actor.is_empty() {
                return Err(ApiError::validation(
                    "actor is required when using an API key.",
                ));
            }
            return Ok(());
        };
        let bindings = self
            .store()
            .active_bindings(user_id, &time::format(now))
            .await
            .map_err(store_error)?;
        let binding = if actor.is_empty() {
            bindings
                .iter()
                .find(|b| &b.user_member_id == active_user_member_id)
                .or(bindings.first())
                .ok_or_else(|| no_active_member("Session has no active Member binding."))?
        } else {
            let member_id = actor.member_id.as_str();
            let user_member_id = actor.effective_user_member_id();
            let binding = bindings
                .iter()
                .find(|b| {
                    (member_id.is_empty() || b.member_id == member_id)
                        && (user_member_id.is_empty() || b.user_member_id == user_member_id)
                })
                .ok_or_else(|| no_active_member("Requested actor is not active for this User."))?;
            if !actor.space_id.is_empty() && actor.space_id != binding.space_id {
                return Err(no_active_member(
                    "Requested actor does not belong to that Space.",
                ));
            }
            binding
        };
        *actor = InlineActor {
            user_id: binding.user_id.clone(),
            member_id: binding.member_id.clone(),
            user_member_id: binding.user_member_id.clone(),
            space_id: binding.space_id.clone(),
            ..InlineActor::default()
        };
        Ok(())
    }

    /// Pure Context Mode: the key must hold `authz:check` in every space and group the body
    /// names (actor, resource, each grant and its anchor), so a key scoped to one space cannot
    /// describe, or borrow grants from, another.
    pub(super) async fn require_inline_scopes(
        &self,
        principal: &Principal,
        inline: &InlineRequest,
    ) -> Result<(), ApiError> {
        for scope in inline.required_scopes() {
            let group_id = scope.group_id.unwrap_or_default();
            if !self
                .may(principal, AUTHZ_CHECK, scope.space_id, group_id)
                .await?
            {
                return Err(cannot_check(
                    "The current credential cannot run authz checks for this inline context scope.",
                ));
            }
        }
        Ok(())
    }

    /// The scope the check runs in: the actor's space (else the inline resource's), replaced by
    /// the stored space and group of a Core resource with the requested id when there is one.
    /// Callers with instance reach skip the lookup: every scope is theirs.
    pub(super) async fn require_call_scope(
        &self,
        principal: &Principal,
        inline: &InlineRequest,
    ) -> Result<(), ApiError> {
        if principal.has_instance_reach(AUTHZ_CHECK) {
            return Ok(());
        }
        let declared = match inline.actor.space_id.as_str() {
            "" => inline.resource.space_id.trim(),
            space => space,
        };
        let mut space_id = (!declared.is_empty()).then(|| declared.to_owned());
        let mut group_id = None;
        let resource_id = inline.effective_resource_id();
        if !resource_id.is_empty()
            && let Some((space, group)) = self
                .store()
                .entity_scope(EntityKind::Resource, resource_id)
                .await
                .map_err(store_error)?
        {
            space_id = space;
            group_id = group;
        }
        if space_id.is_none() && group_id.is_none() {
            return Err(cannot_check(
                "Scoped credentials must provide or resolve a Space or Group for authz checks.",
            ));
        }
        let allowed = self
            .may(
                principal,
                AUTHZ_CHECK,
                space_id.as_deref().unwrap_or_default(),
                group_id.as_deref().unwrap_or_default(),
            )
            .await?;
        if allowed {
            Ok(())
        } else {
            Err(cannot_check(
                "The current credential cannot run authz checks for this scope.",
            ))
        }
    }
}
