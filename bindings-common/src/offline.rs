//! Offline checks whose results are JSON documents (a sidecar report, a chain report, a
//! verified checkpoint), shared by the bindings so each parses times, rows and proofs
//! the same way. Hybrid signature verification is not here: it is the hot path, and
//! each binding calls `postq::hybrid` directly with its own zero-copy types.
//!
//! The ledger checks (docs/formats.md §7) are core's [`Witness`] rules; a refusal is the
//! core's `Error::Ledger` (kind `crypto`, code `ledger_…`), malformed input is
//! `validation` (`invalid_input`).

use postq::api::SignedCheckpoint;
use postq::ledger::{
    ConsistencyProof, InclusionProof, LedgerEntry, LedgerKey, Witness, verify_chain,
    verify_complete_chain,
};
use postq::sidecar::VerifyOptions;
use zeroize::Zeroizing;

use crate::ErrorInfo;
use crate::run::to_json;

/// Verify a hybrid certificate's ML-DSA-65 sidecar (PEM or DER). `hostname` must then
/// be bound; `at` (RFC 3339) judges validity at that time instead of now. Returns the
/// `SidecarReport` JSON.
pub fn verify_certificate(
    certificate: &[u8],
    hostname: Option<String>,
    at: Option<&str>,
) -> Result<Zeroizing<String>, ErrorInfo> {
    let options = VerifyOptions::with_rfc3339(hostname, at)?;
    let report = postq::sidecar::verify_certificate(certificate, &options)?;
    to_json(&report)
}

/// Verify ledger rows (a JSON array of `LedgerEntry`, ascending `seq`); `complete`
/// also requires `seq` 1, 2, 3 … without gaps. Returns the `ChainReport` JSON.
pub fn verify_ledger(rows: &str, complete: bool) -> Result<Zeroizing<String>, ErrorInfo> {
    let rows: Vec<LedgerEntry> =
        serde_json::from_str(rows).map_err(|e| ErrorInfo::bad_arguments("ledger rows", &e))?;
    let report = if complete {
        verify_complete_chain(&rows)
    } else {
        verify_chain(&rows)
    };
    to_json(&report)
}

/// Verify a signed checkpoint (the signed note) against a ledger key (its JSON form):
/// the origin is the key's, and both the Ed25519 and the ML-DSA-65 line verify.
/// Returns the `SignedCheckpoint` JSON.
pub fn verify_checkpoint(
    ledger_key: &str,
    checkpoint: &str,
) -> Result<Zeroizing<String>, ErrorInfo> {
    let key = LedgerKey::from_json(ledger_key)?;
    let verified = key.verify_checkpoint(checkpoint)?;
    to_json(&SignedCheckpoint::new(&verified, checkpoint))
}

/// What an inclusion proof is checked against: a signed checkpoint and the ledger key
/// that must have signed it, or a witness state (its pinned key and held checkpoint).
#[derive(Debug, Clone, Copy)]
pub enum ProofAnchor<'a> {
    /// A signed checkpoint, verified against the ledger key (JSON form) first.
    Checkpoint {
        /// The ledger key JSON.
        ledger_key: &'a str,
        /// The signed note.
        checkpoint: &'a str,
    },
    /// A witness state JSON (`audit.witness`'s `state`).
    State(&'a str),
}

impl<'a> ProofAnchor<'a> {
    /// From a binding's optional arguments: a state alone, or a ledger key and a
    /// checkpoint together.
    pub fn from_parts(
        state: Option<&'a str>,
        ledger_key: Option<&'a str>,
        checkpoint: Option<&'a str>,
    ) -> Result<Self, ErrorInfo> {
        match (state, ledger_key, checkpoint) {
            (Some(state), None, None) => Ok(ProofAnchor::State(state)),
            (None, Some(ledger_key), Some(checkpoint)) => Ok(ProofAnchor::Checkpoint {
                ledger_key,
                checkpoint,
            }),
            _ => Err(ErrorInfo::invalid(
                "inclusion anchor",
                "pass either a witness state, or a ledger key and a signed checkpoint",
            )),
        }
    }

    /// A witness holding the anchor's checkpoint (verified).
    fn witness(self) -> Result<Witness, ErrorInfo> {
        Ok(match self {
            ProofAnchor::State(state) => Witness::from_json(state)?,
            ProofAnchor::Checkpoint {
                ledger_key,
                checkpoint,
            } => {
                let mut witness = Witness::pin(LedgerKey::from_json(ledger_key)?);
                witness.observe(checkpoint, None)?;
                witness
            }
        })
    }
}

/// Verify that `row` (a `LedgerEntry` JSON) is the row at its `seq` in the anchor's
/// checkpoint, by `proof` (an `InclusionProof` JSON for that tree size). Returns the
/// `SignedCheckpoint` JSON of the checkpoint the row was proven in.
pub fn verify_inclusion(
    row: &str,
    proof: &str,
    anchor: ProofAnchor<'_>,
) -> Result<Zeroizing<String>, ErrorInfo> {
    let row: LedgerEntry =
        serde_json::from_str(row).map_err(|e| ErrorInfo::bad_arguments("ledger row", &e))?;
    let proof = InclusionProof::from_json(proof)?;
    let witness = anchor.witness()?;
    witness.verify_inclusion(&row, &proof)?;
    held(&witness)
}

/// Verify that the signed checkpoint `newer` extends `older` (both verified against the
/// ledger key JSON first) by `proof` (a `ConsistencyProof` JSON; not needed when the
/// sizes are equal or `older` is empty): the witness rules refuse a shrink, a fork or
/// a failed proof. Returns the `SignedCheckpoint` JSON of `newer`.
pub fn verify_consistency(
    ledger_key: &str,
    older: &str,
    newer: &str,
    proof: Option<&str>,
) -> Result<Zeroizing<String>, ErrorInfo> {
    let proof = proof.map(ConsistencyProof::from_json).transpose()?;
    let mut witness = Witness::pin(LedgerKey::from_json(ledger_key)?);
    witness.observe(older, None)?;
    witness.observe(newer, proof.as_ref())?;
    held(&witness)
}

fn held(witness: &Witness) -> Result<Zeroizing<String>, ErrorInfo> {
    let checkpoint = SignedCheckpoint::held_by(witness)
        .ok_or_else(|| ErrorInfo::invalid("witness state", "holds no checkpoint yet"))?;
    to_json(&checkpoint)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    fn vectors() -> Value {
        serde_json::from_str(include_str!("../../tests/vectors/ledger-tree.json")).unwrap()
    }

    fn signed<'a>(v: &'a Value, name: &str) -> &'a str {
        let found = v["signedCheckpoints"].as_array().unwrap().iter();
        let mut found = found.filter(|c| c["name"] == name);
        found.next().unwrap()["note"].as_str().unwrap()
    }

    fn code(result: Result<Zeroizing<String>, ErrorInfo>) -> String {
        result.err().map(|e| e.code).unwrap_or_else(|| "ok".into())
    }

    #[test]
    fn checkpoints_verify_against_the_ledger_key_and_refusals_keep_their_codes() {
        let v = vectors();
        let key = v["ledgerKey"]["json"].as_str().unwrap();
        let report = verify_checkpoint(key, signed(&v, "honest-13")).unwrap();
        let report: Value = serde_json::from_str(&report).unwrap();
        assert_eq!(report["treeSize"], 13);
        for case in v["invalidCheckpoints"].as_array().unwrap() {
            let note = case["note"].as_str().unwrap();
            assert_eq!(
                code(verify_checkpoint(key, note)),
                case["expected"],
                "{case}"
            );
        }
        assert_eq!(
            code(verify_checkpoint("{}", signed(&v, "honest-13"))),
            "invalid_input"
        );
    }

    #[test]
    fn witness_vectors_through_verify_consistency() {
        let v = vectors();
        let key = v["ledgerKey"]["json"].as_str().unwrap();
        let mut ran = 0;
        for case in v["witness"].as_array().unwrap() {
            let new = signed(&v, case["new"].as_str().unwrap());
            let result = match case["held"].as_str().unwrap() {
                "" => verify_checkpoint(key, new),
                held => {
                    let proof = (!case["proof"].is_null()).then(|| case["proof"].to_string());
                    verify_consistency(key, signed(&v, held), new, proof.as_deref())
                }
            };
            let expected = match case["expected"].as_str().unwrap() {
                "first" | "unchanged" | "extended" => "ok",
                code => code,
            };
            assert_eq!(code(result), expected, "{case}");
            ran += 1;
        }
        assert_eq!(ran, 10);
    }

    #[test]
    fn inclusion_against_a_checkpoint_or_a_state() {
        let v = vectors();
        let key = v["ledgerKey"]["json"].as_str().unwrap();
        let note = signed(&v, "honest-13");
        let row = v["leaves"][6]["row"].to_string();
        let proofs = v["inclusionProofs"].as_array().unwrap();
        let proof = proofs
            .iter()
            .find(|p| p["leafIndex"] == 6 && p["treeSize"] == 13)
            .unwrap()
            .to_string();
        let by_checkpoint = ProofAnchor::from_parts(None, Some(key), Some(note)).unwrap();
        assert_eq!(code(verify_inclusion(&row, &proof, by_checkpoint)), "ok");
        let state =
            json!({"v": 1, "key": serde_json::from_str::<Value>(key).unwrap(), "checkpoint": note});
        let state = state.to_string();
        let by_state = ProofAnchor::from_parts(Some(&state), None, None).unwrap();
        assert_eq!(code(verify_inclusion(&row, &proof, by_state)), "ok");

        let mut forged = v["leaves"][6]["row"].clone();
        forged["actor"] = json!("apikey:someone_else");
        let forged = forged.to_string();
        assert_eq!(
            code(verify_inclusion(&forged, &proof, by_checkpoint)),
            "ledger_inclusion_failed"
        );
        let other_row = v["leaves"][7]["row"].to_string();
        assert_eq!(
            code(verify_inclusion(&other_row, &proof, by_state)),
            "ledger_inclusion_failed"
        );
        let forged_note = signed(&v, "forged-13");
        let forged_anchor = ProofAnchor::from_parts(None, Some(key), Some(forged_note)).unwrap();
        assert_eq!(
            code(verify_inclusion(&row, &proof, forged_anchor)),
            "ledger_inclusion_failed"
        );
        for (state, key, note) in [
            (None, None, None),
            (Some("{}"), Some(key), Some(note)),
            (None, Some(key), None),
            (None, None, Some(note)),
        ] {
            let err = ProofAnchor::from_parts(state, key, note).unwrap_err();
            assert_eq!(err.code, "invalid_input");
        }
    }
}
