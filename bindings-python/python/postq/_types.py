"""Argument types shared by the clients. The domain values (``RiskLevel`` …) come from
the generated models; ``FindingInput`` is the dict form of the generated model of the
same name (``tests/test_models.py`` checks that their keys agree)."""

from __future__ import annotations

import datetime
from typing import TypedDict, Union

from ._generated import Include, RiskLevel, RolloverStatus, Severity

__all__ = [
    "FindingInput",
    "Include",
    "Payload",
    "RiskLevel",
    "RolloverStatus",
    "Severity",
    "Timestamp",
]

#: Bytes to sign, verify or seal; ``str`` is taken as its UTF-8 bytes.
Payload = Union[bytes, bytearray, str]

#: An RFC 3339 time, or a ``datetime`` (naive ones are taken as UTC).
Timestamp = Union[str, datetime.datetime]


class _FindingRequired(TypedDict):
    severity: Severity
    title: str


class FindingInput(_FindingRequired, total=False):
    """A finding to submit: ``{"severity": "high", "title": "RSA-2048 public key"}``
    with optional ``code`` (``TLS-1.0-MIN`` …), ``description`` and ``evidence``."""

    code: str
    description: str
    evidence: str
