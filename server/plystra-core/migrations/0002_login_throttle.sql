-- Failed-login counters per key (`email:<normalised email>`, `ip:<client ip>`), shared by every
-- replica on the same database. A key is locked while `locked_until` is in the future.
CREATE TABLE login_throttle (
    key               TEXT PRIMARY KEY,
    failures          BIGINT NOT NULL,
    window_started_at TEXT NOT NULL,
    locked_until      TEXT
);
