//! `postq server`: the reference server, as `postq-server` runs it.

use crate::args::ServerArgs;
use crate::output::Failure;

pub async fn run(args: ServerArgs) -> Result<(), Failure> {
    let config = postq_server::Config {
        listen: args.listen,
        data_dir: args.data_dir,
        memory: args.memory,
        faults: args.faults,
        ..postq_server::Config::default()
    };
    let running = postq_server::spawn(config)
        .await
        .map_err(|e| Failure::Error(postq::Error::Config(format!("server did not start: {e}"))))?;
    println!("postq reference server listening on {}", running.base_url());
    if let Some(key) = &running.bootstrap_key {
        println!("bootstrap admin API key (shown once): {key}");
    }
    let _ = tokio::signal::ctrl_c().await;
    running.shutdown().await;
    Ok(())
}
