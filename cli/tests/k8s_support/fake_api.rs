//! A fake Kubernetes API server on 127.0.0.1 for the live-scan tests: cluster-wide list
//! calls answered in the real shapes (`SecretList` with `metadata.continue`, items
//! without `apiVersion`/`kind`, `Status` bodies for errors), paging by `limit` and
//! `continue`, bearer-token authentication, and per-resource 403 / 404 answers, so the
//! same kube client code that runs in a cluster runs here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const TOKEN: &str = "fake-service-account-token";

#[derive(Clone)]
struct Shared {
    objects: Arc<Vec<Value>>,
    /// `group/version/plural` -> status to answer instead of a list.
    refusals: Arc<HashMap<String, u16>>,
    /// Every request as `METHOD path?query`.
    log: Arc<Mutex<Vec<String>>>,
}

pub struct FakeApi {
    pub base: String,
    log: Arc<Mutex<Vec<String>>>,
    _rt: tokio::runtime::Runtime,
}

impl FakeApi {
    /// Serve `objects`; `refusals` maps `group/version/plural` (core group: `/v1/…`) to
    /// a status code answered instead.
    pub fn start(objects: Vec<Value>, refusals: &[(&str, u16)]) -> FakeApi {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            objects: Arc::new(objects),
            refusals: Arc::new(
                refusals
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), *v))
                    .collect(),
            ),
            log: log.clone(),
        };
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(handle).with_state(shared);
        rt.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeApi { base, log, _rt: rt }
    }

    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// A kubeconfig for this server with the bearer token.
    pub fn kubeconfig(&self, dir: &std::path::Path) -> std::path::PathBuf {
        let text = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\ncontexts:\n- name: fake-context\n  context:\n    cluster: fake\n    user: agent\ncurrent-context: fake-context\nusers:\n- name: agent\n  user:\n    token: {TOKEN}\n",
            self.base
        );
        let path = dir.join("kubeconfig.yaml");
        std::fs::write(&path, text).unwrap();
        path
    }
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": message, "reason": reason, "details": {}, "code": code});
    (StatusCode::from_u16(code).unwrap(), axum::Json(body)).into_response()
}

/// The kinds the fake serves, by plural.
fn kind_of(plural: &str) -> Option<&'static str> {
    Some(match plural {
        "secrets" => "Secret",
        "configmaps" => "ConfigMap",
        "ingresses" => "Ingress",
        "certificates" => "Certificate",
        "issuers" => "Issuer",
        "clusterissuers" => "ClusterIssuer",
        "peerauthentications" => "PeerAuthentication",
        "destinationrules" => "DestinationRule",
        "gateways" => "Gateway",
        "meshtlsauthentications" => "MeshTLSAuthentication",
        _ => return None,
    })
}

async fn handle(
    State(shared): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
    req: Request,
) -> Response {
    let path = req.uri().path().to_owned();
    shared
        .log
        .lock()
        .unwrap()
        .push(format!("{} {}", req.method(), req.uri()));
    let authorized = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"));
    if !authorized {
        return status(401, "Unauthorized", "Unauthorized");
    }
    if req.method() != axum::http::Method::GET {
        return status(405, "MethodNotAllowed", "the agent must only read");
    }
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, version, plural) = match parts.as_slice() {
        ["api", version, plural] => ("", *version, *plural),
        ["apis", group, version, plural] => (*group, *version, *plural),
        _ => {
            return status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            );
        }
    };
    if let Some(code) = shared.refusals.get(&format!("{group}/{version}/{plural}")) {
        return match code {
            403 => status(
                403,
                "Forbidden",
                &format!(
                    "{plural}.{group} is forbidden: User \"system:serviceaccount:postq:postq-agent\" cannot list resource \"{plural}\" in API group \"{group}\" at the cluster scope"
                ),
            ),
            code => status(
                *code,
                "NotFound",
                "the server could not find the requested resource",
            ),
        };
    }
    let Some(kind) = kind_of(plural) else {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    };
    if plural == "secrets"
        && query.get("fieldSelector").map(String::as_str) != Some("type=kubernetes.io/tls")
    {
        return status(
            400,
            "BadRequest",
            "this fake serves TLS Secrets only: fieldSelector=type=kubernetes.io/tls",
        );
    }
    let matching: Vec<Value> = shared
        .objects
        .iter()
        .filter(|o| o["kind"] == kind)
        .filter(|o| {
            let api_group = o["apiVersion"]
                .as_str()
                .unwrap_or("")
                .rsplit_once('/')
                .map(|(g, _)| g)
                .unwrap_or("");
            api_group == group
        })
        .filter(|o| plural != "secrets" || o["type"] == "kubernetes.io/tls")
        .map(|o| {
            let mut item = o.clone();
            let map = item.as_object_mut().unwrap();
            map.remove("apiVersion");
            map.remove("kind");
            map.get_mut("metadata")
                .unwrap()
                .as_object_mut()
                .unwrap()
                .insert("resourceVersion".into(), json!("4711"));
            item
        })
        .collect();
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let start: usize = match query.get("continue") {
        Some(token) => match token.strip_prefix("offset-").and_then(|n| n.parse().ok()) {
            Some(n) => n,
            None => return status(410, "Expired", "The provided continue parameter is too old"),
        },
        None => 0,
    };
    let page: Vec<Value> = matching.iter().skip(start).take(limit).cloned().collect();
    let mut metadata = json!({"resourceVersion": "4711"});
    if start + page.len() < matching.len() {
        metadata["continue"] = json!(format!("offset-{}", start + page.len()));
        metadata["remainingItemCount"] = json!(matching.len() - start - page.len());
    }
    let api_version = if group.is_empty() {
        version.to_owned()
    } else {
        format!("{group}/{version}")
    };
    axum::Json(json!({"kind": format!("{kind}List"), "apiVersion": api_version, "metadata": metadata, "items": page}))
        .into_response()
}
