//! `postq cert verify`: offline sidecar verification (exit 2 on failure).

use postq::sidecar::{VerifyOptions, verify_certificate};

use super::read_input;
use crate::args::CertCommand;
use crate::output::{Failure, Output};

pub fn run(cmd: CertCommand, out: &Output) -> Result<(), Failure> {
    let CertCommand::Verify { cert, hostname, at } = cmd;
    let input = read_input(&cert)?;
    let report = verify_certificate(
        &input,
        &VerifyOptions::with_rfc3339(hostname, at.as_deref())?,
    )?;
    out.emit(&report, |r| {
        let c = &r.checks;
        let mark = |b: bool| if b { "ok" } else { "FAILED" };
        let mut lines = vec![
            format!(
                "{}: {}",
                cert.display(),
                if r.ok {
                    "hybrid binding valid"
                } else {
                    "hybrid binding INVALID"
                }
            ),
            format!("  extension 1.3.9999.42.1   {}", mark(c.extension_present)),
            format!("  binding re-derived        {}", mark(c.binding_matches)),
            format!(
                "  classical key bound       {}",
                mark(c.classical_key_matches)
            ),
            format!("  ML-DSA-65 key bound       {}", mark(c.pq_key_matches)),
            format!("  ML-DSA-65 signature       {}", mark(c.pq_signature_ok)),
            format!(
                "  ECDSA self-signature      {}",
                mark(c.classical_signature_ok)
            ),
            format!("  validity window           {}", mark(c.validity_ok)),
            format!("  hostname                  {}", mark(c.hostname_ok)),
        ];
        if let Some(b) = &r.binding {
            lines.push(format!(
                "  bound: {} {:?}, serial {}, {} .. {}",
                b.hostname, b.alt_names, b.serial, b.not_before, b.not_after
            ));
        }
        lines.join("\n")
    });
    match report.failure {
        None => Ok(()),
        Some(check) => Err(Failure::Gate(format!(
            "{}: {} failed",
            cert.display(),
            check.as_str()
        ))),
    }
}
