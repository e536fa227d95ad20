//! The schema: SQL files under `migrations/`, compiled into the binary and applied with sqlx's
//! migrator (which takes an advisory lock on PostgreSQL, so replicas starting together do not race).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType};

/// `(version, description, sql)`, in order.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "identity",
        include_str!("../../migrations/0001_identity.sql"),
    ),
    (
        2,
        "login throttle",
        include_str!("../../migrations/0002_login_throttle.sql"),
    ),
    (
        3,
        "registration",
        include_str!("../../migrations/0003_registration.sql"),
    ),
    (
        4,
        "api keys",
        include_str!("../../migrations/0004_api_keys.sql"),
    ),
    (
        5,
        "entities",
        include_str!("../../migrations/0005_entities.sql"),
    ),
];

/// The schema version this build expects (the last migration).
pub const EXPECTED_VERSION: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The migrations compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// `000`-style rendering of a schema version, as `/ready` and `/version` report it.
pub fn format_version(version: i64) -> String {
    format!("{version:03}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files.len(), MIGRATIONS.len(), "{files:?}");
        for (file, (version, _, _)) in files.iter().zip(MIGRATIONS) {
            assert!(
                file.starts_with(&format!("{version:04}_")),
                "{file} is migration {version}"
            );
        }
    }
}
