//! Principals through the SDK against the server started in-process: who gets through the
//! middleware, the admin grant anti-escalation rules and `LAST_SUPER_ADMIN`, API keys (shape,
//! once-only plaintext, scope, revoke, expiry). Every case runs on SQLite and on PostgreSQL.

use std::sync::Arc;

use plystra::Plystra;
use plystra::prelude::*;
use plystra::types::{AdminGrantLevel, ApiKeyLevel, ApiKeyStatus, CredentialType};
use plystra_server::{Config, Server, Store};

use crate::common::{
    ManualClock, on_both_backends, seed_demo_with_super_admin, serve_server, sqlite_store,
};

/// Status and code of a failed call.
fn failure<T: std::fmt::Debug>(result: Result<T, plystra::Error>) -> (u16, String) {
    let err = result.expect_err("the call fails");
    let api = err.api().unwrap_or_else(|| panic!("an API error: {err:?}"));
    (api.status, api.code.as_str())
}

/// A call the middleware let through to a handler that does not exist yet answers 501; one it
/// stopped answers 401/403.
fn admitted<T: std::fmt::Debug>(result: Result<T, plystra::Error>) -> bool {
    match result {
        Ok(_) => true,
        Err(err) => {
            let status = err.status().unwrap_or(0);
            assert!(
                matches!(status, 401 | 403 | 501),
                "unexpected answer: {err:?}"
            );
            status == 501
        }
    }
}

struct World {
    server: Arc<Server>,
    base: String,
    clock: ManualClock,
    alice: Plystra,
    bob: Plystra,
    store: Store,
}

impl World {
    async fn new(store: Store) -> World {
        seed_demo_with_super_admin(&store).await;
        let clock = ManualClock::new();
        let server =
            Server::new(store.clone(), Arc::new(Config::for_tests())).with_clock(clock.clock());
        let server = Arc::new(server);
        let base = serve_server(server.clone()).await;
        let alice = Plystra::new(&base).unwrap();
        let session = alice
            .auth()
            .login("alice@example.com", "plystra-demo")
            .await
            .unwrap();
        alice.set_access_token(&session.access_token);
        let bob = Plystra::new(&base).unwrap();
        let session = bob
            .auth()
            .login("bob@example.com", "plystra-demo")
            .await
            .unwrap();
        bob.set_access_token(&session.access_token);
        World {
            server,
            base,
            clock,
            alice,
            bob,
            store,
        }
    }

    fn with_key(&self, key: &str) -> Plystra {
        Plystra::builder(&self.base).api_key(key).build().unwrap()
    }

    async fn grant(
        &self,
        by: &Plystra,
        user: &str,
        level: AdminGrantLevel,
        key: &str,
        space: &str,
        group: &str,
    ) -> Result<String, plystra::Error> {
        let mut body = serde_json::json!({
            "user_id": user,
            "level": level,
            "permission_key": key,
        });
        if !space.is_empty() {
            body["space_id"] = space.into();
        }
        if !group.is_empty() {
            body["group_id"] = group.into();
        }
        let body: plystra::types::AdminGrantMutationRequest = serde_json::from_value(body).unwrap();
        by.api()
            .create_admin_grant()
            .body(body)
            .call()
            .await
            .map(|g| g.data.id)
    }

    async fn key(
        &self,
        by: &Plystra,
        level: ApiKeyLevel,
        keys: &[&str],
        space: &str,
        extra: serde_json::Value,
    ) -> Result<plystra::types::CreatedApiKey, plystra::Error> {
        let mut body = serde_json::json!({
            "name": "test key",
            "level": level,
            "permission_keys": keys,
        });
        if !space.is_empty() {
            body["space_id"] = space.into();
        }
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        let body: plystra::types::ApiKeyMutationRequest = serde_json::from_value(body).unwrap();
        by.api()
            .create_api_key()
            .body(body)
            .call()
            .await
            .map(|k| k.data)
    }
}

async fn middleware_denies(w: &World) {
    // No credential, a bogus one, an admin token header (there is none): 401.
    let anonymous = Plystra::new(&w.base).unwrap();
    assert_eq!(
        failure(anonymous.api().get_admin_me().call().await),
        (401, "AUTHENTICATION_REQUIRED".into())
    );
    let bogus = Plystra::builder(&w.base)
        .access_token("ply_at_nope")
        .build()
        .unwrap();
    assert_eq!(failure(bogus.api().get_admin_me().call().await).0, 401);
    let cli = crate::common::client(w.server.clone());
    let resp = cli
        .get("/api/v1/admin/me")
        .header("X-Plystra-Admin-Token", "anything")
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    // An invalid API key is not rescued by a valid session.
    let resp = cli
        .get("/api/v1/admin/me")
        .header("X-Plystra-API-Key", "ply_ak_nope.secret")
        .header(
            "Authorization",
            format!("Bearer {}", login_token(&w.base, "alice@example.com").await),
        )
        .send()
        .await;
    resp.assert_status(poem::http::StatusCode::UNAUTHORIZED);
    // Unknown routes are protected like the rest: 401 without a credential.
    cli.get("/api/v1/nope")
        .send()
        .await
        .assert_status(poem::http::StatusCode::UNAUTHORIZED);

    // Bob has no grant: every protected route is 403 with the permission named.
    let err = w.bob.api().get_admin_me().call().await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_str().as_str()),
        (403, "ADMIN_PERMISSION_REQUIRED")
    );
    assert_eq!(api.details["permission"], "instance:read");
    assert_eq!(failure(w.bob.api().list_users().call().await).0, 403);

    // Alice is super admin.
    let me = w.alice.api().get_admin_me().call().await.unwrap().data;
    assert_eq!(me.credential_type, CredentialType::Session);
    assert_eq!(me.user_id, "user_alice");
    assert_eq!(me.capabilities.as_ref().unwrap().get("*"), Some(&true));
    assert_eq!(me.grants.as_ref().unwrap().len(), 1);
    assert!(admitted(w.alice.api().list_users().call().await));
    let caps = w.alice.api().list_capabilities().call().await.unwrap().data;
    assert_eq!(caps.states.len(), 5);
    assert!(
        caps.services
            .iter()
            .any(|s| s.name == "authorization.checker")
    );
}

async fn revoke(p: &Plystra, id: &str) -> Result<plystra::types::AdminGrant, plystra::Error> {
    p.api()
        .revoke_admin_grant()
        .admin_grant_id(id.to_string())
        .call()
        .await
        .map(|g| g.data)
}

async fn login_token(base: &str, email: &str) -> String {
    let p = Plystra::new(base).unwrap();
    p.auth()
        .login(email, "plystra-demo")
        .await
        .unwrap()
        .data
        .access_token
}

async fn grants_and_escalation(w: &World) {
    // A space admin reaches its space only, and only with its key.
    w.grant(
        &w.alice,
        "user_bob",
        AdminGrantLevel::SpaceAdmin,
        "members:manage",
        "space_acme",
        "",
    )
    .await
    .unwrap();
    assert!(admitted(
        w.bob
            .api()
            .list_members()
            .space_id("space_acme")
            .call()
            .await
    ));
    assert_eq!(
        failure(
            w.bob
                .api()
                .list_members()
                .space_id("space_other")
                .call()
                .await
        )
        .0,
        403
    );
    assert_eq!(
        failure(w.bob.api().list_roles().space_id("space_acme").call().await).0,
        403
    );
    assert_eq!(
        failure(w.bob.api().list_spaces().call().await).0,
        403,
        "no scope: scoped admins cannot list spaces"
    );

    // Bob may manage grants in space_acme, but only delegate what he holds.
    w.grant(
        &w.alice,
        "user_bob",
        AdminGrantLevel::SpaceAdmin,
        "admin_grants:manage",
        "space_acme",
        "",
    )
    .await
    .unwrap();
    w.grant(
        &w.bob,
        "user_alice",
        AdminGrantLevel::SpaceAdmin,
        "members:read",
        "space_acme",
        "",
    )
    .await
    .unwrap();
    w.grant(
        &w.bob,
        "user_alice",
        AdminGrantLevel::GroupAdmin,
        "members:manage",
        "",
        "group_finance",
    )
    .await
    .unwrap();
    let denied = w
        .grant(
            &w.bob,
            "user_alice",
            AdminGrantLevel::SpaceAdmin,
            "roles:manage",
            "space_acme",
            "",
        )
        .await;
    let err = denied.unwrap_err();
    assert_eq!(err.api().unwrap().details["permission"], "roles:manage");
    assert_eq!(
        failure(
            w.grant(
                &w.bob,
                "user_bob",
                AdminGrantLevel::InstanceAdmin,
                "members:manage",
                "",
                ""
            )
            .await
        )
        .0,
        403
    );
    assert_eq!(
        failure(
            w.grant(
                &w.bob,
                "user_bob",
                AdminGrantLevel::InstanceSuperAdmin,
                "*",
                "",
                ""
            )
            .await
        )
        .0,
        403
    );
    assert_eq!(
        failure(
            w.grant(
                &w.bob,
                "user_bob",
                AdminGrantLevel::SpaceAdmin,
                "*",
                "space_acme",
                ""
            )
            .await
        )
        .0,
        403
    );

    // Validation answers 400 before any permission question.
    for (level, key, space, group) in [
        (AdminGrantLevel::SpaceAdmin, "members:read", "", ""),
        (
            AdminGrantLevel::SpaceAdmin,
            "members:read",
            "space_missing",
            "",
        ),
        (AdminGrantLevel::GroupAdmin, "members:read", "", ""),
        (
            AdminGrantLevel::GroupAdmin,
            "members:read",
            "space_other",
            "group_finance",
        ),
        (
            AdminGrantLevel::InstanceAdmin,
            "members:read",
            "space_acme",
            "",
        ),
        (AdminGrantLevel::SpaceAdmin, "Members", "space_acme", ""),
    ] {
        let result = w
            .grant(&w.alice, "user_bob", level, key, space, group)
            .await;
        assert_eq!(
            failure(result),
            (400, "VALIDATION_FAILED".into()),
            "{level:?} {key} {space} {group}"
        );
    }
    assert_eq!(
        failure(
            w.grant(
                &w.alice,
                "user_nobody",
                AdminGrantLevel::InstanceAdmin,
                "users:read",
                "",
                ""
            )
            .await
        )
        .0,
        400
    );

    // Bob reads only the grants of his space, never instance-level ones.
    let listed = w.bob.api().list_admin_grants().call().await.unwrap().data;
    assert!(!listed.is_empty());
    assert!(
        listed.iter().all(|g| g.space_id == "space_acme"),
        "{listed:?}"
    );
    let all = w.alice.api().list_admin_grants().call().await.unwrap().data;
    assert!(all.len() > listed.len());
    let super_grant = w
        .bob
        .api()
        .get_admin_grant()
        .admin_grant_id("ag_alice_super")
        .call()
        .await;
    assert_eq!(failure(super_grant).0, 403);
    assert_eq!(
        failure(
            w.alice
                .api()
                .get_admin_grant()
                .admin_grant_id("ag_missing")
                .call()
                .await
        ),
        (404, "ADMIN_GRANT_NOT_FOUND".into())
    );

    // Group admin: the group and its descendants, never a space-only route.
    w.grant(
        &w.alice,
        "user_bob",
        AdminGrantLevel::GroupAdmin,
        "resources:read",
        "",
        "group_finance",
    )
    .await
    .unwrap();
    assert!(admitted(
        w.bob
            .api()
            .get_space_resource()
            .space_id("space_acme")
            .resource_id("invoice_001")
            .call()
            .await
    ));
    assert_eq!(
        failure(
            w.bob
                .api()
                .get_space_resource()
                .space_id("space_acme")
                .resource_id("invoice_002")
                .call()
                .await
        )
        .0,
        403
    );
    assert_eq!(
        failure(
            w.bob
                .api()
                .list_space_resources()
                .space_id("space_acme")
                .call()
                .await
        )
        .0,
        403
    );

    // Grants are audited in the same transaction.
    let overview = w
        .alice
        .api()
        .get_console_overview()
        .call()
        .await
        .unwrap()
        .data;
    let recent = overview.recent_audit_logs.unwrap();
    assert!(
        recent
            .iter()
            .any(|a| a.action == "admin_grant.created" && a.actor_user_id == "user_bob")
    );

    // The last super admin cannot be revoked; once there are two, one can.
    assert_eq!(
        failure(revoke(&w.alice, "ag_alice_super").await),
        (409, "LAST_SUPER_ADMIN".into())
    );
    let bob_super = w
        .grant(
            &w.alice,
            "user_bob",
            AdminGrantLevel::InstanceSuperAdmin,
            "*",
            "",
            "",
        )
        .await
        .unwrap();
    let revoked = revoke(&w.alice, "ag_alice_super").await.unwrap();
    assert_eq!(revoked.status, plystra::types::BindingStatus::Revoked);
    assert!(revoked.revoked_at.is_some());
    assert_eq!(failure(revoke(&w.bob, &bob_super).await).0, 409);
    // Alice kept her scoped grants but is no longer super: instance routes are closed to her.
    assert_eq!(failure(w.alice.api().get_admin_me().call().await).0, 403);
    assert_eq!(w.store.super_admin_grants().await.unwrap(), 1);
}

async fn api_keys(w: &World) {
    // Creation answers the plaintext once, in `api_key`.
    let created = w
        .key(
            &w.alice,
            ApiKeyLevel::Space,
            &["authz:check", "Audit:Read ", "audit:read"],
            "space_acme",
            serde_json::json!({}),
        )
        .await
        .unwrap();
    let secret = created.api_key.clone();
    let (prefix, hexpart) = secret.split_once('.').unwrap();
    assert_eq!(prefix, format!("ply_ak_{}", created.id));
    assert_eq!(created.key_prefix, prefix);
    assert!(hexpart.len() == 64 && hexpart.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        created.permission_keys.as_deref().unwrap(),
        ["authz:check", "audit:read"]
    );
    assert!(created.key.is_none());

    // Never again: not in a read, a list, nor /admin/me of the key itself; not in the database.
    let read = w
        .alice
        .api()
        .get_api_key()
        .api_key_id(created.id.clone())
        .call()
        .await
        .unwrap()
        .data;
    let listed = w.alice.api().list_api_keys().call().await.unwrap().data;
    let key_client = w.with_key(&secret);
    let me = key_client.api().get_admin_me().call().await;
    assert_eq!(failure(me).0, 403, "a space key has no instance:read");
    for text in [
        serde_json::to_string(&read).unwrap(),
        serde_json::to_string(&listed).unwrap(),
    ] {
        assert!(!text.contains(hexpart), "the secret leaked: {text}");
    }
    assert_ne!(read.key_prefix, secret);
    assert!(
        !w.store_contains(hexpart).await,
        "the database holds the plaintext"
    );

    // The key reaches its space with its keys only; both headers work; use is stamped.
    assert!(admitted(
        key_client
            .api()
            .list_audit_logs()
            .space_id("space_acme")
            .call()
            .await
    ));
    assert_eq!(
        failure(key_client.api().list_audit_logs().call().await).0,
        403
    );
    assert_eq!(
        failure(
            key_client
                .api()
                .list_audit_logs()
                .space_id("space_other")
                .call()
                .await
        )
        .0,
        403
    );
    assert_eq!(failure(key_client.api().list_users().call().await).0, 403);
    let bearer = Plystra::builder(&w.base)
        .access_token(&secret)
        .build()
        .unwrap();
    assert!(admitted(
        bearer
            .api()
            .list_audit_logs()
            .space_id("space_acme")
            .call()
            .await
    ));
    let read = w
        .alice
        .api()
        .get_api_key()
        .api_key_id(created.id.clone())
        .call()
        .await
        .unwrap()
        .data;
    assert!(read.last_used_at.is_some());

    // Keys never manage grants, even with admin_grants:manage.
    let granting = w
        .key(
            &w.alice,
            ApiKeyLevel::Instance,
            &["admin_grants:manage", "members:read"],
            "",
            serde_json::json!({}),
        )
        .await
        .unwrap();
    let result = w
        .grant(
            &w.with_key(&granting.api_key),
            "user_bob",
            AdminGrantLevel::InstanceAdmin,
            "members:read",
            "",
            "",
        )
        .await;
    assert_eq!(failure(result).0, 403);
    let instance_me = w
        .with_key(&granting.api_key)
        .api()
        .get_admin_me()
        .call()
        .await;
    assert_eq!(
        failure(instance_me).0,
        403,
        "members:read does not give instance:read"
    );

    // Bob (space admin with api_keys:create and authz:check in space_acme) mints within that only.
    w.grant(
        &w.alice,
        "user_bob",
        AdminGrantLevel::SpaceAdmin,
        "api_keys:create",
        "space_acme",
        "",
    )
    .await
    .unwrap();
    w.grant(
        &w.alice,
        "user_bob",
        AdminGrantLevel::SpaceAdmin,
        "authz:check",
        "space_acme",
        "",
    )
    .await
    .unwrap();
    w.key(
        &w.bob,
        ApiKeyLevel::Space,
        &["authz:check"],
        "space_acme",
        serde_json::json!({}),
    )
    .await
    .unwrap();
    let escalate = w
        .key(
            &w.bob,
            ApiKeyLevel::Space,
            &["users:read"],
            "space_acme",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(failure(escalate).0, 403);
    let wider = w
        .key(
            &w.bob,
            ApiKeyLevel::Instance,
            &["authz:check"],
            "",
            serde_json::json!({}),
        )
        .await;
    assert_eq!(failure(wider).0, 403);

    // Bad bodies.
    for (level, keys, space, extra) in [
        (
            ApiKeyLevel::Space,
            vec![],
            "space_acme",
            serde_json::json!({}),
        ),
        (
            ApiKeyLevel::Space,
            vec!["users"],
            "space_acme",
            serde_json::json!({}),
        ),
        (
            ApiKeyLevel::Space,
            vec!["users:read"],
            "",
            serde_json::json!({}),
        ),
        (
            ApiKeyLevel::Instance,
            vec!["users:read"],
            "space_acme",
            serde_json::json!({}),
        ),
        (
            ApiKeyLevel::Space,
            vec!["users:read"],
            "space_acme",
            serde_json::json!({"expires_at": "2020-01-01T00:00:00Z"}),
        ),
        (
            ApiKeyLevel::Space,
            vec!["users:read"],
            "space_acme",
            serde_json::json!({"id": "has.dot"}),
        ),
    ] {
        let result = w.key(&w.alice, level, &keys, space, extra.clone()).await;
        assert_eq!(
            failure(result),
            (400, "VALIDATION_FAILED".into()),
            "{keys:?} {extra}"
        );
    }
    let dup = w
        .key(
            &w.alice,
            ApiKeyLevel::Instance,
            &["users:read"],
            "",
            serde_json::json!({"id": created.id}),
        )
        .await;
    let dup = dup.unwrap_err();
    let api = dup.api().unwrap();
    assert_eq!(
        (api.status, api.code.as_str()),
        (409, "API_KEY_CREATE_FAILED".into()),
        "{:?}",
        api.details
    );

    // Revoked, disabled and expired keys stop authenticating.
    let revoked = w
        .alice
        .api()
        .revoke_api_key()
        .api_key_id(created.id.clone())
        .call()
        .await
        .unwrap()
        .data;
    assert_eq!(revoked.status, ApiKeyStatus::Revoked);
    assert_eq!(revoked.revoked_by_user_id, "user_alice");
    assert_eq!(
        failure(
            key_client
                .api()
                .list_audit_logs()
                .space_id("space_acme")
                .call()
                .await
        )
        .0,
        401
    );
    let disabled = w
        .key(
            &w.alice,
            ApiKeyLevel::Space,
            &["audit:read"],
            "space_acme",
            serde_json::json!({"status": "disabled"}),
        )
        .await
        .unwrap();
    assert_eq!(
        failure(
            w.with_key(&disabled.api_key)
                .api()
                .list_audit_logs()
                .space_id("space_acme")
                .call()
                .await
        )
        .0,
        401
    );
    let in_an_hour = (chrono::DateTime::from_timestamp(1_778_547_600, 0).unwrap()
        + chrono::Duration::hours(1))
    .to_rfc3339();
    let expiring = w
        .key(
            &w.alice,
            ApiKeyLevel::Space,
            &["audit:read"],
            "space_acme",
            serde_json::json!({"expires_at": in_an_hour}),
        )
        .await
        .unwrap();
    let expiring_client = w.with_key(&expiring.api_key);
    assert!(admitted(
        expiring_client
            .api()
            .list_audit_logs()
            .space_id("space_acme")
            .call()
            .await
    ));
    assert_eq!(
        failure(
            w.alice
                .api()
                .get_api_key()
                .api_key_id("ak_missing")
                .call()
                .await
        ),
        (404, "API_KEY_NOT_FOUND".into())
    );
    w.clock.advance(chrono::Duration::hours(2));
    assert_eq!(
        failure(
            expiring_client
                .api()
                .list_audit_logs()
                .space_id("space_acme")
                .call()
                .await
        )
        .0,
        401
    );
    // The sessions expired with the clock too: log in again for what follows.
    for (client, email) in [(&w.alice, "alice@example.com"), (&w.bob, "bob@example.com")] {
        client.set_access_token(login_token(&w.base, email).await);
    }
}

impl World {
    /// Whether the api_keys or audit_logs rows contain `needle` anywhere a secret could land.
    async fn store_contains(&self, needle: &str) -> bool {
        let pattern = format!("%{needle}%");
        let keys = "SELECT COUNT(*) FROM api_keys WHERE key_hash LIKE $1 OR key_prefix LIKE $1 OR metadata LIKE $1 OR name LIKE $1";
        let audit = "SELECT COUNT(*) FROM audit_logs WHERE trace LIKE $1";
        let mut found = 0;
        for sql in [keys, audit] {
            found += self.store.count_where(sql, &pattern).await.unwrap();
        }
        found > 0
    }
}

on_both_backends!(cases_in_order);

/// The cases on one world, in order (`cases_in_order::sqlite`, `cases_in_order::postgres`).
async fn cases_in_order(store: Store) {
    let w = World::new(store).await;
    middleware_denies(&w).await;
    api_keys(&w).await;
    grants_and_escalation(&w).await;
}

/// Without configured secrets (development), tokens and keys are still stored under a keyed
/// hash: the key is generated once and kept in the database, so every replica agrees.
#[tokio::test]
async fn without_configured_secrets_hashes_are_keyed_by_a_stored_secret() {
    use sha2::Digest;
    let store = sqlite_store().await;
    seed_demo_with_super_admin(&store).await;
    let config = Config {
        secrets: Default::default(),
        ..Config::for_tests()
    };
    let server = Arc::new(Server::new(store.clone(), Arc::new(config)));
    let base = serve_server(server).await;
    let alice = Plystra::new(&base).unwrap();
    let session = alice
        .auth()
        .login("alice@example.com", "plystra-demo")
        .await
        .unwrap();
    alice.set_access_token(&session.access_token);
    let bare = hex::encode(sha2::Sha256::digest(session.access_token.as_bytes()));
    let sql = "SELECT COUNT(*) FROM sessions WHERE access_hash = $1";
    assert_eq!(
        store.count_where(sql, &bare).await.unwrap(),
        0,
        "not a bare hash"
    );
    assert!(alice.auth().me().await.is_ok(), "the session authenticates");
    let key = alice
        .api()
        .create_api_key()
        .body(
            serde_json::from_value::<plystra::types::ApiKeyMutationRequest>(serde_json::json!({
                "name": "dev", "level": "instance", "permission_keys": ["users:read"]
            }))
            .unwrap(),
        )
        .call()
        .await
        .unwrap()
        .data
        .api_key;
    let with_key = Plystra::builder(&base).api_key(&key).build().unwrap();
    assert!(admitted(with_key.api().list_users().call().await));
    let secrets = "SELECT COUNT(*) FROM instance_secrets WHERE name = $1";
    for name in ["session", "api_key"] {
        assert_eq!(store.count_where(secrets, name).await.unwrap(), 1, "{name}");
    }
}
