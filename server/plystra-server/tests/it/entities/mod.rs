//! Identity and scope entities (issue 6) through the SDK against the server started in-process:
//! users, spaces, groups, members, user-member bindings, roles, member roles, permissions and
//! role permissions. One file per tag of the spec (`users.rs` … `permissions.rs`, member roles
//! with roles and role permissions with permissions, as `spec/plystra.yaml` tags them), and
//! files for what cuts across entities: ids, 404s and the space boundary (`ids.rs`,
//! `not_found.rs`), keyset pagination (`paging.rs`), a scoped admin (`scoped_admin.rs`), and the
//! one audit row each mutation writes (`audit_rows.rs`). This file holds the world every test
//! starts from and the helpers. Every test runs on SQLite and on PostgreSQL (`<test>::sqlite`,
//! `<test>::postgres`), each on a world of its own.
//!
//! Names that lists sort by are lower-case ASCII so both databases order them alike.

use std::future::Future;
use std::sync::Arc;

use plystra::Output;
use plystra::prelude::*;
use plystra::types::{
    self, ActiveDisabledStatus as Status, BindingStatus, GroupUpdateRequest, MemberUpdateRequest,
    PermissionScope, PermissionUpdateRequest, RoleUpdateRequest, SpaceMutationRequest,
    UserMemberUpdateRequest, UserUpdateRequest,
};
use plystra_server::{Config, Server, Store};
use serde_json::{Value, json};

use crate::common::{ManualClock, on_both_backends, seed_demo_with_super_admin, serve_server};

const ACME: &str = "space_acme";
const ALICE: &str = "user_alice";

// ---------------------------------------------------------------------------------------------
// Helpers

/// The demo (alice super admin) served in-process with a clock the test owns; alice logged in.
struct World {
    server: Arc<Server>,
    base: String,
    clock: ManualClock,
    store: Store,
    alice: Plystra,
    alice_token: String,
}

/// Status and code of a failed call.
fn failure<T: std::fmt::Debug>(result: Result<T, plystra::Error>) -> (u16, String) {
    let err = result.expect_err("the call fails");
    let api = err.api().unwrap_or_else(|| panic!("an API error: {err:?}"));
    (api.status, api.code.as_str())
}

/// Awaits `$call` and asserts it failed with `$status` and `$code`.
macro_rules! fails {
    ($call:expr, $status:literal, $code:literal) => {
        assert_eq!(
            failure($call.await),
            ($status, String::from($code)),
            "{}",
            stringify!($call)
        )
    };
}

/// Awaits each call and asserts it failed with 404 and `$code`.
macro_rules! not_found {
    ($code:literal => $($call:expr),+ $(,)?) => {$(
        fails!($call, 404, $code);
    )+};
}

/// Awaits each call and asserts the middleware refused it (403 ADMIN_PERMISSION_REQUIRED).
macro_rules! forbidden {
    ($($call:expr),+ $(,)?) => {$(
        fails!($call, 403, "ADMIN_PERMISSION_REQUIRED");
    )+};
}

/// Awaits `$call`, asserts it failed with 400 VALIDATION_FAILED.
macro_rules! invalid {
    ($call:expr) => {
        fails!($call, 400, "VALIDATION_FAILED")
    };
}

/// A JSON value as the SDK's request type `$ty`.
macro_rules! request {
    ($ty:ident, $json:expr) => {
        serde_json::from_value::<types::$ty>($json)
            .unwrap_or_else(|e| panic!("not a {}: {e}", stringify!($ty)))
    };
}

/// Walks a list two rows a page (`$list` is the operation builder without limit and cursor),
/// checking every page's pagination, and answers the ids of all rows in the order served.
macro_rules! pages {
    ($list:expr) => {
        walk(|cursor: Option<String>| {
            let page = $list.limit(2u32);
            let page = match cursor {
                Some(cursor) => page.cursor(cursor),
                None => page,
            };
            page.call()
        })
        .await
        .into_iter()
        .map(|row| row.id)
        .collect::<Vec<String>>()
    };
}

/// The ids of a list's rows.
macro_rules! ids {
    ($rows:expr) => {
        $rows
            .iter()
            .map(|row| row.id.clone())
            .collect::<Vec<String>>()
    };
}

/// Calls a list (an operation builder with its filters) and asserts which ids it answers, in any
/// order.
macro_rules! lists {
    ($list:expr, $expected:expr) => {{
        let mut got = ids!($list.call().await.unwrap());
        got.sort();
        let mut expected: Vec<&str> = $expected.to_vec();
        expected.sort();
        assert_eq!(got, expected, "{}", stringify!($list));
    }};
}

/// Follows cursors until the last page. Pages before the last are full (two rows) and carry a
/// non-empty cursor; the last has `has_more: false`, a null cursor, and is not empty (unless the
/// whole list is).
async fn walk<T, F, Fut>(mut page: F) -> Vec<T>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: Future<Output = Result<Output<Vec<T>>, plystra::Error>>,
{
    let mut rows = Vec::new();
    let mut cursor = None;
    for _ in 0..50 {
        let out = page(cursor.take()).await.unwrap();
        let pagination = out.pagination.clone().expect("a list answers pagination");
        assert_eq!(pagination.limit, 2);
        let len = out.data.len();
        rows.extend(out.data);
        if !pagination.has_more {
            assert_eq!(pagination.cursor, None, "the last page has no cursor");
            assert!(
                len > 0 || rows.is_empty(),
                "the page before promised more, this one is empty"
            );
            return rows;
        }
        assert_eq!(len, 2, "a page with more after it is full");
        let next = pagination.cursor.expect("a cursor when has_more");
        assert!(!next.is_empty());
        cursor = Some(next);
    }
    panic!("more than 50 pages of two rows");
}

/// The effective page size a list answered.
fn limit_of<T>(result: Result<Output<T>, plystra::Error>) -> i32 {
    result.unwrap().pagination.expect("pagination").limit
}

/// What one audit row must say.
#[derive(Debug, Clone, Copy)]
struct Row<'a> {
    /// `<resource_type>.<verb>`, e.g. `group.created`; the part before the dot is the row's
    /// `resource_type`.
    action: &'a str,
    resource_id: &'a str,
    space_id: &'a str,
    actor: &'a str,
}

/// An audit row by alice.
fn row<'a>(action: &'a str, resource_id: &'a str, space_id: &'a str) -> Row<'a> {
    Row {
        action,
        resource_id,
        space_id,
        actor: ALICE,
    }
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
        World {
            server,
            base,
            clock,
            store,
            alice_token: session.data.access_token,
            alice,
        }
    }

    /// Every operation, as alice.
    fn api(&self) -> &plystra::raw::Client {
        self.alice.api()
    }

    /// The server's time.
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        (self.clock.clock())()
    }

    /// A request without the SDK (to see the JSON as sent, or send what the SDK cannot), as
    /// alice. Answers the status and the body.
    async fn raw(&self, method: &str, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.raw_with(method, path, query, None).await
    }

    /// The application runs in-process, in a task of its own: polled inside the test's future,
    /// unoptimised, it overflows the test thread's stack.
    async fn raw_with(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Value>,
    ) -> (u16, Value) {
        let server = self.server.clone();
        let token = self.alice_token.clone();
        let (method, path) = (method.to_string(), path.to_string());
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let sent = tokio::spawn(async move {
            let cli = crate::common::client(server);
            let mut request = match method.as_str() {
                "POST" => cli.post(&path),
                _ => cli.get(&path),
            };
            request = request.header("Authorization", format!("Bearer {token}"));
            for (name, value) in &query {
                request = request.query(name.as_str(), value);
            }
            if let Some(body) = body {
                request = request.body_json(&body);
            }
            let resp = request.send().await;
            let status = resp.0.status().as_u16();
            let text = resp.0.into_body().into_string().await.unwrap();
            (status, text)
        });
        let (status, text) = sent.await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, body)
    }

    // Creates and updates as alice; bodies of creates are JSON (only what the case needs).

    async fn create_user(&self, body: Value) -> Result<types::User, plystra::Error> {
        let body = request!(UserMutationRequest, body);
        self.api()
            .create_user()
            .body(body)
            .call()
            .await
            .map(Output::into_inner)
    }

    async fn update_user(
        &self,
        id: &str,
        body: UserUpdateRequest,
    ) -> Result<types::User, plystra::Error> {
        let call = self.api().update_user().user_id(id).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn create_space(&self, body: Value) -> Result<types::Space, plystra::Error> {
        let body = request!(SpaceMutationRequest, body);
        self.api()
            .create_space()
            .body(body)
            .call()
            .await
            .map(Output::into_inner)
    }

    async fn create_group(&self, space: &str, body: Value) -> Result<types::Group, plystra::Error> {
        let body = request!(GroupMutationRequest, body);
        let call = self.api().create_group().space_id(space).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn update_group(
        &self,
        space: &str,
        id: &str,
        body: GroupUpdateRequest,
    ) -> Result<types::Group, plystra::Error> {
        let call = self.api().update_group().space_id(space).group_id(id);
        call.body(body).call().await.map(Output::into_inner)
    }

    async fn create_member(
        &self,
        space: &str,
        body: Value,
    ) -> Result<types::Member, plystra::Error> {
        let body = request!(MemberMutationRequest, body);
        let call = self.api().create_member().space_id(space).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn update_member(
        &self,
        space: &str,
        id: &str,
        body: MemberUpdateRequest,
    ) -> Result<types::Member, plystra::Error> {
        let call = self.api().update_member().space_id(space).member_id(id);
        call.body(body).call().await.map(Output::into_inner)
    }

    async fn create_user_member(
        &self,
        space: &str,
        body: Value,
    ) -> Result<types::UserMember, plystra::Error> {
        let body = request!(UserMemberMutationRequest, body);
        let call = self.api().create_user_member().space_id(space).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn update_user_member(
        &self,
        space: &str,
        id: &str,
        body: UserMemberUpdateRequest,
    ) -> Result<types::UserMember, plystra::Error> {
        let call = self.api().update_user_member().space_id(space);
        let call = call.user_member_id(id).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn create_role(&self, space: &str, body: Value) -> Result<types::Role, plystra::Error> {
        let body = request!(RoleMutationRequest, body);
        let call = self.api().create_role().space_id(space).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn update_role(
        &self,
        space: &str,
        id: &str,
        body: RoleUpdateRequest,
    ) -> Result<types::Role, plystra::Error> {
        let call = self.api().update_role().space_id(space).role_id(id);
        call.body(body).call().await.map(Output::into_inner)
    }

    async fn create_member_role(
        &self,
        space: &str,
        body: Value,
    ) -> Result<types::MemberRole, plystra::Error> {
        let body = request!(MemberRoleMutationRequest, body);
        let call = self.api().create_member_role().space_id(space).body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn create_permission(&self, body: Value) -> Result<types::Permission, plystra::Error> {
        let body = request!(PermissionMutationRequest, body);
        let call = self.api().create_permission().body(body);
        call.call().await.map(Output::into_inner)
    }

    async fn update_permission(
        &self,
        id: &str,
        body: PermissionUpdateRequest,
    ) -> Result<types::Permission, plystra::Error> {
        let call = self.api().update_permission().permission_id(id).body(body);
        call.call().await.map(Output::into_inner)
    }

    /// `POST /role-permissions`.
    async fn bind(&self, body: Value) -> Result<types::RolePermission, plystra::Error> {
        let body = request!(RolePermissionMutationRequest, body);
        let call = self.api().create_role_permission().body(body);
        call.call().await.map(Output::into_inner)
    }

    /// `POST /spaces/{space}/role-permissions`.
    async fn bind_in(
        &self,
        space: &str,
        body: Value,
    ) -> Result<types::RolePermission, plystra::Error> {
        let body = request!(RolePermissionMutationRequest, body);
        let call = self.api().create_space_role_permission().space_id(space);
        call.body(body).call().await.map(Output::into_inner)
    }

    /// A second space, `space_second`, with nothing in it.
    async fn second_space(&self) -> &'static str {
        let space = self.create_space(json!({"id": "space_second", "name": "second"}));
        space.await.unwrap();
        "space_second"
    }

    /// A group's path and depth, read by id.
    async fn path_of(&self, group: &str) -> (String, i64) {
        let read = self.api().get_group_by_id().group_id(group).call().await;
        let read = read.unwrap_or_else(|e| panic!("{group}: {e:?}"));
        (read.path.clone(), read.depth)
    }

    // Audit rows, read straight from the table (there is no audit read API yet).

    async fn audit_total(&self) -> i64 {
        let sql = "SELECT COUNT(*) FROM audit_logs WHERE id <> $1";
        self.store.count_where(sql, "").await.unwrap()
    }

    /// Rows saying exactly `row`, with decision `allow`.
    async fn audit_count(&self, row: Row<'_>) -> i64 {
        let (resource_type, _) = row.action.split_once('.').expect("<type>.<verb>");
        // Fixed values of this file only: inlined, the resource id is the bound parameter.
        let sql = format!(
            "SELECT COUNT(*) FROM audit_logs WHERE resource_id = $1 AND action = '{}' \
             AND resource_type = '{resource_type}' AND space_id = '{}' AND decision = 'allow' \
             AND actor_user_id = '{}'",
            row.action, row.space_id, row.actor
        );
        self.store.count_where(&sql, row.resource_id).await.unwrap()
    }

    /// Awaits a mutation that must succeed and add exactly one audit row, saying `row`.
    async fn audited<T: std::fmt::Debug>(
        &self,
        row: Row<'_>,
        call: impl Future<Output = Result<T, plystra::Error>>,
    ) -> T {
        let (total, matching) = (self.audit_total().await, self.audit_count(row).await);
        let out = call
            .await
            .unwrap_or_else(|e| panic!("{}: {e:?}", row.action));
        assert_eq!(
            self.audit_total().await,
            total + 1,
            "one audit row: {row:?}"
        );
        assert_eq!(self.audit_count(row).await, matching + 1, "{row:?}");
        out
    }

    /// Awaits a mutation that must succeed without writing an audit row.
    async fn unaudited<T: std::fmt::Debug>(
        &self,
        call: impl Future<Output = Result<T, plystra::Error>>,
    ) -> T {
        let total = self.audit_total().await;
        let out = call.await.unwrap();
        assert_eq!(self.audit_total().await, total, "no audit row for {out:?}");
        out
    }
}

/// Awaits `$call`, asserts it failed with `$status`/`$code` and wrote no audit row.
macro_rules! fails_unaudited {
    ($w:expr, $call:expr, $status:literal, $code:literal) => {{
        let before = $w.audit_total().await;
        fails!($call, $status, $code);
        assert_eq!(
            $w.audit_total().await,
            before,
            "a failed call wrote an audit row: {}",
            stringify!($call)
        );
    }};
}

mod audit_rows;
mod groups;
mod ids;
mod members;
mod not_found;
mod paging;
mod permissions;
mod roles;
mod scoped_admin;
mod spaces;
mod user_members;
mod users;
