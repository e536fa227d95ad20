//! The schema: SQL files under `migrations/`, compiled into the binary and applied by
//! `store_common`'s runner (sqlx's migrator, which takes an advisory lock on PostgreSQL, so
//! replicas starting together do not race).

use store_common::EmbeddedMigration;

/// In order; each number is also the file's prefix.
pub(crate) const MIGRATIONS: &[EmbeddedMigration] = &[
    EmbeddedMigration {
        version: 1,
        description: "identity",
        sql: include_str!("../../migrations/0001_identity.sql"),
    },
    EmbeddedMigration {
        version: 2,
        description: "login throttle",
        sql: include_str!("../../migrations/0002_login_throttle.sql"),
    },
    EmbeddedMigration {
        version: 3,
        description: "registration",
        sql: include_str!("../../migrations/0003_registration.sql"),
    },
    EmbeddedMigration {
        version: 4,
        description: "api keys",
        sql: include_str!("../../migrations/0004_api_keys.sql"),
    },
    EmbeddedMigration {
        version: 5,
        description: "entities",
        sql: include_str!("../../migrations/0005_entities.sql"),
    },
];

/// The schema version this build expects (the last migration).
pub const EXPECTED_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

pub use store_common::migrate::format_version;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        store_common::migrate::check_files(&dir, MIGRATIONS).unwrap();
    }
}
