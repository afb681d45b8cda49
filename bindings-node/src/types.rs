//! The JavaScript shapes of the API's requests and responses (`#[napi(object)]`, so the
//! generated `native.d.ts` describes them). They mirror the core's types field for field
//! (camelCase on both sides), so conversion is a serde round trip, not hand-written logic.

use std::collections::HashMap;

use napi::bindgen_prelude::Buffer;
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::invalid_input;

/// Convert between two serde types with the same JSON shape (core ↔ binding).
pub fn convert<A: Serialize, B: DeserializeOwned>(what: &str, value: &A) -> napi::Result<B> {
    let json = serde_json::to_value(value).map_err(|e| invalid_input(what, e))?;
    serde_json::from_value(json).map_err(|e| invalid_input(what, e))
}

// ------------------------------------------------------------------ configuration

/// Options of `new PostQ(...)`. Unset fields come from `POSTQ_API_KEY` /
/// `POSTQ_BASE_URL` and the core's defaults.
#[napi(object)]
#[derive(Default)]
pub struct ClientOptions {
    /// `pq_live_…` (default: `POSTQ_API_KEY`). Never printed.
    pub api_key: Option<String>,
    /// Default `POSTQ_BASE_URL` or `https://api.postq.dev`. Plain http only for loopback.
    pub base_url: Option<String>,
    /// Retries after the first attempt (default 2).
    pub max_retries: Option<u32>,
    /// Whole call including retries, in ms (default 180000).
    pub timeout_ms: Option<u32>,
    /// One attempt including the body, in ms (default 60000).
    pub attempt_timeout_ms: Option<u32>,
    /// Connection establishment, in ms (default 10000).
    pub connect_timeout_ms: Option<u32>,
    /// First backoff step in ms (default 500, doubles, jittered).
    pub initial_backoff_ms: Option<u32>,
    /// Longest `Retry-After` honoured, in ms (default 60000); longer fails fast.
    pub max_retry_after_ms: Option<u32>,
}

/// Per-call options (the core's `RequestOptions`).
#[napi(object)]
#[derive(Default)]
pub struct CallOptions {
    /// Retries for this call.
    pub max_retries: Option<u32>,
    /// Whole-call timeout for this call, in ms.
    pub timeout_ms: Option<u32>,
    /// Use this `Idempotency-Key` (POST) instead of a generated one.
    pub idempotency_key: Option<String>,
    /// Extra request headers (tracing ids, the reference server's `X-PostQ-Fault`).
    pub headers: Option<HashMap<String, String>>,
}

/// Paging of list calls.
#[napi(object)]
#[derive(Default)]
pub struct ListOptions {
    /// 1–100 (server default 50).
    pub limit: Option<u32>,
    /// `nextCursor` of the previous page.
    pub cursor: Option<String>,
}

// ------------------------------------------------------------------ health

/// `GET /health`.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

// ------------------------------------------------------------------ scans

/// A finding to submit.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FindingInput {
    /// `critical` `high` `medium` `low` `info`.
    #[napi(ts_type = "'critical' | 'high' | 'medium' | 'low' | 'info'")]
    pub severity: String,
    /// Short label, e.g. "RSA-2048 public key".
    pub title: String,
    /// Longer detail.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Supporting data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// `pq.scans.submit(...)` body.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanInput {
    /// `url`, `repo`, `k8s`, `cloud` or your own.
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub scan_type: String,
    /// Hostname, repo URL, cluster.
    pub target: String,
    /// 0–100.
    pub risk_score: f64,
    /// `Critical` `High` `Medium` `Low` `Info`.
    #[napi(ts_type = "'Critical' | 'High' | 'Medium' | 'Low' | 'Info'")]
    pub risk_level: String,
    /// Findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<FindingInput>>,
    /// Defaults to `sdk` on the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Free-form object (≤ 16 KiB).
    #[napi(ts_type = "Record<string, unknown>")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

/// A stored finding.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// `fnd_…` (TLS rollovers start from one).
    pub id: String,
    /// Severity.
    #[napi(ts_type = "'critical' | 'high' | 'medium' | 'low' | 'info'")]
    pub severity: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: Option<String>,
    /// Evidence.
    pub evidence: Option<String>,
}

/// A stored scan with its findings.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scan {
    /// `scan_…`.
    pub id: String,
    /// Dashboard permalink.
    pub url: String,
    /// Scan type.
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub scan_type: String,
    /// Target.
    pub target: String,
    /// 0–100.
    pub risk_score: f64,
    /// Aggregate level.
    #[napi(ts_type = "'Critical' | 'High' | 'Medium' | 'Low' | 'Info'")]
    pub risk_level: String,
    /// Where it came from.
    pub source: Option<String>,
    /// Free-form metadata.
    #[napi(ts_type = "Record<string, unknown> | null")]
    pub metadata: serde_json::Value,
    /// Findings with their ids.
    pub findings: Vec<Finding>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A scan in a list.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    /// `scan_…`.
    pub id: String,
    /// Dashboard permalink.
    pub url: Option<String>,
    /// Scan type.
    #[napi(js_name = "type")]
    #[serde(rename = "type")]
    pub scan_type: String,
    /// Target.
    pub target: String,
    /// 0–100.
    pub risk_score: f64,
    /// Aggregate level.
    #[napi(ts_type = "'Critical' | 'High' | 'Medium' | 'Low' | 'Info'")]
    pub risk_level: String,
    /// Where it came from.
    pub source: Option<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// One page of scans.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanPage {
    /// Newest first.
    pub data: Vec<ScanSummary>,
    /// `null` on the last page.
    #[napi(ts_type = "string | null")]
    pub next_cursor: Option<String>,
}

// ------------------------------------------------------------------ hybrid keys

/// `pq.hybridKeys.create(...)` body.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateKeyInput {
    /// A label, e.g. `release-signing`.
    pub name: String,
    /// `mldsa65+ed25519` (the default).
    #[napi(ts_type = "'mldsa65+ed25519'")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

/// `pq.hybridKeys.rotate(id, ...)` body.
#[napi(object)]
#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct RotateKeyInput {
    /// Retire versions below this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_version: Option<u32>,
}

/// One version of a key.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyVersion {
    /// From 1.
    pub version: u32,
    /// Public key JSON of this version.
    pub public_key: String,
    /// SHA-256 of the composite public key, hex.
    pub fingerprint: String,
    /// RFC 3339 UTC.
    pub created_at: String,
}

/// A managed hybrid signing key (the private half never leaves the server).
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HybridKey {
    /// `hk_…`, the `keyId` its signatures name.
    pub id: String,
    /// Label.
    pub name: String,
    /// `mldsa65+ed25519`.
    pub algorithm: String,
    /// Where the private key lives.
    pub backend: String,
    /// Post-quantum ready.
    pub pq_ready: bool,
    /// Latest version.
    pub version: u32,
    /// Versions below this no longer verify on the server.
    pub min_version: u32,
    /// Public key JSON of the latest version: publish it.
    pub public_key: String,
    /// Fingerprint of the latest version.
    pub fingerprint: String,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Last rotation.
    pub rotated_at: Option<String>,
    /// Every version (get, create, rotate).
    pub versions: Option<Vec<KeyVersion>>,
}

/// One page of keys.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPage {
    /// Newest first.
    pub data: Vec<HybridKey>,
    /// `null` on the last page.
    #[napi(ts_type = "string | null")]
    pub next_cursor: Option<String>,
}

/// A parsed, checked hybrid public key.
#[napi(object)]
pub struct PublicKeyInfo {
    /// The key id signatures name.
    pub key_id: String,
    /// Key version.
    pub version: u32,
    /// SHA-256 of `mldsa65 ‖ ed25519`, hex.
    pub fingerprint: String,
    /// The compact public key JSON (docs/formats.md §1).
    pub json: String,
    /// The same key as a JWK Set.
    pub jwk: String,
    /// Raw ML-DSA-65 public key (1952 bytes).
    pub mldsa65: Buffer,
    /// Raw Ed25519 public key (32 bytes).
    pub ed25519: Buffer,
}

impl PublicKeyInfo {
    /// From the core's parsed key.
    pub fn from_core(key: &postq::hybrid::HybridPublicKey) -> Self {
        PublicKeyInfo {
            key_id: key.key_id().to_owned(),
            version: key.version(),
            fingerprint: key.fingerprint(),
            json: key.to_json(),
            jwk: key.to_jwk(),
            mldsa65: key.mldsa65_bytes().into(),
            ed25519: key.ed25519_bytes().to_vec().into(),
        }
    }
}

// ------------------------------------------------------------------ sign / verify

/// A composite signature made by the server.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignResult {
    /// The base64 envelope (docs/formats.md §2).
    pub signature: String,
    /// Key that signed.
    pub key_id: String,
    /// Version that signed.
    pub key_version: u32,
    /// `mldsa65+ed25519`.
    pub algorithm: String,
    /// SHA-256 of the payload, hex.
    pub payload_sha256: String,
}

/// A verification verdict: both halves are always checked (AND combiner).
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResult {
    /// `classicalOk && pqOk`.
    pub ok: bool,
    /// The Ed25519 half verified.
    pub classical_ok: bool,
    /// The ML-DSA-65 half verified.
    pub pq_ok: bool,
    /// Key checked against (server verification).
    pub key_id: Option<String>,
    /// Version checked against (server verification).
    pub key_version: Option<u32>,
    /// Why `ok` is false when it is not a bad signature (e.g. `key_version_retired`).
    pub reason: Option<String>,
}

// ------------------------------------------------------------------ vault

/// `pq.vault.seal(...)` body.
#[napi(object)]
pub struct SealInput {
    /// A label, e.g. `stripe-production-key`.
    pub name: String,
    /// `api_key`, `password`, `certificate`, `token`, `other`, …
    pub credential_type: String,
    /// The secret values (string → string).
    pub values: HashMap<String, String>,
    /// Expiry in days (none when absent).
    pub ttl_days: Option<u32>,
}

/// Credential metadata (never values).
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    /// `cred_…`.
    pub id: String,
    /// Label.
    pub name: String,
    /// Type.
    pub credential_type: String,
    /// Names of the stored values.
    pub keys: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Last re-encryption.
    pub rotated_at: Option<String>,
    /// When it stops unsealing.
    pub expires_at: Option<String>,
    /// Increments on rotate.
    pub version: u32,
    /// Fingerprint of the current sealing key.
    pub seal_public_key_fingerprint: Option<String>,
}

/// A credential with its values.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnsealedCredential {
    /// `cred_…`.
    pub id: String,
    /// Label.
    pub name: String,
    /// Type.
    pub credential_type: String,
    /// Names of the stored values.
    pub keys: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Last re-encryption.
    pub rotated_at: Option<String>,
    /// When it stops unsealing.
    pub expires_at: Option<String>,
    /// Increments on rotate.
    pub version: u32,
    /// Fingerprint of the current sealing key.
    pub seal_public_key_fingerprint: Option<String>,
    /// The secret values. Hidden from `util.inspect` by the JS layer.
    pub values: HashMap<String, String>,
}

/// One page of credential metadata.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialPage {
    /// The credentials.
    pub data: Vec<Credential>,
    /// `null` on the last page.
    #[napi(ts_type = "string | null")]
    pub next_cursor: Option<String>,
}

/// `DELETE` answer.
#[napi(object)]
#[derive(Serialize, Deserialize)]
pub struct Deleted {
    /// The id.
    pub id: String,
    /// `true`.
    pub deleted: bool,
}

// ------------------------------------------------------------------ rollovers

/// `pq.rollovers.create(...)` body.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRolloverInput {
    /// A qualifying finding (`fnd_…`) of a `cloud` scan.
    pub finding_id: String,
    /// The App Service hostname.
    pub hostname: String,
    /// 1–720 (default 24).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation_window_hours: Option<u32>,
}

/// One plan stage.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanStage {
    /// The state this stage reaches.
    #[napi(ts_type = "'planned' | 'observation' | 'cutover' | 'completed' | 'rolled_back'")]
    pub status: String,
    /// What happens.
    pub description: String,
    /// How long to stay (observation).
    pub duration_hours: Option<u32>,
}

/// One transition.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryEntry {
    /// Previous state (`null` at creation).
    #[napi(ts_type = "'planned' | 'observation' | 'cutover' | 'completed' | 'rolled_back' | null")]
    pub from: Option<String>,
    /// New state.
    #[napi(ts_type = "'planned' | 'observation' | 'cutover' | 'completed' | 'rolled_back'")]
    pub to: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// A hybrid TLS rollover (never key bytes).
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rollover {
    /// `tlsr_…`.
    pub id: String,
    /// Current state.
    #[napi(ts_type = "'planned' | 'observation' | 'cutover' | 'completed' | 'rolled_back'")]
    pub status: String,
    /// Normalised hostname.
    pub hostname: String,
    /// The finding it mitigates.
    pub finding_id: String,
    /// Its scan.
    pub scan_id: String,
    /// Certificate serial, hex.
    pub serial: String,
    /// RFC 3339 UTC.
    pub not_before: String,
    /// RFC 3339 UTC.
    pub not_after: String,
    /// The hybrid certificate (ECDSA P-256 + ML-DSA-65 sidecar).
    pub certificate_pem: String,
    /// The canonical binding JSON the sidecar signs.
    pub binding: String,
    /// SHA-256 of the sidecar's ML-DSA-65 public key, hex.
    pub pq_public_key_fingerprint: String,
    /// Observation window.
    pub observation_window_hours: u32,
    /// The four stages.
    pub plan: Vec<PlanStage>,
    /// Downloadable artifact names.
    pub artifacts: Vec<String>,
    /// Every transition.
    pub history: Vec<HistoryEntry>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

/// The one-shot create answer: the rollover, its private key and every file.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloverCreated {
    /// `tlsr_…`.
    pub id: String,
    /// Current state.
    #[napi(ts_type = "'planned' | 'observation' | 'cutover' | 'completed' | 'rolled_back'")]
    pub status: String,
    /// Normalised hostname.
    pub hostname: String,
    /// The finding it mitigates.
    pub finding_id: String,
    /// Its scan.
    pub scan_id: String,
    /// Certificate serial, hex.
    pub serial: String,
    /// RFC 3339 UTC.
    pub not_before: String,
    /// RFC 3339 UTC.
    pub not_after: String,
    /// The hybrid certificate.
    pub certificate_pem: String,
    /// The canonical binding JSON.
    pub binding: String,
    /// SHA-256 of the sidecar's ML-DSA-65 public key, hex.
    pub pq_public_key_fingerprint: String,
    /// Observation window.
    pub observation_window_hours: u32,
    /// The four stages.
    pub plan: Vec<PlanStage>,
    /// Downloadable artifact names.
    pub artifacts: Vec<String>,
    /// Every transition.
    pub history: Vec<HistoryEntry>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
    /// The ECDSA P-256 private key, PKCS#8 PEM. Delivered once: save it now. Hidden
    /// from `util.inspect` by the JS layer.
    pub private_key_pem: String,
    /// Every artifact's text by name.
    pub files: HashMap<String, String>,
}

/// One page of rollovers.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloverPage {
    /// The rollovers.
    pub data: Vec<Rollover>,
    /// `null` on the last page.
    #[napi(ts_type = "string | null")]
    pub next_cursor: Option<String>,
}

/// A downloaded artifact.
#[napi(object)]
pub struct Artifact {
    /// Safe file name (`postq-<hostname>-<artifact>`).
    pub file_name: String,
    /// `Content-Type`.
    pub content_type: String,
    /// The bytes.
    pub body: Buffer,
}

// ------------------------------------------------------------------ audit

/// Filters and paging of `pq.audit.list(...)`.
#[napi(object)]
#[derive(Default)]
pub struct AuditQuery {
    /// Only this event type (`sign`, `verify`, `key.create`, …).
    pub event_type: Option<String>,
    /// At or after this RFC 3339 time.
    pub since: Option<String>,
    /// Before this RFC 3339 time.
    pub until: Option<String>,
    /// 1–100.
    pub limit: Option<u32>,
    /// From a previous page.
    pub cursor: Option<String>,
}

impl AuditQuery {
    /// The core's query.
    pub fn to_core(&self) -> postq::api::AuditQuery {
        postq::api::AuditQuery {
            event_type: self
                .event_type
                .as_deref()
                .map(postq::ledger::EventType::parse),
            since: self.since.clone(),
            until: self.until.clone(),
            limit: self.limit,
            cursor: self.cursor.clone(),
        }
    }
}

/// A ledger row (docs/formats.md §6).
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Position in the organisation's chain, from 1.
    pub seq: i64,
    /// `evt_…`.
    pub id: String,
    /// Owning organisation.
    pub org_id: String,
    /// `sign`, `verify`, `key.create`, …
    pub event_type: String,
    /// `apikey:…`.
    pub actor: String,
    /// The resource acted on.
    #[napi(ts_type = "string | null")]
    pub resource_id: Option<String>,
    /// RFC 3339 UTC with milliseconds.
    pub occurred_at: String,
    /// Flat string details.
    pub details: HashMap<String, String>,
    /// The previous row's hash.
    pub prev_hash: String,
    /// SHA-256 of the canonical form, hex.
    pub hash: String,
}

/// One page of ledger rows.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// Oldest first.
    pub data: Vec<AuditEntry>,
    /// `null` on the last page.
    #[napi(ts_type = "string | null")]
    pub next_cursor: Option<String>,
}

/// Result of verifying a ledger hash chain.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChainReport {
    /// Every row and link checked out.
    pub ok: bool,
    /// Rows checked.
    pub rows: u32,
    /// Links between consecutive `seq`s checked.
    pub links_checked: u32,
    /// `seq` of the first bad row.
    pub failed_seq: Option<i64>,
    /// `hash_mismatch`, `broken_link`, `out_of_order` or `missing_row`.
    #[napi(ts_type = "'hash_mismatch' | 'broken_link' | 'out_of_order' | 'missing_row'")]
    pub reason: Option<String>,
}

// ------------------------------------------------------------------ sidecar

/// The canonical binding the sidecar signs (docs/formats.md §3).
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Binding {
    /// `1`.
    pub v: u32,
    /// `ML-DSA-65`.
    pub alg: String,
    /// Subject CN, normalised.
    pub hostname: String,
    /// SAN dNSNames, normalised, sorted.
    pub alt_names: Vec<String>,
    /// Serial, lowercase hex.
    pub serial: String,
    /// RFC 3339 UTC.
    pub not_before: String,
    /// RFC 3339 UTC.
    pub not_after: String,
    /// b64 SPKI DER of the ECDSA key.
    pub classical_pub: String,
    /// b64 raw ML-DSA-65 public key.
    pub pq_pub: String,
}

/// Each check of docs/formats.md §4.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(clippy::struct_excessive_bools)]
pub struct SidecarChecks {
    /// Exactly one well-formed, non-critical 1.3.9999.42.1 extension.
    pub extension_present: bool,
    /// The re-derived binding equals the embedded bytes.
    pub binding_matches: bool,
    /// `classicalPub` is the certificate's SPKI.
    pub classical_key_matches: bool,
    /// `pqPub` is the extension's ML-DSA key.
    pub pq_key_matches: bool,
    /// ML-DSA-65 verifies the sidecar signature.
    pub pq_signature_ok: bool,
    /// The certificate's ECDSA self-signature verifies.
    pub classical_signature_ok: bool,
    /// Within the validity window.
    pub validity_ok: bool,
    /// The requested hostname is bound (true when none was asked for).
    pub hostname_ok: bool,
}

/// The certificate verification report.
#[napi(object)]
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SidecarReport {
    /// Every check passed.
    pub ok: bool,
    /// The first failed check, in documented order.
    #[napi(
        ts_type = "'extension_present' | 'binding_matches' | 'classical_key_matches' | 'pq_key_matches' | 'pq_signature_ok' | 'classical_signature_ok' | 'validity_ok' | 'hostname_ok' | null"
    )]
    pub failure: Option<String>,
    /// Each check.
    pub checks: SidecarChecks,
    /// The embedded binding, when it parsed.
    pub binding: Option<Binding>,
}
