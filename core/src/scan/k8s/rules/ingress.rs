//! Ingresses: the TLS Secrets they serve (`spec.tls[].secretName`, same namespace). The
//! scan raises those Secrets' certificate findings one step when it finishes: a weak
//! certificate that clients actually meet matters more than one lying unused.

use crate::scan::k8s::object::strings;
use crate::scan::k8s::{K8sScanner, Object, SecretRole, SecretUse};

pub(in crate::scan::k8s) fn scan(scanner: &mut K8sScanner, object: &Object) -> bool {
    let Some(namespace) = object.namespace.clone() else {
        return true;
    };
    let tls = object
        .at("spec.tls")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    for entry in &tls {
        let Some(secret) = entry.get("secretName").and_then(serde_json::Value::as_str) else {
            continue;
        };
        scanner.uses.push(SecretUse {
            namespace: namespace.clone(),
            secret: secret.to_owned(),
            user: format!("Ingress {}", object.display()),
            location: object.location(Some("spec.tls")),
            hosts: strings(entry.get("hosts")),
            role: SecretRole::Served,
        });
    }
    true
}
