//! The decision engine behind `authz/check` and `authz/explain` (docs/behaviour.md §10.3–§10.5).
//!
//! Nothing here reads the database, the clock or the request. The caller gathers a [`Context`]
//! (the store in registry mode, [`InlineRequest::build`] in Context Mode), picks `now`, and calls
//! [`decide`]. The returned [`Decision`] borrows the context, so the check path copies no strings;
//! the explain trace renders the same value. Trace and audit ids are the caller's: keeping them
//! out of [`decide`] makes equal inputs give equal decisions.
//!
//! Layout: `model` holds the input snapshots, `scope` the per-candidate scope rules, `code` the
//! deny codes and fixed reason strings, `engine` the decision order, and `inline` the Context
//! Mode construction.

mod code;
mod engine;
mod inline;
mod model;
mod scope;

#[cfg(test)]
mod tests;

pub use code::{ALLOW_REASON, DenyCode, Outcome};
pub use engine::{Audit, Decision, Matched, TRACE_VERSION, decide, sort_candidates};
pub use inline::{
    ContextMode, InlineActor, InlineContext, InlineError, InlineGrant, InlineRequest,
    InlineResource, RequiredScope, synthetic_group_id, token,
};
pub use model::{
    ACTIVE, Actor, Candidate, CheckRequest, Context, Group, Member, Metadata, Permission, Registry,
    Resource, ResourceAction, ResourceMapping, ResourceType, Role, Space, Target, User, UserMember,
};
pub use scope::{Scope, ScopeCheck, check_scope, group_tree_covers};
