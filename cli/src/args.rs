//! Command-line grammar (clap). Every flag that names a secret reads it from the
//! environment too, so keys stay out of shell history.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::output::Failure;

#[derive(Parser, Debug)]
#[command(
    name = "postq",
    version,
    about = "postq: post-quantum scans, hybrid signing, offline verification, vault and TLS rollover"
)]
pub struct Cli {
    #[command(flatten)]
    pub connection: Connection,
    /// Print machine-readable JSON on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Default whole-call timeout of API calls.
pub const API_TIMEOUT_SECS: u64 = 180;

#[derive(Args, Debug, Clone)]
pub struct Connection {
    /// API key (`pq_live_…`).
    #[arg(long, env = "POSTQ_API_KEY", global = true, hide_env_values = true)]
    pub api_key: Option<String>,
    /// API base URL.
    #[arg(long, env = "POSTQ_BASE_URL", global = true, default_value = postq::client::DEFAULT_BASE_URL)]
    pub base_url: String,
    /// Seconds. API calls: the whole call, including retries (default 180).
    /// `scan url`: the bound on each network step of a target (default 5).
    #[arg(long, global = true)]
    pub timeout: Option<u64>,
    /// Retries after the first attempt.
    #[arg(long, global = true, default_value_t = 2)]
    pub max_retries: u32,
}

impl Connection {
    pub fn client(&self) -> Result<postq::Client, Failure> {
        let mut config = postq::ClientConfig::default().base_url(self.base_url.clone());
        config.api_key = self.api_key.clone().map(Into::into);
        config.total_timeout = Duration::from_secs(self.timeout.unwrap_or(API_TIMEOUT_SECS));
        config.max_retries = self.max_retries;
        config.user_agent_prefix = Some(format!("postq-cli/{}", env!("CARGO_PKG_VERSION")));
        Ok(postq::Client::new(config)?)
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan TLS endpoints or a file tree for quantum-vulnerable cryptography; exits 2
    /// when a finding reaches --fail-on (a CI gate).
    #[command(subcommand)]
    Scan(ScanCommand),
    /// Submit and read scans.
    #[command(subcommand)]
    Scans(ScansCommand),
    /// Managed hybrid (ML-DSA-65 + Ed25519) signing keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Sign a file with a managed key.
    Sign(SignArgs),
    /// Verify a signature; exits 2 when it is rejected (a build gate).
    Verify(VerifyArgs),
    /// Offline certificate checks.
    #[command(subcommand)]
    Cert(CertCommand),
    /// The post-quantum credential vault.
    #[command(subcommand)]
    Vault(VaultCommand),
    /// Hybrid TLS certificate rollovers.
    #[command(subcommand)]
    Rollover(RolloverCommand),
    /// The tamper-evident audit ledger.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Check the API is up.
    Health,
    /// The in-cluster agent: scan the cluster (read-only) and post the report to
    /// /v1/ingest/kubernetes, once (--one-shot) or every --interval seconds.
    Agent(AgentArgs),
    /// Run the reference server (same flags and subcommands as `postq-server`).
    #[cfg(feature = "server")]
    Server(postq_server::cli::ServerCli),
    /// Start the reference server in-process and walk through what postq does.
    #[cfg(feature = "server")]
    Demo(DemoArgs),
}

#[derive(Subcommand, Debug)]
pub enum ScanCommand {
    /// TLS endpoints: `host`, `host:port` or `https://…` URLs.
    Url(ScanUrlArgs),
    /// A directory tree: certificates and keys in files (respects .gitignore).
    Repo(ScanRepoArgs),
    /// Kubernetes objects: manifests (--manifests) or the live cluster (kubeconfig or
    /// in-cluster), read-only.
    K8s(ScanK8sArgs),
}

/// Output document of a scan.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanFormat {
    /// A table for people.
    Table,
    /// The scan documents (same as --json).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning).
    Sarif,
    /// CycloneDX 1.6 CBOM.
    Cbom,
}

/// The lowest severity that fails the gate.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Critical,
    High,
    Medium,
    Low,
    /// Never fail on findings.
    None,
}

#[derive(Args, Debug)]
pub struct ScanOutputArgs {
    /// Output document.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScanFormat,
    /// Write the document to this file instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit 2 when any finding is at least this severe.
    #[arg(long, value_enum, default_value = "high")]
    pub fail_on: FailOn,
    /// Do not submit the scans to the API (also the case when no API key is set).
    #[arg(long)]
    pub no_submit: bool,
}

#[derive(Args, Debug)]
pub struct ScanUrlArgs {
    /// Targets: host, host:port, [v6]:port or https://host[:port]/path (IDN names work).
    pub targets: Vec<String>,
    /// Read more targets from a file (one per line, `#` comments; `-` for stdin).
    #[arg(long)]
    pub file: Option<PathBuf>,
    /// Targets scanned at once.
    #[arg(long, default_value_t = 10)]
    pub concurrency: usize,
    /// Connect to ADDR for HOST:PORT (like curl); repeatable.
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Port of the plain-HTTP redirect check for https:// targets.
    #[arg(long, default_value_t = 80)]
    pub http_port: u16,
    #[command(flatten)]
    pub output: ScanOutputArgs,
}

#[derive(Args, Debug)]
pub struct ScanRepoArgs {
    /// The directory (or file) to scan.
    pub path: PathBuf,
    /// Skip files larger than this many bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    pub max_file_size: u64,
    #[command(flatten)]
    pub output: ScanOutputArgs,
}

/// Where a cluster is: a kubeconfig and context, or the in-cluster service account.
#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    /// A kubeconfig file (default: KUBECONFIG, ~/.kube/config, then in-cluster).
    #[arg(long, env = "KUBECONFIG")]
    pub kubeconfig: Option<PathBuf>,
    /// A context of the kubeconfig (default: its current context).
    #[arg(long)]
    pub context: Option<String>,
    /// Objects per list call.
    #[arg(long, default_value_t = 250)]
    pub page_size: u32,
}

impl ClusterArgs {
    pub fn options(&self) -> postq::scan::k8s::live::ClusterOptions {
        postq::scan::k8s::live::ClusterOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            page_size: Some(self.page_size),
        }
    }
}

#[derive(Args, Debug)]
pub struct ScanK8sArgs {
    /// Manifests to scan instead of a cluster: YAML or JSON files (several documents,
    /// `kind: List`), directories of them, or `-` for stdin. Repeatable.
    #[arg(long, value_name = "PATH|-")]
    pub manifests: Vec<PathBuf>,
    /// Namespace of manifest objects that name none.
    #[arg(long, default_value = "default")]
    pub namespace: String,
    /// The cluster's name, the report's target (live scans; default: the context, or
    /// `in-cluster`).
    #[arg(long, env = "POSTQ_CLUSTER_NAME")]
    pub cluster_name: Option<String>,
    #[command(flatten)]
    pub cluster: ClusterArgs,
    #[command(flatten)]
    pub output: ScanOutputArgs,
}

/// `postq agent`: the in-cluster agent.
#[derive(Args, Debug)]
pub struct AgentArgs {
    /// The cluster's name in postq: the target of the scans it records.
    #[arg(long, env = "POSTQ_CLUSTER_NAME")]
    pub cluster_name: String,
    /// The organisation the agent reports to; the server checks it is the API key's.
    #[arg(long, env = "POSTQ_ORG_ID")]
    pub org_id: Option<String>,
    /// Scan and report once, then exit (a Job or a CronJob's run); non-zero on failure.
    #[arg(long, env = "POSTQ_AGENT_ONE_SHOT")]
    pub one_shot: bool,
    /// Without --one-shot: seconds between runs.
    #[arg(long, env = "POSTQ_AGENT_INTERVAL", default_value_t = 3600)]
    pub interval: u64,
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

#[derive(Subcommand, Debug)]
pub enum ScansCommand {
    /// Submit a scan from a JSON file or from flags.
    Submit(SubmitArgs),
    /// List scans, newest first.
    List(ListArgs),
    /// One scan with its findings.
    Get { id: String },
}

#[derive(Args, Debug)]
pub struct SubmitArgs {
    /// A JSON file with the scan (`-` for stdin), as `POST /v1/scans` takes it.
    #[arg(long, conflicts_with_all = ["scan_type", "target"])]
    pub file: Option<PathBuf>,
    /// Scan type: url, repo, k8s, cloud or your own.
    #[arg(long = "type", required_unless_present = "file")]
    pub scan_type: Option<String>,
    /// What was scanned.
    #[arg(long, required_unless_present = "file")]
    pub target: Option<String>,
    /// 0–100.
    #[arg(long, default_value_t = 0.0)]
    pub risk_score: f64,
    /// Critical, High, Medium, Low or Info.
    #[arg(long, default_value = "Info")]
    pub risk_level: String,
    /// A finding as `severity:title` (repeatable).
    #[arg(long = "finding")]
    pub findings: Vec<String>,
    /// Where the scan came from.
    #[arg(long, default_value = "cli")]
    pub source: String,
    /// Exit 2 when the scan's risk level, or any of its findings, is Critical or High
    /// (a CI gate).
    #[arg(long)]
    pub fail_on_high: bool,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Page size, 1–100.
    #[arg(long)]
    pub limit: Option<u32>,
    /// Cursor from a previous page.
    #[arg(long)]
    pub cursor: Option<String>,
    /// Follow every page.
    #[arg(long)]
    pub all: bool,
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Mint a key.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        algorithm: Option<String>,
    },
    /// List keys.
    List(ListArgs),
    /// One key with its versions.
    Get { id: String },
    /// Rotate: a new version signs from now on.
    Rotate {
        id: String,
        /// Retire versions below this.
        #[arg(long)]
        min_version: Option<u32>,
    },
    /// Print a version's public key to publish (JSON or JWK Set).
    Public {
        id: String,
        #[arg(long)]
        version: Option<u32>,
        /// `json` or `jwk`.
        #[arg(long, default_value = "json")]
        format: String,
        /// Write to a file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct SignArgs {
    /// Managed key id (`hk_…`).
    #[arg(long)]
    pub key: String,
    /// The file to sign.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Where to write the signature.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("by").required(true).args(["key", "public_key"])))]
pub struct VerifyArgs {
    /// Verify against a managed key (`hk_…`).
    #[arg(long)]
    pub key: Option<String>,
    /// Verify against a published public key file (JSON or JWK Set).
    #[arg(long)]
    pub public_key: Option<PathBuf>,
    /// The signed file.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// The signature file.
    #[arg(long)]
    pub sig: PathBuf,
    /// Verify locally, no network (with --key, only the public key is fetched).
    #[arg(long)]
    pub offline: bool,
}

#[derive(Subcommand, Debug)]
pub enum CertCommand {
    /// Verify a hybrid certificate's ML-DSA-65 sidecar offline; exits 2 on failure.
    Verify {
        /// PEM or DER certificate.
        cert: PathBuf,
        /// Require this hostname to be bound.
        #[arg(long)]
        hostname: Option<String>,
        /// Judge validity at this RFC 3339 time instead of now.
        #[arg(long)]
        at: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum VaultCommand {
    /// Seal a credential: `--value key=VALUE` (repeatable; `key=@file` reads a file,
    /// `key=-` reads stdin).
    Seal {
        #[arg(long)]
        name: String,
        #[arg(long = "type", default_value = "api_key")]
        credential_type: String,
        #[arg(long = "value", required = true)]
        values: Vec<String>,
        #[arg(long)]
        ttl_days: Option<u32>,
    },
    /// List credentials (metadata only).
    List(ListArgs),
    /// Unseal a credential and print its values.
    Get { id: String },
    /// Re-encrypt under a new ML-KEM-768 key.
    Rotate { id: String },
    /// Delete permanently.
    Delete { id: String },
}

#[derive(Subcommand, Debug)]
pub enum RolloverCommand {
    /// Mint a hybrid certificate for a qualifying finding; writes the one-shot bundle.
    Create {
        #[arg(long)]
        finding: String,
        #[arg(long)]
        hostname: String,
        #[arg(long)]
        observation_hours: Option<u32>,
        /// Directory for the certificate, the private key (mode 0600) and scripts.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// List rollovers.
    List(ListArgs),
    /// One rollover (no key bytes).
    Get { id: String },
    /// Download artifacts into a directory.
    Download {
        id: String,
        #[arg(long, default_value = ".")]
        dir: PathBuf,
        /// Only this artifact (cert.pem, bundle.sh, import.sh, bind.sh, rollback.sh, site.bicep).
        #[arg(long)]
        artifact: Option<String>,
    },
    /// Advance: planned → observation → cutover → completed.
    Transition {
        id: String,
        #[arg(long)]
        to: String,
    },
    /// Mark rolled back.
    Rollback { id: String },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// List ledger rows.
    List(AuditArgs),
    /// Fetch rows and verify the hash chain offline; with `--state`, also verify the
    /// ledger's signed checkpoint against the pinned key and prove it consistent with the
    /// last one seen. Exits 2 if the chain is broken or the ledger is refused (fork,
    /// shrink, bad signature, failed proof).
    Verify(AuditVerifyArgs),
    /// Print the ledger's public key (JSON with both signed-note verifier keys), to pin
    /// it out of band with `audit verify --ledger-key`.
    LedgerKey {
        /// Write it to this file too.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Args, Debug)]
pub struct AuditVerifyArgs {
    #[command(flatten)]
    pub filter: AuditArgs,
    /// Where the pinned ledger key and the last verified checkpoint live. Created on
    /// first use (pinning the server's key, or `--ledger-key`), updated after every
    /// successful run.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// The ledger key to pin or to expect: a file holding `postq audit ledger-key`'s
    /// JSON, or the JSON itself. Needs `--state`.
    #[arg(long, requires = "state")]
    pub ledger_key: Option<String>,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[arg(long)]
    pub event_type: Option<String>,
    #[arg(long)]
    pub since: Option<String>,
    #[arg(long)]
    pub until: Option<String>,
    #[arg(long)]
    pub limit: Option<u32>,
    /// Follow every page (list only; verify always does).
    #[arg(long)]
    pub all: bool,
}

#[cfg(feature = "server")]
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Keep the demo's data in this directory (default: a throwaway in-memory server).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Exit when the walk-through ends instead of serving the dashboard until Ctrl-C
    /// (the default on a terminal; elsewhere the demo always exits at once).
    #[arg(long)]
    pub no_wait: bool,
}
