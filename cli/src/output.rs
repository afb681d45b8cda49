//! Human or JSON output, and the two ways a command fails.

use serde::Serialize;

/// How a command failed: an error (exit 1) or a gate that said no (exit 2).
pub enum Failure {
    Error(postq::Error),
    Gate(String),
}

impl From<postq::Error> for Failure {
    fn from(e: postq::Error) -> Self {
        Failure::Error(e)
    }
}

/// Local I/O problems are input errors.
pub fn io_error(what: &'static str, path: &std::path::Path, e: std::io::Error) -> Failure {
    Failure::Error(postq::Error::InvalidInput {
        what,
        reason: format!("{}: {e}", path.display()),
    })
}

/// Where results go: `--json` prints machine-readable JSON on stdout.
pub struct Output {
    pub json: bool,
}

impl Output {
    /// Print a result: JSON, or the human form.
    pub fn emit<T: Serialize>(&self, value: &T, human: impl FnOnce(&T) -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_default()
            );
        } else {
            println!("{}", human(value));
        }
    }

    /// A progress or note line (stderr in JSON mode, so stdout stays parseable).
    pub fn note(&self, line: &str) {
        if self.json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    }

    pub fn error(&self, err: &postq::Error) {
        if self.json {
            let value = serde_json::json!({"error": {
                "code": err.code(), "message": err.to_string(),
                "status": err.status(), "requestId": err.request_id(),
                "retryAfter": err.retry_after().map(|d| d.as_secs_f64()),
            }});
            eprintln!("{value}");
        } else {
            eprintln!("error: {err}");
        }
    }

    pub fn error_line(&self, message: &str) {
        if self.json {
            eprintln!(
                "{}",
                serde_json::json!({"error": {"code": "gate_failed", "message": message}})
            );
        } else {
            eprintln!("rejected: {message}");
        }
    }
}
