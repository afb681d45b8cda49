//! `NativeClient`: every call of `postq::Client` as a Promise. The JS class `PostQ`
//! (index.js) groups these into `pq.scans`, `pq.hybridKeys`, … and maps errors.

use std::collections::BTreeMap;
use std::time::Duration;

use napi::bindgen_prelude::Uint8Array;
use napi_derive::napi;
use zeroize::Zeroizing;

use crate::error::{IntoJs as _, invalid_input};
use crate::types::{
    Artifact, AuditEntry, AuditPage, AuditQuery, CallOptions, ChainReport, ClientOptions,
    CreateKeyInput, CreateRolloverInput, Credential, CredentialPage, Deleted, Health, HybridKey,
    KeyPage, ListOptions, PublicKeyInfo, Rollover, RolloverCreated, RolloverPage, RotateKeyInput,
    Scan, ScanInput, ScanPage, SealInput, SignResult, UnsealedCredential, VerifyResult, convert,
};

fn ms(value: u32) -> Duration {
    Duration::from_millis(u64::from(value))
}

fn list_query(options: Option<ListOptions>) -> postq::api::ListQuery {
    let options = options.unwrap_or_default();
    postq::api::ListQuery {
        limit: options.limit,
        cursor: options.cursor,
        ..Default::default()
    }
}

/// The postq API client (native half of `PostQ`). Holds the API key inside the core's
/// zeroizing config; nothing of it is reachable from JavaScript.
#[napi]
pub struct NativeClient {
    inner: postq::Client,
}

#[napi]
impl NativeClient {
    /// A client; unset options come from `POSTQ_API_KEY` / `POSTQ_BASE_URL`.
    #[napi(constructor)]
    pub fn new(options: Option<ClientOptions>) -> napi::Result<Self> {
        let options = options.unwrap_or_default();
        let mut config = postq::ClientConfig::from_env();
        if let Some(key) = options.api_key {
            config.api_key = Some(Zeroizing::new(key));
        }
        if let Some(url) = options.base_url {
            config.base_url = url;
        }
        if let Some(n) = options.max_retries {
            config.max_retries = n;
        }
        if let Some(v) = options.timeout_ms {
            config.total_timeout = ms(v);
        }
        if let Some(v) = options.attempt_timeout_ms {
            config.attempt_timeout = ms(v);
        }
        if let Some(v) = options.connect_timeout_ms {
            config.connect_timeout = ms(v);
        }
        if let Some(v) = options.initial_backoff_ms {
            config.initial_backoff = ms(v);
        }
        if let Some(v) = options.max_retry_after_ms {
            config.max_retry_after = ms(v);
        }
        config.user_agent_prefix = Some(format!("postq-node/{}", env!("CARGO_PKG_VERSION")));
        Ok(NativeClient {
            inner: postq::Client::new(config).js()?,
        })
    }

    /// The base URL requests go to.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_owned()
    }

    fn with(&self, options: Option<CallOptions>) -> postq::Client {
        let Some(options) = options else {
            return self.inner.clone();
        };
        let mut headers: Vec<(String, String)> =
            options.headers.unwrap_or_default().into_iter().collect();
        headers.sort();
        self.inner.with_options(postq::RequestOptions {
            max_retries: options.max_retries,
            timeout: options.timeout_ms.map(ms),
            idempotency_key: options.idempotency_key,
            headers,
        })
    }

    // -------------------------------------------------------------- health

    /// `GET /health`.
    #[napi]
    pub async fn health(&self, options: Option<CallOptions>) -> napi::Result<Health> {
        let health = self.with(options).health().await.js()?;
        convert("health", &health)
    }

    // -------------------------------------------------------------- scans

    /// `POST /v1/scans`.
    #[napi]
    pub async fn scans_submit(
        &self,
        scan: ScanInput,
        options: Option<CallOptions>,
    ) -> napi::Result<Scan> {
        let request: postq::api::CreateScanRequest = convert("scan", &scan)?;
        let created = self.with(options).scans().submit(&request).await.js()?;
        convert("scan", &created)
    }

    /// `GET /v1/scans`.
    #[napi]
    pub async fn scans_list(
        &self,
        query: Option<ListOptions>,
        options: Option<CallOptions>,
    ) -> napi::Result<ScanPage> {
        let page = self
            .with(options)
            .scans()
            .list(&list_query(query))
            .await
            .js()?;
        convert("scan page", &page)
    }

    /// `GET /v1/scans/{id}`.
    #[napi]
    pub async fn scans_get(&self, id: String, options: Option<CallOptions>) -> napi::Result<Scan> {
        let scan = self.with(options).scans().get(&id).await.js()?;
        convert("scan", &scan)
    }

    // -------------------------------------------------------------- hybrid keys

    /// `POST /v1/keys`.
    #[napi]
    pub async fn keys_create(
        &self,
        request: CreateKeyInput,
        options: Option<CallOptions>,
    ) -> napi::Result<HybridKey> {
        let request: postq::api::CreateKeyRequest = convert("key request", &request)?;
        let key = self
            .with(options)
            .hybrid_keys()
            .create(&request)
            .await
            .js()?;
        convert("key", &key)
    }

    /// `GET /v1/keys`.
    #[napi]
    pub async fn keys_list(
        &self,
        query: Option<ListOptions>,
        options: Option<CallOptions>,
    ) -> napi::Result<KeyPage> {
        let page = self
            .with(options)
            .hybrid_keys()
            .list(&list_query(query))
            .await
            .js()?;
        convert("key page", &page)
    }

    /// `GET /v1/keys/{id}`.
    #[napi]
    pub async fn keys_get(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> napi::Result<HybridKey> {
        let key = self.with(options).hybrid_keys().get(&id).await.js()?;
        convert("key", &key)
    }

    /// `GET /v1/keys/{id}/public`, parsed and checked.
    #[napi]
    pub async fn keys_public_key(
        &self,
        id: String,
        version: Option<u32>,
        options: Option<CallOptions>,
    ) -> napi::Result<PublicKeyInfo> {
        let key = self
            .with(options)
            .hybrid_keys()
            .public_key(&id, version)
            .await
            .js()?;
        Ok(PublicKeyInfo::from_core(&key))
    }

    /// `POST /v1/keys/{id}/rotate`.
    #[napi]
    pub async fn keys_rotate(
        &self,
        id: String,
        request: Option<RotateKeyInput>,
        options: Option<CallOptions>,
    ) -> napi::Result<HybridKey> {
        let request: postq::api::RotateKeyRequest =
            convert("rotate request", &request.unwrap_or_default())?;
        let key = self
            .with(options)
            .hybrid_keys()
            .rotate(&id, &request)
            .await
            .js()?;
        convert("key", &key)
    }

    // -------------------------------------------------------------- sign / verify

    /// `POST /v1/sign`.
    #[napi]
    pub async fn sign(
        &self,
        key_id: String,
        payload: Uint8Array,
        options: Option<CallOptions>,
    ) -> napi::Result<SignResult> {
        let signed = self.with(options).sign(&key_id, &payload).await.js()?;
        convert("signature", &signed)
    }

    /// `POST /v1/verify` against a managed key.
    #[napi]
    pub async fn verify_with_key(
        &self,
        key_id: String,
        payload: Uint8Array,
        signature: String,
        options: Option<CallOptions>,
    ) -> napi::Result<VerifyResult> {
        let verdict = self
            .with(options)
            .verify_with_key(&key_id, &payload, &signature)
            .await
            .js()?;
        convert("verification", &verdict)
    }

    /// `POST /v1/verify` against a published public key (JSON or JWK Set).
    #[napi]
    pub async fn verify_with_public_key(
        &self,
        public_key: String,
        payload: Uint8Array,
        signature: String,
        options: Option<CallOptions>,
    ) -> napi::Result<VerifyResult> {
        let verdict = self
            .with(options)
            .verify_with_public_key(&public_key, &payload, &signature)
            .await
            .js()?;
        convert("verification", &verdict)
    }

    // -------------------------------------------------------------- vault

    /// `POST /v1/vault/credentials`.
    #[napi]
    pub async fn vault_seal(
        &self,
        request: SealInput,
        options: Option<CallOptions>,
    ) -> napi::Result<Credential> {
        // Built by hand (not via serde) so no conversion error can echo a value.
        let request = postq::api::SealRequest {
            name: request.name,
            credential_type: request.credential_type,
            values: request.values.into_iter().collect::<BTreeMap<_, _>>(),
            ttl_days: request.ttl_days,
        };
        let credential = self.with(options).vault().seal(&request).await.js()?;
        convert("credential", &credential)
    }

    /// `GET /v1/vault/credentials`.
    #[napi]
    pub async fn vault_list(
        &self,
        query: Option<ListOptions>,
        options: Option<CallOptions>,
    ) -> napi::Result<CredentialPage> {
        let page = self
            .with(options)
            .vault()
            .list(&list_query(query))
            .await
            .js()?;
        convert("credential page", &page)
    }

    /// `GET /v1/vault/credentials/{id}`: decrypt.
    #[napi]
    pub async fn vault_unseal(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> napi::Result<UnsealedCredential> {
        let credential = self.with(options).vault().unseal(&id).await.js()?;
        let c = &credential.credential;
        Ok(UnsealedCredential {
            id: c.id.clone(),
            name: c.name.clone(),
            credential_type: c.credential_type.clone(),
            keys: c.keys.clone(),
            created_at: c.created_at.clone(),
            rotated_at: c.rotated_at.clone(),
            expires_at: c.expires_at.clone(),
            version: c.version,
            seal_public_key_fingerprint: c.seal_public_key_fingerprint.clone(),
            values: credential
                .values
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// `POST /v1/vault/credentials/{id}/rotate`.
    #[napi]
    pub async fn vault_rotate(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> napi::Result<Credential> {
        let credential = self.with(options).vault().rotate(&id).await.js()?;
        convert("credential", &credential)
    }

    /// `DELETE /v1/vault/credentials/{id}`.
    #[napi]
    pub async fn vault_delete(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> napi::Result<Deleted> {
        let deleted = self.with(options).vault().delete(&id).await.js()?;
        convert("deletion", &deleted)
    }

    // -------------------------------------------------------------- rollovers

    /// `POST /v1/mitigations/tls-rollover` (one-shot: includes the private key).
    #[napi]
    pub async fn rollovers_create(
        &self,
        request: CreateRolloverInput,
        options: Option<CallOptions>,
    ) -> napi::Result<RolloverCreated> {
        let request: postq::api::CreateRolloverRequest = convert("rollover request", &request)?;
        let created = self.with(options).rollovers().create(&request).await.js()?;
        let mut out: RolloverCreated = convert("rollover", &created.rollover_fields())?;
        out.private_key_pem = created.private_key_pem.as_str().to_owned();
        out.files = created.files.clone().into_iter().collect();
        Ok(out)
    }

    /// `GET /v1/mitigations/tls-rollover`.
    #[napi]
    pub async fn rollovers_list(
        &self,
        query: Option<ListOptions>,
        options: Option<CallOptions>,
    ) -> napi::Result<RolloverPage> {
        let page = self
            .with(options)
            .rollovers()
            .list(&list_query(query))
            .await
            .js()?;
        convert("rollover page", &page)
    }

    /// `GET /v1/mitigations/tls-rollover/{id}`.
    #[napi]
    pub async fn rollovers_get(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> napi::Result<Rollover> {
        let rollover = self.with(options).rollovers().get(&id).await.js()?;
        convert("rollover", &rollover)
    }

    /// `POST /v1/mitigations/tls-rollover/{id}/transition`.
    #[napi]
    pub async fn rollovers_transition(
        &self,
        id: String,
        to: String,
        options: Option<CallOptions>,
    ) -> napi::Result<Rollover> {
        let to: postq::api::RolloverStatus = to.parse().js()?;
        let rollover = self
            .with(options)
            .rollovers()
            .transition(&id, to)
            .await
            .js()?;
        convert("rollover", &rollover)
    }

    /// `POST /v1/mitigations/tls-rollover/{id}/rollback`.
    #[napi]
    pub async fn rollovers_rollback(
        &self,
        id: String,
        options: Option<CallOptions>,
    ) -> napi::Result<Rollover> {
        let rollover = self.with(options).rollovers().rollback(&id).await.js()?;
        convert("rollover", &rollover)
    }

    /// `GET /v1/mitigations/tls-rollover/{id}/download?artifact=NAME`.
    #[napi]
    pub async fn rollovers_download(
        &self,
        id: String,
        artifact: String,
        options: Option<CallOptions>,
    ) -> napi::Result<Artifact> {
        let file = self
            .with(options)
            .rollovers()
            .download(&id, &artifact)
            .await
            .js()?;
        Ok(Artifact {
            file_name: file.file_name,
            content_type: file.content_type,
            body: file.body.into(),
        })
    }

    // -------------------------------------------------------------- audit

    /// `GET /v1/audit`.
    #[napi]
    pub async fn audit_list(
        &self,
        query: Option<AuditQuery>,
        options: Option<CallOptions>,
    ) -> napi::Result<AuditPage> {
        let query = query.unwrap_or_default().to_core();
        let page = self.with(options).audit().list(&query).await.js()?;
        convert("audit page", &page)
    }

    /// Fetch every matching row and verify the hash chain offline (complete when
    /// unfiltered, so a deleted row is caught too).
    #[napi]
    pub async fn audit_verify_chain(
        &self,
        query: Option<AuditQuery>,
        options: Option<CallOptions>,
    ) -> napi::Result<ChainReport> {
        let query = query.unwrap_or_default().to_core();
        let report = self.with(options).audit().verify_chain(query).await.js()?;
        convert("chain report", &report)
    }
}

/// `RolloverCreated` without its secret parts, for the serde conversion.
trait RolloverFields {
    fn rollover_fields(&self) -> serde_json::Value;
}

impl RolloverFields for postq::api::RolloverCreated {
    fn rollover_fields(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(&self.rollover).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert(
                "privateKeyPem".into(),
                serde_json::Value::String(String::new()),
            );
            map.insert("files".into(), serde_json::json!({}));
        }
        value
    }
}

/// Rows from JS → the core's ledger rows.
pub fn ledger_rows(rows: Vec<AuditEntry>) -> napi::Result<Vec<postq::ledger::LedgerEntry>> {
    rows.iter()
        .map(|row| {
            if row.seq < 0 {
                return Err(invalid_input("ledger row", "seq must not be negative"));
            }
            convert("ledger row", row)
        })
        .collect()
}
