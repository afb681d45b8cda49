//! The finding catalogue: every code the scanner can report, defined once, with its
//! default severity, title and the reason it matters. `docs/scanning.md` lists the same
//! table; a unit test keeps the two in step.

use serde::{Deserialize, Serialize};

use super::Severity;

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable code, e.g. `TLS-1.0-MIN`.
    pub code: &'static str,
    /// Severity unless a check has a reason to say otherwise.
    pub severity: Severity,
    /// Short label; every finding's title starts with the code.
    pub title: &'static str,
    /// Why it matters (SARIF rule help, the description of submitted findings).
    pub why: &'static str,
}

macro_rules! catalogue {
    ($( $(#[$doc:meta])* $variant:ident = $code:literal, $sev:ident, $title:literal, $why:literal; )*) => {
        /// A stable, machine-readable finding code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum FindingCode {
            $( $(#[$doc])* #[serde(rename = $code)] $variant, )*
        }

        impl FindingCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant),*];

            /// The catalogue entry.
            pub fn info(self) -> &'static CodeInfo {
                match self {
                    $( FindingCode::$variant => &CodeInfo {
                        code: $code,
                        severity: Severity::$sev,
                        title: $title,
                        why: $why,
                    }, )*
                }
            }
        }
    };
}

catalogue! {
    /// The server completes a TLS 1.0 handshake (its minimum version is 1.0).
    Tls10Min = "TLS-1.0-MIN", Critical, "TLS 1.0 accepted",
        "TLS 1.0 (1999) lacks AEAD ciphers and is vulnerable to BEAST/POODLE-style attacks; RFC 8996 forbids it. A server that still accepts it lets an active attacker downgrade clients.";
    /// The server's lowest accepted version is TLS 1.1.
    Tls11Min = "TLS-1.1-MIN", Critical, "TLS 1.1 accepted",
        "TLS 1.1 is deprecated by RFC 8996: no AEAD ciphers, MD5/SHA-1 in the handshake. Require TLS 1.2 at least.";
    /// The highest version the server speaks is TLS 1.2.
    Tls13Unsupported = "TLS-1.3-UNSUPPORTED", Medium, "TLS 1.3 not supported",
        "Post-quantum hybrid key exchange (X25519MLKEM768) exists only in TLS 1.3. A TLS 1.2-only server cannot be made quantum-safe without an upgrade.";
    /// No post-quantum key-exchange group is accepted.
    KxNotPq = "KX-NOT-PQ", High, "no post-quantum key exchange",
        "Sessions are protected by classical (EC)DH only: traffic recorded today can be decrypted once a cryptographically relevant quantum computer exists (harvest now, decrypt later). Enable X25519MLKEM768.";
    /// A post-quantum group is accepted alone, but a classical one wins when both are offered.
    KxPqNotPreferred = "KX-PQ-NOT-PREFERRED", High, "post-quantum key exchange supported but not preferred",
        "Real clients offer the hybrid group and a classical one together; a server that prefers the classical group gives them no post-quantum protection (harvest now, decrypt later). Put X25519MLKEM768 first in the server's group preference.";
    /// A post-quantum hybrid group was negotiated.
    KxPqHybrid = "KX-PQ-HYBRID", Info, "post-quantum hybrid key exchange",
        "The session key comes from a hybrid ML-KEM + ECDH exchange: recorded traffic stays confidential even against a future quantum computer, and against a break of ML-KEM alone.";
    /// Plain HTTP is served without a redirect to HTTPS.
    HttpsNotEnforced = "HTTPS-NOT-ENFORCED", High, "plain HTTP is served without a redirect to HTTPS",
        "Clients that type the bare name or follow an http:// link talk in cleartext and can be stripped of TLS by an active attacker. Redirect port 80 to https:// (and send HSTS).";
    /// The HTTPS response has no Strict-Transport-Security header.
    HstsMissing = "HSTS-MISSING", Low, "no Strict-Transport-Security header",
        "Without HSTS a browser's first request may go over plain HTTP, where an attacker can strip TLS.";
    /// The certificate's validity ended.
    CertExpired = "CERT-EXPIRED", Critical, "certificate expired",
        "Clients refuse expired certificates (an outage), or users learn to click through warnings (an attack path).";
    /// The certificate's validity has not started.
    CertNotYetValid = "CERT-NOT-YET-VALID", High, "certificate not yet valid",
        "Clients refuse it until notBefore; usually a clock or issuance mistake.";
    /// The certificate expires within 30 days.
    CertExpiresSoon = "CERT-EXPIRES-SOON", Low, "certificate expires within 30 days",
        "Renew before clients start refusing it.";
    /// The certificate is signed with SHA-1 or MD5.
    CertWeakSignature = "CERT-WEAK-SIGNATURE", Critical, "certificate signed with a broken hash",
        "SHA-1 and MD5 collisions are practical (SHAttered, Flame): a chosen-prefix collision yields a forged certificate with the same signature.";
    /// The certificate does not name the host it was served for.
    CertHostnameMismatch = "CERT-HOSTNAME-MISMATCH", High, "certificate does not match the hostname",
        "Clients refuse the connection, or accept a certificate meant for another site.";
    /// The certificate is self-signed.
    CertSelfSigned = "CERT-SELF-SIGNED", Medium, "self-signed certificate",
        "No public CA vouches for the key: clients must pin it or they cannot tell it from an attacker's.";
    /// The chain does not lead to a trusted root.
    CertUntrusted = "CERT-UNTRUSTED", High, "certificate chain not trusted",
        "The chain does not validate against the system's trust roots (or the given CA file): clients reject it or are trained to ignore warnings.";
    /// The hybrid sidecar (1.3.9999.42.1) verified.
    CertHybridBound = "CERT-HYBRID-BOUND", Info, "hybrid-bound certificate (ML-DSA-65 sidecar verified)",
        "The certificate carries an ML-DSA-65 signature over its own fields and keys (OID 1.3.9999.42.1): PQ-aware clients can authenticate it even against a quantum adversary.";
    /// The hybrid sidecar is present but did not verify.
    CertHybridInvalid = "CERT-HYBRID-INVALID", High, "hybrid sidecar does not verify",
        "The certificate claims a post-quantum binding that does not hold: it was altered after minting or bound to another key, host or validity window.";
    /// RSA key below 2048 bits.
    RsaWeak = "RSA-WEAK", Critical, "RSA key below 2048 bits",
        "RSA-1024 and smaller are within reach of classical factoring (RSA-768 was factored in 2009); NIST disallowed them in 2013.";
    /// RSA-2048 (112-bit classical security).
    Rsa2048 = "RSA-2048", High, "RSA-2048 key",
        "112-bit classical security, disallowed by NIST after 2030, and broken outright by Shor's algorithm: plan its replacement (ML-DSA, or a hybrid) first.";
    /// RSA 3072 bits or more.
    RsaQuantumVulnerable = "RSA-QV", Medium, "RSA key (quantum-vulnerable)",
        "Classically strong (at least 128-bit security), but Shor's algorithm breaks RSA at any size: migrate to ML-DSA or a hybrid.";
    /// Elliptic curve below 224 bits.
    EccWeak = "ECC-WEAK", Critical, "elliptic-curve key on a weak curve",
        "Curves under 224 bits give less than 112-bit classical security.";
    /// Elliptic-curve or Edwards key (ECDSA, EdDSA, ECDH).
    EccQuantumVulnerable = "ECC-QV", Medium, "elliptic-curve key (quantum-vulnerable)",
        "At least 128-bit classical security, but Shor's algorithm breaks elliptic-curve discrete logarithms: migrate to ML-DSA / ML-KEM or a hybrid.";
    /// DSA key.
    DsaWeak = "DSA-WEAK", Critical, "DSA key",
        "DSA is withdrawn (FIPS 186-5) and OpenSSH disabled ssh-dss; the keys in use are 1024-bit.";
    /// A post-quantum key (ML-DSA, ML-KEM, SLH-DSA).
    PqKey = "PQ-KEY", Info, "post-quantum key",
        "A NIST post-quantum algorithm (FIPS 203/204/205): safe against a quantum adversary.";
    /// A key of an algorithm the classifier does not know.
    KeyUnknown = "KEY-UNKNOWN", Info, "key of an unrecognised algorithm",
        "Listed for the inventory; review it by hand.";
    /// An unencrypted private or secret key in the scanned files.
    PrivateKeyExposed = "PRIVATE-KEY-EXPOSED", Critical, "private key in the repository",
        "Anyone who can read the repository (or its history, forks and CI caches) holds the key: revoke and rotate it, then remove it from history.";
    /// A passphrase-encrypted private key in the scanned files.
    PrivateKeyEncrypted = "PRIVATE-KEY-ENCRYPTED", High, "encrypted private key in the repository",
        "The passphrase is all that protects it, and it can be guessed offline without limit: keep keys in a secret store instead.";
    /// A PKCS#12 / PFX bundle in the scanned files.
    Pkcs12Bundle = "PKCS12-BUNDLE", High, "PKCS#12 bundle in the repository",
        "PKCS#12 files normally hold a private key under a password that can be guessed offline (postq does not try). Keep them in a secret store.";
    /// A TLS Secret whose private key does not belong to its certificate.
    K8sTlsKeyMismatch = "K8S-TLS-KEY-MISMATCH", High, "TLS Secret's key does not match its certificate",
        "tls.key is not the private key of tls.crt's leaf: every handshake with it fails, or the Secret is half-way through a rotation (a certificate replaced without its key, or the other way round).";
    /// A TLS Secret without a readable certificate or key.
    K8sTlsSecretUnreadable = "K8S-TLS-SECRET-UNREADABLE", Medium, "TLS Secret holds no readable certificate or key",
        "A kubernetes.io/tls Secret whose tls.crt or tls.key holds no PEM certificate or key cannot serve TLS, and its cryptography cannot be judged.";
    /// cert-manager will never re-key a Certificate.
    K8sKeyNotRotated = "K8S-KEY-NOT-ROTATED", Low, "cert-manager keeps the private key on renewal",
        "privateKey.rotationPolicy Never reuses the old key on every renewal: the same key is exposed for years, and a changed algorithm (a move to a post-quantum or hybrid key) never takes effect. Use rotationPolicy Always.";
    /// Service-mesh mTLS accepts plaintext too.
    K8sMtlsPermissive = "K8S-MTLS-PERMISSIVE", Medium, "mesh mTLS is permissive (plaintext accepted)",
        "PERMISSIVE mode accepts plaintext alongside mTLS: anything in the cluster network can talk to the workload unauthenticated and unencrypted. Move to STRICT once every client is in the mesh.";
    /// Service-mesh mTLS is disabled.
    K8sMtlsDisabled = "K8S-MTLS-DISABLED", High, "mesh mTLS disabled (plaintext)",
        "Traffic to or from these workloads is plaintext inside the cluster: readable and forgeable by anything on the path. Use STRICT mTLS (PeerAuthentication) and ISTIO_MUTUAL (DestinationRule).";
    /// One-way TLS where the mesh expects mutual TLS.
    K8sTlsNotMutual = "K8S-TLS-NOT-MUTUAL", Medium, "one-way TLS to an in-mesh service",
        "A DestinationRule with TLS mode SIMPLE for a service inside the cluster replaces the mesh's mutual TLS with server-only TLS: the caller is no longer authenticated and the mesh's identity-based policy no longer applies. Use ISTIO_MUTUAL.";
    /// A mesh authentication that admits any identity.
    K8sMeshAnyIdentity = "K8S-MESH-ANY-IDENTITY", Low, "mesh authentication admits any identity",
        "A Linkerd MeshTLSAuthentication listing `*` admits every meshed workload: traffic is encrypted, but any compromised workload in the mesh is authorised. Name the ServiceAccounts that need access.";
}

impl FindingCode {
    /// The code string, e.g. `TLS-1.0-MIN`.
    pub fn as_str(self) -> &'static str {
        self.info().code
    }

    /// The default severity.
    pub fn severity(self) -> Severity {
        self.info().severity
    }

    /// `CODE: catalogue title`.
    pub fn title(self) -> String {
        format!("{}: {}", self.as_str(), self.info().title)
    }

    /// Look a code up by its string.
    pub fn parse(code: &str) -> Option<FindingCode> {
        FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == code)
    }
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        let mut seen = std::collections::BTreeSet::new();
        for code in FindingCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert_eq!(FindingCode::parse(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn rollover_codes_are_exact_title_prefixes() {
        for (code, text) in [
            (FindingCode::Tls10Min, "TLS-1.0-MIN"),
            (FindingCode::Tls11Min, "TLS-1.1-MIN"),
            (FindingCode::HttpsNotEnforced, "HTTPS-NOT-ENFORCED"),
        ] {
            assert_eq!(code.as_str(), text);
            assert!(code.title().starts_with(text));
        }
    }

    #[cfg(feature = "client")]
    #[test]
    fn rollover_eligible_codes_are_in_the_catalogue() {
        for code in crate::api::ROLLOVER_ELIGIBLE_CODES {
            assert!(FindingCode::parse(code).is_some(), "{code}");
        }
    }

    #[test]
    fn docs_list_every_code_with_its_severity() {
        let doc = include_str!("../../../docs/scanning.md");
        for code in FindingCode::ALL {
            let row = format!("| `{}` | {} |", code.as_str(), code.severity().label());
            assert!(doc.contains(&row), "docs/scanning.md lacks the row `{row}`");
        }
    }
}
