-- The dashboard (docs/dashboard.md): server-side sessions, one-time sign-in links, and
-- the indexes its aggregate queries read.

-- A signed-in browser. The cookie holds a 256-bit random token; only its SHA-256 is
-- stored, so a copy of the database signs no one in. What a session may do is its API
-- key's scopes, read afresh on every request: a revoked key ends its sessions.
CREATE TABLE dashboard_sessions (
    token_hash   TEXT PRIMARY KEY NOT NULL,     -- lowercase hex sha256(token)
    api_key_id   TEXT NOT NULL REFERENCES api_keys(id),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,                 -- idle expiry counts from here
    expires_at   TEXT NOT NULL                  -- absolute expiry
);
CREATE INDEX dashboard_sessions_key ON dashboard_sessions(api_key_id);
CREATE INDEX dashboard_sessions_expiry ON dashboard_sessions(expires_at);

-- One-time sign-in links (`postq demo` prints one): used once, then deleted.
CREATE TABLE dashboard_signin_links (
    token_hash TEXT PRIMARY KEY NOT NULL,       -- lowercase hex sha256(token)
    api_key_id TEXT NOT NULL REFERENCES api_keys(id),
    expires_at TEXT NOT NULL
);

-- Targets: the newest scan and the history of each (type, target) are one index range.
CREATE INDEX scans_org_target ON scans(org_id, type, target, id);
-- Risk over time: a covering range over an organisation's scans by time.
CREATE INDEX scans_org_created ON scans(org_id, created_at, risk_score);
-- Rollovers by status (the readiness score counts completed ones).
CREATE INDEX tls_rollovers_org_status ON tls_rollovers(org_id, status);
