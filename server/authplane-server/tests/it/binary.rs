//! The `authplane-server` binary itself: a start without configuration (only the ports are set,
//! to 0, so tests never collide with a server on 9000/9001) in an empty directory, SIGTERM, and
//! `--list-unimplemented`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use crate::common::http_get;

const BIN: &str = env!("CARGO_BIN_EXE_authplane-server");

fn bare_command(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear().current_dir(dir);
    cmd
}

#[cfg(unix)]
#[test]
fn starts_without_configuration_serves_discovery_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = bare_command(dir.path())
        .env("AUTHPLANE_PUBLIC_ADDR", "127.0.0.1:0")
        .env("AUTHPLANE_ADMIN_ADDR", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut log = Vec::new();
    let started = loop {
        let Some(line) = lines.next() else {
            let mut stderr = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
            panic!(
                "the server exited before listening:\n{}\n{stderr}",
                log.join("\n")
            );
        };
        let line = line.unwrap();
        let event: serde_json::Value = serde_json::from_str(&line).unwrap();
        log.push(line);
        if event["message"] == "authplane-server listening" {
            break event;
        }
    };
    assert!(
        log.iter()
            .any(|l| l.contains("AUTHPLANE_ADMIN_API_KEY is not set")),
        "the disabled admin API is announced: {log:?}"
    );
    assert_eq!(started["backend"], "sqlite");
    let public: SocketAddr = started["public_addr"].as_str().unwrap().parse().unwrap();
    let admin: SocketAddr = started["admin_addr"].as_str().unwrap().parse().unwrap();
    let issuer = format!("http://127.0.0.1:{}", public.port());
    assert_eq!(started["issuer"], issuer.as_str());
    assert!(
        dir.path().join("authplane.db").exists(),
        "the default SQLite file"
    );

    for location in [
        "/.well-known/oauth-authorization-server",
        "/.well-known/openid-configuration",
    ] {
        let doc = http_get(public, location, &[]);
        assert_eq!(doc.status, 200, "{location}");
        assert_eq!(doc.json()["issuer"], issuer.as_str());
        assert_eq!(doc.json()["code_challenge_methods_supported"][0], "S256");
    }
    assert_eq!(http_get(public, "/ready", &[]).json()["status"], "ready");
    let admin_call = http_get(admin, "/admin/stats", &[("authorization", "Bearer guess")]);
    assert_eq!(admin_call.status, 401);

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    assert!(child.wait().unwrap().success(), "exit code after SIGTERM");
    assert!(
        rest.iter().any(|l| l.contains("authplane-server stopped")),
        "{rest:?}"
    );
}

#[test]
fn list_unimplemented_names_every_501_by_server_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let out = bare_command(dir.path())
        .arg("--list-unimplemented")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let listed: Vec<&str> = text.lines().filter(|l| l.starts_with("    ")).collect();
    assert_eq!(listed.len(), 92, "{text}");
    assert!(text.contains("public (16)\n"), "{text}");
    assert!(text.contains("admin (76)\n"), "{text}");
    assert!(text.contains("  oauth (5)\n"), "{text}");
    assert!(text.contains("http-public-oauth-token"));
    assert!(
        !text.contains("http-public-health"),
        "implemented operations are not listed"
    );
    assert!(
        text.ends_with("92 of 98 operations are not implemented\n"),
        "{text}"
    );
    assert!(
        !dir.path().join("authplane.db").exists(),
        "the listing runs on an in-memory database"
    );
}

#[test]
fn a_bad_setting_exits_2_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = bare_command(dir.path())
        .env("AUTHPLANE_ISSUER", "not a url")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("AUTHPLANE_ISSUER"), "{stderr}");
}
