//! The shared shape of the entity handlers (users, spaces, groups, members, user-members,
//! roles, member roles, permissions, role permissions): an [`Entity`] ties a stored
//! [`Record`] to its wire type, error codes and audit name, and [`Server::found`],
//! [`Server::list_page`] and [`Server::change`] do the rest. A handler validates its body,
//! builds [`Statement`]s and answers with [`reply!`]/[`reply_list!`].

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use plystra_server_api::types::{ActiveDisabledStatus, BindingStatus, ErrorCode, Pagination};
use poem::http::StatusCode;

use super::Server;
use super::principal::{Call, page_limit};
use super::session::store_error;
use crate::ApiError;
use crate::domain::principal::Principal;
use crate::domain::time;
use crate::store::{Record, Statement, StoreError, Value};

/// A stored entity as the API shows it.
pub(super) trait Entity: Record {
    /// Its contract type.
    type Wire;
    /// The name audit rows give it (`user`, `member_role`, …), also the action prefix.
    const KIND: &'static str;
    /// Its 404: code and message.
    const NOT_FOUND: (ErrorCode, &'static str);
    /// Its 409 on create.
    const CREATE_FAILED: ErrorCode;
    /// Its 409 on any other change.
    const UPDATE_FAILED: ErrorCode;
    /// The id column in lookups (`t.id`).
    const ID: &'static str = "t.id";
    /// The space column in lookups scoped by a path's space (`t.space_id`).
    const SPACE: &'static str = "t.space_id";

    /// The contract type of this row.
    fn wire(self) -> Self::Wire;
    /// The space the row belongs to (`""` for instance-wide entities).
    fn space_id(&self) -> &str;
}

/// Answers `$response(Json(types::$envelope { data, request_id }))`.
macro_rules! reply {
    ($response:path, $envelope:ident, $ctx:expr, $data:expr) => {
        Ok($response(poem_openapi::payload::Json(
            plystra_server_api::types::$envelope {
                data: $data,
                request_id: $ctx.request_id.clone(),
            },
        )))
    };
}
pub(super) use reply;

/// Answers `$response(Json(types::$envelope { data, pagination, request_id }))` from a
/// `(data, pagination)` page.
macro_rules! reply_list {
    ($response:path, $envelope:ident, $ctx:expr, $page:expr) => {{
        let (data, pagination) = $page;
        Ok($response(poem_openapi::payload::Json(
            plystra_server_api::types::$envelope {
                data,
                pagination,
                request_id: $ctx.request_id.clone(),
            },
        )))
    }};
}
pub(super) use reply_list;

/// A 400 naming what is wrong with the body.
pub(super) fn invalid(details: impl Into<String>) -> ApiError {
    ApiError::validation("Request body is invalid.").with_details(details.into().into())
}

/// `$name is required` unless `value` has non-blank text; the trimmed text.
pub(super) fn required(value: &str, name: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(invalid(format!("{name} is required")));
    }
    Ok(value.to_string())
}

/// A metadata object as stored JSON.
pub(super) fn metadata_json(
    metadata: Option<std::collections::BTreeMap<String, serde_json::Value>>,
) -> Value {
    Value::Text(
        serde_json::Value::Object(metadata.unwrap_or_default().into_iter().collect()).to_string(),
    )
}

/// Equality filters for the values that are given (`column = value`).
pub(super) fn given_filters<'a>(
    filters: impl IntoIterator<Item = (&'a str, Option<String>)>,
) -> Vec<(&'a str, Value)> {
    filters
        .into_iter()
        .filter_map(|(column, value)| value.map(|v| (column, Value::Text(v))))
        .collect()
}

/// A stored lifecycle status.
pub(super) fn active_disabled(text: &str) -> ActiveDisabledStatus {
    if text == "active" {
        ActiveDisabledStatus::Active
    } else {
        ActiveDisabledStatus::Disabled
    }
}

/// A stored binding status.
pub(super) fn binding(text: &str) -> BindingStatus {
    if text == "active" {
        BindingStatus::Active
    } else {
        BindingStatus::Revoked
    }
}

/// `finance_approver` → `Finance Approver`: words split at `_`, `-`, `.` and spaces, each
/// capitalised.
pub(super) fn title_case(text: &str) -> String {
    text.split(['_', '-', '.', ' '])
        .filter(|w| !w.is_empty())
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect::<String>()
            })
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A page's cursor: the last row's sort key, base64url JSON.
fn encode_cursor(key: &[String]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// The sort key in `cursor`, which must have `len` parts.
fn decode_cursor(cursor: &str, len: usize) -> Result<Vec<String>, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Vec<String>>(&bytes).ok())
        .filter(|key| key.len() == len)
        .ok_or_else(|| {
            ApiError::validation("cursor is invalid.")
                .with_details("pass pagination.cursor of the previous page unchanged".into())
        })
}

impl Server {
    /// The live `E` with `id` (in `space`, when given), or its 404.
    pub(super) async fn found<E: Entity>(
        &self,
        id: &str,
        space: Option<&str>,
    ) -> Result<E, ApiError> {
        let mut filters = vec![(E::ID, Value::from(id))];
        if let Some(space) = space {
            filters.push((E::SPACE, Value::from(space)));
        }
        self.store()
            .find::<E>(&filters)
            .await
            .map_err(store_error)?
            .ok_or_else(|| not_found::<E>())
    }

    /// Whether a live `E` with `id` exists in `space`.
    pub(super) async fn exists_in<E: Entity>(
        &self,
        id: &str,
        space: &str,
    ) -> Result<Option<E>, ApiError> {
        self.store()
            .find::<E>(&[(E::ID, Value::from(id)), (E::SPACE, Value::from(space))])
            .await
            .map_err(store_error)
    }

    /// One page of `E` matching `filters`: `limit` 1–200 (else `default`), after `cursor`.
    pub(super) async fn list_page<E: Entity>(
        &self,
        filters: &[(&str, Value)],
        limit: Option<i32>,
        default: i32,
        cursor: Option<String>,
    ) -> Result<(Vec<E::Wire>, Pagination), ApiError> {
        let limit = page_limit(limit, default);
        let after = match cursor.as_deref().filter(|c| !c.trim().is_empty()) {
            Some(cursor) => Some(decode_cursor(cursor, E::ORDER.len())?),
            None => None,
        };
        let mut rows = self
            .store()
            .page::<E>(filters, after.as_deref(), i64::from(limit) + 1)
            .await
            .map_err(store_error)?;
        let has_more = rows.len() > limit as usize;
        rows.truncate(limit as usize);
        let cursor = if has_more {
            rows.last().map(|row| encode_cursor(&row.sort_key()))
        } else {
            None
        };
        Ok((
            rows.into_iter().map(E::wire).collect(),
            Pagination {
                limit,
                cursor,
                has_more,
            },
        ))
    }

    /// Commits `statements` for the `E` with `id` and, when `space` is not empty, its audit row
    /// (`<kind>.<verb>`, the caller as actor, the changed column names as trace), all or nothing.
    /// A unique-key clash answers `conflict`; an update that matched no live row, the 404.
    pub(super) async fn change<E: Entity>(
        &self,
        ctx: &Call,
        verb: &str,
        id: &str,
        space: &str,
        statements: &[Statement],
        conflict: ErrorCode,
    ) -> Result<E::Wire, ApiError> {
        let principal: &Principal = &ctx.principal;
        let audit = (!space.is_empty()).then(|| {
            let fields: Vec<&str> = statements
                .iter()
                .flat_map(Statement::changed_columns)
                .collect();
            self.audit_entry(
                ctx,
                principal,
                &format!("{}.{verb}", E::KIND),
                (E::KIND, id),
                space,
                serde_json::json!({ "fields": fields }),
            )
        });
        match self
            .store()
            .commit::<E>(statements, audit.as_ref(), id)
            .await
        {
            Ok(Some(row)) => Ok(row.wire()),
            Ok(None) => Err(not_found::<E>()),
            Err(StoreError::Conflict { .. }) => {
                Err(
                    ApiError::new(StatusCode::CONFLICT, conflict, conflict_message(conflict))
                        .with_details("a row with the same id or unique key exists".into()),
                )
            }
            Err(e) => Err(store_error(e)),
        }
    }

    /// 404 `SPACE_NOT_FOUND` unless the path's space exists.
    pub(super) async fn space_must_exist(&self, space_id: &str) -> Result<(), ApiError> {
        if self
            .store()
            .space_exists(space_id)
            .await
            .map_err(store_error)?
        {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::SpaceNotFound,
                "Space was not found.",
            ))
        }
    }

    /// Updates the live `E` with `id` in `space_id` (`table` is its table): `set` plus
    /// `updated_at`, audited as `<kind>.<verb>` in that space. 404 when it is not in the space.
    pub(super) async fn update_in_space<E: Entity>(
        &self,
        ctx: &Call,
        table: &str,
        space_id: &str,
        id: &str,
        verb: &str,
        mut set: Vec<(&'static str, Value)>,
    ) -> Result<E::Wire, ApiError> {
        let current = self.found::<E>(id, Some(space_id)).await?;
        set.push(("updated_at", self.now_text().into()));
        self.change::<E>(
            ctx,
            verb,
            id,
            current.space_id(),
            &[Statement::update(table, id, set)],
            E::UPDATE_FAILED,
        )
        .await
    }

    /// The current time as stored.
    pub(super) fn now_text(&self) -> String {
        time::format(self.now())
    }

    /// `audit_space_id` of a users/permissions body: `""` when absent, else an existing space.
    pub(super) async fn audit_space(
        &self,
        audit_space_id: Option<String>,
    ) -> Result<String, ApiError> {
        let space = audit_space_id.unwrap_or_default().trim().to_string();
        if !space.is_empty()
            && !self
                .store()
                .space_exists(&space)
                .await
                .map_err(store_error)?
        {
            return Err(invalid(
                "audit_space_id does not reference an existing Space",
            ));
        }
        Ok(space)
    }
}

fn not_found<E: Entity>() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, E::NOT_FOUND.0, E::NOT_FOUND.1)
}

fn conflict_message(code: ErrorCode) -> &'static str {
    if code.as_str().ends_with("_CREATE_FAILED") {
        "The record could not be created."
    } else if code.as_str().ends_with("_REVOKE_FAILED") {
        "The record could not be revoked."
    } else {
        "The record could not be updated."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_splits_words() {
        assert_eq!(title_case("finance_approver"), "Finance Approver");
        assert_eq!(title_case("apac"), "Apac");
        assert_eq!(title_case("accounts-payable"), "Accounts Payable");
        assert_eq!(title_case(""), "");
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let key = vec!["a@example.com".to_string(), "user_1".to_string()];
        let cursor = encode_cursor(&key);
        assert_eq!(decode_cursor(&cursor, 2).unwrap(), key);
        assert!(decode_cursor(&cursor, 3).is_err());
        assert!(decode_cursor("not base64!", 2).is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode(b"{\"a\":1}"), 2).is_err());
    }
}
