//! Registration (docs/behaviour.md §6.4) through the SDK: the three modes, validation, duplicates,
//! and concurrent bootstrap registrations creating exactly one super admin. The same case on
//! SQLite and on PostgreSQL.

use std::sync::Arc;

use plystra::Plystra;
use plystra::types::{RegisterRequest, RegistrationMode};
use plystra_server::domain::registration::Policy;
use plystra_server::{Config, Server, Store};
use serde_json::json;

use crate::common::{on_both_backends, serve_server};

fn request(email: &str, password: &str, token: Option<&str>) -> RegisterRequest {
    serde_json::from_value(
        json!({"email": email, "password": password, "registration_token": token,
        "space_name": "Acme Labs"}),
    )
    .unwrap()
}

async fn instance(store: Store, registration: Policy) -> Plystra {
    let config = Config {
        registration,
        ..Config::for_tests()
    };
    let server = Server::new(store, Arc::new(config));
    Plystra::new(&serve_server(Arc::new(server)).await).unwrap()
}

fn code(err: &plystra::Error) -> (u16, String, String) {
    let api = err.api().unwrap_or_else(|| panic!("{err:?}"));
    (api.status, api.code.as_str(), api.message.clone())
}

// SQLite on a file: the case races registrations, which needs more than one connection. On
// PostgreSQL a schema of its own: the case starts from an instance without super admins.
on_both_backends!(sqlite file: registration_modes);

async fn registration_modes(store: Store) {
    store.migrate().await.unwrap();
    let now = "2026-01-01T00:00:00Z";
    assert_eq!(store.active_super_admins(now).await.unwrap(), 0);

    // Nothing configured: the first super admin must be bootstrapped first.
    let closed = instance(store.clone(), Policy::default()).await;
    let err = closed
        .auth()
        .register(request("x@example.com", "long enough password", None))
        .await
        .unwrap_err();
    assert_eq!(code(&err).1, "REGISTRATION_DISABLED");
    assert!(code(&err).2.contains("bootstrapped"), "{err:?}");

    let policy = Policy {
        ordinary_enabled: true,
        ordinary_token: Some("ordinary-registration-token".into()),
        public_user_enabled: false,
        bootstrap_enabled: true,
        bootstrap_token: Some("bootstrap-registration-token".into()),
    };
    let open = instance(store.clone(), policy.clone()).await;
    let err = open
        .auth()
        .register(request(
            "y@example.com",
            "short",
            Some("bootstrap-registration-token"),
        ))
        .await
        .unwrap_err();
    assert_eq!(code(&err).0, 400);
    let err = open
        .auth()
        .register(request("no-at-sign", "long enough password", None))
        .await
        .unwrap_err();
    assert_eq!(code(&err).1, "VALIDATION_FAILED");

    // Concurrent bootstrap attempts: exactly one becomes the instance super admin.
    let attempts = (0..6).map(|i| {
        let open = open.clone();
        async move {
            open.auth()
                .register(request(
                    &format!("founder{i}@example.com"),
                    "long enough password",
                    Some("bootstrap-registration-token"),
                ))
                .await
        }
    });
    let results = futures_util::future::join_all(attempts).await;
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let founder = winners[0];
    assert_eq!(founder.registration_mode, RegistrationMode::Bootstrap);
    assert!(founder.bootstrap_super_admin);
    assert!(
        !founder.bootstrap_admin_grant_id.is_empty() && !founder.space_admin_grant_id.is_empty()
    );
    for lost in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(code(lost).1, "REGISTRATION_DISABLED", "{lost:?}");
    }
    assert_eq!(store.active_super_admins(now).await.unwrap(), 1);

    // The founder's session works, and the binding is to the default space.
    open.set_access_token(founder.access_token.as_ref().unwrap());
    let actor = open.actor().context().await.unwrap();
    assert_eq!(actor.actor.as_ref().unwrap().space_id, "space_default");
    open.clear_access_token();

    // Ordinary registration needs the ordinary token; duplicates conflict.
    let member = open
        .auth()
        .register(request(
            "member@example.com",
            "long enough password",
            Some("ordinary-registration-token"),
        ))
        .await
        .unwrap();
    assert_eq!(member.registration_mode, RegistrationMode::Ordinary);
    assert!(!member.bootstrap_super_admin && member.bootstrap_admin_grant_id.is_empty());
    let err = open
        .auth()
        .register(request(
            "MEMBER@example.com",
            "long enough password",
            Some("ordinary-registration-token"),
        ))
        .await
        .unwrap_err();
    assert_eq!(
        (code(&err).0, code(&err).1),
        (409, "USER_CREATE_FAILED".to_string())
    );
    let err = open
        .auth()
        .register(request(
            "other@example.com",
            "long enough password",
            Some("nope"),
        ))
        .await
        .unwrap_err();
    assert_eq!(code(&err).2, "registration token is invalid.");
    open.auth()
        .login("member@example.com", "long enough password")
        .await
        .unwrap();

    // Public user registration: the user only, no session, and no binding to log in with.
    let public = instance(
        store.clone(),
        Policy {
            public_user_enabled: true,
            ..policy
        },
    )
    .await;
    let solo = public
        .auth()
        .register(request("solo@example.com", "long enough password", None))
        .await
        .unwrap();
    assert_eq!(solo.registration_mode, RegistrationMode::PublicUserOnly);
    assert!(solo.user_only && solo.access_token.is_none() && solo.actor.is_none());
    let err = public
        .auth()
        .login("solo@example.com", "long enough password")
        .await
        .unwrap_err();
    assert_eq!(code(&err).1, "ACTIVE_MEMBER_REQUIRED");
}
