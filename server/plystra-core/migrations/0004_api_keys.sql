-- API keys (behaviour.md §13). Only the keyed hash of the whole plaintext is kept; `key_prefix`
-- (`ply_ak_<id>`) is what lists show. `permission_keys` is a JSON array of strings.
CREATE TABLE api_keys (
    id                   TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    key_prefix           TEXT NOT NULL,
    key_hash             TEXT NOT NULL UNIQUE,
    level                TEXT NOT NULL,
    space_id             TEXT NOT NULL DEFAULT '',
    group_id             TEXT NOT NULL DEFAULT '',
    permission_keys      TEXT NOT NULL DEFAULT '[]',
    status               TEXT NOT NULL DEFAULT 'active',
    expires_at           TEXT,
    last_used_at         TEXT,
    created_by_user_id   TEXT NOT NULL DEFAULT '',
    created_by_member_id TEXT NOT NULL DEFAULT '',
    revoked_at           TEXT,
    revoked_by_user_id   TEXT NOT NULL DEFAULT '',
    revoked_reason       TEXT NOT NULL DEFAULT '',
    metadata             TEXT NOT NULL DEFAULT '{}',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    deleted_at           TEXT
);

-- Secrets the server generates for itself when none is configured (development only: production
-- refuses to start without configured secrets). Shared by every replica on the database.
CREATE TABLE instance_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TEXT NOT NULL
);
