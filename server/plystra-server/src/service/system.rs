//! System routes (docs/behaviour.md §14, §15): health, readiness, version, metrics.

use plystra_server_api::runtime::Ctx;
use std::collections::BTreeMap;

use plystra_server_api::operations::System;
use plystra_server_api::responses::{
    GetHealthResponse, GetMetricsResponse, GetReadinessResponse, GetVersionResponse,
};
use plystra_server_api::types::{
    ErrorCode, Health, HealthEnvelope, PluginStatusSummary, Ready, ReadyEnvelope, VersionResponse,
    VersionResponseEnvelope,
};
use poem::http::StatusCode;
use poem_openapi::payload::Json;

use super::Server;
use super::principal::{Caller, Guest};
use crate::ApiError;
use crate::store::migrate::{EXPECTED_VERSION, format_version};

fn not_ready(message: &str) -> poem::Error {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::NotReady,
        message,
    )
    .into()
}

/// Version of the decision trace format.
const TRACE_VERSION: &str = "1.0";

/// The system capabilities in boot order, all served by this process.
const CAPABILITIES: [&str; 5] = [
    "audit.explainable",
    "identity.business",
    "resource.registry",
    "authorization.resource",
    "admin.control_plane",
];

fn capability_states() -> BTreeMap<String, String> {
    CAPABILITIES
        .iter()
        .map(|id| (id.to_string(), "ready".to_string()))
        .collect()
}

impl System for Server {
    async fn get_metrics(&self, _ctx: Ctx<Option<Caller>>) -> poem::Result<GetMetricsResponse> {
        // Admission (the metrics rule) checked the token or the permission.
        Ok(GetMetricsResponse::Ok(poem_openapi::payload::PlainText(
            self.metrics().render(),
        )))
    }

    async fn get_health(&self, ctx: Ctx<Guest>) -> poem::Result<GetHealthResponse> {
        Ok(GetHealthResponse::Ok(Json(HealthEnvelope {
            data: Health {
                status: "ok".into(),
            },
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn get_readiness(&self, ctx: Ctx<Guest>) -> poem::Result<GetReadinessResponse> {
        if let Err(e) = self.store().ping().await {
            tracing::warn!(error = %e, "readiness: database unavailable");
            return Err(not_ready("Database is not ready."));
        }
        let applied = self
            .store()
            .schema_version()
            .await
            .map_err(|_| not_ready("Database is not ready."))?;
        if applied < EXPECTED_VERSION {
            return Err(not_ready("Database migrations are pending."));
        }
        Ok(GetReadinessResponse::Ok(Json(ReadyEnvelope {
            data: Ready {
                status: "ready".into(),
                schema_version: format_version(applied),
                expected_schema_version: format_version(EXPECTED_VERSION),
                trace_version: TRACE_VERSION.into(),
                system_capabilities: capability_states(),
                plugins: PluginStatusSummary {
                    status: "ready".into(),
                    total: 0,
                    by_status: BTreeMap::new(),
                },
            },
            request_id: ctx.request_id.clone(),
        })))
    }

    async fn get_version(&self, ctx: Ctx<Guest>) -> poem::Result<GetVersionResponse> {
        let applied = self.store().schema_version().await.unwrap_or(0);
        Ok(GetVersionResponse::Ok(Json(VersionResponseEnvelope {
            data: VersionResponse {
                version: None,
                core_version: self.config().core_version.clone(),
                api_version: "v1".into(),
                schema_version: format_version(applied),
                expected_schema_version: format_version(EXPECTED_VERSION),
                trace_version: TRACE_VERSION.into(),
                plugin_api_version: "1.0".into(),
                resource_registry_version: "1.0".into(),
                build_time: String::new(),
                system_capabilities: capability_states(),
                plugins: BTreeMap::new(),
            },
            request_id: ctx.request_id.clone(),
        })))
    }
}
