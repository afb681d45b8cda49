#!/usr/bin/env bash
# Release builds + the benchmark (not part of CI): the extension (maturin --release into
# bindings-python/.venv), the reference server and the Rust timing example, then
# bench/bench.py. Afterwards run-tests.sh rebuilds the dev extension as usual.
#   bash bindings-python/bench/run.sh [--seconds 3] [--submits 1000]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
[ -x .venv/bin/python ] || python3 -m venv .venv
# shellcheck disable=SC1091
source .venv/bin/activate
python -m pip install -q --disable-pip-version-check maturin==1.16.0 httpx==0.28.1 dilithium-py==1.5.1
maturin develop --release --target "$HOST"
(cd "$ROOT" && cargo build -q --release -p postq-server && cargo build -q --release -p postq-python --example python-rust-verify-bench)
python bench/bench.py "$@"
