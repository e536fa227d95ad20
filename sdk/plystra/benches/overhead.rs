//! SDK overhead: one `authz/check` call through `plystra` against the same request sent with a
//! plain `reqwest::Client` (same settings), both against a local stub server on loopback.
//! Prints the per-call medians and their ratio. Run: `cargo bench -p plystra --bench overhead`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark binary

use std::time::{Duration, Instant};

use plystra::Plystra;
use plystra::authz::{Actor, AuthzCheck, Grant, Resource};
use plystra::types::PermissionScope;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

const ROUNDS: usize = 41;
const CALLS: usize = 200;

const VERDICT: &str = r#"{"data":{"allow":true,"decision":"allow","deny_code":null,"reason":"at least one matching permission grant covers the target resource","trace_id":"trc_0a1b2c3d4e5f6071","audit_log_id":"audit_0a1b2c3d4e5f6071","audit":{"audit_log_id":"audit_0a1b2c3d4e5f6071","actor_user_id":"user_external_alice","actor_member_id":"member_finance_reviewer","actor_user_member_id":"binding_external_alice_finance","space_id":"space_acme","action":"invoice.approve","resource_type":"invoice","resource_id":"invoice_001","decision":"allow","deny_code":"","request_id":"req_0123456789abcdef"}},"request_id":"req_0123456789abcdef"}"#;

/// A keep-alive HTTP/1.1 server that answers every request with the same verdict.
async fn stub() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut buf = Vec::with_capacity(8192);
                let mut chunk = [0u8; 8192];
                loop {
                    // Read one request: headers, then Content-Length bytes of body.
                    let (head_end, length) = loop {
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .map(|v| v.trim().parse::<usize>().unwrap())
                                .unwrap_or(0);
                            break (end + 4, length);
                        }
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    };
                    while buf.len() < head_end + length {
                        let n = socket.read(&mut chunk).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    buf.drain(..head_end + length);
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-request-id: req_0123456789abcdef\r\ncontent-length: {}\r\n\r\n{VERDICT}",
                        VERDICT.len()
                    );
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    format!("http://{addr}")
}

fn request() -> AuthzCheck {
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
        )
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let base = stub().await;
    let http = || {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .unwrap()
    };
    let sdk = Plystra::builder(&base)
        .api_key("ply_ak_bench.secret")
        .http_client(http())
        .build()
        .unwrap();
    let raw = http();
    let url = format!("{base}/api/v1/authz/check");

    let sdk_call = || async {
        let verdict = sdk.authz().check(request()).await.unwrap();
        assert!(verdict.allow);
    };
    // Both sides build the request from the same values on every call.
    let raw_call = || async {
        let body = serde_json::to_vec(&request().into_request()).unwrap();
        let response = raw
            .post(&url)
            .header("x-plystra-api-key", "ply_ak_bench.secret")
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let value: serde_json::Value = response.json().await.unwrap();
        assert_eq!(value["data"]["allow"], true);
    };

    for _ in 0..200 {
        sdk_call().await;
        raw_call().await;
    }
    let (mut sdk_rounds, mut raw_rounds) = (Vec::new(), Vec::new());
    // Short alternating blocks, so that drift in machine load hits both sides alike.
    for round in 0..ROUNDS {
        for side in [round % 2, 1 - round % 2] {
            let start = Instant::now();
            for _ in 0..CALLS {
                if side == 0 {
                    raw_call().await
                } else {
                    sdk_call().await
                }
            }
            let per_call = start.elapsed() / CALLS as u32;
            if side == 0 {
                raw_rounds.push(per_call)
            } else {
                sdk_rounds.push(per_call)
            }
        }
    }
    let (sdk, raw) = (median(sdk_rounds), median(raw_rounds));
    println!("authz/check per call, median of {ROUNDS} rounds x {CALLS} calls on loopback:");
    println!("  raw reqwest : {raw:?}");
    println!("  plystra SDK : {sdk:?}");
    println!(
        "  ratio       : {:.3} (SDK overhead {:+.1} %)",
        sdk.as_secs_f64() / raw.as_secs_f64(),
        (sdk.as_secs_f64() / raw.as_secs_f64() - 1.0) * 100.0
    );
}
