#!/usr/bin/env bash
# The one test command (README "Run every test"). Installs what the tests need on a
# fresh Debian machine, then runs every language's tests. CI calls exactly this.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==== %s\n' "$*"; }

need_apt=()
command -v openssl >/dev/null || need_apt+=(openssl)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
# The scanner's repository fixture makes OpenSSH keys at test time.
command -v ssh-keygen >/dev/null || need_apt+=(openssh-client)
command -v node >/dev/null || need_apt+=(nodejs npm)
python3 -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt-get install ${need_apt[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

step "rustfmt + clippy"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -q -- -D warnings

step "Rust: cargo test (core, server, cli, bindings-common: conformance with the server)"
cargo test

step "Generated models are fresh (schema, Python models, TypeScript declarations)"
bash scripts/generate-models.sh --check

step "Rust: core without default features (offline users: pure Rust, no C compiler)"
if cargo tree -p postq --no-default-features -e normal,build --prefix none |
  grep -E '^([a-z0-9_-]+-sys|cc|cmake|bindgen) v'; then
  echo "postq with default-features = false must not need a C toolchain" >&2
  exit 1
fi
cargo clippy -p postq --no-default-features --lib -q -- -D warnings
# Guard: no dev-dependency may switch the default features (and so AWS-LC) back on here.
offline_tests="$(cargo test -q -p postq --no-default-features --lib -- --list)"
if grep -q aws_lc_matches <<<"$offline_tests"; then
  echo "the offline test build has the aws-lc feature on" >&2
  exit 1
fi
cargo test -p postq --no-default-features --lib --test vectors --test properties --test third_party

step "Dashboard: real browser (Debian chromium + playwright-core, axe-core)"
bash server/tests/browser/run.sh

step "Kubernetes agent chart: helm lint + template, rendered manifests checked"
bash deploy/helm/test.sh

step "OpenAPI conformance: schemathesis against the reference server (~2 min)"
bash scripts/openapi-conformance.sh

step "Interop: independent Node implementation (noble, @peculiar/x509) + openssl"
bash tests/interop/run.sh

step "Interop: audit ledger with Go's sumdb/note + sumdb/tlog"
bash tests/ledger-go/run.sh

step "Python: bindings-python (maturin + pytest, pyright/mypy strict)"
bash bindings-python/run-tests.sh

step "Node: bindings-node (napi-rs + node:test, tsc --strict)"
bash bindings-node/run-tests.sh

step ".NET: postq-ffi C ABI (gcc + LeakSanitizer), C# under Mono and CoreCLR"
bash bindings-dotnet/run-tests.sh
