"""The generated models agree with the schema they came from, and the thin codec keeps
its promises (camelCase on the wire, required fields required, secrets out of repr)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, Dict

import pytest

import postq
from postq import _generated
from postq._codec import Model, wire_name
from postq._types import FindingInput

SCHEMA: Dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "schema" / "postq.schema.json").read_text()
)


def _properties(name: str) -> Dict[str, Any]:
    """A schema's properties, following `allOf` (inherited fields)."""
    schema = SCHEMA["$defs"][name]
    props: Dict[str, Any] = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        ref = part.get("$ref", "")
        props.update(_properties(ref.rsplit("/", 1)[-1]) if ref else part.get("properties", {}))
    return props


def test_every_generated_field_maps_to_its_wire_name() -> None:
    checked = 0
    for name in SCHEMA["$defs"]:
        cls = getattr(_generated, name, None)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            continue
        wire = {wire_name(f.name) for f in dataclasses.fields(cls)}
        assert wire == set(_properties(name)), name
        checked += 1
    assert checked > 40


def test_the_finding_dict_type_matches_the_model() -> None:
    assert set(FindingInput.__required_keys__ | FindingInput.__optional_keys__) == set(
        _properties("FindingInput")
    )


def test_a_missing_required_field_is_an_error_not_none() -> None:
    with pytest.raises(ValueError, match="riskScore"):
        postq.ScanSummary.from_dict(
            {"id": "scan_1", "type": "url", "target": "t", "riskLevel": "Low", "createdAt": "x"}
        )


def test_round_trip_and_secret_fields_stay_out_of_repr() -> None:
    row = {
        "id": "cred_1",
        "name": "db",
        "credentialType": "password",
        "keys": ["p"],
        "createdAt": "2026-01-01T00:00:00Z",
        "rotatedAt": None,
        "expiresAt": None,
        "version": 1,
        "sealPublicKeyFingerprint": None,
        "values": {"p": "hunter2"},
    }
    cred = postq.UnsealedCredential.from_dict(row)
    assert isinstance(cred, postq.Credential) and isinstance(cred, Model)
    assert cred.values == {"p": "hunter2"} and "hunter2" not in repr(cred)
    assert cred.to_dict() == row
    options = _generated.ClientOptions(api_key="pq_live_secret")
    assert "pq_live_secret" not in repr(options)
    assert bool(postq.VerifyResult(ok=False, classical_ok=True, pq_ok=False)) is False
