//! `postq`: the command line over the postq core. Thin: every operation is a core call.
//!
//! Exit codes: 0 ok (and `--help` / `--version`), 1 error (including usage errors), 2 a
//! gate failed (signature rejected, certificate sidecar invalid, audit chain broken, a
//! scan finding at `--fail-on`).

mod args;
mod commands;
#[cfg(feature = "server")]
mod demo;
mod output;

use std::process::ExitCode;

use clap::Parser as _;

use crate::args::{Cli, Command};
use crate::output::{Failure, Output};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap exits 2 on usage errors; 2 means "gate failed" here, so a typo in a
            // pipeline must not look like a finding.
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let out = Output { json: cli.json };
    let result = runtime.block_on(run(cli, &out));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Gate(message)) => {
            out.error_line(&message);
            ExitCode::from(2)
        }
        Err(Failure::Error(err)) => {
            out.error(&err);
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli, out: &Output) -> Result<(), Failure> {
    match cli.command {
        #[cfg(feature = "server")]
        Command::Server(server) => commands::server::run(server).await,
        #[cfg(feature = "server")]
        Command::Demo(demo) => demo::run(demo, out).await,
        Command::Cert(cmd) => commands::cert::run(cmd, out),
        Command::Scan(cmd) => commands::scan::run(cmd, &cli.connection, out).await,
        Command::Agent(args) => commands::agent::run(args, &cli.connection, out).await,
        Command::Verify(cmd) if cmd.offline => {
            commands::signing::verify_offline(cmd, &cli.connection, out).await
        }
        command => {
            let client = cli.connection.client()?;
            match command {
                Command::Scans(cmd) => commands::scans::run(cmd, &client, out).await,
                Command::Keys(cmd) => commands::keys::run(cmd, &client, out).await,
                Command::Sign(cmd) => commands::signing::sign(cmd, &client, out).await,
                Command::Verify(cmd) => commands::signing::verify_online(cmd, &client, out).await,
                Command::Vault(cmd) => commands::vault::run(cmd, &client, out).await,
                Command::Rollover(cmd) => commands::rollover::run(cmd, &client, out).await,
                Command::Audit(cmd) => commands::audit::run(cmd, &client, out).await,
                Command::Health => {
                    let health = client.health().await?;
                    out.emit(&health, |h| format!("server: {}", h.status));
                    Ok(())
                }
                #[cfg(feature = "server")]
                Command::Server(_) | Command::Demo(_) => unreachable_command(),
                Command::Cert(_) | Command::Scan(_) | Command::Agent(_) => unreachable_command(),
            }
        }
    }
}

fn unreachable_command() -> Result<(), Failure> {
    Err(Failure::Error(postq::Error::Config(
        "command dispatched twice".into(),
    )))
}
