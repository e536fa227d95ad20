//! Login, session, actor, refresh rotation with reuse detection, and logout, through the SDK
//! against the server started in-process; the same case on SQLite and on PostgreSQL.

use plystra::Plystra;
use plystra::types::ErrorCode;
use plystra_server::Store;
use plystra_server::store::migrate::EXPECTED_VERSION;

use crate::common::{on_both_backends, serve, sqlite_store};

fn code(err: &plystra::Error) -> String {
    err.api()
        .map(|a| a.code.as_str())
        .unwrap_or_else(|| format!("{err:?}"))
}

on_both_backends!(session_flow);

async fn session_flow(store: Store) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent
    assert_eq!(store.schema_version().await.unwrap(), EXPECTED_VERSION);
    plystra_server::seed::demo(&store).await.unwrap();
    assert!(
        !plystra_server::seed::demo(&store).await.unwrap(),
        "seeding twice creates nothing"
    );
    let base = serve(store).await;
    let plystra = Plystra::new(&base).unwrap();

    // Wrong password and unknown email answer alike.
    for (email, password) in [
        ("alice@example.com", "wrong"),
        ("nobody@example.com", "plystra-demo"),
    ] {
        let err = plystra.auth().login(email, password).await.unwrap_err();
        assert!(err.is_unauthorized(), "{err:?}");
        assert_eq!(
            err.api().unwrap().message,
            "Email or password is incorrect."
        );
    }

    // Email is normalised; revoked and expired bindings are not offered.
    let session = plystra
        .auth()
        .login("  Alice@Example.COM ", "plystra-demo")
        .await
        .unwrap();
    assert_eq!(session.user.id, "user_alice");
    assert_eq!(session.token_type, "Bearer");
    assert!(session.access_token.starts_with("ply_at_") && session.access_token.len() == 71);
    assert!(session.refresh_token.starts_with("ply_rt_"));
    let actor = session.actor.as_ref().unwrap();
    assert_eq!(actor.user_member_id, "um_alice_finance_reviewer");
    let offered: Vec<_> = session
        .available_members
        .as_ref()
        .unwrap()
        .iter()
        .map(|m| m.user_member_id.as_str())
        .collect();
    assert_eq!(offered, ["um_alice_finance_reviewer"]);
    assert_eq!(
        (session.refresh_expires_at - session.expires_at).num_minutes(),
        30 * 24 * 60 - 15,
        "access 15 minutes, refresh 30 days"
    );

    plystra.set_access_token(&session.access_token);
    let me = plystra.auth().me().await.unwrap();
    assert_eq!(me.user.email, "alice@example.com");
    assert_eq!(me.session.active_member_id, "member_finance_reviewer");
    let context = plystra.actor().context().await.unwrap();
    assert_eq!(context.session_id.as_deref(), Some(me.session_id.as_str()));
    plystra
        .actor()
        .switch_member("member_finance_reviewer")
        .await
        .unwrap();
    let err = plystra
        .actor()
        .switch_member("member_invoice_creator")
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::ActiveMemberRequired.to_string());

    // An API key is not a session.
    let keyed = Plystra::builder(&base)
        .api_key("ply_ak_x.y")
        .build()
        .unwrap();
    assert!(keyed.actor().context().await.is_err());

    // Rotation: both tokens change, the old access token stops working.
    let rotated = plystra
        .auth()
        .refresh(&session.refresh_token)
        .await
        .unwrap();
    assert_ne!(rotated.access_token, session.access_token);
    assert_ne!(rotated.refresh_token, session.refresh_token);
    assert_eq!(
        rotated.refresh_expires_at, session.refresh_expires_at,
        "refresh expiry not extended"
    );
    assert!(
        plystra
            .actor()
            .context()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    plystra.set_access_token(&rotated.access_token);
    plystra.actor().context().await.unwrap();

    // Reuse detection: the replaced refresh token revokes the whole session.
    let err = plystra
        .auth()
        .refresh(&session.refresh_token)
        .await
        .unwrap_err();
    assert_eq!(code(&err), ErrorCode::SessionExpired.to_string());
    assert!(
        plystra
            .actor()
            .context()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    assert!(
        plystra
            .auth()
            .refresh(&rotated.refresh_token)
            .await
            .is_err()
    );

    // Logout with the refresh token ends a fresh session; unknown tokens still answer true.
    let second = plystra
        .auth()
        .login("bob@example.com", "plystra-demo")
        .await
        .unwrap();
    plystra.set_access_token(&second.access_token);
    plystra.actor().context().await.unwrap();
    plystra.clear_access_token();
    assert!(
        plystra
            .auth()
            .logout(&second.refresh_token)
            .await
            .unwrap()
            .logged_out
    );
    plystra.set_access_token(&second.access_token);
    assert!(
        plystra
            .actor()
            .context()
            .await
            .unwrap_err()
            .is_unauthorized()
    );
    assert!(
        plystra
            .auth()
            .logout("ply_rt_unknown")
            .await
            .unwrap()
            .logged_out
    );
}

#[tokio::test]
async fn tokens_are_stored_only_as_hashes() {
    let store = sqlite_store().await;
    plystra_server::seed::demo(&store).await.unwrap();
    let base = serve(store.clone()).await;
    let plystra = Plystra::new(&base).unwrap();
    let session = plystra
        .auth()
        .login("alice@example.com", "plystra-demo")
        .await
        .unwrap();
    for token in [&session.access_token, &session.refresh_token] {
        let hashes = plystra_server::domain::tokens::TokenHasher::default().candidates(token);
        assert!(!hashes.contains(token));
        assert!(
            store
                .session_by_access(std::slice::from_ref(token), "2000-01-01T00:00:00Z")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .session_by_refresh(std::slice::from_ref(token), "2000-01-01T00:00:00Z")
                .await
                .unwrap()
                .is_none()
        );
    }
}
