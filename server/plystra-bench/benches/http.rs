//! `POST /api/v1/authz/check` through the reference server (durable audit: every decision's
//! audit row is committed before the answer) on SQLite and PostgreSQL, against a bare poem JSON
//! echo handler given the same body by the same load generator: throughput, the check/echo
//! ratio, p50 and p99 latency.
//!
//! Run: `cargo bench -p plystra-bench --bench http`. PostgreSQL runs when
//! `PLYSTRA_BENCH_POSTGRES_URL` names a server database the user may create databases from
//! (e.g. `postgres://postgres@127.0.0.1:5432/postgres`); a fresh database is created and dropped.
//! `PLYSTRA_BENCH_BACKENDS=sqlite,sqlite-wal,postgres` picks backends, `PLYSTRA_BENCH_QUICK=1`
//! shortens the run; `PLYSTRA_BENCH_CONNECTIONS` and `PLYSTRA_BENCH_SECONDS` change the load;
//! `PLYSTRA_AUDIT_WRITE_MODE` (the server's own setting, default `always`) can switch the audit
//! rows off (`manual`) to see what they cost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark binary

use std::time::Duration;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use plystra_bench::load::{self, Load, Report, Target};
use plystra_bench::servers::{CHECK_PATH, Database, echo_app, serve, start_plystra};
use plystra_server::config::AuditWriteMode;
use serde_json::{Value, json};

/// Registry mode: the stored actor, invoice and grants, named by id.
fn registry_body() -> Value {
    json!({
        "resource_type": "invoice",
        "resource_id": "invoice_001",
        "action": "approve",
        "actor": {
            "user_id": "user_alice",
            "member_id": "member_finance_reviewer",
            "user_member_id": "um_alice_finance_reviewer",
            "space_id": "space_acme"
        }
    })
}

/// Context Mode: actor, invoice and grant described in the body.
fn context_body() -> Value {
    json!({
        "resource_type": "invoice",
        "action": "approve",
        "actor": {
            "user_id": "user_alice",
            "member_id": "member_finance_reviewer",
            "binding_id": "um_alice_finance_reviewer",
            "space_id": "space_acme"
        },
        "resource": {
            "type": "invoice",
            "external_id": "INV-001",
            "space_id": "space_acme",
            "group_path": "finance.apac",
            "owner_member_id": "member_invoice_creator"
        },
        "grants": [{
            "role_key": "finance_approver",
            "resource": "invoice",
            "action": "approve",
            "scope": "group_tree",
            "scope_anchor_group_path": "finance"
        }]
    })
}

/// Both bodies, labelled.
fn bodies() -> [(&'static str, Value); 2] {
    [("registry", registry_body()), ("context", context_body())]
}

struct Row {
    target: String,
    body: &'static str,
    report: Report,
    echo: Option<f64>,
    audited: Option<i64>,
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

fn print_rows(rows: &[Row]) {
    println!(
        "{:<18} {:<9} {:>9} {:>9} {:>8} {:>8} {:>8} {:>8} {:>11}",
        "target", "body", "req/s", "vs echo", "p50 ms", "p99 ms", "max ms", "non-2xx", "audit rows"
    );
    for row in rows {
        let r = &row.report;
        println!(
            "{:<18} {:<9} {:>9.0} {:>9} {:>8} {:>8} {:>8} {:>8} {:>11}",
            row.target,
            row.body,
            r.throughput(),
            row.echo.map_or("-".into(), |e| format!(
                "{:.0}%",
                100.0 * r.throughput() / e
            )),
            ms(r.percentile(0.50)),
            ms(r.percentile(0.99)),
            ms(r.percentile(1.0)),
            r.failed(),
            row.audited.map_or("-".into(), |n| n.to_string()),
        );
    }
}

fn target(addr: std::net::SocketAddr, api_key: Option<&str>, body: &Value) -> Target {
    Target {
        addr,
        path: CHECK_PATH.into(),
        headers: api_key
            .map(|key| {
                (
                    HeaderName::from_static("x-plystra-api-key"),
                    HeaderValue::from_str(key).unwrap(),
                )
            })
            .into_iter()
            .collect(),
        body: Bytes::from(serde_json::to_vec(body).unwrap()),
    }
}

fn backends() -> Vec<String> {
    std::env::var("PLYSTRA_BENCH_BACKENDS")
        .unwrap_or_else(|_| "sqlite,sqlite-wal,postgres".into())
        .split(',')
        .map(|b| b.trim().to_ascii_lowercase())
        .filter(|b| !b.is_empty())
        .collect()
}

fn main() {
    let load = Load::from_env();
    let audit = std::env::var("PLYSTRA_AUDIT_WRITE_MODE")
        .map(|mode| AuditWriteMode::parse(&mode))
        .unwrap_or_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "HTTP: POST {CHECK_PATH}, {} connections, closed loop, {:?} warm-up + {:?} timed; \
         server runtime {cores} worker threads, load generator on one more thread ({cores} cores); \
         audit write mode {audit:?}\n",
        load.connections, load.warmup, load.duration
    );

    let mut rows = Vec::new();
    let mut notes = Vec::new();

    // The ceiling: the same bodies through poem's JSON extractor and back, nothing else.
    let echo_addr = runtime.block_on(serve(echo_app())).unwrap();
    let mut echo_rate = std::collections::HashMap::new();
    for (name, body) in bodies() {
        let echo = target(echo_addr, Some("ply_ak_unused"), &body);
        let (status, _) = load::once(&echo).unwrap();
        assert!(status.is_success(), "echo answered {status}");
        let report = load::run(&echo, load).unwrap();
        echo_rate.insert(name, report.throughput());
        rows.push(Row {
            target: "echo (poem JSON)".into(),
            body: name,
            report,
            echo: None,
            audited: None,
        });
    }

    for backend in backends() {
        let database = match backend.as_str() {
            "sqlite" => runtime.block_on(Database::sqlite(false)).unwrap(),
            "sqlite-wal" => runtime.block_on(Database::sqlite(true)).unwrap(),
            "postgres" => match std::env::var("PLYSTRA_BENCH_POSTGRES_URL") {
                Ok(url) if !url.is_empty() => runtime.block_on(Database::postgres(&url)).unwrap(),
                _ => {
                    notes.push(
                        "PostgreSQL skipped: set PLYSTRA_BENCH_POSTGRES_URL \
                         (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
                            .to_string(),
                    );
                    continue;
                }
            },
            other => panic!("unknown backend {other:?} in PLYSTRA_BENCH_BACKENDS"),
        };
        let plystra = runtime.block_on(start_plystra(&database, audit)).unwrap();
        for (name, body) in bodies() {
            let check = target(plystra.addr, Some(&plystra.api_key), &body);
            let (status, answer) = load::once(&check).unwrap();
            if status.as_u16() == 501 {
                notes.push(format!(
                    "{} skipped: authz/check answers 501 Not Implemented (the check handlers \
                     are not in this build yet)",
                    database.label()
                ));
                break;
            }
            let verdict: Value = serde_json::from_slice(&answer).unwrap_or(Value::Null);
            if !status.is_success() || verdict["data"]["allow"] != json!(true) {
                notes.push(format!(
                    "{} {name} skipped: the probe answered {status}: {}",
                    database.label(),
                    String::from_utf8_lossy(&answer)
                ));
                continue;
            }
            let before = runtime.block_on(database.audited_decisions()).unwrap();
            let report = load::run(&check, load).unwrap();
            let after = runtime.block_on(database.audited_decisions()).unwrap();
            rows.push(Row {
                target: database.label().into(),
                body: name,
                echo: echo_rate.get(name).copied(),
                audited: Some(after - before),
                report,
            });
        }
        runtime.block_on(database.drop_now()).unwrap();
    }

    print_rows(&rows);
    println!(
        "\nvs echo: check throughput as a share of the echo handler's with the same body. \
         audit rows: decisions audited during the whole run (warm-up included), so at least \
         req/s x seconds."
    );
    for row in rows.iter().filter(|r| r.echo.is_some()) {
        let share = row.report.throughput() / row.echo.unwrap_or(f64::INFINITY);
        let p99 = row.report.percentile(0.99);
        println!(
            "goal {} {}: >= 50% of echo {} ({:.0}%), p99 <= 5 ms {} ({} ms)",
            row.target,
            row.body,
            if share >= 0.5 { "met" } else { "NOT met" },
            share * 100.0,
            if p99 <= Duration::from_millis(5) {
                "met"
            } else {
                "NOT met"
            },
            ms(p99)
        );
    }
    for note in notes {
        println!("{note}");
    }
    runtime.shutdown_timeout(Duration::from_secs(1));
}
