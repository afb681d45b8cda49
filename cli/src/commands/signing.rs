//! `postq sign` and `postq verify` (the build gate: exit 2 when rejected).

use postq::Client;
use postq::hybrid::VerifyResult;
use serde::Serialize;

use super::{read_input, read_text, write_file};
use crate::args::{Connection, SignArgs, VerifyArgs};
use crate::output::{Failure, Output};

pub async fn sign(args: SignArgs, client: &Client, out: &Output) -> Result<(), Failure> {
    let payload = read_input(&args.input)?;
    let signed = client.sign(&args.key, &payload).await?;
    write_file(&args.out, format!("{}\n", signed.signature).as_bytes())?;
    out.emit(&signed, |s| {
        format!(
            "signed {} with {} v{} -> {}",
            args.input.display(),
            s.key_id,
            s.key_version,
            args.out.display()
        )
    });
    Ok(())
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Verdict {
    ok: bool,
    classical_ok: bool,
    pq_ok: bool,
    key_id: String,
    key_version: u32,
    mode: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
}

fn report(verdict: Verdict, out: &Output) -> Result<(), Failure> {
    let ok = verdict.ok;
    out.emit(&verdict, |v| {
        let mark = |b: bool| if b { "ok" } else { "FAILED" };
        format!(
            "{} ({}): Ed25519 {}, ML-DSA-65 {} — key {} v{}{}",
            if v.ok {
                "signature valid"
            } else {
                "signature REJECTED"
            },
            v.mode,
            mark(v.classical_ok),
            mark(v.pq_ok),
            v.key_id,
            v.key_version,
            v.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        )
    });
    if ok {
        Ok(())
    } else {
        Err(Failure::Gate("signature rejected".into()))
    }
}

/// Signature-level problems (malformed, other key) are rejections too: exit 2.
fn gate_on_signature_errors(err: postq::Error) -> Failure {
    match err.code() {
        "invalid_signature" | "key_mismatch" | "unsupported_version" => {
            Failure::Gate(err.to_string())
        }
        _ => Failure::Error(err),
    }
}

pub async fn verify_online(args: VerifyArgs, client: &Client, out: &Output) -> Result<(), Failure> {
    let payload = read_input(&args.input)?;
    let signature = read_text(&args.sig)?;
    let response = match (&args.key, &args.public_key) {
        (Some(key), _) => client.verify_with_key(key, &payload, &signature).await,
        (None, Some(path)) => {
            client
                .verify_with_public_key(&read_text(path)?, &payload, &signature)
                .await
        }
        (None, None) => return unreachable_args(),
    }
    .map_err(gate_on_signature_errors)?;
    report(
        Verdict {
            ok: response.ok,
            classical_ok: response.classical_ok,
            pq_ok: response.pq_ok,
            key_id: response.key_id,
            key_version: response.key_version,
            mode: "server",
            reason: response.reason,
        },
        out,
    )
}

pub async fn verify_offline(
    args: VerifyArgs,
    connection: &Connection,
    out: &Output,
) -> Result<(), Failure> {
    let payload = read_input(&args.input)?;
    let signature = read_text(&args.sig)?;
    let public_key = match (&args.public_key, &args.key) {
        (Some(path), _) => read_text(path)?,
        (None, Some(key)) => {
            // Only the public key comes from the API; the check itself is local.
            let envelope = postq::hybrid::SignatureEnvelope::parse(&signature)
                .map_err(gate_on_signature_errors)?;
            let client = connection.client()?;
            client
                .hybrid_keys()
                .public_key(key, Some(envelope.key_version()))
                .await?
                .to_json()
        }
        (None, None) => return unreachable_args(),
    };
    let result: VerifyResult = Client::verify_offline(&public_key, &payload, &signature)
        .map_err(gate_on_signature_errors)?;
    let envelope =
        postq::hybrid::SignatureEnvelope::parse(&signature).map_err(gate_on_signature_errors)?;
    report(
        Verdict {
            ok: result.ok,
            classical_ok: result.classical_ok,
            pq_ok: result.pq_ok,
            key_id: envelope.key_id().to_owned(),
            key_version: envelope.key_version(),
            mode: "offline",
            reason: None,
        },
        out,
    )
}

fn unreachable_args<T>() -> Result<T, Failure> {
    Err(Failure::Error(postq::Error::InvalidInput {
        what: "arguments",
        reason: "pass --key or --public-key".into(),
    }))
}
