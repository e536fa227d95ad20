//! The schema: SQL files under `migrations/`, the same text on SQLite and PostgreSQL, compiled
//! into the binary and applied by `server_common`'s runner.

use server_common::EmbeddedMigration;

/// In order; each number is also the file's prefix.
pub(crate) const MIGRATIONS: &[EmbeddedMigration] = &[EmbeddedMigration {
    version: 1,
    description: "settings",
    sql: include_str!("../../migrations/0001_settings.sql"),
}];

/// The schema version this build expects (the last migration).
pub const EXPECTED_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].version;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        server_common::migrate::check_files(&dir, MIGRATIONS).unwrap();
    }
}
