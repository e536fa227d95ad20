//! The generated contracts behave on the wire as the spec says: form bodies (repeated fields,
//! enums, empty values), cookie and basic credentials that may be absent, a header parameter,
//! redirects with their headers, HTML and a status with two media types, and the OpenAPI
//! document poem-openapi derives from them. Called in-process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

use std::sync::Arc;

use authplane_server_api::public::{self, Credential, responses, types};
use poem::http::StatusCode;
use poem::test::TestClient;
use poem::{Endpoint, Request, Route};
use poem_openapi::OpenApiService;
use poem_openapi::payload::{Html, Json};

const FORM: &str = "application/x-www-form-urlencoded";

/// Echoes what the generated endpoint handed over.
struct Echo;

impl public::WellKnown for Echo {}
impl public::Connect for Echo {}
impl public::Connections for Echo {}
impl public::Health for Echo {}
impl public::Livez for Echo {}
impl public::Logout for Echo {}
impl public::Oidc for Echo {}
impl public::Ready for Echo {}

impl public::Oauth for Echo {
    async fn http_public_oauth_token(
        &self,
        _request: &Request,
        credential: Option<Credential>,
        dpop: Option<String>,
        body: types::TokenRequest,
    ) -> poem::Result<responses::HttpPublicOauthTokenResponse> {
        let client = match &credential {
            Some(c) => format!(
                "{}:{}:{}",
                c.scheme(),
                c.username().unwrap_or("-"),
                c.secret()
            ),
            None => "anonymous".to_string(),
        };
        Ok(responses::HttpPublicOauthTokenResponse::Ok(
            Json(types::TokenResponse {
                access_token: client,
                token_type: dpop.unwrap_or_else(|| "Bearer".into()),
                expires_in: 60,
                refresh_token: None,
                scope: body.scope,
                issued_token_type: Some(body.grant_type.to_string()),
                id_token: body.resource,
            }),
            Some("no-store".into()),
            None,
        ))
    }
}

impl public::Consent for Echo {
    async fn http_public_consent_post(
        &self,
        _request: &Request,
        credential: Credential,
        body: types::ConsentForm,
    ) -> poem::Result<responses::HttpPublicConsentPostResponse> {
        let location = format!(
            "https://client.example/cb?session={}&action={}&scopes={}&cookie={}",
            body.session_id,
            body.action,
            body.scopes.unwrap_or_default().join(","),
            credential.secret(),
        );
        Ok(responses::HttpPublicConsentPostResponse::SeeOther(location))
    }
}

impl public::Login for Echo {
    async fn http_public_login_post(
        &self,
        _request: &Request,
        body: types::LoginForm,
    ) -> poem::Result<responses::HttpPublicLoginPostResponse> {
        use responses::HttpPublicLoginPostTooManyRequestsBody as Body;
        Ok(responses::HttpPublicLoginPostResponse::TooManyRequests(
            Body::Html(Html(format!("<p>{} is locked</p>", body.email))),
            "30".into(),
        ))
    }
}

fn client() -> TestClient<impl Endpoint> {
    let api = OpenApiService::new(public::Api::new(Arc::new(Echo)), "t", "1");
    TestClient::new(Route::new().nest("/", api))
}

#[tokio::test]
async fn the_token_form_arrives_typed_with_basic_credentials_and_the_dpop_header() {
    let response = client()
        .post("/oauth/token")
        .header("Authorization", "Basic YXBwOnMzY3JldA==") // app:s3cret
        .header("DPoP", "proof")
        .content_type(FORM)
        .body("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&scope=a+b&resource=&extra=ignored")
        .send()
        .await;
    response.assert_status_is_ok();
    response.assert_header("Cache-Control", "no-store");
    response
        .assert_json(serde_json_value(
            r#"{"access_token": "ClientSecretBasic:app:s3cret", "token_type": "proof",
                "expires_in": 60, "scope": "a b",
                "issued_token_type": "urn:ietf:params:oauth:grant-type:token-exchange"}"#,
        ))
        .await;
}

#[tokio::test]
async fn the_optional_credential_may_be_absent() {
    let response = client()
        .post("/oauth/token")
        .content_type(FORM)
        .body("grant_type=client_credentials&client_id=app")
        .send()
        .await;
    response.assert_status_is_ok();
    let body = response.json().await;
    body.value()
        .object()
        .get("access_token")
        .assert_string("anonymous");
}

#[tokio::test]
async fn a_form_of_the_wrong_shape_or_type_is_refused() {
    let unknown_grant = client()
        .post("/oauth/token")
        .content_type(FORM)
        .body("grant_type=password")
        .send()
        .await;
    unknown_grant.assert_status(StatusCode::BAD_REQUEST);
    let json = client()
        .post("/oauth/token")
        .content_type("application/json")
        .body(r#"{"grant_type": "client_credentials"}"#)
        .send()
        .await;
    json.assert_status(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn repeated_fields_fill_a_list_and_the_cookie_is_the_credential() {
    let response = client()
        .post("/consent")
        .header("Cookie", "authserver_session=s1")
        .content_type(FORM)
        .body("session_id=x&csrf_token=t&action=allow&scopes=read&scopes=write")
        .send()
        .await;
    response.assert_status(StatusCode::SEE_OTHER);
    response.assert_header(
        "Location",
        "https://client.example/cb?session=x&action=allow&scopes=read,write&cookie=s1",
    );
    let no_session = client()
        .post("/consent")
        .content_type(FORM)
        .body("session_id=x&csrf_token=t&action=allow")
        .send()
        .await;
    no_session.assert_status(StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_status_with_two_media_types_answers_the_chosen_one_with_its_headers() {
    let response = client()
        .post("/login")
        .content_type(FORM)
        .body("email=a%40example.com&password=p&csrf_token=t")
        .send()
        .await;
    response.assert_status(StatusCode::TOO_MANY_REQUESTS);
    response.assert_header("Retry-After", "30");
    response.assert_content_type("text/html; charset=utf-8");
    response.assert_text("<p>a@example.com is locked</p>").await;
}

#[tokio::test]
async fn unimplemented_operations_answer_501() {
    let response = client().get("/.well-known/jwks.json").send().await;
    response.assert_status(StatusCode::NOT_IMPLEMENTED);
}

#[tokio::test]
async fn the_openapi_documents_render() {
    let public = OpenApiService::new(public::Api::new(Arc::new(Echo)), "t", "1").spec();
    for needle in [
        FORM,
        "text/html",
        r#""in": "cookie""#,
        r#""scheme": "basic""#,
        r#""name": "DPoP""#,
        r#""LOCATION""#,
    ] {
        assert!(public.contains(needle), "{needle} in the public document");
    }

    struct Admin;
    impl authplane_server_api::admin::Admin for Admin {}
    impl authplane_server_api::admin::Metrics for Admin {}
    let admin = OpenApiService::new(
        authplane_server_api::admin::Api::new(Arc::new(Admin)),
        "t",
        "1",
    );
    assert!(admin.spec().contains(r#""scheme": "bearer""#));
    let metrics = TestClient::new(Route::new().nest("/", admin))
        .get("/metrics")
        .send()
        .await;
    metrics.assert_status(StatusCode::NOT_IMPLEMENTED);
}

fn serde_json_value(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}
