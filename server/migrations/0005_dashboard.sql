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

-- Targets: one row per (type, target) of an organisation with its newest scan and scan
-- count, kept by every scan insert (store/scans.rs) in the same transaction. The
-- overview reads one row per target instead of grouping every scan.
CREATE TABLE scan_targets (
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    type           TEXT NOT NULL,
    target         TEXT NOT NULL,
    latest_scan_id TEXT NOT NULL REFERENCES scans(id),
    scans          INTEGER NOT NULL,
    PRIMARY KEY (org_id, type, target)
);
INSERT INTO scan_targets (org_id, type, target, latest_scan_id, scans)
    SELECT org_id, type, target, MAX(id), COUNT(*) FROM scans GROUP BY org_id, type, target;

-- Risk over time: scans and the sum of their risk scores per hour and per minute of
-- `created_at` (its first 13 / 16 characters), kept by every scan insert. A chart reads
-- at most 2 160 hourly rows (90 days) or 180 minutely ones, whatever the scan count.
CREATE TABLE scan_risk_hourly (
    org_id   TEXT NOT NULL REFERENCES orgs(id),
    hour     TEXT NOT NULL,                     -- 2026-11-22T06
    scans    INTEGER NOT NULL,
    risk_sum REAL NOT NULL,
    PRIMARY KEY (org_id, hour)
);
INSERT INTO scan_risk_hourly (org_id, hour, scans, risk_sum)
    SELECT org_id, substr(created_at, 1, 13), COUNT(*), SUM(risk_score) FROM scans
    GROUP BY org_id, substr(created_at, 1, 13);
CREATE TABLE scan_risk_minutely (
    org_id   TEXT NOT NULL REFERENCES orgs(id),
    minute   TEXT NOT NULL,                     -- 2026-11-22T06:30
    scans    INTEGER NOT NULL,
    risk_sum REAL NOT NULL,
    PRIMARY KEY (org_id, minute)
);
INSERT INTO scan_risk_minutely (org_id, minute, scans, risk_sum)
    SELECT org_id, substr(created_at, 1, 16), COUNT(*), SUM(risk_score) FROM scans
    GROUP BY org_id, substr(created_at, 1, 16);

-- A target's history (and its trend) is one index range.
CREATE INDEX scans_org_target ON scans(org_id, type, target, id);
-- Rollovers by status (the readiness score counts completed ones).
CREATE INDEX tls_rollovers_org_status ON tls_rollovers(org_id, status);
