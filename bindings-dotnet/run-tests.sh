#!/usr/bin/env bash
# The .NET binding's CI entry (scripts/test.sh calls it):
#  1. the C ABI: postq-ffi and the reference server built (dev profile, shared target),
#     tests/c/abi_test.c compiled with gcc -fsanitize=address and run with
#     LeakSanitizer against the server (a leak or memory error fails it);
#  2. the C# library: Mono installed from Debian's packages when missing, library and
#     tests compiled with mcs -langversion:7.2, the tests run under Mono and the same
#     assembly under CoreCLR (PyPI's dotnetcore2) against the server, each ending with
#     `N passed, N failed`; the NuGet package assembled and checked.
# Exit status is the first failing step's.
#   bash bindings-dotnet/run-tests.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/debug"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/postq-dotnet-test.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

MONO_PACKAGES=(mono-mcs mono-runtime libmono-system-runtime-serialization4.0-cil libmono-system-xml-linq4.0-cil)
if ! command -v mcs >/dev/null || ! command -v mono >/dev/null \
  || [ ! -e /usr/lib/mono/4.5/System.Runtime.Serialization.dll ] || [ ! -e /usr/lib/mono/4.5/System.Xml.Linq.dll ]; then
  echo "== apt-get install ${MONO_PACKAGES[*]}"
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${MONO_PACKAGES[@]}"
fi

echo "== CoreCLR runtime (PyPI dotnetcore2 in bindings-dotnet/.venv)"
DOTNETCORE2_VERSION=3.1.23
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/python -m pip show dotnetcore2 2>/dev/null | grep -qx "Version: $DOTNETCORE2_VERSION"; then
  .venv/bin/python -m pip install -q --disable-pip-version-check "dotnetcore2==$DOTNETCORE2_VERSION"
fi
DOTNET="$(.venv/bin/python -c 'import dotnetcore2, os; print(os.path.join(os.path.dirname(dotnetcore2.__file__), "bin", "dotnet"))')"

echo "== build postq-ffi + postq-server (dev profile)"
(cd "$ROOT" && cargo build -q -p postq-ffi -p postq-server)

# shellcheck source=/dev/null
source "$HERE/start-server.sh" "$TARGET/postq-server" "$WORK"

echo "== C ABI: tests/c/abi_test.c (gcc, AddressSanitizer + LeakSanitizer)"
python3 - "$WORK" "$ROOT/tests/vectors/hybrid.json" <<'EOF'
import json, sys
work, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path, encoding="utf-8"))
vector = doc["valid"][0]
key = next(k for k in doc["keys"] if k["name"] == vector["key"])
open(f"{work}/key.json", "w", encoding="utf-8").write(key["publicKey"])
open(f"{work}/payload.bin", "wb").write(bytes.fromhex(vector["payload"]))
open(f"{work}/sig.txt", "w", encoding="utf-8").write(vector["signature"])
EOF
gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O1 -g -fsanitize=address \
  -I ffi ffi/tests/c/abi_test.c -L "$TARGET" -lpostq_ffi -lpthread \
  -Wl,-rpath,"$TARGET" -o "$WORK/abi_test"
ASAN_OPTIONS=detect_leaks=1 "$WORK/abi_test" "$POSTQ_TEST_BASE_URL" \
  "$POSTQ_TEST_ADMIN_KEY" "$WORK/key.json" "$WORK/payload.bin" "$WORK/sig.txt"

echo "== C#: compile PostQ.dll, the tests and the quickstart (mcs -langversion:7.2)"
OUT="$WORK/bin"
mkdir -p "$OUT"
bash "$HERE/build.sh" "$OUT"
mcs -langversion:7.2 -warnaserror -target:exe -out:"$OUT/PostQ.Tests.exe" -r:"$OUT/PostQ.dll" \
  -r:System.Runtime.Serialization.dll tests/*.cs
mcs -langversion:7.2 -warnaserror -target:exe -out:"$OUT/Quickstart.exe" -r:"$OUT/PostQ.dll" \
  "$ROOT/examples/csharp_quickstart.cs"
# CoreCLR runs the same assemblies (no SDK: a runtimeconfig names the shared framework).
cat >"$OUT/PostQ.Tests.runtimeconfig.json" <<'JSON'
{
  "runtimeOptions": {
    "tfm": "netcoreapp3.1",
    "framework": { "name": "Microsoft.NETCore.App", "version": "3.1.0" },
    "configProperties": { "System.Globalization.Invariant": true }
  }
}
JSON

export POSTQ_TEST_ROOT="$ROOT" LD_LIBRARY_PATH="$TARGET${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# A bare `new PostQClient()` in the tests reads these.
export POSTQ_API_KEY="$POSTQ_TEST_ADMIN_KEY" POSTQ_BASE_URL="$POSTQ_TEST_BASE_URL"

echo "== C# quickstart (examples/csharp_quickstart.cs) under Mono"
mono "$OUT/Quickstart.exe"

echo "== NuGet package (bindings-dotnet/pack.sh) and its layout"
bash "$HERE/pack.sh" "$WORK/nupkg" "$OUT"
python3 "$HERE/tests/check_nupkg.py" "$WORK/nupkg"/PostQClient.*.nupkg

echo "== C# tests on CoreCLR (dotnetcore2 $DOTNETCORE2_VERSION)"
DOTNET_CLI_TELEMETRY_OPTOUT=1 "$DOTNET" exec --runtimeconfig "$OUT/PostQ.Tests.runtimeconfig.json" "$OUT/PostQ.Tests.exe"

echo "== C# tests on Mono"
mono --debug "$OUT/PostQ.Tests.exe"
