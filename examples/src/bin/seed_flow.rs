//! The official SDKs' flow: log in, set the access token, read the actor, run a Context Mode
//! check with the full explanation, print the decision and its trace.
//!
//! `PLYSTRA_URL` (default `http://127.0.0.1:8080`), `PLYSTRA_API_KEY`, `PLYSTRA_EMAIL`
//! (default `alice@example.com`), `PLYSTRA_PASSWORD` (default `plystra-demo`).

use plystra::Plystra;
use plystra::authz::{Actor, AuthzCheck, Grant, Resource};
use plystra::types::PermissionScope;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let plystra = Plystra::builder(env("PLYSTRA_URL", "http://127.0.0.1:8080"))
        .api_key(env("PLYSTRA_API_KEY", "ply_kernel_secret"))
        .build()?;
    let session = plystra
        .auth()
        .login(
            env("PLYSTRA_EMAIL", "alice@example.com"),
            env("PLYSTRA_PASSWORD", "plystra-demo"),
        )
        .await?;
    plystra.set_access_token(&session.access_token);
    let actor = plystra.actor().context().await?;
    println!("acting as {:?}", actor.actor);

    let decision = plystra
        .authz()
        .explain(
            AuthzCheck::new("approve")
                .actor(
                    Actor::new(
                        "user_external_alice",
                        "member_finance_reviewer",
                        "space_acme",
                    )
                    .binding_id("binding_external_alice_finance"),
                )
                .resource(
                    Resource::new("invoice")
                        .external_id("invoice_001")
                        .space_id("space_acme")
                        .group_path("finance.apac")
                        .owner_member_id("member_invoice_creator"),
                )
                .grant(
                    Grant::new("invoice", "approve", PermissionScope::GroupTree)
                        .role_key("finance_approver")
                        .space_id("space_acme")
                        .scope_anchor_group_path("finance"),
                ),
        )
        .await?;
    println!(
        "{} — {} (trace {}, audit {})",
        decision.decision, decision.reason, decision.trace_id, decision.audit.audit_log_id
    );
    for candidate in decision.matched_candidates.iter().flatten() {
        println!(
            "  {} {}:{}:{} covered={} ({})",
            candidate.role.key,
            candidate.permission.resource,
            candidate.permission.action,
            candidate.permission.scope,
            candidate.scope_check.covered,
            candidate.scope_check.reason
        );
    }
    Ok(())
}
