//! The admin client: the key on every call, typed answers, and both of the admin API's error
//! bodies (the key check's `{error, error_description}`, the handlers' RFC 9457 problems).

use authplane::Error;
use authplane::admin::{AdminClient, ClientAdminExt, call, types};
use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn client_json(id: &str) -> serde_json::Value {
    json!({
        "id": id,
        "name": "Billing worker",
        "redirect_uris": [],
        "grant_types": ["client_credentials"],
        "response_types": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "status": "active",
        "registration_source": "admin",
        "cimd_url": "",
        "issued_at": "2026-11-27T08:00:00Z",
        "updated_at": "2026-11-27T08:00:00Z"
    })
}

#[tokio::test]
async fn lists_clients_with_the_key_as_bearer() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/clients"))
        .and(query_param("status", "active"))
        .and(header("authorization", "Bearer admin-key-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([client_json("cl_1")])))
        .expect(1)
        .mount(&server)
        .await;

    let admin = AdminClient::new(&server.uri(), "admin-key-1").unwrap();
    let clients = call(
        admin
            .api()
            .http_admin_clients_list()
            .status(types::ClientStatus::Active)
            .send(),
    )
    .await
    .unwrap();
    assert_eq!(clients.len(), 1);
    assert_eq!(clients[0].id, "cl_1");
    assert_eq!(clients[0].status, types::ClientStatus::Active);
    assert_eq!(
        clients[0].token_endpoint_auth_method,
        types::TokenEndpointAuthMethod::ClientSecretBasic
    );
}

#[tokio::test]
async fn a_refused_key_is_an_oauth_style_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/clients/cl_1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "unauthorized",
            "error_description": "admin API key required"
        })))
        .mount(&server)
        .await;

    let admin = AdminClient::new(&server.uri(), "wrong").unwrap();
    let error = call(admin.api().http_admin_clients_id_get().id("cl_1").send())
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(401));
    let oauth = error
        .oauth()
        .expect("the key check answers {error, error_description}");
    assert_eq!(oauth.code.to_string(), "unauthorized");
    assert_eq!(oauth.description.as_deref(), Some("admin API key required"));
}

#[tokio::test]
async fn a_handler_problem_keeps_its_title_and_detail() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/admin/clients/cl_missing"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "type": "about:blank",
            "title": "Not Found",
            "status": 404,
            "detail": "client cl_missing not found"
        })))
        .mount(&server)
        .await;

    let admin = AdminClient::new(&server.uri(), "admin-key-1").unwrap();
    let error = call(
        admin
            .api()
            .http_admin_clients_id_get()
            .id("cl_missing")
            .send(),
    )
    .await
    .unwrap_err();
    let Error::Problem(problem) = &error else {
        panic!("want a problem, got {error:?}");
    };
    assert_eq!(problem.status, 404);
    assert_eq!(problem.title, "Not Found");
    assert_eq!(problem.detail, "client cl_missing not found");
    assert_eq!(
        error.to_string(),
        "404 Not Found: client cl_missing not found"
    );
}

#[test]
fn the_key_is_required_and_never_printed() {
    let missing = AdminClient::builder()
        .base_url("http://127.0.0.1:9001")
        .build();
    assert!(matches!(missing, Err(Error::InvalidRequest(_))));
    let blank = AdminClient::new("http://127.0.0.1:9001", "  ");
    assert!(matches!(blank, Err(Error::InvalidRequest(_))));

    let builder = AdminClient::builder()
        .base_url("http://127.0.0.1:9001")
        .api_key("very-secret-admin-key");
    assert!(!format!("{builder:?}").contains("very-secret"));
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains("very-secret"));
}
