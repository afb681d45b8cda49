//! JWK Set form of a hybrid public key: ML-DSA-65 as `AKP` (draft-ietf-cose-dilithium)
//! and Ed25519 as `OKP` (RFC 8037), sharing one `kid` = `<keyId>#v<version>`.

use serde::{Deserialize, Serialize};

use super::keys::{HybridPublicKey, PUBLIC_KEY_JSON_LIMIT};
use crate::encoding::{b64url, check_size, from_b64url};
use crate::{Error, Result};

const WHAT: &str = "JWK Set";

#[derive(Serialize, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

/// One JWK; only public members. Private members (`priv`, `d`) are refused on import.
#[derive(Serialize, Deserialize)]
struct Jwk {
    kty: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    alg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[serde(rename = "pub")]
    public: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x: Option<String>,
    kid: String,
    #[serde(skip_serializing_if = "Option::is_none", rename = "use")]
    usage: Option<String>,
}

pub(super) fn to_jwk_set(key: &HybridPublicKey) -> String {
    let kid = format!("{}#v{}", key.key_id(), key.version());
    let set = JwkSet {
        keys: vec![
            Jwk {
                kty: "AKP".into(),
                alg: Some("ML-DSA-65".into()),
                crv: None,
                public: Some(b64url(&key.mldsa65_bytes())),
                x: None,
                kid: kid.clone(),
                usage: Some("sig".into()),
            },
            Jwk {
                kty: "OKP".into(),
                alg: None,
                crv: Some("Ed25519".into()),
                public: None,
                x: Some(b64url(&key.ed25519_bytes())),
                kid,
                usage: Some("sig".into()),
            },
        ],
    };
    serde_json::to_string(&set).unwrap_or_default()
}

pub(super) fn from_jwk_set(text: &str) -> Result<HybridPublicKey> {
    check_size(WHAT, text.len(), PUBLIC_KEY_JSON_LIMIT)?;
    // Refuse private members before anything else so they never reach a typed value.
    let raw: serde_json::Value =
        serde_json::from_str(text).map_err(|e| Error::input(WHAT, e.to_string()))?;
    let has_private = raw
        .get("keys")
        .and_then(|k| k.as_array())
        .is_some_and(|keys| {
            keys.iter()
                .any(|k| k.get("priv").is_some() || k.get("d").is_some())
        });
    if has_private {
        return Err(Error::input(
            WHAT,
            "contains private key material; refusing to import",
        ));
    }
    let set: JwkSet = serde_json::from_value(raw).map_err(|e| Error::input(WHAT, e.to_string()))?;
    let mut mldsa = None;
    let mut ed25519 = None;
    let mut kid: Option<String> = None;
    for jwk in set.keys {
        match (jwk.kty.as_str(), jwk.alg.as_deref(), jwk.crv.as_deref()) {
            ("AKP", Some("ML-DSA-65"), _) if mldsa.is_none() => {
                let public = jwk
                    .public
                    .ok_or_else(|| Error::input(WHAT, "AKP key without `pub`"))?;
                mldsa = Some(from_b64url("ML-DSA-65 public key", &public)?);
            }
            ("OKP", _, Some("Ed25519")) if ed25519.is_none() => {
                let x = jwk
                    .x
                    .ok_or_else(|| Error::input(WHAT, "OKP key without `x`"))?;
                ed25519 = Some(from_b64url("Ed25519 public key", &x)?);
            }
            _ => {
                return Err(Error::input(
                    WHAT,
                    format!("unexpected or repeated key (kty {})", jwk.kty),
                ));
            }
        }
        match &kid {
            None => kid = Some(jwk.kid),
            Some(k) if *k == jwk.kid => {}
            Some(_) => return Err(Error::input(WHAT, "the two keys have different `kid`s")),
        }
    }
    let (Some(mldsa), Some(ed25519), Some(kid)) = (mldsa, ed25519, kid) else {
        return Err(Error::input(
            WHAT,
            "needs one ML-DSA-65 (AKP) and one Ed25519 (OKP) key",
        ));
    };
    let (key_id, version) = kid
        .rsplit_once("#v")
        .ok_or_else(|| Error::input(WHAT, "kid must be <keyId>#v<version>"))?;
    let version: u32 = version
        .parse()
        .map_err(|_| Error::input(WHAT, "kid must be <keyId>#v<version>"))?;
    HybridPublicKey::from_raw(key_id, version, &mldsa, &ed25519)
}
