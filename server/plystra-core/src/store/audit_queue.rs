//! Group commit for decision audit rows.
//!
//! Every `authz/check` must have its audit row durable before it is answered (docs/behaviour.md §10.6).
//! Committing each row on its own costs one log sync per decision, and with many checks in flight
//! those syncs queue behind each other. Here the rows of concurrent checks go to one writer task,
//! which takes everything waiting (up to [`MAX_BATCH`] rows), inserts it with one multi-row
//! `INSERT` (one statement, so one transaction and one sync) and only then tells each waiting
//! check that its row is committed. Nothing is answered earlier than before; a row simply shares
//! its sync with its neighbours.
//!
//! When a batch fails, its rows are retried one by one so that a single bad row fails only its
//! own check. If the writer is gone (its runtime shut down), a row is inserted directly.

use std::sync::{Arc, OnceLock};

use tokio::sync::{mpsc, oneshot};

use super::audit::INSERT_AUDIT;
use super::{Pool, StoreError};

/// Columns of an audit row, in [`INSERT_AUDIT`] order.
const COLUMNS: usize = 15;

/// Rows per statement: 256 × 15 parameters stays far below SQLite's (32 766) and PostgreSQL's
/// (65 535) limits.
const MAX_BATCH: usize = 256;

/// Rows waiting for the writer before senders wait for room.
const QUEUE_DEPTH: usize = 4096;

/// One row's values and who waits for its commit.
struct Pending {
    values: [String; COLUMNS],
    done: oneshot::Sender<Result<(), Arc<sqlx::Error>>>,
}

/// The sending side, started on first use in the runtime of that use.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuditQueue {
    sender: Arc<OnceLock<mpsc::Sender<Pending>>>,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("id", &self.values[0])
            .finish()
    }
}

impl AuditQueue {
    /// Inserts one row; returns once it is committed (or failed).
    pub(crate) async fn append(
        &self,
        pool: &Pool,
        values: [String; COLUMNS],
    ) -> Result<(), StoreError> {
        let sender = self.sender.get_or_init(|| {
            let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
            tokio::spawn(write_batches(pool.clone(), receiver));
            sender
        });
        let (done, committed) = oneshot::channel();
        let values = match sender.send(Pending { values, done }).await {
            Ok(()) => match committed.await {
                Ok(result) => return result.map_err(StoreError::from),
                // The writer dropped the row without answering: it did not commit it.
                Err(_) => return Err(StoreError::AuditWriterGone),
            },
            Err(mpsc::error::SendError(pending)) => pending.values,
        };
        insert(pool, std::slice::from_ref(&values))
            .await
            .map_err(StoreError::Database)
    }
}

/// The writer: one multi-row insert per batch of whatever is waiting.
async fn write_batches(pool: Pool, mut receiver: mpsc::Receiver<Pending>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let rows: Vec<&[String; COLUMNS]> = batch.iter().map(|p| &p.values).collect();
        let result = insert_refs(&pool, &rows).await;
        drop(rows);
        match result {
            Ok(()) => {
                for pending in batch.drain(..) {
                    let _ = pending.done.send(Ok(()));
                }
            }
            Err(e) if batch.len() == 1 => {
                let e = Arc::new(e);
                for pending in batch.drain(..) {
                    let _ = pending.done.send(Err(Arc::clone(&e)));
                }
            }
            // Some row spoiled the statement: retry each so only that row's check fails.
            Err(_) => {
                for pending in batch.drain(..) {
                    let single = insert(&pool, std::slice::from_ref(&pending.values)).await;
                    let _ = pending.done.send(single.map_err(Arc::new));
                }
            }
        }
    }
}

async fn insert(pool: &Pool, rows: &[[String; COLUMNS]]) -> Result<(), sqlx::Error> {
    let refs: Vec<&[String; COLUMNS]> = rows.iter().collect();
    insert_refs(pool, &refs).await
}

/// `INSERT INTO audit_logs (…) VALUES (…), (…), …` for `rows`, as one statement.
async fn insert_refs(pool: &Pool, rows: &[&[String; COLUMNS]]) -> Result<(), sqlx::Error> {
    let sql = multi_row_insert(rows.len());
    macro_rules! run {
        ($pool:expr) => {{
            let mut query = sqlx::query(&sql);
            for row in rows {
                for value in row.iter() {
                    query = query.bind(value.as_str());
                }
            }
            query.execute($pool).await.map(|_| ())
        }};
    }
    match pool {
        Pool::Sqlite(pool) => run!(pool),
        Pool::Postgres(pool) => run!(pool),
    }
}

/// [`INSERT_AUDIT`] with `rows` value tuples (`$1…$15`, `$16…$30`, …).
fn multi_row_insert(rows: usize) -> String {
    let head = INSERT_AUDIT
        .split(" VALUES ")
        .next()
        .unwrap_or(INSERT_AUDIT);
    let mut sql = String::with_capacity(head.len() + 8 + rows * (COLUMNS * 5 + 4));
    sql.push_str(head);
    sql.push_str(" VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..COLUMNS {
            if column > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * COLUMNS + column + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_is_the_single_insert() {
        assert_eq!(multi_row_insert(1), INSERT_AUDIT);
    }

    #[test]
    fn rows_number_their_parameters_in_sequence() {
        let sql = multi_row_insert(3);
        assert!(sql.ends_with(
            "($31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45)"
        ));
        assert_eq!(sql.matches('(').count(), 4, "{sql}");
        assert_eq!(sql.matches('$').count(), 45);
    }
}
