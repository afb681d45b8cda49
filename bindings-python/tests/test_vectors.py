"""Offline verification of the shared vectors in tests/vectors/, and pyca/cryptography
checking the Ed25519 half independently."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any, Dict, List

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import postq
from postq import PostQError, PostQValidationError

from .conftest import VECTORS


def load(name: str) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads((VECTORS / name).read_text())
    return data


HYBRID = load("hybrid.json")
KEYS = {k["name"]: k for k in HYBRID["keys"]}
NOBLE = load("noble-hybrid.json")
NOBLE_KEYS = {k["name"]: k for k in NOBLE["keys"]}


def ids(cases: List[Dict[str, Any]]) -> List[str]:
    return [c["name"] for c in cases]


@pytest.mark.parametrize("case", HYBRID["valid"], ids=ids(HYBRID["valid"]))
def test_hybrid_valid(case: Dict[str, Any]) -> None:
    key = KEYS[case["key"]]
    payload = bytes.fromhex(case["payload"])
    assert postq.verify_offline(key["publicKey"], payload, case["signature"]) == postq.VerifyResult(
        ok=True, classical_ok=True, pq_ok=True
    )
    assert postq.verify_offline(key["jwk"], payload, case["signature"]).ok


@pytest.mark.parametrize("case", NOBLE["valid"], ids=ids(NOBLE["valid"]))
def test_noble_signatures_verify(case: Dict[str, Any]) -> None:
    key = NOBLE_KEYS[case["key"]]
    assert postq.verify_offline(key["publicKey"], bytes.fromhex(case["payload"]), case["signature"]).ok


@pytest.mark.parametrize("case", HYBRID["invalid"], ids=ids(HYBRID["invalid"]))
def test_hybrid_invalid(case: Dict[str, Any]) -> None:
    key = KEYS[case["key"]]
    payload = bytes.fromhex(case["payload"])
    expected = case["expected"]
    if expected["error"] is None:
        result = postq.verify_offline(key["publicKey"], payload, case["signature"])
        assert (result.ok, result.classical_ok, result.pq_ok) == (
            expected["ok"],
            expected["classicalOk"],
            expected["pqOk"],
        )
    else:
        with pytest.raises(PostQValidationError) as info:
            postq.verify_offline(key["publicKey"], payload, case["signature"])
        assert info.value.code == expected["error"]


@pytest.mark.parametrize("case", HYBRID["valid"], ids=ids(HYBRID["valid"]))
def test_ed25519_half_with_pyca(case: Dict[str, Any]) -> None:
    """M' = Prefix ‖ Label ‖ 0x00 ‖ SHA-512(payload), computed here independently."""
    key = json.loads(KEYS[case["key"]]["publicKey"])
    envelope = json.loads(base64.b64decode(case["signature"]))
    payload = bytes.fromhex(case["payload"])
    m_prime = (
        HYBRID["prefix"].encode() + HYBRID["label"].encode() + b"\x00" + hashlib.sha512(payload).digest()
    )
    assert m_prime.hex() == case["messageRepresentative"]
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["ed25519"]))
    public.verify(base64.b64decode(envelope["ed25519"]), m_prime)
    with pytest.raises(InvalidSignature):
        public.verify(base64.b64decode(envelope["ed25519"]), m_prime + b"x")


SIDECAR = load("sidecar.json")


@pytest.mark.parametrize("case", SIDECAR["certificates"], ids=ids(SIDECAR["certificates"]))
def test_sidecar(case: Dict[str, Any]) -> None:
    report = postq.verify_certificate(case["pem"], hostname=case["hostname"], at=case["at"])
    assert (report.ok, report.failure) == (case["expected"]["ok"], case["expected"]["failure"])


def test_sidecar_not_a_certificate() -> None:
    with pytest.raises(PostQValidationError) as info:
        postq.verify_certificate(b"not a certificate")
    assert info.value.code == "invalid_certificate"


SEAL = load("seal.json")
RECIPIENTS = {r["name"]: r for r in SEAL["recipients"]}


@pytest.mark.parametrize("case", SEAL["valid"], ids=ids(SEAL["valid"]))
def test_seal_open(case: Dict[str, Any]) -> None:
    recipient = RECIPIENTS[case["recipient"]]
    seed = bytes.fromhex(recipient["seed"])
    aad = bytes.fromhex(case["aad"])
    plain = postq.open_sealed(seed, case["envelope"], aad=aad)
    assert plain.hex() == case["plaintext"]
    pair = postq.SealKeyPair(seed)
    assert pair.public_key == recipient["publicKey"]
    assert pair.open(case["envelope"], aad=aad) == plain


@pytest.mark.parametrize("case", SEAL["invalid"], ids=ids(SEAL["invalid"]))
def test_seal_open_invalid(case: Dict[str, Any]) -> None:
    seed = bytes.fromhex(RECIPIENTS[case["recipient"]]["seed"])
    with pytest.raises(PostQError) as info:
        postq.open_sealed(seed, case["envelope"], aad=bytes.fromhex(case["aad"]))
    # formats.md §5: another suite byte is `unsupported_version`; the rest one opaque error.
    expected = "unsupported_version" if case["name"] == "unknown-suite" else "seal_open_failed"
    assert info.value.code == expected


def test_seal_round_trip() -> None:
    pair = postq.SealKeyPair.generate()
    envelope = postq.seal(pair.public_key, "sk_live_abc123", aad=b"cred_01")
    assert pair.open(envelope, aad=b"cred_01") == b"sk_live_abc123"
    with pytest.raises(PostQError):
        pair.open(envelope, aad=b"cred_02")
    with pytest.raises(PostQValidationError):
        postq.seal("bm90IGEga2V5", b"x")


LEDGER = load("ledger.json")


@pytest.mark.parametrize("case", LEDGER["chains"], ids=ids(LEDGER["chains"]))
def test_ledger(case: Dict[str, Any]) -> None:
    expected = case["expected"]
    report = postq.verify_audit_chain(case["rows"], complete=expected["complete"])
    assert (report.ok, report.failed_seq, report.reason) == (
        expected["ok"],
        expected["failedSeq"],
        expected["reason"],
    )
    rows = [postq.AuditEntry.from_dict(r) for r in case["rows"]]
    assert postq.verify_audit_chain(rows, complete=expected["complete"]).ok == expected["ok"]


def test_vectors_dir_exists() -> None:
    assert Path(VECTORS, "hybrid.json").exists()
