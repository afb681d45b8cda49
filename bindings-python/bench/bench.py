"""postq Python benchmark: prints numbers and ratios from one run (machines are noisy;
compare side by side).

1. Offline hybrid verify per second from Python (``postq.verify_offline``) vs the same
   call timed in Rust (``bench/rust_verify.rs``, release) — goal: ≤ 10 % overhead.
2. The same vs a pure-Python ML-DSA-65 peer (``dilithium-py``, verifying only the
   ML-DSA half) if it is installed — goal: ≥ 50×.
3. ``scans.submit`` round trips per second (sequential, one connection) vs ``httpx``
   doing the same POST against the same local reference server — goal: ≥ 1.5×.

Run it with ``bash bindings-python/bench/run.sh`` (release builds, a venv with httpx and
dilithium-py). Options: ``--seconds S`` per measurement, ``--submits N``,
``--server-bin PATH``, ``--skip-rust``.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import postq

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors" / "hybrid.json"
PREFIX = b"CompositeAlgorithmSignatures2025"
LABEL = b"COMPSIG-MLDSA65-Ed25519-SHA512"


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds`` (after a short warm-up)."""
    for _ in range(5):
        fn()
    n = 0
    start = time.perf_counter()
    while True:
        for _ in range(10):
            fn()
        n += 10
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def vector() -> Tuple[str, bytes, str, Dict[str, Any]]:
    doc: Dict[str, Any] = json.loads(VECTORS.read_text())
    case: Dict[str, Any] = doc["valid"][0]
    key: Dict[str, Any] = next(k for k in doc["keys"] if k["name"] == case["key"])
    return key["publicKey"], bytes.fromhex(case["payload"]), case["signature"], key


def rust_figure(seconds: float) -> Optional[float]:
    cmd = [
        "cargo",
        "run",
        "-q",
        "--release",
        "-p",
        "postq-python",
        "--example",
        "python-rust-verify-bench",
        "--",
        str(VECTORS),
        str(seconds),
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"  (Rust timing failed: {done.stderr.strip()[-400:]})")
        return None
    result: Dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return float(result["per_second"])


def dilithium_figure(public_key_json: str, payload: bytes, signature: str, seconds: float) -> Optional[float]:
    try:
        mod: Any = importlib.import_module("dilithium_py.ml_dsa")
    except ImportError:
        print("  dilithium-py is not installed (pip install dilithium-py): skipped")
        return None
    ml_dsa_65: Any = mod.ML_DSA_65
    pk = base64.b64decode(json.loads(public_key_json)["mldsa65"])
    sig = base64.b64decode(json.loads(base64.b64decode(signature))["mldsa65"])
    m_prime = PREFIX + LABEL + b"\x00" + hashlib.sha512(payload).digest()
    if not ml_dsa_65.verify(pk, m_prime, sig, ctx=LABEL):
        print("  dilithium-py does not verify postq's ML-DSA-65 half!")
        return None
    print("  (dilithium-py verifies postq's ML-DSA-65 half: interop ok)")
    return rate(lambda: ml_dsa_65.verify(pk, m_prime, sig, ctx=LABEL), seconds)


def start_server(binary: Path) -> Tuple["subprocess.Popen[str]", str, str, Path]:
    data_dir = Path(tempfile.mkdtemp(prefix="postq-py-bench-"))
    process = subprocess.Popen(
        [
            str(binary),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(data_dir),
            "--rate-limits",
            "scans_write=10000000,read=10000000,write=10000000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "POSTQ_SERVER_LOG": "warn"},
    )
    assert process.stdout is not None
    key = url = ""
    for line in process.stdout:
        line = line.strip()
        if line.startswith("pq_live_"):
            key = line
        elif line.startswith("postq-server listening on "):
            url = line.split()[3]
            break
    return process, key, url, data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--submits", type=int, default=1000)
    parser.add_argument("--server-bin", type=Path, default=None)
    parser.add_argument("--skip-rust", action="store_true")
    args = parser.parse_args()
    seconds: float = args.seconds

    print(f"postq {postq.__version__} — Python benchmark ({os.cpu_count()} CPUs)")
    public_key, payload, signature, _ = vector()
    assert postq.verify_offline(public_key, payload, signature).ok

    print("\n1. offline hybrid verify (ML-DSA-65 + Ed25519, hybrid.json valid[0])")
    verify = postq.verify_offline
    py_rate = rate(lambda: verify(public_key, payload, signature), seconds)
    print(f"  Python postq.verify_offline:   {py_rate:10.1f} verifications/s")
    rust_rate = None if args.skip_rust else rust_figure(seconds)
    if rust_rate:
        overhead = (rust_rate / py_rate - 1) * 100
        print(f"  Rust postq::Client::verify_offline: {rust_rate:10.1f} verifications/s")
        print(f"  Python overhead vs Rust: {overhead:+.1f} %  (goal ≤ 10 %)")

    print("\n2. vs a pure-Python ML-DSA-65 (dilithium-py, the ML-DSA half only)")
    peer = dilithium_figure(public_key, payload, signature, max(seconds, 3.0))
    if peer:
        print(f"  dilithium-py ML_DSA_65.verify:  {peer:10.2f} verifications/s")
        print(f"  postq / dilithium-py: {py_rate / peer:.0f}×  (goal ≥ 50×)")

    print("\n3. scans.submit round trips (sequential, one client, local reference server)")
    binary: Optional[Path] = args.server_bin
    if binary is None:
        release = ROOT / "target" / "release" / "postq-server"
        binary = release if release.exists() else ROOT / "target" / "debug" / "postq-server"
    print(f"  server: {binary}")
    process, key, url, data_dir = start_server(binary)
    try:
        pq = postq.PostQ(api_key=key, base_url=url, max_retries=0)
        n: int = args.submits
        findings: Any = [{"severity": "high", "title": "RSA-2048 public key"}]

        def postq_submit() -> None:
            pq.scans.submit(
                type="url", target="bench.example", risk_score=85, risk_level="High", findings=findings
            )

        for _ in range(20):
            postq_submit()
        start = time.perf_counter()
        for _ in range(n):
            postq_submit()
        postq_rate = n / (time.perf_counter() - start)
        print(f"  postq (Rust core):  {postq_rate:8.1f} submits/s")

        try:
            httpx: Any = importlib.import_module("httpx")
        except ImportError:
            print("  httpx is not installed (pip install httpx): skipped")
            return
        body = {
            "type": "url",
            "target": "bench.example",
            "riskScore": 85,
            "riskLevel": "High",
            "findings": findings,
        }
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}) as client:

            def httpx_submit() -> None:
                response: Any = client.post("/v1/scans", json=body)
                response.raise_for_status()
                response.json()

            for _ in range(20):
                httpx_submit()
            start = time.perf_counter()
            for _ in range(n):
                httpx_submit()
            httpx_rate = n / (time.perf_counter() - start)
        print(f"  httpx:              {httpx_rate:8.1f} submits/s")
        print(f"  postq / httpx: {postq_rate / httpx_rate:.2f}×  (goal ≥ 1.5×)")
    finally:
        process.kill()
        process.wait()
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)


if __name__ == "__main__":
    main()
