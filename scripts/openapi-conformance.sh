#!/usr/bin/env bash
# OpenAPI conformance (part of scripts/test.sh): schemathesis against /openapi.json of
# a running reference server, every operation, checks not_a_server_error and
# response_schema_conformance, fixed seed, about 2 minutes. Installs schemathesis into
# its own venv (target/openapi-venv) the first time.
#   bash scripts/openapi-conformance.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SCHEMATHESIS=schemathesis==4.32.5
VENV="$ROOT/target/openapi-venv"
if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/pip" show -q schemathesis 2>/dev/null ||
  [ "$("$VENV/bin/schemathesis" --version | awk '{print $NF}')" != "${SCHEMATHESIS#*==}" ]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$SCHEMATHESIS"
fi

cargo build -q -p postq-server
timeout 600 "$VENV/bin/python" scripts/openapi_conformance.py \
  target/debug/postq-server "$VENV/bin/schemathesis"
