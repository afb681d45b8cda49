"""``PostQ`` (blocking) and ``AsyncPostQ`` (asyncio): the whole postq API.

Each call is defined once, in a ``_…Calls`` class: its Python signature and the
command it sends (a generated model from ``_generated.py``, so a misspelt operation or
field fails the type check, not a request). The blocking and asyncio resources bind the
same definitions with :class:`_blocking` / :class:`_awaitable` (and their stream
variants); the native module runs every command through the common Rust layer.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import (
    Any,
    AsyncIterator,
    Callable,
    Coroutine,
    Generic,
    Iterator,
    List,
    Mapping,
    Optional,
    ParamSpec,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
    overload,
)

from . import _generated as g
from . import _native
from ._codec import Model, encode
from ._models import (
    Artifact,
    AuditEntry,
    ChainReport,
    ConsistencyProof,
    Credential,
    Deleted,
    Health,
    HybridKey,
    InclusionProof,
    LedgerKey,
    Page,
    PublicKey,
    Rollover,
    RolloverCreated,
    Scan,
    ScanSummary,
    SignedCheckpoint,
    SignResult,
    UnsealedCredential,
    VerifyResponse,
    VerifyResult,
    WitnessResult,
    page_from_json,
)
from ._offline import LedgerKeyLike, ledger_key_model
from ._types import FindingInput, Include, Payload, RiskLevel, RolloverStatus, Timestamp

__all__ = [
    "PostQ",
    "AsyncPostQ",
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
    "verify_offline",
]

VERSION: str = _native.__version__
USER_AGENT = f"postq-python/{VERSION}"

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
M = TypeVar("M", bound=Model)


# ----------------------------------------------------------------------------------
# What a call is: a command, its payload bytes, and how to read the result.


@dataclass(frozen=True)
class _Call(Generic[R]):
    command: Model
    parse: Callable[[Any], R]
    payload: Optional[Payload] = None


@dataclass(frozen=True)
class _Listing(Generic[M]):
    command: Model
    item: Type[M]


def _native_call(core: _native.NativeClient, call: _Call[Any], is_async: bool) -> Any:
    """The one place a command crosses into Rust (the test suite records it here)."""
    return core.call(encode_command(call.command), call.payload, is_async=is_async)


def _native_stream(core: _native.NativeClient, listing: _Listing[Any]) -> _native.NativeStream:
    """The one place a stream is opened (recorded by the test suite too)."""
    return core.stream(encode_command(listing.command))


def encode_command(command: Model) -> str:
    """A generated command model → the JSON text the native layer parses."""
    return json_dumps(encode(command))


def json_dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


class _Runner:
    """What a bound call needs: run a call, open a stream (a client or a resource)."""

    def _run(self, call: _Call[R]) -> Any:
        raise NotImplementedError

    def _open(self, listing: _Listing[M]) -> Any:
        raise NotImplementedError


class _Bound(Generic[P, R]):
    """A call definition read as a method: ``obj.name(...)`` runs it on ``obj``."""

    def __init__(self, define: Callable[P, Any], bind: Callable[[Any, Any], R]) -> None:
        self._define = define
        self._bind = bind
        # Name, docstring and signature of the definition (help(), inspect).
        functools.update_wrapper(cast(Any, self), define)

    def _method(self, owner: _Runner) -> Callable[P, R]:
        define, bind = self._define, self._bind

        @functools.wraps(define)
        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            return bind(owner, define(*args, **kwargs))

        return method


class _blocking(_Bound[P, R]):
    """Bind a call definition for the blocking client."""

    def __init__(self, define: Callable[P, _Call[R]]) -> None:
        super().__init__(define, lambda owner, call: owner._run(call))

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _blocking[P, R]: ...
    @overload
    def __get__(self, obj: _Runner, owner: Any = None) -> Callable[P, R]: ...
    def __get__(self, obj: Optional[_Runner], owner: Any = None) -> Any:
        return self if obj is None else self._method(obj)


class _awaitable(_Bound[P, Coroutine[Any, Any, R]]):
    """Bind a call definition for the asyncio client."""

    def __init__(self, define: Callable[P, _Call[R]]) -> None:
        super().__init__(define, lambda owner, call: owner._run(call))

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _awaitable[P, R]: ...
    @overload
    def __get__(self, obj: _Runner, owner: Any = None) -> Callable[P, Coroutine[Any, Any, R]]: ...
    def __get__(self, obj: Optional[_Runner], owner: Any = None) -> Any:
        return self if obj is None else self._method(obj)


class _iterating(_Bound[P, Iterator[M]]):
    """Bind a list-all definition for the blocking client (an iterator)."""

    def __init__(self, define: Callable[P, _Listing[M]]) -> None:
        super().__init__(define, lambda owner, listing: owner._open(listing))

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _iterating[P, M]: ...
    @overload
    def __get__(self, obj: _Runner, owner: Any = None) -> Callable[P, Iterator[M]]: ...
    def __get__(self, obj: Optional[_Runner], owner: Any = None) -> Any:
        return self if obj is None else self._method(obj)


class _async_iterating(_Bound[P, AsyncIterator[M]]):
    """Bind a list-all definition for the asyncio client (``async for``)."""

    def __init__(self, define: Callable[P, _Listing[M]]) -> None:
        super().__init__(define, lambda owner, listing: owner._open(listing))

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _async_iterating[P, M]: ...
    @overload
    def __get__(self, obj: _Runner, owner: Any = None) -> Callable[P, AsyncIterator[M]]: ...
    def __get__(self, obj: Optional[_Runner], owner: Any = None) -> Any:
        return self if obj is None else self._method(obj)


# ----------------------------------------------------------------------------------
# Result readers.


def _model(cls: Type[M]) -> Callable[[Any], M]:
    return cls.from_json


def _page(cls: Type[M]) -> Callable[[Any], Page[M]]:
    return lambda text: page_from_json(cls, text)


def _artifact(raw: Tuple[str, bytes]) -> Artifact:
    info = g.ArtifactInfo.from_json(raw[0])
    return Artifact(file_name=info.file_name, content_type=info.content_type, body=raw[1])


def _paths(text: str) -> List[Path]:
    return [Path(p) for p in json.loads(text)]


def _time(value: Optional[Timestamp]) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    return value.isoformat()


def _list_query(
    limit: Optional[int], cursor: Optional[str], include: Sequence[g.Include] = ()
) -> g.ListQuery:
    return g.ListQuery(limit=limit, cursor=cursor, include=list(include) or None)


def _audit_query(
    event_type: Optional[str],
    since: Optional[Timestamp],
    until: Optional[Timestamp],
    limit: Optional[int],
    cursor: Optional[str] = None,
) -> g.AuditQuery:
    return g.AuditQuery(
        event_type=event_type, since=_time(since), until=_time(until), limit=limit, cursor=cursor
    )


# ----------------------------------------------------------------------------------
# Every call, defined once.


class _ScansCalls:
    @staticmethod
    def submit(
        *,
        type: str,
        target: str,
        risk_score: float,
        risk_level: RiskLevel,
        findings: Sequence[FindingInput] = (),
        source: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> _Call[Scan]:
        """Submit a scan (retries reuse one idempotency key: never a duplicate scan)."""
        request = g.CreateScanRequest(
            type=type,
            target=target,
            risk_score=risk_score,
            risk_level=risk_level,
            findings=[g.FindingInput.from_dict(dict(f)) for f in findings],
            source=source,
            metadata=dict(metadata) if metadata is not None else None,
        )
        return _Call(g.ScansSubmitCommand(args=request), _model(Scan))

    @staticmethod
    def list(
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        include: Sequence[Include] = (),
    ) -> _Call[Page[ScanSummary]]:
        """One page, newest first; ``include=["findings", "metadata"]`` hydrates each."""
        query = _list_query(limit, cursor, include)
        return _Call(g.ScansListCommand(args=query), _page(ScanSummary))

    @staticmethod
    def list_all(
        *, limit: Optional[int] = None, include: Sequence[Include] = ()
    ) -> _Listing[ScanSummary]:
        """Every scan, newest first, fetching pages as you iterate."""
        query = _list_query(limit, None, include)
        return _Listing(g.ScansListAllCommand(args=query), ScanSummary)

    @staticmethod
    def get(id: str) -> _Call[Scan]:
        """One scan with its findings."""
        return _Call(g.ScansGetCommand(args=g.IdArgs(id=id)), _model(Scan))


class _KeysCalls:
    @staticmethod
    def create(*, name: str, algorithm: Optional[str] = None) -> _Call[HybridKey]:
        """Mint a key (default algorithm ``mldsa65+ed25519``)."""
        request = g.CreateKeyRequest(name=name, algorithm=algorithm)
        return _Call(g.KeysCreateCommand(args=request), _model(HybridKey))

    @staticmethod
    def list(
        *,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        include: Sequence[Include] = (),
    ) -> _Call[Page[HybridKey]]:
        """One page of keys, newest first; ``include=["versions"]`` adds every version."""
        query = _list_query(limit, cursor, include)
        return _Call(g.KeysListCommand(args=query), _page(HybridKey))

    @staticmethod
    def list_all(
        *, limit: Optional[int] = None, include: Sequence[Include] = ()
    ) -> _Listing[HybridKey]:
        """Every key, fetching pages as you iterate."""
        query = _list_query(limit, None, include)
        return _Listing(g.KeysListAllCommand(args=query), HybridKey)

    @staticmethod
    def get(id: str) -> _Call[HybridKey]:
        """One key with every version."""
        return _Call(g.KeysGetCommand(args=g.IdArgs(id=id)), _model(HybridKey))

    @staticmethod
    def public_key(id: str, *, version: Optional[int] = None) -> _Call[PublicKey]:
        """A version's public key (latest by default), parsed and checked."""
        args = g.PublicKeyArgs(id=id, version=version)
        return _Call(g.KeysPublicKeyCommand(args=args), _model(PublicKey))

    @staticmethod
    def rotate(id: str, *, min_version: Optional[int] = None) -> _Call[HybridKey]:
        """Add a version that signs from now on; ``min_version`` retires older ones."""
        args = g.RotateKeyArgs(id=id, request=g.RotateKeyRequest(min_version=min_version))
        return _Call(g.KeysRotateCommand(args=args), _model(HybridKey))

    @staticmethod
    def update(id: str, *, min_version: int) -> _Call[HybridKey]:
        """Change the key's policy: signatures of versions below ``min_version`` stop
        verifying on the server (scope ``keys:write``)."""
        args = g.UpdateKeyArgs(id=id, request=g.UpdateKeyRequest(min_version=min_version))
        return _Call(g.KeysUpdateCommand(args=args), _model(HybridKey))


class _VaultCalls:
    @staticmethod
    def seal(
        *,
        name: str,
        credential_type: str,
        values: Mapping[str, str],
        ttl_days: Optional[int] = None,
    ) -> _Call[Credential]:
        """Seal a credential; returns metadata only."""
        request = g.SealRequest(
            name=name, credential_type=credential_type, values=dict(values), ttl_days=ttl_days
        )
        return _Call(g.VaultSealCommand(args=request), _model(Credential))

    @staticmethod
    def list(*, limit: Optional[int] = None, cursor: Optional[str] = None) -> _Call[Page[Credential]]:
        """One page of credential metadata."""
        return _Call(g.VaultListCommand(args=_list_query(limit, cursor)), _page(Credential))

    @staticmethod
    def list_all(*, limit: Optional[int] = None) -> _Listing[Credential]:
        """Every credential's metadata."""
        return _Listing(g.VaultListAllCommand(args=_list_query(limit, None)), Credential)

    @staticmethod
    def unseal(id: str) -> _Call[UnsealedCredential]:
        """Decrypt a credential (scope ``vault:read``)."""
        return _Call(g.VaultUnsealCommand(args=g.IdArgs(id=id)), _model(UnsealedCredential))

    @staticmethod
    def rotate(id: str) -> _Call[Credential]:
        """Re-encrypt under a fresh key."""
        return _Call(g.VaultRotateCommand(args=g.IdArgs(id=id)), _model(Credential))

    @staticmethod
    def delete(id: str) -> _Call[Deleted]:
        """Delete permanently."""
        return _Call(g.VaultDeleteCommand(args=g.IdArgs(id=id)), _model(Deleted))


class _RolloversCalls:
    @staticmethod
    def create(
        *, finding_id: str, hostname: str, observation_window_hours: Optional[int] = None
    ) -> _Call[RolloverCreated]:
        """Mint the hybrid certificate and plan (one-shot: includes the private key)."""
        request = g.CreateRolloverRequest(
            finding_id=finding_id,
            hostname=hostname,
            observation_window_hours=observation_window_hours,
        )
        return _Call(g.RolloversCreateCommand(args=request), _model(RolloverCreated))

    @staticmethod
    def list(*, limit: Optional[int] = None, cursor: Optional[str] = None) -> _Call[Page[Rollover]]:
        """One page of rollovers."""
        return _Call(g.RolloversListCommand(args=_list_query(limit, cursor)), _page(Rollover))

    @staticmethod
    def list_all(*, limit: Optional[int] = None) -> _Listing[Rollover]:
        """Every rollover."""
        return _Listing(g.RolloversListAllCommand(args=_list_query(limit, None)), Rollover)

    @staticmethod
    def get(id: str) -> _Call[Rollover]:
        """One rollover (no key bytes)."""
        return _Call(g.RolloversGetCommand(args=g.IdArgs(id=id)), _model(Rollover))

    @staticmethod
    def transition(id: str, *, to: RolloverStatus) -> _Call[Rollover]:
        """Advance one stage (``planned → observation → cutover → completed``)."""
        args = g.TransitionArgs(id=id, request=g.TransitionRequest(to=to))
        return _Call(g.RolloversTransitionCommand(args=args), _model(Rollover))

    @staticmethod
    def rollback(id: str) -> _Call[Rollover]:
        """Mark rolled back."""
        return _Call(g.RolloversRollbackCommand(args=g.IdArgs(id=id)), _model(Rollover))

    @staticmethod
    def download(id: str, artifact: str) -> _Call[Artifact]:
        """Download one artifact (``cert.pem``, ``bundle.sh`` …)."""
        args = g.DownloadArgs(id=id, artifact=artifact)
        return _Call(g.RolloversDownloadCommand(args=args), _artifact)

    @staticmethod
    def download_all(id: str, directory: Union[str, os.PathLike[str]]) -> _Call[List[Path]]:
        """Download every artifact into ``directory`` (created if needed); scripts are
        made executable. Returns the paths written."""
        args = g.DownloadAllArgs(id=id, dir=os.fspath(directory))
        return _Call(g.RolloversDownloadAllCommand(args=args), _paths)


class _AuditCalls:
    @staticmethod
    def list(
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> _Call[Page[AuditEntry]]:
        """One page of rows, oldest first."""
        query = _audit_query(event_type, since, until, limit, cursor)
        return _Call(g.AuditListCommand(args=query), _page(AuditEntry))

    @staticmethod
    def list_all(
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
    ) -> _Listing[AuditEntry]:
        """Every row matching the filters."""
        query = _audit_query(event_type, since, until, limit)
        return _Listing(g.AuditListAllCommand(args=query), AuditEntry)

    @staticmethod
    def verify_chain(
        *,
        event_type: Optional[str] = None,
        since: Optional[Timestamp] = None,
        until: Optional[Timestamp] = None,
        limit: Optional[int] = None,
    ) -> _Call[ChainReport]:
        """Fetch rows and verify the hash chain offline; with no filters the export is
        complete, so a deleted row is detected too."""
        query = _audit_query(event_type, since, until, limit)
        return _Call(g.AuditVerifyChainCommand(args=query), _model(ChainReport))

    @staticmethod
    def checkpoint() -> _Call[SignedCheckpoint]:
        """The latest signed checkpoint of the ledger (verify ``checkpoint`` with the
        pinned ledger key)."""
        return _Call(g.AuditCheckpointCommand(args=g.NoArgs()), _model(SignedCheckpoint))

    @staticmethod
    def ledger_key() -> _Call[LedgerKey]:
        """The ledger's public key: what a client pins."""
        return _Call(g.AuditLedgerKeyCommand(args=g.NoArgs()), _model(LedgerKey))

    @staticmethod
    def inclusion_proof(*, seq: int, tree_size: int) -> _Call[InclusionProof]:
        """The inclusion proof of row ``seq`` in the tree of ``tree_size`` rows."""
        args = g.InclusionProofArgs(seq=seq, tree_size=tree_size)
        return _Call(g.AuditInclusionProofCommand(args=args), _model(InclusionProof))

    @staticmethod
    def consistency_proof(*, tree_size_1: int, tree_size_2: int) -> _Call[ConsistencyProof]:
        """The consistency proof from ``tree_size_1`` to ``tree_size_2`` rows."""
        args = g.ConsistencyProofArgs(tree_size1=tree_size_1, tree_size2=tree_size_2)
        return _Call(g.AuditConsistencyProofCommand(args=args), _model(ConsistencyProof))

    @staticmethod
    def witness(
        *, state: Optional[str] = None, ledger_key: Optional[LedgerKeyLike] = None
    ) -> _Call[WitnessResult]:
        """Advance a witness of the ledger to the latest checkpoint: both signatures
        verified, consistency with the held checkpoint proven. Pass the ``state`` of the
        last result (store it between runs), or a ``ledger_key`` to pin; with neither,
        the key the server publishes is pinned (``key_source == "trust_on_first_use"``).
        A refusal raises :class:`PostQError` with code ``ledger_fork``,
        ``ledger_shrink``, ``ledger_bad_signature``, ``ledger_consistency_failed`` or
        ``ledger_key_changed``; the stored state stays as it was."""
        key = None if ledger_key is None else ledger_key_model(ledger_key)
        args = g.WitnessArgs(state=state, ledger_key=key)
        return _Call(g.AuditWitnessCommand(args=args), _model(WitnessResult))


class _IngestCalls:
    @staticmethod
    def kubernetes(
        *,
        cluster_name: str,
        agent_version: str,
        risk_score: float,
        risk_level: RiskLevel,
        findings: Sequence[Mapping[str, Any]] = (),
        summary: Optional[Mapping[str, Any]] = None,
        org_id: Optional[str] = None,
    ) -> _Call[Scan]:
        """Post one Kubernetes cluster report (what ``postq agent`` sends); answers the
        ``k8s`` scan it was recorded as. Each finding is the API's JSON form
        (``{"severity", "code", "title", "object": {"namespace", "kind", "name",
        "field"}}``); retries reuse one idempotency key, so a retry records one scan."""
        request = g.IngestKubernetesRequest(
            cluster_name=cluster_name,
            agent_version=agent_version,
            risk_score=risk_score,
            risk_level=risk_level,
            findings=[g.KubernetesFinding.from_dict(dict(f)) for f in findings],
            summary=g.KubernetesSummary.from_dict(dict(summary)) if summary is not None else None,
            org_id=org_id,
        )
        return _Call(g.IngestKubernetesCommand(args=request), _model(Scan))


class _ClientCalls:
    @staticmethod
    def health() -> _Call[Health]:
        """``GET /health``."""
        return _Call(g.HealthCommand(args=g.NoArgs()), _model(Health))

    @staticmethod
    def sign(*, key_id: str, payload: Payload) -> _Call[SignResult]:
        """Sign ``payload`` (bytes, or str as UTF-8) with a managed key (scope ``sign:write``)."""
        return _Call(g.SignCommand(args=g.SignArgs(key_id=key_id)), _model(SignResult), payload)

    @staticmethod
    def verify(
        *,
        payload: Payload,
        signature: str,
        key_id: Optional[str] = None,
        public_key: Optional[str] = None,
    ) -> _Call[VerifyResponse]:
        """Verify on the server against a managed key (``key_id``) or a published public
        key (``public_key``, JSON or JWK Set). A malformed signature raises
        :class:`PostQValidationError` before any request."""
        args = g.VerifyArgs(key_id=key_id, public_key=public_key, signature=signature)
        return _Call(g.VerifyCommand(args=args), _model(VerifyResponse), payload)


# ----------------------------------------------------------------------------------
# The two clients.


class _Base(_Runner):
    """Configuration shared by both clients."""

    _core: _native.NativeClient

    def _setup(
        self,
        api_key: Optional[str],
        base_url: Optional[str],
        timeout: Optional[float],
        connect_timeout: Optional[float],
        max_retries: Optional[int],
        default_headers: Optional[Mapping[str, str]],
    ) -> None:
        options = g.ClientOptions(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            connect_timeout=connect_timeout,
            max_retries=max_retries,
            default_headers=dict(default_headers) if default_headers else None,
            user_agent=USER_AGENT,
        )
        self._core = _native.NativeClient(json_dumps(encode(options)))

    def _derived(
        self,
        timeout: Optional[float],
        max_retries: Optional[int],
        headers: Optional[Mapping[str, str]],
        idempotency_key: Optional[str],
    ) -> _native.NativeClient:
        options = g.CallOptions(
            timeout=timeout,
            max_retries=max_retries,
            headers=dict(headers) if headers else None,
            idempotency_key=idempotency_key,
        )
        return self._core.with_options(json_dumps(encode(options)))

    @property
    def base_url(self) -> str:
        """Where requests go (``POSTQ_BASE_URL`` or ``https://api.postq.dev`` by default)."""
        return self._core.base_url

    def __repr__(self) -> str:
        # Never the API key.
        return f"{type(self).__name__}(base_url={self.base_url!r})"


class _Resource(_Runner):
    def __init__(self, client: _Runner) -> None:
        self._client = client

    def _run(self, call: _Call[R]) -> Any:
        return self._client._run(call)

    def _open(self, listing: _Listing[M]) -> Any:
        return self._client._open(listing)


class Scans(_Resource):
    """``pq.scans``: submit and read scans."""

    submit = _blocking(_ScansCalls.submit)
    list = _blocking(_ScansCalls.list)
    list_all = _iterating(_ScansCalls.list_all)
    get = _blocking(_ScansCalls.get)


class HybridKeys(_Resource):
    """``pq.hybrid_keys``: managed hybrid ML-DSA-65 + Ed25519 signing keys."""

    create = _blocking(_KeysCalls.create)
    list = _blocking(_KeysCalls.list)
    list_all = _iterating(_KeysCalls.list_all)
    get = _blocking(_KeysCalls.get)
    public_key = _blocking(_KeysCalls.public_key)
    rotate = _blocking(_KeysCalls.rotate)
    update = _blocking(_KeysCalls.update)


class Vault(_Resource):
    """``pq.vault``: credentials sealed with ML-KEM-768 + X25519."""

    seal = _blocking(_VaultCalls.seal)
    list = _blocking(_VaultCalls.list)
    list_all = _iterating(_VaultCalls.list_all)
    unseal = _blocking(_VaultCalls.unseal)
    rotate = _blocking(_VaultCalls.rotate)
    delete = _blocking(_VaultCalls.delete)


class Rollovers(_Resource):
    """``pq.rollovers``: hybrid TLS certificate rollovers."""

    create = _blocking(_RolloversCalls.create)
    list = _blocking(_RolloversCalls.list)
    list_all = _iterating(_RolloversCalls.list_all)
    get = _blocking(_RolloversCalls.get)
    transition = _blocking(_RolloversCalls.transition)
    rollback = _blocking(_RolloversCalls.rollback)
    download = _blocking(_RolloversCalls.download)
    download_all = _blocking(_RolloversCalls.download_all)


class Audit(_Resource):
    """``pq.audit``: the audit ledger: rows, signed checkpoints, proofs, the witness."""

    list = _blocking(_AuditCalls.list)
    list_all = _iterating(_AuditCalls.list_all)
    verify_chain = _blocking(_AuditCalls.verify_chain)
    checkpoint = _blocking(_AuditCalls.checkpoint)
    ledger_key = _blocking(_AuditCalls.ledger_key)
    inclusion_proof = _blocking(_AuditCalls.inclusion_proof)
    consistency_proof = _blocking(_AuditCalls.consistency_proof)
    witness = _blocking(_AuditCalls.witness)


class Ingest(_Resource):
    """``pq.ingest``: reports from in-cluster agents."""

    kubernetes = _blocking(_IngestCalls.kubernetes)


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
    ingest: Ingest

    health = _blocking(_ClientCalls.health)
    sign = _blocking(_ClientCalls.sign)
    verify = _blocking(_ClientCalls.verify)

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
        self.ingest = Ingest(self)

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
        clone._core = self._derived(timeout, max_retries, headers, idempotency_key)
        clone._resources()
        return clone

    def _run(self, call: _Call[R]) -> R:
        return call.parse(_native_call(self._core, call, False))

    def _open(self, listing: _Listing[M]) -> Iterator[M]:
        return _iterate(_native_stream(self._core, listing), listing.item)

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


class AsyncScans(_Resource):
    """``pq.scans`` of :class:`AsyncPostQ`."""

    submit = _awaitable(_ScansCalls.submit)
    list = _awaitable(_ScansCalls.list)
    list_all = _async_iterating(_ScansCalls.list_all)
    get = _awaitable(_ScansCalls.get)


class AsyncHybridKeys(_Resource):
    """``pq.hybrid_keys`` of :class:`AsyncPostQ`."""

    create = _awaitable(_KeysCalls.create)
    list = _awaitable(_KeysCalls.list)
    list_all = _async_iterating(_KeysCalls.list_all)
    get = _awaitable(_KeysCalls.get)
    public_key = _awaitable(_KeysCalls.public_key)
    rotate = _awaitable(_KeysCalls.rotate)
    update = _awaitable(_KeysCalls.update)


class AsyncVault(_Resource):
    """``pq.vault`` of :class:`AsyncPostQ`."""

    seal = _awaitable(_VaultCalls.seal)
    list = _awaitable(_VaultCalls.list)
    list_all = _async_iterating(_VaultCalls.list_all)
    unseal = _awaitable(_VaultCalls.unseal)
    rotate = _awaitable(_VaultCalls.rotate)
    delete = _awaitable(_VaultCalls.delete)


class AsyncRollovers(_Resource):
    """``pq.rollovers`` of :class:`AsyncPostQ`."""

    create = _awaitable(_RolloversCalls.create)
    list = _awaitable(_RolloversCalls.list)
    list_all = _async_iterating(_RolloversCalls.list_all)
    get = _awaitable(_RolloversCalls.get)
    transition = _awaitable(_RolloversCalls.transition)
    rollback = _awaitable(_RolloversCalls.rollback)
    download = _awaitable(_RolloversCalls.download)
    download_all = _awaitable(_RolloversCalls.download_all)


class AsyncAudit(_Resource):
    """``pq.audit`` of :class:`AsyncPostQ`."""

    list = _awaitable(_AuditCalls.list)
    list_all = _async_iterating(_AuditCalls.list_all)
    verify_chain = _awaitable(_AuditCalls.verify_chain)
    checkpoint = _awaitable(_AuditCalls.checkpoint)
    ledger_key = _awaitable(_AuditCalls.ledger_key)
    inclusion_proof = _awaitable(_AuditCalls.inclusion_proof)
    consistency_proof = _awaitable(_AuditCalls.consistency_proof)
    witness = _awaitable(_AuditCalls.witness)


async def _aiterate(stream: _native.NativeStream, model: Type[M]) -> AsyncIterator[M]:
    while True:
        item = await stream.next_async()
        if item is None:
            return
        yield model.from_json(item)


class AsyncIngest(_Resource):
    """``pq.ingest`` of :class:`AsyncPostQ`."""

    kubernetes = _awaitable(_IngestCalls.kubernetes)


class AsyncPostQ(_Base):
    """The asyncio postq client: the same surface as :class:`PostQ`, every call a
    coroutine. Rust does the work on a shared runtime; the event loop never blocks."""

    scans: AsyncScans
    hybrid_keys: AsyncHybridKeys
    vault: AsyncVault
    rollovers: AsyncRollovers
    audit: AsyncAudit
    ingest: AsyncIngest

    health = _awaitable(_ClientCalls.health)
    sign = _awaitable(_ClientCalls.sign)
    verify = _awaitable(_ClientCalls.verify)

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
        self.ingest = AsyncIngest(self)

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
        clone._core = self._derived(timeout, max_retries, headers, idempotency_key)
        clone._resources()
        return clone

    async def _run(self, call: _Call[R]) -> R:
        return call.parse(await _native_call(self._core, call, True))

    def _open(self, listing: _Listing[M]) -> AsyncIterator[M]:
        return _aiterate(_native_stream(self._core, listing), listing.item)

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

