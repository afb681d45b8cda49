//! One Kubernetes object as the rules see it: its identity (group, kind, namespace,
//! name) and its JSON body, whatever produced it — a manifest file or a list call.

use serde_json::Value;

use crate::scan::Location;

/// An object read from a manifest or the API.
#[derive(Debug, Clone)]
pub struct Object {
    /// API group (`""` for the core group, `cert-manager.io`, …).
    pub group: String,
    /// `Secret`, `Ingress`, `Certificate`, …
    pub kind: String,
    /// `None` for cluster-scoped objects (and namespaced manifests that leave it out).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// The whole object.
    pub body: Value,
}

/// Why a document is not an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAnObject(pub String);

impl Object {
    /// Read the identity of a JSON object. A namespaced object without
    /// `metadata.namespace` (common in rendered charts) is placed in `default_namespace`.
    pub fn from_value(body: Value, default_namespace: Option<&str>) -> Result<Object, NotAnObject> {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let Some(kind) = text(body.get("kind")) else {
            return Err(NotAnObject("a document without `kind`".into()));
        };
        let Some(api_version) = text(body.get("apiVersion")) else {
            return Err(NotAnObject(format!("a {kind} without `apiVersion`")));
        };
        let metadata = body.get("metadata");
        let Some(name) = text(metadata.and_then(|m| m.get("name"))) else {
            return Err(NotAnObject(format!("a {kind} without `metadata.name`")));
        };
        let group = api_version
            .rsplit_once('/')
            .map(|(g, _)| g.to_owned())
            .unwrap_or_default();
        let namespace = text(metadata.and_then(|m| m.get("namespace"))).or_else(|| {
            (!is_cluster_scoped(&kind)).then(|| default_namespace.map(str::to_owned))?
        });
        Ok(Object {
            group,
            kind,
            namespace,
            name,
            body,
        })
    }

    /// `namespace/Kind/name`.
    pub fn display(&self) -> String {
        Location::object_name(self.namespace.as_deref(), &self.kind, &self.name)
    }

    /// Where a finding about `field` of this object points.
    pub fn location(&self, field: Option<&str>) -> Location {
        Location::Object {
            namespace: self.namespace.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            field: field.map(str::to_owned),
        }
    }

    /// The value at a dotted path (`spec.privateKey.algorithm`).
    pub fn at(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(&self.body, |v, key| v.get(key))
    }

    /// The string at a dotted path.
    pub fn str_at(&self, path: &str) -> Option<&str> {
        self.at(path).and_then(Value::as_str)
    }
}

/// The cluster-scoped kinds among those postq reads.
fn is_cluster_scoped(kind: &str) -> bool {
    matches!(kind, "ClusterIssuer" | "Namespace" | "ClusterRole")
}

/// Strings of a JSON array (missing or mistyped entries left out).
pub fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_paths() {
        let body = serde_json::json!({
            "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"privateKey": {"algorithm": "ECDSA", "size": 384}}
        });
        let o = Object::from_value(body, None).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (o.group.as_str(), o.kind.as_str()),
            ("cert-manager.io", "Certificate")
        );
        assert_eq!(o.display(), "shop/Certificate/web");
        assert_eq!(o.str_at("spec.privateKey.algorithm"), Some("ECDSA"));
        assert_eq!(
            o.at("spec.privateKey.size").and_then(Value::as_u64),
            Some(384)
        );
        let core =
            serde_json::json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}});
        let o = Object::from_value(core, Some("default")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(
            (o.group.as_str(), o.display().as_str()),
            ("", "default/Secret/s")
        );
        let cluster = serde_json::json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "ca"}});
        let o = Object::from_value(cluster, Some("default")).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(o.display(), "ClusterIssuer/ca");
        assert!(Object::from_value(serde_json::json!({"kind": "Secret"}), None).is_err());
    }
}
