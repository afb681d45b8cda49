//! The hybrid TLS certificate sidecar: an ML-DSA-65 signature over a canonical binding
//! of the certificate's fields, carried in the non-critical X.509 extension
//! OID 1.3.9999.42.1 (`docs/formats.md` §3–4).
//!
//! - [`Binding`]: the canonical binding JSON, derived from a certificate's own fields.
//! - [`SidecarExtension`]: the extension's DER.
//! - [`mint`]: make a self-signed ECDSA-P256 leaf carrying the sidecar.
//! - [`verify_certificate`]: re-derive, compare and verify, reporting every check.

mod binding;
mod certificate;
mod ecdsa;
mod extension;
mod hostname;
mod mint;
mod verify;

pub use binding::Binding;
pub use extension::{ID_ML_DSA_65, SIDECAR_OID, SIDECAR_OID_ARCS, SidecarExtension};
pub use hostname::normalize_hostname;
#[doc(hidden)]
pub use mint::testing;
pub use mint::{MintRequest, MintSeeds, MintedCertificate, mint, mint_with_seeds};
pub use verify::{SidecarCheck, SidecarChecks, SidecarReport, VerifyOptions, verify_certificate};

/// Certificates (PEM or DER) are refused above this size.
pub const CERTIFICATE_LIMIT: usize = 64 * 1024;
