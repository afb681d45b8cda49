//! `postq server`: the reference server's own command line, embedded.

use crate::output::Failure;

pub async fn run(cli: postq_server::cli::ServerCli) -> Result<(), Failure> {
    postq_server::cli::init_logging();
    postq_server::cli::run(cli)
        .await
        .map_err(|e| Failure::Error(postq::Error::Config(format!("server: {e}"))))
}
