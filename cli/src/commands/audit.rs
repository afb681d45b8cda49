//! `postq audit list|verify`.

use futures_util::TryStreamExt as _;
use postq::Client;
use postq::api::{AuditEntry, AuditQuery};

use crate::args::{AuditArgs, AuditCommand};
use crate::output::{Failure, Output};

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
        AuditCommand::Verify(args) => {
            let report = client.audit().verify_chain(query(&args)).await?;
            out.emit(&report, |r| match r.ok {
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
            });
            if report.ok {
                Ok(())
            } else {
                Err(Failure::Gate("audit chain broken".into()))
            }
        }
    }
}
