"""Offline helpers: no network, no API key. Crypto runs in Rust with the GIL released."""

from __future__ import annotations

import datetime as _dt
import json
from typing import Iterable, Mapping, Optional, Union, Any

from . import _native
from ._models import AuditEntry, ChainReport, SidecarReport
from ._types import Payload, Timestamp

__all__ = [
    "SealKeyPair",
    "open_sealed",
    "seal",
    "verify_audit_chain",
    "verify_certificate",
]


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
