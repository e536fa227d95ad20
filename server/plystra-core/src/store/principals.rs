//! What authentication and scope checks read: grants in force, API keys by hash, the stored
//! scope of an entity, a group's path.

use super::{Store, StoreError, on_pool};
use crate::domain::principal::{
    ActiveGrant, ActiveKey, EntityKind, GrantLevel, GroupRef, Holding, Reach,
};

/// Grants of a user that are in force at `$2`, with the path of a group grant's group.
const GRANTS_IN_FORCE: &str = "SELECT ag.id, ag.level, ag.permission_key, ag.space_id, ag.group_id, \
     g.space_id, g.path FROM admin_grants ag LEFT JOIN groups g ON g.id = ag.group_id AND g.deleted_at IS NULL \
     WHERE ag.user_id = $1 AND ag.status = 'active' AND ag.deleted_at IS NULL \
       AND ag.revoked_at IS NULL AND (ag.expires_at IS NULL OR ag.expires_at > $2) \
     ORDER BY ag.created_at, ag.id";

/// The API key with hash `$1` if it authenticates at `$2`.
const KEY_IN_FORCE: &str = "SELECT k.id, k.level, k.permission_keys, k.space_id, k.group_id, \
     k.created_by_user_id, k.last_used_at, g.space_id, g.path FROM api_keys k \
     LEFT JOIN groups g ON g.id = k.group_id AND g.deleted_at IS NULL \
     WHERE k.key_hash = $1 AND k.status = 'active' AND k.deleted_at IS NULL \
       AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > $2)";

type GrantRow = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
);
type KeyRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn group(id: String, space: Option<String>, path: Option<String>) -> Option<GroupRef> {
    match (space, path) {
        (Some(space_id), Some(path)) if !id.is_empty() => Some(GroupRef { id, space_id, path }),
        _ => None,
    }
}

/// An API key that authenticated, and when it was last stamped as used.
#[derive(Debug, Clone)]
pub struct AuthenticatedKey {
    /// The key as a principal.
    pub key: ActiveKey,
    /// `last_used_at` before this request.
    pub last_used_at: Option<String>,
}

impl Store {
    /// The admin grants of `user_id` in force at `now`. Rows with an unknown level are skipped.
    pub async fn grants_in_force(
        &self,
        user_id: &str,
        now: &str,
    ) -> Result<Vec<ActiveGrant>, StoreError> {
        let rows: Vec<GrantRow> = on_pool!(self, pool => sqlx::query_as(GRANTS_IN_FORCE).bind(user_id).bind(now).fetch_all(pool).await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, level, key, space_id, group_id, g_space, g_path)| {
                let level = GrantLevel::parse(&level)?;
                Some(ActiveGrant {
                    id,
                    level,
                    permission_key: key,
                    holding: Holding {
                        reach: level.reach(),
                        space_id,
                        group: group(group_id, g_space, g_path),
                    },
                })
            })
            .collect())
    }

    /// The API key stored under one of `hashes`, if it authenticates at `now`.
    pub async fn key_in_force(
        &self,
        hashes: &[String],
        now: &str,
    ) -> Result<Option<AuthenticatedKey>, StoreError> {
        for hash in hashes {
            let row: Option<KeyRow> = on_pool!(self, pool => sqlx::query_as(KEY_IN_FORCE).bind(hash).bind(now).fetch_optional(pool).await)?;
            let Some((id, level, keys, space_id, group_id, creator, last_used_at, g_space, g_path)) =
                row
            else {
                continue;
            };
            let Some(reach) = Reach::parse_key_level(&level) else {
                return Ok(None);
            };
            let permission_keys: Vec<String> = serde_json::from_str(&keys).unwrap_or_default();
            return Ok(Some(AuthenticatedKey {
                key: ActiveKey {
                    id,
                    permission_keys,
                    holding: Holding {
                        reach,
                        space_id,
                        group: group(group_id, g_space, g_path),
                    },
                    created_by_user_id: creator,
                },
                last_used_at,
            }));
        }
        Ok(None)
    }

    /// Stamps a key's `last_used_at`.
    pub async fn touch_api_key(&self, id: &str, now: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2").bind(now).bind(id).execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    /// The stored `(space, group)` of an entity that exists and is not deleted (`""` → `None`).
    pub async fn entity_scope(
        &self,
        kind: EntityKind,
        id: &str,
    ) -> Result<Option<(Option<String>, Option<String>)>, StoreError> {
        let sql = match kind {
            EntityKind::Group => {
                "SELECT space_id, id FROM groups WHERE id = $1 AND deleted_at IS NULL"
            }
            EntityKind::Member => {
                "SELECT space_id, '' FROM members WHERE id = $1 AND deleted_at IS NULL"
            }
            EntityKind::UserMember => {
                "SELECT space_id, '' FROM user_members WHERE id = $1 AND deleted_at IS NULL"
            }
            EntityKind::Role => {
                "SELECT space_id, '' FROM roles WHERE id = $1 AND deleted_at IS NULL"
            }
            EntityKind::Resource => {
                "SELECT space_id, group_id FROM resources WHERE id = $1 AND deleted_at IS NULL"
            }
            EntityKind::AuditLog => "SELECT space_id, '' FROM audit_logs WHERE id = $1",
            EntityKind::AdminGrant => {
                "SELECT space_id, group_id FROM admin_grants WHERE id = $1 AND deleted_at IS NULL"
            }
        };
        let row: Option<(String, String)> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_optional(pool).await)?;
        let some = |s: String| (!s.is_empty()).then_some(s);
        Ok(row.map(|(space, group)| (some(space), some(group))))
    }

    /// A live group's space and path.
    pub async fn group_ref(&self, id: &str) -> Result<Option<GroupRef>, StoreError> {
        let row: Option<(String, String)> = on_pool!(self, pool => sqlx::query_as("SELECT space_id, path FROM groups WHERE id = $1 AND deleted_at IS NULL").bind(id).fetch_optional(pool).await)?;
        Ok(row.map(|(space_id, path)| GroupRef {
            id: id.to_string(),
            space_id,
            path,
        }))
    }

    /// A generated secret kept in the database under `name`, created on first use. Every
    /// replica on the database reads the same value.
    pub async fn instance_secret(&self, name: &str, now: &str) -> Result<String, StoreError> {
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        let value: String = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO instance_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
                .bind(name).bind(&fresh).bind(now).execute(&mut *tx).await?;
            let value: String = sqlx::query_scalar("SELECT value FROM instance_secrets WHERE name = $1").bind(name).fetch_one(&mut *tx).await?;
            tx.commit().await?;
            Ok::<String, sqlx::Error>(value)
        })?;
        Ok(value)
    }
}

impl Store {
    /// Whether a live space with this id exists.
    pub async fn space_exists(&self, id: &str) -> Result<bool, StoreError> {
        let found: Option<String> = on_pool!(self, pool => sqlx::query_scalar("SELECT id FROM spaces WHERE id = $1 AND deleted_at IS NULL").bind(id).fetch_optional(pool).await)?;
        Ok(found.is_some())
    }
}
