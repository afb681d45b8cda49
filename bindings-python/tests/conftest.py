"""Fixtures: the reference server (`postq-server`) on a free loopback port with a fresh
data dir and fault injection, and clients for it. With ``POSTQ_COMMAND_LOG`` set (as
run-tests.sh does) every command the suite sends is recorded there by op name, for
``command_coverage.py``."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

import postq
from postq import _client

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"


def _record_commands(log: str) -> None:
    """Wrap the two places a command crosses into Rust so each op name is logged."""
    native_call = _client._native_call
    native_stream = _client._native_stream

    def note(command: Any) -> None:
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{command.op}\n")

    def call(core: Any, request: Any, is_async: bool) -> Any:
        note(request.command)
        return native_call(core, request, is_async)

    def stream(core: Any, listing: Any) -> Any:
        note(listing.command)
        return native_stream(core, listing)

    setattr(_client, "_native_call", call)
    setattr(_client, "_native_stream", stream)


if os.environ.get("POSTQ_COMMAND_LOG"):
    _record_commands(os.environ["POSTQ_COMMAND_LOG"])


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
