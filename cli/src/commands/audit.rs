//! `postq audit list|verify|ledger-key`.

use std::path::Path;

use futures_util::TryStreamExt as _;
use postq::Client;
use postq::api::{AuditEntry, AuditQuery, KeySource};
use postq::ledger::{
    ChainReport, LedgerKey, MerkleTree, Observation, verify_chain, verify_complete_chain,
};
use serde::Serialize;

use crate::args::{AuditArgs, AuditCommand, AuditVerifyArgs};
use crate::output::{Failure, Output, io_error};

fn query(args: &AuditArgs) -> AuditQuery {
    AuditQuery {
        event_type: args
            .event_type
            .as_deref()
            .map(postq::ledger::EventType::parse),
        since: args.since.clone(),
        until: args.until.clone(),
        limit: args.limit,
        cursor: None,
    }
}

fn line(e: &AuditEntry) -> String {
    format!(
        "#{:<5} {}  {:<20} {:<24} {}  {}",
        e.seq,
        e.occurred_at,
        e.event_type,
        e.resource_id.as_deref().unwrap_or("-"),
        e.actor,
        &e.hash[..16]
    )
}

pub async fn run(cmd: AuditCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    match cmd {
        AuditCommand::List(args) => {
            if args.all {
                let rows: Vec<_> = client.audit().list_all(query(&args)).try_collect().await?;
                out.emit(&rows, |rows| {
                    rows.iter().map(line).collect::<Vec<_>>().join("\n")
                });
            } else {
                let page = client.audit().list(&query(&args)).await?;
                out.emit(&page, |p| {
                    p.data.iter().map(line).collect::<Vec<_>>().join("\n")
                });
            }
            Ok(())
        }
        AuditCommand::Verify(args) => match args.state.clone() {
            None => verify_chain_only(&args.filter, client, out).await,
            Some(state) => verify_with_state(&args, &state, client, out).await,
        },
        AuditCommand::LedgerKey { out: file } => {
            let key = client.audit().ledger_key().await?;
            if let Some(path) = &file {
                std::fs::write(path, key.to_json() + "\n")
                    .map_err(|e| io_error("ledger key file", path, e))?;
            }
            out.emit(&key, |k| {
                format!(
                    "origin   {}\ned25519  {}\nmldsa65  {}",
                    k.origin(),
                    k.ed25519_vkey(),
                    k.mldsa65_vkey()
                )
            });
            Ok(())
        }
    }
}

fn chain_text(r: &ChainReport) -> String {
    match r.ok {
        true => format!(
            "audit chain intact: {} rows, {} links verified",
            r.rows, r.links_checked
        ),
        false => format!(
            "audit chain BROKEN at seq {}: {}",
            r.failed_seq
                .map_or_else(|| "?".to_owned(), |seq| seq.to_string()),
            r.reason.map_or("unknown", |reason| reason.as_str())
        ),
    }
}

async fn verify_chain_only(args: &AuditArgs, client: &Client, out: &Output) -> Result<(), Failure> {
    let report = client.audit().verify_chain(query(args)).await?;
    out.emit(&report, chain_text);
    if report.ok {
        Ok(())
    } else {
        Err(Failure::Gate("audit chain broken".into()))
    }
}

/// What `audit verify --state` reports.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LedgerReport {
    chain: ChainReport,
    /// `first`, `unchanged` or `extended`.
    checkpoint: &'static str,
    origin: String,
    tree_size: u64,
    root_hash: String,
    previous_tree_size: Option<u64>,
    /// The exported rows hash to the checkpoint's root (complete exports only).
    rows_match_checkpoint: Option<bool>,
}

fn load_key(text: &str) -> Result<LedgerKey, Failure> {
    let json = if text.trim_start().starts_with('{') {
        text.to_owned()
    } else {
        let path = Path::new(text);
        std::fs::read_to_string(path).map_err(|e| io_error("ledger key file", path, e))?
    };
    Ok(LedgerKey::from_json(json.trim())?)
}

/// Refusals of the ledger are gate failures (exit 2) naming which check failed.
fn refused(err: postq::Error) -> Failure {
    match err {
        postq::Error::Ledger { failure, detail } => {
            Failure::Gate(format!("audit ledger refused — {failure}: {detail}"))
        }
        other => Failure::Error(other),
    }
}

async fn verify_with_state(
    args: &AuditVerifyArgs,
    state: &Path,
    client: &Client,
    out: &Output,
) -> Result<(), Failure> {
    let given = args.ledger_key.as_deref().map(load_key).transpose()?;
    let stored = match std::fs::read_to_string(state) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error("ledger state file", state, e)),
    };
    let (mut witness, source) = client
        .audit()
        .open_witness(stored.as_deref(), given)
        .await
        .map_err(refused)?;
    if source == KeySource::TrustOnFirstUse {
        out.note(&format!(
            "pinned the server's ledger key on first use: {}",
            witness.key().ed25519_vkey()
        ));
    }
    let observation = client
        .audit()
        .witness(&mut witness)
        .await
        .map_err(refused)?;
    let checkpoint = observation.checkpoint().clone();

    // The rows: the chain, and (for a complete export) the tree over them.
    let query = query(&args.filter);
    let complete = query.event_type.is_none() && query.since.is_none() && query.until.is_none();
    let rows: Vec<AuditEntry> = client.audit().list_all(query).try_collect().await?;
    let chain = if complete {
        verify_complete_chain(&rows)
    } else {
        verify_chain(&rows)
    };
    let size = usize::try_from(checkpoint.size).unwrap_or(usize::MAX);
    let rows_match = complete.then(|| {
        rows.len() >= size && MerkleTree::from_entries(&rows[..size]).root() == checkpoint.root
    });
    let report = LedgerReport {
        chain,
        checkpoint: match &observation {
            Observation::First(_) => "first",
            Observation::Unchanged(_) => "unchanged",
            Observation::Extended { .. } => "extended",
        },
        origin: checkpoint.origin.to_string(),
        tree_size: checkpoint.size,
        root_hash: checkpoint.root.to_base64(),
        previous_tree_size: match &observation {
            Observation::Extended { from, .. } => Some(from.size),
            _ => None,
        },
        rows_match_checkpoint: rows_match,
    };
    out.emit(&report, |r| {
        let ledger = match r.previous_tree_size {
            Some(previous) => format!(
                "ledger checkpoint verified (Ed25519 + ML-DSA-65) and consistent: {previous} -> {} rows",
                r.tree_size
            ),
            None => format!(
                "ledger checkpoint verified (Ed25519 + ML-DSA-65): {} rows ({})",
                r.tree_size, r.checkpoint
            ),
        };
        let rows = match r.rows_match_checkpoint {
            Some(true) => "\nexported rows match the signed checkpoint",
            Some(false) => "\nexported rows do NOT match the signed checkpoint",
            None => "",
        };
        format!("{}\n{ledger}{rows}", chain_text(&r.chain))
    });
    if !report.chain.ok {
        return Err(Failure::Gate("audit chain broken".into()));
    }
    if report.rows_match_checkpoint == Some(false) {
        return Err(Failure::Gate(
            "audit ledger refused — the exported rows do not hash to the signed checkpoint".into(),
        ));
    }
    // Only a fully verified run moves the pinned state forward.
    write_state(state, &witness.to_json())
}

/// Replace the state file atomically: a crash leaves the old state or the new one.
fn write_state(path: &Path, json: &str) -> Result<(), Failure> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = std::path::PathBuf::from(tmp);
    std::fs::write(&tmp, format!("{json}\n"))
        .map_err(|e| io_error("ledger state file", &tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error("ledger state file", path, e))
}
