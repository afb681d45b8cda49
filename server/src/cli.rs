//! The command line of the reference server, shared by the `postq-server` binary and
//! `postq server` so the two take exactly the same flags and subcommands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::auth::Scope;
use crate::config::{Config, ConnectionLimits, RateLimits, parse_seconds};

/// `postq-server [FLAGS] [keys …]`, embeddable in another clap command.
#[derive(Args, Debug)]
pub struct ServerCli {
    #[command(flatten)]
    server: ServerArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Debug, Clone)]
struct ServerArgs {
    /// Address to listen on.
    #[arg(long, env = "POSTQ_SERVER_LISTEN", default_value = crate::config::DEFAULT_LISTEN, global = true)]
    listen: SocketAddr,
    /// Directory for the SQLite database and the generated KEK file.
    #[arg(long, env = "POSTQ_SERVER_DATA_DIR", default_value = crate::config::DEFAULT_DATA_DIR, global = true)]
    data_dir: PathBuf,
    /// Keep everything in memory (nothing survives a stop).
    #[arg(long, env = "POSTQ_SERVER_MEMORY")]
    memory: bool,
    /// Honour the X-PostQ-Fault request header (status=NNN, delay=MS, drop).
    #[arg(long, env = "POSTQ_SERVER_FAULTS")]
    faults: bool,
    /// Base URL of scan permalinks and dashboard links (default: this server itself).
    #[arg(long, env = "POSTQ_SERVER_DASHBOARD_URL")]
    dashboard_url: Option<String>,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "POSTQ_SERVER_MAX_BODY_BYTES", default_value_t = crate::config::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,
    /// Requests per minute per API key: `scans_write=60,read=600,write=300`.
    #[arg(long, env = "POSTQ_SERVER_RATE_LIMITS", value_parser = RateLimits::parse)]
    rate_limits: Option<RateLimits>,
    /// Name of the audit ledger in checkpoint origins (`<name>/audit/<orgId>`).
    #[arg(long, env = "POSTQ_SERVER_LEDGER_NAME", default_value = crate::config::DEFAULT_LEDGER_NAME)]
    ledger_name: String,
    /// Seconds a connection has to send a complete request head (also how long an
    /// idle keep-alive connection stays open).
    #[arg(long, env = "POSTQ_SERVER_HEADER_TIMEOUT", value_parser = parse_seconds, default_value = "10")]
    header_timeout: Duration,
    /// Seconds a request body has to arrive completely (else 408).
    #[arg(long, env = "POSTQ_SERVER_BODY_TIMEOUT", value_parser = parse_seconds, default_value = "30")]
    body_timeout: Duration,
    /// Open connections at most (lowered to fit the file-descriptor limit).
    #[arg(long, env = "POSTQ_SERVER_MAX_CONNECTIONS", default_value_t = crate::config::DEFAULT_MAX_CONNECTIONS,
          value_parser = positive_count)]
    max_connections: usize,
    /// Open connections per peer address at most (default: a quarter of
    /// --max-connections). Raise it behind a reverse proxy.
    #[arg(long, env = "POSTQ_SERVER_MAX_CONNECTIONS_PER_IP",
          value_parser = positive_count)]
    max_connections_per_ip: Option<usize>,
    /// Requests per minute per peer address without a valid API key.
    #[arg(long, env = "POSTQ_SERVER_UNAUTHENTICATED_RATE", default_value_t = crate::config::DEFAULT_UNAUTHENTICATED_PER_MINUTE,
          value_parser = clap::value_parser!(u32).range(1..))]
    unauthenticated_rate: u32,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Manage API keys (works on the data dir directly; the server may be running).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Mint an API key and print it once (on stdout; details on stderr).
    Create {
        /// Organisation id (`org_…`) or name; a new name creates the organisation.
        #[arg(long)]
        org: String,
        /// Comma-separated scopes, or `all`. Default: the read scopes.
        #[arg(long)]
        scopes: Option<String>,
        /// A label for the key.
        #[arg(long, default_value = "cli")]
        name: String,
    },
    /// List API keys (ids, organisations, scopes; never the keys).
    List,
    /// Revoke an API key by id (`ak_…`).
    Revoke { id: String },
}

impl ServerArgs {
    fn config(&self) -> Config {
        Config {
            listen: self.listen,
            data_dir: self.data_dir.clone(),
            memory: self.memory,
            faults: self.faults,
            dashboard_url: self.dashboard_url.clone(),
            max_body_bytes: self.max_body_bytes,
            rate_limits: self.rate_limits.unwrap_or_default(),
            kek: std::env::var("POSTQ_KEK").ok().filter(|k| !k.is_empty()),
            ledger_name: self.ledger_name.clone(),
            connection_limits: ConnectionLimits {
                header_timeout: self.header_timeout,
                body_timeout: self.body_timeout,
                max_connections: self.max_connections,
                max_connections_per_ip: self.max_connections_per_ip,
                unauthenticated_per_minute: self.unauthenticated_rate,
            },
        }
    }
}

fn positive_count(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("`{text}` is not a positive number"))
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Run what the command line asks for: serve (until Ctrl-C/SIGTERM) or manage keys.
pub async fn run(cli: ServerCli) -> Result<(), Box<dyn std::error::Error>> {
    let config = cli.server.config();
    match cli.command {
        None => {
            let running = crate::startup::spawn(config.clone()).await?;
            if let Some(key) = &running.bootstrap_key {
                println!(
                    "postq-server: bootstrap admin key for organisation \"default\" ({}), shown once:",
                    running.bootstrap_org_id.as_deref().unwrap_or("?")
                );
                println!("{key}");
            }
            println!(
                "postq-server listening on {} ({})",
                running.base_url(),
                if config.memory {
                    "in memory".to_owned()
                } else {
                    format!("data in {}", config.data_dir.display())
                }
            );
            println!("dashboard: {}/", running.dashboard_url());
            shutdown_signal().await;
            running.shutdown().await;
            Ok(())
        }
        Some(Command::Keys { command }) => {
            if config.memory {
                return Err("`keys` works on a data dir; --memory has none".into());
            }
            let store = crate::startup::open_store(&config).await?;
            match command {
                KeysCommand::Create { org, scopes, name } => {
                    let scopes = match scopes {
                        Some(s) => Scope::parse_list(&s)?,
                        None => Scope::DEFAULT.to_vec(),
                    };
                    let org_id = store.ensure_org(&org).await?;
                    let key = store.create_api_key(&org_id, &name, &scopes).await?;
                    eprintln!(
                        "API key {} for organisation {org_id} with scopes: {} (shown once)",
                        key.id,
                        key.scopes.join(" ")
                    );
                    println!("{}", key.key);
                }
                KeysCommand::List => {
                    for k in store.list_api_keys().await? {
                        println!(
                            "{}\t{}\t{}\t{}…\t{}\t{}\t{}",
                            k.id,
                            k.org_id,
                            k.org_name,
                            k.key_prefix,
                            k.name,
                            k.scopes.replace(' ', ","),
                            k.revoked_at
                                .as_ref()
                                .map(|t| format!("revoked {t}"))
                                .unwrap_or_else(|| "active".to_owned())
                        );
                    }
                }
                KeysCommand::Revoke { id } => {
                    if store.revoke_api_key(&id).await? {
                        eprintln!("revoked {id}");
                    } else {
                        return Err(format!("no active API key {id}").into());
                    }
                }
            }
            store.close().await;
            Ok(())
        }
    }
}

/// Logs to stderr, filtered by `POSTQ_SERVER_LOG` (default `info,sqlx=warn`).
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("POSTQ_SERVER_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
