//! `postq-server`: run the postq reference server, or mint API keys for it.

use std::process::ExitCode;

use clap::Parser;
use postq_server::cli::{ServerCli, init_logging, run};

#[derive(Parser, Debug)]
#[command(
    name = "postq-server",
    version,
    about = "postq reference server (scans, hybrid keys, signing, vault, TLS rollover, audit)"
)]
struct Main {
    #[command(flatten)]
    cli: ServerCli,
}

fn main() -> ExitCode {
    init_logging();
    let cli = Main::parse().cli;
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("postq-server: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("postq-server: {e}");
            ExitCode::FAILURE
        }
    }
}
