#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

pub mod authz;
mod client;
mod error;
mod groups;
mod output;
mod transport;

pub use client::{Call, Plystra, PlystraBuilder, call_text, paginate};
pub use error::{ApiError, DenyCode, Error, ErrorCode};
pub use groups::{Actor, Audit, Auth, Authz, Capabilities, ResourceTypes, System};
pub use output::Output;
pub use sdk_runtime::{ErrorMetadata, ProvideErrorMetadata, RetryPolicy};

/// The contract's schemas (generated from `spec/plystra.yaml`).
pub use plystra_client::types;

/// The generated client and its request builders, for every operation of the contract.
pub mod raw {
    pub use plystra_client::{Client, builder, prelude};
}

/// `use plystra::prelude::*;` brings the client, [`Call`], and the per-tag extension traits
/// that put every operation on [`Plystra::api`].
pub mod prelude {
    pub use crate::{Call, Plystra};
    pub use plystra_client::prelude::*;
}
