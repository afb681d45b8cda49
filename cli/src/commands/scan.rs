//! `postq scan url|repo`: run core's scanner, print or write the document (table, JSON,
//! SARIF, CBOM), submit each scanned target as a scan, and gate on `--fail-on`.
//!
//! Exit: 2 when a finding reaches `--fail-on`; otherwise 1 when a target could not be
//! scanned or a submission failed; otherwise 0.

use std::io::IsTerminal as _;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use postq::api::Scan;
use postq::scan::repo::{RepoScanOptions, scan_repo};
use postq::scan::tls::{ResolveOverride, Target, UrlScanOptions, UrlScanner};
use postq::scan::{ScanKind, ScanReport, Severity, TargetStatus};
use serde::Serialize;

use super::{read_input, write_file};
use crate::args::{
    Connection, FailOn, ScanCommand, ScanFormat, ScanK8sArgs, ScanOutputArgs, ScanRepoArgs,
    ScanUrlArgs,
};
use crate::output::{Failure, Output};

/// Per-step network bound of `scan url` when `--timeout` is not given.
const STEP_TIMEOUT_SECS: u64 = 5;

pub async fn run(cmd: ScanCommand, conn: &Connection, out: &Output) -> Result<(), Failure> {
    match cmd {
        ScanCommand::Url(args) => url(args, conn, out).await,
        ScanCommand::Repo(args) => repo(args, conn, out).await,
        ScanCommand::K8s(args) => k8s(args, conn, out).await,
    }
}

fn input_error(what: &'static str, reason: impl Into<String>) -> Failure {
    Failure::Error(postq::Error::InvalidInput {
        what,
        reason: reason.into(),
    })
}

fn target_lines(args: &ScanUrlArgs) -> Result<Vec<String>, Failure> {
    let mut inputs = args.targets.clone();
    if let Some(file) = &args.file {
        let bytes = read_input(file)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| input_error("targets file", format!("{} is not UTF-8", file.display())))?;
        inputs.extend(
            text.lines()
                .map(|l| l.split('#').next().unwrap_or_default().trim())
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
        );
    }
    if inputs.is_empty() {
        return Err(input_error(
            "targets",
            "give at least one target (or --file)",
        ));
    }
    Ok(inputs)
}

fn progress(total: usize) -> Option<indicatif::ProgressBar> {
    if total < 2 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(u64::try_from(total).unwrap_or(u64::MAX)),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
    {
        bar.set_style(style);
    }
    Some(bar)
}

async fn url(args: ScanUrlArgs, conn: &Connection, out: &Output) -> Result<(), Failure> {
    let inputs = target_lines(&args)?;
    let mut options = UrlScanOptions {
        step_timeout: Duration::from_secs(conn.timeout.unwrap_or(STEP_TIMEOUT_SECS).max(1)),
        concurrency: args.concurrency.max(1),
        http_port: args.http_port,
        ..UrlScanOptions::default()
    };
    for r in &args.resolve {
        options.resolve.push(ResolveOverride::parse(r)?);
    }
    if let Some(ca) = &args.ca_file {
        options.add_roots_pem(&read_input(ca)?)?;
    }
    let scanner = Arc::new(UrlScanner::new(options)?);

    let mut reports: Vec<Option<ScanReport>> = vec![None; inputs.len()];
    let mut valid = Vec::new();
    let mut slots = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        match Target::parse(input) {
            Ok(t) => {
                valid.push(t);
                slots.push(i);
            }
            Err(e) => {
                let mut r = ScanReport::new(ScanKind::Url, input.clone());
                r.status = TargetStatus::Invalid;
                r.error = Some(e.to_string());
                reports[i] = Some(r);
            }
        }
    }
    let bar = progress(valid.len());
    let mut stream = Box::pin(scanner.scan_all(valid));
    while let Some((i, report)) = stream.next().await {
        if let Some(bar) = &bar {
            bar.set_message(report.target.clone());
            bar.inc(1);
        }
        if let Some(slot) = slots.get(i) {
            reports[*slot] = Some(report);
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    finish(
        reports.into_iter().flatten().collect(),
        &args.output,
        conn,
        out,
    )
    .await
}

async fn repo(args: ScanRepoArgs, conn: &Connection, out: &Output) -> Result<(), Failure> {
    let options = RepoScanOptions {
        max_file_size: args.max_file_size,
        ..RepoScanOptions::default()
    };
    let path = args.path.clone();
    let report = tokio::task::spawn_blocking(move || scan_repo(&path, &options))
        .await
        .map_err(|e| input_error("repository scan", e.to_string()))?;
    finish(vec![report], &args.output, conn, out).await
}

/// Manifest files under `path` (itself, or the `.yaml`/`.yml`/`.json` files of a
/// directory tree, in name order).
fn manifest_files(
    path: &std::path::Path,
    into: &mut Vec<std::path::PathBuf>,
) -> Result<(), Failure> {
    if !path.is_dir() {
        into.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(path)
        .map_err(|e| crate::output::io_error("manifests directory", path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        let manifest = entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"));
        if entry.is_dir() || manifest {
            manifest_files(&entry, into)?;
        }
    }
    Ok(())
}

async fn k8s(args: ScanK8sArgs, conn: &Connection, out: &Output) -> Result<(), Failure> {
    use postq::scan::k8s::{K8sScanner, K8sSource, Object, manifests::read_manifests};
    let now = time::OffsetDateTime::now_utc();
    let report = if args.manifests.is_empty() {
        let name = args
            .cluster_name
            .clone()
            .or_else(|| args.cluster.context.clone())
            .unwrap_or_else(|| "in-cluster".to_owned());
        postq::scan::k8s::agent::scan_cluster(&name, &args.cluster.options(), now).await?
    } else {
        let mut files = Vec::new();
        for path in &args.manifests {
            manifest_files(path, &mut files)?;
        }
        let target = match (args.manifests.as_slice(), files.as_slice()) {
            ([one], [file]) if one == file => one.display().to_string(),
            _ => format!("manifests ({} files)", files.len()),
        };
        let namespace = args.namespace.clone();
        tokio::task::spawn_blocking(move || -> Result<ScanReport, Failure> {
            let mut scanner = K8sScanner::new(now);
            for file in &files {
                let mut sink = |value| match Object::from_value(value, Some(&namespace)) {
                    Ok(object) => scanner.add(&object),
                    Err(_) => scanner.ignore(),
                };
                let read = if file.as_os_str() == "-" {
                    read_manifests(std::io::stdin().lock(), &mut sink)
                } else {
                    let f = std::fs::File::open(file)
                        .map_err(|e| crate::output::io_error("manifest", file, e))?;
                    read_manifests(std::io::BufReader::with_capacity(1 << 16, f), &mut sink)
                };
                read.map_err(|e| match e {
                    postq::Error::InvalidInput { what, reason } => {
                        input_error(what, format!("{}: {reason}", file.display()))
                    }
                    other => Failure::Error(other),
                })?;
            }
            Ok(scanner.finish(target, K8sSource::Manifests))
        })
        .await
        .map_err(|e| input_error("manifest scan", e.to_string()))??
    };
    finish(vec![report], &args.output, conn, out).await
}

/// One report as printed with `--json`: the report and, when submitted, the stored scan
/// (its id and its findings' ids, which a TLS rollover names).
#[derive(Serialize)]
struct Emitted<'a> {
    #[serde(flatten)]
    report: &'a ScanReport,
    #[serde(skip_serializing_if = "Option::is_none")]
    submitted: Option<&'a Scan>,
}

fn threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Critical => Some(Severity::Critical),
        FailOn::High => Some(Severity::High),
        FailOn::Medium => Some(Severity::Medium),
        FailOn::Low => Some(Severity::Low),
        FailOn::None => None,
    }
}

async fn submit(reports: &[ScanReport], conn: &Connection) -> Result<Vec<Option<Scan>>, Failure> {
    let client = conn.client()?;
    let mut stored = Vec::with_capacity(reports.len());
    for r in reports {
        if r.status == TargetStatus::Scanned {
            stored.push(Some(
                client.scans().submit(&r.to_scan_request("cli")).await?,
            ));
        } else {
            stored.push(None);
        }
    }
    Ok(stored)
}

async fn finish(
    reports: Vec<ScanReport>,
    output: &ScanOutputArgs,
    conn: &Connection,
    out: &Output,
) -> Result<(), Failure> {
    let mut submit_error = None;
    let mut stored = vec![None; reports.len()];
    if !output.no_submit && conn.api_key.is_some() {
        match submit(&reports, conn).await {
            Ok(s) => stored = s,
            Err(e) => submit_error = Some(e),
        }
    }
    let format = if out.json && output.format == ScanFormat::Table {
        ScanFormat::Json
    } else {
        output.format
    };
    let document = match format {
        ScanFormat::Table => table(&reports, &stored),
        ScanFormat::Json => {
            let emitted: Vec<Emitted<'_>> = reports
                .iter()
                .zip(&stored)
                .map(|(report, s)| Emitted {
                    report,
                    submitted: s.as_ref(),
                })
                .collect();
            serde_json::to_string_pretty(&emitted).unwrap_or_default()
        }
        ScanFormat::Sarif => serde_json::to_string_pretty(&postq::scan::sarif::to_sarif(&reports))
            .unwrap_or_default(),
        ScanFormat::Cbom => {
            serde_json::to_string_pretty(&postq::scan::cbom::to_cbom(&reports)).unwrap_or_default()
        }
    };
    match &output.out {
        Some(path) => {
            write_file(path, format!("{document}\n").as_bytes())?;
            if format != ScanFormat::Table {
                eprint!("{}", table(&reports, &stored));
            }
        }
        None if format == ScanFormat::Table => print!("{document}"),
        None => println!("{document}"),
    }

    let failed: Vec<&ScanReport> = reports
        .iter()
        .filter(|r| r.status != TargetStatus::Scanned)
        .collect();
    if let Some(th) = threshold(output.fail_on) {
        let hits: Vec<&ScanReport> = reports.iter().filter(|r| r.reaches(th)).collect();
        if !hits.is_empty() {
            if let Some(Failure::Error(e)) = &submit_error {
                out.error(e);
            }
            return Err(Failure::Gate(format!(
                "{} of {} target(s) have findings at or above {} ({})",
                hits.len(),
                reports.len(),
                th.as_str(),
                hits.iter()
                    .map(|r| r.target.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    if let Some(e) = submit_error {
        return Err(e);
    }
    if !failed.is_empty() {
        return Err(Failure::Error(postq::Error::Connection(format!(
            "{} of {} target(s) could not be scanned: {}",
            failed.len(),
            reports.len(),
            failed
                .iter()
                .map(|r| format!("{} ({})", r.target, r.status.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ))));
    }
    Ok(())
}

fn table(reports: &[ScanReport], stored: &[Option<Scan>]) -> String {
    let mut lines = Vec::new();
    for (r, s) in reports.iter().zip(stored) {
        if r.status != TargetStatus::Scanned {
            lines.push(format!(
                "{}  {}: {}",
                r.target,
                r.status.as_str(),
                r.error.as_deref().unwrap_or("")
            ));
            continue;
        }
        let mut head = format!(
            "{}  {} ({:.1})",
            r.target,
            r.risk_level.label(),
            r.risk_score
        );
        if let Some(t) = &r.tls {
            let parts: Vec<&str> = [&t.protocol, &t.cipher_suite, &t.key_exchange]
                .into_iter()
                .filter_map(|p| p.as_deref())
                .collect();
            head.push_str(&format!("  {}", parts.join(" ")));
        }
        if let Some(k8s) = &r.k8s {
            let objects: Vec<String> = k8s
                .objects
                .iter()
                .map(|(kind, n)| format!("{n} {kind}"))
                .collect();
            head.push_str(&format!(
                "  objects: {}; {} ignored",
                if objects.is_empty() {
                    "none".to_owned()
                } else {
                    objects.join(", ")
                },
                k8s.ignored
            ));
        }
        if let Some(repo) = &r.repo {
            head.push_str(&format!(
                "  {} files scanned, {} binary and {} large skipped",
                repo.files_scanned, repo.files_skipped_binary, repo.files_skipped_large
            ));
        }
        lines.push(head);
        for f in &r.findings {
            let place = match r.kind {
                ScanKind::Repo | ScanKind::K8s => format!("  {}", f.location.display()),
                ScanKind::Url => String::new(),
            };
            lines.push(format!("  {:<8}  {}{place}", f.severity.as_str(), f.title));
        }
        for note in r.k8s.iter().flat_map(|k| &k.notes) {
            lines.push(format!("  note: {note}"));
        }
        if let Some(scan) = s {
            lines.push(format!("  submitted {}  {}", scan.id, scan.url));
        }
    }
    let scanned = reports
        .iter()
        .filter(|r| r.status == TargetStatus::Scanned)
        .count();
    let worst = reports
        .iter()
        .filter(|r| r.status == TargetStatus::Scanned)
        .map(|r| r.risk_level)
        .max();
    lines.push(format!(
        "{} target(s): {scanned} scanned, {} not scanned{}",
        reports.len(),
        reports.len() - scanned,
        worst
            .map(|w| format!("; worst: {}", w.label()))
            .unwrap_or_default()
    ));
    lines.join("\n") + "\n"
}
