//! The repository / file-tree scanner (`postq scan repo`): a parallel, .gitignore-aware
//! walk (the `ignore` crate, as ripgrep uses) that classifies every file's key material.
//! Binaries are skipped unless they are a DER certificate/key or a PKCS#12 bundle, and
//! files above the size limit are counted and skipped.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use ignore::{WalkBuilder, WalkState};

use super::Location;
use super::classify::{Classified, ClassifyContext, classify_material, might_hold_material};
use super::report::{RepoSummary, ScanKind, ScanReport, TargetStatus};

/// Options of a repository scan.
#[derive(Debug, Clone)]
pub struct RepoScanOptions {
    /// Files larger than this are skipped (default 1 MiB).
    pub max_file_size: u64,
    /// Walker threads (0: one per CPU).
    pub threads: usize,
}

impl Default for RepoScanOptions {
    fn default() -> Self {
        RepoScanOptions {
            max_file_size: 1024 * 1024,
            threads: 0,
        }
    }
}

enum Outcome {
    Scanned(Classified),
    Binary,
    Large,
    Error(String),
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

fn scan_file(root: &Path, path: &Path, options: &RepoScanOptions) -> Outcome {
    use std::io::Read as _;
    let error = |e: std::io::Error| Outcome::Error(format!("{}: {e}", relative(root, path)));
    // One open + fstat + read per file; the relative path is only built for files that
    // hold something.
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return error(e),
    };
    let len = match file.metadata() {
        Ok(m) if m.len() > options.max_file_size => return Outcome::Large,
        Ok(m) => m.len(),
        Err(e) => return error(e),
    };
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0) + 1);
    if let Err(e) = file.read_to_end(&mut bytes) {
        return error(e);
    }
    let binary = memchr::memchr(0, &bytes[..bytes.len().min(8192)]).is_some();
    // DER starts with a SEQUENCE tag (0x30) and need not contain a NUL early on.
    if !binary && bytes.first() != Some(&0x30) && !might_hold_material(&bytes) {
        return Outcome::Scanned(Classified::default());
    }
    let ctx = ClassifyContext::new(Location::File {
        path: relative(root, path),
        line: None,
    });
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let found = classify_material(&bytes, name.as_deref(), &ctx);
    if binary && found.findings.is_empty() && found.assets.is_empty() {
        Outcome::Binary
    } else {
        Outcome::Scanned(found)
    }
}

/// Walk `root` and classify every file. Blocking: call it from a blocking thread.
pub fn scan_repo(root: &Path, options: &RepoScanOptions) -> ScanReport {
    let started = Instant::now();
    let mut report = ScanReport::new(ScanKind::Repo, root.display().to_string());
    let mut summary = RepoSummary::default();
    if !root.exists() {
        report.status = TargetStatus::IoError;
        report.error = Some(format!("{} does not exist", root.display()));
        report.finish(started);
        return report;
    }
    let root: PathBuf = root.to_path_buf();
    let (tx, rx) = mpsc::channel::<Outcome>();
    WalkBuilder::new(&root)
        .hidden(false)
        .require_git(false)
        .threads(options.threads)
        .filter_entry(|e| e.file_name() != ".git")
        .build_parallel()
        .run(|| {
            let tx = tx.clone();
            let root = root.clone();
            let options = options.clone();
            Box::new(move |entry| {
                let outcome = match entry {
                    Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => {
                        scan_file(&root, e.path(), &options)
                    }
                    Ok(_) => return WalkState::Continue,
                    Err(e) => Outcome::Error(e.to_string()),
                };
                if tx.send(outcome).is_err() {
                    return WalkState::Quit;
                }
                WalkState::Continue
            })
        });
    drop(tx);
    for outcome in rx {
        match outcome {
            Outcome::Scanned(found) => {
                summary.files_scanned += 1;
                report.findings.extend(found.findings);
                report.assets.extend(found.assets);
            }
            Outcome::Binary => summary.files_skipped_binary += 1,
            Outcome::Large => summary.files_skipped_large += 1,
            Outcome::Error(e) => summary.errors.push(e),
        }
    }
    summary.errors.sort();
    report.repo = Some(summary);
    report.finish(started);
    report
}
