#!/usr/bin/env bash
# The Node package's CI entry: npm install, build the native addon with the napi CLI
# (debug), make sure the reference server binary exists, then `node --test` (which also
# runs `tsc --noEmit --strict` on examples/node_quickstart.ts) recording every command
# sent, then the check that every command of the common layer was exercised. Output
# ends with node's test summary; exit status is the first failing step's.
#   bash bindings-node/run-tests.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"

echo "== npm install (bindings-node)"
npm install --no-audit --no-fund --loglevel=error

echo "== napi build (debug, host target)"
./node_modules/.bin/napi build --platform --js native.js --dts native.d.ts

echo "== reference server binary"
if [ ! -x "$ROOT/target/debug/postq-server" ] || [ -n "${POSTQ_REBUILD_SERVER:-}" ]; then
  (cd "$ROOT" && cargo build -p postq-server)
else
  # cheap when up to date; picks up server changes
  (cd "$ROOT" && cargo build -q -p postq-server)
fi

echo "== node --test (bindings-node/test)"
COMMAND_LOG="$(mktemp)"
trap 'rm -f "$COMMAND_LOG"' EXIT
POSTQ_COMMAND_LOG="$COMMAND_LOG" node --test --test-concurrency=2 --test-timeout=180000 test/*.test.mjs

echo "== every command of postq-bindings-common was exercised"
# last, so the output ends with node's test summary
POSTQ_COMMAND_LOG="$COMMAND_LOG" node --test test/commands.coverage.mjs
