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
