//! Context Mode (docs/behaviour.md §10.2 steps 2 and 4, §10.4): an API key may describe the actor,
//! the target and the grants in the request instead of naming stored rows. This module turns
//! such a request into the engine's snapshots, or says why it cannot.
//!
//! Text fields are `""` when the request left them out. Where upstream trims a value before
//! using it (grant resource, action and space, the request's resource id, statuses) this does too,
//! and nowhere else, so ids and synthetic ids come out the same.

mod build;
mod request;

pub use build::{InlineContext, InlineError, synthetic_group_id, token};
pub use request::{
    ContextMode, InlineActor, InlineGrant, InlineRequest, InlineResource, RequiredScope,
};
