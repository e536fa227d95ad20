//! The official SDKs' flow on the Finance Reviewer demo: log in as alice, read the session's
//! actor, then ask the server (with the demo's API key) to explain two Context Mode checks for
//! that actor: approving `invoice_001` in `finance.apac` is allowed by a `group_tree` grant
//! anchored at `finance`; approving `invoice_002` in `legal.emea` is denied with
//! `SCOPE_OUT_OF_BOUNDS`. Each decision is printed with its trace and audit row id.
//!
//! Against a reference server seeded with `plystra-server seed-demo --api-key` (see the README
//! for the exact commands):
//!
//! ```sh
//! cargo run -p plystra-examples --bin seed_flow -- ply_ak_…   # or PLYSTRA_API_KEY=ply_ak_…
//! ```
//!
//! `PLYSTRA_URL` (default `http://127.0.0.1:8080`), `PLYSTRA_EMAIL` (default
//! `alice@example.com`), `PLYSTRA_PASSWORD` (default `plystra-demo`).

use anyhow::Context as _;
use plystra::Plystra;
use plystra::authz::{Actor, AuthzCheck, Grant, Resource};
use plystra::types::{self, PermissionScope};

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let api_key = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("PLYSTRA_API_KEY").ok())
        .context(
            "pass the API key printed by `plystra-server seed-demo --api-key` \
             as the first argument or in PLYSTRA_API_KEY",
        )?;
    // One client with both credentials: the SDK sends the API key where a route accepts one
    // (the authz routes) and the session token where only a session will do (actor context).
    let plystra = Plystra::builder(env("PLYSTRA_URL", "http://127.0.0.1:8080"))
        .api_key(api_key)
        .build()?;
    let session = plystra
        .auth()
        .login(
            env("PLYSTRA_EMAIL", "alice@example.com"),
            env("PLYSTRA_PASSWORD", "plystra-demo"),
        )
        .await?;
    plystra.set_access_token(&session.access_token);

    let context = plystra.actor().context().await?;
    let actor = context
        .actor
        .clone()
        .context("the session has no active member")?;
    println!(
        "acting as user {} / member {} (binding {}) in {}",
        actor.user_id, actor.member_id, actor.user_member_id, actor.space_id
    );

    for (invoice, group_path) in [
        ("invoice_001", "finance.apac"),
        ("invoice_002", "legal.emea"),
    ] {
        let decision = plystra
            .authz()
            .explain(invoice_check(&actor, invoice, group_path))
            .await?;
        print_decision(invoice, &decision);
    }
    Ok(())
}

/// Context Mode: the actor, the invoice and the reviewer's grant all travel in the request;
/// the server only needs the `invoice` registry entry.
fn invoice_check(actor: &types::Actor, invoice: &str, group_path: &str) -> AuthzCheck {
    AuthzCheck::new("approve")
        .actor(
            Actor::new(&actor.user_id, &actor.member_id, &actor.space_id)
                .binding_id(&actor.user_member_id)
                .relation_type("delegate"),
        )
        .resource(
            Resource::new("invoice")
                .external_id(invoice)
                .space_id(&actor.space_id)
                .group_path(group_path)
                .owner_member_id("member_invoice_creator"),
        )
        .grant(
            Grant::new("invoice", "approve", PermissionScope::GroupTree)
                .role_key("finance_approver")
                .scope_anchor_group_path("finance"),
        )
}

fn print_decision(invoice: &str, decision: &types::Decision) {
    let code = decision
        .deny_code
        .as_ref()
        .map_or_else(|| "-".to_string(), ToString::to_string);
    println!();
    println!(
        "approve {invoice}: {} ({code}) — {}",
        decision.decision, decision.reason
    );
    println!(
        "  trace {} (v{}), audit row {}",
        decision.trace_id, decision.trace_version, decision.audit.audit_log_id
    );
    let target = &decision.target.resource;
    println!(
        "  target {} {} in {} group {}",
        target.type_,
        target.id,
        target.space_id,
        decision
            .target
            .group
            .as_ref()
            .map_or("-", |g| g.path.as_str()),
    );
    let registry = &decision.resource_registry;
    println!(
        "  registry {}.{} (risk {}), mapping {}",
        registry.resource_type.key,
        registry.action.key,
        registry.action.risk_level,
        registry.mapping.id
    );
    for candidate in decision.matched_candidates.iter().flatten() {
        let check = &candidate.scope_check;
        println!(
            "  grant {} {}:{}:{} anchored at {}: covered={} — {} [{}]",
            candidate.role.key,
            candidate.permission.resource,
            candidate.permission.action,
            candidate.permission.scope,
            candidate
                .scope_anchor
                .as_ref()
                .map_or("-", |a| a.path.as_str()),
            check.covered,
            check.reason,
            check.rule
        );
    }
}
