#!/usr/bin/env bash
# Independent check of the audit ledger with the Go checksum database's packages
# (golang.org/x/mod/sumdb/note and sumdb/tlog; see tests/ledger-go/README.md).
# Usage: bash tests/ledger-go/run.sh [FILE.json]   (default: tests/vectors/ledger-tree.json)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FILE="$(realpath "${1:-$HERE/../vectors/ledger-tree.json}")"
if ! command -v go >/dev/null; then
  echo "FAIL: the Go toolchain (>= 1.26) is needed for the independent ledger check" >&2
  exit 1
fi
cd "$HERE"
test -z "$(gofmt -l .)" || { echo "FAIL: gofmt -l lists files" >&2; exit 1; }
go run . "$FILE"
