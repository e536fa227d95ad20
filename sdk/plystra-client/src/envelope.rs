//! Traits the generated code implements so that a layer above can unwrap the contract's success
//! envelope for every operation without knowing each one.

use crate::types::Pagination;
use crate::{Error, ResponseValue};

/// The parts of a success envelope `{data, request_id, pagination?}`.
#[derive(Debug, Clone)]
pub struct Parts<T> {
    /// The payload.
    pub data: T,
    /// The request id the server answered with.
    pub request_id: String,
    /// Present on list envelopes.
    pub pagination: Option<Pagination>,
}

/// A success envelope schema (generated for every schema with `data` and `request_id`).
pub trait Envelope {
    /// The type of `data`.
    type Data;
    /// Splits the envelope.
    fn into_parts(self) -> Parts<Self::Data>;
}

/// A request builder whose success answer is an [`Envelope`] (generated for every such
/// operation).
pub trait Operation: Sized {
    /// progenitor's operation id (the spec's operationId in snake_case).
    const ID: &'static str;
    /// The success body.
    type Envelope: Envelope;
    /// The documented error body.
    type Error;
    /// Sends the request (the builder's own `send`).
    fn send(
        self,
    ) -> impl std::future::Future<Output = Result<ResponseValue<Self::Envelope>, Error<Self::Error>>>
    + Send;
}
