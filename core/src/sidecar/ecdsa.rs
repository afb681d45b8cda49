//! ECDSA P-256 / SHA-256 verification of the leaf's self-signature: AWS-LC with the
//! `aws-lc` feature (4.7× faster than `p256` here, docs/crypto.md), `p256` without it.
//! Both take the certificate's SubjectPublicKeyInfo (id-ecPublicKey on P-256 only) and a
//! DER `ECDSA-Sig-Value`, and accept exactly the valid signatures (either S).

/// Verify `signature_der` over `message` under the P-256 key in `spki_der`.
#[cfg(feature = "aws-lc")]
pub(crate) fn verify_p256_sha256(spki_der: &[u8], message: &[u8], signature_der: &[u8]) -> bool {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_ASN1, ParsedPublicKey};
    // Parses the SPKI (RFC 5280), checks the curve and that the point is on it.
    ParsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, spki_der)
        .is_ok_and(|key| key.verify_sig(message, signature_der).is_ok())
}

/// Verify `signature_der` over `message` under the P-256 key in `spki_der`.
#[cfg(not(feature = "aws-lc"))]
pub(crate) fn verify_p256_sha256(spki_der: &[u8], message: &[u8], signature_der: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier as _;
    use p256::pkcs8::DecodePublicKey as _;
    let Ok(key) = p256::ecdsa::VerifyingKey::from_public_key_der(spki_der) else {
        return false;
    };
    p256::ecdsa::Signature::from_der(signature_der)
        .is_ok_and(|signature| key.verify(message, &signature).is_ok())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a failed expectation is a test failure

    use p256::ecdsa::signature::Signer as _;
    use p256::pkcs8::EncodePublicKey as _;

    use super::*;

    #[test]
    fn accepts_valid_and_refuses_tampered_signatures() {
        let key = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let spki = key.verifying_key().to_public_key_der().unwrap();
        let signature: p256::ecdsa::Signature = key.sign(b"to be signed");
        let der = signature.to_der();
        assert!(verify_p256_sha256(
            spki.as_bytes(),
            b"to be signed",
            der.as_bytes()
        ));
        assert!(!verify_p256_sha256(
            spki.as_bytes(),
            b"to be signeD",
            der.as_bytes()
        ));
        // High S (n - s) is the same signature mathematically: both backends accept it.
        let high_s = p256::ecdsa::Signature::from_scalars(signature.r(), -*signature.s()).unwrap();
        assert!(verify_p256_sha256(
            spki.as_bytes(),
            b"to be signed",
            high_s.to_der().as_bytes()
        ));
        let mut bad = der.as_bytes().to_vec();
        bad.push(0); // trailing byte after the DER SEQUENCE
        assert!(!verify_p256_sha256(spki.as_bytes(), b"to be signed", &bad));
        let other = p256::ecdsa::SigningKey::from_slice(&[8; 32]).unwrap();
        let other_spki = other.verifying_key().to_public_key_der().unwrap();
        assert!(!verify_p256_sha256(
            other_spki.as_bytes(),
            b"to be signed",
            der.as_bytes()
        ));
    }
}
