"""Fixtures: the reference server (`postq-server`) on a free loopback port with a fresh
data dir and fault injection, and clients for it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

import postq

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"


def _target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def server_binary() -> Path:
    explicit = os.environ.get("POSTQ_SERVER_BIN")
    if explicit:
        return Path(explicit)
    binary = _target_dir() / "debug" / "postq-server"
    if not binary.exists():
        subprocess.run(["cargo", "build", "-p", "postq-server"], cwd=ROOT, check=True)
    return binary


@dataclass
class Server:
    """A running reference server."""

    base_url: str
    admin_key: str
    data_dir: Path
    binary: Path
    process: "subprocess.Popen[str]"
    _minted: Dict[str, str] = field(default_factory=lambda: {})

    def mint_key(self, scopes: List[str], org: str = "default") -> str:
        """An API key with exactly these scopes (in `org`; a new name makes a new org)."""
        cache = f"{org}:{','.join(scopes)}"
        if cache not in self._minted:
            out = subprocess.run(
                [
                    str(self.binary),
                    "keys",
                    "create",
                    "--data-dir",
                    str(self.data_dir),
                    "--org",
                    org,
                    "--scopes",
                    ",".join(scopes),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            self._minted[cache] = out.stdout.strip().splitlines()[-1]
        return self._minted[cache]

    def route_exists(self, path: str) -> bool:
        """Whether the server has a route (a 404 `not_found` on a list route means no)."""
        request = urllib.request.Request(
            self.base_url + path, headers={"Authorization": f"Bearer {self.admin_key}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10):
                return True
        except urllib.error.HTTPError as e:
            return e.code != 404
        return True

    def fault_supported(self, spec: str) -> bool:
        """Whether the server accepts this `X-PostQ-Fault` spec (e.g. `times=1`)."""
        request = urllib.request.Request(
            self.base_url + "/v1/scans?limit=1",
            headers={"Authorization": f"Bearer {self.admin_key}", "X-PostQ-Fault": spec},
        )
        try:
            with urllib.request.urlopen(request, timeout=10):
                return True
        except urllib.error.HTTPError as e:
            return bool(e.code != 400)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    binary = server_binary()
    data_dir = Path(tempfile.mkdtemp(prefix="postq-py-test-"))
    process = subprocess.Popen(
        [
            str(binary),
            "--listen",
            "127.0.0.1:0",
            "--data-dir",
            str(data_dir),
            "--faults",
            "--rate-limits",
            "scans_write=100000,read=100000,write=100000",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "POSTQ_SERVER_LOG": "warn"},
    )
    try:
        assert process.stdout is not None
        admin_key = ""
        base_url = ""
        for line in process.stdout:
            line = line.strip()
            if line.startswith("pq_live_"):
                admin_key = line
            elif line.startswith("postq-server listening on "):
                base_url = line.split()[3]
                break
        assert admin_key and base_url, "the server did not start"
        yield Server(base_url, admin_key, data_dir, binary, process)
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pq(server: Server) -> postq.PostQ:
    return postq.PostQ(api_key=server.admin_key, base_url=server.base_url)


@pytest.fixture(scope="session")
def apq(server: Server) -> postq.AsyncPostQ:
    return postq.AsyncPostQ(api_key=server.admin_key, base_url=server.base_url)
