//! What an authorization decision is made from, read in as few round trips as the decision
//! allows, and the decision's audit row (docs/behaviour.md §10.3 step 1, §10.6).
//!
//! A registry-mode check reads four things: the actor (one join over the binding, its user,
//! member and space), the registry entry (type, action and mapping in one query), the target with
//! its group, and the candidate grants (member roles, role permissions, permissions, roles and
//! anchor groups in one join). The four queries do not depend on each other, so they run
//! concurrently: a check costs one round trip of latency plus the audit insert. Context Mode reads
//! only the registry entry.

mod rows;

use super::{Store, StoreError, on_pool, read_row};
use crate::domain::authz::{
    Actor, Candidate, CheckRequest, Context, Group, Registry, Target, sort_candidates,
};
use rows::{ActorRow, CandidateRow, RegistryRow, TargetRow};

/// Why the rows of a decision could not be read; nothing is decided. The caller answers 400 for
/// an actor or target that does not exist and 500 for the rest.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Some actor row is missing or deleted, or the binding does not join the requested ids.
    #[error(
        "no live actor: user {user_id}, member {member_id}, binding {user_member_id}, space {space_id}"
    )]
    ActorMissing {
        /// Requested user.
        user_id: String,
        /// Requested member.
        member_id: String,
        /// Requested binding.
        user_member_id: String,
        /// Requested space.
        space_id: String,
    },
    /// The type and action are registered but the type has no storage mapping.
    #[error("resource type {0} has no mapping")]
    MappingMissing(String),
    /// No live resource of the requested type has the requested id.
    #[error("no live {resource_type} resource {resource_id}")]
    TargetMissing {
        /// Requested type.
        resource_type: String,
        /// Requested id.
        resource_id: String,
    },
}

/// The audit row of one decision, borrowed from the decision it records.
#[derive(Debug, Clone, Copy)]
pub struct DecisionAudit<'a> {
    /// `audit_<hex>`, the trace id's hex.
    pub id: &'a str,
    /// The actor's space.
    pub space_id: &'a str,
    /// Requested user.
    pub actor_user_id: &'a str,
    /// Requested member.
    pub actor_member_id: &'a str,
    /// Requested binding.
    pub actor_user_member_id: &'a str,
    /// `<resource_type>.<action>`
    pub action: &'a str,
    /// Resource type key.
    pub resource_type: &'a str,
    /// Resource id.
    pub resource_id: &'a str,
    /// `allow` or `deny`.
    pub decision: &'a str,
    /// Deny code, `""` on allow.
    pub deny_code: &'a str,
    /// Request id.
    pub request_id: &'a str,
    /// Client address.
    pub ip_address: &'a str,
    /// Client user agent.
    pub user_agent: &'a str,
    /// The whole decision as JSON.
    pub trace: &'a str,
    /// When.
    pub created_at: &'a str,
}

/// The binding with its user, member and space. Joining through the binding reads exactly the
/// requested rows (the binding must name the requested user, member and space); the member's own
/// space is read as stored, so a member of another space reaches the engine's same-space rule.
const ACTOR: &str = "SELECT u.id AS user_id, u.email AS user_email, u.status AS user_status, \
     um.id AS um_id, um.user_id AS um_user_id, um.member_id AS um_member_id, \
     um.space_id AS um_space_id, um.relation_type AS um_relation_type, um.status AS um_status, \
     um.is_primary AS um_is_primary, um.expires_at AS um_expires_at, \
     m.id AS member_id, m.space_id AS member_space_id, m.display_name AS member_display_name, \
     m.status AS member_status, s.id AS space_id, s.name AS space_name, s.status AS space_status \
     FROM user_members um \
     JOIN users u ON u.id = um.user_id AND u.deleted_at IS NULL \
     JOIN members m ON m.id = um.member_id AND m.deleted_at IS NULL \
     JOIN spaces s ON s.id = um.space_id AND s.deleted_at IS NULL \
     WHERE um.id = $1 AND um.user_id = $2 AND um.member_id = $3 AND um.space_id = $4 \
       AND um.deleted_at IS NULL";

/// The type by key with the action by (type, key) and the type's mapping. Statuses are not
/// filtered: the engine does not check them (§9).
const REGISTRY: &str = "SELECT rt.id AS type_id, rt.key AS type_key, \
     rt.display_name AS type_display_name, rt.description AS type_description, \
     rt.status AS type_status, rt.source AS type_source, rt.metadata AS type_metadata, \
     ra.id AS action_id, ra.key AS action_key, ra.display_name AS action_display_name, \
     ra.description AS action_description, ra.risk_level AS action_risk_level, \
     ra.audit_default AS action_audit_default, ra.metadata AS action_metadata, \
     rm.id AS mapping_id, rm.storage_kind AS mapping_storage_kind, \
     rm.table_name AS mapping_table_name, rm.id_field AS mapping_id_field, \
     rm.space_field AS mapping_space_field, rm.group_field AS mapping_group_field, \
     rm.owner_member_field AS mapping_owner_member_field, \
     rm.visibility_field AS mapping_visibility_field, \
     rm.metadata_field AS mapping_metadata_field, rm.status AS mapping_status, \
     rm.metadata AS mapping_metadata \
     FROM resource_types rt \
     LEFT JOIN resource_actions ra ON ra.resource_type_id = rt.id AND ra.key = $2 \
       AND ra.deleted_at IS NULL \
     LEFT JOIN resource_mappings rm ON rm.resource_type_id = rt.id AND rm.deleted_at IS NULL \
     WHERE rt.key = $1 AND rt.deleted_at IS NULL";

/// The resource by (type, id) with its group, if that group is live.
const TARGET: &str = "SELECT r.id, r.external_id, r.resource_type, r.space_id, r.group_id, \
     r.owner_member_id, r.display_name, r.visibility, r.status, r.metadata, \
     g.id AS group_row_id, g.space_id AS group_space_id, g.path AS group_path, \
     g.status AS group_status \
     FROM resources r LEFT JOIN groups g ON g.id = r.group_id AND g.deleted_at IS NULL \
     WHERE r.resource_type = $1 AND r.id = $2 AND r.deleted_at IS NULL";

/// A live group by id, else by path in a space: the group a proposed target names (§10.2
/// step 2). The id wins when both match different groups.
const PROPOSED_GROUP: &str = "SELECT id, space_id, path, status FROM groups \
     WHERE deleted_at IS NULL AND (id = $1 OR (space_id = $2 AND path = $3)) \
     ORDER BY CASE WHEN id = $4 THEN 0 ELSE 1 END LIMIT 1";

/// One row per (role permission × member role) of the member whose permission names the
/// requested type and action: active member roles, live role permissions, active permissions,
/// active roles, and the anchor group when it is live. The SQL order only makes ties stable;
/// the contract's order is applied with [`sort_candidates`] (byte-wise, whatever the collation).
const CANDIDATES: &str = "SELECT ro.id AS role_id, ro.key AS role_key, \
     ro.space_id AS role_space_id, p.id AS permission_id, p.resource AS permission_resource, \
     p.action AS permission_action, p.scope AS permission_scope, \
     mr.space_id AS member_role_space_id, g.id AS anchor_id, g.space_id AS anchor_space_id, \
     g.path AS anchor_path, g.status AS anchor_status \
     FROM member_roles mr \
     JOIN role_permissions rp ON rp.role_id = mr.role_id AND rp.deleted_at IS NULL \
     JOIN permissions p ON p.id = rp.permission_id AND p.status = 'active' \
       AND p.deleted_at IS NULL AND p.resource = $2 AND p.action = $3 \
     JOIN roles ro ON ro.id = mr.role_id AND ro.status = 'active' AND ro.deleted_at IS NULL \
     LEFT JOIN groups g ON g.id = mr.scope_anchor_group_id AND g.deleted_at IS NULL \
     WHERE mr.member_id = $1 AND mr.status = 'active' AND mr.deleted_at IS NULL \
     ORDER BY mr.id, rp.id";

impl Store {
    /// Everything a registry-mode decision looks at (§10.3 step 1): the actor rows, the registry
    /// entry, the target and the candidates, read concurrently.
    ///
    /// When the type or action is not registered the engine looks at neither target nor
    /// candidates, so their absence is then no error and the target stays empty.
    pub async fn registry_context(&self, request: CheckRequest) -> Result<Context, LoadError> {
        let (actor, registry, target, mut candidates) = tokio::try_join!(
            self.authz_actor(&request),
            self.authz_registry(&request.resource_type, &request.action),
            self.authz_target(&request.resource_type, &request.resource_id),
            self.authz_candidates(&request.member_id, &request.resource_type, &request.action),
        )?;
        let target = match target {
            Some(target) => target,
            None if is_complete(&registry) => {
                return Err(LoadError::TargetMissing {
                    resource_type: request.resource_type,
                    resource_id: request.resource_id,
                });
            }
            None => Target::default(),
        };
        sort_candidates(&mut candidates);
        Ok(Context {
            actor: actor_or_missing(actor, &request)?,
            registry,
            target,
            candidates,
            request,
        })
    }

    /// A decision on a target the caller described (Context Mode with only resource fields): the
    /// stored actor and candidates, the caller's target. The target need not be stored, but the
    /// group it names is: a stored group by `group_id`, else by `group_path` in the resource's
    /// space (the actor's when the resource names none). A group that is not stored stays
    /// missing, and the engine decides on that.
    pub async fn proposed_target_context(
        &self,
        request: CheckRequest,
        mut target: Target,
    ) -> Result<Context, LoadError> {
        let space = match target.resource.space_id.as_str() {
            "" => request.space_id.as_str(),
            named => named,
        };
        let (actor, registry, mut candidates, group) = tokio::try_join!(
            self.authz_actor(&request),
            self.authz_registry(&request.resource_type, &request.action),
            self.authz_candidates(&request.member_id, &request.resource_type, &request.action),
            self.proposed_group(
                &target.resource.group_id,
                space,
                &target.resource.group_path
            ),
        )?;
        if target.group.is_none() {
            target.group = group;
        }
        sort_candidates(&mut candidates);
        Ok(Context {
            actor: actor_or_missing(actor, &request)?,
            registry,
            target,
            candidates,
            request,
        })
    }

    /// The registry entry of `resource_type` and `action`. An unregistered type or action is a
    /// `None` for the engine to deny; a registered pair without a mapping is an error.
    pub async fn authz_registry(
        &self,
        resource_type: &str,
        action: &str,
    ) -> Result<Registry, LoadError> {
        let row = on_pool!(self, pool => async {
            let row = sqlx::query(REGISTRY)
                .bind(resource_type)
                .bind(action)
                .fetch_optional(pool)
                .await?;
            row.map(|row| {
                Ok::<_, sqlx::Error>(read_row!(&row, RegistryRow {
                    type_id, type_key, type_display_name, type_description, type_status,
                    type_source, type_metadata, action_id, action_key, action_display_name,
                    action_description, action_risk_level, action_audit_default,
                    action_metadata, mapping_id, mapping_storage_kind, mapping_table_name,
                    mapping_id_field, mapping_space_field, mapping_group_field,
                    mapping_owner_member_field, mapping_visibility_field,
                    mapping_metadata_field, mapping_status, mapping_metadata,
                }))
            })
            .transpose()
        }
        .await)
        .map_err(StoreError::from)?;
        let registry = row.map(RegistryRow::into_registry).unwrap_or_default();
        if registry.action.is_some() && registry.mapping.is_none() {
            return Err(LoadError::MappingMissing(resource_type.to_string()));
        }
        Ok(registry)
    }

    async fn authz_actor(&self, request: &CheckRequest) -> Result<Option<Actor>, LoadError> {
        let row = on_pool!(self, pool => async {
            let row = sqlx::query(ACTOR)
                .bind(&request.user_member_id)
                .bind(&request.user_id)
                .bind(&request.member_id)
                .bind(&request.space_id)
                .fetch_optional(pool)
                .await?;
            row.map(|row| {
                Ok::<_, sqlx::Error>(read_row!(&row, ActorRow {
                    user_id, user_email, user_status, um_id, um_user_id, um_member_id,
                    um_space_id, um_relation_type, um_status, um_is_primary, um_expires_at,
                    member_id, member_space_id, member_display_name, member_status, space_id,
                    space_name, space_status,
                }))
            })
            .transpose()
        }
        .await)
        .map_err(StoreError::from)?;
        Ok(row.map(ActorRow::into_actor))
    }

    async fn authz_target(
        &self,
        resource_type: &str,
        resource_id: &str,
    ) -> Result<Option<Target>, LoadError> {
        let row = on_pool!(self, pool => async {
            let row = sqlx::query(TARGET)
                .bind(resource_type)
                .bind(resource_id)
                .fetch_optional(pool)
                .await?;
            row.map(|row| {
                Ok::<_, sqlx::Error>(read_row!(&row, TargetRow {
                    id, external_id, resource_type, space_id, group_id, owner_member_id,
                    display_name, visibility, status, metadata, group_row_id, group_space_id,
                    group_path, group_status,
                }))
            })
            .transpose()
        }
        .await)
        .map_err(StoreError::from)?;
        Ok(row.map(TargetRow::into_target))
    }

    async fn proposed_group(
        &self,
        id: &str,
        space_id: &str,
        path: &str,
    ) -> Result<Option<Group>, LoadError> {
        let (id, path) = (id.trim(), path.trim());
        if id.is_empty() && path.is_empty() {
            return Ok(None);
        }
        let row = on_pool!(self, pool => async {
            let row = sqlx::query(PROPOSED_GROUP)
                .bind(id)
                .bind(space_id)
                .bind(path)
                .bind(id)
                .fetch_optional(pool)
                .await?;
            row.map(|row| Ok::<_, sqlx::Error>(read_row!(&row, Group { id, space_id, path, status })))
                .transpose()
        }
        .await)
        .map_err(StoreError::from)?;
        Ok(row)
    }

    async fn authz_candidates(
        &self,
        member_id: &str,
        resource_type: &str,
        action: &str,
    ) -> Result<Vec<Candidate>, LoadError> {
        let rows = on_pool!(self, pool => async {
            let rows = sqlx::query(CANDIDATES)
                .bind(member_id)
                .bind(resource_type)
                .bind(action)
                .fetch_all(pool)
                .await?;
            rows.iter()
                .map(|row| {
                    Ok::<_, sqlx::Error>(read_row!(row, CandidateRow {
                        role_id, role_key, role_space_id, permission_id, permission_resource,
                        permission_action, permission_scope, member_role_space_id, anchor_id,
                        anchor_space_id, anchor_path, anchor_status,
                    }))
                })
                .collect::<Result<Vec<_>, _>>()
        }
        .await)
        .map_err(StoreError::from)?;
        Ok(rows.into_iter().map(CandidateRow::into_candidate).collect())
    }

    /// Appends the audit row of a decision and returns once it is durable. Rows of concurrent
    /// decisions share one insert and one commit (`audit_queue`). Audit rows are never updated
    /// or deleted.
    pub async fn append_decision_audit(&self, row: &DecisionAudit<'_>) -> Result<(), StoreError> {
        let values = [
            row.id,
            row.space_id,
            row.actor_user_id,
            row.actor_member_id,
            row.actor_user_member_id,
            row.action,
            row.resource_type,
            row.resource_id,
            row.decision,
            row.deny_code,
            row.request_id,
            row.ip_address,
            row.user_agent,
            row.trace,
            row.created_at,
        ]
        .map(str::to_owned);
        self.audit_queue.append(&self.pool, values).await?;
        Ok(())
    }
}

/// Whether the engine will look at the target: the type and the action are both registered.
fn is_complete(registry: &Registry) -> bool {
    registry.resource_type.is_some() && registry.action.is_some()
}

fn actor_or_missing(actor: Option<Actor>, request: &CheckRequest) -> Result<Actor, LoadError> {
    actor.ok_or_else(|| LoadError::ActorMissing {
        user_id: request.user_id.clone(),
        member_id: request.member_id.clone(),
        user_member_id: request.user_member_id.clone(),
        space_id: request.space_id.clone(),
    })
}
