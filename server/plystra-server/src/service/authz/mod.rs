//! `POST /authz/check` and `POST /authz/explain` (docs/behaviour.md §10): who acts, whether the caller
//! may ask, the context, the engine's decision, its audit row, the answer.
//!
//! The order is the contract's, and each step's error wins over every later one:
//!
//! 1. inline context (resource attributes, grants, actor metadata) from a session:
//!    `403 INLINE_CONTEXT_REQUIRES_API_KEY`;
//! 2. the actor (`access::resolve_actor`): an API key must name one, a session acts as its
//!    active member or as one of its own bindings (`400` / `403 ACTIVE_MEMBER_REQUIRED`);
//! 3. pure Context Mode: the body is validated (`400`), then the key must hold `authz:check` in
//!    every space and group the body names (`403`);
//! 4. the caller must hold `authz:check` where the check happens (`403`);
//! 5. the context is read (registry mode) or built (Context Mode), the engine decides, and the
//!    audit row is written and committed before anything is answered. A context that cannot be
//!    read or an audit row that cannot be written is `500 "Authorization check failed."`; a
//!    request without a field every decision needs, or naming an actor or resource that does not
//!    exist, is `400` (upstream: 500).
//!
//! A deny is a `200`. Both routes set `X-Plystra-Trace-ID` and, when a row was written,
//! `X-Plystra-Audit-Log-ID` (response headers of the contract); `explain: true` on the check route
//! leaves the full Decision for `http::decision_headers` to send instead of the compact verdict.

mod access;
mod trace;
mod wire;

use plystra_server_api::operations::Authorization;
use plystra_server_api::responses::{CheckAuthorizationResponse, ExplainAuthorizationResponse};
use plystra_server_api::types::{self, ErrorCode};
use poem::IntoResponse;
use poem::http::StatusCode;
use poem_openapi::payload::Json;

use super::Server;
use crate::ApiError;
use crate::domain::authz::{
    Context, ContextMode, Decision, InlineActor, InlineContext, InlineError, InlineGrant,
    InlineRequest, InlineResource, decide,
};
use crate::domain::principal::Principal;
use crate::domain::time;
use crate::service::principal::Call;
use crate::store::authz::{DecisionAudit, LoadError};

/// The message of every engine failure (details carry the cause, hidden in production).
const CHECK_FAILED: &str = "Authorization check failed.";

/// 500 for a decision that could not be made or recorded.
/// 400 for a check request without a field every decision needs (an actor id, the space, the
/// action). Upstream lets the engine fail on it and answers 500; a client mistake is a 400 here.
fn incomplete(field: &str) -> ApiError {
    ApiError::validation("Authorization request is incomplete.")
        .with_details(serde_json::Value::String(format!("{field} is required")))
}

/// A context that could not be read. Naming an actor binding or a resource that does not exist
/// (or does not join the requested ids) is the caller's mistake: 400 with the reason, where
/// upstream answers 500. A missing mapping (the registry is incomplete) and a failing database
/// stay 500.
fn load_error(error: LoadError) -> ApiError {
    match error {
        LoadError::ActorMissing { .. } | LoadError::TargetMissing { .. } => {
            ApiError::validation("Authorization request names no live actor or resource.")
                .with_details(serde_json::Value::String(error.to_string()))
        }
        LoadError::Store(_) | LoadError::MappingMissing(_) => engine_error(error),
    }
}

fn engine_error(cause: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::InternalError,
        CHECK_FAILED,
    )
    .with_details(serde_json::Value::String(cause.to_string()))
}

/// The references and request metadata a decision is rendered with.
pub(super) struct Refs<'a> {
    /// `trc_<hex>`
    trace_id: &'a str,
    /// `audit_<hex>`, or `""` when the audit write mode skipped the decision.
    audit_log_id: &'a str,
    request_id: &'a str,
    ip: &'a str,
    user_agent: &'a str,
    /// Context Mode: the grants came from the body, so "none matched" is an empty list rather
    /// than `null` (no grants loaded).
    grants_inline: bool,
}

impl Refs<'_> {
    /// Whether `matched_candidates` is a list (else `null`): only when the candidates were looked
    /// at, and then unless registry mode found none.
    fn lists_candidates(&self, decision: &Decision<'_>) -> bool {
        decision.is_evaluated() && (self.grants_inline || !decision.matched().is_empty())
    }
}

/// A rendered decision with its references.
struct Answered<T> {
    body: T,
    trace_id: String,
    audit_log_id: String,
    request_id: String,
}

/// The audit row header's value: none when no row was written.
fn audit_header(audit_log_id: String) -> Option<String> {
    (!audit_log_id.is_empty()).then_some(audit_log_id)
}

impl Authorization for Server {
    async fn check_authorization(
        &self,
        ctx: Call,
        body: types::AuthzRequest,
    ) -> poem::Result<CheckAuthorizationResponse> {
        let explain = body.explain == Some(true);
        let answered = self
            .authorize(&ctx, body, |decision, refs| {
                let explained = explain.then(|| wire::explained(decision, refs));
                (wire::compact(decision, refs), explained)
            })
            .await?;
        let Answered {
            body: (compact, explained),
            trace_id,
            audit_log_id,
            request_id,
        } = answered;
        // `explain: true` on the check route answers the full Decision; the typed response
        // below only carries the compact verdict, so the Decision replaces it on the way out.
        let replacement = explained.map(|data| {
            Json(types::DecisionEnvelope {
                data,
                request_id: request_id.clone(),
            })
            .into_response()
        });
        if let (Some(replacement), Some(slot)) = (replacement, ctx.principal.decision_slot()) {
            slot.put(replacement);
        }
        Ok(CheckAuthorizationResponse::Ok(
            Json(types::AuthzCheckResultEnvelope {
                data: compact,
                request_id,
            }),
            trace_id,
            audit_header(audit_log_id),
        ))
    }

    async fn explain_authorization(
        &self,
        ctx: Call,
        body: types::AuthzRequest,
    ) -> poem::Result<ExplainAuthorizationResponse> {
        let answered = self.authorize(&ctx, body, wire::explained).await?;
        Ok(ExplainAuthorizationResponse::Ok(
            Json(types::DecisionEnvelope {
                data: answered.body,
                request_id: answered.request_id,
            }),
            answered.trace_id,
            audit_header(answered.audit_log_id),
        ))
    }
}

/// How a check that passed steps 1–4 gets its context.
enum Admitted {
    /// Everything from the store.
    Registry,
    /// The stored actor and grants, the target from the body.
    ProposedTarget,
    /// Everything from the body (or the request field every check needs but the body lacks).
    Inline(Box<Result<InlineContext, &'static str>>),
}

impl Server {
    /// Steps 1–5 of the module docs; `render` turns the decision into the answer's body.
    async fn authorize<T>(
        &self,
        ctx: &Call,
        body: types::AuthzRequest,
        render: impl FnOnce(&Decision<'_>, &Refs<'_>) -> T,
    ) -> Result<Answered<T>, ApiError> {
        let principal: &Principal = &ctx.principal;
        let mut inline = inline_request(body);
        let now = self.now();
        let admitted = self.admit_check(principal, &mut inline, now).await?;
        let grants_inline = matches!(admitted, Admitted::Inline(_));
        let context = self.load_context(&inline, admitted).await?;
        let decision = decide(&context, now);

        let hex = hex::encode(rand::random::<[u8; 8]>());
        let trace_id = format!("trc_{hex}");
        let audited = self
            .config()
            .audit
            .write_mode
            .records(decision.is_allowed());
        let audit_log_id = if audited {
            format!("audit_{hex}")
        } else {
            String::new()
        };
        let request_id = ctx.request_id.clone();
        let (ip, user_agent) = super::session::client(ctx);
        let refs = Refs {
            trace_id: &trace_id,
            audit_log_id: &audit_log_id,
            request_id: &request_id,
            ip: &ip,
            user_agent: &user_agent,
            grants_inline,
        };
        if audited {
            self.record(&decision, &refs, now).await?;
        }
        self.metrics().observe_decision(
            decision.is_allowed(),
            decision.deny_code().map_or("", |code| code.as_str()),
        );
        let body = render(&decision, &refs);
        Ok(Answered {
            body,
            trace_id,
            audit_log_id,
            request_id,
        })
    }

    /// Steps 1–4: the mode, the actor (settled in `inline.actor`), and whether the caller may ask.
    async fn admit_check(
        &self,
        principal: &Principal,
        inline: &mut InlineRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Admitted, ApiError> {
        let mode = inline.mode();
        if mode.requires_api_key() && !matches!(principal, Principal::ApiKey(_)) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorCode::InlineContextRequiresApiKey,
                "Inline actor, resource, or grant context requires a server-side API key.",
            ));
        }
        self.resolve_actor(principal, &mut inline.actor, now)
            .await?;
        let admitted = match mode {
            ContextMode::Managed => Admitted::Registry,
            ContextMode::ProposedTarget => Admitted::ProposedTarget,
            // Validation and the body's own scopes come before the call's scope. A body that is
            // valid but lacks a field every check needs fails later (400), where upstream's
            // engine fails on it.
            ContextMode::Inline => {
                let built = match inline.build() {
                    Err(InlineError::RequestIncomplete { field }) => Err(field),
                    Err(invalid) => {
                        return Err(ApiError::validation(
                            "Inline authorization context is invalid.",
                        )
                        .with_details(serde_json::Value::String(invalid.to_string())));
                    }
                    Ok(built) => Ok(built),
                };
                self.require_inline_scopes(principal, inline).await?;
                Admitted::Inline(Box::new(built))
            }
        };
        self.require_call_scope(principal, inline).await?;
        Ok(admitted)
    }

    /// Step 5's context: read from the store (registry mode), or built from the body with only
    /// the registry entry read (Context Mode).
    async fn load_context(
        &self,
        inline: &InlineRequest,
        admitted: Admitted,
    ) -> Result<Context, ApiError> {
        let store = self.store();
        let built = match admitted {
            Admitted::Inline(built) => built,
            registry_or_proposed => {
                let check = inline.check_request();
                if let Some(field) = check.missing_field() {
                    return Err(incomplete(field));
                }
                let loaded = match registry_or_proposed {
                    Admitted::ProposedTarget => {
                        store
                            .proposed_target_context(check, inline.proposed_target())
                            .await
                    }
                    _ => store.registry_context(check).await,
                };
                return loaded.map_err(load_error);
            }
        };
        let built = (*built).map_err(incomplete)?;
        let registry = store
            .authz_registry(&built.request.resource_type, &built.request.action)
            .await
            .map_err(engine_error)?;
        Ok(built.into_context(registry))
    }

    /// Writes the decision's audit row (§10.6); it is committed when this returns.
    async fn record(
        &self,
        decision: &Decision<'_>,
        refs: &Refs<'_>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ApiError> {
        // In Context Mode every attribute of the trace came in the body: a secret-looking key
        // there is the caller's to remove (400). From stored rows it is a data problem (500).
        let trace = trace::render(decision, refs).map_err(|key| {
            if refs.grants_inline {
                ApiError::validation("Inline authorization context carries a secret-looking key.")
                    .with_details(serde_json::Value::String(key.to_string()))
            } else {
                engine_error(key)
            }
        })?;
        let audit = decision.audit();
        let action = audit.action();
        let created_at = time::format_micros(now);
        let row = DecisionAudit {
            id: refs.audit_log_id,
            space_id: audit.space_id,
            actor_user_id: audit.actor_user_id,
            actor_member_id: audit.actor_member_id,
            actor_user_member_id: audit.actor_user_member_id,
            action: &action,
            resource_type: audit.resource_type,
            resource_id: audit.resource_id,
            decision: audit.outcome.as_str(),
            deny_code: audit.deny_code.map_or("", |code| code.as_str()),
            request_id: refs.request_id,
            ip_address: refs.ip,
            user_agent: refs.user_agent,
            trace: &trace,
            created_at: &created_at,
        };
        let started = std::time::Instant::now();
        self.store()
            .append_decision_audit(&row)
            .await
            .map_err(engine_error)?;
        self.metrics().observe_audit_write(started.elapsed());
        Ok(())
    }
}

/// The body as the Context Mode model reads it: absent text is `""`.
fn inline_request(body: types::AuthzRequest) -> InlineRequest {
    let text = Option::unwrap_or_default;
    InlineRequest {
        resource_type: text(body.resource_type),
        resource_id: text(body.resource_id),
        action: text(body.action),
        actor: body.actor.map(inline_actor).unwrap_or_default(),
        resource: body.resource.map(inline_resource).unwrap_or_default(),
        grants: body
            .grants
            .unwrap_or_default()
            .into_iter()
            .map(inline_grant)
            .collect(),
    }
}

fn inline_actor(a: types::AuthzActorContext) -> InlineActor {
    let text = Option::unwrap_or_default;
    InlineActor {
        user_id: text(a.user_id),
        member_id: text(a.member_id),
        user_member_id: text(a.user_member_id),
        binding_id: text(a.binding_id),
        space_id: text(a.space_id),
        user_email: text(a.user_email),
        user_status: text(a.user_status),
        member_display_name: text(a.member_display_name),
        member_status: text(a.member_status),
        binding_status: text(a.binding_status),
        relation_type: text(a.relation_type),
        space_name: text(a.space_name),
        space_status: text(a.space_status),
    }
}

fn inline_resource(r: types::AuthzResourceContext) -> InlineResource {
    let text = Option::unwrap_or_default;
    InlineResource {
        resource_type: text(r.type_),
        id: text(r.id),
        external_id: text(r.external_id),
        space_id: text(r.space_id),
        group_id: text(r.group_id),
        group_path: text(r.group_path),
        owner_member_id: text(r.owner_member_id),
        display_name: text(r.display_name),
        visibility: text(r.visibility),
        status: text(r.status),
        metadata: r.metadata.unwrap_or_default().into_iter().collect(),
    }
}

fn inline_grant(g: types::AuthzGrantContext) -> InlineGrant {
    let text = Option::unwrap_or_default;
    InlineGrant {
        role_id: text(g.role_id),
        role_key: text(g.role_key),
        permission_id: text(g.permission_id),
        resource: text(g.resource),
        action: text(g.action),
        scope: g.scope.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        space_id: text(g.space_id),
        scope_anchor_group_id: text(g.scope_anchor_group_id),
        scope_anchor_group_path: text(g.scope_anchor_group_path),
    }
}

#[cfg(test)]
mod tests;
