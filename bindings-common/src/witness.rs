//! `audit.witness`: advance a client's witness of the ledger (docs/formats.md §7) by one
//! server round trip and report what happened. The checks are core's
//! ([`postq::ledger::Witness`]); this module only opens the witness from the call's
//! arguments and shapes the result every binding returns.

use postq::Client;
use postq::api::{KeySource, SignedCheckpoint};
use postq::error::{ErrorCode, ErrorKind};
use postq::ledger::{LedgerKey, Observation};
use serde::{Deserialize, Serialize};

use crate::{ErrorInfo, WitnessArgs};

/// What the latest checkpoint did to the witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WitnessOutcome {
    /// The first checkpoint seen: nothing to be consistent with yet.
    First,
    /// The same tree as the one held.
    Unchanged,
    /// The tree grew, and the consistency proof showed it only appended.
    Extended,
}

impl From<&Observation> for WitnessOutcome {
    fn from(observation: &Observation) -> Self {
        match observation {
            Observation::First(_) => WitnessOutcome::First,
            Observation::Unchanged(_) => WitnessOutcome::Unchanged,
            Observation::Extended { .. } => WitnessOutcome::Extended,
        }
    }
}

/// The result of `audit.witness`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WitnessResult {
    /// The new state JSON: store it and pass it to the next call. A refused call
    /// returns an error instead, so a stored state only ever moves forward.
    pub state: String,
    /// What the latest checkpoint did.
    pub outcome: WitnessOutcome,
    /// Where the pinned key came from; `trust_on_first_use` when the server's own key
    /// was pinned by this call.
    pub key_source: KeySource,
    /// The pinned ledger key.
    pub ledger_key: LedgerKey,
    /// The checkpoint now held, verified (both signatures, and consistency with the
    /// previous one).
    pub checkpoint: SignedCheckpoint,
    /// The checkpoint held before this call (absent on first use).
    pub previous: Option<SignedCheckpoint>,
}

/// Open the witness from `args`, advance it to the server's latest checkpoint, report.
pub(crate) async fn advance(
    client: &Client,
    args: WitnessArgs,
) -> Result<WitnessResult, ErrorInfo> {
    let audit = client.audit();
    let (mut witness, key_source) = audit
        .open_witness(args.state.as_deref(), args.ledger_key)
        .await?;
    let previous = SignedCheckpoint::held_by(&witness);
    let observation = audit.witness(&mut witness).await?;
    // A successful observation always leaves its checkpoint held.
    let checkpoint = SignedCheckpoint::held_by(&witness).ok_or_else(|| {
        ErrorInfo::local(
            ErrorKind::InvalidResponse,
            ErrorCode::InvalidResponse,
            "the witness holds no checkpoint after observing one",
        )
    })?;
    Ok(WitnessResult {
        state: witness.to_json(),
        outcome: WitnessOutcome::from(&observation),
        key_source,
        ledger_key: witness.key().clone(),
        checkpoint,
        previous,
    })
}
