-- Scope, roles, the resource registry, resources and the audit log (behaviour.md §8, §9, §11).
-- Only what cannot be joined is stored: display fields such as a member role's `role_key` or
-- `member_display_name`, a role permission's `resource`/`action`/`scope`/`space_id` and a
-- resource's `group_path` come from the rows they name. Optional references are `''` (no foreign
-- key), like `user_members.linked_by_member_id`.

-- Groups form a tree per space through dot-separated materialised paths (`finance.apac`);
-- `depth` is the number of dots and `parent_group_id` is `''` for a root.
CREATE TABLE groups (
    id              TEXT PRIMARY KEY,
    space_id        TEXT NOT NULL REFERENCES spaces (id),
    parent_group_id TEXT NOT NULL DEFAULT '',
    name            TEXT NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    path            TEXT NOT NULL,
    depth           BIGINT NOT NULL DEFAULT 0,
    sort_order      BIGINT NOT NULL DEFAULT 1000,
    status          TEXT NOT NULL DEFAULT 'active',
    metadata        TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
);
CREATE UNIQUE INDEX groups_space_path_key ON groups (space_id, path);
CREATE INDEX groups_parent ON groups (parent_group_id);

CREATE TABLE roles (
    id          TEXT PRIMARY KEY,
    space_id    TEXT NOT NULL REFERENCES spaces (id),
    key         TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active',
    metadata    TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX roles_space_key_key ON roles (space_id, key);

-- Permissions are global; scope is `self`, `group`, `group_tree`, `space` or `global` (always
-- stored disabled).
CREATE TABLE permissions (
    id          TEXT PRIMARY KEY,
    resource    TEXT NOT NULL,
    action      TEXT NOT NULL,
    scope       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active',
    metadata    TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE UNIQUE INDEX permissions_resource_action_scope_key ON permissions (resource, action, scope);

-- Upserted by (role, permission), which also clears `deleted_at`; DELETE is a soft delete.
CREATE TABLE role_permissions (
    id            TEXT PRIMARY KEY,
    role_id       TEXT NOT NULL REFERENCES roles (id),
    permission_id TEXT NOT NULL REFERENCES permissions (id),
    metadata      TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT
);
CREATE UNIQUE INDEX role_permissions_role_permission_key ON role_permissions (role_id, permission_id);
CREATE INDEX role_permissions_permission ON role_permissions (permission_id);

-- A role held by a member, anchored at a group of the same space (`''`: no anchor).
CREATE TABLE member_roles (
    id                    TEXT PRIMARY KEY,
    space_id              TEXT NOT NULL REFERENCES spaces (id),
    member_id             TEXT NOT NULL REFERENCES members (id),
    role_id               TEXT NOT NULL REFERENCES roles (id),
    scope_anchor_group_id TEXT NOT NULL DEFAULT '',
    status                TEXT NOT NULL DEFAULT 'active',
    metadata              TEXT NOT NULL DEFAULT '{}',
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    deleted_at            TEXT
);
CREATE INDEX member_roles_member ON member_roles (member_id);
CREATE INDEX member_roles_space ON member_roles (space_id);
CREATE INDEX member_roles_role ON member_roles (role_id);

-- The resource registry: types are upserted by key, actions by (type, key), one mapping per type.
CREATE TABLE resource_types (
    id           TEXT PRIMARY KEY,
    key          TEXT NOT NULL,
    display_name TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'active',
    source       TEXT NOT NULL DEFAULT 'core',
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);
CREATE UNIQUE INDEX resource_types_key_key ON resource_types (key);

CREATE TABLE resource_actions (
    id               TEXT PRIMARY KEY,
    resource_type_id TEXT NOT NULL REFERENCES resource_types (id),
    key              TEXT NOT NULL,
    display_name     TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    risk_level       TEXT NOT NULL DEFAULT 'normal',
    audit_default    BOOLEAN NOT NULL DEFAULT TRUE,
    metadata         TEXT NOT NULL DEFAULT '{}',
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    deleted_at       TEXT
);
CREATE UNIQUE INDEX resource_actions_type_key_key ON resource_actions (resource_type_id, key);

CREATE TABLE resource_mappings (
    id                 TEXT PRIMARY KEY,
    resource_type_id   TEXT NOT NULL REFERENCES resource_types (id),
    storage_kind       TEXT NOT NULL DEFAULT 'internal_table',
    table_name         TEXT NOT NULL DEFAULT '',
    id_field           TEXT NOT NULL DEFAULT 'id',
    space_field        TEXT NOT NULL DEFAULT 'space_id',
    group_field        TEXT NOT NULL DEFAULT '',
    owner_member_field TEXT NOT NULL DEFAULT '',
    visibility_field   TEXT NOT NULL DEFAULT '',
    metadata_field     TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'active',
    metadata           TEXT NOT NULL DEFAULT '{}',
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    deleted_at         TEXT
);
CREATE UNIQUE INDEX resource_mappings_type_key ON resource_mappings (resource_type_id);

-- Resources of every type in one table; ids are global. `resource_type` is the type's key.
CREATE TABLE resources (
    id              TEXT PRIMARY KEY,
    resource_type   TEXT NOT NULL,
    external_id     TEXT NOT NULL DEFAULT '',
    display_name    TEXT NOT NULL DEFAULT '',
    space_id        TEXT NOT NULL REFERENCES spaces (id),
    group_id        TEXT NOT NULL DEFAULT '',
    owner_member_id TEXT NOT NULL DEFAULT '',
    visibility      TEXT NOT NULL DEFAULT 'private',
    status          TEXT NOT NULL DEFAULT 'active',
    metadata        TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
);
CREATE INDEX resources_space_type ON resources (space_id, resource_type);
CREATE INDEX resources_group ON resources (group_id);

-- Append-only decision and mutation log. `trace` is the decision JSON (detail view only).
CREATE TABLE audit_logs (
    id                   TEXT PRIMARY KEY,
    space_id             TEXT NOT NULL DEFAULT '',
    actor_user_id        TEXT NOT NULL DEFAULT '',
    actor_member_id      TEXT NOT NULL DEFAULT '',
    actor_user_member_id TEXT NOT NULL DEFAULT '',
    action               TEXT NOT NULL DEFAULT '',
    resource_type        TEXT NOT NULL DEFAULT '',
    resource_id          TEXT NOT NULL DEFAULT '',
    decision             TEXT NOT NULL DEFAULT '',
    deny_code            TEXT NOT NULL DEFAULT '',
    request_id           TEXT NOT NULL DEFAULT '',
    ip_address           TEXT NOT NULL DEFAULT '',
    user_agent           TEXT NOT NULL DEFAULT '',
    trace                TEXT NOT NULL DEFAULT '{}',
    created_at           TEXT NOT NULL
);
CREATE INDEX audit_logs_created ON audit_logs (created_at);
CREATE INDEX audit_logs_space_created ON audit_logs (space_id, created_at);
