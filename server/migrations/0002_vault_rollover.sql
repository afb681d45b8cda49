-- Issue 4: the credential vault and hybrid TLS rollovers (docs/api-vault-rollover.md).

-- Vault credentials. Each credential has its own pqseal-v1 recipient key (ML-KEM-768 +
-- X25519): the 96-byte seed is AES-256-GCM under the server KEK (kek.rs) with
-- aad = "postq:vault-key:<id>:v<version>", and `ciphertext` is the pqseal-v1 envelope of
-- the values (compact JSON) with the credential id as associated data. Plain values are
-- never stored. Rotate replaces both columns in place (the old ones are gone; the
-- database runs with secure_delete so freed pages are zeroed); delete removes the row.
CREATE TABLE vault_credentials (
    id                TEXT PRIMARY KEY NOT NULL,   -- cred_<ulid>
    org_id            TEXT NOT NULL REFERENCES orgs(id),
    name              TEXT NOT NULL,
    credential_type   TEXT NOT NULL,
    value_keys        TEXT NOT NULL,               -- JSON array of the value names
    version           INTEGER NOT NULL,
    seal_fingerprint  TEXT NOT NULL,               -- sha256 hex of the seal public key
    sealed_seed       BLOB NOT NULL,               -- KEK-sealed 96-byte seal key seed
    ciphertext        BLOB NOT NULL,               -- pqseal-v1 envelope, aad = id
    created_at        TEXT NOT NULL,
    rotated_at        TEXT,
    expires_at        TEXT                         -- NULL = no expiry
);
CREATE INDEX vault_credentials_org ON vault_credentials(org_id, id);

-- Hybrid TLS rollovers. Only public material: the certificate, its binding and the
-- plan. The ECDSA private key is returned once by the create call and never stored.
CREATE TABLE tls_rollovers (
    id                        TEXT PRIMARY KEY NOT NULL,   -- tlsr_<ulid>
    org_id                    TEXT NOT NULL REFERENCES orgs(id),
    finding_id                TEXT NOT NULL REFERENCES findings(id),
    scan_id                   TEXT NOT NULL REFERENCES scans(id),
    hostname                  TEXT NOT NULL,               -- normalised, [a-z0-9.-]
    status                    TEXT NOT NULL,
    serial                    TEXT NOT NULL,
    not_before                TEXT NOT NULL,
    not_after                 TEXT NOT NULL,
    certificate_pem           TEXT NOT NULL,
    binding                   TEXT NOT NULL,
    pq_public_key_fingerprint TEXT NOT NULL,
    observation_window_hours  INTEGER NOT NULL,
    plan                      TEXT NOT NULL,               -- JSON array of stages
    history                   TEXT NOT NULL,               -- JSON array of transitions
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
);
CREATE INDEX tls_rollovers_org ON tls_rollovers(org_id, id);
