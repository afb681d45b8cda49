//! The ledger key: signing checkpoints as signed notes with both halves of a hybrid key,
//! and verifying them against the pinned public key (`docs/formats.md` §7).

use std::fmt;

use ed25519_dalek::Signer as _;
use serde::{Deserialize, Serialize};

use super::LedgerFailure;
use super::checkpoint::{Checkpoint, Origin};
use super::note::{self, NoteSignature, SignedNote};
use crate::hybrid::composite::Hedging;
use crate::hybrid::{
    ED25519_PUBLIC_KEY_LEN, HybridPublicKey, HybridSigningKey, MLDSA65_PUBLIC_KEY_LEN, mldsa65,
};
use crate::{Error, Result};

/// signed-note type byte of Ed25519.
const ED25519_TYPE: &[u8] = &[0x01];
/// The identifier of postq's ML-DSA-65 note signatures: follows the extension type
/// byte `0xFF`, and is the FIPS 204 context string of the signature.
pub const MLDSA65_NOTE_IDENTIFIER: &[u8] = b"postq/signed-note/mldsa65";
/// Suffix of the ML-DSA-65 key name after the origin.
pub const MLDSA65_NAME_SUFFIX: &str = "/mldsa65";

fn mldsa65_type() -> Vec<u8> {
    let mut t = vec![0xFF];
    t.extend_from_slice(MLDSA65_NOTE_IDENTIFIER);
    t
}

/// Sign a checkpoint with the ledger key: the signed note with an Ed25519 line and an
/// ML-DSA-65 line (hedged).
pub fn sign_checkpoint(key: &HybridSigningKey, checkpoint: &Checkpoint) -> Result<String> {
    sign_checkpoint_with(key, checkpoint, Hedging::Randomized)
}

/// [`sign_checkpoint`] with an explicit ML-DSA hedging mode (deterministic for vectors).
pub fn sign_checkpoint_with(
    key: &HybridSigningKey,
    checkpoint: &Checkpoint,
    hedging: Hedging,
) -> Result<String> {
    let public = LedgerKey::new(checkpoint.origin.clone(), key.public_key());
    let text = checkpoint.body();
    let rnd = match hedging {
        Hedging::Randomized => *crate::rng::random_bytes::<32>()?,
        Hedging::Deterministic => [0u8; 32],
    };
    let pq = key
        .mldsa65_half()
        .sign(text.as_bytes(), MLDSA65_NOTE_IDENTIFIER, rnd)?;
    let classical = key.ed25519_half().sign(text.as_bytes());
    Ok(SignedNote {
        text,
        signatures: vec![
            NoteSignature {
                name: public.ed25519_key_name().to_owned(),
                key_id: public.ed25519_key_id(),
                signature: classical.to_bytes().to_vec(),
            },
            NoteSignature {
                name: public.mldsa65_key_name(),
                key_id: public.mldsa65_key_id(),
                signature: pq.to_vec(),
            },
        ],
    }
    .encode())
}

/// The public ledger key of one organisation's log: its origin and the two halves. What
/// a client pins.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "LedgerKeyJson", into = "LedgerKeyJson")]
pub struct LedgerKey {
    origin: Origin,
    ed25519: [u8; ED25519_PUBLIC_KEY_LEN],
    mldsa65: Box<[u8; MLDSA65_PUBLIC_KEY_LEN]>,
}

impl fmt::Debug for LedgerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LedgerKey")
            .field("origin", &self.origin)
            .field(
                "ed25519_key_id",
                &format_args!("{:08x}", self.ed25519_key_id()),
            )
            .field(
                "mldsa65_key_id",
                &format_args!("{:08x}", self.mldsa65_key_id()),
            )
            .finish()
    }
}

#[cfg(feature = "schema")]
impl utoipa::PartialSchema for LedgerKey {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = |description: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some(description.to_owned()))
        };
        ObjectBuilder::new()
            .description(Some(
                "The audit ledger's public key for one organisation's log (docs/formats.md §7): its origin and the signed-note verifier keys of both halves.",
            ))
            .property("v", ObjectBuilder::new().schema_type(Type::Integer).description(Some("Format version, 1.")))
            .property("origin", text("The log's origin, `<log name>/audit/<orgId>`."))
            .property("ed25519", text("Ed25519 verifier key: `<origin>+<key id hex>+<b64(0x01 ‖ key)>`."))
            .property("mldsa65", text("ML-DSA-65 verifier key: `<origin>/mldsa65+<key id hex>+<b64(0xFF ‖ identifier ‖ key)>`."))
            .required("v")
            .required("origin")
            .required("ed25519")
            .required("mldsa65")
            .into()
    }
}

#[cfg(feature = "schema")]
impl utoipa::ToSchema for LedgerKey {}

/// The JSON form, fields in wire order.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerKeyJson {
    v: u32,
    origin: String,
    ed25519: String,
    mldsa65: String,
}

impl From<LedgerKey> for LedgerKeyJson {
    fn from(key: LedgerKey) -> Self {
        LedgerKeyJson {
            v: 1,
            origin: key.origin.as_str().to_owned(),
            ed25519: key.ed25519_vkey(),
            mldsa65: key.mldsa65_vkey(),
        }
    }
}

impl TryFrom<LedgerKeyJson> for LedgerKey {
    type Error = Error;
    fn try_from(json: LedgerKeyJson) -> Result<Self> {
        if json.v != 1 {
            return Err(Error::Unsupported {
                what: "ledger key version",
                found: json.v.to_string(),
            });
        }
        let key = LedgerKey::from_vkeys(&json.ed25519, &json.mldsa65)?;
        if key.origin.as_str() != json.origin {
            return Err(Error::input(
                "ledger key",
                "origin does not match the verifier keys",
            ));
        }
        Ok(key)
    }
}

impl LedgerKey {
    /// The ledger key of the log `origin`, from the hybrid key's public half.
    pub fn new(origin: Origin, key: &HybridPublicKey) -> Self {
        let mut mldsa65 = Box::new([0u8; MLDSA65_PUBLIC_KEY_LEN]);
        mldsa65.copy_from_slice(&key.mldsa65_bytes());
        LedgerKey {
            origin,
            ed25519: key.ed25519_bytes(),
            mldsa65,
        }
    }

    /// Parse the two verifier keys (Ed25519 first). Their names must be the origin and
    /// the origin + `/mldsa65`.
    pub fn from_vkeys(ed25519: &str, mldsa65: &str) -> Result<Self> {
        let (name, ed) = note::parse_vkey(ed25519, ED25519_TYPE)?;
        let origin = Origin::new(&name)?;
        let ed: [u8; ED25519_PUBLIC_KEY_LEN] = ed
            .try_into()
            .map_err(|_| Error::input("Ed25519 verifier key", "expected a 32-byte key"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&ed)
            .map_err(|_| Error::input("Ed25519 verifier key", "not a valid curve point"))?;
        let (pq_name, pq) = note::parse_vkey(mldsa65, &mldsa65_type())?;
        if pq_name != format!("{origin}{MLDSA65_NAME_SUFFIX}") {
            return Err(Error::input(
                "ML-DSA-65 verifier key",
                format!("its name must be {origin}{MLDSA65_NAME_SUFFIX}"),
            ));
        }
        let pq: [u8; MLDSA65_PUBLIC_KEY_LEN] = pq
            .try_into()
            .map_err(|_| Error::input("ML-DSA-65 verifier key", "expected a 1952-byte key"))?;
        Ok(LedgerKey {
            origin,
            ed25519: ed,
            mldsa65: Box::new(pq),
        })
    }

    /// The JSON form (`{"v":1,"origin","ed25519","mldsa65"}`, vkeys as strings).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse the JSON form.
    pub fn from_json(text: &str) -> Result<Self> {
        crate::encoding::check_size("ledger key JSON", text.len(), 16 * 1024)?;
        serde_json::from_str(text).map_err(|e| Error::input("ledger key JSON", e.to_string()))
    }

    /// The log this key signs for.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The Ed25519 key name: the origin.
    pub fn ed25519_key_name(&self) -> &str {
        self.origin.as_str()
    }

    /// The ML-DSA-65 key name: the origin + `/mldsa65`.
    pub fn mldsa65_key_name(&self) -> String {
        format!("{}{MLDSA65_NAME_SUFFIX}", self.origin)
    }

    /// The Ed25519 key ID.
    pub fn ed25519_key_id(&self) -> u32 {
        note::key_id(self.ed25519_key_name(), ED25519_TYPE, &self.ed25519)
    }

    /// The ML-DSA-65 key ID.
    pub fn mldsa65_key_id(&self) -> u32 {
        note::key_id(&self.mldsa65_key_name(), &mldsa65_type(), &self.mldsa65[..])
    }

    /// The Ed25519 verifier key (`golang.org/x/mod/sumdb/note` reads it).
    pub fn ed25519_vkey(&self) -> String {
        note::vkey(self.ed25519_key_name(), ED25519_TYPE, &self.ed25519)
    }

    /// The ML-DSA-65 verifier key.
    pub fn mldsa65_vkey(&self) -> String {
        note::vkey(&self.mldsa65_key_name(), &mldsa65_type(), &self.mldsa65[..])
    }

    /// The raw 32-byte Ed25519 public key.
    pub fn ed25519_bytes(&self) -> [u8; ED25519_PUBLIC_KEY_LEN] {
        self.ed25519
    }

    /// The raw 1952-byte ML-DSA-65 public key.
    pub fn mldsa65_bytes(&self) -> Vec<u8> {
        self.mldsa65.to_vec()
    }

    /// Verify a signed checkpoint: its origin is this key's, and it carries a valid
    /// Ed25519 line and a valid ML-DSA-65 line of this key. Lines of other keys are
    /// ignored; a line of this key that does not verify refuses the note.
    pub fn verify_checkpoint(&self, signed_note: &str) -> Result<Checkpoint> {
        let note = SignedNote::parse(signed_note)?;
        let checkpoint = Checkpoint::parse_body(&note.text)?;
        if checkpoint.origin != self.origin {
            return Err(bad_signature(format!(
                "the checkpoint is for log {}, not the pinned log {}",
                checkpoint.origin, self.origin
            )));
        }
        let message = note.text.as_bytes();
        let (ed_name, ed_id) = (self.ed25519_key_name(), self.ed25519_key_id());
        let (pq_name, pq_id) = (self.mldsa65_key_name(), self.mldsa65_key_id());
        let mut classical_ok = false;
        let mut pq_ok = false;
        for line in &note.signatures {
            if line.name == ed_name && line.key_id == ed_id {
                if !self.ed25519_verifies(message, &line.signature) {
                    return Err(bad_signature(format!(
                        "the Ed25519 signature of {ed_name} does not verify"
                    )));
                }
                classical_ok = true;
            } else if line.name == pq_name && line.key_id == pq_id {
                if !mldsa65::verify(
                    &self.mldsa65,
                    message,
                    MLDSA65_NOTE_IDENTIFIER,
                    &line.signature,
                ) {
                    return Err(bad_signature(format!(
                        "the ML-DSA-65 signature of {pq_name} does not verify"
                    )));
                }
                pq_ok = true;
            }
        }
        match (classical_ok, pq_ok) {
            (true, true) => Ok(checkpoint),
            (false, _) => Err(bad_signature(format!(
                "no Ed25519 signature by the pinned key {ed_name}+{ed_id:08x}"
            ))),
            (true, false) => Err(bad_signature(format!(
                "no ML-DSA-65 signature by the pinned key {pq_name}+{pq_id:08x}"
            ))),
        }
    }

    fn ed25519_verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        ed25519_dalek::VerifyingKey::from_bytes(&self.ed25519).is_ok_and(|key| {
            key.verify_strict(message, &ed25519_dalek::Signature::from_bytes(&bytes))
                .is_ok()
        })
    }
}

fn bad_signature(detail: String) -> Error {
    Error::Ledger {
        failure: LedgerFailure::BadSignature,
        detail,
    }
}
