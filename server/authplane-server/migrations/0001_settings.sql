-- Server-wide settings, one row per key, the same SQL on SQLite and PostgreSQL (timestamps are
-- RFC 3339 UTC text). The skeleton keeps one key, `issuer`: the issuer this database last served,
-- so that a start with a different one is noticed (tokens and client registrations are bound to
-- the issuer they were made under).
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
