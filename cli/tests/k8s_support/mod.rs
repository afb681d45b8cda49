//! A cluster's worth of objects for the Kubernetes tests, minted at test time (so no
//! certificate in it ever expires by accident): TLS Secrets good and bad, ConfigMaps,
//! Ingresses, cert-manager, Istio and Linkerd objects — and what the scanner must say
//! about each. Written as a rendered-chart YAML stream, as a `kubectl get -o json` List,
//! and served by a fake Kubernetes API server (`fake_api`).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

pub mod fake_api;

use std::path::Path;

use base64::Engine as _;
use rcgen::{CertificateParams, DnType, KeyPair};
use serde_json::{Value, json};
use time::{Duration, OffsetDateTime};

use crate::scan_support::{openssl, read, rsa_key};

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn tls_secret(ns: &str, name: &str, crt: &str, key: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": name, "namespace": ns, "labels": {"app.kubernetes.io/managed-by": "cert-manager"}},
        "data": {"tls.crt": b64(crt), "tls.key": b64(key)}
    })
}

fn cert(
    names: &[&str],
    key: &KeyPair,
    validity: Option<(OffsetDateTime, OffsetDateTime)>,
) -> String {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).unwrap();
    params.distinguished_name.push(DnType::CommonName, names[0]);
    if let Some((nb, na)) = validity {
        params.not_before = nb;
        params.not_after = na;
    }
    params.self_signed(key).unwrap().pem()
}

/// The cluster: its objects, the private keys in it (which must never appear in any
/// output), and the findings expected as (object, code, severity).
pub struct Cluster {
    pub objects: Vec<Value>,
    pub private_keys: Vec<String>,
    pub expected: Vec<(&'static str, &'static str, &'static str)>,
    /// Objects that must have no finding at all.
    pub clean: Vec<&'static str>,
}

pub fn cluster(dir: &Path) -> Cluster {
    let now = OffsetDateTime::now_utc();
    let mut objects = Vec::new();
    let mut private_keys = Vec::new();

    // shop/shop-tls: RSA-2048, served by Ingress shop/web -> raised High -> Critical.
    let rsa2048 = rsa_key(dir, 2048);
    let rsa_pair = KeyPair::from_pem(&rsa2048).unwrap();
    objects.push(tls_secret(
        "shop",
        "shop-tls",
        &cert(&["shop.example"], &rsa_pair, None),
        &rsa2048,
    ));
    private_keys.push(rsa2048.clone());

    // shop/internal-tls: ECDSA P-256, served by nobody -> ECC-QV stays Medium.
    let p256 = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    objects.push(tls_secret(
        "shop",
        "internal-tls",
        &cert(&["internal.shop.svc"], &p256, None),
        &p256.serialize_pem(),
    ));
    private_keys.push(p256.serialize_pem());

    // legacy/legacy-tls: RSA-1024, SHA-1 signed (openssl).
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:1024",
            "-sha1",
            "-nodes",
            "-subj",
            "/CN=legacy.example",
            "-days",
            "90",
            "-keyout",
            "k8s-legacy.key",
            "-out",
            "k8s-legacy.pem",
        ],
    );
    objects.push(tls_secret(
        "legacy",
        "legacy-tls",
        &read(dir, "k8s-legacy.pem"),
        &read(dir, "k8s-legacy.key"),
    ));
    private_keys.push(read(dir, "k8s-legacy.key"));

    // legacy/expired-tls: expired 10 days ago.
    let expired_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let expired = cert(
        &["old.example"],
        &expired_key,
        Some((now - Duration::days(400), now - Duration::days(10))),
    );
    objects.push(tls_secret(
        "legacy",
        "expired-tls",
        &expired,
        &expired_key.serialize_pem(),
    ));

    // shop/rotated-tls: a new certificate with the old key -> mismatch.
    let new_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let old_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    objects.push(tls_secret(
        "shop",
        "rotated-tls",
        &cert(&["rotated.example"], &new_key, None),
        &old_key.serialize_pem(),
    ));

    // shop/broken-tls: tls.crt is not a certificate.
    objects.push(tls_secret(
        "shop",
        "broken-tls",
        "hello, not a certificate",
        &p256.serialize_pem(),
    ));

    // cert-manager/ca-key-pair: the ClusterIssuer's CA, ECDSA P-384.
    let ca_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Example Internal CA");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca_pem = ca_params.self_signed(&ca_key).unwrap().pem();
    objects.push(tls_secret(
        "cert-manager",
        "ca-key-pair",
        &ca_pem,
        &ca_key.serialize_pem(),
    ));

    // istio-system/gateway-cert: ECDSA P-256 served by the Gateway -> ECC-QV raised to High.
    let gw_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    objects.push(tls_secret(
        "istio-system",
        "gateway-cert",
        &cert(&["shop.example"], &gw_key, None),
        &gw_key.serialize_pem(),
    ));

    // An Opaque Secret: not a TLS Secret, passed over.
    objects.push(json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
        "metadata": {"name": "db-password", "namespace": "shop"}, "data": {"password": b64("hunter2")}}));

    // ConfigMaps: a CA bundle (public, fine to have, but quantum-vulnerable), a leaked
    // private key, and plain settings.
    objects.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "trust-bundle", "namespace": "shop"}, "data": {"ca.pem": ca_pem}}));
    let leaked = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    objects.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "leaky-config", "namespace": "shop"},
        "data": {"app.properties": "mode=prod\n", "signing.key": leaked.serialize_pem()}}));
    private_keys.push(leaked.serialize_pem());
    objects.push(json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "app-settings", "namespace": "shop"}, "data": {"LOG_LEVEL": "info"}}));

    // Ingresses: one serving shop-tls, one naming a Secret that does not exist.
    objects.push(json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"ingressClassName": "nginx",
            "tls": [{"hosts": ["shop.example"], "secretName": "shop-tls"}],
            "rules": [{"host": "shop.example", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}));
    objects.push(
        json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "docs", "namespace": "shop"},
        "spec": {"tls": [{"hosts": ["docs.example"], "secretName": "docs-tls"}]}}),
    );

    // cert-manager.
    objects.push(json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "web-cert", "namespace": "shop"},
        "spec": {"secretName": "shop-tls", "dnsNames": ["shop.example"], "issuerRef": {"name": "internal-ca", "kind": "ClusterIssuer"}}}));
    objects.push(
        json!({"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "api-cert", "namespace": "shop"},
        "spec": {"secretName": "api-tls", "dnsNames": ["api.shop.example"],
            "privateKey": {"algorithm": "ECDSA", "size": 384, "rotationPolicy": "Never"},
            "issuerRef": {"name": "internal-ca", "kind": "ClusterIssuer"}}}),
    );
    objects.push(
        json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
        "metadata": {"name": "internal-ca"}, "spec": {"ca": {"secretName": "ca-key-pair"}}}),
    );
    objects.push(json!({"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
        "metadata": {"name": "selfsigned", "namespace": "shop"}, "spec": {"selfSigned": {}}}));

    // Istio.
    objects.push(json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "istio-system"}, "spec": {"mtls": {"mode": "PERMISSIVE"}}}));
    objects.push(json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
        "metadata": {"name": "strict", "namespace": "payments"}, "spec": {"mtls": {"mode": "STRICT"}}}));
    objects.push(json!({"apiVersion": "security.istio.io/v1", "kind": "PeerAuthentication",
        "metadata": {"name": "legacy-off", "namespace": "legacy"},
        "spec": {"selector": {"matchLabels": {"app": "mainframe-bridge"}}, "mtls": {"mode": "STRICT"},
            "portLevelMtls": {"8080": {"mode": "DISABLE"}}}}));
    objects.push(json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
        "metadata": {"name": "reviews", "namespace": "shop"},
        "spec": {"host": "reviews.shop.svc.cluster.local", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}}}));
    objects.push(json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
        "metadata": {"name": "db", "namespace": "shop"},
        "spec": {"host": "db", "subsets": [{"name": "v1", "trafficPolicy": {"tls": {"mode": "DISABLE"}}}]}}));
    objects.push(
        json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
        "metadata": {"name": "stripe", "namespace": "shop"},
        "spec": {"host": "api.stripe.com", "trafficPolicy": {"tls": {"mode": "SIMPLE"}}}}),
    );
    objects.push(
        json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
        "metadata": {"name": "ratings", "namespace": "shop"},
        "spec": {"host": "ratings", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}}}),
    );
    objects.push(json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
        "metadata": {"name": "public", "namespace": "istio-system"},
        "spec": {"selector": {"istio": "ingressgateway"}, "servers": [
            {"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["shop.example"],
             "tls": {"mode": "SIMPLE", "credentialName": "gateway-cert", "minProtocolVersion": "TLSV1_1"}},
            {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["shop.example"]}]}}));
    objects.push(json!({"apiVersion": "networking.istio.io/v1", "kind": "Gateway",
        "metadata": {"name": "modern", "namespace": "istio-system"},
        "spec": {"servers": [
            {"port": {"number": 443, "name": "https", "protocol": "HTTPS"}, "hosts": ["api.example"],
             "tls": {"mode": "SIMPLE", "credentialName": "missing-cert", "minProtocolVersion": "TLSV1_3"}},
            {"port": {"number": 80, "name": "http", "protocol": "HTTP"}, "hosts": ["api.example"], "tls": {"httpsRedirect": true}}]}}));

    // Linkerd.
    objects.push(
        json!({"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "MeshTLSAuthentication",
        "metadata": {"name": "anyone", "namespace": "shop"}, "spec": {"identities": ["*"]}}),
    );
    objects.push(
        json!({"apiVersion": "policy.linkerd.io/v1alpha1", "kind": "MeshTLSAuthentication",
        "metadata": {"name": "frontend-only", "namespace": "shop"},
        "spec": {"identityRefs": [{"kind": "ServiceAccount", "name": "frontend"}]}}),
    );

    // Something the scanner does not judge.
    objects.push(json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 2}}));

    Cluster {
        objects,
        private_keys,
        expected: vec![
            ("shop/Secret/shop-tls tls.crt", "RSA-2048", "critical"),
            ("shop/Secret/internal-tls tls.crt", "ECC-QV", "medium"),
            ("legacy/Secret/legacy-tls tls.crt", "RSA-WEAK", "critical"),
            (
                "legacy/Secret/legacy-tls tls.crt",
                "CERT-WEAK-SIGNATURE",
                "critical",
            ),
            (
                "legacy/Secret/expired-tls tls.crt",
                "CERT-EXPIRED",
                "critical",
            ),
            (
                "shop/Secret/rotated-tls tls.key",
                "K8S-TLS-KEY-MISMATCH",
                "high",
            ),
            (
                "shop/Secret/broken-tls tls.crt",
                "K8S-TLS-SECRET-UNREADABLE",
                "medium",
            ),
            (
                "cert-manager/Secret/ca-key-pair tls.crt",
                "ECC-QV",
                "medium",
            ),
            ("istio-system/Secret/gateway-cert tls.crt", "ECC-QV", "high"),
            ("shop/ConfigMap/trust-bundle ca.pem", "ECC-QV", "medium"),
            (
                "shop/ConfigMap/leaky-config signing.key",
                "PRIVATE-KEY-EXPOSED",
                "critical",
            ),
            (
                "shop/Certificate/web-cert spec.privateKey",
                "RSA-2048",
                "high",
            ),
            (
                "shop/Certificate/api-cert spec.privateKey",
                "ECC-QV",
                "medium",
            ),
            (
                "shop/Certificate/api-cert spec.privateKey.rotationPolicy",
                "K8S-KEY-NOT-ROTATED",
                "low",
            ),
            (
                "ClusterIssuer/internal-ca spec.ca.secretName",
                "ECC-QV",
                "medium",
            ),
            (
                "istio-system/PeerAuthentication/default spec.mtls.mode",
                "K8S-MTLS-PERMISSIVE",
                "medium",
            ),
            (
                "legacy/PeerAuthentication/legacy-off spec.portLevelMtls.8080.mode",
                "K8S-MTLS-DISABLED",
                "high",
            ),
            (
                "shop/DestinationRule/reviews spec.trafficPolicy.tls.mode",
                "K8S-TLS-NOT-MUTUAL",
                "medium",
            ),
            (
                "shop/DestinationRule/db spec.subsets[0].trafficPolicy.tls.mode",
                "K8S-MTLS-DISABLED",
                "high",
            ),
            (
                "istio-system/Gateway/public spec.servers[0].tls.minProtocolVersion",
                "TLS-1.1-MIN",
                "critical",
            ),
            (
                "istio-system/Gateway/public spec.servers[1]",
                "HTTPS-NOT-ENFORCED",
                "high",
            ),
            (
                "shop/MeshTLSAuthentication/anyone spec.identities",
                "K8S-MESH-ANY-IDENTITY",
                "low",
            ),
        ],
        clean: vec![
            "shop/ConfigMap/app-settings",
            "shop/Secret/db-password",
            "payments/PeerAuthentication/strict",
            "shop/DestinationRule/stripe",
            "shop/DestinationRule/ratings",
            "istio-system/Gateway/modern",
            "shop/MeshTLSAuthentication/frontend-only",
            "shop/Issuer/selfsigned",
            "shop/Ingress/web",
        ],
    }
}

impl Cluster {
    /// A rendered-chart style stream: `---`-separated YAML documents with comments.
    pub fn yaml_stream(&self) -> String {
        let mut out = String::from("# Source: shop/templates/all.yaml\n");
        for o in &self.objects {
            out.push_str("---\n");
            out.push_str(&serde_saphyr::to_string(o).unwrap());
        }
        out
    }

    /// `kubectl get … -A -o json`: one List.
    pub fn json_list(&self) -> String {
        serde_json::to_string_pretty(&json!({
            "apiVersion": "v1", "kind": "List", "items": self.objects, "metadata": {"resourceVersion": ""}
        }))
        .unwrap()
    }
}

/// (object location, code, severity) of every finding in a report.
pub fn findings(report: &Value) -> Vec<(String, String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let l = &f["location"];
            let mut at = match l["namespace"].as_str() {
                Some(ns) => format!(
                    "{ns}/{}/{}",
                    l["objectKind"].as_str().unwrap(),
                    l["name"].as_str().unwrap()
                ),
                None => format!(
                    "{}/{}",
                    l["objectKind"].as_str().unwrap(),
                    l["name"].as_str().unwrap()
                ),
            };
            if let Some(field) = l["field"].as_str() {
                at.push(' ');
                at.push_str(field);
            }
            (
                at,
                f["code"].as_str().unwrap().to_owned(),
                f["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Every expected finding is there, clean objects have none, and no private key shows.
pub fn assert_cluster_findings(cluster: &Cluster, report: &Value, text: &str) {
    let got = findings(report);
    for (at, code, severity) in &cluster.expected {
        assert!(
            got.iter()
                .any(|(a, c, s)| a == at && c == code && s == severity),
            "missing {severity} {code} at {at}; got:\n{}",
            got.iter()
                .map(|(a, c, s)| format!("  {s} {c} {a}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    for clean in &cluster.clean {
        let prefix = format!("{clean} ");
        let hits: Vec<_> = got
            .iter()
            .filter(|(a, _, _)| a == clean || a.starts_with(&prefix))
            .collect();
        assert!(hits.is_empty(), "{clean} should have no finding: {hits:?}");
    }
    for key in &cluster.private_keys {
        let body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
        for chunk in body
            .as_bytes()
            .chunks(40)
            .map(|c| String::from_utf8_lossy(c).into_owned())
        {
            assert!(!text.contains(&chunk), "key material in the output");
        }
        assert!(
            !text.contains(&b64(key)),
            "base64 of a private key in the output"
        );
    }
}
