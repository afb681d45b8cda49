//! `postq demo`: the main job, end to end, on the embedded reference server.

use std::collections::BTreeMap;

use futures_util::TryStreamExt as _;
use postq::api::{
    AuditQuery, CreateKeyRequest, CreateRolloverRequest, CreateScanRequest, FindingInput,
    ListQuery, RiskLevel, RolloverStatus, RotateKeyRequest, SealRequest, Severity,
};
use postq::scan::tls::{
    LoopbackOptions, LoopbackServer, ResolveOverride, Target, UrlScanOptions, UrlScanner,
};
use postq::sidecar::{VerifyOptions, verify_certificate};

use crate::args::DemoArgs;
use crate::output::{Failure, Output};

fn step(n: u32, title: &str) {
    println!("\n{n}. {title}");
}

fn say(line: impl AsRef<str>) {
    println!("   {}", line.as_ref());
}

fn finding(severity: Severity, title: &str) -> FindingInput {
    FindingInput::new(severity, title)
}

pub async fn run(args: DemoArgs, _out: &Output) -> Result<(), Failure> {
    let config = match &args.data_dir {
        Some(dir) => postq_server::Config::with_data_dir(dir),
        None => postq_server::Config::in_memory(),
    };
    let server = postq_server::spawn(config).await.map_err(|e| {
        Failure::Error(postq::Error::Config(format!(
            "reference server did not start: {e}"
        )))
    })?;
    let api_key = match server.bootstrap_key.clone() {
        Some(key) => key,
        None => {
            server
                .create_api_key("demo", &["all"])
                .await
                .map_err(|e| {
                    Failure::Error(postq::Error::Config(format!(
                        "could not mint a demo API key: {e}"
                    )))
                })?
                .key
        }
    };
    println!(
        "postq demo — reference server on {} ({})",
        server.base_url(),
        if args.data_dir.is_some() {
            "SQLite in the data dir"
        } else {
            "in-memory SQLite"
        }
    );
    let result = walk(&server.base_url(), &api_key).await;
    if let Err(e) = result {
        server.shutdown().await;
        return Err(e);
    }
    println!(
        "\nDone. Everything above ran against the real reference server and real ML-DSA-65, Ed25519, ML-KEM-768 and ECDSA P-256."
    );
    let link = server.signin_link(&api_key).await;
    println!("\nDashboard: {}/", server.dashboard_url());
    match &link {
        Ok(link) => println!("Sign in (one-time link, valid 15 minutes): {link}"),
        Err(e) => println!("(no sign-in link: {e})"),
    }
    if stays_up(&args) {
        println!("Serving the dashboard; press Ctrl-C to stop.");
        let _ = tokio::signal::ctrl_c().await;
        println!();
    }
    server.shutdown().await;
    Ok(())
}

/// The demo keeps serving its dashboard when a person is at a terminal, unless told
/// not to; under tests, CI and pipes it exits at once.
fn stays_up(args: &DemoArgs) -> bool {
    use std::io::IsTerminal as _;
    !args.no_wait && std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

async fn walk(base_url: &str, api_key: &str) -> Result<(), Failure> {
    let client = postq::Client::new(postq::ClientConfig::new(api_key).base_url(base_url))?;
    let health = client.health().await?;
    say(format!("health: {}", health.status));

    step(
        1,
        "Push quantum-readiness scan results (what CI and the cloud scanner do)",
    );
    let mut web = CreateScanRequest::new("url", "example.com", 85.0, RiskLevel::High);
    web.findings = vec![finding(Severity::High, "RSA-2048 public key")];
    let web = client.scans().submit(&web).await?;
    say(format!(
        "scan {} — {} {} risk {} — {}",
        web.id, web.scan_type, web.target, web.risk_score, web.url
    ));
    let mut cloud = CreateScanRequest::new("cloud", "azure:contoso-prod", 72.0, RiskLevel::High);
    cloud.findings = vec![
        finding(Severity::High, "TLS-1.0-MIN on app.contoso.example"),
        finding(Severity::Medium, "RSA-2048 certificate"),
    ];
    let cloud = client.scans().submit(&cloud).await?;
    say(format!(
        "scan {} — {} {} with {} findings",
        cloud.id,
        cloud.scan_type,
        cloud.target,
        cloud.findings.len()
    ));
    let page = client.scans().list(&ListQuery::limit(10)).await?;
    say(format!(
        "list, newest first: {}",
        page.data
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ));

    step(2, "Mint a hybrid ML-DSA-65 + Ed25519 signing key");
    let key = client
        .hybrid_keys()
        .create(&CreateKeyRequest::named("release-signing"))
        .await?;
    say(format!(
        "key {} ({}, v{}, fingerprint {}…)",
        key.id,
        key.algorithm,
        key.version,
        &key.fingerprint[..16]
    ));
    say(format!(
        "published public key: {} bytes of JSON — anyone can verify offline with it",
        key.public_key.len()
    ));

    step(
        3,
        "Sign a release artifact and verify it — online, then offline",
    );
    let artifact = b"dist/app.tar.gz contents";
    let signed = client.sign(&key.id, artifact).await?;
    say(format!(
        "composite signature: {} base64 chars (ML-DSA-65 3309 B + Ed25519 64 B)",
        signed.signature.len()
    ));
    let online = client
        .verify_with_key(&key.id, artifact, &signed.signature)
        .await?;
    say(format!(
        "server verify: ok={} classicalOk={} pqOk={}",
        online.ok, online.classical_ok, online.pq_ok
    ));
    let offline = postq::Client::verify_offline(&key.public_key, artifact, &signed.signature)?;
    say(format!(
        "offline verify against the published key: ok={} (no network)",
        offline.ok
    ));
    let tampered = postq::Client::verify_offline(
        &key.public_key,
        b"dist/app.tar.gz TAMPERED",
        &signed.signature,
    )?;
    say(format!(
        "tampered artifact: ok={} — `postq verify` would exit 2 and stop the deploy",
        tampered.ok
    ));
    let rotated = client
        .hybrid_keys()
        .rotate(&key.id, &RotateKeyRequest::default())
        .await?;
    let still = client
        .verify_with_key(&key.id, artifact, &signed.signature)
        .await?;
    say(format!(
        "rotated to v{}; the v1 signature still verifies: {}",
        rotated.version, still.ok
    ));

    // A client pins the ledger key and remembers this checkpoint; step 6 proves that
    // everything after it only appended to the same history.
    let mut witness = postq::ledger::Witness::pin(client.audit().ledger_key().await?);
    client
        .audit()
        .witness(&mut witness)
        .await
        .map_err(ledger_refused)?;

    step(4, "Roll a weak-TLS site to a hybrid certificate");
    let weak = cloud
        .findings
        .iter()
        .find(|f| f.title.contains("TLS-1.0-MIN"))
        .map(|f| f.id.clone())
        .unwrap_or_default();
    let created = client
        .rollovers()
        .create(&CreateRolloverRequest {
            finding_id: weak,
            hostname: "app.contoso.example".into(),
            observation_window_hours: None,
        })
        .await?;
    let r = &created.rollover;
    say(format!(
        "rollover {} for {}: ECDSA P-256 leaf, serial {}, valid until {}",
        r.id, r.hostname, r.serial, r.not_after
    ));
    say(format!(
        "one-shot bundle: private key ({} bytes, never stored) + {}",
        created.private_key_pem.len(),
        created.files.keys().cloned().collect::<Vec<_>>().join(", ")
    ));
    let report = verify_certificate(
        r.certificate_pem.as_bytes(),
        &VerifyOptions {
            hostname: Some(r.hostname.clone()),
            at: None,
        },
    )?;
    say(format!(
        "offline sidecar check (OID 1.3.9999.42.1): ok={} — binding re-derived byte for byte, ML-DSA-65 verified",
        report.ok
    ));
    let mut status = r.status;
    for next in [
        RolloverStatus::Observation,
        RolloverStatus::Cutover,
        RolloverStatus::Completed,
    ] {
        let moved = client.rollovers().transition(&r.id, next).await?;
        say(format!("{} → {}", status.as_str(), moved.status.as_str()));
        status = moved.status;
    }
    // At cutover PostQ's scanner re-checks the site: serve the minted certificate on a
    // loopback port and scan it like any endpoint.
    let site = LoopbackServer::start(
        r.certificate_pem.as_bytes(),
        created.private_key_pem.as_bytes(),
        LoopbackOptions::default(),
    )
    .await?;
    let scanner = UrlScanner::new(UrlScanOptions {
        resolve: vec![ResolveOverride {
            host: r.hostname.clone(),
            port: site.addr.port(),
            addr: site.addr.ip(),
        }],
        ..UrlScanOptions::default()
    })?;
    let scanned = scanner
        .scan(&Target::parse(&format!(
            "{}:{}",
            r.hostname,
            site.addr.port()
        ))?)
        .await;
    let tls = scanned.tls.clone().unwrap_or_default();
    say(format!(
        "postq scan url {} (served on {}): {} {} {} — risk {} ({})",
        scanned.target,
        site.addr,
        tls.protocol.unwrap_or_default(),
        tls.cipher_suite.unwrap_or_default(),
        tls.key_exchange.unwrap_or_default(),
        scanned.risk_level.label(),
        scanned.risk_score
    ));
    for f in &scanned.findings {
        say(format!("  {:<8} {}", f.severity.as_str(), f.title));
    }
    let stored = client
        .scans()
        .submit(&scanned.to_scan_request("cli"))
        .await?;
    say(format!(
        "submitted as {} with {} findings",
        stored.id,
        stored.findings.len()
    ));
    drop(site);
    // rolled_back is reachable from every other status, completed included, and is
    // terminal: the previous binding stays intact, and a second rollback is refused.
    let rolled = client.rollovers().rollback(&r.id).await?;
    say(format!(
        "rollback after completion: {} (terminal)",
        rolled.status.as_str()
    ));
    match client.rollovers().rollback(&r.id).await {
        Err(e) if e.status() == Some(409) => say(format!(
            "a second rollback is refused: {} ({})",
            e.code(),
            e.status().unwrap_or_default()
        )),
        Err(e) => return Err(e.into()),
        Ok(_) => {
            return Err(postq::Error::InvalidResponse {
                status: 200,
                reason: "the server accepted a second rollback of a rolled-back rollover".into(),
                request_id: None,
            }
            .into());
        }
    }

    step(
        5,
        "Keep a credential in the post-quantum vault (ML-KEM-768 + X25519)",
    );
    let values = BTreeMap::from([("key".to_owned(), "sk_live_demo_not_a_real_key".to_owned())]);
    let sealed = client
        .vault()
        .seal(&SealRequest {
            name: "stripe-production-key".into(),
            credential_type: "api_key".into(),
            values,
            ttl_days: Some(90),
        })
        .await?;
    say(format!(
        "sealed {} ({}), expires {}",
        sealed.id,
        sealed.name,
        sealed.expires_at.as_deref().unwrap_or("never")
    ));
    let rotated = client.vault().rotate(&sealed.id).await?;
    let unsealed = client.vault().unseal(&sealed.id).await?;
    say(format!(
        "re-encrypted under a new ML-KEM key (v{}); unseal returns {} value(s) intact",
        rotated.version,
        unsealed.values.len()
    ));
    match client.vault().unseal("cred_does_not_exist").await {
        Err(e) => say(format!(
            "unknown id: uniform {} {} — no enumeration",
            e.status().unwrap_or_default(),
            e.code()
        )),
        Ok(_) => say("unexpected: an unknown credential unsealed"),
    }

    step(6, "Verify the tamper-evident audit ledger offline");
    let rows: Vec<_> = client
        .audit()
        .list_all(AuditQuery::default())
        .try_collect()
        .await?;
    let chain = postq::ledger::verify_complete_chain(&rows);
    let mut kinds: Vec<&str> = rows.iter().map(|r| r.event_type.as_str()).collect();
    kinds.dedup();
    say(format!(
        "{} ledger rows ({}), chain intact: {}",
        rows.len(),
        kinds.join(", "),
        chain.ok
    ));
    say("sign/verify rows hold only sha256(payload), never the payload");
    if !chain.ok {
        return Err(Failure::Gate("the audit chain did not verify".into()));
    }
    let observed = client
        .audit()
        .witness(&mut witness)
        .await
        .map_err(ledger_refused)?;
    if let postq::ledger::Observation::Extended { from, to } = &observed {
        say(format!(
            "signed checkpoint (Ed25519 + ML-DSA-65) of {} rows proven consistent with the one pinned at step 3 ({} rows): history only appended",
            to.size, from.size
        ));
    }
    let last = rows.last().map(|r| r.seq).unwrap_or(0);
    if let Some(row) = rows.last() {
        let proof = client
            .audit()
            .inclusion_proof(last, observed.checkpoint().size)
            .await?;
        witness
            .verify_inclusion(row, &proof)
            .map_err(ledger_refused)?;
        say(format!(
            "row #{last} proven in the signed tree with {} hashes",
            proof.inclusion_path.len()
        ));
    }
    Ok(())
}

fn ledger_refused(err: postq::Error) -> Failure {
    match err {
        postq::Error::Ledger { .. } => Failure::Gate(format!("audit ledger refused: {err}")),
        other => Failure::Error(other),
    }
}
