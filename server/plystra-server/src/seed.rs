//! Demo data: the Finance Reviewer demo of docs/behaviour.md §5 (identities, groups, a role with its
//! permission and member role, the `invoice` registry entry and two invoices).

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

/// Seeds whatever is missing of the demo, in one transaction; returns whether anything was
/// created. A command-line operation: it reads the system clock.
pub async fn demo(store: &Store) -> Result<bool, SeedError> {
    let hash = password::hash(DEMO_PASSWORD).map_err(|e| SeedError::Hash(e.to_string()))?;
    let now = time::format(time::system_clock()());
    Ok(store.seed_demo(&hash, &now).await?)
}
