#![doc = include_str!("../README.md")]
//!
//! This release exposes the generated client; the ergonomic layer (credentials, request ids,
//! envelope unwrapping, one typed error, pagination streams, retries) is tracked separately.

pub use plystra_client::{ByteStream, Client, Error, ResponseValue, builder, prelude, types};
