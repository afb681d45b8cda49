//! `postq agent`: the in-cluster agent. Reads its settings from the environment
//! (`POSTQ_API_KEY`, `POSTQ_BASE_URL`, `POSTQ_CLUSTER_NAME`, `POSTQ_ORG_ID`), runs core's
//! agent once (`--one-shot`: exit 1 on failure, so a Job shows it) or every
//! `--interval` seconds (a failed run is reported and the next one tried). The API key
//! is never printed.

use std::time::Duration;

use postq::scan::k8s::agent::{AgentConfig, AgentRun, run_once};

use crate::args::{AgentArgs, Connection};
use crate::output::{Failure, Output};

pub async fn run(args: AgentArgs, conn: &Connection, out: &Output) -> Result<(), Failure> {
    if conn.api_key.as_deref().is_none_or(|k| k.trim().is_empty()) {
        return Err(Failure::Error(postq::Error::Config(
            "POSTQ_API_KEY is not set: the agent needs a key with scans:write".into(),
        )));
    }
    let client = conn.client()?;
    let config = AgentConfig {
        cluster_name: args.cluster_name.clone(),
        org_id: args.org_id.clone().filter(|o| !o.trim().is_empty()),
        cluster: args.cluster.options(),
    };
    loop {
        match run_once(&client, &config).await {
            Ok(run) => report(&run, out),
            Err(e) if args.one_shot => return Err(e.into()),
            Err(e) => out.error(&e),
        }
        if args.one_shot {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_secs(args.interval.max(60))).await;
    }
}

fn report(run: &AgentRun, out: &Output) {
    out.emit(&run.scan, |scan| {
        let objects = run
            .report
            .k8s
            .as_ref()
            .map(|k| {
                k.objects
                    .iter()
                    .map(|(kind, n)| format!("{n} {kind}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let mut lines = vec![format!(
            "agent: cluster {}: {} finding(s), worst {} ({:.1}); objects: {}; recorded as {} {}",
            scan.target,
            run.report.findings.len(),
            run.report.risk_level.label(),
            run.report.risk_score,
            if objects.is_empty() { "none" } else { &objects },
            scan.id,
            scan.url
        )];
        for note in run.report.k8s.iter().flat_map(|k| &k.notes) {
            lines.push(format!("agent: note: {note}"));
        }
        lines.join("\n")
    });
}
