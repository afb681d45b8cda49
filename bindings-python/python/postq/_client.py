"""``PostQ`` (blocking) and ``AsyncPostQ`` (asyncio): the whole postq API.

Each call is one call of the Rust core (``postq::Client``) made by the native module
with the GIL released; this file only shapes arguments and results for Python.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from pathlib import Path
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Dict,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _native
from ._models import (
    Artifact,
    AuditEntry,
    ChainReport,
    Credential,
    Deleted,
    Health,
    HybridKey,
    Model,
    Page,
    PublicKey,
    Rollover,
    RolloverCreated,
    Scan,
    ScanSummary,
    SignResult,
    UnsealedCredential,
    VerifyResponse,
    VerifyResult,
    page_from_json,
)
from ._types import FindingInput, Payload, RiskLevel, RolloverStatus, Timestamp

__all__ = [
    "PostQ",
    "AsyncPostQ",
    "Scans",
    "HybridKeys",
    "Vault",
    "Rollovers",
    "Audit",
    "AsyncScans",
    "AsyncHybridKeys",
    "AsyncVault",
    "AsyncRollovers",
    "AsyncAudit",
    "verify_offline",
]

VERSION: str = _native.__version__
USER_AGENT = f"postq-python/{VERSION}"

R = TypeVar("R")
M = TypeVar("M", bound=Model)


class _Request(Generic[R]):
    """One native call: operation, JSON arguments, payload and how to read the result."""

    __slots__ = ("op", "args", "payload", "parse")

    def __init__(
        self,
        op: str,
        args: Mapping[str, Any],
        parse: Callable[[Any], R],
        payload: Optional[Payload] = None,
    ) -> None:
        self.op = op
        self.args = json.dumps({k: v for k, v in args.items() if v is not None})
        self.payload = payload
        self.parse = parse


def _model(cls: Type[M]) -> Callable[[Any], M]:
    return cls.from_json


def _page(cls: Type[M]) -> Callable[[Any], Page[M]]:
    return lambda text: page_from_json(cls, text)


def _time(value: Optional[Timestamp]) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.isoformat()


def _artifact(raw: Tuple[str, str, bytes]) -> Artifact:
    return Artifact(file_name=raw[0], content_type=raw[1], body=raw[2])


def _paths(text: str) -> List[Path]:
    return [Path(p) for p in json.loads(text)]


class _Base:
    """Configuration shared by both clients."""

    _core: _native.NativeClient
    _options: Dict[str, Any]

    def _setup(
        self,
        api_key: Optional[str],
        base_url: Optional[str],
        timeout: Optional[float],
        connect_timeout: Optional[float],
        max_retries: Optional[int],
        default_headers: Optional[Mapping[str, str]],
    ) -> None:
        self._core = _native.NativeClient(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            user_agent=USER_AGENT,
        )
        self._options = {"headers": list((default_headers or {}).items()) or None}

    def _derive(
        self,
        timeout: Optional[float],
        max_retries: Optional[int],
        headers: Optional[Mapping[str, str]],
        idempotency_key: Optional[str],
    ) -> Dict[str, Any]:
        options = dict(self._options)
        if timeout is not None:
            options["timeout"] = timeout
        if max_retries is not None:
            options["max_retries"] = max_retries
        if headers:
            options["headers"] = list(options.get("headers") or []) + list(headers.items())
        if idempotency_key is not None:
            options["idempotency_key"] = idempotency_key
        return options

    @property
    def base_url(self) -> str:
        """Where requests go (``POSTQ_BASE_URL`` or ``https://api.postq.dev`` by default)."""
        return self._core.base_url

    def __repr__(self) -> str:
        # Never the API key.
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _stream(self, op: str, args: Mapping[str, Any]) -> _native.NativeStream:
        options = {k: v for k, v in self._options.items() if k != "idempotency_key"}
        return self._core.stream(
            op, json.dumps({k: v for k, v in args.items() if v is not None}), **options
        )


# ----------------------------------------------------------------------------------
# Requests, shared by the blocking and the asyncio resources.


def _submit(
    type: str,
    target: str,
    risk_score: float,
    risk_level: RiskLevel,
    findings: Sequence[FindingInput],
    source: Optional[str],
    metadata: Optional[Mapping[str, Any]],
) -> _Request[Scan]:
    return _Request(
        "scans.submit",
        {
            "type": type,
            "target": target,
            "riskScore": risk_score,
            "riskLevel": risk_level,
            "findings": [dict(f) for f in findings],
            "source": source,
            "metadata": dict(metadata) if metadata is not None else None,
        },
        _model(Scan),
    )


def _sign(key_id: str, payload: Payload) -> _Request[SignResult]:
    return _Request("sign", {"keyId": key_id}, _model(SignResult), payload)


def _verify(
    payload: Payload, signature: str, key_id: Optional[str], public_key: Optional[str]
) -> _Request[VerifyResponse]:
    return _Request(
        "verify",
        {"keyId": key_id, "publicKey": public_key, "signature": signature},
        _model(VerifyResponse),
        payload,
    )


def _audit_args(
    event_type: Optional[str],
    since: Optional[Timestamp],
    until: Optional[Timestamp],
    limit: Optional[int],
    cursor: Optional[str] = None,
) -> Dict[str, Any]:
    return {
        "eventType": event_type,
        "since": _time(since),
        "until": _time(until),
        "limit": limit,
        "cursor": cursor,
    }


def _seal(
    name: str, credential_type: str, values: Mapping[str, str], ttl_days: Optional[int]
) -> _Request[Credential]:
    return _Request(
        "vault.seal",
        {
            "name": name,
            "credentialType": credential_type,
            "values": dict(values),
            "ttlDays": ttl_days,
        },
        _model(Credential),
    )


# ----------------------------------------------------------------------------------
# Blocking client.


class _Sync:
    def __init__(self, client: PostQ) -> None:
        self._client = client

    def _run(self, request: _Request[R]) -> R:
        return self._client._run(request)


class Scans(_Sync):
    """``pq.scans``: submit and read scans."""

    def submit(
        self,
        *,
        type: str,
        target: str,
        risk_score: float,
        risk_level: RiskLevel,
        findings: Sequence[FindingInput] = (),
        source: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Scan:
        """Submit a scan (retries reuse one idempotency key: never a duplicate scan)."""
        return self._run(
            _submit(type, target, risk_score, risk_level, findings, source, metadata)
        )

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[ScanSummary]:
        """One page, newest first."""
        return self._run(
            _Request("scans.list", {"limit": limit, "cursor": cursor}, _page(ScanSummary))
        )

    def list_all(self, *, limit: Optional[int] = None) -> Iterator[ScanSummary]:
        """Every scan, newest first, fetching pages as you iterate."""
        return _iterate(self._client._stream("scans.list_all", {"limit": limit}), ScanSummary)

    def get(self, id: str) -> Scan:
        """One scan with its findings."""
        return self._run(_Request("scans.get", {"id": id}, _model(Scan)))


class HybridKeys(_Sync):
    """``pq.hybrid_keys``: managed hybrid ML-DSA-65 + Ed25519 signing keys."""

    def create(self, *, name: str, algorithm: Optional[str] = None) -> HybridKey:
        """Mint a key (default algorithm ``mldsa65+ed25519``)."""
        return self._run(
            _Request("keys.create", {"name": name, "algorithm": algorithm}, _model(HybridKey))
        )

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[HybridKey]:
        """One page of keys, newest first."""
        return self._run(
            _Request("keys.list", {"limit": limit, "cursor": cursor}, _page(HybridKey))
        )

    def list_all(self, *, limit: Optional[int] = None) -> Iterator[HybridKey]:
        """Every key, fetching pages as you iterate."""
        return _iterate(self._client._stream("keys.list_all", {"limit": limit}), HybridKey)

    def get(self, id: str) -> HybridKey:
        """One key with every version."""
        return self._run(_Request("keys.get", {"id": id}, _model(HybridKey)))

    def public_key(self, id: str, *, version: Optional[int] = None) -> PublicKey:
        """A version's public key (latest by default), parsed and checked."""
        return self._run(
            _Request("keys.public_key", {"id": id, "version": version}, _model(PublicKey))
        )

    def rotate(self, id: str, *, min_version: Optional[int] = None) -> HybridKey:
        """Add a version that signs from now on; ``min_version`` retires older ones."""
        return self._run(
            _Request("keys.rotate", {"id": id, "minVersion": min_version}, _model(HybridKey))
        )


class Vault(_Sync):
    """``pq.vault``: credentials sealed with ML-KEM-768 + X25519."""

    def seal(
        self,
        *,
        name: str,
        credential_type: str,
        values: Mapping[str, str],
        ttl_days: Optional[int] = None,
    ) -> Credential:
        """Seal a credential; returns metadata only."""
        return self._run(_seal(name, credential_type, values, ttl_days))

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Credential]:
        """One page of credential metadata."""
        return self._run(
            _Request("vault.list", {"limit": limit, "cursor": cursor}, _page(Credential))
        )

    def list_all(self, *, limit: Optional[int] = None) -> Iterator[Credential]:
        """Every credential's metadata."""
        return _iterate(self._client._stream("vault.list_all", {"limit": limit}), Credential)

    def unseal(self, id: str) -> UnsealedCredential:
        """Decrypt a credential (scope ``vault:read``)."""
        return self._run(_Request("vault.unseal", {"id": id}, _model(UnsealedCredential)))

    def rotate(self, id: str) -> Credential:
        """Re-encrypt under a fresh key."""
        return self._run(_Request("vault.rotate", {"id": id}, _model(Credential)))

    def delete(self, id: str) -> Deleted:
        """Delete permanently."""
        return self._run(_Request("vault.delete", {"id": id}, _model(Deleted)))


class Rollovers(_Sync):
    """``pq.rollovers``: hybrid TLS certificate rollovers."""

    def create(
        self, *, finding_id: str, hostname: str, observation_window_hours: Optional[int] = None
    ) -> RolloverCreated:
        """Mint the hybrid certificate and plan (one-shot: includes the private key)."""
        return self._run(
            _Request(
                "rollovers.create",
                {
                    "findingId": finding_id,
                    "hostname": hostname,
                    "observationWindowHours": observation_window_hours,
                },
                _model(RolloverCreated),
            )
        )

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Rollover]:
        """One page of rollovers."""
        return self._run(
            _Request("rollovers.list", {"limit": limit, "cursor": cursor}, _page(Rollover))
        )

    def list_all(self, *, limit: Optional[int] = None) -> Iterator[Rollover]:
        """Every rollover."""
        return _iterate(self._client._stream("rollovers.list_all", {"limit": limit}), Rollover)

    def get(self, id: str) -> Rollover:
        """One rollover (no key bytes)."""
        return self._run(_Request("rollovers.get", {"id": id}, _model(Rollover)))

    def transition(self, id: str, *, to: RolloverStatus) -> Rollover:
        """Advance one stage (``planned → observation → cutover → completed``)."""
        return self._run(
            _Request("rollovers.transition", {"id": id, "to": to}, _model(Rollover))
        )

    def rollback(self, id: str) -> Rollover:
        """Mark rolled back."""
        return self._run(_Request("rollovers.rollback", {"id": id}, _model(Rollover)))

    def download(self, id: str, artifact: str) -> Artifact:
        """Download one artifact (``cert.pem``, ``bundle.sh`` …)."""
        return self._run(
            _Request("rollovers.download", {"id": id, "artifact": artifact}, _artifact)
        )

    def download_all(self, id: str, directory: Union[str, os.PathLike[str]]) -> List[Path]:
        """Download every artifact into ``directory`` (created if needed); scripts are
        made executable. Returns the paths written."""
        return self._run(
            _Request("rollovers.download_all", {"id": id, "dir": os.fspath(directory)}, _paths)
        )


class Audit(_Sync):
    """``pq.audit``: the hash-chained audit ledger."""

    def list(
        self,
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[AuditEntry]:
        """One page of rows, oldest first."""
        return self._run(
            _Request(
                "audit.list",
                _audit_args(event_type, since, until, limit, cursor),
                _page(AuditEntry),
            )
        )

    def list_all(
        self,
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
    ) -> Iterator[AuditEntry]:
        """Every row matching the filters."""
        return _iterate(
            self._client._stream("audit.list_all", _audit_args(event_type, since, until, limit)),
            AuditEntry,
        )

    def verify_chain(
        self,
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
    ) -> ChainReport:
        """Fetch rows and verify the hash chain offline; with no filters the export is
        complete, so a deleted row is detected too."""
        return self._run(
            _Request(
                "audit.verify_chain",
                _audit_args(event_type, since, until, limit),
                _model(ChainReport),
            )
        )


def _iterate(stream: _native.NativeStream, model: Type[M]) -> Iterator[M]:
    while True:
        item = stream.next()
        if item is None:
            return
        yield model.from_json(item)


class PostQ(_Base):
    """The blocking postq client. Safe to share between threads; each call releases the
    GIL while Rust does the network and crypto work.

    ``api_key`` defaults to ``POSTQ_API_KEY``, ``base_url`` to ``POSTQ_BASE_URL`` (else
    ``https://api.postq.dev``). ``timeout`` bounds a whole call including retries;
    ``max_retries`` (default 2) applies to connection errors, timeouts, 408, 429 and 5xx.
    ``default_headers`` are sent with every request.
    """

    scans: Scans
    hybrid_keys: HybridKeys
    vault: Vault
    rollovers: Rollovers
    audit: Audit

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self._setup(api_key, base_url, timeout, connect_timeout, max_retries, default_headers)
        self._resources()

    def _resources(self) -> None:
        self.scans = Scans(self)
        self.hybrid_keys = HybridKeys(self)
        self.vault = Vault(self)
        self.rollovers = Rollovers(self)
        self.audit = Audit(self)

    def with_options(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> PostQ:
        """The same client (same connection pool) with per-call overrides: whole-call
        timeout, retries, extra headers, a fixed ``Idempotency-Key``."""
        clone = object.__new__(PostQ)
        clone._core = self._core
        clone._options = self._derive(timeout, max_retries, headers, idempotency_key)
        clone._resources()
        return clone

    def _run(self, request: _Request[R]) -> R:
        raw = self._core.call(request.op, request.args, request.payload, **self._options)
        return request.parse(raw)

    def health(self) -> Health:
        """``GET /health``."""
        return self._run(_Request("health", {}, _model(Health)))

    def sign(self, *, key_id: str, payload: Payload) -> SignResult:
        """Sign ``payload`` (bytes, or str as UTF-8) with a managed key (scope ``sign:write``)."""
        return self._run(_sign(key_id, payload))

    def verify(
        self,
        *,
        payload: Payload,
        signature: str,
        key_id: Optional[str] = None,
        public_key: Optional[str] = None,
    ) -> VerifyResponse:
        """Verify on the server against a managed key (``key_id``) or a published public
        key (``public_key``, JSON or JWK Set). A malformed signature raises
        :class:`PostQValidationError` before any request."""
        return self._run(_verify(payload, signature, key_id, public_key))

    @staticmethod
    def verify_offline(public_key: str, payload: Payload, signature: str) -> VerifyResult:
        """Verify with no network against a published public key (JSON or JWK Set)."""
        return verify_offline(public_key, payload, signature)

    def close(self) -> None:
        """Nothing to release explicitly (connections close when the client is dropped);
        present so the client works as a context manager."""

    def __enter__(self) -> PostQ:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ----------------------------------------------------------------------------------
# asyncio client.


class _Async:
    def __init__(self, client: AsyncPostQ) -> None:
        self._client = client

    async def _run(self, request: _Request[R]) -> R:
        return await self._client._run(request)


class AsyncScans(_Async):
    """``pq.scans`` of :class:`AsyncPostQ`."""

    async def submit(
        self,
        *,
        type: str,
        target: str,
        risk_score: float,
        risk_level: RiskLevel,
        findings: Sequence[FindingInput] = (),
        source: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> Scan:
        """Submit a scan (retries reuse one idempotency key: never a duplicate scan)."""
        return await self._run(
            _submit(type, target, risk_score, risk_level, findings, source, metadata)
        )

    async def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> Page[ScanSummary]:
        """One page, newest first."""
        return await self._run(
            _Request("scans.list", {"limit": limit, "cursor": cursor}, _page(ScanSummary))
        )

    def list_all(self, *, limit: Optional[int] = None) -> AsyncIterator[ScanSummary]:
        """Every scan, newest first: ``async for scan in pq.scans.list_all(): …``."""
        return _aiterate(self._client._stream("scans.list_all", {"limit": limit}), ScanSummary)

    async def get(self, id: str) -> Scan:
        """One scan with its findings."""
        return await self._run(_Request("scans.get", {"id": id}, _model(Scan)))


class AsyncHybridKeys(_Async):
    """``pq.hybrid_keys`` of :class:`AsyncPostQ`."""

    async def create(self, *, name: str, algorithm: Optional[str] = None) -> HybridKey:
        """Mint a key (default algorithm ``mldsa65+ed25519``)."""
        return await self._run(
            _Request("keys.create", {"name": name, "algorithm": algorithm}, _model(HybridKey))
        )

    async def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> Page[HybridKey]:
        """One page of keys, newest first."""
        return await self._run(
            _Request("keys.list", {"limit": limit, "cursor": cursor}, _page(HybridKey))
        )

    def list_all(self, *, limit: Optional[int] = None) -> AsyncIterator[HybridKey]:
        """Every key."""
        return _aiterate(self._client._stream("keys.list_all", {"limit": limit}), HybridKey)

    async def get(self, id: str) -> HybridKey:
        """One key with every version."""
        return await self._run(_Request("keys.get", {"id": id}, _model(HybridKey)))

    async def public_key(self, id: str, *, version: Optional[int] = None) -> PublicKey:
        """A version's public key (latest by default), parsed and checked."""
        return await self._run(
            _Request("keys.public_key", {"id": id, "version": version}, _model(PublicKey))
        )

    async def rotate(self, id: str, *, min_version: Optional[int] = None) -> HybridKey:
        """Add a version that signs from now on; ``min_version`` retires older ones."""
        return await self._run(
            _Request("keys.rotate", {"id": id, "minVersion": min_version}, _model(HybridKey))
        )


class AsyncVault(_Async):
    """``pq.vault`` of :class:`AsyncPostQ`."""

    async def seal(
        self,
        *,
        name: str,
        credential_type: str,
        values: Mapping[str, str],
        ttl_days: Optional[int] = None,
    ) -> Credential:
        """Seal a credential; returns metadata only."""
        return await self._run(_seal(name, credential_type, values, ttl_days))

    async def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> Page[Credential]:
        """One page of credential metadata."""
        return await self._run(
            _Request("vault.list", {"limit": limit, "cursor": cursor}, _page(Credential))
        )

    def list_all(self, *, limit: Optional[int] = None) -> AsyncIterator[Credential]:
        """Every credential's metadata."""
        return _aiterate(self._client._stream("vault.list_all", {"limit": limit}), Credential)

    async def unseal(self, id: str) -> UnsealedCredential:
        """Decrypt a credential (scope ``vault:read``)."""
        return await self._run(
            _Request("vault.unseal", {"id": id}, _model(UnsealedCredential))
        )

    async def rotate(self, id: str) -> Credential:
        """Re-encrypt under a fresh key."""
        return await self._run(_Request("vault.rotate", {"id": id}, _model(Credential)))

    async def delete(self, id: str) -> Deleted:
        """Delete permanently."""
        return await self._run(_Request("vault.delete", {"id": id}, _model(Deleted)))


class AsyncRollovers(_Async):
    """``pq.rollovers`` of :class:`AsyncPostQ`."""

    async def create(
        self, *, finding_id: str, hostname: str, observation_window_hours: Optional[int] = None
    ) -> RolloverCreated:
        """Mint the hybrid certificate and plan (one-shot: includes the private key)."""
        return await self._run(
            _Request(
                "rollovers.create",
                {
                    "findingId": finding_id,
                    "hostname": hostname,
                    "observationWindowHours": observation_window_hours,
                },
                _model(RolloverCreated),
            )
        )

    async def list(
        self, *, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> Page[Rollover]:
        """One page of rollovers."""
        return await self._run(
            _Request("rollovers.list", {"limit": limit, "cursor": cursor}, _page(Rollover))
        )

    def list_all(self, *, limit: Optional[int] = None) -> AsyncIterator[Rollover]:
        """Every rollover."""
        return _aiterate(self._client._stream("rollovers.list_all", {"limit": limit}), Rollover)

    async def get(self, id: str) -> Rollover:
        """One rollover (no key bytes)."""
        return await self._run(_Request("rollovers.get", {"id": id}, _model(Rollover)))

    async def transition(self, id: str, *, to: RolloverStatus) -> Rollover:
        """Advance one stage."""
        return await self._run(
            _Request("rollovers.transition", {"id": id, "to": to}, _model(Rollover))
        )

    async def rollback(self, id: str) -> Rollover:
        """Mark rolled back."""
        return await self._run(_Request("rollovers.rollback", {"id": id}, _model(Rollover)))

    async def download(self, id: str, artifact: str) -> Artifact:
        """Download one artifact."""
        return await self._run(
            _Request("rollovers.download", {"id": id, "artifact": artifact}, _artifact)
        )

    async def download_all(
        self, id: str, directory: Union[str, os.PathLike[str]]
    ) -> List[Path]:
        """Download every artifact into ``directory``; returns the paths written."""
        return await self._run(
            _Request("rollovers.download_all", {"id": id, "dir": os.fspath(directory)}, _paths)
        )


class AsyncAudit(_Async):
    """``pq.audit`` of :class:`AsyncPostQ`."""

    async def list(
        self,
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[AuditEntry]:
        """One page of rows, oldest first."""
        return await self._run(
            _Request(
                "audit.list",
                _audit_args(event_type, since, until, limit, cursor),
                _page(AuditEntry),
            )
        )

    def list_all(
        self,
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
    ) -> AsyncIterator[AuditEntry]:
        """Every row matching the filters."""
        return _aiterate(
            self._client._stream("audit.list_all", _audit_args(event_type, since, until, limit)),
            AuditEntry,
        )

    async def verify_chain(
        self,
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
    ) -> ChainReport:
        """Fetch rows and verify the hash chain offline."""
        return await self._run(
            _Request(
                "audit.verify_chain",
                _audit_args(event_type, since, until, limit),
                _model(ChainReport),
            )
        )


async def _aiterate(stream: _native.NativeStream, model: Type[M]) -> AsyncIterator[M]:
    while True:
        item = await stream.next_async()
        if item is None:
            return
        yield model.from_json(item)


class AsyncPostQ(_Base):
    """The asyncio postq client: the same surface as :class:`PostQ`, every call a
    coroutine. Rust does the work on a shared runtime; the event loop never blocks."""

    scans: AsyncScans
    hybrid_keys: AsyncHybridKeys
    vault: AsyncVault
    rollovers: AsyncRollovers
    audit: AsyncAudit

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        timeout: Optional[float] = None,
        connect_timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        default_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        self._setup(api_key, base_url, timeout, connect_timeout, max_retries, default_headers)
        self._resources()

    def _resources(self) -> None:
        self.scans = AsyncScans(self)
        self.hybrid_keys = AsyncHybridKeys(self)
        self.vault = AsyncVault(self)
        self.rollovers = AsyncRollovers(self)
        self.audit = AsyncAudit(self)

    def with_options(
        self,
        *,
        timeout: Optional[float] = None,
        max_retries: Optional[int] = None,
        headers: Optional[Mapping[str, str]] = None,
        idempotency_key: Optional[str] = None,
    ) -> AsyncPostQ:
        """The same client with per-call overrides (see :meth:`PostQ.with_options`)."""
        clone = object.__new__(AsyncPostQ)
        clone._core = self._core
        clone._options = self._derive(timeout, max_retries, headers, idempotency_key)
        clone._resources()
        return clone

    async def _run(self, request: _Request[R]) -> R:
        raw = await self._core.call(
            request.op, request.args, request.payload, is_async=True, **self._options
        )
        return request.parse(raw)

    async def health(self) -> Health:
        """``GET /health``."""
        return await self._run(_Request("health", {}, _model(Health)))

    async def sign(self, *, key_id: str, payload: Payload) -> SignResult:
        """Sign ``payload`` with a managed key (scope ``sign:write``)."""
        return await self._run(_sign(key_id, payload))

    async def verify(
        self,
        *,
        payload: Payload,
        signature: str,
        key_id: Optional[str] = None,
        public_key: Optional[str] = None,
    ) -> VerifyResponse:
        """Verify on the server against ``key_id`` or a published ``public_key``."""
        return await self._run(_verify(payload, signature, key_id, public_key))

    @staticmethod
    def verify_offline(public_key: str, payload: Payload, signature: str) -> VerifyResult:
        """Verify with no network (synchronous: pure CPU, GIL released)."""
        return verify_offline(public_key, payload, signature)

    async def close(self) -> None:
        """Nothing to release explicitly; present for ``async with``."""

    async def __aenter__(self) -> AsyncPostQ:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def verify_offline(public_key: str, payload: Payload, signature: str) -> VerifyResult:
    """Verify a hybrid signature envelope over ``payload`` against a published public key
    (JSON or JWK Set) with no network. Both halves are always checked; ``ok`` is true
    only when both verify. Raises :class:`PostQValidationError` for a malformed
    signature or key, or a signature of another key (``key_mismatch``)."""
    ok, classical_ok, pq_ok = _native.verify_offline(public_key, payload, signature)
    return VerifyResult(ok=ok, classical_ok=classical_ok, pq_ok=pq_ok)
