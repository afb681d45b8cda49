//! Managed hybrid keys: `POST/GET /v1/keys`, `GET /v1/keys/{id}`,
//! `GET /v1/keys/{id}/public`, `POST /v1/keys/{id}/rotate`.

use futures_util::Stream;
use serde::{Deserialize, Serialize};

use super::path_id;
use super::scans::{Include, ListQuery};
use crate::client::{Call, Client, Page, paginate};
use crate::hybrid::HybridPublicKey;
use crate::{Error, Result};

/// `POST /v1/keys` body. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateKeyRequest {
    /// A label, e.g. `release-signing`.
    pub name: String,
    /// `mldsa65+ed25519` (the default when `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
}

impl CreateKeyRequest {
    /// A key with this name and the default algorithm.
    pub fn named(name: impl Into<String>) -> Self {
        CreateKeyRequest {
            name: name.into(),
            algorithm: None,
        }
    }

    /// The rules, checked by the client before sending and by the reference server:
    /// `name` 1–128 characters, `algorithm` (when given) `mldsa65+ed25519`.
    pub fn validate(&self) -> Result<()> {
        super::check_text("key", "name", &self.name, 128)?;
        match self.algorithm.as_deref() {
            None | Some(crate::hybrid::ALGORITHM) => Ok(()),
            Some(_) => Err(Error::input(
                "key",
                format!("algorithm must be `{}`", crate::hybrid::ALGORITHM),
            )),
        }
    }
}

/// `POST /v1/keys/{id}/rotate` body (optional: an empty body is the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RotateKeyRequest {
    /// Retire versions below this: their signatures stop verifying on the server.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_version: Option<u32>,
}

/// `PATCH /v1/keys/{id}` body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct UpdateKeyRequest {
    /// Lowest version whose signatures still verify (1..=latest), like Vault Transit's
    /// minimum version.
    pub min_version: u32,
}

/// One version of a key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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

/// A managed hybrid signing key (private bytes never leave the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
    /// Latest version (signs new payloads).
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
    #[serde(default)]
    pub rotated_at: Option<String>,
    /// Every version (get/create/rotate; in lists with `include=versions`); absent
    /// otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<Vec<KeyVersion>>,
}

impl HybridKey {
    /// The latest version's public key, parsed, for offline verification.
    pub fn parsed_public_key(&self) -> Result<HybridPublicKey> {
        HybridPublicKey::from_json(&self.public_key)
    }
}

/// `client.hybrid_keys()`.
#[derive(Debug, Clone, Copy)]
pub struct HybridKeys<'a> {
    client: &'a Client,
}

impl Client {
    /// Managed hybrid keys.
    pub fn hybrid_keys(&self) -> HybridKeys<'_> {
        HybridKeys { client: self }
    }
}

impl HybridKeys<'_> {
    /// Mint a key.
    pub async fn create(&self, request: &CreateKeyRequest) -> Result<HybridKey> {
        request.validate()?;
        self.client
            .transport
            .json(Call::post("/v1/keys", request)?, &self.client.options)
            .await
    }

    /// One page of keys (`include: [Include::Versions]` for every version of each).
    pub async fn list(&self, query: &ListQuery) -> Result<Page<HybridKey>> {
        query.validate(&[Include::Versions])?;
        let call = Call::get("/v1/keys")
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref())
            .query("include", query.include_param());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every key from `query.cursor` on. The stream owns a handle to the client.
    pub fn list_all(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<HybridKey>> + Send + 'static {
        let client = self.client.clone();
        paginate(query, move |q| {
            let client = client.clone();
            async move { client.hybrid_keys().list(&q).await }
        })
    }

    /// One key with all versions.
    pub async fn get(&self, id: &str) -> Result<HybridKey> {
        let id = path_id("key id", id)?;
        self.client
            .transport
            .json(Call::get(format!("/v1/keys/{id}")), &self.client.options)
            .await
    }

    /// A version's public key (latest when `None`), parsed and checked.
    pub async fn public_key(&self, id: &str, version: Option<u32>) -> Result<HybridPublicKey> {
        let id = path_id("key id", id)?;
        let call = Call::get(format!("/v1/keys/{id}/public"))
            .query("format", Some("json"))
            .query("version", version);
        let raw = self
            .client
            .transport
            .send(call, &self.client.options)
            .await?;
        let text = std::str::from_utf8(&raw.body).map_err(|_| Error::InvalidResponse {
            status: 200,
            reason: "public key is not UTF-8".into(),
            request_id: None,
        })?;
        HybridPublicKey::from_json(text)
    }

    /// Change a key's policy: signatures of versions below `min_version` stop
    /// verifying on the server (scope `keys:write`).
    pub async fn update(&self, id: &str, request: &UpdateKeyRequest) -> Result<HybridKey> {
        let id = path_id("key id", id)?;
        if request.min_version == 0 {
            return Err(Error::input("minVersion", "must be at least 1"));
        }
        self.client
            .transport
            .json(
                Call::patch(format!("/v1/keys/{id}"), request)?,
                &self.client.options,
            )
            .await
    }

    /// Rotate: a new version signs from now on.
    pub async fn rotate(&self, id: &str, request: &RotateKeyRequest) -> Result<HybridKey> {
        let id = path_id("key id", id)?;
        self.client
            .transport
            .json(
                Call::post(format!("/v1/keys/{id}/rotate"), request)?,
                &self.client.options,
            )
            .await
    }
}
