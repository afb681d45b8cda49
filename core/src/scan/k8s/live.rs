//! The live source: a cluster's API through kube, read-only. Every kind is listed
//! cluster-wide in pages (`limit` + `continue`), each page handed to the scanner and
//! dropped. Secrets are listed with `fieldSelector=type=kubernetes.io/tls`, so no other
//! Secret ever leaves the API server. The optional CRD groups (cert-manager, Istio,
//! Linkerd) are skipped with a note when the cluster does not have them (404) or RBAC
//! forbids them (403); the core kinds must be readable.
//!
//! The same code runs in a cluster (in-cluster service-account config) and outside it
//! (a kubeconfig and context).

use std::path::PathBuf;

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::config::{KubeConfigOptions, Kubeconfig};

use super::{K8sScanner, Object};
use crate::{Error, Result};

/// How to reach the cluster.
#[derive(Debug, Clone, Default)]
pub struct ClusterOptions {
    /// A kubeconfig file; `None`: `KUBECONFIG`, `~/.kube/config`, then the in-cluster
    /// service account (kube's inference order).
    pub kubeconfig: Option<PathBuf>,
    /// A context of the kubeconfig (default: its current context).
    pub context: Option<String>,
    /// Objects per list call (default 250).
    pub page_size: Option<u32>,
}

/// One kind the scanner reads.
struct Kind {
    group: &'static str,
    /// Tried in order: the first the API serves is used.
    versions: &'static [&'static str],
    kind: &'static str,
    plural: &'static str,
    /// A CRD that may be absent or forbidden.
    optional: bool,
    field_selector: Option<&'static str>,
}

const KINDS: &[Kind] = &[
    Kind {
        group: "",
        versions: &["v1"],
        kind: "Secret",
        plural: "secrets",
        optional: false,
        field_selector: Some("type=kubernetes.io/tls"),
    },
    Kind {
        group: "",
        versions: &["v1"],
        kind: "ConfigMap",
        plural: "configmaps",
        optional: false,
        field_selector: None,
    },
    Kind {
        group: "networking.k8s.io",
        versions: &["v1"],
        kind: "Ingress",
        plural: "ingresses",
        optional: false,
        field_selector: None,
    },
    Kind {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "Certificate",
        plural: "certificates",
        optional: true,
        field_selector: None,
    },
    Kind {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "Issuer",
        plural: "issuers",
        optional: true,
        field_selector: None,
    },
    Kind {
        group: "cert-manager.io",
        versions: &["v1"],
        kind: "ClusterIssuer",
        plural: "clusterissuers",
        optional: true,
        field_selector: None,
    },
    Kind {
        group: "security.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "PeerAuthentication",
        plural: "peerauthentications",
        optional: true,
        field_selector: None,
    },
    Kind {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "DestinationRule",
        plural: "destinationrules",
        optional: true,
        field_selector: None,
    },
    Kind {
        group: "networking.istio.io",
        versions: &["v1", "v1beta1"],
        kind: "Gateway",
        plural: "gateways",
        optional: true,
        field_selector: None,
    },
    Kind {
        group: "policy.linkerd.io",
        versions: &["v1alpha1"],
        kind: "MeshTLSAuthentication",
        plural: "meshtlsauthentications",
        optional: true,
        field_selector: None,
    },
];

/// A connected cluster.
pub struct Cluster {
    client: kube::Client,
    page_size: u32,
}

fn config_error(e: impl std::fmt::Display) -> Error {
    Error::Config(format!("Kubernetes configuration: {e}"))
}

impl Cluster {
    /// Load the configuration and build a client (no request is made yet).
    pub async fn connect(options: &ClusterOptions) -> Result<Cluster> {
        let kube_options = KubeConfigOptions {
            context: options.context.clone(),
            ..KubeConfigOptions::default()
        };
        let config = match (&options.kubeconfig, &options.context) {
            (Some(path), _) => {
                let file = Kubeconfig::read_from(path).map_err(config_error)?;
                kube::Config::from_custom_kubeconfig(file, &kube_options)
                    .await
                    .map_err(config_error)?
            }
            (None, Some(_)) => kube::Config::from_kubeconfig(&kube_options)
                .await
                .map_err(config_error)?,
            (None, None) => kube::Config::infer().await.map_err(config_error)?,
        };
        let client = kube::Client::try_from(config).map_err(config_error)?;
        Ok(Cluster {
            client,
            page_size: options.page_size.unwrap_or(250).clamp(1, 5000),
        })
    }

    /// List every kind and hand each object to `scanner`.
    pub async fn scan(&self, scanner: &mut K8sScanner) -> Result<()> {
        for kind in KINDS {
            self.scan_kind(kind, scanner).await?;
        }
        Ok(())
    }

    async fn scan_kind(&self, kind: &Kind, scanner: &mut K8sScanner) -> Result<()> {
        let group_label = if kind.group.is_empty() {
            "core"
        } else {
            kind.group
        };
        let mut absent = true;
        for version in kind.versions {
            let gvk = GroupVersionKind::gvk(kind.group, version, kind.kind);
            let resource = ApiResource::from_gvk_with_plural(&gvk, kind.plural);
            let api: Api<DynamicObject> = Api::all_with(self.client.clone(), &resource);
            match self.list_all(&api, &resource, kind, scanner).await {
                Ok(()) => {
                    absent = false;
                    break;
                }
                Err(kube::Error::Api(status)) if kind.optional && status.code == 404 => continue,
                Err(kube::Error::Api(status)) if kind.optional && status.code == 403 => {
                    scanner.note(format!(
                        "{} ({group_label}): skipped, listing is forbidden (403): grant list on {} to scan them",
                        kind.kind, kind.plural
                    ));
                    return Ok(());
                }
                Err(kube::Error::Api(status)) if matches!(status.code, 401 | 403) => {
                    return Err(Error::Config(format!(
                        "Kubernetes API refused to list {} ({} {}): the agent needs get/list on {}",
                        kind.plural, status.code, status.reason, kind.plural
                    )));
                }
                Err(kube::Error::Api(status)) => {
                    return Err(Error::Connection(format!(
                        "Kubernetes API: listing {} answered {} {}: {}",
                        kind.plural, status.code, status.reason, status.message
                    )));
                }
                Err(e) => {
                    return Err(Error::Connection(format!(
                        "Kubernetes API: listing {}: {e}",
                        kind.plural
                    )));
                }
            }
        }
        if absent {
            scanner.note(format!(
                "{} ({group_label}): skipped, not installed in this cluster (404)",
                kind.kind
            ));
        }
        Ok(())
    }

    /// Every page of one kind. List items carry no `apiVersion`/`kind`; they are set
    /// from the resource before the rules see them.
    async fn list_all(
        &self,
        api: &Api<DynamicObject>,
        resource: &ApiResource,
        kind: &Kind,
        scanner: &mut K8sScanner,
    ) -> std::result::Result<(), kube::Error> {
        let mut token: Option<String> = None;
        loop {
            let mut params = ListParams::default().limit(self.page_size);
            if let Some(selector) = kind.field_selector {
                params = params.fields(selector);
            }
            if let Some(t) = &token {
                params = params.continue_token(t);
            }
            let page = api.list(&params).await?;
            for item in page.items {
                let mut body = serde_json::to_value(&item).unwrap_or_default();
                if let Some(map) = body.as_object_mut() {
                    map.insert("apiVersion".into(), resource.api_version.clone().into());
                    map.insert("kind".into(), resource.kind.clone().into());
                }
                match Object::from_value(body, None) {
                    Ok(object) => scanner.add(&object),
                    Err(_) => scanner.ignore(),
                }
            }
            token = page.metadata.continue_.filter(|t| !t.is_empty());
            if token.is_none() {
                return Ok(());
            }
        }
    }
}
