-- Identity and sessions. Timestamps are RFC 3339 UTC text with second precision
-- (`2026-05-12T01:00:00Z`) on both backends, so the same SQL compares them in both.
CREATE TABLE users (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL,
    username            TEXT NOT NULL DEFAULT '',
    phone               TEXT NOT NULL DEFAULT '',
    password_hash       TEXT,
    status              TEXT NOT NULL DEFAULT 'active',
    metadata            TEXT NOT NULL DEFAULT '{}',
    password_changed_at TEXT,
    last_login_at       TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE spaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    slug       TEXT NOT NULL DEFAULT '',
    type       TEXT NOT NULL DEFAULT 'custom',
    status     TEXT NOT NULL DEFAULT 'active',
    metadata   TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE members (
    id           TEXT PRIMARY KEY,
    space_id     TEXT NOT NULL REFERENCES spaces (id),
    display_name TEXT NOT NULL,
    member_type  TEXT NOT NULL DEFAULT 'human',
    status       TEXT NOT NULL DEFAULT 'active',
    metadata     TEXT NOT NULL DEFAULT '{}',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);

CREATE TABLE user_members (
    id                  TEXT PRIMARY KEY,
    user_id             TEXT NOT NULL REFERENCES users (id),
    member_id           TEXT NOT NULL REFERENCES members (id),
    space_id            TEXT NOT NULL REFERENCES spaces (id),
    relation_type       TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'active',
    is_primary          BOOLEAN NOT NULL DEFAULT FALSE,
    expires_at          TEXT,
    linked_by_member_id TEXT NOT NULL DEFAULT '',
    linked_at           TEXT,
    revoked_at          TEXT,
    revoked_reason      TEXT NOT NULL DEFAULT '',
    metadata            TEXT NOT NULL DEFAULT '{}',
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT
);
CREATE INDEX user_members_user ON user_members (user_id);

-- Tokens are stored only as keyed hashes. `previous_refresh_hash` is the refresh token the last
-- rotation replaced: presenting it again revokes the session (reuse detection).
CREATE TABLE sessions (
    id                    TEXT PRIMARY KEY,
    user_id               TEXT NOT NULL REFERENCES users (id),
    access_hash           TEXT NOT NULL UNIQUE,
    refresh_hash          TEXT NOT NULL UNIQUE,
    previous_refresh_hash TEXT,
    active_space_id       TEXT NOT NULL DEFAULT '',
    active_member_id      TEXT NOT NULL DEFAULT '',
    active_user_member_id TEXT NOT NULL DEFAULT '',
    ip_address            TEXT NOT NULL DEFAULT '',
    user_agent            TEXT NOT NULL DEFAULT '',
    expires_at            TEXT NOT NULL,
    refresh_expires_at    TEXT NOT NULL,
    revoked_at            TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX sessions_previous_refresh ON sessions (previous_refresh_hash);
