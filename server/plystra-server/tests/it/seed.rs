//! Migration 0005 and the Finance Reviewer demo seed, on SQLite and on PostgreSQL. The test reads
//! the tables through a pool of its own on the same database: a SQLite file, or on PostgreSQL a
//! schema of its own (so other tests' rows in the shared database do not count).

use plystra_server::Store;
use plystra_server::store::migrate::EXPECTED_VERSION;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;

use crate::common::postgres_url;

/// The test's own view of the database the store uses.
enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            Db::Sqlite($pool) => $body,
            Db::Postgres($pool) => $body,
        }
    };
}

impl Db {
    async fn count(&self, sql: &str) -> i64 {
        on_db!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn rows(&self, sql: &str) -> Vec<(String, String, String, i64)> {
        on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn strings(&self, sql: &str) -> Vec<(String, String)> {
        on_db!(self, pool => sqlx::query_as(sql).fetch_all(pool).await)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Runs `sql`, which must fail on a unique key.
    async fn violates_unique(&self, sql: &str) {
        let result = on_db!(self, pool => sqlx::query(sql).execute(pool).await.map(|_| ()));
        match result {
            Err(sqlx::Error::Database(e)) => {
                assert!(e.is_unique_violation(), "{sql}: {e}");
            }
            other => panic!("{sql} should violate a unique key: {other:?}"),
        }
    }

    async fn execute(&self, sql: &str) {
        on_db!(self, pool => sqlx::query(sql).execute(pool).await.map(|_| ()))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

const TABLE_COUNTS: &[(&str, i64)] = &[
    ("spaces", 1),
    ("users", 2),
    ("members", 2),
    ("user_members", 4),
    ("groups", 5),
    ("roles", 1),
    ("permissions", 1),
    ("role_permissions", 1),
    ("member_roles", 1),
    ("resource_types", 1),
    ("resource_actions", 5),
    ("resource_mappings", 1),
    ("resources", 2),
    ("audit_logs", 0),
    ("admin_grants", 0),
    ("api_keys", 0),
];

async fn assert_counts(db: &Db) {
    for (table, expected) in TABLE_COUNTS {
        let count = db.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(count, *expected, "rows in {table}");
    }
}

async fn seed_case(store: Store, db: Db) {
    store.migrate().await.unwrap();
    store.migrate().await.unwrap(); // idempotent
    assert_eq!(EXPECTED_VERSION, 5);
    assert_eq!(store.schema_version().await.unwrap(), EXPECTED_VERSION);
    assert_counts_empty(&db).await;

    assert!(
        plystra_server::seed::demo(&store).await.unwrap(),
        "the first seed creates the demo"
    );
    assert!(
        !plystra_server::seed::demo(&store).await.unwrap(),
        "seeding twice creates nothing"
    );
    assert_counts(&db).await;

    // The group tree: depth is the number of dots, a child's path extends its parent's.
    let groups = db
        .rows(
            "SELECT g.id, g.parent_group_id, g.path, g.depth FROM groups g \
             WHERE g.space_id = 'space_acme' AND g.deleted_at IS NULL ORDER BY g.path",
        )
        .await;
    let expected = [
        ("group_finance", "", "finance", 0),
        ("group_finance_apac", "group_finance", "finance.apac", 1),
        ("group_finance_emea", "group_finance", "finance.emea", 1),
        ("group_legal", "", "legal", 0),
        ("group_legal_emea", "group_legal", "legal.emea", 1),
    ];
    let got: Vec<(&str, &str, &str, i64)> = groups
        .iter()
        .map(|(id, parent, path, depth)| (id.as_str(), parent.as_str(), path.as_str(), *depth))
        .collect();
    assert_eq!(got, expected);
    for (id, parent, path, depth) in &groups {
        assert_eq!(*depth, path.matches('.').count() as i64, "{id}");
        if !parent.is_empty() {
            let (_, _, parent_path, _) = groups.iter().find(|g| &g.0 == parent).unwrap();
            assert!(path.starts_with(&format!("{parent_path}.")), "{id}");
        }
    }
    let defaults = db
        .count(
            "SELECT COUNT(*) FROM groups WHERE space_id = 'space_acme' AND sort_order = 1000 \
             AND status = 'active' AND metadata = '{}' AND deleted_at IS NULL",
        )
        .await;
    assert_eq!(defaults, 5, "column defaults");

    // The grant: finance_approver holds invoice/approve/group_tree, anchored at `finance`.
    let grant = db
        .rows(
            "SELECT r.key, p.resource || '/' || p.action || '/' || p.scope, g.path, \
                    (SELECT COUNT(*) FROM resources x JOIN groups xg ON xg.id = x.group_id \
                     WHERE x.space_id = mr.space_id \
                       AND (xg.path = g.path OR xg.path LIKE g.path || '.%')) \
             FROM member_roles mr \
             JOIN roles r ON r.id = mr.role_id \
             JOIN role_permissions rp ON rp.role_id = r.id \
             JOIN permissions p ON p.id = rp.permission_id \
             JOIN groups g ON g.id = mr.scope_anchor_group_id \
             WHERE mr.id = 'mr_finance_reviewer_approver_finance' \
               AND mr.member_id = 'member_finance_reviewer' AND mr.status = 'active'",
        )
        .await;
    assert_eq!(
        grant,
        [(
            "finance_approver".to_string(),
            "invoice/approve/group_tree".to_string(),
            "finance".to_string(),
            1 // invoice_001 under finance.apac; invoice_002 is under legal.emea
        )]
    );

    // The registry.
    let risks = db
        .strings(
            "SELECT a.key, a.risk_level FROM resource_actions a \
             JOIN resource_types t ON t.id = a.resource_type_id \
             WHERE t.key = 'invoice' AND a.audit_default ORDER BY a.key",
        )
        .await;
    let risks: Vec<(&str, &str)> = risks
        .iter()
        .map(|(k, r)| (k.as_str(), r.as_str()))
        .collect();
    assert_eq!(
        risks,
        [
            ("approve", "high"),
            ("create", "normal"),
            ("delete", "critical"),
            ("read", "normal"),
            ("reject", "high"),
        ]
    );
    let mapping = db
        .strings(
            "SELECT m.id, m.storage_kind || ' ' || m.table_name || ' ' || m.id_field || ' ' || \
                    m.space_field || ' ' || m.group_field || ' ' || m.owner_member_field || ' ' || \
                    m.visibility_field || ' ' || m.metadata_field \
             FROM resource_mappings m JOIN resource_types t ON t.id = m.resource_type_id \
             WHERE t.id = 'rt_invoice'",
        )
        .await;
    assert_eq!(
        mapping,
        [(
            "rm_invoice_resources".to_string(),
            "internal_table resources id space_id group_id owner_member_id visibility metadata"
                .to_string()
        )]
    );

    // The invoices.
    let invoices = db
        .strings(
            "SELECT id, resource_type || ' ' || group_id || ' ' || owner_member_id || ' ' || \
                    visibility || ' ' || metadata FROM resources \
             WHERE space_id = 'space_acme' ORDER BY id",
        )
        .await;
    let mut got = Vec::new();
    for (id, row) in &invoices {
        let (fields, metadata) = row.split_at(row.find('{').unwrap());
        let metadata: serde_json::Value = serde_json::from_str(metadata).unwrap();
        got.push((id.as_str(), fields.trim().to_string(), metadata));
    }
    assert_eq!(
        got,
        [
            (
                "invoice_001",
                "invoice group_finance_apac member_invoice_creator private".to_string(),
                serde_json::json!({"number": "INV-001", "region": "APAC"})
            ),
            (
                "invoice_002",
                "invoice group_legal_emea member_invoice_creator private".to_string(),
                serde_json::json!({"number": "INV-002", "region": "EMEA"})
            ),
        ]
    );

    // Unique keys.
    let now = "'2026-05-12T01:00:00Z'";
    db.violates_unique(&format!(
        "INSERT INTO groups (id, space_id, name, path, created_at, updated_at) \
         VALUES ('group_finance_again', 'space_acme', 'finance', 'finance', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO roles (id, space_id, key, created_at, updated_at) \
         VALUES ('role_again', 'space_acme', 'finance_approver', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO permissions (id, resource, action, scope, created_at, updated_at) \
         VALUES ('perm_again', 'invoice', 'approve', 'group_tree', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO role_permissions (id, role_id, permission_id, created_at, updated_at) \
         VALUES ('rp_again', 'role_finance_approver', 'perm_invoice_approve_group_tree', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO resource_types (id, key, display_name, created_at, updated_at) \
         VALUES ('rt_again', 'invoice', 'Invoice', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO resource_actions (id, resource_type_id, key, display_name, created_at, updated_at) \
         VALUES ('ra_again', 'rt_invoice', 'approve', 'Approve', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO resource_mappings (id, resource_type_id, created_at, updated_at) \
         VALUES ('rm_again', 'rt_invoice', {now}, {now})"
    ))
    .await;
    db.violates_unique(&format!(
        "INSERT INTO resources (id, resource_type, space_id, created_at, updated_at) \
         VALUES ('invoice_001', 'invoice', 'space_acme', {now}, {now})"
    ))
    .await;
    // The same path in another space is fine.
    db.execute(&format!(
        "INSERT INTO spaces (id, name, created_at, updated_at) VALUES ('space_other', 'Other', {now}, {now})"
    ))
    .await;
    db.execute(&format!(
        "INSERT INTO groups (id, space_id, name, path, created_at, updated_at) \
         VALUES ('group_other_finance', 'space_other', 'finance', 'finance', {now}, {now})"
    ))
    .await;
    db.execute("DELETE FROM groups WHERE id = 'group_other_finance'")
        .await;
    db.execute("DELETE FROM spaces WHERE id = 'space_other'")
        .await;

    // An audit row takes its defaults.
    db.execute(&format!(
        "INSERT INTO audit_logs (id, created_at) VALUES ('audit_seed_test', {now})"
    ))
    .await;
    let audit = db
        .strings(
            "SELECT space_id || deny_code || request_id || actor_user_id, trace FROM audit_logs \
             WHERE id = 'audit_seed_test'",
        )
        .await;
    assert_eq!(audit, [(String::new(), "{}".to_string())]);
    db.execute("DELETE FROM audit_logs WHERE id = 'audit_seed_test'")
        .await;

    // A missing row comes back; what exists is left alone.
    db.execute("DELETE FROM resources WHERE id = 'invoice_002'")
        .await;
    assert!(plystra_server::seed::demo(&store).await.unwrap());
    assert!(!plystra_server::seed::demo(&store).await.unwrap());
    assert_counts(&db).await;
    store.close().await;
}

async fn assert_counts_empty(db: &Db) {
    for (table, _) in TABLE_COUNTS {
        let count = db.count(&format!("SELECT COUNT(*) FROM {table}")).await;
        assert_eq!(count, 0, "a fresh database has no {table}");
    }
}

#[tokio::test]
async fn migration_and_demo_seed_sqlite() {
    #[allow(clippy::disallowed_methods)] // a distinct name, not a time
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let file = std::env::temp_dir().join(format!("plystra-seed-{}-{nanos}.db", std::process::id()));
    let url = format!("sqlite://{}", file.display());
    let store = Store::connect(&url).await.unwrap();
    let pool = SqlitePool::connect(&url).await.unwrap();
    seed_case(store, Db::Sqlite(pool.clone())).await;
    pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", file.display()));
    }
}

#[tokio::test]
async fn migration_and_demo_seed_postgres() {
    let Some(url) = postgres_url() else {
        eprintln!("PLYSTRA_TEST_POSTGRES_URL is not set: PostgreSQL half not run");
        return;
    };
    // A schema of its own: the database is shared with the other PostgreSQL tests.
    #[allow(clippy::disallowed_methods)] // a distinct name, not a time
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let schema = format!("seed_test_{}_{nanos}", std::process::id());
    let admin = PgPool::connect(&url).await.unwrap();
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await
        .unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let scoped = format!("{url}{separator}options[search_path]={schema}");
    let store = Store::connect(&scoped).await.unwrap();
    let pool = PgPool::connect(&scoped).await.unwrap();
    let current: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(current, schema, "the test runs in its own schema");
    seed_case(store, Db::Postgres(pool.clone())).await;
    pool.close().await;
    sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
}
