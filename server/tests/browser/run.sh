#!/usr/bin/env bash
# The dashboard in a real browser (docs/dashboard.md, "Tests"): Debian's chromium
# driven by playwright-core against the postq-server binary, axe-core in every page.
# Installs what it needs when missing (chromium from Debian; playwright-core and
# axe-core from npm — never a browser download). Screenshots go to
# $POSTQ_SCREENSHOTS (default target/dashboard-screenshots); the run prints the folder.
# Usage (from anywhere): bash server/tests/browser/run.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "== apt-get install chromium"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
fi

echo "== npm install (server/tests/browser)"
(cd "$HERE" && npm install --no-audit --no-fund --loglevel=error)

echo "== cargo build -p postq-server (the server binary the test starts)"
(cd "$ROOT" && cargo build -q -p postq-server --bin postq-server)

export POSTQ_SERVER_BIN="$ROOT/target/debug/postq-server"
export POSTQ_SCREENSHOTS="${POSTQ_SCREENSHOTS:-$ROOT/target/dashboard-screenshots}"
echo "== node --test (chromium $(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))"
cd "$HERE"
node --test --test-timeout=300000 --test-concurrency=1
