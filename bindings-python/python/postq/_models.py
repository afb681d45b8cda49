"""Typed models of postq responses: the frozen dataclasses generated from the schema
(``_generated.py``, snake_case attributes over the core's camelCase JSON) under the
names the package exports, plus the two that cannot be generated: the generic
:class:`Page` and :class:`Artifact` (whose body is bytes, not JSON). ``repr()`` never
shows secrets: fields the schema marks secret (unsealed values, a rollover's private
key and files) are left out of it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Generic, Iterator, List, Optional, Type, TypeVar

from ._codec import Model
from ._generated import (
    Binding,
    ChainReport,
    ConsistencyProof,
    Credential,
    Deleted,
    Finding,
    Health,
    HistoryEntry,
    HybridKey,
    InclusionProof,
    KeyVersion,
    LedgerEntry,
    LedgerKey,
    PlanStage,
    PublicKeyInfo,
    Rollover,
    RolloverCreated,
    Scan,
    ScanSummary,
    SidecarChecks,
    SidecarReport,
    SignedCheckpoint,
    SignResponse,
    UnsealedCredential,
    VerifyResponse,
    VerifyResult,
    WitnessResult,
)

__all__ = [
    "Artifact",
    "AuditEntry",
    "Binding",
    "ChainReport",
    "ConsistencyProof",
    "Credential",
    "Deleted",
    "Finding",
    "Health",
    "HistoryEntry",
    "HybridKey",
    "InclusionProof",
    "KeyVersion",
    "LedgerKey",
    "Model",
    "Page",
    "PlanStage",
    "PublicKey",
    "Rollover",
    "RolloverCreated",
    "Scan",
    "ScanSummary",
    "SidecarChecks",
    "SidecarReport",
    "SignedCheckpoint",
    "SignResult",
    "UnsealedCredential",
    "VerifyResponse",
    "VerifyResult",
    "WitnessResult",
    "page_from_json",
]

#: One row of the hash-chained audit ledger (docs/formats.md §6).
AuditEntry = LedgerEntry
#: A key version's public key, checked by the core: its JSON and JWK Set forms.
PublicKey = PublicKeyInfo
#: A composite signature made by the server (``signature`` is the base64 envelope).
SignResult = SignResponse

M = TypeVar("M", bound=Model)
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; pass ``next_cursor`` back as ``cursor`` (``None`` at the end)."""

    data: List[T]
    next_cursor: Optional[str]

    def __iter__(self) -> Iterator[T]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def page_from_json(model: Type[M], text: str) -> Page[M]:
    """A page of ``model`` items from the API's JSON text."""
    raw = json.loads(text)
    return Page([model.from_dict(item) for item in raw["data"]], raw.get("nextCursor"))


@dataclass(frozen=True)
class Artifact:
    """A downloaded rollover artifact."""

    file_name: str
    content_type: str
    body: bytes = field(repr=False)
