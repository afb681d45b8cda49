//! [`run`]: one command → one core client call → [`Output`]. The only dispatcher; every
//! binding calls it.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use postq::Client;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Command, ErrorInfo, VerifyArgs};

/// What a call returns: its result as JSON text (camelCase, the schema's shapes) and,
/// for an artifact download, the body as bytes (never base64 in the JSON). The text is
/// zeroized when dropped: it may hold unsealed values or a one-shot private key.
#[derive(Default)]
pub struct Output {
    /// The result.
    pub json: Zeroizing<String>,
    /// The downloaded body (`rollovers.download` only).
    pub bytes: Option<Vec<u8>>,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("json_len", &self.json.len())
            .field("bytes_len", &self.bytes.as_ref().map(Vec::len))
            .finish()
    }
}

impl Output {
    fn json<T: Serialize>(value: &T) -> Result<Output, ErrorInfo> {
        Ok(Output {
            json: to_json(value)?,
            bytes: None,
        })
    }
}

/// Serialize a result (the core's response types always serialize).
pub(crate) fn to_json<T: Serialize>(value: &T) -> Result<Zeroizing<String>, ErrorInfo> {
    serde_json::to_string(value)
        .map(Zeroizing::new)
        .map_err(|e| ErrorInfo::invalid("result", e))
}

/// A checked public key as `keys.public_key` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PublicKeyInfo {
    /// The key id signatures name.
    pub key_id: String,
    /// Key version.
    pub version: u32,
    /// SHA-256 of `mldsa65 ‖ ed25519`, hex.
    pub fingerprint: String,
    /// The compact public key JSON (docs/formats.md §1): what to publish.
    pub json: String,
    /// The same key as a JWK Set.
    pub jwk: String,
    /// The raw ML-DSA-65 public key (1952 bytes), base64.
    pub mldsa65: String,
    /// The raw Ed25519 public key (32 bytes), base64.
    pub ed25519: String,
}

impl From<&postq::hybrid::HybridPublicKey> for PublicKeyInfo {
    fn from(key: &postq::hybrid::HybridPublicKey) -> Self {
        PublicKeyInfo {
            key_id: key.key_id().to_owned(),
            version: key.version(),
            fingerprint: key.fingerprint(),
            json: key.to_json(),
            jwk: key.to_jwk(),
            mldsa65: STANDARD.encode(key.mldsa65_bytes()),
            ed25519: STANDARD.encode(key.ed25519_bytes()),
        }
    }
}

/// A downloaded artifact's metadata (its body travels as bytes beside it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ArtifactInfo {
    /// Safe file name (`postq-<hostname>-<artifact>`).
    pub file_name: String,
    /// `Content-Type`.
    pub content_type: String,
}

fn needs(payload: Option<&[u8]>) -> Result<&[u8], ErrorInfo> {
    payload.ok_or_else(|| ErrorInfo::invalid("payload", "is required"))
}

async fn verify(
    client: &Client,
    args: VerifyArgs,
    payload: &[u8],
) -> Result<postq::api::VerifyResponse, ErrorInfo> {
    Ok(match (args.key_id, args.public_key) {
        (Some(id), None) => {
            client
                .verify_with_key(&id, payload, &args.signature)
                .await?
        }
        (None, Some(pk)) => {
            client
                .verify_with_public_key(&pk, payload, &args.signature)
                .await?
        }
        _ => {
            return Err(ErrorInfo::invalid(
                "verify",
                "pass exactly one of keyId and publicKey",
            ));
        }
    })
}

/// Run one call. `payload` is the bytes to sign or verify (required by those two,
/// ignored by the rest). Streams (`*.list_all`) are opened with
/// [`crate::CommandStream::open`] instead.
pub async fn run(
    client: &Client,
    command: Command,
    payload: Option<&[u8]>,
) -> Result<Output, ErrorInfo> {
    use Command as C;
    match command {
        C::Health(_) => Output::json(&client.health().await?),
        C::ScansSubmit(request) => Output::json(&client.scans().submit(&request).await?),
        C::ScansList(query) => Output::json(&client.scans().list(&query).await?),
        C::ScansGet(a) => Output::json(&client.scans().get(&a.id).await?),
        C::IngestKubernetes(report) => Output::json(&client.ingest().kubernetes(&report).await?),
        C::KeysCreate(request) => Output::json(&client.hybrid_keys().create(&request).await?),
        C::KeysList(query) => Output::json(&client.hybrid_keys().list(&query).await?),
        C::KeysGet(a) => Output::json(&client.hybrid_keys().get(&a.id).await?),
        C::KeysPublicKey(a) => {
            let key = client.hybrid_keys().public_key(&a.id, a.version).await?;
            Output::json(&PublicKeyInfo::from(&key))
        }
        C::KeysRotate(a) => Output::json(&client.hybrid_keys().rotate(&a.id, &a.request).await?),
        C::KeysUpdate(a) => Output::json(&client.hybrid_keys().update(&a.id, &a.request).await?),
        C::Sign(a) => Output::json(&client.sign(&a.key_id, needs(payload)?).await?),
        C::Verify(a) => Output::json(&verify(client, a, needs(payload)?).await?),
        C::VaultSeal(request) => Output::json(&client.vault().seal(&request).await?),
        C::VaultList(query) => Output::json(&client.vault().list(&query).await?),
        C::VaultUnseal(a) => Output::json(&client.vault().unseal(&a.id).await?),
        C::VaultRotate(a) => Output::json(&client.vault().rotate(&a.id).await?),
        C::VaultDelete(a) => Output::json(&client.vault().delete(&a.id).await?),
        C::RolloversCreate(request) => Output::json(&client.rollovers().create(&request).await?),
        C::RolloversList(query) => Output::json(&client.rollovers().list(&query).await?),
        C::RolloversGet(a) => Output::json(&client.rollovers().get(&a.id).await?),
        C::RolloversTransition(a) => {
            Output::json(&client.rollovers().transition(&a.id, a.request.to).await?)
        }
        C::RolloversRollback(a) => Output::json(&client.rollovers().rollback(&a.id).await?),
        C::RolloversDownload(a) => {
            let artifact = client.rollovers().download(&a.id, &a.artifact).await?;
            Ok(Output {
                json: to_json(&ArtifactInfo {
                    file_name: artifact.file_name,
                    content_type: artifact.content_type,
                })?,
                bytes: Some(artifact.body),
            })
        }
        C::RolloversDownloadAll(a) => {
            let paths = client
                .rollovers()
                .download_all(&a.id, Path::new(&a.dir))
                .await?;
            let paths: Vec<String> = paths
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            Output::json(&paths)
        }
        C::AuditList(query) => Output::json(&client.audit().list(&query).await?),
        C::AuditVerifyChain(query) => Output::json(&client.audit().verify_chain(query).await?),
        C::AuditCheckpoint(_) => Output::json(&client.audit().checkpoint().await?),
        C::AuditLedgerKey(_) => Output::json(&client.audit().ledger_key().await?),
        C::AuditInclusionProof(a) => {
            Output::json(&client.audit().inclusion_proof(a.seq, a.tree_size).await?)
        }
        C::AuditConsistencyProof(a) => Output::json(
            &client
                .audit()
                .consistency_proof(a.tree_size_1, a.tree_size_2)
                .await?,
        ),
        C::AuditWitness(a) => Output::json(&crate::witness::advance(client, a).await?),
        C::ScansListAll(_)
        | C::KeysListAll(_)
        | C::VaultListAll(_)
        | C::RolloversListAll(_)
        | C::AuditListAll(_) => Err(ErrorInfo::invalid(
            "command",
            format!("`{}` is a stream: open it as one", command.op()),
        )),
    }
}
