-- Admin grants (registration creates the first ones) and the row every registration updates
-- first, which serialises registrations on both backends (a row lock on PostgreSQL, the write
-- lock on SQLite), so concurrent registrations create at most one instance super admin.
CREATE TABLE admin_grants (
    id                   TEXT PRIMARY KEY,
    user_id              TEXT NOT NULL REFERENCES users (id),
    member_id            TEXT NOT NULL DEFAULT '',
    space_id             TEXT NOT NULL DEFAULT '',
    group_id             TEXT NOT NULL DEFAULT '',
    level                TEXT NOT NULL,
    permission_key       TEXT NOT NULL,
    status               TEXT NOT NULL DEFAULT 'active',
    granted_by_user_id   TEXT NOT NULL DEFAULT '',
    granted_by_member_id TEXT NOT NULL DEFAULT '',
    expires_at           TEXT,
    revoked_at           TEXT,
    revoked_reason       TEXT NOT NULL DEFAULT '',
    metadata             TEXT NOT NULL DEFAULT '{}',
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    deleted_at           TEXT
);
CREATE INDEX admin_grants_user ON admin_grants (user_id);

CREATE TABLE registration_lock (
    id      BIGINT PRIMARY KEY,
    counter BIGINT NOT NULL
);
INSERT INTO registration_lock (id, counter) VALUES (1, 0);
