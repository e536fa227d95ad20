//! Identity and scope entities (issue 6) through the SDK against the server started in-process:
//! users, spaces, groups, members, user-member bindings, roles, member roles, permissions and
//! role permissions. Defaults and validation, client-chosen and generated ids, the same-space
//! rules, keyset pagination, a scoped admin, and the one audit row each mutation writes. Every
//! case runs on SQLite and on PostgreSQL (`<case>::sqlite`, `<case>::postgres`).
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

use crate::common::{ManualClock, seed_demo_with_super_admin, serve_server};

const ACME: &str = "space_acme";
const ALICE: &str = "user_alice";

/// Runs each case on a fresh in-memory SQLite database and on a fresh PostgreSQL schema (skipped
/// when `PLYSTRA_TEST_POSTGRES_URL` is not set), as `<case>::sqlite` and `<case>::postgres`.
macro_rules! on_both_backends {
    ($($case:ident),+ $(,)?) => {$(
        mod $case {
            #[tokio::test]
            async fn sqlite() {
                let store = plystra_server::Store::connect("sqlite::memory:").await.unwrap();
                store.migrate().await.unwrap();
                super::$case(&super::World::new(store).await).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(store) = crate::common::fresh_postgres_store().await else {
                    return;
                };
                super::$case(&super::World::new(store).await).await;
            }
        }
    )+};
}

on_both_backends!(
    users,
    spaces,
    groups,
    group_path_change_moves_the_subtree,
    members,
    user_members,
    roles,
    member_roles,
    permissions,
    role_permissions,
    ids_are_client_chosen_or_prefixed,
    unknown_ids_are_not_found,
    entities_of_another_space_are_not_found_under_it,
    global_lists_page_in_key_order,
    space_lists_page_in_key_order,
    list_limits_and_bad_cursors,
    scoped_admin_manages_groups_of_its_space_only,
    every_mutation_writes_one_audit_row,
    failed_mutations_write_no_audit_row,
);

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

// ---------------------------------------------------------------------------------------------
// One entity at a time: defaults, validation, every operation's happy path.

async fn users(w: &World) {
    // Create: email trimmed and lower-cased, status active, a generated `user_` id.
    let carol = w
        .create_user(json!({"email": "  Carol@Example.COM ", "username": "carol"}))
        .await
        .unwrap();
    assert!(carol.id.starts_with("user_"), "{}", carol.id);
    assert_eq!(carol.email, "carol@example.com");
    assert_eq!(carol.username, "carol");
    assert_eq!(carol.status, Status::Active);

    // The email is required and needs an `@`; taken emails conflict, whatever their case.
    for email in ["", "   ", "carol.example.com"] {
        invalid!(w.create_user(json!({"email": email})));
    }
    fails!(
        w.create_user(json!({"email": " ALICE@example.com"})),
        409,
        "USER_CREATE_FAILED"
    );
    fails!(
        w.create_user(json!({"email": "carol@example.com"})),
        409,
        "USER_CREATE_FAILED"
    );

    // A password is optional, follows the registration policy and is never answered.
    const PASSWORD: &str = "correct horse battery";
    invalid!(w.create_user(json!({"email": "dave@example.com", "password": "short"})));
    let (status, created) = w
        .raw_with(
            "POST",
            "/api/v1/users",
            &[],
            Some(json!({"email": "dave@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let dave = created["data"]["id"].as_str().unwrap().to_string();
    let (_, read) = w.raw("GET", &format!("/api/v1/users/{dave}"), &[]).await;
    let (_, listed) = w.raw("GET", "/api/v1/users", &[]).await;
    for body in [&created["data"], &read["data"]] {
        assert_eq!(body["email"], "dave@example.com");
        assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    }
    for body in [&created, &read, &listed] {
        assert!(!body.to_string().contains(PASSWORD), "{body}");
        assert!(!body.to_string().contains("password_hash"), "{body}");
    }
    // It was kept: bound to a member, dave logs in with it.
    w.create_member(ACME, json!({"id": "member_dave", "display_name": "dave"}))
        .await
        .unwrap();
    w.create_user_member(
        ACME,
        json!({"user_id": dave, "member_id": "member_dave", "relation_type": "login"}),
    )
    .await
    .unwrap();
    let session = Plystra::new(&w.base)
        .unwrap()
        .auth()
        .login("dave@example.com", PASSWORD)
        .await
        .unwrap();
    assert_eq!(session.user.id, dave);

    // Read and list.
    let read = w.api().get_user().user_id(&carol.id).call().await.unwrap();
    assert_eq!(read.email, "carol@example.com");
    let listed = w.api().list_users().call().await.unwrap();
    assert!(listed.iter().any(|u| u.id == carol.id));

    // Patch: the email is normalised and must stay unique and valid; the password policy holds.
    let patched = w
        .update_user(
            &carol.id,
            UserUpdateRequest {
                email: Some(" Caroline@Example.com".into()),
                username: Some("caroline".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.email.as_str(), patched.username.as_str()),
        ("caroline@example.com", "caroline")
    );
    let email = |email: &str| UserUpdateRequest {
        email: Some(email.into()),
        ..Default::default()
    };
    fails!(
        w.update_user(&carol.id, email("BOB@example.com")),
        409,
        "USER_UPDATE_FAILED"
    );
    invalid!(w.update_user(&carol.id, email("caroline.example.com")));
    let short = UserUpdateRequest {
        password: Some("short".into()),
        ..Default::default()
    };
    invalid!(w.update_user(&carol.id, short));

    // An audit space must exist.
    invalid!(w.create_user(json!({"email": "erin@example.com", "audit_space_id": "space_nope"})));

    // Disable and restore.
    let disabled = w.api().disable_user().user_id(&carol.id).call().await;
    assert_eq!(disabled.unwrap().status, Status::Disabled);
    let restored = w.api().restore_user().user_id(&carol.id).call().await;
    assert_eq!(restored.unwrap().status, Status::Active);
}

async fn spaces(w: &World) {
    // Create: name required, type `custom` unless given, status active, a `space_` id.
    let globex = w.create_space(json!({"name": "globex"})).await.unwrap();
    assert!(globex.id.starts_with("space_"), "{}", globex.id);
    assert_eq!(globex.name, "globex");
    assert_eq!(globex.type_, "custom");
    assert_eq!(globex.status, Status::Active);
    let team = w
        .create_space(json!({"name": "team", "type": "team"}))
        .await
        .unwrap();
    assert_eq!(team.type_, "team");
    invalid!(w.create_space(json!({})));
    invalid!(w.create_space(json!({"type": "team", "slug": "nameless"})));

    // Read, list, patch.
    let read = w
        .api()
        .get_space()
        .space_id(&globex.id)
        .call()
        .await
        .unwrap();
    assert_eq!(read.name, "globex");
    let listed = w.api().list_spaces().call().await.unwrap();
    for id in [ACME, globex.id.as_str(), team.id.as_str()] {
        assert!(listed.iter().any(|s| s.id == id), "{id}");
    }
    let rename = SpaceMutationRequest {
        name: Some("globex corp".into()),
        ..Default::default()
    };
    let patched = w.api().update_space().space_id(&globex.id).body(rename);
    assert_eq!(patched.call().await.unwrap().name, "globex corp");

    // Disable and restore.
    let disabled = w.api().disable_space().space_id(&globex.id).call().await;
    assert_eq!(disabled.unwrap().status, Status::Disabled);
    let restored = w.api().restore_space().space_id(&globex.id).call().await;
    assert_eq!(restored.unwrap().status, Status::Active);
}

async fn groups(w: &World) {
    // A root group: depth 0, no parent, name from the segment, sort order 1000.
    let ops = w.create_group(ACME, json!({"path": "ops"})).await.unwrap();
    assert!(ops.id.starts_with("group_"), "{}", ops.id);
    assert_eq!(
        (ops.space_id.as_str(), ops.path.as_str(), ops.depth),
        (ACME, "ops", 0)
    );
    assert_eq!(
        (ops.parent_group_id.as_str(), ops.parent_id.as_str()),
        ("", "")
    );
    assert_eq!(ops.name, "Ops");
    assert_eq!(ops.sort_order, 1000);
    assert_eq!(ops.status, Status::Active);

    // Without a given parent, a dotted path's parent is the group at its prefix.
    let payable = w
        .create_group(ACME, json!({"path": "finance.accounts_payable"}))
        .await
        .unwrap();
    assert_eq!(payable.parent_group_id, "group_finance");
    assert_eq!(payable.parent_id, "group_finance");
    assert_eq!(payable.depth, 1);
    assert_eq!(payable.name, "Accounts Payable");
    let tokyo = w
        .create_group(
            ACME,
            json!({"path": "finance.apac.tokyo", "display_name": "Tokyo Office", "sort_order": 5}),
        )
        .await
        .unwrap();
    assert_eq!(tokyo.parent_group_id, "group_finance_apac");
    assert_eq!(tokyo.depth, 2);
    assert_eq!(tokyo.name, "Tokyo Office", "name defaults to display_name");
    assert_eq!(tokyo.sort_order, 5);

    // A parent may be given as either field; both come back with the same value.
    let berlin = w
        .create_group(
            ACME,
            json!({"path": "finance.emea.berlin", "parent_group_id": "group_finance_emea",
                   "name": "berlin-hq", "display_name": "Berlin"}),
        )
        .await
        .unwrap();
    assert_eq!(berlin.parent_group_id, "group_finance_emea");
    assert_eq!(berlin.parent_id, "group_finance_emea");
    assert_eq!(berlin.name, "berlin-hq", "a given name wins");
    assert_eq!(berlin.depth, 2);
    let paris = w
        .create_group(
            ACME,
            json!({"path": "legal.emea.paris", "parent_id": "group_legal_emea"}),
        )
        .await
        .unwrap();
    assert_eq!(paris.parent_group_id, "group_legal_emea");
    assert_eq!(paris.parent_id, "group_legal_emea");
    assert_eq!(paris.name, "Paris");

    // The tree: every group of the space, by path.
    let tree = w
        .api()
        .get_group_tree()
        .space_id(ACME)
        .call()
        .await
        .unwrap();
    let paths: Vec<&str> = tree.iter().map(|g| g.path.as_str()).collect();
    let expected = [
        "finance",
        "finance.accounts_payable",
        "finance.apac",
        "finance.apac.tokyo",
        "finance.emea",
        "finance.emea.berlin",
        "legal",
        "legal.emea",
        "legal.emea.paris",
        "ops",
    ];
    assert_eq!(paths, expected);
    let listed = w.api().list_groups().space_id(ACME).call().await.unwrap();
    let listed: Vec<&str> = listed.iter().map(|g| g.path.as_str()).collect();
    assert_eq!(listed, expected, "the list is ordered by path too");

    // Another space may reuse a path; its groups are no parents here, and not in this tree.
    let second = w.second_space().await;
    let other = w
        .create_group(
            second,
            json!({"id": "group_second_finance", "path": "finance"}),
        )
        .await
        .unwrap();
    assert_eq!((other.space_id.as_str(), other.depth), (second, 0));
    let tree = w
        .api()
        .get_group_tree()
        .space_id(second)
        .call()
        .await
        .unwrap();
    assert_eq!(ids!(tree), ["group_second_finance"]);

    // Paths and parents that break the rules.
    for body in [
        json!({"path": ""}),
        json!({"path": "finance..x"}),
        json!({"path": ".finance"}),
        json!({"path": "finance."}),
        json!({"path": "fin ance"}),
        json!({"path": "finance/x"}),
        json!({"path": "finance.caf\u{e9}"}),
        json!({"path": "nowhere.x"}),
        json!({"path": "finance.x", "parent_group_id": "group_nope"}),
        json!({"path": "finance.x", "parent_group_id": "group_second_finance"}),
        json!({"path": "finance.x", "parent_id": "group_second_finance"}),
        json!({"path": "legal.x", "parent_group_id": "group_finance"}),
        json!({"path": "finance.apac.x", "parent_id": "group_finance"}),
        json!({"path": "x", "parent_group_id": "group_finance"}),
    ] {
        let result = w.create_group(ACME, body.clone()).await;
        assert_eq!(failure(result), (400, "VALIDATION_FAILED".into()), "{body}");
    }
    fails!(
        w.create_group(ACME, json!({"path": "finance"})),
        409,
        "GROUP_CREATE_FAILED"
    );
    fails!(
        w.create_group(ACME, json!({"path": "finance.apac.tokyo"})),
        409,
        "GROUP_CREATE_FAILED"
    );

    // Read in its space and by id alone; patch; disable.
    let read = w.api().get_group().space_id(ACME).group_id(&tokyo.id);
    assert_eq!(read.call().await.unwrap().path, "finance.apac.tokyo");
    let read = w.api().get_group_by_id().group_id(&tokyo.id).call().await;
    assert_eq!(read.unwrap().space_id, ACME);
    let patched = w
        .update_group(
            ACME,
            &tokyo.id,
            GroupUpdateRequest {
                display_name: Some("Tokyo".into()),
                sort_order: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.display_name.as_str(), patched.sort_order),
        ("Tokyo", 7)
    );
    assert_eq!(patched.path, "finance.apac.tokyo");
    let disabled = w.api().disable_group().space_id(ACME).group_id(&tokyo.id);
    assert_eq!(disabled.call().await.unwrap().status, Status::Disabled);
}

async fn group_path_change_moves_the_subtree(w: &World) {
    for (id, path) in [
        ("group_ops", "ops"),
        ("group_east", "ops.east"),
        ("group_nyc", "ops.east.nyc"),
        ("group_soho", "ops.east.nyc.soho"),
        ("group_eastern", "ops.eastern"),
    ] {
        w.create_group(ACME, json!({"id": id, "path": path}))
            .await
            .unwrap();
    }
    let path = |path: &str| GroupUpdateRequest {
        path: Some(path.into()),
        ..Default::default()
    };

    // Renamed at the same level: the descendants follow; a sibling sharing the prefix does not.
    let east = w.update_group(ACME, "group_east", path("ops.north")).await;
    let east = east.unwrap();
    assert_eq!((east.path.as_str(), east.depth), ("ops.north", 1));
    for (id, path, depth) in [
        ("group_ops", "ops", 0),
        ("group_east", "ops.north", 1),
        ("group_nyc", "ops.north.nyc", 2),
        ("group_soho", "ops.north.nyc.soho", 3),
        ("group_eastern", "ops.eastern", 1),
    ] {
        assert_eq!(w.path_of(id).await, (path.to_string(), depth), "{id}");
    }

    // Moved one level deeper under another branch: paths and depths of the subtree change.
    let moved = GroupUpdateRequest {
        path: Some("finance.apac.north".into()),
        parent_group_id: Some("group_finance_apac".into()),
        ..Default::default()
    };
    let east = w.update_group(ACME, "group_east", moved).await.unwrap();
    assert_eq!((east.path.as_str(), east.depth), ("finance.apac.north", 2));
    assert_eq!(east.parent_group_id, "group_finance_apac");
    assert_eq!(east.parent_id, "group_finance_apac");
    for (id, path, depth) in [
        ("group_ops", "ops", 0),
        ("group_east", "finance.apac.north", 2),
        ("group_nyc", "finance.apac.north.nyc", 3),
        ("group_soho", "finance.apac.north.nyc.soho", 4),
        ("group_eastern", "ops.eastern", 1),
        ("group_finance_apac", "finance.apac", 1),
    ] {
        assert_eq!(w.path_of(id).await, (path.to_string(), depth), "{id}");
    }
    let tree = w
        .api()
        .get_group_tree()
        .space_id(ACME)
        .call()
        .await
        .unwrap();
    let paths: Vec<&str> = tree.iter().map(|g| g.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "finance",
            "finance.apac",
            "finance.apac.north",
            "finance.apac.north.nyc",
            "finance.apac.north.nyc.soho",
            "finance.emea",
            "legal",
            "legal.emea",
            "ops",
            "ops.eastern",
        ]
    );
}

async fn members(w: &World) {
    // Create: display name required, type `human` unless given, a `member_` id.
    let contractor = w
        .create_member(ACME, json!({"display_name": "Contractor"}))
        .await
        .unwrap();
    assert!(contractor.id.starts_with("member_"), "{}", contractor.id);
    assert_eq!(contractor.space_id, ACME);
    assert_eq!(contractor.member_type, "human");
    assert_eq!(contractor.status, Status::Active);
    let bot = w
        .create_member(
            ACME,
            json!({"display_name": "Build Bot", "member_type": "service"}),
        )
        .await
        .unwrap();
    assert_eq!(bot.member_type, "service");
    for name in ["", "   "] {
        invalid!(w.create_member(ACME, json!({"display_name": name})));
    }

    // Read in its space and by id alone; list; patch; disable.
    let read = w
        .api()
        .get_member()
        .space_id(ACME)
        .member_id(&contractor.id);
    assert_eq!(read.call().await.unwrap().display_name, "Contractor");
    let read = w.api().get_member_by_id().member_id(&bot.id).call().await;
    assert_eq!(read.unwrap().display_name, "Build Bot");
    let listed = w.api().list_members().space_id(ACME).call().await.unwrap();
    for id in [
        "member_finance_reviewer",
        contractor.id.as_str(),
        bot.id.as_str(),
    ] {
        assert!(listed.iter().any(|m| m.id == id), "{id}");
    }
    let rename = MemberUpdateRequest {
        display_name: Some("Contract Worker".into()),
        ..Default::default()
    };
    let patched = w.update_member(ACME, &contractor.id, rename).await.unwrap();
    assert_eq!(patched.display_name, "Contract Worker");
    let disabled = w.api().disable_member().space_id(ACME);
    let disabled = disabled.member_id(&contractor.id).call().await.unwrap();
    assert_eq!(disabled.status, Status::Disabled);
}

async fn user_members(w: &World) {
    w.create_member(ACME, json!({"id": "member_temp", "display_name": "temp"}))
        .await
        .unwrap();

    // Create: not primary, linked now, active, with the user's email and the member's name.
    let t1 = w
        .create_user_member(
            ACME,
            json!({"id": "um_t1", "user_id": "user_bob", "member_id": "member_temp",
                   "relation_type": "delegate"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            t1.user_id.as_str(),
            t1.member_id.as_str(),
            t1.space_id.as_str()
        ),
        ("user_bob", "member_temp", ACME)
    );
    assert_eq!(t1.relation_type, "delegate");
    assert!(!t1.is_primary);
    assert_eq!(t1.linked_at, Some(w.now()));
    assert_eq!(t1.status, BindingStatus::Active);
    assert_eq!(t1.email, "bob@example.com");
    assert_eq!(t1.member_display_name, "temp");
    let linked = "2026-01-02T03:04:05Z";
    let t2 = w
        .create_user_member(
            ACME,
            json!({"id": "um_t2", "user_id": "user_alice", "member_id": "member_temp",
                   "relation_type": "temporary", "is_primary": true, "linked_at": linked}),
        )
        .await
        .unwrap();
    assert!(t2.is_primary);
    assert_eq!(
        t2.linked_at,
        Some(linked.parse::<chrono::DateTime<chrono::Utc>>().unwrap())
    );
    let generated = w
        .create_user_member(
            ACME,
            json!({"user_id": "user_bob", "member_id": "member_temp", "relation_type": "delegate"}),
        )
        .await
        .unwrap();
    assert!(generated.id.starts_with("um_"), "{}", generated.id);

    // The user must exist, the member be of this space, the relation be given.
    let second = w.second_space().await;
    w.create_member(
        second,
        json!({"id": "member_second", "display_name": "second"}),
    )
    .await
    .unwrap();
    for (user, member, relation) in [
        ("user_nope", "member_temp", "delegate"),
        ("user_bob", "member_nope", "delegate"),
        ("user_bob", "member_second", "delegate"),
        ("user_bob", "member_temp", ""),
        ("user_bob", "member_temp", "   "),
    ] {
        let body = json!({"user_id": user, "member_id": member, "relation_type": relation});
        let result = w.create_user_member(ACME, body.clone()).await;
        assert_eq!(failure(result), (400, "VALIDATION_FAILED".into()), "{body}");
    }

    // Read in its space and by id alone; patch.
    let read = w
        .api()
        .get_user_member()
        .space_id(ACME)
        .user_member_id("um_t1");
    assert_eq!(read.call().await.unwrap().member_id, "member_temp");
    let read = w.api().get_user_member_by_id().user_member_id("um_t2");
    assert_eq!(read.call().await.unwrap().relation_type, "temporary");
    let t3 = w
        .create_user_member(
            ACME,
            json!({"id": "um_t3", "user_id": "user_bob", "member_id": "member_temp",
                   "relation_type": "delegate"}),
        )
        .await
        .unwrap();
    let login = UserMemberUpdateRequest {
        relation_type: Some("login".into()),
        ..Default::default()
    };
    let t3 = w.update_user_member(ACME, &t3.id, login).await.unwrap();
    assert_eq!(t3.relation_type, "login");

    // Revoke, with a reason and without one.
    let reason = UserMemberUpdateRequest {
        revoked_reason: Some("left the team".into()),
        ..Default::default()
    };
    let revoke = w
        .api()
        .revoke_user_member()
        .space_id(ACME)
        .user_member_id("um_t1");
    let revoked = revoke.body(reason).call().await.unwrap();
    assert_eq!(revoked.status, BindingStatus::Revoked);
    assert!(revoked.revoked_at.is_some());
    assert_eq!(revoked.revoked_reason, "left the team");
    let revoke = w.api().revoke_user_member().space_id(ACME);
    let revoked = revoke.user_member_id(&generated.id).call().await.unwrap();
    assert_eq!(revoked.status, BindingStatus::Revoked);
    assert!(revoked.revoked_at.is_some());

    // Filters, alone and together (the demo has four bindings in space_acme).
    let generated = generated.id.as_str();
    let demo_alice = "um_alice_finance_reviewer";
    let demo_bob = "um_bob_finance_reviewer";
    let demo_revoked = "um_alice_finance_reviewer_revoked";
    let demo_expired = "um_alice_finance_reviewer_expired";
    let list = || w.api().list_user_members().space_id(ACME);
    lists!(
        list().user_id("user_bob"),
        [demo_bob, generated, "um_t1", "um_t3"]
    );
    lists!(
        list().member_id("member_temp"),
        [generated, "um_t1", "um_t2", "um_t3"]
    );
    lists!(
        list().status(BindingStatus::Revoked),
        [demo_revoked, generated, "um_t1"]
    );
    lists!(list().relation_type("login"), [demo_bob, "um_t3"]);
    lists!(
        list().user_id("user_alice").relation_type("temporary"),
        [demo_expired, "um_t2"]
    );
    lists!(
        list()
            .member_id("member_temp")
            .status(BindingStatus::Active),
        ["um_t2", "um_t3"]
    );
    lists!(
        list(),
        [
            demo_alice,
            demo_expired,
            demo_revoked,
            demo_bob,
            generated,
            "um_t1",
            "um_t2",
            "um_t3"
        ]
    );
}

async fn roles(w: &World) {
    // Create: key required, name title-cased from the key unless given, a `role_` id.
    let reviewer = w
        .create_role(ACME, json!({"key": "invoice_reviewer"}))
        .await
        .unwrap();
    assert!(reviewer.id.starts_with("role_"), "{}", reviewer.id);
    assert_eq!(reviewer.space_id, ACME);
    assert_eq!(reviewer.name, "Invoice Reviewer");
    assert_eq!(reviewer.status, Status::Active);
    let named = w
        .create_role(
            ACME,
            json!({"key": "auditor", "name": "Chief Auditor", "description": "Reads everything"}),
        )
        .await
        .unwrap();
    assert_eq!(named.name, "Chief Auditor");
    invalid!(w.create_role(ACME, json!({"key": ""})));

    // Keys are unique per space.
    fails!(
        w.create_role(ACME, json!({"key": "finance_approver"})),
        409,
        "ROLE_CREATE_FAILED"
    );
    let second = w.second_space().await;
    let elsewhere = w
        .create_role(second, json!({"key": "finance_approver"}))
        .await;
    assert_eq!(elsewhere.unwrap().space_id, second);

    // Read in its space and by id alone; list.
    let read = w.api().get_role().space_id(ACME).role_id(&reviewer.id);
    assert_eq!(read.call().await.unwrap().key, "invoice_reviewer");
    let read = w.api().get_role_by_id().role_id(&named.id).call().await;
    assert_eq!(read.unwrap().key, "auditor");
    let listed = w.api().list_roles().space_id(ACME).call().await.unwrap();
    for id in [
        "role_finance_approver",
        reviewer.id.as_str(),
        named.id.as_str(),
    ] {
        assert!(listed.iter().any(|r| r.id == id), "{id}");
    }

    // Patch: a taken key conflicts; a free one is taken.
    let key = |key: &str| RoleUpdateRequest {
        key: Some(key.into()),
        ..Default::default()
    };
    fails!(
        w.update_role(ACME, &reviewer.id, key("finance_approver")),
        409,
        "ROLE_UPDATE_FAILED"
    );
    let patched = w
        .update_role(ACME, &reviewer.id, key("invoice_checker"))
        .await;
    assert_eq!(patched.unwrap().key, "invoice_checker");
    let describe = RoleUpdateRequest {
        name: Some("Checker".into()),
        description: Some("Checks invoices".into()),
        ..Default::default()
    };
    let patched = w.update_role(ACME, &reviewer.id, describe).await.unwrap();
    assert_eq!(
        (patched.name.as_str(), patched.description.as_str()),
        ("Checker", "Checks invoices")
    );

    // Disable.
    let disabled = w.api().disable_role().space_id(ACME).role_id(&reviewer.id);
    assert_eq!(disabled.call().await.unwrap().status, Status::Disabled);
}

async fn member_roles(w: &World) {
    w.create_role(ACME, json!({"id": "role_auditor", "key": "auditor"}))
        .await
        .unwrap();

    // Create: the member's and role's names and the anchor's path are filled in.
    let anchored = w
        .create_member_role(
            ACME,
            json!({"member_id": "member_invoice_creator", "role_id": "role_finance_approver",
                   "scope_anchor_group_id": "group_finance_apac"}),
        )
        .await
        .unwrap();
    assert!(anchored.id.starts_with("mr_"), "{}", anchored.id);
    assert_eq!(anchored.space_id, ACME);
    assert_eq!(anchored.member_display_name, "APAC Invoice Creator");
    assert_eq!(anchored.role_key, "finance_approver");
    assert_eq!(anchored.role_name, "Finance Approver");
    assert_eq!(anchored.scope_anchor_group_id, "group_finance_apac");
    assert_eq!(anchored.scope_anchor_path, "finance.apac");
    assert_eq!(anchored.status, BindingStatus::Active);
    let plain = w
        .create_member_role(
            ACME,
            json!({"id": "mr_plain", "member_id": "member_finance_reviewer",
                   "role_id": "role_auditor"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (plain.role_key.as_str(), plain.role_name.as_str()),
        ("auditor", "Auditor")
    );
    assert_eq!(plain.member_display_name, "Finance Reviewer");
    assert_eq!(
        (
            plain.scope_anchor_group_id.as_str(),
            plain.scope_anchor_path.as_str()
        ),
        ("", "")
    );

    // Read fills the same fields.
    let read = w.api().get_member_role().space_id(ACME);
    let read = read.member_role_id(&anchored.id).call().await.unwrap();
    assert_eq!(read.member_display_name, "APAC Invoice Creator");
    assert_eq!(read.role_key, "finance_approver");
    assert_eq!(read.role_name, "Finance Approver");
    assert_eq!(read.scope_anchor_path, "finance.apac");

    // Member, role and anchor must all be of the path space.
    let second = w.second_space().await;
    w.create_member(
        second,
        json!({"id": "member_second", "display_name": "second"}),
    )
    .await
    .unwrap();
    w.create_role(second, json!({"id": "role_second", "key": "second"}))
        .await
        .unwrap();
    w.create_group(second, json!({"id": "group_second", "path": "second"}))
        .await
        .unwrap();
    for (member, role, anchor) in [
        ("member_second", "role_finance_approver", ""),
        ("member_finance_reviewer", "role_second", ""),
        (
            "member_finance_reviewer",
            "role_finance_approver",
            "group_second",
        ),
        ("member_nope", "role_finance_approver", ""),
        ("member_finance_reviewer", "role_nope", ""),
        (
            "member_finance_reviewer",
            "role_finance_approver",
            "group_nope",
        ),
    ] {
        let mut body = json!({"member_id": member, "role_id": role});
        if !anchor.is_empty() {
            body["scope_anchor_group_id"] = anchor.into();
        }
        let result = w.create_member_role(ACME, body.clone()).await;
        assert_eq!(failure(result), (400, "VALIDATION_FAILED".into()), "{body}");
    }

    // Revoke.
    let revoke = w
        .api()
        .revoke_member_role()
        .space_id(ACME)
        .member_role_id("mr_plain");
    assert_eq!(revoke.call().await.unwrap().status, BindingStatus::Revoked);

    // Filters, alone and together (the demo has one member role).
    let demo = "mr_finance_reviewer_approver_finance";
    let anchored = anchored.id.as_str();
    let list = || w.api().list_member_roles().space_id(ACME);
    lists!(
        list().member_id("member_finance_reviewer"),
        [demo, "mr_plain"]
    );
    lists!(list().role_id("role_finance_approver"), [anchored, demo]);
    lists!(list().status(BindingStatus::Revoked), ["mr_plain"]);
    lists!(
        list()
            .member_id("member_finance_reviewer")
            .status(BindingStatus::Active),
        [demo]
    );
    lists!(list(), [anchored, demo, "mr_plain"]);
}

async fn permissions(w: &World) {
    // Create: resource, action and scope required, a `perm_` id, active.
    let export = w
        .create_permission(
            json!({"resource": "report", "action": "export", "scope": "space",
                   "description": "Export reports"}),
        )
        .await
        .unwrap();
    assert!(export.id.starts_with("perm_"), "{}", export.id);
    assert_eq!(
        (
            export.resource.as_str(),
            export.action.as_str(),
            export.scope
        ),
        ("report", "export", PermissionScope::Space)
    );
    assert_eq!(export.status, Status::Active);
    for (resource, action) in [("", "export"), ("report", "")] {
        let body = json!({"resource": resource, "action": action, "scope": "group"});
        invalid!(w.create_permission(body));
    }

    // Scope `global` is always stored disabled.
    let purge = w
        .create_permission(
            json!({"resource": "report", "action": "purge", "scope": "global",
                   "status": "active"}),
        )
        .await
        .unwrap();
    assert_eq!(purge.status, Status::Disabled);
    let active = PermissionUpdateRequest {
        status: Some(Status::Active),
        ..Default::default()
    };
    let still = w.update_permission(&purge.id, active).await.unwrap();
    assert_eq!(still.status, Status::Disabled);
    let archive = w
        .create_permission(json!({"resource": "report", "action": "archive", "scope": "group"}))
        .await
        .unwrap();
    let globalised = PermissionUpdateRequest {
        scope: Some(PermissionScope::Global),
        ..Default::default()
    };
    let globalised = w.update_permission(&archive.id, globalised).await.unwrap();
    assert_eq!(
        (globalised.scope, globalised.status),
        (PermissionScope::Global, Status::Disabled)
    );

    // (resource, action, scope) is unique.
    fails!(
        w.create_permission(json!({"resource": "report", "action": "export", "scope": "space"})),
        409,
        "PERMISSION_CREATE_FAILED"
    );
    let onto_purge = PermissionUpdateRequest {
        action: Some("purge".into()),
        scope: Some(PermissionScope::Global),
        ..Default::default()
    };
    fails!(
        w.update_permission(&export.id, onto_purge),
        409,
        "PERMISSION_UPDATE_FAILED"
    );

    // Read, list, patch, disable.
    let read = w
        .api()
        .get_permission()
        .permission_id(&export.id)
        .call()
        .await;
    assert_eq!(read.unwrap().description, "Export reports");
    let listed = w.api().list_permissions().call().await.unwrap();
    for id in [
        "perm_invoice_approve_group_tree",
        export.id.as_str(),
        purge.id.as_str(),
    ] {
        assert!(listed.iter().any(|p| p.id == id), "{id}");
    }
    let describe = PermissionUpdateRequest {
        description: Some("Export any report".into()),
        ..Default::default()
    };
    let patched = w.update_permission(&export.id, describe).await.unwrap();
    assert_eq!(patched.description, "Export any report");
    assert_eq!(patched.scope, PermissionScope::Space);
    let disabled = w.api().disable_permission().permission_id(&export.id);
    assert_eq!(disabled.call().await.unwrap().status, Status::Disabled);
}

async fn role_permissions(w: &World) {
    let permission = "perm_report_read";
    w.create_permission(
        json!({"id": permission, "resource": "report", "action": "read",
               "scope": "group_tree"}),
    )
    .await
    .unwrap();
    let binding = json!({"role_id": "role_finance_approver", "permission_id": permission});

    // Create (global route): filled from the role and the permission.
    let rp = w.bind(binding.clone()).await.unwrap();
    assert!(rp.id.starts_with("rp_"), "{}", rp.id);
    assert_eq!(
        (
            rp.role_id.as_str(),
            rp.role_key.as_str(),
            rp.space_id.as_str()
        ),
        ("role_finance_approver", "finance_approver", ACME)
    );
    assert_eq!(rp.permission_id, permission);
    assert_eq!(
        (rp.resource.as_str(), rp.action.as_str(), rp.scope),
        ("report", "read", PermissionScope::GroupTree)
    );
    assert_eq!(rp.deleted_at, None);

    // Binding the same pair again is an upsert: 201 with the same id.
    assert_eq!(w.bind(binding.clone()).await.unwrap().id, rp.id);
    assert_eq!(w.bind_in(ACME, binding.clone()).await.unwrap().id, rp.id);

    // Role and permission must exist.
    for body in [
        json!({"role_id": "role_nope", "permission_id": permission}),
        json!({"role_id": "role_finance_approver", "permission_id": "perm_nope"}),
    ] {
        invalid!(w.bind(body.clone()));
        invalid!(w.bind_in(ACME, body));
    }

    // Read on both routes; list on both.
    let read = w.api().get_role_permission().role_permission_id(&rp.id);
    assert_eq!(read.call().await.unwrap().role_key, "finance_approver");
    let read = w.api().get_space_role_permission().space_id(ACME);
    let read = read.role_permission_id(&rp.id).call().await.unwrap();
    assert_eq!(
        (read.resource.as_str(), read.space_id.as_str()),
        ("report", ACME)
    );
    let demo = "rp_finance_approver_invoice_approve_group_tree";
    let listed = w.api().list_role_permissions().call().await.unwrap();
    assert!(listed.iter().any(|r| r.id == rp.id) && listed.iter().any(|r| r.id == demo));
    let listed = w
        .api()
        .list_space_role_permissions()
        .space_id(ACME)
        .call()
        .await;
    let listed = listed.unwrap();
    assert!(listed.iter().any(|r| r.id == rp.id) && listed.iter().any(|r| r.id == demo));

    // The space route: the role must be of the path space; another space's binding is 404.
    let second = w.second_space().await;
    w.create_role(second, json!({"id": "role_second", "key": "second_reader"}))
        .await
        .unwrap();
    invalid!(w.bind_in(second, binding.clone()));
    invalid!(w.bind_in(
        ACME,
        json!({"role_id": "role_second", "permission_id": permission})
    ));
    let theirs = w
        .bind_in(
            second,
            json!({"role_id": "role_second", "permission_id": permission}),
        )
        .await
        .unwrap();
    assert_eq!(
        (theirs.space_id.as_str(), theirs.role_key.as_str()),
        (second, "second_reader")
    );
    let listed = w
        .api()
        .list_space_role_permissions()
        .space_id(second)
        .call()
        .await;
    assert_eq!(ids!(listed.unwrap()), [theirs.id.as_str()]);
    let get = w.api().get_space_role_permission().space_id(ACME);
    fails!(
        get.role_permission_id(&theirs.id).call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
    let delete = w.api().delete_space_role_permission().space_id(ACME);
    fails!(
        delete.role_permission_id(&theirs.id).call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
    let get = w.api().get_space_role_permission().space_id(second);
    assert_eq!(
        get.role_permission_id(&theirs.id)
            .call()
            .await
            .unwrap()
            .deleted_at,
        None,
        "untouched by the refused delete"
    );

    // DELETE soft-deletes: the row comes back with deleted_at, then reads are 404.
    let delete = w.api().delete_space_role_permission().space_id(ACME);
    let deleted = delete.role_permission_id(&rp.id).call().await.unwrap();
    assert_eq!(deleted.id, rp.id);
    assert!(deleted.deleted_at.is_some());
    fails!(
        w.api()
            .get_role_permission()
            .role_permission_id(&rp.id)
            .call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
    let get = w.api().get_space_role_permission().space_id(ACME);
    fails!(
        get.role_permission_id(&rp.id).call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );

    // Binding again revives the same row.
    let revived = w.bind_in(ACME, binding.clone()).await.unwrap();
    assert_eq!(
        (revived.id.as_str(), revived.deleted_at),
        (rp.id.as_str(), None)
    );
    let read = w
        .api()
        .get_role_permission()
        .role_permission_id(&rp.id)
        .call()
        .await;
    assert_eq!(read.unwrap().deleted_at, None);

    // The global route deletes too.
    let delete = w
        .api()
        .delete_role_permission()
        .role_permission_id(&theirs.id);
    assert!(delete.call().await.unwrap().deleted_at.is_some());
    fails!(
        w.api()
            .get_role_permission()
            .role_permission_id(&theirs.id)
            .call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
}

// ---------------------------------------------------------------------------------------------
// Across entities: ids, 404s, the space boundary.

/// The nine entities, created with as little as each needs.
#[derive(Debug, Clone, Copy)]
enum Kind {
    User,
    Space,
    Group,
    Member,
    UserMember,
    Role,
    MemberRole,
    Permission,
    RolePermission,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::User,
        Kind::Space,
        Kind::Group,
        Kind::Member,
        Kind::UserMember,
        Kind::Role,
        Kind::MemberRole,
        Kind::Permission,
        Kind::RolePermission,
    ];

    fn prefix(self) -> &'static str {
        match self {
            Kind::User => "user_",
            Kind::Space => "space_",
            Kind::Group => "group_",
            Kind::Member => "member_",
            Kind::UserMember => "um_",
            Kind::Role => "role_",
            Kind::MemberRole => "mr_",
            Kind::Permission => "perm_",
            Kind::RolePermission => "rp_",
        }
    }

    /// The code of a create whose id is taken (role permissions are upserts: not checked).
    fn taken_id_code(self) -> Option<&'static str> {
        Some(match self {
            Kind::User => "USER_CREATE_FAILED",
            Kind::Space => "SPACE_CREATE_FAILED",
            Kind::Group => "GROUP_CREATE_FAILED",
            Kind::Member => "MEMBER_CREATE_FAILED",
            Kind::UserMember => "USER_MEMBER_CREATE_FAILED",
            Kind::Role => "ROLE_CREATE_FAILED",
            Kind::MemberRole => "MEMBER_ROLE_CREATE_FAILED",
            Kind::Permission => "PERMISSION_CREATE_FAILED",
            Kind::RolePermission => return None,
        })
    }

    /// Creates one (in space_acme when space-bound) with `id` if given; `n` keeps unique fields
    /// unique. Answers the id.
    async fn create(self, w: &World, id: Option<&str>, n: usize) -> Result<String, plystra::Error> {
        let name = format!("ids{n}");
        let mut body = match self {
            Kind::User => json!({"email": format!("{name}@example.com")}),
            Kind::Space => json!({"name": name}),
            Kind::Group => json!({"path": name}),
            Kind::Member => json!({"display_name": name}),
            Kind::UserMember => json!({"user_id": "user_bob",
                                       "member_id": "member_finance_reviewer",
                                       "relation_type": "delegate"}),
            Kind::Role => json!({"key": name}),
            Kind::MemberRole => json!({"member_id": "member_finance_reviewer",
                                       "role_id": "role_finance_approver"}),
            Kind::Permission => json!({"resource": name, "action": "read", "scope": "space"}),
            Kind::RolePermission => {
                let permission = json!({"resource": name, "action": "bind", "scope": "space"});
                let permission = w.create_permission(permission).await?;
                json!({"role_id": "role_finance_approver", "permission_id": permission.id})
            }
        };
        if let Some(id) = id {
            body["id"] = id.into();
        }
        Ok(match self {
            Kind::User => w.create_user(body).await?.id,
            Kind::Space => w.create_space(body).await?.id,
            Kind::Group => w.create_group(ACME, body).await?.id,
            Kind::Member => w.create_member(ACME, body).await?.id,
            Kind::UserMember => w.create_user_member(ACME, body).await?.id,
            Kind::Role => w.create_role(ACME, body).await?.id,
            Kind::MemberRole => w.create_member_role(ACME, body).await?.id,
            Kind::Permission => w.create_permission(body).await?.id,
            Kind::RolePermission => w.bind(body).await?.id,
        })
    }
}

async fn ids_are_client_chosen_or_prefixed(w: &World) {
    let too_long = "x".repeat(129);
    let mut n = 0;
    for kind in Kind::ALL {
        let mut next = || {
            n += 1;
            n
        };
        let generated = kind.create(w, None, next()).await.unwrap();
        let prefix = kind.prefix();
        assert!(
            generated.starts_with(prefix) && generated.len() > prefix.len(),
            "{kind:?}: {generated}"
        );
        let chosen = format!("Chosen-{kind:?}_9");
        assert_eq!(kind.create(w, Some(&chosen), next()).await.unwrap(), chosen);
        let longest = format!("{:x<128}", format!("{kind:?}_"));
        assert_eq!(longest.len(), 128);
        assert_eq!(
            kind.create(w, Some(&longest), next()).await.unwrap(),
            longest
        );
        if let Some(code) = kind.taken_id_code() {
            let again = kind.create(w, Some(&chosen), next()).await;
            assert_eq!(failure(again), (409, code.to_string()), "{kind:?}");
        }
        for bad in [
            "has.dot",
            "has space",
            "caf\u{e9}",
            "a/b",
            too_long.as_str(),
        ] {
            let result = kind.create(w, Some(bad), next()).await;
            assert_eq!(
                failure(result),
                (400, "VALIDATION_FAILED".into()),
                "{kind:?} {bad}"
            );
        }
    }
}

async fn unknown_ids_are_not_found(w: &World) {
    let api = w.api();
    not_found!("USER_NOT_FOUND" =>
        api.get_user().user_id("user_nope").call(),
        w.update_user("user_nope", UserUpdateRequest::default()),
        api.disable_user().user_id("user_nope").call(),
        api.restore_user().user_id("user_nope").call(),
    );
    let rename = SpaceMutationRequest {
        name: Some("x".into()),
        ..Default::default()
    };
    not_found!("SPACE_NOT_FOUND" =>
        api.get_space().space_id("space_nope").call(),
        api.update_space().space_id("space_nope").body(rename).call(),
        api.disable_space().space_id("space_nope").call(),
        api.restore_space().space_id("space_nope").call(),
    );
    not_found!("GROUP_NOT_FOUND" =>
        api.get_group().space_id(ACME).group_id("group_nope").call(),
        api.get_group_by_id().group_id("group_nope").call(),
        w.update_group(ACME, "group_nope", GroupUpdateRequest::default()),
        api.disable_group().space_id(ACME).group_id("group_nope").call(),
    );
    not_found!("MEMBER_NOT_FOUND" =>
        api.get_member().space_id(ACME).member_id("member_nope").call(),
        api.get_member_by_id().member_id("member_nope").call(),
        w.update_member(ACME, "member_nope", MemberUpdateRequest::default()),
        api.disable_member().space_id(ACME).member_id("member_nope").call(),
    );
    not_found!("USER_MEMBER_NOT_FOUND" =>
        api.get_user_member().space_id(ACME).user_member_id("um_nope").call(),
        api.get_user_member_by_id().user_member_id("um_nope").call(),
        w.update_user_member(ACME, "um_nope", UserMemberUpdateRequest::default()),
        api.revoke_user_member().space_id(ACME).user_member_id("um_nope").call(),
    );
    not_found!("ROLE_NOT_FOUND" =>
        api.get_role().space_id(ACME).role_id("role_nope").call(),
        api.get_role_by_id().role_id("role_nope").call(),
        w.update_role(ACME, "role_nope", RoleUpdateRequest::default()),
        api.disable_role().space_id(ACME).role_id("role_nope").call(),
    );
    not_found!("MEMBER_ROLE_NOT_FOUND" =>
        api.get_member_role().space_id(ACME).member_role_id("mr_nope").call(),
        api.revoke_member_role().space_id(ACME).member_role_id("mr_nope").call(),
    );
    not_found!("PERMISSION_NOT_FOUND" =>
        api.get_permission().permission_id("perm_nope").call(),
        w.update_permission("perm_nope", PermissionUpdateRequest::default()),
        api.disable_permission().permission_id("perm_nope").call(),
    );
    not_found!("ROLE_PERMISSION_NOT_FOUND" =>
        api.get_role_permission().role_permission_id("rp_nope").call(),
        api.delete_role_permission().role_permission_id("rp_nope").call(),
        api.get_space_role_permission().space_id(ACME).role_permission_id("rp_nope").call(),
        api.delete_space_role_permission().space_id(ACME).role_permission_id("rp_nope").call(),
    );
}

async fn entities_of_another_space_are_not_found_under_it(w: &World) {
    // Everything addressed here lives in space_acme; the path names space_second.
    let s = w.second_space().await;
    let api = w.api();
    let group = "group_finance";
    let member = "member_finance_reviewer";
    let um = "um_bob_finance_reviewer";
    let role = "role_finance_approver";
    let mr = "mr_finance_reviewer_approver_finance";
    let rp = "rp_finance_approver_invoice_approve_group_tree";
    let moved = || Some(String::from("moved"));
    let group_patch = GroupUpdateRequest {
        display_name: moved(),
        ..Default::default()
    };
    let member_patch = MemberUpdateRequest {
        display_name: moved(),
        ..Default::default()
    };
    let um_patch = UserMemberUpdateRequest {
        relation_type: moved(),
        ..Default::default()
    };
    let role_patch = RoleUpdateRequest {
        name: moved(),
        ..Default::default()
    };
    not_found!("GROUP_NOT_FOUND" =>
        api.get_group().space_id(s).group_id(group).call(),
        w.update_group(s, group, group_patch),
        api.disable_group().space_id(s).group_id(group).call(),
    );
    not_found!("MEMBER_NOT_FOUND" =>
        api.get_member().space_id(s).member_id(member).call(),
        w.update_member(s, member, member_patch),
        api.disable_member().space_id(s).member_id(member).call(),
    );
    not_found!("USER_MEMBER_NOT_FOUND" =>
        api.get_user_member().space_id(s).user_member_id(um).call(),
        w.update_user_member(s, um, um_patch),
        api.revoke_user_member().space_id(s).user_member_id(um).call(),
    );
    not_found!("ROLE_NOT_FOUND" =>
        api.get_role().space_id(s).role_id(role).call(),
        w.update_role(s, role, role_patch),
        api.disable_role().space_id(s).role_id(role).call(),
    );
    not_found!("MEMBER_ROLE_NOT_FOUND" =>
        api.get_member_role().space_id(s).member_role_id(mr).call(),
        api.revoke_member_role().space_id(s).member_role_id(mr).call(),
    );
    not_found!("ROLE_PERMISSION_NOT_FOUND" =>
        api.get_space_role_permission().space_id(s).role_permission_id(rp).call(),
        api.delete_space_role_permission().space_id(s).role_permission_id(rp).call(),
    );

    // Nothing was changed in space_acme.
    let read = api.get_group_by_id().group_id(group).call().await.unwrap();
    assert_eq!(
        (read.display_name.as_str(), read.status),
        ("Finance", Status::Active)
    );
    let read = api
        .get_member_by_id()
        .member_id(member)
        .call()
        .await
        .unwrap();
    assert_eq!(
        (read.display_name.as_str(), read.status),
        ("Finance Reviewer", Status::Active)
    );
    let read = api
        .get_user_member_by_id()
        .user_member_id(um)
        .call()
        .await
        .unwrap();
    assert_eq!(
        (read.relation_type.as_str(), read.status),
        ("login", BindingStatus::Active)
    );
    let read = api.get_role_by_id().role_id(role).call().await.unwrap();
    assert_eq!(
        (read.name.as_str(), read.status),
        ("Finance Approver", Status::Active)
    );
    let read = api
        .get_member_role()
        .space_id(ACME)
        .member_role_id(mr)
        .call()
        .await
        .unwrap();
    assert_eq!(read.status, BindingStatus::Active);
    let read = api
        .get_role_permission()
        .role_permission_id(rp)
        .call()
        .await
        .unwrap();
    assert_eq!(read.deleted_at, None);
}

// ---------------------------------------------------------------------------------------------
// Pagination: keyset cursors, two rows a page, every row once in key order (id breaks ties).
// Rows are created out of order, with ids that do not sort like the key.

async fn global_lists_page_in_key_order(w: &World) {
    // Users by email (alice and bob are the demo's).
    for (id, email) in [
        ("user_p1", "pgc@example.com"),
        ("user_p2", "pga@example.com"),
        ("user_p3", "pgd@example.com"),
        ("user_p4", "pgb@example.com"),
    ] {
        w.create_user(json!({"id": id, "email": email}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_users()),
        [
            "user_alice",
            "user_bob",
            "user_p2",
            "user_p4",
            "user_p1",
            "user_p3"
        ]
    );

    // Spaces by name (Acme is the demo's); two share a name.
    for (id, name) in [
        ("space_p3", "pgbeta"),
        ("space_p1", "pgdelta"),
        ("space_p4", "pgalpha"),
        ("space_p2", "pgalpha"),
    ] {
        w.create_space(json!({"id": id, "name": name}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_spaces()),
        [ACME, "space_p2", "space_p4", "space_p3", "space_p1"]
    );

    // Permissions by (resource, action, scope); the demo has (invoice, approve, group_tree).
    for (id, resource, action, scope) in [
        ("perm_p1", "pgdoc", "read", "space"),
        ("perm_p2", "pgdoc", "read", "self"),
        ("perm_p3", "pgdoc", "edit", "group"),
        ("perm_p4", "invoice", "approve", "space"),
        ("perm_p5", "pgdoc", "edit", "group_tree"),
    ] {
        let body = json!({"id": id, "resource": resource, "action": action, "scope": scope});
        w.create_permission(body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_permissions()),
        [
            "perm_invoice_approve_group_tree",
            "perm_p4",
            "perm_p3",
            "perm_p5",
            "perm_p2",
            "perm_p1",
        ]
    );

    // Role permissions of every space by (role key, resource, action, scope): two roles of
    // different spaces share a key and are bound to the same permission.
    for (id, space, key) in [
        ("role_pa", "space_p1", "pgrole"),
        ("role_pb", "space_p2", "pgrole"),
        ("role_pc", ACME, "auditor"),
    ] {
        w.create_role(space, json!({"id": id, "key": key}))
            .await
            .unwrap();
    }
    for (id, role, permission) in [
        ("rp_z2", "role_pb", "perm_p1"),
        ("rp_z1", "role_pa", "perm_p1"),
        ("rp_z3", "role_pa", "perm_p3"),
        ("rp_z4", "role_pc", "perm_p4"),
    ] {
        let body = json!({"id": id, "role_id": role, "permission_id": permission});
        w.bind(body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_role_permissions()),
        [
            "rp_z4",
            "rp_finance_approver_invoice_approve_group_tree",
            "rp_z3",
            "rp_z1",
            "rp_z2",
        ]
    );
}

async fn space_lists_page_in_key_order(w: &World) {
    let space = "space_pg";
    w.create_space(json!({"id": space, "name": "pgspace"}))
        .await
        .unwrap();

    // Groups by path.
    for (id, path) in [
        ("group_g1", "pgb"),
        ("group_g2", "pga"),
        ("group_g3", "pga.y"),
        ("group_g4", "pga.x"),
        ("group_g5", "pgb.a"),
    ] {
        w.create_group(space, json!({"id": id, "path": path}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_groups().space_id(space)),
        ["group_g2", "group_g4", "group_g3", "group_g1", "group_g5"]
    );

    // Members by display name; two share one.
    for (id, name) in [
        ("member_m3", "pgmc"),
        ("member_m4", "pgma"),
        ("member_m1", "pgmb"),
        ("member_m2", "pgma"),
    ] {
        w.create_member(space, json!({"id": id, "display_name": name}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_members().space_id(space)),
        ["member_m2", "member_m4", "member_m1", "member_m3"]
    );

    // Roles by key.
    for (id, key) in [
        ("role_r1", "pgrc"),
        ("role_r2", "pgra"),
        ("role_r3", "pgrb"),
    ] {
        w.create_role(space, json!({"id": id, "key": key}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_roles().space_id(space)),
        ["role_r2", "role_r3", "role_r1"]
    );

    // User members by (user email, member display name); u3 and u4 tie.
    for (id, user, member) in [
        ("um_u1", "user_bob", "member_m2"),
        ("um_u2", "user_alice", "member_m1"),
        ("um_u4", "user_alice", "member_m2"),
        ("um_u3", "user_alice", "member_m2"),
        ("um_u5", "user_bob", "member_m3"),
    ] {
        let body = json!({"id": id, "user_id": user, "member_id": member,
                          "relation_type": "delegate"});
        w.create_user_member(space, body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_user_members().space_id(space)),
        ["um_u3", "um_u4", "um_u2", "um_u1", "um_u5"]
    );

    // Member roles by (member display name, role key); q3 and q4 tie (two members named pgma).
    for (id, member, role) in [
        ("mr_q1", "member_m1", "role_r2"),
        ("mr_q2", "member_m2", "role_r1"),
        ("mr_q4", "member_m4", "role_r2"),
        ("mr_q3", "member_m2", "role_r2"),
    ] {
        let body = json!({"id": id, "member_id": member, "role_id": role});
        w.create_member_role(space, body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_member_roles().space_id(space)),
        ["mr_q3", "mr_q4", "mr_q2", "mr_q1"]
    );

    // The space's role permissions by (role key, resource, action, scope); space_acme's demo
    // binding is not among them.
    for (id, resource, action, scope) in [
        ("perm_s1", "pgdoc", "read", "space"),
        ("perm_s2", "pgdoc", "edit", "group"),
    ] {
        let body = json!({"id": id, "resource": resource, "action": action, "scope": scope});
        w.create_permission(body).await.unwrap();
    }
    for (id, role, permission) in [
        ("rp_s1", "role_r1", "perm_s1"),
        ("rp_s2", "role_r2", "perm_s1"),
        ("rp_s3", "role_r2", "perm_s2"),
        ("rp_s4", "role_r3", "perm_invoice_approve_group_tree"),
    ] {
        let body = json!({"id": id, "role_id": role, "permission_id": permission});
        w.bind_in(space, body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_space_role_permissions().space_id(space)),
        ["rp_s3", "rp_s2", "rp_s4", "rp_s1"]
    );
}

async fn list_limits_and_bad_cursors(w: &World) {
    // For each list: the route default without a limit and for one out of 1–200 (sent raw, as
    // the SDK only sends positive numbers); a limit inside is answered as is; a cursor that is
    // not one of the server's is 400.
    macro_rules! check {
        ($list:expr, $path:literal, $default:literal) => {{
            assert_eq!(limit_of($list.call().await), $default, "{} default", $path);
            assert_eq!(limit_of($list.limit(201u32).call().await), $default, $path);
            assert_eq!(limit_of($list.limit(200u32).call().await), 200, $path);
            assert_eq!(limit_of($list.limit(1u32).call().await), 1, $path);
            for limit in ["0", "-1", "1000"] {
                let (status, body) = w.raw("GET", $path, &[("limit", limit)]).await;
                assert_eq!(status, 200, "{} {body}", $path);
                let answered = &body["pagination"]["limit"];
                assert_eq!(answered, $default, "{} limit={limit}", $path);
            }
            for cursor in ["not a cursor", "@@@@"] {
                let result = failure($list.cursor(cursor).call().await);
                let expected = (400, String::from("VALIDATION_FAILED"));
                assert_eq!(result, expected, "{} cursor {cursor:?}", $path);
            }
        }};
    }
    let api = w.api();
    check!(api.list_users(), "/api/v1/users", 50);
    check!(api.list_spaces(), "/api/v1/spaces", 50);
    check!(
        api.list_groups().space_id(ACME),
        "/api/v1/spaces/space_acme/groups",
        200
    );
    check!(
        api.list_members().space_id(ACME),
        "/api/v1/spaces/space_acme/members",
        50
    );
    check!(
        api.list_user_members().space_id(ACME),
        "/api/v1/spaces/space_acme/user-members",
        50
    );
    check!(
        api.list_roles().space_id(ACME),
        "/api/v1/spaces/space_acme/roles",
        50
    );
    check!(
        api.list_member_roles().space_id(ACME),
        "/api/v1/spaces/space_acme/member-roles",
        50
    );
    check!(api.list_permissions(), "/api/v1/permissions", 50);
    check!(api.list_role_permissions(), "/api/v1/role-permissions", 50);
    check!(
        api.list_space_role_permissions().space_id(ACME),
        "/api/v1/spaces/space_acme/role-permissions",
        50
    );
}

// ---------------------------------------------------------------------------------------------
// Who may: a space admin with groups:manage.

async fn scoped_admin_manages_groups_of_its_space_only(w: &World) {
    let second = w.second_space().await;
    let grant = json!({"user_id": "user_bob", "level": "space_admin",
                       "permission_key": "groups:manage", "space_id": ACME});
    let grant = request!(AdminGrantMutationRequest, grant);
    w.api()
        .create_admin_grant()
        .body(grant)
        .call()
        .await
        .unwrap();
    let bob = Plystra::new(&w.base).unwrap();
    let session = bob
        .auth()
        .login("bob@example.com", "plystra-demo")
        .await
        .unwrap();
    bob.set_access_token(&session.access_token);
    let api = bob.api();

    // In space_acme bob manages groups, and the audit row names him.
    let body = request!(
        GroupMutationRequest,
        json!({"id": "group_bobs", "path": "bobs"})
    );
    let create = api.create_group().space_id(ACME).body(body).call();
    let created = w
        .audited(
            Row {
                actor: "user_bob",
                ..row("group.created", "group_bobs", ACME)
            },
            create,
        )
        .await;
    assert_eq!(created.path, "bobs");
    let listed = api.list_groups().space_id(ACME).call().await.unwrap();
    assert!(listed.iter().any(|g| g.id == "group_bobs"));
    let tree = api.get_group_tree().space_id(ACME).call().await.unwrap();
    assert!(tree.iter().any(|g| g.id == "group_bobs"));
    api.get_group()
        .space_id(ACME)
        .group_id("group_finance")
        .call()
        .await
        .unwrap();
    api.get_group_by_id()
        .group_id("group_finance")
        .call()
        .await
        .unwrap();
    let rename = GroupUpdateRequest {
        display_name: Some("Bob's".into()),
        ..Default::default()
    };
    let patch = api.update_group().space_id(ACME).group_id("group_bobs");
    assert_eq!(
        patch.body(rename).call().await.unwrap().display_name,
        "Bob's"
    );
    let disable = api.disable_group().space_id(ACME).group_id("group_bobs");
    assert_eq!(disable.call().await.unwrap().status, Status::Disabled);

    // Nowhere else: another space's groups, users, other domains of his own space.
    let group = request!(GroupMutationRequest, json!({"path": "bobs"}));
    let user = request!(UserMutationRequest, json!({"email": "x@example.com"}));
    forbidden!(
        api.list_groups().space_id(second).call(),
        api.create_group().space_id(second).body(group).call(),
        api.get_group_tree().space_id(second).call(),
        api.list_users().call(),
        api.create_user().body(user).call(),
        api.list_members().space_id(ACME).call(),
        api.list_permissions().call(),
    );
}

// ---------------------------------------------------------------------------------------------
// Audit: one `allow` row per successful mutation, in the same transaction; none on failure.

async fn every_mutation_writes_one_audit_row(w: &World) {
    let api = w.api();

    // Users: only with an audit space, which the row is written into.
    w.unaudited(w.create_user(json!({"id": "user_quiet", "email": "quiet@example.com"})))
        .await;
    let quiet = UserUpdateRequest {
        username: Some("quiet".into()),
        ..Default::default()
    };
    w.unaudited(w.update_user("user_quiet", quiet)).await;
    w.unaudited(api.disable_user().user_id("user_quiet").call())
        .await;
    w.unaudited(api.restore_user().user_id("user_quiet").call())
        .await;
    let user = "user_loud";
    let body = json!({"id": user, "email": "loud@example.com", "audit_space_id": ACME});
    w.audited(row("user.created", user, ACME), w.create_user(body))
        .await;
    let in_acme = || UserUpdateRequest {
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };
    let patch = UserUpdateRequest {
        username: Some("loud".into()),
        ..in_acme()
    };
    w.audited(row("user.updated", user, ACME), w.update_user(user, patch))
        .await;
    let disable = api.disable_user().user_id(user).body(in_acme());
    w.audited(row("user.disabled", user, ACME), disable.call())
        .await;
    let restore = api.restore_user().user_id(user).body(in_acme());
    w.audited(row("user.restored", user, ACME), restore.call())
        .await;

    // Spaces: the row is in the space itself.
    let space = "space_audit";
    let body = json!({"id": space, "name": "audit"});
    w.audited(row("space.created", space, space), w.create_space(body))
        .await;
    let rename = SpaceMutationRequest {
        name: Some("audited".into()),
        ..Default::default()
    };
    let patch = api.update_space().space_id(space).body(rename);
    w.audited(row("space.updated", space, space), patch.call())
        .await;
    let disable = api.disable_space().space_id(space);
    w.audited(row("space.disabled", space, space), disable.call())
        .await;
    let restore = api.restore_space().space_id(space);
    w.audited(row("space.restored", space, space), restore.call())
        .await;

    // Groups.
    let group = "group_audit";
    let body = json!({"id": group, "path": "audit"});
    w.audited(
        row("group.created", group, ACME),
        w.create_group(ACME, body),
    )
    .await;
    let rename = GroupUpdateRequest {
        display_name: Some("Audit".into()),
        ..Default::default()
    };
    let patch = w.update_group(ACME, group, rename);
    w.audited(row("group.updated", group, ACME), patch).await;
    let disable = api.disable_group().space_id(ACME).group_id(group);
    w.audited(row("group.disabled", group, ACME), disable.call())
        .await;

    // Members.
    let member = "member_audit";
    let body = json!({"id": member, "display_name": "audit"});
    let create = w.create_member(ACME, body);
    w.audited(row("member.created", member, ACME), create).await;
    let rename = MemberUpdateRequest {
        display_name: Some("audited".into()),
        ..Default::default()
    };
    let patch = w.update_member(ACME, member, rename);
    w.audited(row("member.updated", member, ACME), patch).await;

    // User members.
    let um = "um_audit";
    let body = json!({"id": um, "user_id": "user_bob", "member_id": member,
                      "relation_type": "delegate"});
    let create = w.create_user_member(ACME, body);
    w.audited(row("user_member.created", um, ACME), create)
        .await;
    let relation = UserMemberUpdateRequest {
        relation_type: Some("login".into()),
        ..Default::default()
    };
    let patch = w.update_user_member(ACME, um, relation);
    w.audited(row("user_member.updated", um, ACME), patch).await;
    let revoke = api.revoke_user_member().space_id(ACME).user_member_id(um);
    w.audited(row("user_member.revoked", um, ACME), revoke.call())
        .await;
    let disable = api.disable_member().space_id(ACME).member_id(member);
    w.audited(row("member.disabled", member, ACME), disable.call())
        .await;

    // Roles.
    let role = "role_audit";
    let body = json!({"id": role, "key": "audit"});
    let create = w.create_role(ACME, body);
    w.audited(row("role.created", role, ACME), create).await;
    let rename = RoleUpdateRequest {
        name: Some("Audit".into()),
        ..Default::default()
    };
    let patch = w.update_role(ACME, role, rename);
    w.audited(row("role.updated", role, ACME), patch).await;

    // Member roles.
    let mr = "mr_audit";
    let body = json!({"id": mr, "member_id": "member_finance_reviewer", "role_id": role});
    let create = w.create_member_role(ACME, body);
    w.audited(row("member_role.created", mr, ACME), create)
        .await;
    let revoke = api.revoke_member_role().space_id(ACME).member_role_id(mr);
    w.audited(row("member_role.revoked", mr, ACME), revoke.call())
        .await;

    // Permissions: only with an audit space.
    let body = json!({"id": "perm_quiet", "resource": "quiet", "action": "read", "scope": "space"});
    w.unaudited(w.create_permission(body)).await;
    let describe = PermissionUpdateRequest {
        description: Some("quiet".into()),
        ..Default::default()
    };
    w.unaudited(w.update_permission("perm_quiet", describe))
        .await;
    let perm = "perm_audit";
    let body = json!({"id": perm, "resource": "audit", "action": "read", "scope": "space",
                      "audit_space_id": ACME});
    let create = w.create_permission(body);
    w.audited(row("permission.created", perm, ACME), create)
        .await;
    let describe = PermissionUpdateRequest {
        description: Some("audited".into()),
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };
    let patch = w.update_permission(perm, describe);
    w.audited(row("permission.updated", perm, ACME), patch)
        .await;

    // Role permissions: in the role's space, on both routes; each upsert is one created row.
    let role_elsewhere = "role_audit_elsewhere";
    w.create_role(space, json!({"id": role_elsewhere, "key": "audit"}))
        .await
        .unwrap();
    let rp = "rp_audit";
    let body = json!({"id": rp, "role_id": role_elsewhere, "permission_id": perm});
    w.audited(
        row("role_permission.created", rp, space),
        w.bind(body.clone()),
    )
    .await;
    w.audited(row("role_permission.created", rp, space), w.bind(body))
        .await;
    let delete = api.delete_role_permission().role_permission_id(rp);
    w.audited(row("role_permission.deleted", rp, space), delete.call())
        .await;
    let rp = "rp_audit_acme";
    let body = json!({"id": rp, "role_id": role, "permission_id": perm});
    let create = w.bind_in(ACME, body);
    w.audited(row("role_permission.created", rp, ACME), create)
        .await;
    let delete = api.delete_space_role_permission().space_id(ACME);
    let delete = delete.role_permission_id(rp);
    w.audited(row("role_permission.deleted", rp, ACME), delete.call())
        .await;

    // Disabling roles and permissions (after their last use above).
    let disable = api.disable_role().space_id(ACME).role_id(role);
    w.audited(row("role.disabled", role, ACME), disable.call())
        .await;
    let disable = api
        .disable_permission()
        .permission_id(perm)
        .body(PermissionUpdateRequest {
            audit_space_id: Some(ACME.into()),
            ..Default::default()
        });
    w.audited(row("permission.disabled", perm, ACME), disable.call())
        .await;
}

async fn failed_mutations_write_no_audit_row(w: &World) {
    let api = w.api();
    let in_acme = || UserUpdateRequest {
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };

    // Users (with an audit space, so a success would have written a row).
    let dup = json!({"email": "alice@example.com", "audit_space_id": ACME});
    fails_unaudited!(w, w.create_user(dup), 409, "USER_CREATE_FAILED");
    let bad = json!({"email": "no-at-sign", "audit_space_id": ACME});
    fails_unaudited!(w, w.create_user(bad), 400, "VALIDATION_FAILED");
    let nowhere = json!({"email": "nowhere@example.com", "audit_space_id": "space_nope"});
    fails_unaudited!(w, w.create_user(nowhere), 400, "VALIDATION_FAILED");
    let taken = UserUpdateRequest {
        email: Some("bob@example.com".into()),
        ..in_acme()
    };
    fails_unaudited!(w, w.update_user(ALICE, taken), 409, "USER_UPDATE_FAILED");
    let disable = api.disable_user().user_id("user_nope").body(in_acme());
    fails_unaudited!(w, disable.call(), 404, "USER_NOT_FOUND");

    // Spaces.
    fails_unaudited!(w, w.create_space(json!({})), 400, "VALIDATION_FAILED");
    let dup = json!({"id": ACME, "name": "again"});
    fails_unaudited!(w, w.create_space(dup), 409, "SPACE_CREATE_FAILED");
    let disable = api.disable_space().space_id("space_nope");
    fails_unaudited!(w, disable.call(), 404, "SPACE_NOT_FOUND");

    // Groups.
    let bad = json!({"path": "finance..x"});
    fails_unaudited!(w, w.create_group(ACME, bad), 400, "VALIDATION_FAILED");
    let dup = json!({"path": "finance.apac"});
    fails_unaudited!(w, w.create_group(ACME, dup), 409, "GROUP_CREATE_FAILED");
    let rename = GroupUpdateRequest {
        display_name: Some("x".into()),
        ..Default::default()
    };
    let patch = w.update_group(ACME, "group_nope", rename);
    fails_unaudited!(w, patch, 404, "GROUP_NOT_FOUND");

    // Members.
    let blank = json!({"display_name": " "});
    fails_unaudited!(w, w.create_member(ACME, blank), 400, "VALIDATION_FAILED");
    let dup = json!({"id": "member_finance_reviewer", "display_name": "again"});
    fails_unaudited!(w, w.create_member(ACME, dup), 409, "MEMBER_CREATE_FAILED");
    let disable = api.disable_member().space_id(ACME).member_id("member_nope");
    fails_unaudited!(w, disable.call(), 404, "MEMBER_NOT_FOUND");

    // User members.
    let bad = json!({"user_id": "user_nope", "member_id": "member_finance_reviewer",
                     "relation_type": "delegate"});
    fails_unaudited!(w, w.create_user_member(ACME, bad), 400, "VALIDATION_FAILED");
    let revoke = api
        .revoke_user_member()
        .space_id(ACME)
        .user_member_id("um_nope");
    fails_unaudited!(w, revoke.call(), 404, "USER_MEMBER_NOT_FOUND");

    // Roles.
    let dup = json!({"key": "finance_approver"});
    fails_unaudited!(w, w.create_role(ACME, dup), 409, "ROLE_CREATE_FAILED");
    w.create_role(ACME, json!({"id": "role_other", "key": "other"}))
        .await
        .unwrap();
    let taken = RoleUpdateRequest {
        key: Some("finance_approver".into()),
        ..Default::default()
    };
    let patch = w.update_role(ACME, "role_other", taken);
    fails_unaudited!(w, patch, 409, "ROLE_UPDATE_FAILED");

    // Member roles.
    let second = w.second_space().await;
    w.create_member(
        second,
        json!({"id": "member_second", "display_name": "second"}),
    )
    .await
    .unwrap();
    let cross = json!({"member_id": "member_second", "role_id": "role_finance_approver"});
    let create = w.create_member_role(ACME, cross);
    fails_unaudited!(w, create, 400, "VALIDATION_FAILED");
    let revoke = api
        .revoke_member_role()
        .space_id(ACME)
        .member_role_id("mr_nope");
    fails_unaudited!(w, revoke.call(), 404, "MEMBER_ROLE_NOT_FOUND");

    // Permissions (with an audit space).
    let dup = json!({"resource": "invoice", "action": "approve", "scope": "group_tree",
                     "audit_space_id": ACME});
    fails_unaudited!(w, w.create_permission(dup), 409, "PERMISSION_CREATE_FAILED");
    let body = json!({"id": "perm_other", "resource": "invoice", "action": "approve",
                      "scope": "space"});
    w.create_permission(body).await.unwrap();
    let taken = PermissionUpdateRequest {
        scope: Some(PermissionScope::GroupTree),
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };
    let patch = w.update_permission("perm_other", taken);
    fails_unaudited!(w, patch, 409, "PERMISSION_UPDATE_FAILED");

    // Role permissions.
    let bad = json!({"role_id": "role_nope", "permission_id": "perm_other"});
    fails_unaudited!(w, w.bind(bad), 400, "VALIDATION_FAILED");
    let cross = json!({"role_id": "role_finance_approver", "permission_id": "perm_other"});
    fails_unaudited!(w, w.bind_in(second, cross), 400, "VALIDATION_FAILED");
    let delete = api.delete_role_permission().role_permission_id("rp_nope");
    fails_unaudited!(w, delete.call(), 404, "ROLE_PERMISSION_NOT_FOUND");
    let delete = api.delete_space_role_permission().space_id(second);
    let delete = delete.role_permission_id("rp_finance_approver_invoice_approve_group_tree");
    fails_unaudited!(w, delete.call(), 404, "ROLE_PERMISSION_NOT_FOUND");
}
