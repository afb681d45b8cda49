//! `GET /v1/audit`: the hash-chained ledger, and its offline verification; the
//! ledger's signed checkpoints, proofs and key (docs/formats.md §7), and the witness
//! check that ties them together.

use futures_util::{Stream, TryStreamExt as _};

use super::check_limit;
use crate::Result;
use crate::client::{Call, Client, Page, paginate};
use crate::ledger::{
    ChainReport, Checkpoint, ConsistencyProof, EventType, InclusionProof, LedgerEntry, LedgerKey,
    NodeHash, Observation, Witness, verify_chain, verify_complete_chain,
};

/// A ledger row (docs/formats.md §6).
pub type AuditEntry = LedgerEntry;

/// Filters and paging for `GET /v1/audit`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    /// Only this event type.
    #[serde(default)]
    pub event_type: Option<EventType>,
    /// At or after this RFC 3339 time.
    pub since: Option<String>,
    /// Before this RFC 3339 time.
    pub until: Option<String>,
    /// 1–100.
    pub limit: Option<u32>,
    /// From a previous page.
    pub cursor: Option<String>,
}

/// `GET /v1/audit/checkpoint`: the latest signed checkpoint of the caller's ledger.
/// Only `checkpoint` is evidence (verify it with the pinned [`LedgerKey`]); the other
/// fields repeat its body for display.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignedCheckpoint {
    /// The C2SP signed note: checkpoint body, blank line, Ed25519 and ML-DSA-65 lines.
    pub checkpoint: String,
    /// The log's origin, `<log name>/audit/<orgId>`.
    pub origin: String,
    /// Rows in the tree.
    pub tree_size: u64,
    /// The tree's root hash.
    pub root_hash: NodeHash,
}

impl SignedCheckpoint {
    /// A checkpoint that was verified, with the signed note it came in.
    pub fn new(checkpoint: &Checkpoint, signed_note: impl Into<String>) -> Self {
        SignedCheckpoint {
            checkpoint: signed_note.into(),
            origin: checkpoint.origin.to_string(),
            tree_size: checkpoint.size,
            root_hash: checkpoint.root,
        }
    }

    /// The checkpoint `witness` holds, if it has verified one.
    pub fn held_by(witness: &Witness) -> Option<Self> {
        let checkpoint = witness.checkpoint()?;
        Some(SignedCheckpoint::new(
            checkpoint,
            witness.signed_checkpoint()?,
        ))
    }
}

/// Where the ledger key a witness pins came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The key pinned in the stored state (a key given as well must equal it).
    State,
    /// The key the caller gave: pinned now.
    Given,
    /// The key the server publishes, pinned now: trust on first use. Compare it with
    /// the key published out of band.
    TrustOnFirstUse,
}

/// `client.audit()`.
#[derive(Debug, Clone, Copy)]
pub struct AuditResource<'a> {
    client: &'a Client,
}

impl Client {
    /// The audit ledger.
    pub fn audit(&self) -> AuditResource<'_> {
        AuditResource { client: self }
    }
}

impl AuditResource<'_> {
    /// One page of rows, oldest first.
    pub async fn list(&self, query: &AuditQuery) -> Result<Page<AuditEntry>> {
        check_limit(query.limit)?;
        let call = Call::get("/v1/audit")
            .query("eventType", query.event_type.as_ref())
            .query("since", query.since.as_deref())
            .query("until", query.until.as_deref())
            .query("limit", query.limit)
            .query("cursor", query.cursor.as_deref());
        self.client.transport.json(call, &self.client.options).await
    }

    /// Every row matching the filters, from `query.cursor` on. The stream owns a
    /// handle to the client.
    pub fn list_all(
        &self,
        query: AuditQuery,
    ) -> impl Stream<Item = Result<AuditEntry>> + Send + 'static {
        let client = self.client.clone();
        paginate(query, move |q| {
            let client = client.clone();
            async move { client.audit().list(&q).await }
        })
    }

    /// The latest signed checkpoint (`GET /v1/audit/checkpoint`).
    pub async fn checkpoint(&self) -> Result<SignedCheckpoint> {
        let call = Call::get("/v1/audit/checkpoint");
        self.client.transport.json(call, &self.client.options).await
    }

    /// The ledger's public key (`GET /v1/audit/ledger-key`): what a client pins.
    pub async fn ledger_key(&self) -> Result<LedgerKey> {
        let call = Call::get("/v1/audit/ledger-key");
        self.client.transport.json(call, &self.client.options).await
    }

    /// The inclusion proof of the row `seq` in the tree of `tree_size` rows.
    pub async fn inclusion_proof(&self, seq: u64, tree_size: u64) -> Result<InclusionProof> {
        let call = Call::get("/v1/audit/proofs/inclusion")
            .query("seq", Some(seq))
            .query("treeSize", Some(tree_size));
        self.client.transport.json(call, &self.client.options).await
    }

    /// The consistency proof from `tree_size_1` to `tree_size_2` rows.
    pub async fn consistency_proof(
        &self,
        tree_size_1: u64,
        tree_size_2: u64,
    ) -> Result<ConsistencyProof> {
        let call = Call::get("/v1/audit/proofs/consistency")
            .query("treeSize1", Some(tree_size_1))
            .query("treeSize2", Some(tree_size_2));
        self.client.transport.json(call, &self.client.options).await
    }

    /// Advance `witness` to the server's latest checkpoint: fetch it and, when the
    /// witness holds a smaller one, the consistency proof between them; the witness
    /// refuses a fork, a shrink, a bad signature or a failed proof
    /// ([`crate::Error::Ledger`]).
    pub async fn witness(&self, witness: &mut Witness) -> Result<Observation> {
        let latest = self.checkpoint().await?;
        let proof = match witness.checkpoint() {
            Some(held) if held.size > 0 && latest.tree_size > held.size => {
                Some(self.consistency_proof(held.size, latest.tree_size).await?)
            }
            _ => None,
        };
        witness.observe(&latest.checkpoint, proof.as_ref())
    }

    /// The witness to advance: loaded from `state` (a state file's JSON; its checkpoint is
    /// verified again, and a `key` given as well must be the pinned one, else
    /// `ledger_key_changed`), else pinning `key`, else pinning the key the server
    /// publishes now (trust on first use, said by [`KeySource::TrustOnFirstUse`]).
    pub async fn open_witness(
        &self,
        state: Option<&str>,
        key: Option<LedgerKey>,
    ) -> Result<(Witness, KeySource)> {
        match (state, key) {
            (Some(state), key) => {
                let witness = Witness::from_json(state)?;
                if let Some(key) = &key {
                    witness.expect_key(key)?;
                }
                Ok((witness, KeySource::State))
            }
            (None, Some(key)) => Ok((Witness::pin(key), KeySource::Given)),
            (None, None) => Ok((
                Witness::pin(self.ledger_key().await?),
                KeySource::TrustOnFirstUse,
            )),
        }
    }

    /// Fetch rows and verify the hash chain offline. With no filters the export is
    /// complete, so a deleted row is detected too.
    pub async fn verify_chain(&self, query: AuditQuery) -> Result<ChainReport> {
        let complete = query.event_type.is_none() && query.since.is_none() && query.until.is_none();
        let rows: Vec<AuditEntry> = self.list_all(query).try_collect().await?;
        Ok(if complete {
            verify_complete_chain(&rows)
        } else {
            verify_chain(&rows)
        })
    }
}
