//! The files a TLS rollover ships (`cert.pem`, `bundle.sh`, `import.sh`, `bind.sh`,
//! `rollback.sh`, `site.bicep`), generated from the templates in `server/templates/`.
//!
//! Scripts are pure `az` CLI with `set -euo pipefail`. Every substituted value is checked
//! against a conservative character set first (the hostname is already normalised to
//! `[a-z0-9.-]`), so nothing a client sends can break out of a shell or Bicep string.
//! Artifacts hold only public material and are re-generated on demand, byte for byte
//! the same as in the create response.

use base64::Engine;
use postq::api::{ARTIFACTS, Rollover};
use sha1::Digest as _;

const COMMON: &str = include_str!("../templates/common.sh");
const FN_IMPORT: &str = include_str!("../templates/fn_import.sh");
const FN_GRANT: &str = include_str!("../templates/fn_grant.sh");
const FN_CURRENT: &str = include_str!("../templates/fn_current.sh");
const FN_BIND: &str = include_str!("../templates/fn_bind.sh");
const FN_ENFORCE: &str = include_str!("../templates/fn_enforce.sh");
const MAIN_BUNDLE: &str = include_str!("../templates/main_bundle.sh");
const MAIN_IMPORT: &str = include_str!("../templates/main_import.sh");
const MAIN_BIND: &str = include_str!("../templates/main_bind.sh");
const MAIN_ROLLBACK: &str = include_str!("../templates/main_rollback.sh");
const SITE_BICEP: &str = include_str!("../templates/site.bicep");

/// What the templates are filled with.
#[derive(Debug, Clone)]
pub(crate) struct ArtifactInputs<'a> {
    pub(crate) rollover_id: &'a str,
    pub(crate) hostname: &'a str,
    pub(crate) serial: &'a str,
    pub(crate) not_after: &'a str,
    pub(crate) certificate_pem: &'a str,
}

impl<'a> From<&'a Rollover> for ArtifactInputs<'a> {
    fn from(r: &'a Rollover) -> Self {
        ArtifactInputs {
            rollover_id: &r.id,
            hostname: &r.hostname,
            serial: &r.serial,
            not_after: &r.not_after,
            certificate_pem: &r.certificate_pem,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ArtifactError {
    #[error("unknown artifact")]
    Unknown,
    #[error("a template value has characters outside the safe set")]
    UnsafeValue,
    #[error("the stored certificate is not PEM")]
    BadCertificate,
}

/// `Content-Type` of an artifact.
pub(crate) fn content_type(name: &str) -> &'static str {
    if name == "cert.pem" {
        "application/x-pem-file"
    } else if name.ends_with(".sh") {
        "text/x-shellscript; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// `attachment; filename="postq-<hostname>-<artifact>"` (hostname already `[a-z0-9.-]`).
pub(crate) fn content_disposition(hostname: &str, name: &str) -> Result<String, ArtifactError> {
    safe(hostname)?;
    safe(name)?;
    Ok(format!("attachment; filename=\"postq-{hostname}-{name}\""))
}

/// Only `[A-Za-z0-9._:-]`: safe inside single-quoted shell and Bicep strings, in a
/// comment, and in a quoted header parameter.
fn safe(value: &str) -> Result<&str, ArtifactError> {
    if !value.is_empty()
        && value.len() <= 253
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b':'))
    {
        Ok(value)
    } else {
        Err(ArtifactError::UnsafeValue)
    }
}

/// The DER of the first PEM block.
fn pem_der(pem: &str) -> Result<Vec<u8>, ArtifactError> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN CERTIFICATE-----"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|_| ArtifactError::BadCertificate)
        .and_then(|d| {
            if d.is_empty() {
                Err(ArtifactError::BadCertificate)
            } else {
                Ok(d)
            }
        })
}

/// The certificate's SHA-1 thumbprint, uppercase hex, as Azure names certificates.
pub(crate) fn thumbprint(certificate_pem: &str) -> Result<String, ArtifactError> {
    let der = pem_der(certificate_pem)?;
    Ok(hex::encode_upper(sha1::Sha1::digest(&der)))
}

/// The Key Vault certificate name: `postq-<hostname with dashes>-<serial prefix>`
/// (Key Vault allows `[0-9A-Za-z-]`, up to 127 characters).
pub(crate) fn certificate_name(hostname: &str, serial: &str) -> String {
    let host: String = hostname
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .take(96)
        .collect();
    let serial: String = serial
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    format!("postq-{host}-{serial}")
}

fn fill(template: &str, inputs: &ArtifactInputs<'_>) -> Result<String, ArtifactError> {
    let thumb = thumbprint(inputs.certificate_pem)?;
    let cert_name = certificate_name(inputs.hostname, inputs.serial);
    Ok(template
        .replace("__ROLLOVER_ID__", safe(inputs.rollover_id)?)
        .replace("__HOSTNAME__", safe(inputs.hostname)?)
        .replace("__SERIAL__", safe(inputs.serial)?)
        .replace("__NOT_AFTER__", safe(inputs.not_after)?)
        .replace("__THUMBPRINT__", safe(&thumb)?)
        .replace("__CERT_NAME__", safe(&cert_name)?))
}

fn script(
    name: &str,
    purpose: &str,
    parts: &[&str],
    inputs: &ArtifactInputs<'_>,
) -> Result<String, ArtifactError> {
    let mut text = COMMON
        .replace("__SCRIPT__", name)
        .replace("__PURPOSE__", purpose);
    for p in parts {
        text.push_str(p);
    }
    fill(&drop_unused_constants(&text), inputs)
}

/// Keep only the `readonly NAME=…` lines of the common header that this script uses,
/// so every script is shellcheck-clean on its own.
fn drop_unused_constants(text: &str) -> String {
    let used =
        |name: &str| text.contains(&format!("${name}")) || text.contains(&format!("${{{name}}}"));
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let keep = match line
            .strip_prefix("readonly ")
            .and_then(|rest| rest.split_once('='))
        {
            Some((name, _)) => used(name),
            None => true,
        };
        if keep {
            out.push_str(line);
        }
    }
    out
}

/// One artifact's text.
pub(crate) fn render(name: &str, inputs: &ArtifactInputs<'_>) -> Result<String, ArtifactError> {
    match name {
        "cert.pem" => Ok(inputs.certificate_pem.to_owned()),
        "bundle.sh" => script(
            name,
            "the full sequence: Key Vault import, managed identity access, SNI binding, HTTPS-only, TLS 1.2, FTPS-only",
            &[
                FN_IMPORT,
                FN_GRANT,
                FN_CURRENT,
                FN_BIND,
                FN_ENFORCE,
                MAIN_BUNDLE,
            ],
            inputs,
        ),
        "import.sh" => script(
            name,
            "only the Key Vault import",
            &[FN_IMPORT, MAIN_IMPORT],
            inputs,
        ),
        "bind.sh" => script(
            name,
            "only the App Service SNI binding",
            &[FN_CURRENT, FN_BIND, MAIN_BIND],
            inputs,
        ),
        "rollback.sh" => script(
            name,
            "unbind the hybrid certificate, restore the previous binding, disable the Key Vault version",
            &[FN_CURRENT, MAIN_ROLLBACK],
            inputs,
        ),
        "site.bicep" => fill(SITE_BICEP, inputs),
        _ => Err(ArtifactError::Unknown),
    }
}

/// Every artifact by name.
pub(crate) fn render_all(
    inputs: &ArtifactInputs<'_>,
) -> Result<std::collections::BTreeMap<String, String>, ArtifactError> {
    ARTIFACTS
        .iter()
        .map(|n| render(n, inputs).map(|t| ((*n).to_owned(), t)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_artifact_renders_without_placeholders() {
        let minted =
            postq::sidecar::mint(&postq::sidecar::MintRequest::new("app.contoso.example")).unwrap();
        let inputs = ArtifactInputs {
            rollover_id: "tlsr_01JDQ3ZQ8J6V8X4K5N2M7P9R1T",
            hostname: "app.contoso.example",
            serial: &minted.binding.serial,
            not_after: &minted.binding.not_after,
            certificate_pem: &minted.certificate_pem,
        };
        let files = render_all(&inputs).unwrap();
        assert_eq!(files.len(), 6);
        for (name, text) in &files {
            assert!(!text.contains("__"), "{name}");
            if std::env::var_os("POSTQ_PRINT_ARTIFACTS").is_some() {
                println!("===== {name}\n{text}");
            }
        }
        let thumb = thumbprint(&minted.certificate_pem).unwrap();
        assert_eq!(thumb.len(), 40);
        assert!(files["rollback.sh"].contains(&thumb));
        let bad = ArtifactInputs {
            hostname: "x'; rm -rf /",
            ..inputs
        };
        assert!(render("bundle.sh", &bad).is_err());
    }

    #[test]
    fn unsafe_values_are_refused() {
        assert!(safe("app.contoso.example").is_ok());
        for bad in ["a b", "a'b", "a\"b", "$(x)", "a;b", "", "a\nb", "a`b"] {
            assert!(safe(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            certificate_name("app.contoso.example", "5f0e1234abcd9999"),
            "postq-app-contoso-example-5f0e1234abcd"
        );
        assert_eq!(
            content_type("bundle.sh"),
            "text/x-shellscript; charset=utf-8"
        );
        assert!(content_disposition("a\"b", "cert.pem").is_err());
    }
}
