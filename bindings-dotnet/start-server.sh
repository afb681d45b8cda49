#!/usr/bin/env bash
# Start the reference server on a free loopback port with a fresh data dir and fault
# injection, for the .NET and C tests. Sourced by run-tests.sh:
#   source start-server.sh SERVER_BINARY WORK_DIR
# sets POSTQ_TEST_BASE_URL, POSTQ_TEST_ADMIN_KEY, POSTQ_TEST_DATA_DIR,
# POSTQ_TEST_SERVER_BIN and SERVER_PID (the caller kills it).
server_binary="$1"
work_dir="$2"
POSTQ_TEST_DATA_DIR="$(mktemp -d "$work_dir/server-data.XXXXXX")"
POSTQ_SERVER_LOG=warn "$server_binary" --listen 127.0.0.1:0 \
  --data-dir "$POSTQ_TEST_DATA_DIR" --faults \
  --rate-limits "scans_write=100000,read=100000,write=100000" \
  --unauthenticated-rate 100000 \
  >"$work_dir/server.out" 2>/dev/null &
SERVER_PID=$!
POSTQ_TEST_BASE_URL=""
for _ in $(seq 1 300); do
  POSTQ_TEST_BASE_URL="$(sed -n 's/^postq-server listening on \([^ ]*\).*/\1/p' "$work_dir/server.out")"
  [ -n "$POSTQ_TEST_BASE_URL" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.1
done
POSTQ_TEST_ADMIN_KEY="$(grep -m1 '^pq_live_' "$work_dir/server.out" || true)"
if [ -z "$POSTQ_TEST_BASE_URL" ] || [ -z "$POSTQ_TEST_ADMIN_KEY" ]; then
  echo "the reference server did not start:" >&2
  cat "$work_dir/server.out" >&2
  exit 1
fi
POSTQ_TEST_SERVER_BIN="$(cd "$(dirname "$server_binary")" && pwd)/$(basename "$server_binary")"
export POSTQ_TEST_BASE_URL POSTQ_TEST_ADMIN_KEY POSTQ_TEST_DATA_DIR POSTQ_TEST_SERVER_BIN
