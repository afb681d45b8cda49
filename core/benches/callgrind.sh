#!/usr/bin/env bash
# Instructions per postq operation under callgrind: repeatable where wall-clock time is
# not (a shared 2-core machine). Not part of CI.
#   bash core/benches/callgrind.sh [operation ...]     (default: every operation)
# Needs valgrind (apt-get install valgrind). Valgrind's CPU lacks AVX-512, so code that
# picks AVX-512 natively takes its AVX2 path here; libcrux's AVX2 paths run as in native.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v valgrind >/dev/null || { echo "callgrind.sh needs valgrind" >&2; exit 1; }
BIN="$(cargo bench -q -p postq --bench ops --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)"
[ -x "$BIN" ] || { echo "could not build the ops benchmark" >&2; exit 1; }
N="${CALLGRIND_ITERATIONS:-20}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
ops=("$@")
[ ${#ops[@]} -gt 0 ] || mapfile -t ops < <("$BIN" list)
printf '| operation | instructions/op |\n|---|---:|\n'
for op in "${ops[@]}"; do
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured*' \
    --callgrind-out-file="$OUT/$op.out" "$BIN" "$op" "$N" >/dev/null 2>"$OUT/$op.log"
  total="$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$OUT/$op.out")"
  printf '| %s | %s |\n' "$op" "$(awk -v t="$total" -v n="$N" 'BEGIN { printf "%.0f", t / n }')"
done
