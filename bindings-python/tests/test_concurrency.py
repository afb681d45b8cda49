"""Threads sharing one client, the GIL released during calls, and fork safety."""

from __future__ import annotations

import os
import subprocess
import sys
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import List

import pytest

import postq
from postq import PostQ, _native

from .conftest import Server


def test_eight_threads_share_one_client(pq: PostQ) -> None:
    key = pq.hybrid_keys.create(name="threads")

    def work(i: int) -> List[bool]:
        results: List[bool] = []
        for j in range(5):
            scan = pq.scans.submit(
                type="url", target=f"thread-{i}-{j}", risk_score=j, risk_level="Low"
            )
            results.append(pq.scans.get(scan.id).target == f"thread-{i}-{j}")
            sig = pq.sign(key_id=key.id, payload=f"{i}-{j}")
            results.append(postq.verify_offline(key.public_key, f"{i}-{j}", sig.signature).ok)
        return results

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(work, range(8)))
    assert all(all(r) for r in outcomes) and sum(len(r) for r in outcomes) == 80


def test_gil_released_during_calls(pq: PostQ) -> None:
    """While one thread waits on a slow request, Python keeps running elsewhere."""
    slow = pq.with_options(headers={"X-PostQ-Fault": "delay=800"})
    done = threading.Event()

    def call() -> None:
        slow.scans.list(limit=1)
        done.set()

    worker = threading.Thread(target=call)
    started = time.monotonic()
    worker.start()
    spins = 0
    while not done.is_set():
        spins += 1
    worker.join()
    assert time.monotonic() - started >= 0.7
    assert spins > 10_000  # the main thread ran while the call was in flight


def test_gil_released_during_offline_crypto(pq: PostQ) -> None:
    key = pq.hybrid_keys.create(name="gil")
    sig = pq.sign(key_id=key.id, payload=b"p").signature

    def verify_many() -> None:
        for _ in range(50):
            assert postq.verify_offline(key.public_key, b"p", sig).ok

    threads = [threading.Thread(target=verify_many) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_makes_a_call(pq: PostQ) -> None:
    # The parent has a running runtime and pooled connections before forking.
    assert pq.health().status == "ok"
    assert _native.runtime_pid() == os.getpid()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        code = 1
        try:
            os.close(read_end)
            scan = pq.scans.submit(type="url", target="forked", risk_score=1, risk_level="Low")
            ok = pq.scans.get(scan.id).id == scan.id and _native.runtime_pid() == os.getpid()
            os.write(write_end, scan.id.encode() if ok else b"mismatch")
            code = 0 if ok else 2
        except BaseException as e:  # report anything to the parent
            os.write(write_end, repr(e).encode())
        finally:
            os._exit(code)
    os.close(write_end)
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        waited, status = os.waitpid(pid, os.WNOHANG)
        if waited:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    message = os.read(read_end, 4096).decode()
    os.close(read_end)
    assert status is not None and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, message
    # The parent keeps working, and sees the child's scan.
    assert pq.scans.get(message).target == "forked"
    assert _native.runtime_pid() == os.getpid()


def test_repr_never_shows_secrets(server: Server, pq: PostQ) -> None:
    assert server.admin_key not in repr(pq)
    assert server.admin_key not in repr(pq._core)
    assert server.admin_key not in repr(postq.AsyncPostQ(api_key=server.admin_key, base_url=server.base_url))
    pair = postq.SealKeyPair.generate()
    assert pair.seed.hex() not in repr(pair) and len(pair.seed) == 96
    unsealed = postq.UnsealedCredential(
        id="cred_1",
        name="n",
        credential_type="api_key",
        keys=["key"],
        created_at="t",
        rotated_at=None,
        expires_at=None,
        version=1,
        seal_public_key_fingerprint=None,
        values={"key": "hunter2"},
    )
    assert "hunter2" not in repr(unsealed)


EXIT_SCRIPT = """
import asyncio, sys, postq
pq = postq.AsyncPostQ(api_key=sys.argv[1], base_url=sys.argv[2])

async def main() -> None:
    await asyncio.gather(*(pq.health() for _ in range(20)))
    async for _ in pq.scans.list_all(limit=1):
        break

asyncio.run(main())
"""


def test_interpreter_exits_cleanly_after_async_calls(server: Server) -> None:
    """Regression: worker threads must not touch Python while CPython finalizes."""
    for _ in range(6):
        done = subprocess.run(
            [sys.executable, "-X", "faulthandler", "-c", EXIT_SCRIPT, server.admin_key, server.base_url],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr


def test_ctrl_c_interrupts_a_blocked_call(pq: PostQ) -> None:
    """A blocking call wakes up for signals: SIGINT raises KeyboardInterrupt promptly."""
    slow = pq.with_options(headers={"X-PostQ-Fault": "delay=5000"}, max_retries=0)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        slow.scans.list(limit=1)
    timer.join()
    assert time.monotonic() - started < 2.0
    assert pq.health().status == "ok"


FORK_EXIT_SCRIPT = """
import os, sys, time, postq
pq = postq.PostQ(api_key=sys.argv[1], base_url=sys.argv[2])
pq.health()
for child_calls in (False, True):
    pid = os.fork()
    if pid == 0:
        if child_calls:
            pq.health()
        sys.exit(0)  # a normal exit: atexit, then finalization drops the client
    deadline = time.monotonic() + 20
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            sys.exit("child hung at exit")
        time.sleep(0.02)
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        sys.exit(f"child failed: {status}")
pq.health()
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_children_exit_cleanly(server: Server) -> None:
    done = subprocess.run(
        [sys.executable, "-X", "faulthandler", "-c", FORK_EXIT_SCRIPT, server.admin_key, server.base_url],
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
