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

/// `POST /v1/vault/credentials` body. `Debug` hides the values; unknown fields are
/// refused.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SealRequest {
    /// A label, e.g. `stripe-production-key`.
    pub name: String,
    /// `api_key`, `password`, `certificate`, `token`, `other`, …
    pub credential_type: String,
    /// The secret values.
    #[cfg_attr(feature = "schema", schema(format = Password))]
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

impl SealRequest {
    /// Most values one credential may hold.
    pub const MAX_VALUES: usize = 64;
    /// Largest `values`, as compact JSON.
    pub const MAX_VALUES_BYTES: usize = 64 * 1024;

    /// The rules, checked by the client before sending and by the reference server:
    /// `name` 1–128 characters, `credentialType` 1–64 of `[a-z0-9_]`, 1–64 values whose
    /// names are 1–128 characters without control characters, at most 64 KiB as JSON,
    /// `ttlDays` 1–3650. Reasons never contain a value.
    pub fn validate(&self) -> Result<()> {
        const WHAT: &str = "credential";
        super::check_text(WHAT, "name", &self.name, 128)?;
        let t = &self.credential_type;
        if t.is_empty()
            || t.len() > 64
            || !t
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(Error::input(
                WHAT,
                "credentialType must be 1-64 characters of [a-z0-9_]",
            ));
        }
        if self.values.is_empty() {
            return Err(Error::input(WHAT, "values must not be empty"));
        }
        if self.values.len() > Self::MAX_VALUES {
            return Err(Error::input(
                WHAT,
                format!("values may hold at most {} entries", Self::MAX_VALUES),
            ));
        }
        if self
            .values
            .keys()
            .any(|k| k.is_empty() || k.chars().count() > 128 || k.chars().any(char::is_control))
        {
            return Err(Error::input(
                WHAT,
                "values: names must be 1-128 characters without control characters",
            ));
        }
        if self.values_json_len() > Self::MAX_VALUES_BYTES {
            return Err(Error::input(WHAT, "values must be at most 64 KiB as JSON"));
        }
        if self.ttl_days.is_some_and(|d| !(1..=3650).contains(&d)) {
            return Err(Error::input(WHAT, "ttlDays must be between 1 and 3650"));
        }
        Ok(())
    }

    /// The size of `values` as compact JSON, counted without copying a value.
    fn values_json_len(&self) -> usize {
        struct Count(usize);
        impl std::io::Write for Count {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0 += buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut count = Count(0);
        match serde_json::to_writer(&mut count, &self.values) {
            Ok(()) => count.0,
            Err(_) => usize::MAX,
        }
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
    #[cfg_attr(feature = "schema", schema(required = true))]
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
    #[cfg_attr(feature = "schema", schema(required = true))]
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
    #[cfg_attr(feature = "schema", schema(format = Password))]
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
        request.validate()?;
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
        query.validate(&[])?;
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
