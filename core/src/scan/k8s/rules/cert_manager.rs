//! cert-manager: a Certificate's *desired* private key (`spec.privateKey`), judged before
//! it rotates into the cluster, and the CA key an Issuer / ClusterIssuer signs with.

use serde_json::Value;

use crate::scan::classify::{KeyAlgorithm, algorithm::curve_by_name};
use crate::scan::k8s::{K8sScanner, Object, SecretRole, SecretUse};
use crate::scan::{Finding, FindingCode};

/// Where cert-manager keeps a ClusterIssuer's Secrets (its `--cluster-resource-namespace`
/// default).
pub(in crate::scan::k8s) const CLUSTER_RESOURCE_NAMESPACE: &str = "cert-manager";

/// cert-manager's key defaults: RSA, 2048 bits for RSA and 256 for ECDSA.
fn desired_algorithm(algorithm: Option<&str>, size: Option<u64>) -> KeyAlgorithm {
    let size = size.and_then(|s| u32::try_from(s).ok());
    match algorithm.unwrap_or("RSA") {
        "RSA" => KeyAlgorithm::Rsa {
            bits: Some(size.unwrap_or(2048)),
        },
        "ECDSA" => KeyAlgorithm::Ec(curve_by_name(match size.unwrap_or(256) {
            384 => "P-384",
            521 => "P-521",
            _ => "P-256",
        })),
        "Ed25519" => KeyAlgorithm::Ed25519,
        other => match other.to_ascii_uppercase().replace(['-', '_'], "").as_str() {
            "MLDSA44" => KeyAlgorithm::MlDsa(44),
            "MLDSA65" => KeyAlgorithm::MlDsa(65),
            "MLDSA87" => KeyAlgorithm::MlDsa(87),
            _ => KeyAlgorithm::Unknown(other.to_owned()),
        },
    }
}

pub(in crate::scan::k8s) fn certificate(scanner: &mut K8sScanner, object: &Object) -> bool {
    let algorithm_text = object.str_at("spec.privateKey.algorithm");
    let size = object.at("spec.privateKey.size").and_then(Value::as_u64);
    let algorithm = desired_algorithm(algorithm_text, size);
    let secret = object.str_at("spec.secretName").unwrap_or("?");
    let evidence = format!(
        "spec.privateKey.algorithm {}, size {}; issues into Secret {secret}",
        algorithm_text.unwrap_or("RSA (default)"),
        size.map_or_else(
            || format!("{} (default)", algorithm.bits().unwrap_or_default()),
            |s| s.to_string()
        ),
    );
    let location = object.location(Some("spec.privateKey"));
    if let Some(f) = algorithm.finding("private key the Certificate requests", &evidence, &location)
    {
        scanner.push(f);
    }
    if object.str_at("spec.privateKey.rotationPolicy") == Some("Never") {
        scanner.push(Finding::new(
            FindingCode::K8sKeyNotRotated,
            format!(
                "Certificate {} keeps its private key on renewal",
                object.display()
            ),
            format!("spec.privateKey.rotationPolicy Never; Secret {secret}"),
            object.location(Some("spec.privateKey.rotationPolicy")),
        ));
    }
    true
}

pub(in crate::scan::k8s) fn issuer(scanner: &mut K8sScanner, object: &Object) -> bool {
    if let Some(secret) = object.str_at("spec.ca.secretName") {
        let namespace = object
            .namespace
            .clone()
            .unwrap_or_else(|| CLUSTER_RESOURCE_NAMESPACE.to_owned());
        scanner.uses.push(SecretUse {
            namespace,
            secret: secret.to_owned(),
            user: format!("{} {}", object.kind, object.display()),
            location: object.location(Some("spec.ca.secretName")),
            hosts: Vec::new(),
            role: SecretRole::IssuerCa,
        });
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_manager_defaults() {
        assert_eq!(
            desired_algorithm(None, None),
            KeyAlgorithm::Rsa { bits: Some(2048) }
        );
        assert_eq!(
            desired_algorithm(Some("ECDSA"), Some(384)),
            KeyAlgorithm::Ec(curve_by_name("P-384"))
        );
        assert_eq!(
            desired_algorithm(Some("Ed25519"), None),
            KeyAlgorithm::Ed25519
        );
        assert_eq!(
            desired_algorithm(Some("ML-DSA-65"), None),
            KeyAlgorithm::MlDsa(65)
        );
    }
}
