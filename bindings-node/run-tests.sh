#!/usr/bin/env bash
# The Node package's CI entry: npm install, build the native addon with the napi CLI
# (debug), make sure the reference server binary exists, then `node --test` (which also
# runs `tsc --noEmit --strict` on examples/node_quickstart.ts). Output ends with node's
# test summary; exit status is node's.
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
# last, so the output ends with node's test summary
node --test --test-concurrency=2 --test-timeout=180000 test/*.test.mjs
