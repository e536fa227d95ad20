//! Server-to-server: an API key only, a request id of the caller's, a registry-mode check, and
//! the audit rows of that request.
//!
//! `PLYSTRA_URL` (default `http://127.0.0.1:8080`), `PLYSTRA_API_KEY` (required).

use plystra::authz::{Actor, AuthzCheck};
use plystra::prelude::*;
use plystra::{Plystra, RetryPolicy};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let url = std::env::var("PLYSTRA_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
    let plystra = Plystra::builder(url)
        .api_key(std::env::var("PLYSTRA_API_KEY")?)
        .retry(RetryPolicy::standard(3))
        .build()?;
    let scoped = plystra.with_request_id("req_example_s2s");
    let verdict = scoped
        .authz()
        .check(
            AuthzCheck::new("approve")
                .actor(
                    Actor::new("user_alice", "member_finance_reviewer", "space_acme")
                        .user_member_id("um_alice_finance_reviewer"),
                )
                .registered("invoice", "invoice_001"),
        )
        .await?;
    println!(
        "allow={} deny_code={:?} audit={}",
        verdict.allow, verdict.deny_code, verdict.audit_log_id
    );
    let rows = plystra
        .audit()
        .list()
        .space_id("space_acme")
        .request_id("req_example_s2s")
        .call()
        .await?;
    for row in rows.iter() {
        println!(
            "{} {} {} {}",
            row.created_at, row.action, row.decision, row.resource_id
        );
    }
    Ok(())
}
