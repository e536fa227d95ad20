//! `GET /actor/context`, `POST /actor/switch-member` (docs/behaviour.md §7): Bearer sessions only.

use plystra_server_api::operations::Actor;
use plystra_server_api::responses::{GetActorContextResponse, SwitchMemberResponse};
use plystra_server_api::types;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::Call;
use super::session::{actor, available, no_active_member, store_error, timestamp};
use crate::domain::time;

impl Actor for Server {
    async fn get_actor_context(&self, ctx: Call) -> poem::Result<GetActorContextResponse> {
        let now = time::format(self.now());
        let view = self.session_view(&ctx.principal, &now).await?;
        let current = view
            .current()
            .ok_or_else(|| no_active_member("User has no active Member binding."))?;
        Ok(GetActorContextResponse::Ok(Json(
            types::ActorContextResponseEnvelope {
                data: types::ActorContextResponse {
                    session_id: Some(view.session.id.clone()),
                    actor: Some(actor(current)),
                    available_members: Some(available(&view.bindings)),
                    expires_at: Some(timestamp(&view.session.expires_at)),
                },
                request_id: ctx.request_id.clone(),
            },
        )))
    }

    async fn switch_member(
        &self,
        ctx: Call,
        body: types::SwitchMemberRequest,
    ) -> poem::Result<SwitchMemberResponse> {
        let now = time::format(self.now());
        let view = self.session_view(&ctx.principal, &now).await?;
        let wanted = |value: &Option<String>, actual: &str| {
            value
                .as_deref()
                .filter(|v| !v.is_empty())
                .is_none_or(|v| v == actual)
        };
        let target = view
            .bindings
            .iter()
            .find(|b| {
                wanted(&body.member_id, &b.member_id)
                    && wanted(&body.user_member_id, &b.user_member_id)
            })
            .ok_or_else(|| {
                no_active_member("Requested Member binding is not active for this User.")
            })?;
        self.store()
            .set_session_actor(&view.session.id, target, &now)
            .await
            .map_err(store_error)?;
        Ok(SwitchMemberResponse::Ok(Json(
            types::ActorContextResponseEnvelope {
                data: types::ActorContextResponse {
                    session_id: None,
                    actor: Some(actor(target)),
                    available_members: Some(available(&view.bindings)),
                    expires_at: None,
                },
                request_id: ctx.request_id.clone(),
            },
        )))
    }
}
