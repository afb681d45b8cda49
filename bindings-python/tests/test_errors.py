"""Every exception class, from real server responses (fault injection for 429/5xx and
dropped connections) and from input refused locally."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid

import pytest

import postq
from postq import (
    AsyncPostQ,
    PostQ,
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

from .conftest import Server

def submit(pq: PostQ, target: str = "faults.example") -> postq.Scan:
    return pq.scans.submit(type="url", target=target, risk_score=1, risk_level="Low")


def fault(pq: PostQ, spec: str, retries: int = 0) -> PostQ:
    return pq.with_options(max_retries=retries, headers={"X-PostQ-Fault": spec})


def test_hierarchy() -> None:
    for cls in (
        PostQAuthError,
        PostQPermissionError,
        PostQNotFoundError,
        PostQConflictError,
        PostQRateLimitError,
        PostQServerError,
        PostQConnectionError,
        PostQValidationError,
    ):
        assert issubclass(cls, PostQError)
    assert issubclass(PostQTimeoutError, PostQConnectionError)
    assert issubclass(PostQValidationError, ValueError)


def test_auth_error(server: Server) -> None:
    bad = PostQ(api_key="pq_live_" + "0" * 48, base_url=server.base_url)
    with pytest.raises(PostQAuthError) as info:
        bad.scans.list()
    e = info.value
    assert (e.status, e.code) == (401, "unauthorized")
    assert e.request_id and e.message
    assert "pq_live_" not in str(e)


def test_permission_error(server: Server) -> None:
    reader = PostQ(api_key=server.mint_key(["scans:read"]), base_url=server.base_url)
    assert reader.scans.list(limit=1) is not None
    with pytest.raises(PostQPermissionError) as info:
        submit(reader)
    assert (info.value.status, info.value.code) == (403, "insufficient_scope")
    assert info.value.request_id


def test_not_found(pq: PostQ) -> None:
    with pytest.raises(PostQNotFoundError) as info:
        pq.scans.get("scan_01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert (info.value.status, info.value.code) == (404, "not_found")
    with pytest.raises(PostQNotFoundError):
        pq.hybrid_keys.get("hk_missing")


def test_conflict_idempotency_key_reused(pq: PostQ) -> None:
    fixed = pq.with_options(idempotency_key=f"idem-{uuid.uuid4()}")
    first = submit(fixed)
    # The same key and the same request replays the stored response.
    assert submit(fixed).id == first.id
    with pytest.raises(PostQConflictError) as info:
        submit(fixed, "another.example")
    assert (info.value.status, info.value.code) == (409, "idempotency_key_reused")


def test_bad_request_is_the_base_class(pq: PostQ) -> None:
    with pytest.raises(PostQError) as info:
        pq.scans.list(cursor="not-a-cursor")
    assert type(info.value) is PostQError
    assert (info.value.status, info.value.code) == (400, "invalid_cursor")


def test_rate_limit_error(pq: PostQ) -> None:
    with pytest.raises(PostQRateLimitError) as info:
        fault(pq, "status=429").scans.list()
    e = info.value
    assert (e.status, e.code, e.retry_after) == (429, "rate_limited", 1.0)
    assert e.request_id


def test_server_errors(pq: PostQ) -> None:
    with pytest.raises(PostQServerError) as info:
        fault(pq, "status=503").hybrid_keys.list()
    assert (info.value.status, info.value.retry_after) == (503, 1.0)
    with pytest.raises(PostQServerError) as info500:
        submit(fault(pq, "status=500"))
    assert info500.value.status == 500 and info500.value.request_id


def test_dropped_connection(pq: PostQ) -> None:
    with pytest.raises(PostQConnectionError) as info:
        fault(pq, "drop").scans.list()
    assert info.value.code == "connection_error" and info.value.status is None


def test_dropped_connection_retried_safely(pq: PostQ) -> None:
    """`drop` commits the scan and closes the connection; the retry carries the same
    Idempotency-Key and gets the stored response: exactly one scan."""
    target = f"drop-{uuid.uuid4().hex[:8]}"
    key = f"idem-{uuid.uuid4()}"
    dropping = pq.with_options(max_retries=0, headers={"X-PostQ-Fault": "drop"})
    with pytest.raises(PostQConnectionError):
        submit(dropping.with_options(idempotency_key=key), target)
    replay = submit(pq.with_options(idempotency_key=key), target)
    assert replay.target == target
    matching = [s for s in pq.scans.list_all(limit=100) if s.target == target]
    assert [s.id for s in matching] == [replay.id]


def test_timeout(pq: PostQ) -> None:
    started = time.monotonic()
    with pytest.raises(PostQTimeoutError) as info:
        pq.with_options(timeout=0.3, max_retries=0, headers={"X-PostQ-Fault": "delay=3000"}).scans.list()
    assert time.monotonic() - started < 2.5
    assert info.value.code == "timeout"
    assert isinstance(info.value, PostQConnectionError)


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pq = PostQ(api_key="pq_live_x", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    with pytest.raises(PostQConnectionError):
        pq.health()


def test_retries_with_times(server: Server, pq: PostQ) -> None:
    """503 then success: the client retries (after Retry-After) with one key."""
    target = f"retry-{uuid.uuid4().hex[:8]}"
    client = pq.with_options(max_retries=2, headers={"X-PostQ-Fault": "status=503,times=1"})
    scan = submit(client, target)
    assert scan.target == target
    limited = pq.with_options(max_retries=2, headers={"X-PostQ-Fault": "status=429,times=1"})
    assert submit(limited, target + "-2").target == target + "-2"
    # A dropped connection is retried with the same Idempotency-Key: one scan, not two.
    dropped = pq.with_options(max_retries=2, headers={"X-PostQ-Fault": "drop,times=1"})
    scan3 = submit(dropped, target + "-3")
    assert [s.id for s in pq.scans.list_all(limit=100) if s.target == target + "-3"] == [scan3.id]


def test_validation_errors_are_local(server: Server, pq: PostQ) -> None:
    with pytest.raises(PostQValidationError) as info:
        pq.scans.submit(type="url", target="x", risk_score=150, risk_level="High")
    assert info.value.code == "invalid_input" and info.value.status is None
    with pytest.raises(PostQValidationError):
        pq.scans.submit(type="url", target="x", risk_score=1, risk_level="Extreme")  # type: ignore[arg-type]
    with pytest.raises(PostQValidationError):
        pq.scans.list(limit=0)
    with pytest.raises(PostQValidationError):
        pq.scans.get("../../etc/passwd")
    with pytest.raises(PostQValidationError) as sig:
        pq.verify(key_id="hk_x", payload=b"x", signature="not-a-signature")
    assert sig.value.code == "invalid_signature"
    with pytest.raises(PostQValidationError):
        pq.verify(payload=b"x", signature="x")
    with pytest.raises(PostQValidationError) as config:
        PostQ(api_key="pq_live_x", base_url="http://example.com")
    assert config.value.code == "invalid_config"
    with pytest.raises(TypeError):
        pq.sign(key_id="hk_x", payload=123)  # type: ignore[arg-type]


def test_errors_async(server: Server, apq: AsyncPostQ) -> None:
    async def go() -> None:
        with pytest.raises(PostQNotFoundError):
            await apq.scans.get("scan_01ZZZZZZZZZZZZZZZZZZZZZZZZ")
        with pytest.raises(PostQRateLimitError) as rl:
            await apq.with_options(max_retries=0, headers={"X-PostQ-Fault": "status=429"}).scans.list()
        assert rl.value.retry_after == 1.0
        with pytest.raises(PostQServerError):
            await apq.with_options(max_retries=0, headers={"X-PostQ-Fault": "status=502"}).scans.list()
        with pytest.raises(PostQConnectionError):
            await apq.with_options(max_retries=0, headers={"X-PostQ-Fault": "drop"}).audit.list()
        with pytest.raises(PostQTimeoutError):
            await apq.with_options(
                timeout=0.2, max_retries=0, headers={"X-PostQ-Fault": "delay=2000"}
            ).scans.list()
        bad = AsyncPostQ(api_key="pq_live_" + "1" * 48, base_url=server.base_url)
        with pytest.raises(PostQAuthError):
            await bad.scans.list()
        reader = AsyncPostQ(api_key=server.mint_key(["scans:read"]), base_url=server.base_url)
        with pytest.raises(PostQPermissionError):
            await reader.hybrid_keys.create(name="nope")
        with pytest.raises(PostQValidationError):
            await apq.scans.list(limit=1000)
        # Errors while paging surface from the iterator.
        with pytest.raises(PostQServerError):
            async for _ in apq.with_options(
                max_retries=0, headers={"X-PostQ-Fault": "status=500"}
            ).scans.list_all():
                pass

    asyncio.run(go())


def test_cancelled_call_does_not_break_the_client(apq: AsyncPostQ) -> None:
    async def go() -> None:
        slow = apq.with_options(headers={"X-PostQ-Fault": "delay=2000"})
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(slow.scans.list(), 0.2)
        assert (await apq.health()).status == "ok"

    asyncio.run(go())


def test_error_repr_and_str(pq: PostQ) -> None:
    with pytest.raises(PostQNotFoundError) as info:
        pq.scans.get("scan_01ZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert "404" in str(info.value) and "not_found" in str(info.value)
    assert repr(info.value).startswith("PostQNotFoundError(status=404")
    assert isinstance(postq.PostQError("x"), Exception)
