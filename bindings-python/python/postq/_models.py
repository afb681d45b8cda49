"""Typed models of postq responses. Each is a frozen dataclass with snake_case attributes
built from the core's JSON (camelCase). ``repr()`` never shows secrets: unsealed
credential values and a rollover's private key are hidden."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import (
    Any,
    ClassVar,
    Dict,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
)

__all__ = [
    "Artifact",
    "AuditEntry",
    "Binding",
    "ChainReport",
    "Credential",
    "Deleted",
    "Finding",
    "Health",
    "HistoryEntry",
    "HybridKey",
    "KeyVersion",
    "Page",
    "PlanStage",
    "PublicKey",
    "Rollover",
    "RolloverCreated",
    "Scan",
    "ScanSummary",
    "SidecarChecks",
    "SidecarReport",
    "SignResult",
    "UnsealedCredential",
    "VerifyResponse",
    "VerifyResult",
]

M = TypeVar("M", bound="Model")
T = TypeVar("T")


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


_FIELDS: Dict[type, List[Tuple[str, str, Optional[type]]]] = {}


class Model:
    """Base of every model: built from the API's camelCase JSON."""

    _nested: ClassVar[Mapping[str, type]] = {}

    @classmethod
    def _fields(cls) -> List[Tuple[str, str, Optional[type]]]:
        cached = _FIELDS.get(cls)
        if cached is None:
            cached = [
                (f.name, _camel(f.name), cls._nested.get(f.name))
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
            ]
            _FIELDS[cls] = cached
        return cached

    @classmethod
    def from_dict(cls: Type[M], data: Mapping[str, Any]) -> M:
        """Build from the API's JSON object (camelCase keys)."""
        kwargs: Dict[str, Any] = {}
        for name, key, nested in cls._fields():
            value = data.get(key)
            if nested is not None and value is not None:
                if isinstance(value, list):
                    value = [nested.from_dict(v) for v in value]  # type: ignore[attr-defined]
                else:
                    value = nested.from_dict(value)  # type: ignore[attr-defined]
            kwargs[name] = value
        return cls(**kwargs)

    @classmethod
    def from_json(cls: Type[M], text: str) -> M:
        """Build from the API's JSON text."""
        return cls.from_dict(json.loads(text))

    def to_dict(self) -> Dict[str, Any]:
        """The API's JSON object (camelCase keys) — the inverse of :meth:`from_dict`."""
        out: Dict[str, Any] = {}
        for name, key, _ in self._fields():
            value = getattr(self, name)
            if isinstance(value, Model):
                value = value.to_dict()
            elif isinstance(value, list):
                items: List[Any] = value  # pyright: ignore[reportUnknownVariableType]
                value = [v.to_dict() if isinstance(v, Model) else v for v in items]
            out[key] = value
        return out


@dataclass(frozen=True)
class Health(Model):
    """``GET /health``."""

    status: str


@dataclass(frozen=True)
class Finding(Model):
    """A stored finding; TLS rollovers start from its ``id`` (``fnd_…``)."""

    id: str
    severity: str
    title: str
    description: Optional[str] = None
    evidence: Optional[str] = None


@dataclass(frozen=True)
class Scan(Model):
    """A stored scan with its findings."""

    _nested: ClassVar[Mapping[str, type]] = {"findings": Finding}

    id: str
    url: str
    type: str
    target: str
    risk_score: float
    risk_level: str
    source: Optional[str]
    metadata: Any
    findings: List[Finding]
    created_at: str


@dataclass(frozen=True)
class ScanSummary(Model):
    """A scan in a list (no findings)."""

    id: str
    url: Optional[str]
    type: str
    target: str
    risk_score: float
    risk_level: str
    source: Optional[str]
    created_at: str


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
    raw = json.loads(text)
    return Page([model.from_dict(item) for item in raw["data"]], raw.get("nextCursor"))


@dataclass(frozen=True)
class KeyVersion(Model):
    """One version of a hybrid key."""

    version: int
    public_key: str
    fingerprint: str
    created_at: str


@dataclass(frozen=True)
class HybridKey(Model):
    """A managed hybrid ML-DSA-65 + Ed25519 key. ``public_key`` (JSON) is what you publish;
    the private half never leaves the server."""

    _nested: ClassVar[Mapping[str, type]] = {"versions": KeyVersion}

    id: str
    name: str
    algorithm: str
    backend: str
    pq_ready: bool
    version: int
    min_version: int
    public_key: str
    fingerprint: str
    created_at: str
    rotated_at: Optional[str] = None
    versions: Optional[List[KeyVersion]] = None


@dataclass(frozen=True)
class PublicKey(Model):
    """A key version's public key, checked by the core: its JSON and JWK Set forms."""

    key_id: str
    version: int
    fingerprint: str
    json: str
    jwk: str


@dataclass(frozen=True)
class SignResult(Model):
    """A composite signature made by the server (``signature`` is the base64 envelope)."""

    signature: str
    key_id: str
    key_version: int
    algorithm: str
    payload_sha256: str


@dataclass(frozen=True)
class VerifyResponse(Model):
    """The server's verdict: ``ok`` is ``classical_ok and pq_ok``."""

    ok: bool
    classical_ok: bool
    pq_ok: bool
    key_id: str
    key_version: int
    reason: Optional[str] = None


@dataclass(frozen=True)
class VerifyResult(Model):
    """An offline verdict (AND combiner: both halves always checked)."""

    ok: bool
    classical_ok: bool
    pq_ok: bool

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Credential(Model):
    """Vault credential metadata (never values)."""

    id: str
    name: str
    credential_type: str
    keys: List[str]
    created_at: str
    rotated_at: Optional[str]
    expires_at: Optional[str]
    version: int
    seal_public_key_fingerprint: Optional[str]


@dataclass(frozen=True)
class UnsealedCredential(Credential):
    """A credential with its plaintext ``values`` (hidden from ``repr``)."""

    values: Dict[str, str] = field(default_factory=lambda: {}, repr=False)


@dataclass(frozen=True)
class Deleted(Model):
    """A deletion receipt."""

    id: str
    deleted: bool


@dataclass(frozen=True)
class PlanStage(Model):
    """One stage of a rollover plan."""

    status: str
    description: str
    duration_hours: Optional[int] = None


@dataclass(frozen=True)
class HistoryEntry(Model):
    """One transition of a rollover (``from_`` is ``None`` at creation)."""

    from_: Optional[str]
    to: str
    at: str


@dataclass(frozen=True)
class Rollover(Model):
    """A hybrid TLS rollover (no key bytes)."""

    _nested: ClassVar[Mapping[str, type]] = {"plan": PlanStage, "history": HistoryEntry}

    id: str
    status: str
    hostname: str
    finding_id: str
    scan_id: str
    serial: str
    not_before: str
    not_after: str
    certificate_pem: str = field(repr=False)
    binding: str = field(repr=False)
    pq_public_key_fingerprint: str
    observation_window_hours: int
    plan: List[PlanStage] = field(repr=False)
    artifacts: List[str]
    history: List[HistoryEntry]
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class RolloverCreated(Rollover):
    """The one-shot create response: the rollover, its ECDSA private key (PKCS#8 PEM,
    delivered once, hidden from ``repr``) and every artifact's text by name."""

    private_key_pem: str = field(default="", repr=False)
    files: Dict[str, str] = field(default_factory=lambda: {}, repr=False)


@dataclass(frozen=True)
class Artifact(Model):
    """A downloaded rollover artifact."""

    file_name: str
    content_type: str
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class AuditEntry(Model):
    """One row of the hash-chained audit ledger (docs/formats.md §6)."""

    seq: int
    id: str
    org_id: str
    event_type: str
    actor: str
    resource_id: Optional[str]
    occurred_at: str
    details: Dict[str, str]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ChainReport(Model):
    """The result of verifying ledger rows: ``reason`` is ``hash_mismatch``,
    ``broken_link``, ``out_of_order`` or ``missing_row`` when ``ok`` is false."""

    ok: bool
    rows: int
    links_checked: int
    failed_seq: Optional[int]
    reason: Optional[str]

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class SidecarChecks(Model):
    """Each sidecar check's outcome, in documented order."""

    extension_present: bool
    binding_matches: bool
    classical_key_matches: bool
    pq_key_matches: bool
    pq_signature_ok: bool
    classical_signature_ok: bool
    validity_ok: bool
    hostname_ok: bool


@dataclass(frozen=True)
class Binding(Model):
    """The canonical binding embedded in a hybrid certificate (docs/formats.md §3)."""

    v: int
    alg: str
    hostname: str
    alt_names: List[str]
    serial: str
    not_before: str
    not_after: str
    classical_pub: str = field(repr=False)
    pq_pub: str = field(repr=False)


@dataclass(frozen=True)
class SidecarReport(Model):
    """Offline verification of a hybrid certificate's sidecar: ``failure`` names the
    first failed check (``binding_matches``, ``validity_ok`` …)."""

    _nested: ClassVar[Mapping[str, type]] = {"checks": SidecarChecks, "binding": Binding}

    ok: bool
    failure: Optional[str]
    checks: SidecarChecks
    binding: Optional[Binding]

    def __bool__(self) -> bool:
        return self.ok
