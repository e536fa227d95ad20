//! `GET /ready`: ready when the database answers a ping.

use authplane_server_api::public::operations::Ready;
use authplane_server_api::public::responses::HttpPublicReadyResponse;
use authplane_server_api::public::types::HealthResponse;
use poem::Request;
use poem_openapi::payload::Json;

use crate::Authplane;

impl Ready for Authplane {
    async fn http_public_ready(&self, _request: &Request) -> poem::Result<HttpPublicReadyResponse> {
        Ok(match self.store().ping().await {
            Ok(()) => HttpPublicReadyResponse::Ok(Json(HealthResponse {
                status: "ready".into(),
                time: self.now_in_seconds(),
                db: Some("ok".into()),
            })),
            Err(e) => {
                tracing::warn!(error = %e, "readiness: database ping failed");
                HttpPublicReadyResponse::ServiceUnavailable(Json(HealthResponse {
                    status: "not_ready".into(),
                    time: self.now_in_seconds(),
                    db: Some("error".into()),
                }))
            }
        })
    }
}
