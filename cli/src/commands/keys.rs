//! `postq keys …`

use postq::Client;
use postq::api::{CreateKeyRequest, HybridKey, RotateKeyRequest};

use super::write_file;
use crate::args::KeysCommand;
use crate::output::{Failure, Output};

fn line(k: &HybridKey) -> String {
    format!(
        "{}  {}  {} v{} (min v{})  {}  {}",
        k.id,
        k.name,
        k.algorithm,
        k.version,
        k.min_version,
        k.backend,
        &k.fingerprint[..16.min(k.fingerprint.len())]
    )
}

pub async fn run(cmd: KeysCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let keys = client.hybrid_keys();
    match cmd {
        KeysCommand::Create { name, algorithm } => {
            let key = keys.create(&CreateKeyRequest { name, algorithm }).await?;
            out.emit(&key, |k| {
                format!(
                    "created {}\npublic key (publish it; anyone can verify offline):\n{}",
                    line(k),
                    k.public_key
                )
            });
        }
        KeysCommand::List(args) => {
            super::emit_list(
                args,
                out,
                line,
                |q| async move { keys.list(&q).await },
                |l| keys.list_all(l),
            )
            .await?;
        }
        KeysCommand::Get { id } => {
            let key = keys.get(&id).await?;
            out.emit(&key, line);
        }
        KeysCommand::Rotate { id, min_version } => {
            let key = keys.rotate(&id, &RotateKeyRequest { min_version }).await?;
            out.emit(&key, |k| format!("rotated {}", line(k)));
        }
        KeysCommand::Public {
            id,
            version,
            format,
            out: path,
        } => {
            let public = keys.public_key(&id, version).await?;
            let text = match format.as_str() {
                "json" => public.to_json(),
                "jwk" => public.to_jwk(),
                other => {
                    return Err(Failure::Error(postq::Error::InvalidInput {
                        what: "format",
                        reason: format!("`{other}`: use json or jwk"),
                    }));
                }
            };
            match path {
                Some(path) => {
                    write_file(&path, format!("{text}\n").as_bytes())?;
                    out.note(&format!(
                        "wrote {} ({}#v{})",
                        path.display(),
                        public.key_id(),
                        public.version()
                    ));
                }
                None => println!("{text}"),
            }
        }
    }
    Ok(())
}
