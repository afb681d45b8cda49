"""Offline helpers: no network, no API key. Crypto runs in Rust with the GIL released."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Iterable, Mapping, Optional, Union, Any

from . import _native
from ._codec import Model
from ._errors import PostQValidationError
from ._models import (
    AuditEntry,
    ChainReport,
    ConsistencyProof,
    InclusionProof,
    LedgerKey,
    SidecarReport,
    SignedCheckpoint,
)
from ._types import Payload, Timestamp

__all__ = [
    "CheckpointLike",
    "LedgerKeyLike",
    "SealKeyPair",
    "open_sealed",
    "seal",
    "verify_audit_chain",
    "verify_certificate",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
]

#: A ledger key: the model (``pq.audit.ledger_key()``, a witness result's
#: ``ledger_key``) or its JSON text.
LedgerKeyLike = Union[LedgerKey, str]
#: A signed checkpoint: the signed note text, or a :class:`SignedCheckpoint` carrying it.
CheckpointLike = Union[SignedCheckpoint, str]


def verify_certificate(
    certificate: Payload,
    *,
    hostname: Optional[str] = None,
    at: Optional[Timestamp] = None,
) -> SidecarReport:
    """Verify a hybrid TLS certificate's ML-DSA-65 sidecar (PEM or DER): every check of
    docs/formats.md §4 runs and ``failure`` names the first that failed. ``hostname``
    must then be bound; ``at`` judges validity at that time instead of now. Raises
    :class:`PostQValidationError` only when the input is not a certificate at all."""
    when: Optional[str]
    if isinstance(at, _dt.datetime):
        when = (at if at.tzinfo else at.replace(tzinfo=_dt.timezone.utc)).isoformat()
    else:
        when = at
    return SidecarReport.from_json(_native.verify_certificate(certificate, hostname, when))


class SealKeyPair:
    """A ``pqseal-v1`` recipient key pair (ML-KEM-768 + X25519). ``seed`` (96 bytes) is
    the secret: store it encrypted. ``repr()`` shows only the public key's start."""

    __slots__ = ("public_key", "_seed")

    public_key: str
    _seed: bytes

    def __init__(self, seed: bytes) -> None:
        """A key pair from its 96-byte secret seed."""
        self.public_key = _native.seal_public_key(seed)
        self._seed = bytes(seed)

    @classmethod
    def generate(cls) -> SealKeyPair:
        """A fresh key pair from the OS RNG."""
        _, seed = _native.seal_generate()
        return cls(seed)

    @property
    def seed(self) -> bytes:
        """The 96-byte secret seed."""
        return self._seed

    def open(self, envelope: str, *, aad: Payload = b"") -> bytes:
        """Open a base64 envelope sealed to this key with the same associated data."""
        return _native.seal_open(self._seed, envelope, aad)

    def __repr__(self) -> str:
        return f"SealKeyPair(public_key={self.public_key[:16]!r}…)"


def seal(public_key: str, plaintext: Payload, *, aad: Payload = b"") -> str:
    """Seal ``plaintext`` to a recipient's base64 public key; returns the base64 envelope.
    ``aad`` is bound but not stored: the opener passes the same bytes."""
    return _native.seal(public_key, plaintext, aad)


def open_sealed(seed: bytes, envelope: str, *, aad: Payload = b"") -> bytes:
    """Open a base64 envelope with the recipient's 96-byte secret seed. Every failure is
    one :class:`PostQError` with code ``seal_open_failed`` (no oracle)."""
    return _native.seal_open(seed, envelope, aad)


def verify_audit_chain(
    rows: Iterable[Union[AuditEntry, Mapping[str, Any]]], *, complete: bool = False
) -> ChainReport:
    """Verify audit ledger rows (ascending ``seq``) offline: every row's hash and every
    link between consecutive rows. ``complete=True`` (a full export) also requires
    ``seq`` 1, 2, 3 … without gaps, so a deleted row is detected."""
    data = [r.to_dict() if isinstance(r, AuditEntry) else dict(r) for r in rows]
    return ChainReport.from_json(_native.verify_ledger(json.dumps(data), complete))


def ledger_key_model(key: LedgerKeyLike) -> LedgerKey:
    """The model of a ledger key given as the model or its JSON text (the core checks
    the keys themselves)."""
    if isinstance(key, LedgerKey):
        return key
    try:
        return LedgerKey.from_json(key)
    except (ValueError, TypeError) as e:
        raise PostQValidationError(f"invalid ledger key: {e}", code="invalid_input") from None


def _ledger_key_text(key: LedgerKeyLike) -> str:
    return key.to_json() if isinstance(key, LedgerKey) else key


def _note(checkpoint: CheckpointLike) -> str:
    return checkpoint.checkpoint if isinstance(checkpoint, SignedCheckpoint) else checkpoint


def _model_json(value: Union[Model, Mapping[str, Any]]) -> str:
    return value.to_json() if isinstance(value, Model) else json.dumps(dict(value))


def verify_checkpoint(ledger_key: LedgerKeyLike, checkpoint: CheckpointLike) -> SignedCheckpoint:
    """Verify a signed checkpoint offline against the ledger key: its origin is the
    key's log and both the Ed25519 and the ML-DSA-65 signature verify. Returns the
    verified checkpoint; raises :class:`PostQError` with code ``ledger_bad_signature``
    (or :class:`PostQValidationError` for a malformed note or key)."""
    text = _native.verify_checkpoint(_ledger_key_text(ledger_key), _note(checkpoint))
    return SignedCheckpoint.from_json(text)


def verify_inclusion(
    row: Union[AuditEntry, Mapping[str, Any]],
    proof: Union[InclusionProof, Mapping[str, Any]],
    *,
    state: Optional[str] = None,
    ledger_key: Optional[LedgerKeyLike] = None,
    checkpoint: Optional[CheckpointLike] = None,
) -> SignedCheckpoint:
    """Verify offline that ``row`` is the row at its ``seq`` in a verified checkpoint,
    by its inclusion proof (``pq.audit.inclusion_proof``). The checkpoint is a witness
    ``state`` (``pq.audit.witness(...).state``) or a signed ``checkpoint`` with the
    ``ledger_key`` that signed it. Returns that checkpoint; raises
    :class:`PostQError` with code ``ledger_inclusion_failed`` when the proof fails."""
    text = _native.verify_inclusion(
        _model_json(row),
        _model_json(proof),
        state,
        None if ledger_key is None else _ledger_key_text(ledger_key),
        None if checkpoint is None else _note(checkpoint),
    )
    return SignedCheckpoint.from_json(text)


def verify_consistency(
    ledger_key: LedgerKeyLike,
    older: CheckpointLike,
    newer: CheckpointLike,
    proof: Union[ConsistencyProof, Mapping[str, Any], None] = None,
) -> SignedCheckpoint:
    """Verify offline that the signed checkpoint ``newer`` extends ``older`` (both
    verified against the ledger key first) by the consistency proof between their sizes
    (``pq.audit.consistency_proof``; not needed for equal sizes). Returns ``newer``;
    raises :class:`PostQError` with code ``ledger_shrink``, ``ledger_fork`` or
    ``ledger_consistency_failed``."""
    text = _native.verify_consistency(
        _ledger_key_text(ledger_key),
        _note(older),
        _note(newer),
        None if proof is None else _model_json(proof),
    )
    return SignedCheckpoint.from_json(text)
