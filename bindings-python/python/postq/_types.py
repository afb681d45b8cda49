"""Argument types shared by the clients."""

from __future__ import annotations

import datetime
from typing import Literal, TypedDict, Union

__all__ = ["FindingInput", "Payload", "RiskLevel", "RolloverStatus", "Severity", "Timestamp"]

#: Bytes to sign, verify or seal; ``str`` is taken as its UTF-8 bytes.
Payload = Union[bytes, bytearray, str]

#: An RFC 3339 time, or a ``datetime`` (naive ones are taken as UTC).
Timestamp = Union[str, datetime.datetime]

RiskLevel = Literal["Critical", "High", "Medium", "Low", "Info"]
Severity = Literal["critical", "high", "medium", "low", "info"]
RolloverStatus = Literal["planned", "observation", "cutover", "completed", "rolled_back"]


class _FindingRequired(TypedDict):
    severity: Severity
    title: str


class FindingInput(_FindingRequired, total=False):
    """A finding to submit: ``{"severity": "high", "title": "RSA-2048 public key"}``
    with optional ``description`` and ``evidence``."""

    description: str
    evidence: str
