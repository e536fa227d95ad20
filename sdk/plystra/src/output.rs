//! What a successful call returns: the envelope's `data`, with its request id and pagination.

use std::ops::{Deref, DerefMut};

use crate::types::Pagination;

/// The `data` of a success envelope. Derefs to it; [`Output::into_inner`] takes it out.
///
/// ```no_run
/// # async fn demo(plystra: plystra::Plystra) -> Result<(), plystra::Error> {
/// let health = plystra.system().health().await?;
/// println!("{} (request {})", health.status, health.request_id());
/// let health: plystra::types::Health = health.into_inner();
/// # let _ = health;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Output<T> {
    /// The payload.
    pub data: T,
    /// The request id the server answered with (`X-Request-ID`).
    pub request_id: String,
    /// For list operations: the page's `limit`, `cursor` and `has_more`.
    pub pagination: Option<Pagination>,
}

impl<T> Output<T> {
    /// The payload.
    pub fn into_inner(self) -> T {
        self.data
    }

    /// The request id the server answered with.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }

    /// The cursor of the next page, if the server says there is one.
    pub fn next_cursor(&self) -> Option<&str> {
        let page = self.pagination.as_ref()?;
        if page.has_more {
            page.cursor.as_deref()
        } else {
            None
        }
    }
}

impl<T> Deref for Output<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> DerefMut for Output<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.data
    }
}
