//! The generic half of entity storage: a [`Record`] describes how one entity is selected and
//! ordered, and [`Store::find`], [`Store::page`], [`Store::all`] and [`Store::commit`] work for
//! every record. Writes are [`Statement`]s run in one transaction with their audit row, then the
//! changed row is read back inside that transaction.
//!
//! Declaring an entity is one [`record!`] invocation (see `identity_records.rs`).

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::audit::{AuditEntry, insert_audit};
use super::{Store, StoreError, on_pool};

/// A value bound to a statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// SQL `NULL` (an absent optional timestamp).
    Null,
    /// An integer.
    Int(i64),
    /// A boolean.
    Bool(bool),
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        v.map_or(Value::Null, Value::Text)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

/// Binds every value of `$values` to `$query`, in order (either backend).
macro_rules! bind_values {
    ($query:expr, $values:expr) => {{
        let mut query = $query;
        for value in $values {
            query = match value {
                Value::Text(text) => query.bind(text.as_str()),
                Value::Null => query.bind(None::<&str>),
                Value::Int(n) => query.bind(*n),
                Value::Bool(b) => query.bind(*b),
            };
        }
        query
    }};
}

/// Reads a record from a row of one backend.
pub trait ReadRow<R>: Sized {
    /// The record in `row`, each field from the column of its name.
    fn read(row: &R) -> Result<Self, sqlx::Error>;
}

/// One entity's table, as lists and lookups see it.
pub trait Record: ReadRow<SqliteRow> + ReadRow<PgRow> + Send + Unpin + 'static {
    /// `SELECT … FROM <table> t …`: one column per field, named as the field, the entity's
    /// own table aliased `t` (display fields come from joins).
    const SELECT: &'static str;
    /// The list order: SQL text expressions, ending with `t.id`.
    const ORDER: &'static [&'static str];
    /// Whether lists run newest (largest) first.
    const DESCENDING: bool = false;
    /// The condition of a row that lists and lookups see (append-only tables have no
    /// `deleted_at`).
    const LIVE: &'static str = "t.deleted_at IS NULL";
    /// This row's values of [`Record::ORDER`] (what a cursor remembers).
    fn sort_key(&self) -> Vec<String>;
}

/// Declares a record: the struct, how it is read from a row, its `SELECT` and its order.
///
/// ```ignore
/// record! {
///     /// A member.
///     pub struct MemberRow {
///         select: "SELECT t.id, t.display_name … FROM members t",
///         order: [display_name => "t.display_name"],
///         fields: { id: String, display_name: String, … }
///     }
/// }
/// ```
macro_rules! record {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            select: $select:expr,
            order: [$($key:ident => $order:literal),* $(,)?],
            $(descending: $descending:literal,)?
            $(live: $live:literal,)?
            fields: { $($(#[$fmeta:meta])* $field:ident: $ty:ty),* $(,)? } $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $($(#[$fmeta])* pub $field: $ty,)*
        }

        impl $crate::store::entity::ReadRow<sqlx::sqlite::SqliteRow> for $name {
            fn read(row: &sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
                Ok($crate::store::read_row!(row, $name { $($field),* }))
            }
        }

        impl $crate::store::entity::ReadRow<sqlx::postgres::PgRow> for $name {
            fn read(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                Ok($crate::store::read_row!(row, $name { $($field),* }))
            }
        }

        impl $crate::store::entity::Record for $name {
            const SELECT: &'static str = $select;
            const ORDER: &'static [&'static str] = &[$($order,)* "t.id"];
            $(const DESCENDING: bool = $descending;)?
            $(const LIVE: &'static str = $live;)?
            fn sort_key(&self) -> Vec<String> {
                vec![$(self.$key.to_string(),)* self.id.clone()]
            }
        }
    };
}
pub(crate) use record;

/// One write of a [`Store::commit`].
#[derive(Debug, Clone)]
pub struct Statement {
    sql: String,
    values: Vec<Value>,
    /// An update of a live row: when no row matched, the whole commit finds nothing.
    must_match: bool,
    /// The columns it sets (what the audit trace names).
    columns: Vec<&'static str>,
}

impl Statement {
    /// `INSERT INTO table (…) VALUES (…)`.
    pub fn insert(table: &str, columns: Vec<(&'static str, Value)>) -> Statement {
        let names: Vec<&'static str> = columns.iter().map(|(c, _)| *c).collect();
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        Statement {
            sql: format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                names.join(", "),
                marks.join(", ")
            ),
            values: columns.into_iter().map(|(_, v)| v).collect(),
            must_match: false,
            columns: names,
        }
    }

    /// `UPDATE table SET … WHERE id = … AND deleted_at IS NULL`; matching no row makes the
    /// commit find nothing.
    pub fn update(table: &str, id: &str, set: Vec<(&'static str, Value)>) -> Statement {
        let mut sql = format!("UPDATE {table} SET ");
        let mut names = Vec::with_capacity(set.len());
        let mut values = Vec::with_capacity(set.len() + 1);
        for (i, (column, value)) in set.into_iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("{column} = ${}", i + 1));
            names.push(column);
            values.push(value);
        }
        values.push(Value::Text(id.to_string()));
        sql.push_str(&format!(
            " WHERE id = ${} AND deleted_at IS NULL",
            values.len()
        ));
        Statement {
            sql,
            values,
            must_match: true,
            columns: names,
        }
    }

    /// Any other statement (`$1`… placeholders); it may match no row.
    pub fn raw(sql: impl Into<String>, values: Vec<Value>) -> Statement {
        Statement {
            sql: sql.into(),
            values,
            must_match: false,
            columns: Vec::new(),
        }
    }

    /// The columns this statement sets, without bookkeeping ones (ids, timestamps).
    pub fn changed_columns(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns
            .iter()
            .copied()
            .filter(|c| !matches!(*c, "id" | "created_at" | "updated_at" | "deleted_at"))
    }
}

/// `SELECT … WHERE <live> AND <filters>` with the filter values from `$1`. A filter is
/// `column` (equality) or `column >=` / `column <=` (a range bound).
fn filtered<R: Record>(filters: &[(&str, Value)]) -> String {
    let mut sql = format!("{} WHERE {}", R::SELECT, R::LIVE);
    for (i, (column, _)) in filters.iter().enumerate() {
        if column.ends_with('=') || column.ends_with('<') || column.ends_with('>') {
            sql.push_str(&format!(" AND {column} ${}", i + 1));
        } else {
            sql.push_str(&format!(" AND {column} = ${}", i + 1));
        }
    }
    sql
}

fn order_by<R: Record>() -> String {
    let direction = if R::DESCENDING { " DESC" } else { "" };
    let keys: Vec<String> = R::ORDER.iter().map(|k| format!("{k}{direction}")).collect();
    format!(" ORDER BY {}", keys.join(", "))
}

impl Store {
    /// The live row matching every filter (`column = value`, columns qualified as in
    /// [`Record::SELECT`]).
    pub async fn find<R: Record>(
        &self,
        filters: &[(&str, Value)],
    ) -> Result<Option<R>, StoreError> {
        let sql = filtered::<R>(filters);
        let values = filters.iter().map(|(_, v)| v);
        let found: Result<Option<R>, sqlx::Error> = on_pool!(self, pool => async {
            let row = bind_values!(sqlx::query(&sql), values).fetch_optional(pool).await?;
            row.as_ref().map(ReadRow::read).transpose()
        }.await);
        Ok(found?)
    }

    /// Up to `limit` live rows matching the filters in [`Record::ORDER`], after the row whose
    /// sort key is `after` (a page's cursor).
    pub async fn page<R: Record>(
        &self,
        filters: &[(&str, Value)],
        after: Option<&[String]>,
        limit: i64,
    ) -> Result<Vec<R>, StoreError> {
        let mut sql = filtered::<R>(filters);
        let mut values: Vec<Value> = filters.iter().map(|(_, v)| v.clone()).collect();
        if let Some(after) = after.filter(|a| a.len() == R::ORDER.len()) {
            let first = values.len() + 1;
            let marks: Vec<String> = (first..first + after.len())
                .map(|i| format!("${i}"))
                .collect();
            let beyond = if R::DESCENDING { "<" } else { ">" };
            sql.push_str(&format!(
                " AND ({}) {beyond} ({})",
                R::ORDER.join(", "),
                marks.join(", ")
            ));
            values.extend(after.iter().map(Value::from));
        }
        sql.push_str(&order_by::<R>());
        sql.push_str(&format!(" LIMIT ${}", values.len() + 1));
        values.push(Value::Int(limit));
        let rows: Result<Vec<R>, sqlx::Error> = on_pool!(self, pool => async {
            let rows = bind_values!(sqlx::query(&sql), &values).fetch_all(pool).await?;
            rows.iter().map(ReadRow::read).collect()
        }.await);
        Ok(rows?)
    }

    /// Every live row matching the filters, in order.
    pub async fn all<R: Record>(&self, filters: &[(&str, Value)]) -> Result<Vec<R>, StoreError> {
        let sql = format!("{}{}", filtered::<R>(filters), order_by::<R>());
        let values = filters.iter().map(|(_, v)| v);
        let rows: Result<Vec<R>, sqlx::Error> = on_pool!(self, pool => async {
            let rows = bind_values!(sqlx::query(&sql), values).fetch_all(pool).await?;
            rows.iter().map(ReadRow::read).collect()
        }.await);
        Ok(rows?)
    }

    /// Runs `statements` and writes `audit` (when given) in one transaction, then reads back the
    /// row `id` (deleted or not). `Ok(None)`, with nothing written, when an update matched no
    /// live row; a unique key clash is a `Conflict`.
    pub async fn commit<R: Record>(
        &self,
        statements: &[Statement],
        audit: Option<&AuditEntry>,
        id: &str,
    ) -> Result<Option<R>, StoreError> {
        self.commit_where(statements, audit, &[("t.id", id)]).await
    }

    /// [`Store::commit`], reading back the row whose `key` columns equal their values (an
    /// upsert by a unique key does not know the id it keeps).
    pub async fn commit_where<R: Record>(
        &self,
        statements: &[Statement],
        audit: Option<&AuditEntry>,
        key: &[(&str, &str)],
    ) -> Result<Option<R>, StoreError> {
        let conditions: Vec<String> = key
            .iter()
            .enumerate()
            .map(|(i, (column, _))| format!("{column} = ${}", i + 1))
            .collect();
        let select = format!("{} WHERE {}", R::SELECT, conditions.join(" AND "));
        let result: Result<Option<R>, sqlx::Error> = on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            for statement in statements {
                let done = bind_values!(sqlx::query(&statement.sql), &statement.values)
                    .execute(&mut *tx)
                    .await?;
                if statement.must_match && done.rows_affected() == 0 {
                    return Ok(None);
                }
            }
            if let Some(audit) = audit {
                insert_audit!(tx, audit)?;
            }
            let mut query = sqlx::query(&select);
            for (_, value) in key {
                query = query.bind(*value);
            }
            let row = query.fetch_optional(&mut *tx).await?;
            let record = row.as_ref().map(ReadRow::read).transpose()?;
            tx.commit().await?;
            Ok(record)
        }.await);
        Ok(result?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_number_their_placeholders() {
        let insert = Statement::insert(
            "members",
            vec![("id", "m1".into()), ("display_name", "Ann".into())],
        );
        assert_eq!(
            insert.sql,
            "INSERT INTO members (id, display_name) VALUES ($1, $2)"
        );
        let update = Statement::update(
            "members",
            "m1",
            vec![
                ("display_name", "Bo".into()),
                ("updated_at", "2026-01-01T00:00:00Z".into()),
            ],
        );
        assert_eq!(
            update.sql,
            "UPDATE members SET display_name = $1, updated_at = $2 WHERE id = $3 AND deleted_at IS NULL"
        );
        assert_eq!(update.values.last(), Some(&Value::Text("m1".into())));
        assert_eq!(
            update.changed_columns().collect::<Vec<_>>(),
            ["display_name"]
        );
    }
}
