//! What the session routes share: the clock, Bearer-session authentication, and the actor
//! shapes of the contract.

use chrono::{DateTime, Utc};
use plystra_server_api::Credential;
use plystra_server_api::runtime::Ctx;
use plystra_server_api::types::{self, ErrorCode};
use poem::http::StatusCode;

use super::Server;
use super::principal::Caller;
use crate::ApiError;
use crate::domain::time;
use crate::store::{Binding, SessionRecord};

/// Access tokens live 15 minutes, refresh tokens 30 days (docs/behaviour.md §6.1).
pub(super) const ACCESS_TTL: chrono::Duration = chrono::Duration::minutes(15);
pub(super) const REFRESH_TTL: chrono::Duration = chrono::Duration::days(30);

pub(super) fn unauthenticated() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorCode::AuthenticationRequired,
        "A valid access token or API key is required.",
    )
}

pub(super) fn no_active_member(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::ActiveMemberRequired,
        message,
    )
}

pub(super) fn store_error(e: crate::store::StoreError) -> ApiError {
    ApiError::internal(e)
}

/// A stored timestamp as the contract's date-time (the epoch if the row is corrupt).
pub(super) fn timestamp(text: &str) -> DateTime<Utc> {
    time::parse(text).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

pub(super) fn actor(binding: &Binding) -> types::Actor {
    types::Actor {
        user_id: binding.user_id.clone(),
        member_id: binding.member_id.clone(),
        user_member_id: binding.user_member_id.clone(),
        space_id: binding.space_id.clone(),
    }
}

pub(super) fn available(bindings: &[Binding]) -> Vec<types::AvailableMember> {
    bindings
        .iter()
        .map(|b| types::AvailableMember {
            user_member_id: b.user_member_id.clone(),
            user_id: b.user_id.clone(),
            user_email: b.user_email.clone(),
            member_id: b.member_id.clone(),
            member_display_name: b.member_display_name.clone(),
            space_id: b.space_id.clone(),
            space_name: b.space_name.clone(),
            relation_type: b.relation_type.clone(),
            is_primary: b.is_primary,
        })
        .collect()
}

/// The client address and user agent, as the session records them. The address is the one
/// `http::client_ip` resolved (forwarding headers of trusted proxies), else the TCP peer.
pub(super) fn client<P>(ctx: &Ctx<P>) -> (String, String) {
    let ip = ctx.client_ip.map(|ip| ip.to_string()).unwrap_or_default();
    (ip, ctx.user_agent.clone())
}

impl Server {
    /// The current time (one read per request).
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// The live session of a Bearer access token. API keys are not sessions: 401.
    pub(super) async fn session(
        &self,
        credential: &Credential,
        now: &str,
    ) -> Result<SessionRecord, ApiError> {
        let token = match credential {
            Credential::BearerAuth(token) => token,
            _ => return Err(unauthenticated()),
        };
        self.store()
            .session_by_access(&self.session_hasher().await?.candidates(token), now)
            .await
            .map_err(store_error)?
            .ok_or_else(unauthenticated)
    }
}

/// A live session with its user's usable bindings.
pub(super) struct SessionView {
    pub(super) session: SessionRecord,
    pub(super) bindings: Vec<Binding>,
}

impl SessionView {
    /// The session's actor, or the first usable binding if that one no longer is.
    pub(super) fn current(&self) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.user_member_id == self.session.active_user_member_id)
            .or(self.bindings.first())
    }
}

impl Server {
    /// The caller's Bearer session (admitted by a `{authenticated: true}` rule) and its user's
    /// usable bindings at `now`.
    pub(super) async fn session_view(
        &self,
        caller: &Caller,
        now: &str,
    ) -> Result<SessionView, ApiError> {
        let session = caller.session()?.clone();
        let bindings = self
            .store()
            .active_bindings(&session.user_id, now)
            .await
            .map_err(store_error)?;
        Ok(SessionView { session, bindings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_the_resolved_address_and_the_user_agent() {
        let mut ctx = Ctx::detached(&plystra_server_api::OPERATIONS[0], ());
        ctx.user_agent = "probe/1".into();
        assert_eq!(client(&ctx), (String::new(), "probe/1".into()));
        ctx.client_ip = Some("203.0.113.7".parse().unwrap());
        assert_eq!(client(&ctx), ("203.0.113.7".into(), "probe/1".into()));
    }
}
