//! `postq rollover …`

use postq::Client;
use postq::api::{CreateRolloverRequest, Rollover, RolloverStatus, safe_file_name};

use super::write_file;
use crate::args::RolloverCommand;
use crate::output::{Failure, Output, io_error};

fn line(r: &Rollover) -> String {
    format!(
        "{}  {:<11}  {}  serial {}  until {}",
        r.id,
        r.status.as_str(),
        r.hostname,
        r.serial,
        r.not_after
    )
}

pub async fn run(cmd: RolloverCommand, client: &Client, out: &Output) -> Result<(), Failure> {
    let rollovers = client.rollovers();
    match cmd {
        RolloverCommand::Create {
            finding,
            hostname,
            observation_hours,
            out: dir,
        } => {
            let created = rollovers
                .create(&CreateRolloverRequest {
                    finding_id: finding,
                    hostname,
                    observation_window_hours: observation_hours,
                })
                .await?;
            std::fs::create_dir_all(&dir).map_err(|e| io_error("--out", &dir, e))?;
            // The reference's scripts expect these two names in the working directory.
            write_file(
                &dir.join("postq-hybrid.pem"),
                created.rollover.certificate_pem.as_bytes(),
            )?;
            write_private(
                &dir.join("postq-hybrid.key"),
                created.private_key_pem.as_bytes(),
            )?;
            for (name, text) in &created.files {
                let path = dir.join(safe_file_name(name)?);
                write_file(&path, text.as_bytes())?;
                make_executable_if_script(&path)?;
            }
            out.emit(&created.rollover, |r| {
                format!("created {}\nwrote postq-hybrid.pem, postq-hybrid.key (0600, delivered once) and {} artifacts to {}\nplan: {}",
                    line(r), created.files.len(), dir.display(),
                    r.plan.iter().map(|s| s.status.as_str()).collect::<Vec<_>>().join(" → "))
            });
        }
        RolloverCommand::List(args) => {
            super::emit_list(
                args,
                out,
                line,
                |q| async move { rollovers.list(&q).await },
                |l| rollovers.list_all(l),
            )
            .await?;
        }
        RolloverCommand::Get { id } => {
            let r = rollovers.get(&id).await?;
            out.emit(&r, line);
        }
        RolloverCommand::Download { id, dir, artifact } => {
            let paths = match artifact {
                Some(name) => {
                    let a = rollovers.download(&id, &name).await?;
                    std::fs::create_dir_all(&dir).map_err(|e| io_error("--dir", &dir, e))?;
                    let path = dir.join(&a.file_name);
                    write_file(&path, &a.body)?;
                    make_executable_if_script(&path)?;
                    vec![path]
                }
                None => rollovers.download_all(&id, &dir).await?,
            };
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            out.emit(&names, |n| format!("wrote {}", n.join(", ")));
        }
        RolloverCommand::Transition { id, to } => {
            let to: RolloverStatus = to.parse()?;
            let r = rollovers.transition(&id, to).await?;
            out.emit(&r, |r| format!("now {}", line(r)));
        }
        RolloverCommand::Rollback { id } => {
            let r = rollovers.rollback(&id).await?;
            out.emit(&r, |r| format!("now {}", line(r)));
        }
    }
    Ok(())
}

fn write_private(path: &std::path::Path, contents: &[u8]) -> Result<(), Failure> {
    #[cfg(unix)]
    {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(path)
            .map_err(|e| io_error("private key file", path, e))?;
        file.write_all(contents)
            .map_err(|e| io_error("private key file", path, e))
    }
    #[cfg(not(unix))]
    write_file(path, contents)
}

fn make_executable_if_script(path: &std::path::Path) -> Result<(), Failure> {
    #[cfg(unix)]
    if path.extension().is_some_and(|e| e == "sh") {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| io_error("script", path, e))?;
    }
    Ok(())
}
