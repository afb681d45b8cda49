//! The credential vault: `/v1/vault/credentials` (docs/api-vault-rollover.md).

use std::collections::BTreeMap;
use std::fmt;

use futures_util::Stream;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize as _, Zeroizing};

use super::path_id;
use super::scans::ListQuery;
use crate::client::{Call, Client, Page, paginate};
use crate::{Error, Result};

/// `POST /v1/vault/credentials` body. `Debug` hides the values.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SealRequest {
    /// A label, e.g. `stripe-production-key`.
    pub name: String,
    /// `api_key`, `password`, `certificate`, `token`, `other`, …
    pub credential_type: String,
    /// The secret values.
    pub values: BTreeMap<String, String>,
    /// Expiry in days (none when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ttl_days: Option<u32>,
}

impl fmt::Debug for SealRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealRequest")
            .field("name", &self.name)
            .field("credential_type", &self.credential_type)
            .field("keys", &self.values.keys().collect::<Vec<_>>())
            .field("ttl_days", &self.ttl_days)
            .finish()
    }
}

impl Drop for SealRequest {
    fn drop(&mut self) {
        for v in self.values.values_mut() {
            v.zeroize();
        }
    }
}

/// Credential metadata (never values).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Credential {
    /// `cred_…`.
    pub id: String,
    /// Label.
    pub name: String,
    /// Type.
    pub credential_type: String,
    /// Names of the stored values.
    #[serde(default)]
    pub keys: Vec<String>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// Last re-encryption.
    #[serde(default)]
    pub rotated_at: Option<String>,
    /// When it stops unsealing.
    #[serde(default)]
    pub expires_at: Option<String>,
    /// Increments on rotate.
    #[serde(default)]
    pub version: u32,
    /// Fingerprint of the current sealing key.
    #[serde(default)]
    pub seal_public_key_fingerprint: Option<String>,
}

/// A credential with its values. `Debug` hides the values; they are zeroized on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UnsealedCredential {
    /// Metadata.
    #[serde(flatten)]
    pub credential: Credential,
    /// The secret values.
    pub values: BTreeMap<String, String>,
}

impl fmt::Debug for UnsealedCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnsealedCredential")
            .field("credential", &self.credential)
            .field("values", &"<redacted>")
            .finish()
    }
}

impl UnsealedCredential {
    /// The metadata and the values, each value still zeroized when dropped: how a
    /// binding hands the values on without leaving copies behind.
    pub fn into_parts(mut self) -> (Credential, BTreeMap<String, Zeroizing<String>>) {
        let values = std::mem::take(&mut self.values)
            .into_iter()
            .map(|(name, value)| (name, Zeroizing::new(value)))
            .collect();
        (self.credential.clone(), values)
    }
}

impl Drop for UnsealedCredential {
    fn drop(&mut self) {
        for v in self.values.values_mut() {
            v.zeroize();
        }
    }
}

/// `DELETE` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Deleted {
    /// The id.
    pub id: String,
    /// `true`.
    pub deleted: bool,
}

/// `client.vault()`.
#[derive(Debug, Clone, Copy)]
pub struct Vault<'a> {
    client: &'a Client,
}

impl Client {
    /// The credential vault.
    pub fn vault(&self) -> Vault<'_> {
        Vault { client: self }
    }
}

impl Vault<'_> {
    /// Seal a credential.
    pub async fn seal(&self, request: &SealRequest) -> Result<Credential> {
        if request.name.trim().is_empty() || request.values.is_empty() {
            return Err(Error::input(
                "credential",
                "needs a name and at least one value",
            ));
        }
        if request.ttl_days == Some(0) {
            return Err(Error::input("ttlDays", "must be at least 1"));
        }
        self.client
            .transport
            .json(
                Call::post("/v1/vault/credentials", request)?,
                &self.client.options,
            )
            .await
    }

    /// One page.
    pub async fn list(&self, query: &ListQuery) -> Result<Page<Credential>> {
        query.check(&[])?;
        let call = Call::get("/v1/vault/credentials")
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every item from `query.cursor` on. The stream owns a handle to the client.
    pub fn list_all(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<Credential>> + Send + 'static {
        let client = self.client.clone();
        paginate(query, move |q| {
            let client = client.clone();
            async move { client.vault().list(&q).await }
        })
    }

    /// Decrypt and return a credential.
    pub async fn unseal(&self, id: &str) -> Result<UnsealedCredential> {
        let id = path_id("credential id", id)?;
        self.client
            .transport
            .json(
                Call::get(format!("/v1/vault/credentials/{id}")),
                &self.client.options,
            )
            .await
    }

    /// Re-encrypt under a fresh ML-KEM-768 key.
    pub async fn rotate(&self, id: &str) -> Result<Credential> {
        let id = path_id("credential id", id)?;
        let call = Call::post(
            format!("/v1/vault/credentials/{id}/rotate"),
            &serde_json::json!({}),
        )?;
        self.client.transport.json(call, &self.client.options).await
    }

    /// Delete permanently.
    pub async fn delete(&self, id: &str) -> Result<Deleted> {
        let id = path_id("credential id", id)?;
        self.client
            .transport
            .json(
                Call::delete(format!("/v1/vault/credentials/{id}")),
                &self.client.options,
            )
            .await
    }
}
