//! `postq scans …`

use postq::Client;
use postq::api::{CreateScanRequest, FindingInput, RiskLevel, Scan, ScanSummary, Severity};

use super::read_input;
use crate::args::{ListArgs, ScansCommand, SubmitArgs};
use crate::output::{Failure, Output};

pub async fn run(cmd: ScansCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    match cmd {
        ScansCommand::Submit(args) => submit(args, client, out).await,
        ScansCommand::List(args) => list(args, client, out).await,
        ScansCommand::Get { id } => {
            let scan = client.scans().get(&id).await?;
            out.emit(&scan, describe);
            Ok(())
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(what: &'static str, value: &str) -> Result<T, Failure> {
    serde_json::from_value(serde_json::Value::String(value.to_owned())).map_err(|_| {
        Failure::Error(postq::Error::InvalidInput {
            what,
            reason: format!("`{value}` is not one of the allowed values"),
        })
    })
}

fn request_from(args: &SubmitArgs) -> Result<CreateScanRequest, Failure> {
    if let Some(file) = &args.file {
        let bytes = read_input(file)?;
        let mut request: CreateScanRequest = serde_json::from_slice(&bytes).map_err(|e| {
            Failure::Error(postq::Error::InvalidInput {
                what: "scan file",
                reason: e.to_string(),
            })
        })?;
        request.source.get_or_insert_with(|| args.source.clone());
        return Ok(request);
    }
    let level: RiskLevel = parse("risk level", &args.risk_level)?;
    let mut request = CreateScanRequest::new(
        args.scan_type.clone().unwrap_or_default(),
        args.target.clone().unwrap_or_default(),
        args.risk_score,
        level,
    );
    request.source = Some(args.source.clone());
    for finding in &args.findings {
        let (severity, title) = finding.split_once(':').ok_or_else(|| {
            Failure::Error(postq::Error::InvalidInput {
                what: "finding",
                reason: format!("`{finding}`: use severity:title"),
            })
        })?;
        let severity: Severity = parse("finding severity", severity.trim())?;
        request
            .findings
            .push(FindingInput::new(severity, title.trim()));
    }
    Ok(request)
}

async fn submit(args: SubmitArgs, client: &Client, out: &Output) -> Result<(), Failure> {
    let request = request_from(&args)?;
    let scan = client.scans().submit(&request).await?;
    out.emit(&scan, |s| {
        format!(
            "submitted {} ({} {}, {} {:.0})\n{}",
            s.id,
            s.scan_type,
            s.target,
            level(s.risk_level),
            s.risk_score,
            s.url
        )
    });
    if args.fail_on_high {
        if matches!(scan.risk_level, RiskLevel::Critical | RiskLevel::High) {
            return Err(Failure::Gate(format!(
                "scan {} is {}",
                scan.id,
                level(scan.risk_level)
            )));
        }
        // The declared level can understate the findings; the findings decide too.
        if let Some(worst) = scan
            .findings
            .iter()
            .find(|f| matches!(f.severity, Severity::Critical | Severity::High))
        {
            return Err(Failure::Gate(format!(
                "scan {} holds a {} finding: {}",
                scan.id,
                severity(worst.severity),
                worst.title
            )));
        }
    }
    Ok(())
}

async fn list(args: ListArgs, client: &Client, out: &Output) -> Result<(), Failure> {
    let scans = client.scans();
    super::emit_list(
        args,
        out,
        summary_line,
        |q| async move { scans.list(&q).await },
        |l| scans.list_all(l),
    )
    .await
}

fn summary_line(s: &ScanSummary) -> String {
    format!(
        "{}  {:<8} {:<5} {:>5.1}  {}  {}",
        s.id,
        level(s.risk_level),
        s.scan_type,
        s.risk_score,
        s.created_at,
        s.target
    )
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Info => "info",
    }
}

pub fn level(level: RiskLevel) -> &'static str {
    match level {
        RiskLevel::Critical => "Critical",
        RiskLevel::High => "High",
        RiskLevel::Medium => "Medium",
        RiskLevel::Low => "Low",
        RiskLevel::Info => "Info",
    }
}

fn describe(s: &Scan) -> String {
    let mut lines = vec![format!(
        "{}  {} {}  {} ({:.0})  {}",
        s.id,
        s.scan_type,
        s.target,
        level(s.risk_level),
        s.risk_score,
        s.created_at
    )];
    for f in &s.findings {
        lines.push(format!("  {} [{:?}] {}", f.id, f.severity, f.title));
    }
    lines.join("\n")
}
