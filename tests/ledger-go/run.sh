#!/usr/bin/env bash
# Independent check of the audit ledger with the Go checksum database's packages
# (golang.org/x/mod/sumdb/note and sumdb/tlog; see tests/ledger-go/README.md).
# Usage: bash tests/ledger-go/run.sh            the committed vectors, then a live server
#        bash tests/ledger-go/run.sh FILE.json  one file of the same shape
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
if ! command -v go >/dev/null; then
  echo "FAIL: the Go toolchain (>= 1.26) is needed for the independent ledger check" >&2
  exit 1
fi
cd "$HERE"
test -z "$(gofmt -l .)" || { echo "FAIL: gofmt -l lists files" >&2; exit 1; }
if [ $# -gt 0 ]; then
  go run . "$(realpath "$1")"
  exit
fi
echo "== tests/vectors/ledger-tree.json"
go run . "$ROOT/tests/vectors/ledger-tree.json"
echo "== a live reference server (server/examples/ledger_dump.rs)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$ROOT" && cargo run -q -p postq-server --example ledger_dump -- "$tmp/live.json")
go run . "$tmp/live.json"
