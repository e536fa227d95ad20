//! Demo data (behaviour.md §5). This step seeds the identities; groups, roles, the registry and
//! resources of the Finance Reviewer demo follow with their entities.

use crate::domain::{password, time};
use crate::store::{Store, StoreError};

/// The demo users' password.
pub const DEMO_PASSWORD: &str = "plystra-demo";

/// A failure of the demo seed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The password could not be hashed.
    #[error("password hashing failed: {0}")]
    Hash(String),
}

/// Seeds the demo identities if missing; returns whether anything was created.
pub async fn demo(store: &Store) -> Result<bool, SeedError> {
    let hash = password::hash(DEMO_PASSWORD).map_err(|e| SeedError::Hash(e.to_string()))?;
    let now = time::format(chrono::Utc::now());
    Ok(store.seed_demo_identities(&hash, &now).await?)
}
