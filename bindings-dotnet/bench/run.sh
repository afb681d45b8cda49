#!/usr/bin/env bash
# The .NET benchmark (not part of CI): release builds of postq-ffi, the reference server
# and the Rust timing example, then the same measurements from Rust, from C# on Mono and
# from C# on CoreCLR (dotnetcore2), as a table with the C#/Rust ratios.
#   bash bindings-dotnet/bench/run.sh [SECONDS] [SUBMITS]
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"
SECONDS_PER="${1:-3}"
SUBMITS="${2:-500}"
RELEASE="${CARGO_TARGET_DIR:-$ROOT/target}/release"
VECTORS="$ROOT/tests/vectors/hybrid.json"

# (--example alone builds only the example: the library and the server need their own run.)
(cd "$ROOT" && cargo build -q --release -p postq-ffi -p postq-server && cargo build -q --release -p postq-ffi --example ffi-verify-bench)
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check dotnetcore2==3.1.23
DOTNET="$(.venv/bin/python -c 'import dotnetcore2, os; print(os.path.join(os.path.dirname(dotnetcore2.__file__), "bin", "dotnet"))')"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/postq-dotnet-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# shellcheck source=/dev/null
source "$HERE/start-server.sh" "$RELEASE/postq-server" "$WORK"

bash "$HERE/build.sh" "$WORK"
mcs -langversion:7.2 -optimize+ -target:exe -out:"$WORK/Bench.exe" -r:"$WORK/PostQ.dll" bench/Bench.cs
cat >"$WORK/Bench.runtimeconfig.json" <<'JSON'
{"runtimeOptions": {"tfm": "netcoreapp3.1", "framework": {"name": "Microsoft.NETCore.App", "version": "3.1.0"},
  "configProperties": {"System.Globalization.Invariant": true}}}
JSON
export LD_LIBRARY_PATH="$RELEASE"
ffi_bench="$RELEASE/examples/ffi-verify-bench"
rust_verify="$("$ffi_bench" verify "$VECTORS" "$SECONDS_PER")"
rust_submit="$("$ffi_bench" submit "$POSTQ_TEST_BASE_URL" "$POSTQ_TEST_ADMIN_KEY" "$SUBMITS")"
mono_line="$(mono "$WORK/Bench.exe" "$VECTORS" "$POSTQ_TEST_BASE_URL" "$POSTQ_TEST_ADMIN_KEY" "$SECONDS_PER" "$SUBMITS")"
core_line="$(DOTNET_CLI_TELEMETRY_OPTOUT=1 "$DOTNET" exec --runtimeconfig "$WORK/Bench.runtimeconfig.json" "$WORK/Bench.exe" \
  "$VECTORS" "$POSTQ_TEST_BASE_URL" "$POSTQ_TEST_ADMIN_KEY" "$SECONDS_PER" "$SUBMITS")"

python3 - "$rust_verify" "$rust_submit" "$mono_line" "$core_line" <<'PY'
import json, sys
rust = {**json.loads(sys.argv[1]), **json.loads(sys.argv[2])}
runs = {"C# on Mono": json.loads(sys.argv[3]), "C# on CoreCLR": json.loads(sys.argv[4])}
rows = [("offline verify/s (key parsed per call)", "verifyPerSec"),
        ("offline verify/s (key parsed once)", "parsedKeyVerifyPerSec"),
        ("Scans.SubmitAsync round trips/s", "submitPerSec")]
print(f"| measure | Rust | {' | '.join(runs)} |")
print("|---|---:|" + "---:|" * len(runs))
for label, key in rows:
    cells = [f"{r[key]:.0f} ({r[key] / rust[key]:.2f}x)" for r in runs.values()]
    print(f"| {label} | {rust[key]:.0f} | {' | '.join(cells)} |")
PY
