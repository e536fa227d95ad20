//! Migrations compiled into the binary: each server lists its SQL files with `include_str!` in a
//! `&'static [EmbeddedMigration]`, and [`Pool::migrate`](crate::db::Pool::migrate) applies them
//! with sqlx's migrator. Nothing is read from disk at run time, so the binary is the whole
//! deployment.

use std::borrow::Cow;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};

/// One migration: its number, a short description (stored by sqlx) and its SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedMigration {
    /// The number; the file is named `{version:04}_….sql`.
    pub version: i64,
    /// What it does, in a few words.
    pub description: &'static str,
    /// The SQL, the same text on SQLite and PostgreSQL.
    pub sql: &'static str,
}

/// The migrations of a server as a sqlx [`MigrationSource`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Embedded(pub(crate) &'static [EmbeddedMigration]);

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|m| {
                    Migration::new(
                        m.version,
                        Cow::Borrowed(m.description),
                        MigrationType::Simple,
                        Cow::Borrowed(m.sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// `000`-style rendering of a schema version, as readiness and version endpoints report it.
pub fn format_version(version: i64) -> String {
    format!("{version:03}")
}

/// Checks that `dir` holds exactly one `.sql` file per migration, in the same order and each
/// named after its number (`0001_…`). For a unit test of each server, so that a new file cannot
/// be forgotten in the list. The error says what differs.
pub fn check_files(dir: &Path, migrations: &[EmbeddedMigration]) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let name = entry
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".sql") {
            files.push(name);
        }
    }
    files.sort();
    if files.len() != migrations.len() {
        return Err(format!(
            "{} has {} migration files but {} are embedded: {files:?}",
            dir.display(),
            files.len(),
            migrations.len()
        ));
    }
    for (file, migration) in files.iter().zip(migrations) {
        if !file.starts_with(&format!("{:04}_", migration.version)) {
            return Err(format!(
                "{file} is listed as migration {}",
                migration.version
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &[EmbeddedMigration] = &[
        EmbeddedMigration {
            version: 1,
            description: "a",
            sql: "",
        },
        EmbeddedMigration {
            version: 2,
            description: "b",
            sql: "",
        },
    ];

    #[test]
    fn versions_render_with_three_digits() {
        assert_eq!(format_version(0), "000");
        assert_eq!(format_version(5), "005");
        assert_eq!(format_version(1234), "1234");
    }

    #[test]
    fn files_must_match_the_list() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("0001_a.sql"), "").unwrap();
        std::fs::write(dir.path().join("README.md"), "").unwrap();
        let missing = check_files(dir.path(), TWO).unwrap_err();
        assert!(missing.contains("1 migration files but 2"), "{missing}");
        std::fs::write(dir.path().join("0003_c.sql"), "").unwrap();
        let misnumbered = check_files(dir.path(), TWO).unwrap_err();
        assert!(misnumbered.contains("0003_c.sql"), "{misnumbered}");
        std::fs::remove_file(dir.path().join("0003_c.sql")).unwrap();
        std::fs::write(dir.path().join("0002_b.sql"), "").unwrap();
        check_files(dir.path(), TWO).unwrap();
    }
}
