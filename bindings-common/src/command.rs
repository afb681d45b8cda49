//! [`Command`]: one variant per API call, named as every binding names it
//! (`scans.submit`, `keys.list_all`, …). On the wire a command is
//! `{"op": "scans.submit", "args": {…}}`; `args` are the core's request types where the
//! call has one, else the small argument structs below. Payload bytes (sign, verify)
//! never travel in the JSON: the binding passes them beside the command.
//!
//! [`OPERATIONS`] describes every command (its arguments, its result, whether it
//! streams or takes payload bytes, the HTTP routes it calls). The schema, the
//! conformance tests and each binding's coverage check read it; it is written by the
//! same macro as the enum, so the two cannot disagree.

use postq::api::{
    AuditQuery, CreateKeyRequest, CreateRolloverRequest, CreateScanRequest,
    IngestKubernetesRequest, ListQuery, RotateKeyRequest, SealRequest, TransitionRequest,
    UpdateKeyRequest,
};
use postq::ledger::LedgerKey;
use serde::{Deserialize, Serialize};

use crate::ErrorInfo;

/// One HTTP route of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Route {
    /// `GET`, `POST`, `PATCH`, `DELETE`.
    pub method: &'static str,
    /// The path template as the OpenAPI document writes it (`/v1/scans/{id}`).
    pub path: &'static str,
}

/// What a command is, for schemas, docs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// The `op` name.
    pub name: &'static str,
    /// The variant name in Rust (and the generated models).
    pub variant: &'static str,
    /// The schema name of `args`.
    pub args: &'static str,
    /// The result: a schema name, `Page<Name>`, `Name[]`, or for an artifact the
    /// metadata's schema name plus the body as bytes.
    pub result: &'static str,
    /// A stream: open it with [`crate::CommandStream::open`]; `result` is one item.
    pub stream: bool,
    /// Takes payload bytes beside the JSON.
    pub payload: bool,
    /// The routes it calls.
    pub routes: &'static [Route],
}

macro_rules! commands {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident($args:ident) = $op:literal -> $result:literal
            [stream: $stream:literal, payload: $payload:literal]
            { $($method:ident $path:literal),+ }
    )+) => {
        /// One call of the postq API, as a binding sends it.
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
        #[serde(tag = "op", content = "args", deny_unknown_fields)]
        pub enum Command {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $op)]
                #[cfg_attr(feature = "schema", schema(rename = $op))]
                $variant($args),
            )+
        }

        /// Every command, in the order of [`Command`].
        pub const OPERATIONS: &[Operation] = &[$(
            Operation {
                name: $op,
                variant: stringify!($variant),
                args: stringify!($args),
                result: $result,
                stream: $stream,
                payload: $payload,
                routes: &[$(Route { method: stringify!($method), path: $path }),+],
            },
        )+];

        impl Command {
            /// The `op` name (`scans.submit`).
            pub fn op(&self) -> &'static str {
                match self {
                    $(Command::$variant(_) => $op,)+
                }
            }
        }
    };
}

commands! {
    /// `GET /health`.
    Health(NoArgs) = "health" -> "Health" [stream: false, payload: false] { GET "/health" }

    /// Submit a scan (retries reuse one idempotency key: never a duplicate scan).
    ScansSubmit(CreateScanRequest) = "scans.submit" -> "Scan"
        [stream: false, payload: false] { POST "/v1/scans" }
    /// One page of scans, newest first.
    ScansList(ListQuery) = "scans.list" -> "Page<ScanSummary>"
        [stream: false, payload: false] { GET "/v1/scans" }
    /// Every scan from the query's cursor on.
    ScansListAll(ListQuery) = "scans.list_all" -> "ScanSummary"
        [stream: true, payload: false] { GET "/v1/scans" }
    /// One scan with its findings.
    ScansGet(IdArgs) = "scans.get" -> "Scan"
        [stream: false, payload: false] { GET "/v1/scans/{id}" }

    /// Post one Kubernetes cluster report (what the in-cluster agent sends); answers the
    /// `k8s` scan it was recorded as. Retries reuse one idempotency key.
    IngestKubernetes(IngestKubernetesRequest) = "ingest.kubernetes" -> "Scan"
        [stream: false, payload: false] { POST "/v1/ingest/kubernetes" }

    /// Mint a managed hybrid key.
    KeysCreate(CreateKeyRequest) = "keys.create" -> "HybridKey"
        [stream: false, payload: false] { POST "/v1/keys" }
    /// One page of keys.
    KeysList(ListQuery) = "keys.list" -> "Page<HybridKey>"
        [stream: false, payload: false] { GET "/v1/keys" }
    /// Every key from the query's cursor on.
    KeysListAll(ListQuery) = "keys.list_all" -> "HybridKey"
        [stream: true, payload: false] { GET "/v1/keys" }
    /// One key with every version.
    KeysGet(IdArgs) = "keys.get" -> "HybridKey"
        [stream: false, payload: false] { GET "/v1/keys/{id}" }
    /// A version's public key (latest by default), parsed and checked.
    KeysPublicKey(PublicKeyArgs) = "keys.public_key" -> "PublicKeyInfo"
        [stream: false, payload: false] { GET "/v1/keys/{id}/public" }
    /// Add a version that signs from now on.
    KeysRotate(RotateKeyArgs) = "keys.rotate" -> "HybridKey"
        [stream: false, payload: false] { POST "/v1/keys/{id}/rotate" }
    /// Change a key's policy (its minimum version).
    KeysUpdate(UpdateKeyArgs) = "keys.update" -> "HybridKey"
        [stream: false, payload: false] { PATCH "/v1/keys/{id}" }

    /// Sign the payload bytes with a managed key's latest version.
    Sign(SignArgs) = "sign" -> "SignResponse"
        [stream: false, payload: true] { POST "/v1/sign" }
    /// Verify the payload bytes on the server, against a managed key or a published
    /// public key.
    Verify(VerifyArgs) = "verify" -> "VerifyResponse"
        [stream: false, payload: true] { POST "/v1/verify" }

    /// Seal a credential; returns metadata only.
    VaultSeal(SealRequest) = "vault.seal" -> "Credential"
        [stream: false, payload: false] { POST "/v1/vault/credentials" }
    /// One page of credential metadata.
    VaultList(ListQuery) = "vault.list" -> "Page<Credential>"
        [stream: false, payload: false] { GET "/v1/vault/credentials" }
    /// Every credential's metadata from the query's cursor on.
    VaultListAll(ListQuery) = "vault.list_all" -> "Credential"
        [stream: true, payload: false] { GET "/v1/vault/credentials" }
    /// Decrypt a credential.
    VaultUnseal(IdArgs) = "vault.unseal" -> "UnsealedCredential"
        [stream: false, payload: false] { GET "/v1/vault/credentials/{id}" }
    /// Re-encrypt under a fresh key.
    VaultRotate(IdArgs) = "vault.rotate" -> "Credential"
        [stream: false, payload: false] { POST "/v1/vault/credentials/{id}/rotate" }
    /// Delete permanently.
    VaultDelete(IdArgs) = "vault.delete" -> "Deleted"
        [stream: false, payload: false] { DELETE "/v1/vault/credentials/{id}" }

    /// Mint the hybrid certificate and plan (one-shot: includes the private key).
    RolloversCreate(CreateRolloverRequest) = "rollovers.create" -> "RolloverCreated"
        [stream: false, payload: false] { POST "/v1/mitigations/tls-rollover" }
    /// One page of rollovers.
    RolloversList(ListQuery) = "rollovers.list" -> "Page<Rollover>"
        [stream: false, payload: false] { GET "/v1/mitigations/tls-rollover" }
    /// Every rollover from the query's cursor on.
    RolloversListAll(ListQuery) = "rollovers.list_all" -> "Rollover"
        [stream: true, payload: false] { GET "/v1/mitigations/tls-rollover" }
    /// One rollover (no key bytes).
    RolloversGet(IdArgs) = "rollovers.get" -> "Rollover"
        [stream: false, payload: false] { GET "/v1/mitigations/tls-rollover/{id}" }
    /// Advance one stage.
    RolloversTransition(TransitionArgs) = "rollovers.transition" -> "Rollover"
        [stream: false, payload: false] { POST "/v1/mitigations/tls-rollover/{id}/transition" }
    /// Mark rolled back.
    RolloversRollback(IdArgs) = "rollovers.rollback" -> "Rollover"
        [stream: false, payload: false] { POST "/v1/mitigations/tls-rollover/{id}/rollback" }
    /// Download one artifact: its metadata as JSON, its body as bytes.
    RolloversDownload(DownloadArgs) = "rollovers.download" -> "ArtifactInfo + bytes"
        [stream: false, payload: false] { GET "/v1/mitigations/tls-rollover/{id}/download" }
    /// Download every artifact into a directory (created if needed; scripts made
    /// executable); returns the paths written.
    RolloversDownloadAll(DownloadAllArgs) = "rollovers.download_all" -> "string[]"
        [stream: false, payload: false] { GET "/v1/mitigations/tls-rollover/{id}/download" }

    /// One page of ledger rows, oldest first.
    AuditList(AuditQuery) = "audit.list" -> "Page<LedgerEntry>"
        [stream: false, payload: false] { GET "/v1/audit" }
    /// Every ledger row matching the filters.
    AuditListAll(AuditQuery) = "audit.list_all" -> "LedgerEntry"
        [stream: true, payload: false] { GET "/v1/audit" }
    /// Fetch rows and verify the hash chain offline (complete when unfiltered, so a
    /// deleted row is detected too).
    AuditVerifyChain(AuditQuery) = "audit.verify_chain" -> "ChainReport"
        [stream: false, payload: false] { GET "/v1/audit" }
    /// The latest signed checkpoint of the caller's ledger.
    AuditCheckpoint(NoArgs) = "audit.checkpoint" -> "SignedCheckpoint"
        [stream: false, payload: false] { GET "/v1/audit/checkpoint" }
    /// The ledger's public key: what a client pins.
    AuditLedgerKey(NoArgs) = "audit.ledger_key" -> "LedgerKey"
        [stream: false, payload: false] { GET "/v1/audit/ledger-key" }
    /// The inclusion proof of one row in a tree of a given size.
    AuditInclusionProof(InclusionProofArgs) = "audit.inclusion_proof" -> "InclusionProof"
        [stream: false, payload: false] { GET "/v1/audit/proofs/inclusion" }
    /// The consistency proof between two tree sizes.
    AuditConsistencyProof(ConsistencyProofArgs) = "audit.consistency_proof" -> "ConsistencyProof"
        [stream: false, payload: false] { GET "/v1/audit/proofs/consistency" }
    /// Advance a witness of the ledger to the latest checkpoint: verify its signatures
    /// and prove it consistent with the one held; returns the new state and what
    /// happened. Refusals are `crypto` errors (`ledger_fork`, `ledger_shrink`, …).
    AuditWitness(WitnessArgs) = "audit.witness" -> "WitnessResult"
        [stream: false, payload: false] {
            GET "/v1/audit/checkpoint",
            GET "/v1/audit/ledger-key",
            GET "/v1/audit/proofs/consistency"
        }
}

impl Command {
    /// Parse the JSON form. Errors are `validation` with string values redacted.
    pub fn from_json(text: &str) -> Result<Command, ErrorInfo> {
        serde_json::from_str(text).map_err(|e| ErrorInfo::bad_arguments("command", &e))
    }

    /// What this command is.
    pub fn operation(&self) -> &'static Operation {
        let op = self.op();
        // Every variant has its entry (same macro); the first entry is never used.
        OPERATIONS
            .iter()
            .find(|o| o.name == op)
            .unwrap_or(&OPERATIONS[0])
    }
}

/// No arguments (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

/// A resource id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct IdArgs {
    /// `scan_…`, `hk_…`, `cred_…`, `tlsr_…`.
    pub id: String,
}

/// `keys.public_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublicKeyArgs {
    /// The key (`hk_…`).
    pub id: String,
    /// The version (latest when absent).
    #[serde(default)]
    pub version: Option<u32>,
}

/// `keys.rotate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateKeyArgs {
    /// The key (`hk_…`).
    pub id: String,
    /// The body.
    #[serde(default)]
    pub request: RotateKeyRequest,
}

/// `keys.update`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateKeyArgs {
    /// The key (`hk_…`).
    pub id: String,
    /// The body.
    pub request: UpdateKeyRequest,
}

/// `sign` (the payload bytes travel beside the command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignArgs {
    /// The managed key (`hk_…`); its latest version signs.
    pub key_id: String,
}

/// `verify`: exactly one of `keyId` and `publicKey` (the payload bytes travel beside
/// the command).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VerifyArgs {
    /// Verify against a managed key (any version at or above its `minVersion`)…
    #[serde(default)]
    pub key_id: Option<String>,
    /// …or against a published public key (JSON or JWK Set).
    #[serde(default)]
    pub public_key: Option<String>,
    /// The composite signature (base64 envelope).
    pub signature: String,
}

/// `rollovers.transition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TransitionArgs {
    /// The rollover (`tlsr_…`).
    pub id: String,
    /// The body: the next stage.
    pub request: TransitionRequest,
}

/// `rollovers.download`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DownloadArgs {
    /// The rollover (`tlsr_…`).
    pub id: String,
    /// `cert.pem`, `bundle.sh`, `import.sh`, `bind.sh`, `rollback.sh` or `site.bicep`.
    pub artifact: String,
}

/// `rollovers.download_all`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DownloadAllArgs {
    /// The rollover (`tlsr_…`).
    pub id: String,
    /// The directory to write into (created if needed).
    pub dir: String,
}

/// `audit.inclusion_proof`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InclusionProofArgs {
    /// The row (`seq`, from 1).
    pub seq: u64,
    /// The tree size the proof is for.
    pub tree_size: u64,
}

/// `audit.consistency_proof`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProofArgs {
    /// The older, smaller size.
    #[serde(rename = "treeSize1")]
    pub tree_size_1: u64,
    /// The newer size.
    #[serde(rename = "treeSize2")]
    pub tree_size_2: u64,
}

/// `audit.witness`. With neither field the key the server publishes is pinned (trust
/// on first use, as the result says).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WitnessArgs {
    /// The state JSON a previous call returned (`state`); its checkpoint is verified
    /// again before anything else.
    #[serde(default)]
    pub state: Option<String>,
    /// The ledger key to pin when there is no state; with a state, it must be the
    /// pinned key (else `ledger_key_changed`).
    #[serde(default)]
    pub ledger_key: Option<LedgerKey>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_names_its_variant_once() {
        let mut names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "duplicate op names");
        assert_eq!(count, 37);
        let cmd = Command::from_json(r#"{"op":"scans.get","args":{"id":"scan_1"}}"#).unwrap();
        assert_eq!(cmd.op(), "scans.get");
        assert_eq!(cmd.operation().routes[0].path, "/v1/scans/{id}");
    }

    #[test]
    fn commands_round_trip_and_refuse_typos() {
        let text = r#"{"op":"keys.update","args":{"id":"hk_1","request":{"minVersion":2}}}"#;
        let cmd = Command::from_json(text).unwrap();
        assert_eq!(serde_json::to_string(&cmd).unwrap(), text);
        let typo = Command::from_json(r#"{"op":"scans.sumbit","args":{}}"#)
            .err()
            .unwrap();
        assert_eq!(typo.code, "invalid_input");
        assert!(typo.message.contains("scans.sumbit"), "{}", typo.message);
        let field = Command::from_json(r#"{"op":"scans.get","args":{"idd":"x"}}"#).err();
        assert!(field.unwrap().message.contains("idd"));
        let include = r#"{"op":"scans.list","args":{"limit":2,"include":["findings"]}}"#;
        assert!(Command::from_json(include).is_ok());
    }

    #[test]
    fn a_secret_in_a_bad_command_is_not_echoed() {
        let text = r#"{"op":"vault.seal","args":{"name":"n","credentialType":"t","values":"sk_live_zzz"}}"#;
        let err = Command::from_json(text).err().unwrap();
        assert!(!err.message.contains("sk_live_zzz"), "{}", err.message);
        assert!(!format!("{err:?}").contains("sk_live_zzz"));
    }
}
