"""Run after the suite by run-tests.sh (``pytest tests/command_coverage.py``): every
command of the common layer (``postq._native.operations()``) must have been sent by some
test — recorded through ``POSTQ_COMMAND_LOG`` by conftest.py. A new command without a
Python test fails here."""

from __future__ import annotations

import os
from pathlib import Path

from postq import _native


def test_the_suite_exercised_every_command() -> None:
    log = os.environ.get("POSTQ_COMMAND_LOG", "")
    assert log and Path(log).exists(), "POSTQ_COMMAND_LOG must name the log of a full run"
    ran = set(Path(log).read_text(encoding="utf-8").split())
    missing = [op for op in _native.operations() if op not in ran]
    assert not missing, f"commands no Python test sent: {missing}"
