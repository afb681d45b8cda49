//! `postq vault …`

use std::collections::BTreeMap;
use std::path::Path;

use postq::Client;
use postq::api::{Credential, SealRequest};

use super::{read_input, read_text};
use crate::args::VaultCommand;
use crate::output::{Failure, Output};

fn line(c: &Credential) -> String {
    format!(
        "{}  {}  {}  keys {:?}  v{}  expires {}",
        c.id,
        c.name,
        c.credential_type,
        c.keys,
        c.version,
        c.expires_at.as_deref().unwrap_or("never")
    )
}

/// `key=VALUE`, `key=@file` or `key=-` (stdin).
fn parse_values(values: &[String]) -> Result<BTreeMap<String, String>, Failure> {
    let mut out = BTreeMap::new();
    for item in values {
        let (key, value) = item.split_once('=').ok_or_else(|| {
            Failure::Error(postq::Error::InvalidInput {
                what: "--value",
                reason: "use key=VALUE, key=@file or key=-".into(),
            })
        })?;
        let value = match value {
            "-" => String::from_utf8_lossy(&read_input(Path::new("-"))?)
                .trim_end()
                .to_owned(),
            v if v.starts_with('@') => read_text(Path::new(&v[1..]))?,
            v => v.to_owned(),
        };
        out.insert(key.to_owned(), value);
    }
    Ok(out)
}

pub async fn run(cmd: VaultCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let vault = client.vault();
    match cmd {
        VaultCommand::Seal {
            name,
            credential_type,
            values,
            ttl_days,
        } => {
            let request = SealRequest {
                name,
                credential_type,
                values: parse_values(&values)?,
                ttl_days,
            };
            let credential = vault.seal(&request).await?;
            out.emit(&credential, |c| format!("sealed {}", line(c)));
        }
        VaultCommand::List(args) => {
            super::emit_list(
                args,
                out,
                line,
                |q| async move { vault.list(&q).await },
                |l| vault.list_all(l),
            )
            .await?;
        }
        VaultCommand::Get { id } => {
            let credential = vault.unseal(&id).await?;
            out.emit(&credential, |c| {
                let mut lines = vec![line(&c.credential)];
                lines.extend(c.values.iter().map(|(k, v)| format!("  {k}={v}")));
                lines.join("\n")
            });
        }
        VaultCommand::Rotate { id } => {
            let credential = vault.rotate(&id).await?;
            out.emit(&credential, |c| {
                format!("re-sealed under a new ML-KEM-768 key: {}", line(c))
            });
        }
        VaultCommand::Delete { id } => {
            let deleted = vault.delete(&id).await?;
            out.emit(&deleted, |d| format!("deleted {}", d.id));
        }
    }
    Ok(())
}
