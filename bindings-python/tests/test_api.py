"""Every API call, blocking and asyncio, against the reference server."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import uuid
from typing import Any, Coroutine, List, TypeVar

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import postq
from postq import AsyncPostQ, PostQ

from .conftest import Server

T = TypeVar("T")

PREFIX = b"CompositeAlgorithmSignatures2025"
LABEL = b"COMPSIG-MLDSA65-Ed25519-SHA512"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


# --------------------------------------------------------------------------- health


def test_health(pq: PostQ) -> None:
    assert pq.health() == postq.Health(status="ok")


def test_health_async(apq: AsyncPostQ) -> None:
    assert run(apq.health()).status == "ok"


def test_env_configuration(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTQ_API_KEY", server.admin_key)
    monkeypatch.setenv("POSTQ_BASE_URL", server.base_url)
    pq = PostQ()
    assert pq.base_url == server.base_url
    assert isinstance(pq.scans.list(limit=1), postq.Page)
    assert server.admin_key not in repr(pq)


# ---------------------------------------------------------------------------- scans


def test_scans(pq: PostQ) -> None:
    pq.scans.submit(type="url", target=unique("older"), risk_score=0, risk_level="Info")
    target = unique("example.com")
    scan = pq.scans.submit(
        type="url",
        target=target,
        risk_score=85,
        risk_level="High",
        findings=[
            {"severity": "high", "title": "RSA-2048 public key"},
            {"severity": "low", "title": "TLS 1.2", "description": "d", "evidence": "e"},
        ],
        metadata={"ci": "github-actions", "n": 3},
    )
    assert scan.id.startswith("scan_") and scan.url.endswith(scan.id)
    assert (scan.type, scan.target, scan.risk_score, scan.risk_level) == (
        "url",
        target,
        85,
        "High",
    )
    assert scan.source == "sdk"
    assert scan.metadata == {"ci": "github-actions", "n": 3}
    assert [f.title for f in scan.findings] == ["RSA-2048 public key", "TLS 1.2"]
    assert scan.findings[1].evidence == "e" and scan.findings[0].id.startswith("fnd_")

    got = pq.scans.get(scan.id)
    assert got == scan

    page = pq.scans.list(limit=1)
    assert len(page.data) == 1 and isinstance(page.data[0], postq.ScanSummary)
    assert page.data[0].id == scan.id and page.next_cursor is not None
    hydrated = pq.scans.list(limit=1, include=["findings", "metadata"]).data[0]
    assert hydrated.findings is not None and [f.id for f in hydrated.findings] == [
        f.id for f in scan.findings
    ]
    assert hydrated.metadata == {"ci": "github-actions", "n": 3}
    second = pq.scans.list(limit=1, cursor=page.next_cursor)
    assert second.data[0].id != scan.id


def test_scans_list_all_pages(pq: PostQ) -> None:
    ids = [
        pq.scans.submit(type="repo", target=unique("r"), risk_score=1, risk_level="Low").id
        for _ in range(5)
    ]
    seen: List[str] = []
    for s in pq.scans.list_all(limit=2):
        seen.append(s.id)
        if len(seen) == 5:
            break
    assert seen == list(reversed(ids))
    everything = [s.id for s in pq.scans.list_all(limit=100)]
    assert everything == sorted(everything, reverse=True)
    assert set(ids) <= set(everything)


def test_scans_async(apq: AsyncPostQ) -> None:
    async def go() -> None:
        scan = await apq.scans.submit(
            type="k8s", target=unique("cluster"), risk_score=10.5, risk_level="Info"
        )
        assert (await apq.scans.get(scan.id)) == scan
        page = await apq.scans.list(limit=1)
        assert page.data[0].id == scan.id
        seen: List[str] = []
        async for s in apq.scans.list_all(limit=2):
            seen.append(s.id)
            if len(seen) == 3:
                break
        assert seen[0] == scan.id and len(seen) == 3
        # Concurrent calls on one client.
        many = await asyncio.gather(
            *(
                apq.scans.submit(type="url", target=f"t{i}", risk_score=i, risk_level="Low")
                for i in range(10)
            )
        )
        assert len({s.id for s in many}) == 10

    run(go())


def test_scans_accepts_create_task(apq: AsyncPostQ) -> None:
    async def go() -> str:
        task = asyncio.create_task(apq.health())
        return (await task).status

    assert run(go()) == "ok"


# ------------------------------------------------------------ keys, sign and verify


def _ed25519_half(public_key_json: str, signature: str, payload: bytes) -> None:
    """pyca/cryptography verifies the Ed25519 half over M' (IETF composite draft)."""
    key = json.loads(public_key_json)
    envelope = json.loads(base64.b64decode(signature))
    m_prime = PREFIX + LABEL + b"\x00" + hashlib.sha512(payload).digest()
    ed = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["ed25519"]))
    ed.verify(base64.b64decode(envelope["ed25519"]), m_prime)  # raises if invalid


def _cluster_report(cluster: str) -> Any:
    return dict(
        cluster_name=cluster,
        agent_version="postq-agent 0.1.0",
        risk_score=55,
        risk_level="High",
        findings=[
            {
                "severity": "high",
                "code": "K8S-MTLS-PERMISSIVE",
                "title": "K8S-MTLS-PERMISSIVE: PeerAuthentication sets mTLS PERMISSIVE",
                "evidence": "spec.mtls.mode: PERMISSIVE",
                "object": {
                    "namespace": "istio-system",
                    "kind": "PeerAuthentication",
                    "name": "default",
                    "field": "spec.mtls.mode",
                },
            }
        ],
        summary={"objects": {"PeerAuthentication": 1}, "notes": ["a note"]},
    )


def test_ingest_kubernetes(pq: PostQ) -> None:
    cluster = unique("prod-east")
    scan = pq.ingest.kubernetes(**_cluster_report(cluster))
    assert (scan.type, scan.source, scan.target) == ("k8s", "agent", cluster)
    assert scan.findings[0].code == "K8S-MTLS-PERMISSIVE"
    assert scan.findings[0].evidence == (
        "istio-system/PeerAuthentication/default spec.mtls.mode — spec.mtls.mode: PERMISSIVE"
    )
    assert pq.scans.get(scan.id) == scan
    with pytest.raises(postq.PostQValidationError):
        pq.ingest.kubernetes(**_cluster_report(""))


def test_ingest_kubernetes_async(apq: AsyncPostQ) -> None:
    cluster = unique("staging")
    scan = run(apq.ingest.kubernetes(**_cluster_report(cluster)))
    assert (scan.type, scan.target) == ("k8s", cluster)


def test_keys_sign_verify(pq: PostQ) -> None:
    key = pq.hybrid_keys.create(name="release-signing")
    assert key.id.startswith("hk_") and key.algorithm == "mldsa65+ed25519"
    assert key.pq_ready and key.version == 1 and key.versions is not None

    sig = pq.sign(key_id=key.id, payload=b"ship it")
    assert sig.key_id == key.id and sig.key_version == 1
    assert sig.payload_sha256 == hashlib.sha256(b"ship it").hexdigest()

    # The PostQ API reference's call shape.
    ok = pq.verify(key_id=key.id, payload=b"ship it", signature=sig.signature).ok
    assert ok is True
    # str payloads are their UTF-8 bytes; bytearray works too.
    assert pq.verify(key_id=key.id, payload="ship it", signature=sig.signature).ok
    assert pq.verify(
        key_id=key.id, payload=bytearray(b"ship it"), signature=sig.signature
    ).ok
    bad = pq.verify(key_id=key.id, payload=b"ship it!", signature=sig.signature)
    assert (bad.ok, bad.classical_ok, bad.pq_ok) == (False, False, False)

    by_public = pq.verify(public_key=key.public_key, payload=b"ship it", signature=sig.signature)
    assert by_public.ok and by_public.key_id == key.id

    offline = postq.verify_offline(key.public_key, b"ship it", sig.signature)
    assert offline == postq.VerifyResult(ok=True, classical_ok=True, pq_ok=True) and offline
    assert PostQ.verify_offline(key.public_key, "ship it", sig.signature).ok
    assert not postq.verify_offline(key.public_key, b"other", sig.signature)

    _ed25519_half(key.public_key, sig.signature, b"ship it")

    public = pq.hybrid_keys.public_key(key.id)
    assert public.key_id == key.id and public.fingerprint == key.fingerprint
    assert postq.verify_offline(public.jwk, b"ship it", sig.signature).ok

    assert pq.hybrid_keys.get(key.id).id == key.id
    rotated = pq.hybrid_keys.rotate(key.id)
    assert rotated.version == 2
    sig2 = pq.sign(key_id=key.id, payload="v2")
    assert sig2.key_version == 2
    assert pq.hybrid_keys.public_key(key.id, version=1).version == 1
    # The old version's signature still verifies on the server until retired.
    assert pq.verify(key_id=key.id, payload=b"ship it", signature=sig.signature).ok
    retired = pq.hybrid_keys.rotate(key.id, min_version=3)
    assert retired.min_version == 3
    old = pq.verify(key_id=key.id, payload=b"ship it", signature=sig.signature)
    assert not old.ok and old.reason == "key_version_retired"

    page = pq.hybrid_keys.list(limit=1)
    assert page.data[0].id == key.id
    assert key.id in {k.id for k in pq.hybrid_keys.list_all(limit=1)}
    # PATCH /v1/keys/{id}; include=["versions"] hydrates list items.
    assert pq.hybrid_keys.update(key.id, min_version=2).min_version == 2
    hydrated = pq.hybrid_keys.list(limit=1, include=["versions"]).data[0]
    assert hydrated.versions is not None and len(hydrated.versions) == 3


def test_keys_sign_verify_async(apq: AsyncPostQ) -> None:
    async def go() -> None:
        key = await apq.hybrid_keys.create(name="async-signing", algorithm="mldsa65+ed25519")
        sig = await apq.sign(key_id=key.id, payload="hello")
        assert (await apq.verify(key_id=key.id, payload=b"hello", signature=sig.signature)).ok
        assert (
            await apq.verify(public_key=key.public_key, payload="hello", signature=sig.signature)
        ).ok
        assert AsyncPostQ.verify_offline(key.public_key, b"hello", sig.signature).ok
        _ed25519_half(key.public_key, sig.signature, b"hello")
        assert (await apq.hybrid_keys.get(key.id)).name == "async-signing"
        assert (await apq.hybrid_keys.public_key(key.id)).version == 1
        assert (await apq.hybrid_keys.rotate(key.id)).version == 2
        assert (await apq.hybrid_keys.update(key.id, min_version=2)).min_version == 2
        assert (await apq.hybrid_keys.list(limit=1)).data[0].id == key.id
        ids = [k.id async for k in apq.hybrid_keys.list_all(limit=1)]
        assert key.id in ids

    run(go())


# ---------------------------------------------------------------------------- audit


def test_audit(pq: PostQ) -> None:
    key = pq.hybrid_keys.create(name="audited")
    pq.sign(key_id=key.id, payload=b"x")
    page = pq.audit.list(limit=100)
    assert page.data and page.data[0].seq == 1
    signs = list(pq.audit.list_all(event_type="sign", limit=2))
    assert signs and all(r.event_type == "sign" for r in signs)
    assert "payloadSha256" in signs[-1].details
    report = pq.audit.verify_chain()
    assert report.ok and report.rows >= 2 and report.failed_seq is None

    rows = list(pq.audit.list_all())
    assert postq.verify_audit_chain(rows, complete=True).ok
    filtered = pq.audit.verify_chain(event_type="sign")
    assert filtered.ok
    # Offline verification catches an edited row and a deleted one.
    tampered = [r.to_dict() for r in rows]
    tampered[1]["actor"] = "apikey:someone-else"
    bad = postq.verify_audit_chain(tampered, complete=True)
    assert (bad.ok, bad.failed_seq, bad.reason) == (False, 2, "hash_mismatch")
    missing = postq.verify_audit_chain(rows[:1] + rows[2:], complete=True)
    assert (missing.ok, missing.reason) == (False, "missing_row")
    # The signed checkpoint, the ledger key and proofs against it.
    head = pq.audit.checkpoint()
    assert head.tree_size >= 2 and head.checkpoint
    assert pq.audit.ledger_key().origin
    assert pq.audit.inclusion_proof(seq=1, tree_size=head.tree_size).tree_size == head.tree_size
    proof = pq.audit.consistency_proof(tree_size_1=1, tree_size_2=head.tree_size)
    assert proof.tree_size2 == head.tree_size


def test_audit_async(apq: AsyncPostQ) -> None:
    async def go() -> None:
        page = await apq.audit.list(limit=5, since="2000-01-01T00:00:00Z")
        assert page.data
        rows = [r async for r in apq.audit.list_all(limit=3)]
        assert [r.seq for r in rows] == list(range(1, len(rows) + 1))
        assert (await apq.audit.verify_chain()).ok
        head = await apq.audit.checkpoint()
        assert (await apq.audit.ledger_key()).v >= 1
        assert (await apq.audit.inclusion_proof(seq=1, tree_size=head.tree_size)).leaf_index == 0
        consistency = await apq.audit.consistency_proof(tree_size_1=1, tree_size_2=head.tree_size)
        assert consistency.tree_size1 == 1

    run(go())


def test_public_names_are_documented() -> None:
    import inspect

    for name in postq.__all__:
        obj = getattr(postq, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert obj.__doc__, name
            for attr, member in vars(obj).items():
                if inspect.isfunction(member) and not attr.startswith("_"):
                    assert member.__doc__, f"{name}.{attr}"
