"""postq quickstart (Python): submit a scan, sign with a hybrid ML-DSA-65 + Ed25519 key,
verify on the server and offline, and check the audit chain.

Run it against the reference server:

    cargo run -p postq-server -- --memory          # prints an admin key and the URL
    export POSTQ_API_KEY=pq_live_…  POSTQ_BASE_URL=http://127.0.0.1:8787
    pip install ./bindings-python
    python examples/python_quickstart.py
"""

from __future__ import annotations

import asyncio

import postq
from postq import AsyncPostQ, PostQ, PostQError


def main() -> None:
    pq = PostQ()  # POSTQ_API_KEY, POSTQ_BASE_URL

    scan = pq.scans.submit(
        type="url",
        target="example.com",
        risk_score=85,
        risk_level="High",
        findings=[{"severity": "high", "title": "RSA-2048 public key"}],
    )
    print(f"scan {scan.id}: {scan.url}")

    key = pq.hybrid_keys.create(name="release-signing")
    sig = pq.sign(key_id=key.id, payload=b"ship it")
    ok = pq.verify(key_id=key.id, payload=b"ship it", signature=sig.signature).ok
    print(f"key {key.id} signed; server verify ok={ok}")

    # Anyone holding the published public key verifies offline, no API call.
    offline = postq.verify_offline(key.public_key, b"ship it", sig.signature)
    print(f"offline: ok={offline.ok} (Ed25519 {offline.classical_ok}, ML-DSA-65 {offline.pq_ok})")

    for summary in pq.scans.list_all(limit=50):
        print(f"  {summary.id} {summary.risk_level:<8} {summary.target}")
        break

    report = pq.audit.verify_chain()
    print(f"audit chain: ok={report.ok} over {report.rows} rows")

    try:
        pq.scans.get("scan_does_not_exist")
    except PostQError as e:
        print(f"expected error: {type(e).__name__} {e.status} {e.code}")


async def main_async() -> None:
    pq = AsyncPostQ()
    key = await pq.hybrid_keys.create(name="async-signing")
    signatures = await asyncio.gather(
        *(pq.sign(key_id=key.id, payload=f"artifact-{i}") for i in range(3))
    )
    print(f"async: {len(signatures)} signatures from {key.id}")
    async for summary in pq.scans.list_all(limit=10):
        print(f"  newest scan {summary.id}")
        break


if __name__ == "__main__":
    main()
    asyncio.run(main_async())
