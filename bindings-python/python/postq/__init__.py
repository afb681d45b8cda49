"""postq — the post-quantum security SDK.

>>> from postq import PostQ
>>> pq = PostQ()  # POSTQ_API_KEY, POSTQ_BASE_URL
>>> key = pq.hybrid_keys.create(name="release-signing")
>>> sig = pq.sign(key_id=key.id, payload=b"ship it")
>>> pq.verify(key_id=key.id, payload=b"ship it", signature=sig.signature).ok
True

:class:`PostQ` blocks, :class:`AsyncPostQ` is for asyncio; both share one Rust runtime
and release the GIL while they work. Offline helpers need no server:
:func:`verify_offline`, :func:`verify_certificate`, :func:`seal` / :class:`SealKeyPair`,
:func:`verify_audit_chain`, and the ledger's :func:`verify_checkpoint`,
:func:`verify_inclusion`, :func:`verify_consistency`.
"""

from __future__ import annotations

import atexit as _atexit

from ._client import (
    AsyncAudit,
    AsyncHybridKeys,
    AsyncIngest,
    AsyncPostQ,
    AsyncRollovers,
    AsyncScans,
    AsyncVault,
    Audit,
    HybridKeys,
    Ingest,
    PostQ,
    Rollovers,
    Scans,
    Vault,
    verify_offline,
)
from ._errors import (
    PostQAuthError,
    PostQConflictError,
    PostQConnectionError,
    PostQError,
    PostQNotFoundError,
    PostQPermissionError,
    PostQRateLimitError,
    PostQServerError,
    PostQTimeoutError,
    PostQValidationError,
)
from ._models import (
    Artifact,
    AuditEntry,
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
    LedgerKey,
    Page,
    PlanStage,
    PublicKey,
    Rollover,
    RolloverCreated,
    Scan,
    ScanSummary,
    SidecarChecks,
    SidecarReport,
    SignedCheckpoint,
    SignResult,
    UnsealedCredential,
    VerifyResponse,
    VerifyResult,
    WitnessResult,
)
from ._native import __version__
from ._offline import (
    CheckpointLike,
    LedgerKeyLike,
    SealKeyPair,
    open_sealed,
    seal,
    verify_audit_chain,
    verify_certificate,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from ._types import FindingInput, Include, Payload, RiskLevel, RolloverStatus, Severity, Timestamp
from . import _native

# Stop the shared runtime before the interpreter finalizes (no worker thread may touch
# Python during finalization).
_atexit.register(_native.shutdown_runtime)

__all__ = [
    "__version__",
    "PostQ",
    "AsyncPostQ",
    "verify_offline",
    "verify_certificate",
    "seal",
    "open_sealed",
    "SealKeyPair",
    "verify_audit_chain",
    "verify_checkpoint",
    "verify_inclusion",
    "verify_consistency",
    "Scans",
    "HybridKeys",
    "Vault",
    "Rollovers",
    "Audit",
    "Ingest",
    "AsyncScans",
    "AsyncHybridKeys",
    "AsyncVault",
    "AsyncRollovers",
    "AsyncAudit",
    "AsyncIngest",
    "PostQError",
    "PostQAuthError",
    "PostQPermissionError",
    "PostQNotFoundError",
    "PostQConflictError",
    "PostQRateLimitError",
    "PostQServerError",
    "PostQConnectionError",
    "PostQTimeoutError",
    "PostQValidationError",
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
    "CheckpointLike",
    "LedgerKeyLike",
    "FindingInput",
    "Include",
    "Payload",
    "RiskLevel",
    "RolloverStatus",
    "Severity",
    "Timestamp",
]
