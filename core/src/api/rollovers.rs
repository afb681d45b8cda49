//! Hybrid TLS rollovers: `/v1/mitigations/tls-rollover` (docs/api-vault-rollover.md).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use futures_util::Stream;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::path_id;
use super::scans::ListQuery;
use crate::client::{Call, Client, Page, paginate};
use crate::{Error, Result};

/// Finding codes a hybrid TLS rollover mitigates: the weak TLS postures the PostQ API
/// reference names. A finding is eligible when its `code` is one of these.
pub const ROLLOVER_ELIGIBLE_CODES: [&str; 3] = ["TLS-1.0-MIN", "TLS-1.1-MIN", "HTTPS-NOT-ENFORCED"];

/// The artifacts a rollover ships, in the order the PostQ API reference lists them.
pub const ARTIFACTS: [&str; 6] = [
    "cert.pem",
    "bundle.sh",
    "import.sh",
    "bind.sh",
    "rollback.sh",
    "site.bicep",
];

/// Rollover states: a state machine ([`RolloverStatus::can_move_to`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RolloverStatus {
    /// Cert minted, bundle delivered, nothing changed in Azure yet.
    Planned,
    /// Bound with SNI beside the existing binding.
    Observation,
    /// Promoted to primary.
    Cutover,
    /// Legacy retired.
    Completed,
    /// Rolled back (terminal).
    RolledBack,
}

impl RolloverStatus {
    /// Every status, in plan order (`rolled_back` last).
    pub const ALL: [RolloverStatus; 5] = [
        RolloverStatus::Planned,
        RolloverStatus::Observation,
        RolloverStatus::Cutover,
        RolloverStatus::Completed,
        RolloverStatus::RolledBack,
    ];

    /// The one forward step from this status (`None` from `completed` and
    /// `rolled_back`): planned → observation → cutover → completed.
    pub fn next(self) -> Option<RolloverStatus> {
        match self {
            RolloverStatus::Planned => Some(RolloverStatus::Observation),
            RolloverStatus::Observation => Some(RolloverStatus::Cutover),
            RolloverStatus::Cutover => Some(RolloverStatus::Completed),
            RolloverStatus::Completed | RolloverStatus::RolledBack => None,
        }
    }

    /// `rolled_back` is the only terminal status: the PostQ API reference makes it
    /// "reachable from any other status", `completed` included.
    pub fn is_terminal(self) -> bool {
        self == RolloverStatus::RolledBack
    }

    /// Whether a rollover may move from `self` to `to`: the next forward step, or a
    /// rollback from any status but `rolled_back`.
    pub fn can_move_to(self, to: RolloverStatus) -> bool {
        match to {
            RolloverStatus::RolledBack => !self.is_terminal(),
            _ => self.next() == Some(to),
        }
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            RolloverStatus::Planned => "planned",
            RolloverStatus::Observation => "observation",
            RolloverStatus::Cutover => "cutover",
            RolloverStatus::Completed => "completed",
            RolloverStatus::RolledBack => "rolled_back",
        }
    }
}

impl std::str::FromStr for RolloverStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|_| {
            Error::input(
                "status",
                "one of planned, observation, cutover, completed, rolled_back",
            )
        })
    }
}

/// `POST /v1/mitigations/tls-rollover` body. Unknown fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateRolloverRequest {
    /// A qualifying finding (`fnd_…`) of a `cloud` scan.
    pub finding_id: String,
    /// The App Service hostname.
    pub hostname: String,
    /// Observation window (default 24 h).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observation_window_hours: Option<u32>,
}

impl CreateRolloverRequest {
    /// The observation window when none is given.
    pub const DEFAULT_WINDOW_HOURS: u32 = 24;

    /// The rules, checked by the client before sending and by the reference server:
    /// the hostname is one DNS name (see [`Self::normalized_hostname`]) and the
    /// observation window 1–720 hours.
    pub fn validate(&self) -> Result<()> {
        self.normalized_hostname()?;
        self.window_hours().map(|_| ())
    }

    /// The hostname the certificate is minted for: normalised (lowercase A-label), one
    /// DNS name of `[a-z0-9.-]`, no wildcard, no IP address.
    pub fn normalized_hostname(&self) -> Result<String> {
        let bad = || {
            Error::input(
                "rollover",
                "hostname must be a DNS name such as app.contoso.example (no wildcard, no IP)",
            )
        };
        if self.hostname.len() > 253 {
            return Err(bad());
        }
        let host = crate::sidecar::normalize_hostname(&self.hostname).map_err(|_| bad())?;
        let ok_chars = host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if host.is_empty() || !ok_chars || host.starts_with(['.', '-']) {
            return Err(bad());
        }
        Ok(host)
    }

    /// The observation window in hours (default 24), checked to be 1–720.
    pub fn window_hours(&self) -> Result<u32> {
        let window = self
            .observation_window_hours
            .unwrap_or(Self::DEFAULT_WINDOW_HOURS);
        if (1..=720).contains(&window) {
            Ok(window)
        } else {
            Err(Error::input(
                "rollover",
                "observationWindowHours must be between 1 and 720",
            ))
        }
    }
}

/// `POST /v1/mitigations/tls-rollover/{id}/transition` body: one step forward.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The next status: `observation`, `cutover` or `completed`.
    pub to: RolloverStatus,
}

/// `POST /v1/mitigations/tls-rollover/{id}/rollback` body: empty, or `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RollbackRequest {}

/// One plan stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PlanStage {
    /// The state this stage reaches.
    pub status: RolloverStatus,
    /// What happens.
    pub description: String,
    /// How long to stay (observation); absent for the other stages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_hours: Option<u32>,
}

/// One transition in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    /// Previous state (`None` at creation).
    pub from: Option<RolloverStatus>,
    /// New state.
    pub to: RolloverStatus,
    /// RFC 3339 UTC.
    pub at: String,
}

/// A rollover (never key bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Rollover {
    /// `tlsr_…`.
    pub id: String,
    /// Current state.
    pub status: RolloverStatus,
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
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub history: Vec<HistoryEntry>,
    /// RFC 3339 UTC.
    pub created_at: String,
    /// RFC 3339 UTC.
    pub updated_at: String,
}

/// The one-shot create response: the rollover, its private key and every file.
#[derive(Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RolloverCreated {
    /// The rollover.
    #[serde(flatten)]
    pub rollover: Rollover,
    /// The ECDSA P-256 private key, PKCS#8 PEM. Delivered once; save it now.
    #[cfg_attr(feature = "schema", schema(value_type = String, format = Password))]
    pub private_key_pem: Zeroizing<String>,
    /// Every artifact's text by name (the bundle carries the private key too).
    #[cfg_attr(feature = "schema", schema(format = Password))]
    pub files: BTreeMap<String, String>,
}

impl fmt::Debug for RolloverCreated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RolloverCreated")
            .field("rollover", &self.rollover)
            .field("private_key_pem", &"<redacted>")
            .field("files", &self.files.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl RolloverCreated {
    /// The rollover, its one-shot private key (zeroized when dropped) and the files.
    pub fn into_parts(self) -> (Rollover, Zeroizing<String>, BTreeMap<String, String>) {
        (self.rollover, self.private_key_pem, self.files)
    }
}

/// A downloaded artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    /// Safe file name (`postq-<hostname>-<artifact>`).
    pub file_name: String,
    /// `Content-Type`.
    pub content_type: String,
    /// The bytes.
    pub body: Vec<u8>,
}

/// `client.rollovers()`.
#[derive(Debug, Clone, Copy)]
pub struct Rollovers<'a> {
    client: &'a Client,
}

impl Client {
    /// Hybrid TLS rollovers.
    pub fn rollovers(&self) -> Rollovers<'_> {
        Rollovers { client: self }
    }
}

const BASE: &str = "/v1/mitigations/tls-rollover";

/// A file name that cannot escape a directory or surprise a shell.
pub fn safe_file_name(name: &str) -> Result<String> {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let cleaned = cleaned.trim_start_matches('.').to_owned();
    if cleaned.is_empty() || cleaned.len() > 200 {
        return Err(Error::input(
            "file name",
            "empty or too long after cleaning",
        ));
    }
    Ok(cleaned)
}

impl Rollovers<'_> {
    /// Mint the hybrid certificate and plan for a qualifying finding. One-shot: the
    /// response carries the private key, which is never available again.
    pub async fn create(&self, request: &CreateRolloverRequest) -> Result<RolloverCreated> {
        path_id("finding id", &request.finding_id)?;
        request.validate()?;
        self.client
            .transport
            .json(Call::post(BASE, request)?, &self.client.options)
            .await
    }

    /// One page.
    pub async fn list(&self, query: &ListQuery) -> Result<Page<Rollover>> {
        query.validate(&[])?;
        let call = Call::get(BASE)
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every item from `query.cursor` on. The stream owns a handle to the client.
    pub fn list_all(
        &self,
        query: ListQuery,
    ) -> impl Stream<Item = Result<Rollover>> + Send + 'static {
        let client = self.client.clone();
        paginate(query, move |q| {
            let client = client.clone();
            async move { client.rollovers().list(&q).await }
        })
    }

    /// One rollover.
    pub async fn get(&self, id: &str) -> Result<Rollover> {
        let id = path_id("rollover id", id)?;
        self.client
            .transport
            .json(Call::get(format!("{BASE}/{id}")), &self.client.options)
            .await
    }

    /// Advance one stage.
    pub async fn transition(&self, id: &str, to: RolloverStatus) -> Result<Rollover> {
        let id = path_id("rollover id", id)?;
        let body = TransitionRequest { to };
        self.client
            .transport
            .json(
                Call::post(format!("{BASE}/{id}/transition"), &body)?,
                &self.client.options,
            )
            .await
    }

    /// Mark rolled back.
    pub async fn rollback(&self, id: &str) -> Result<Rollover> {
        let id = path_id("rollover id", id)?;
        let call = Call::post(format!("{BASE}/{id}/rollback"), &RollbackRequest {})?;
        self.client.transport.json(call, &self.client.options).await
    }

    /// Download one artifact.
    pub async fn download(&self, id: &str, artifact: &str) -> Result<Artifact> {
        let id = path_id("rollover id", id)?;
        if !ARTIFACTS.contains(&artifact) {
            return Err(Error::input(
                "artifact",
                format!("one of {}", ARTIFACTS.join(", ")),
            ));
        }
        let call = Call::get(format!("{BASE}/{id}/download")).query("artifact", Some(artifact));
        let raw = self
            .client
            .transport
            .send(call, &self.client.options)
            .await?;
        let header = |name: &str| {
            raw.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let suggested = header("content-disposition")
            .and_then(|d| {
                d.split("filename=")
                    .nth(1)
                    .map(|f| f.trim_matches('"').to_owned())
            })
            .unwrap_or_else(|| artifact.to_owned());
        Ok(Artifact {
            file_name: safe_file_name(&suggested)?,
            content_type: header("content-type").unwrap_or_default(),
            body: raw.body,
        })
    }

    /// Download every artifact into `dir` (created if needed); returns the paths written.
    /// Scripts are made executable.
    pub async fn download_all(&self, id: &str, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::input("directory", e.to_string()))?;
        let mut written = Vec::new();
        for name in ARTIFACTS {
            let artifact = self.download(id, name).await?;
            let path = dir.join(&artifact.file_name);
            std::fs::write(&path, &artifact.body)
                .map_err(|e| Error::input("directory", e.to_string()))?;
            #[cfg(unix)]
            if name.ends_with(".sh") {
                use std::os::unix::fs::PermissionsExt as _;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                    .map_err(|e| Error::input("directory", e.to_string()))?;
            }
            written.push(path);
        }
        Ok(written)
    }
}
