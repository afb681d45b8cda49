//! Service-mesh posture: Istio PeerAuthentication (mTLS mode), DestinationRule (the TLS
//! a client sidecar originates), Gateway (TLS versions, served certificates, HTTP without
//! a redirect) and Linkerd MeshTLSAuthentication (who is admitted).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::scan::k8s::object::strings;
use crate::scan::k8s::{K8sScanner, Object, SecretRole, SecretUse};
use crate::scan::{Finding, FindingCode};

/// PERMISSIVE / DISABLE findings for one mode value.
fn mtls_mode(scanner: &mut K8sScanner, object: &Object, field: &str, mode: &str, scope: &str) {
    let code = match mode {
        "PERMISSIVE" => FindingCode::K8sMtlsPermissive,
        "DISABLE" => FindingCode::K8sMtlsDisabled,
        _ => return,
    };
    scanner.push(Finding::new(
        code,
        format!(
            "PeerAuthentication {} sets mTLS {mode}{scope}",
            object.display()
        ),
        format!("{field}: {mode}"),
        object.location(Some(field)),
    ));
}

pub(in crate::scan::k8s) fn peer_authentication(scanner: &mut K8sScanner, object: &Object) -> bool {
    let scope = if object.at("spec.selector").is_none() {
        " for the whole namespace (mesh-wide in the root namespace)"
    } else {
        ""
    };
    if let Some(mode) = object.str_at("spec.mtls.mode") {
        mtls_mode(scanner, object, "spec.mtls.mode", mode, scope);
    }
    if let Some(ports) = object.at("spec.portLevelMtls").and_then(Value::as_object) {
        for (port, setting) in ports {
            if let Some(mode) = setting.get("mode").and_then(Value::as_str) {
                let field = format!("spec.portLevelMtls.{port}.mode");
                mtls_mode(scanner, object, &field, mode, &format!(" on port {port}"));
            }
        }
    }
    true
}

/// A host inside the cluster: a short name or a `*.svc[.cluster.local]` name. Only
/// there is the mesh's mutual TLS expected; TLS to outside hosts is the app's choice.
fn in_mesh(host: &str) -> bool {
    !host.contains('.')
        || host.ends_with(".svc")
        || host.ends_with(".svc.cluster.local")
        || host.ends_with(".cluster.local")
}

pub(in crate::scan::k8s) fn destination_rule(scanner: &mut K8sScanner, object: &Object) -> bool {
    let host = object.str_at("spec.host").unwrap_or_default().to_owned();
    if !in_mesh(&host) {
        return true;
    }
    let mut policies: Vec<(String, &Value)> = Vec::new();
    if let Some(p) = object.at("spec.trafficPolicy") {
        policies.push(("spec.trafficPolicy".to_owned(), p));
    }
    if let Some(subsets) = object.at("spec.subsets").and_then(Value::as_array) {
        for (i, subset) in subsets.iter().enumerate() {
            if let Some(p) = subset.get("trafficPolicy") {
                policies.push((format!("spec.subsets[{i}].trafficPolicy"), p));
            }
        }
    }
    let mut modes = Vec::new();
    for (path, policy) in policies {
        if let Some(mode) = policy.pointer("/tls/mode").and_then(Value::as_str) {
            modes.push((format!("{path}.tls.mode"), mode.to_owned()));
        }
        if let Some(ports) = policy.get("portLevelSettings").and_then(Value::as_array) {
            for (i, port) in ports.iter().enumerate() {
                if let Some(mode) = port.pointer("/tls/mode").and_then(Value::as_str) {
                    modes.push((
                        format!("{path}.portLevelSettings[{i}].tls.mode"),
                        mode.to_owned(),
                    ));
                }
            }
        }
    }
    for (field, mode) in modes {
        let (code, what) = match mode.as_str() {
            "DISABLE" => (FindingCode::K8sMtlsDisabled, "sends plaintext"),
            "SIMPLE" => (FindingCode::K8sTlsNotMutual, "uses one-way TLS"),
            _ => continue,
        };
        scanner.push(Finding::new(
            code,
            format!(
                "DestinationRule {} {what} to in-mesh host {host}",
                object.display()
            ),
            format!("{field}: {mode}; host {host}"),
            object.location(Some(&field)),
        ));
    }
    true
}

pub(in crate::scan::k8s) fn gateway(scanner: &mut K8sScanner, object: &Object) -> bool {
    let servers = object
        .at("spec.servers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut https_hosts = BTreeSet::new();
    let mut plain: Vec<(usize, Vec<String>)> = Vec::new();
    for (i, server) in servers.iter().enumerate() {
        let protocol = server
            .pointer("/port/protocol")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        let hosts = strings(server.get("hosts"));
        let tls = server.get("tls");
        let text = |key: &str| tls.and_then(|t| t.get(key)).and_then(Value::as_str);
        let field = |key: &str| format!("spec.servers[{i}].tls.{key}");
        if protocol == "HTTP" {
            if !tls
                .and_then(|t| t.get("httpsRedirect"))
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                plain.push((i, hosts));
            }
            continue;
        }
        if protocol == "HTTPS" {
            https_hosts.extend(hosts.iter().cloned());
        }
        if let Some(v @ ("TLSV1_0" | "TLSV1_1")) = text("minProtocolVersion") {
            let code = if v == "TLSV1_0" {
                FindingCode::Tls10Min
            } else {
                FindingCode::Tls11Min
            };
            scanner.push(Finding::new(
                code,
                format!(
                    "{}: Gateway {} accepts {v}",
                    code.as_str(),
                    object.display()
                ),
                format!("{}: {v}", field("minProtocolVersion")),
                object.location(Some(&field("minProtocolVersion"))),
            ));
        }
        if let Some(v @ ("TLSV1_0" | "TLSV1_1" | "TLSV1_2")) = text("maxProtocolVersion") {
            scanner.push(Finding::new(
                FindingCode::Tls13Unsupported,
                format!("Gateway {} caps TLS at {v}", object.display()),
                format!("{}: {v}", field("maxProtocolVersion")),
                object.location(Some(&field("maxProtocolVersion"))),
            ));
        }
        if let (Some(secret), Some(namespace)) = (text("credentialName"), &object.namespace) {
            scanner.uses.push(SecretUse {
                namespace: namespace.clone(),
                secret: secret.to_owned(),
                user: format!("Gateway {}", object.display()),
                location: object.location(Some(&field("credentialName"))),
                hosts: hosts.clone(),
                role: SecretRole::Served,
            });
        }
    }
    for (i, hosts) in plain {
        let exposed: Vec<&String> = hosts
            .iter()
            .filter(|h| https_hosts.contains(*h) || h.as_str() == "*")
            .collect();
        if exposed.is_empty() || https_hosts.is_empty() {
            continue;
        }
        let field = format!("spec.servers[{i}]");
        scanner.push(Finding::new(
            FindingCode::HttpsNotEnforced,
            format!(
                "HTTPS-NOT-ENFORCED: Gateway {} serves plain HTTP without httpsRedirect",
                object.display()
            ),
            format!(
                "{field}: protocol HTTP, hosts {}, tls.httpsRedirect not set",
                exposed
                    .iter()
                    .map(|h| h.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            object.location(Some(&field)),
        ));
    }
    true
}

pub(in crate::scan::k8s) fn mesh_tls_authentication(
    scanner: &mut K8sScanner,
    object: &Object,
) -> bool {
    if strings(object.at("spec.identities"))
        .iter()
        .any(|i| i == "*")
    {
        scanner.push(Finding::new(
            FindingCode::K8sMeshAnyIdentity,
            format!(
                "MeshTLSAuthentication {} admits any meshed identity",
                object.display()
            ),
            "spec.identities: [\"*\"]",
            object.location(Some("spec.identities")),
        ));
    }
    true
}

#[cfg(test)]
mod tests {
    #[test]
    fn in_mesh_hosts() {
        for h in [
            "reviews",
            "reviews.prod.svc.cluster.local",
            "db.data.svc",
            "*.local.cluster.local",
        ] {
            assert!(super::in_mesh(h), "{h}");
        }
        for h in ["api.example.com", "payments.stripe.com"] {
            assert!(!super::in_mesh(h), "{h}");
        }
    }
}
