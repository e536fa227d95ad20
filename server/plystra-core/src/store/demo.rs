//! The Finance Reviewer demo (docs/behaviour.md §5): identities, groups, a role with its permission and
//! member role, the `invoice` registry entry and two invoices, created in one transaction.

use super::identity::DEMO_IDENTITIES;
use super::{Store, StoreError, on_pool};

/// Everything of the demo besides the identities, parents before children. `$1` is the creation
/// time. Group depth is the number of dots in the path.
const DEMO_ENTITIES: &[&str] = &[
    // Groups: finance, finance.apac, finance.emea, legal, legal.emea.
    "INSERT INTO groups (id, space_id, parent_group_id, name, display_name, path, depth, created_at, updated_at) VALUES ('group_finance', 'space_acme', '', 'finance', 'Finance', 'finance', 0, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO groups (id, space_id, parent_group_id, name, display_name, path, depth, created_at, updated_at) VALUES ('group_finance_apac', 'space_acme', 'group_finance', 'apac', 'APAC', 'finance.apac', 1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO groups (id, space_id, parent_group_id, name, display_name, path, depth, created_at, updated_at) VALUES ('group_finance_emea', 'space_acme', 'group_finance', 'emea', 'EMEA', 'finance.emea', 1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO groups (id, space_id, parent_group_id, name, display_name, path, depth, created_at, updated_at) VALUES ('group_legal', 'space_acme', '', 'legal', 'Legal', 'legal', 0, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO groups (id, space_id, parent_group_id, name, display_name, path, depth, created_at, updated_at) VALUES ('group_legal_emea', 'space_acme', 'group_legal', 'emea', 'EMEA', 'legal.emea', 1, $1, $1) ON CONFLICT (id) DO NOTHING",
    // Role, permission, and the member role anchored at Finance.
    "INSERT INTO roles (id, space_id, key, name, created_at, updated_at) VALUES ('role_finance_approver', 'space_acme', 'finance_approver', 'Finance Approver', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO permissions (id, resource, action, scope, description, created_at, updated_at) VALUES ('perm_invoice_approve_group_tree', 'invoice', 'approve', 'group_tree', 'Approve invoices in the anchor group and below.', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO role_permissions (id, role_id, permission_id, created_at, updated_at) VALUES ('rp_finance_approver_invoice_approve_group_tree', 'role_finance_approver', 'perm_invoice_approve_group_tree', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO member_roles (id, space_id, member_id, role_id, scope_anchor_group_id, created_at, updated_at) VALUES ('mr_finance_reviewer_approver_finance', 'space_acme', 'member_finance_reviewer', 'role_finance_approver', 'group_finance', $1, $1) ON CONFLICT (id) DO NOTHING",
    // Registry: the invoice type, its actions and its mapping onto the internal resources table.
    "INSERT INTO resource_types (id, key, display_name, description, created_at, updated_at) VALUES ('rt_invoice', 'invoice', 'Invoice', 'Financial invoice requiring approval or rejection.', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO resource_actions (id, resource_type_id, key, display_name, description, risk_level, created_at, updated_at) VALUES ('ra_invoice_read', 'rt_invoice', 'read', 'Read', 'Read invoice details.', 'normal', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO resource_actions (id, resource_type_id, key, display_name, description, risk_level, created_at, updated_at) VALUES ('ra_invoice_create', 'rt_invoice', 'create', 'Create', 'Create a new invoice.', 'normal', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO resource_actions (id, resource_type_id, key, display_name, description, risk_level, created_at, updated_at) VALUES ('ra_invoice_approve', 'rt_invoice', 'approve', 'Approve', 'Approve an invoice.', 'high', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO resource_actions (id, resource_type_id, key, display_name, description, risk_level, created_at, updated_at) VALUES ('ra_invoice_reject', 'rt_invoice', 'reject', 'Reject', 'Reject an invoice.', 'high', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO resource_actions (id, resource_type_id, key, display_name, description, risk_level, created_at, updated_at) VALUES ('ra_invoice_delete', 'rt_invoice', 'delete', 'Delete', 'Delete an invoice.', 'critical', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO resource_mappings (id, resource_type_id, storage_kind, table_name, id_field, space_field, group_field, owner_member_field, visibility_field, metadata_field, created_at, updated_at) VALUES ('rm_invoice_resources', 'rt_invoice', 'internal_table', 'resources', 'id', 'space_id', 'group_id', 'owner_member_id', 'visibility', 'metadata', $1, $1) ON CONFLICT (id) DO NOTHING",
    // Two invoices: one under Finance (covered by the member role), one under Legal (not covered).
    r#"INSERT INTO resources (id, resource_type, display_name, space_id, group_id, owner_member_id, visibility, metadata, created_at, updated_at) VALUES ('invoice_001', 'invoice', 'APAC Invoice INV-001', 'space_acme', 'group_finance_apac', 'member_invoice_creator', 'private', '{"number":"INV-001","region":"APAC"}', $1, $1) ON CONFLICT (id) DO NOTHING"#,
    r#"INSERT INTO resources (id, resource_type, display_name, space_id, group_id, owner_member_id, visibility, metadata, created_at, updated_at) VALUES ('invoice_002', 'invoice', 'Legal EMEA Invoice INV-002', 'space_acme', 'group_legal_emea', 'member_invoice_creator', 'private', '{"number":"INV-002","region":"EMEA"}', $1, $1) ON CONFLICT (id) DO NOTHING"#,
];

impl Store {
    /// Creates whatever is missing of the Finance Reviewer demo (docs/behaviour.md §5): the identities
    /// (alice and bob with `password_hash`), the five groups, role `finance_approver` with its
    /// permission and member role, the `invoice` registry entry and invoices `invoice_001`/`invoice_002`.
    /// One transaction; rows that exist (by id) are left as they are. Returns whether anything
    /// was created.
    pub async fn seed_demo(&self, password_hash: &str, now: &str) -> Result<bool, StoreError> {
        let created = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut created = 0;
            for statement in DEMO_IDENTITIES.iter().chain(DEMO_ENTITIES) {
                created += sqlx::query(statement).bind(now).bind(password_hash).execute(&mut *tx).await?.rows_affected();
            }
            tx.commit().await?;
            Ok::<u64, sqlx::Error>(created)
        })?;
        Ok(created > 0)
    }
}
