#!/usr/bin/env bash
# The scanner benchmark (docs/scanning.md "Performance"): installs the peers it compares
# against — testssl.sh (Debian) and sslyze (PyPI, in a venv) — then builds and runs
# cli/examples/bench-scan.rs. Not part of CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if ! command -v testssl.sh >/dev/null && ! command -v testssl >/dev/null; then
  apt-get update -qq && apt-get install -y -qq --no-install-recommends testssl.sh
fi
VENV="${SSLYZE_VENV:-$ROOT/target/sslyze-venv}"
if [ ! -x "$VENV/bin/sslyze" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q sslyze
fi
cargo build --release -q -p postq-cli --example bench-scan --bin postq
SSLYZE="$VENV/bin/sslyze" cargo run --release -q -p postq-cli --example bench-scan -- "$@"
