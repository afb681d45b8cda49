#!/usr/bin/env bash
# The Python package's CI entry: a venv in bindings-python/.venv with pinned tools, the
# extension built into it with maturin (dev profile, host target so the dependency
# build is shared with the other bindings), the reference server binary, then pyright
# and mypy (strict) over the package, tests and examples/python_quickstart.py, pytest
# (recording every command it sends), and last the check that the suite sent every
# command of the common layer, so the output ends with pytest's summary line. Exit
# status is the first failing step's.
#   bash bindings-python/run-tests.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"

PYTHON="${PYTHON:-python3}"
HOST="$(rustc -vV | sed -n 's/^host: //p')"
PINS=(maturin==1.16.0 pytest==9.2.0 cryptography==50.0.2 pyright==1.1.414 mypy==2.4.1)

echo "== venv (bindings-python/.venv, $("$PYTHON" --version))"
if [ ! -x .venv/bin/python ]; then
  if ! "$PYTHON" -m venv .venv 2>/dev/null; then
    # Debian ships venv separately.
    rm -rf .venv
    if command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq --no-install-recommends python3-venv
    fi
    "$PYTHON" -m venv .venv
  fi
fi
# shellcheck disable=SC1091
source .venv/bin/activate
python -m pip install -q --disable-pip-version-check "${PINS[@]}"
if ! command -v node >/dev/null; then
  # pyright runs on Node; take it from a wheel when the machine has none.
  python -m pip install -q --disable-pip-version-check "pyright[nodejs]==1.1.414"
fi

echo "== maturin develop (dev profile, --target $HOST)"
maturin develop --target "$HOST"

echo "== reference server binary"
(cd "$ROOT" && cargo build -q -p postq-server)

echo "== pyright (strict) + mypy --strict"
pyright
mypy --strict python/postq tests bench ../examples/python_quickstart.py

echo "== pytest (bindings-python/tests)"
COMMAND_LOG="$(mktemp)"
trap 'rm -f "$COMMAND_LOG"' EXIT
POSTQ_COMMAND_LOG="$COMMAND_LOG" python -m pytest tests

echo "== every command of postq-bindings-common was exercised"
POSTQ_COMMAND_LOG="$COMMAND_LOG" python -m pytest -q tests/command_coverage.py
