//! The in-cluster agent's one run: scan the live cluster ([`super::live`]) and post the
//! report to `POST /v1/ingest/kubernetes`, where it becomes a scan of type `k8s`, source
//! `agent`. Its front doors (`postq agent`) only read the environment and schedule runs.

use time::OffsetDateTime;

use super::live::{Cluster, ClusterOptions};
use super::{K8sScanner, K8sSource};
use crate::api::Scan;
use crate::scan::ScanReport;
use crate::{Client, Result};

/// What one agent run needs besides the API client.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// The scan's target (`POSTQ_CLUSTER_NAME`).
    pub cluster_name: String,
    /// The organisation the chart was installed for (`POSTQ_ORG_ID`), checked by the
    /// server against the API key's.
    pub org_id: Option<String>,
    /// How to reach the cluster (in-cluster by default).
    pub cluster: ClusterOptions,
}

/// The outcome of one run.
#[derive(Debug)]
pub struct AgentRun {
    /// What was found.
    pub report: ScanReport,
    /// The scan it was recorded as.
    pub scan: Scan,
}

/// `postq-agent <version>`, sent with every report.
pub fn agent_version() -> String {
    format!("postq-agent {}", env!("CARGO_PKG_VERSION"))
}

/// Scan the cluster, judged at `now`.
pub async fn scan_cluster(
    name: &str,
    options: &ClusterOptions,
    now: OffsetDateTime,
) -> Result<ScanReport> {
    let cluster = Cluster::connect(options).await?;
    let mut scanner = K8sScanner::new(now);
    cluster.scan(&mut scanner).await?;
    Ok(scanner.finish(name, K8sSource::Cluster))
}

/// One run: scan, then post. The client retries with one idempotency key, so a retried
/// post records one scan.
pub async fn run_once(client: &Client, config: &AgentConfig) -> Result<AgentRun> {
    let report = scan_cluster(
        &config.cluster_name,
        &config.cluster,
        OffsetDateTime::now_utc(),
    )
    .await?;
    let body = report.to_kubernetes_report(
        &config.cluster_name,
        config.org_id.as_deref(),
        &agent_version(),
    );
    let scan = client.ingest().kubernetes(&body).await?;
    Ok(AgentRun { report, scan })
}
