//! `GET /health`: alive, plus a database ping.

use authplane_server_api::public::operations::Health;
use authplane_server_api::public::responses::HttpPublicHealthResponse;
use authplane_server_api::public::types::HealthResponse;
use poem::Request;
use poem_openapi::payload::Json;

use crate::Authplane;

impl Health for Authplane {
    async fn http_public_health(
        &self,
        _request: &Request,
    ) -> poem::Result<HttpPublicHealthResponse> {
        let (status, db) = match self.store().ping().await {
            Ok(()) => ("ok", "ok"),
            Err(e) => {
                tracing::warn!(error = %e, "health: database ping failed");
                ("degraded", "error")
            }
        };
        let body = Json(HealthResponse {
            status: status.into(),
            time: self.now_in_seconds(),
            db: Some(db.into()),
        });
        Ok(match db {
            "ok" => HttpPublicHealthResponse::Ok(body),
            _ => HttpPublicHealthResponse::ServiceUnavailable(body),
        })
    }
}
