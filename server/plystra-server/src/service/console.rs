//! `GET /console/overview` and `GET /capabilities` (docs/behaviour.md §14): what an operator's
//! console shows first, and the capabilities this server provides.

use plystra_server_api::operations::{Capabilities, Console};
use plystra_server_api::responses::{GetConsoleOverviewResponse, ListCapabilitiesResponse};
use plystra_server_api::types;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::Call;
use super::session::store_error;

/// The capabilities every Plystra Core provides, in boot order, with the services behind each.
const CAPABILITIES: &[(&str, &[&str])] = &[
    ("audit.explainable", &["audit.service"]),
    ("identity.business", &["identity.service"]),
    ("resource.registry", &["resource.registry"]),
    (
        "authorization.resource",
        &[
            "authorization.service",
            "authorization.checker",
            "authorization.explainer",
        ],
    ),
    ("admin.control_plane", &["admin.service"]),
];

impl Console for Server {
    async fn get_console_overview(&self, ctx: Call) -> poem::Result<GetConsoleOverviewResponse> {
        let counts = self.store().overview_counts().await.map_err(store_error)?;
        let recent = self
            .store()
            .recent_audit_logs(10)
            .await
            .map_err(store_error)?;
        let recent = recent
            .into_iter()
            .map(|r| types::AuditLog {
                action: r.action,
                actor_member_id: r.actor_member_id,
                actor_user_id: r.actor_user_id,
                actor_user_member_id: r.actor_user_member_id,
                created_at: super::session::timestamp(&r.created_at),
                decision: if r.decision == "deny" {
                    types::DecisionOutcome::Deny
                } else {
                    types::DecisionOutcome::Allow
                },
                deny_code: r.deny_code,
                id: r.id,
                ip_address: r.ip_address,
                request_id: r.request_id,
                resource_id: r.resource_id,
                resource_type: r.resource_type,
                space_id: r.space_id,
                trace: None,
                user_agent: r.user_agent,
            })
            .collect();
        Ok(GetConsoleOverviewResponse::Ok(Json(
            types::OverviewResponseEnvelope {
                data: types::OverviewResponse {
                    counts: Some(
                        counts
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                    ),
                    recent_audit_logs: Some(recent),
                },
                request_id: ctx.request_id.clone(),
            },
        )))
    }
}

impl Capabilities for Server {
    async fn list_capabilities(&self, ctx: Call) -> poem::Result<ListCapabilitiesResponse> {
        let ready = self.store().ping().await.is_ok();
        let state = if ready { "ready" } else { "degraded" };
        let mut states = std::collections::BTreeMap::new();
        let mut services = Vec::new();
        for (capability, names) in CAPABILITIES {
            states.insert(capability.to_string(), state.to_string());
            for name in *names {
                services.push(types::CapabilityService {
                    name: name.to_string(),
                    capability_id: capability.to_string(),
                    protocol: "in-process".into(),
                    address: "plystra-server".into(),
                    version: self.config().core_version.clone(),
                    health: if ready { "healthy" } else { "unhealthy" }.into(),
                    registered_at: self.started_at,
                });
            }
        }
        Ok(ListCapabilitiesResponse::Ok(Json(
            types::CapabilitiesResponseEnvelope {
                data: types::CapabilitiesResponse { states, services },
                request_id: ctx.request_id.clone(),
            },
        )))
    }
}
