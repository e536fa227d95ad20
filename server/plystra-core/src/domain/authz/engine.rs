//! The decision order of docs/behaviour.md §10.3 (steps 2–8). Steps 0–1 (required ids, loading) belong
//! to the caller, step 9 (trace and audit ids, the audit row) too.

use chrono::{DateTime, Utc};

use super::code::{ALLOW_REASON, DenyCode, Outcome};
use super::model::{ACTIVE, Actor, Candidate, Context, Registry, Space, Target};
use super::scope::{ScopeCheck, check_scope};

/// `trace_version` of every explain trace.
pub const TRACE_VERSION: &str = "1.0";

/// A candidate whose permission names the requested resource type and action, with the result of
/// its scope rule (`matched_candidates[]` in the trace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched<'a> {
    /// The candidate as loaded.
    pub candidate: &'a Candidate,
    /// Whether its scope reaches the target.
    pub scope_check: ScopeCheck<'a>,
}

/// The result of [`decide`]. It borrows the context it was made from; the explain trace is this
/// value plus the caller's trace id, audit id and request metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision<'a> {
    context: &'a Context,
    deny_code: Option<DenyCode>,
    evaluated: bool,
    matched: Vec<Matched<'a>>,
    /// Only the tests ask which candidate allowed: the trace reports every candidate.
    #[cfg(test)]
    allowed_by: Option<usize>,
}

impl<'a> Decision<'a> {
    /// Allow or deny.
    pub fn outcome(&self) -> Outcome {
        match self.deny_code {
            None => Outcome::Allow,
            Some(_) => Outcome::Deny,
        }
    }

    /// Whether the action is permitted.
    pub fn is_allowed(&self) -> bool {
        self.deny_code.is_none()
    }

    /// Why it was denied; `None` exactly when allowed.
    pub fn deny_code(&self) -> Option<DenyCode> {
        self.deny_code
    }

    /// The decision's `reason`, fixed for each outcome and code.
    pub fn reason(&self) -> &'static str {
        self.deny_code.map_or(ALLOW_REASON, DenyCode::reason)
    }

    /// The context the decision was made from (the tests look; the service keeps its own).
    #[cfg(test)]
    pub fn context(&self) -> &'a Context {
        self.context
    }

    /// The actor snapshot (`actor` in the trace).
    pub fn actor(&self) -> &'a Actor {
        &self.context.actor
    }

    /// The actor's space (`space` in the trace).
    pub fn space(&self) -> &'a Space {
        &self.context.actor.space
    }

    /// The registry lookup (`resource_registry` in the trace).
    pub fn registry(&self) -> &'a Registry {
        &self.context.registry
    }

    /// Whether the target and candidates were looked at. They are not when the resource type or
    /// action is unregistered; the trace then carries no target and `matched_candidates: null`.
    pub fn is_evaluated(&self) -> bool {
        self.evaluated
    }

    /// The target, when it was looked at.
    pub fn target(&self) -> Option<&'a Target> {
        self.evaluated.then_some(&self.context.target)
    }

    /// The candidates matching the requested resource type and action, in candidate order, each
    /// with its scope check.
    pub fn matched(&self) -> &[Matched<'a>] {
        &self.matched
    }

    /// On allow, the first candidate whose scope covers the target.
    #[cfg(test)]
    pub fn allowed_by(&self) -> Option<&Matched<'a>> {
        self.allowed_by.and_then(|i| self.matched.get(i))
    }

    /// The fields of the `audit` block and the audit row (all but its id and the request id).
    pub fn audit(&self) -> Audit<'a> {
        let request = &self.context.request;
        Audit {
            actor_user_id: &request.user_id,
            actor_member_id: &request.member_id,
            actor_user_member_id: &request.user_member_id,
            space_id: &request.space_id,
            resource_type: &request.resource_type,
            action_key: &request.action,
            resource_id: &request.resource_id,
            outcome: self.outcome(),
            deny_code: self.deny_code,
        }
    }
}

/// What the audit log records about a decision. The ids are the requested ones, as upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audit<'a> {
    /// `actor_user_id`
    pub actor_user_id: &'a str,
    /// `actor_member_id`
    pub actor_member_id: &'a str,
    /// `actor_user_member_id`
    pub actor_user_member_id: &'a str,
    /// `space_id`
    pub space_id: &'a str,
    /// `resource_type`
    pub resource_type: &'a str,
    /// The requested action's key (see [`Audit::action`] for the qualified name).
    pub action_key: &'a str,
    /// `resource_id`
    pub resource_id: &'a str,
    /// `decision`
    pub outcome: Outcome,
    /// `deny_code`
    pub deny_code: Option<DenyCode>,
}

impl Audit<'_> {
    /// `<resource_type>.<action>`, e.g. `invoice.approve`.
    pub fn action(&self) -> String {
        format!("{}.{}", self.resource_type, self.action_key)
    }
}

/// Decides `ctx` at `now`. The order is the contract's, and each step's deny wins over every
/// later one:
///
/// 1. an unregistered resource type, then action: the actor-state deny if there is one, else
///    `INVALID_RESOURCE_TYPE` / `INVALID_RESOURCE_ACTION`; nothing else is looked at;
/// 2. every candidate naming the requested type and action gets its scope check (kept for the
///    trace even when a later step denies);
/// 3. the actor state: user, member, space, binding status, binding expiry;
/// 4. `CROSS_SPACE_VIOLATION` when any loaded row is not the requested one or not in the
///    requested space;
/// 5. `NO_MATCHING_PERMISSION` without candidates;
/// 6. allow if any candidate covers the target (grants are a union);
/// 7. otherwise the first candidate's scope deny code.
///
/// Candidates whose permission names another resource type or action are skipped: a correct
/// loader never returns them, and skipping them keeps a faulty one from granting access.
pub fn decide(ctx: &Context, now: DateTime<Utc>) -> Decision<'_> {
    let registry_code = match (&ctx.registry.resource_type, &ctx.registry.action) {
        (None, _) => Some(DenyCode::InvalidResourceType),
        (Some(_), None) => Some(DenyCode::InvalidResourceAction),
        (Some(_), Some(_)) => None,
    };
    if let Some(code) = registry_code {
        return Decision {
            context: ctx,
            deny_code: Some(actor_state(&ctx.actor, now).unwrap_or(code)),
            evaluated: false,
            matched: Vec::new(),
            #[cfg(test)]
            allowed_by: None,
        };
    }

    let request = &ctx.request;
    let matched: Vec<Matched<'_>> = ctx
        .candidates
        .iter()
        .filter(|c| {
            c.permission.resource == request.resource_type && c.permission.action == request.action
        })
        .map(|candidate| Matched {
            candidate,
            scope_check: check_scope(
                &candidate.permission.scope,
                &ctx.actor.member,
                &ctx.target,
                candidate.scope_anchor.as_ref(),
            ),
        })
        .collect();

    let verdict = if let Some(code) = actor_state(&ctx.actor, now) {
        Err(code)
    } else if crosses_spaces(ctx, &matched) {
        Err(DenyCode::CrossSpaceViolation)
    } else if matched.is_empty() {
        Err(DenyCode::NoMatchingPermission)
    } else if let Some(index) = matched.iter().position(|m| m.scope_check.covered) {
        Ok(index)
    } else {
        Err(matched
            .iter()
            .find_map(|m| m.scope_check.deny_code)
            .unwrap_or(DenyCode::ScopeOutOfBounds))
    };

    Decision {
        context: ctx,
        deny_code: verdict.err(),
        evaluated: true,
        #[cfg(test)]
        allowed_by: verdict.ok(),
        matched,
    }
}

/// The first failing actor-state rule, in the contract's order.
fn actor_state(actor: &Actor, now: DateTime<Utc>) -> Option<DenyCode> {
    if actor.user.status != ACTIVE {
        Some(DenyCode::ActorUserInactive)
    } else if actor.member.status != ACTIVE {
        Some(DenyCode::ActorMemberInactive)
    } else if actor.space.status != ACTIVE {
        Some(DenyCode::SpaceInactive)
    } else if actor.user_member.status != ACTIVE {
        Some(DenyCode::UserMemberRevoked)
    } else if actor.user_member.expires_at.is_some_and(|at| at < now) {
        Some(DenyCode::UserMemberExpired)
    } else {
        None
    }
}

/// Whether the loaded rows stray from the requested ids or from the requested space.
fn crosses_spaces(ctx: &Context, matched: &[Matched<'_>]) -> bool {
    let (request, actor, target) = (&ctx.request, &ctx.actor, &ctx.target);
    let space = request.space_id.as_str();
    let actor_strays = actor.user.id != request.user_id
        || actor.member.id != request.member_id
        || actor.user_member.id != request.user_member_id
        || actor.space.id != space
        || actor.user_member.user_id != actor.user.id
        || actor.user_member.member_id != actor.member.id
        || actor.user_member.space_id != space
        || actor.member.space_id != space;
    let target_strays = target.resource.space_id != space
        || target.group.as_ref().is_some_and(|g| g.space_id != space);
    let grant_strays = matched.iter().map(|m| m.candidate).any(|c| {
        c.role.space_id != space
            || c.member_role_space_id != space
            || c.scope_anchor.as_ref().is_some_and(|g| g.space_id != space)
    });
    actor_strays || target_strays || grant_strays
}

/// Puts registry-mode candidates in the contract's order: role key, then permission resource,
/// action and scope, byte-wise; ties keep their loaded order. The first candidate in this order
/// names the deny code when no candidate covers the target.
pub fn sort_candidates(candidates: &mut [Candidate]) {
    fn key(c: &Candidate) -> (&[u8], &[u8], &[u8], &[u8]) {
        (
            c.role.key.as_bytes(),
            c.permission.resource.as_bytes(),
            c.permission.action.as_bytes(),
            c.permission.scope.as_bytes(),
        )
    }
    candidates.sort_by(|a, b| key(a).cmp(&key(b)));
}
