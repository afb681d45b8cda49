#!/usr/bin/env bash
# CPU time per postq operation (perf's task-clock: time on a CPU, not waiting for one),
# a steadier absolute figure than wall-clock time when other builds share the machine.
# Not part of CI.
#   bash core/benches/cpu-time.sh [operation ...]     (default: every operation)
# Runs each operation SMALL and LARGE times (setup included in both) and divides the
# difference. Needs perf (apt-get install linux-perf); software events work in VMs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v perf >/dev/null || { echo "cpu-time.sh needs perf" >&2; exit 1; }
BIN="$(cargo bench -q -p postq --bench ops --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1)"
[ -x "$BIN" ] || { echo "could not build the ops benchmark" >&2; exit 1; }
SMALL="${CPU_TIME_SMALL:-100}"
LARGE="${CPU_TIME_LARGE:-1100}"
ops=("$@")
[ ${#ops[@]} -gt 0 ] || mapfile -t ops < <("$BIN" list)
task_ms() { perf stat -x, -e task-clock "$BIN" "$1" "$2" 2>&1 >/dev/null | sed -n 's/^\([0-9.]*\),.*task-clock.*/\1/p'; }
printf '| operation | CPU µs/op |\n|---|---:|\n'
for op in "${ops[@]}"; do
  small="$(task_ms "$op" "$SMALL")"
  large="$(task_ms "$op" "$LARGE")"
  printf '| %s | %s |\n' "$op" "$(awk -v a="$small" -v b="$large" -v n=$((LARGE - SMALL)) 'BEGIN { printf "%.1f", (b - a) * 1000 / n }')"
done
