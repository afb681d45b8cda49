-- postq reference server: initial schema.
-- Portable SQL (TEXT/INTEGER/BLOB, no SQLite-only features beyond AUTOINCREMENT-free
-- keys) so that a PostgreSQL backend can carry the same tables.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
);

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY NOT NULL,       -- org_<ulid>
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- API keys are stored as SHA-256 of the whole key (keys are 192-bit random, so a fast
-- hash is the right tool); the plaintext is shown once and never stored.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY NOT NULL,      -- ak_<ulid>
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    name        TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,           -- lowercase hex sha256(key)
    key_prefix  TEXT NOT NULL,                  -- first characters, for display
    scopes      TEXT NOT NULL,                  -- space-separated
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_keys_org ON api_keys(org_id);

-- Scans: the ULID id is the keyset pagination key (newest first = id DESC).
CREATE TABLE scans (
    id          TEXT PRIMARY KEY NOT NULL,      -- scan_<ulid>
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    type        TEXT NOT NULL,
    target      TEXT NOT NULL,
    risk_score  REAL NOT NULL,
    risk_level  TEXT NOT NULL,
    source      TEXT NOT NULL,
    metadata    TEXT NOT NULL,                  -- JSON object
    created_at  TEXT NOT NULL
);
CREATE INDEX scans_org_id ON scans(org_id, id);

-- Findings have their own ids; the TLS rollover routes reference them.
CREATE TABLE findings (
    id          TEXT PRIMARY KEY NOT NULL,      -- fnd_<ulid>
    scan_id     TEXT NOT NULL REFERENCES scans(id),
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    position    INTEGER NOT NULL,
    severity    TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT,
    evidence    TEXT
);
CREATE INDEX findings_scan ON findings(scan_id, position);
CREATE INDEX findings_org ON findings(org_id, id);

-- Managed hybrid signing keys and their versions (Vault-Transit-like rotation).
CREATE TABLE hybrid_keys (
    id             TEXT PRIMARY KEY NOT NULL,   -- hk_<ulid>
    org_id         TEXT NOT NULL REFERENCES orgs(id),
    name           TEXT NOT NULL,
    algorithm      TEXT NOT NULL,
    backend        TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    min_version    INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    rotated_at     TEXT
);
CREATE INDEX hybrid_keys_org ON hybrid_keys(org_id, id);

-- Private halves are AES-256-GCM under the KEK (see kek.rs), with the key id and
-- version bound as associated data. Vault credentials (next issue) use the same sealing.
CREATE TABLE hybrid_key_versions (
    key_id         TEXT NOT NULL REFERENCES hybrid_keys(id),
    version        INTEGER NOT NULL,
    public_key     TEXT NOT NULL,               -- public key JSON (docs/formats.md 1)
    fingerprint    TEXT NOT NULL,
    sealed_private BLOB NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (key_id, version)
);

-- The audit ledger: one hash chain per organisation (docs/formats.md 6). Every audited
-- action of every resource type (keys, sign/verify, vault, rollovers) appends here.
CREATE TABLE ledger (
    org_id      TEXT NOT NULL REFERENCES orgs(id),
    seq         INTEGER NOT NULL,
    id          TEXT NOT NULL UNIQUE,           -- evt_<ulid>
    event_type  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    resource_id TEXT,
    occurred_at TEXT NOT NULL,
    details     TEXT NOT NULL,                  -- flat JSON object string -> string
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);
CREATE INDEX ledger_org_type ON ledger(org_id, event_type, seq);
CREATE INDEX ledger_org_time ON ledger(org_id, occurred_at, seq);

-- Idempotency-Key records, per API key: the request fingerprint and the stored response.
CREATE TABLE idempotency (
    api_key_id    TEXT NOT NULL,
    idem_key      TEXT NOT NULL,
    fingerprint   TEXT NOT NULL,                -- sha256(method, path, body)
    state         TEXT NOT NULL,                -- 'pending' | 'done'
    status        INTEGER,
    content_type  TEXT,
    response_body BLOB,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (api_key_id, idem_key)
);
