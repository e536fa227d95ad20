//! `GET /livez`: answers as long as the process serves HTTP; touches nothing else.

use authplane_server_api::public::operations::Livez;
use authplane_server_api::public::responses::HttpPublicLivezResponse;
use authplane_server_api::public::types::HealthResponse;
use poem::Request;
use poem_openapi::payload::Json;

use crate::Authplane;

impl Livez for Authplane {
    async fn http_public_livez(&self, _request: &Request) -> poem::Result<HttpPublicLivezResponse> {
        Ok(HttpPublicLivezResponse::Ok(Json(HealthResponse {
            status: "ok".into(),
            time: self.now_in_seconds(),
            db: None,
        })))
    }
}
