//! `.well-known`: the discovery document at both locations, and the key set.

use authplane_server_api::public::operations::WellKnown;
use authplane_server_api::public::responses::{
    HttpPublicWellKnownJwksJsonResponse, HttpPublicWellKnownOauthAuthorizationServerResponse,
    HttpPublicWellKnownOpenidConfigurationResponse,
};
use authplane_server_api::public::types::JsonWebKeySet;
use poem::Request;
use poem_openapi::payload::Json;

use crate::Authplane;

/// The document changes only when the server restarts with another configuration.
const METADATA_CACHE: &str = "public, max-age=300";
/// An empty key set must not be cached, so that the first key is seen as soon as it exists.
const EMPTY_KEYS_CACHE: &str = "public, max-age=0";

impl WellKnown for Authplane {
    // No signing keys exist until key management is built (issue 9 leaves it to the token work),
    // so the set is empty: resource servers can already fetch `jwks_uri` and will validate
    // nothing, which is exactly what there is to validate.
    async fn http_public_well_known_jwks_json(
        &self,
        _request: &Request,
    ) -> poem::Result<HttpPublicWellKnownJwksJsonResponse> {
        let keys = JsonWebKeySet { keys: Vec::new() };
        Ok(HttpPublicWellKnownJwksJsonResponse::Ok(
            Json(keys),
            Some(EMPTY_KEYS_CACHE.into()),
        ))
    }

    async fn http_public_well_known_oauth_authorization_server(
        &self,
        _request: &Request,
    ) -> poem::Result<HttpPublicWellKnownOauthAuthorizationServerResponse> {
        Ok(HttpPublicWellKnownOauthAuthorizationServerResponse::Ok(
            Json(self.metadata().clone()),
            Some(METADATA_CACHE.into()),
        ))
    }

    async fn http_public_well_known_openid_configuration(
        &self,
        _request: &Request,
    ) -> poem::Result<HttpPublicWellKnownOpenidConfigurationResponse> {
        Ok(HttpPublicWellKnownOpenidConfigurationResponse::Ok(
            Json(self.metadata().clone()),
            Some(METADATA_CACHE.into()),
        ))
    }
}
