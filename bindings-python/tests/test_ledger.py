"""The audit ledger's witness and offline proofs (docs/formats.md §7): against the
reference server (pin, grow, prove consistency; tampered states refused; inclusion of
every row) and against ``tests/vectors/ledger-tree.json``."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any, Dict, List, Optional

import pytest

from postq import (
    AsyncPostQ,
    PostQ,
    PostQError,
    PostQValidationError,
    SignedCheckpoint,
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)

from .conftest import VECTORS, Server

LEDGER_SCOPES = ["audit:read", "keys:write"]


def refusal(error: pytest.ExceptionInfo[PostQError], code: str) -> None:
    """A ledger refusal: exactly PostQError (kind crypto), never a subclass, and its code."""
    assert type(error.value) is PostQError, repr(error.value)
    assert error.value.code == code, repr(error.value)


def org_client(server: Server, org: str) -> PostQ:
    """A client of its own organisation, so its ledger grows only by this test."""
    return PostQ(api_key=server.mint_key(LEDGER_SCOPES, org=org), base_url=server.base_url)


def grow(pq: PostQ, rows: int) -> None:
    for i in range(rows):
        pq.hybrid_keys.create(name=f"ledger-growth-{i}")


# ------------------------------------------------------------- against the server


def test_witness_pins_on_first_use_then_proves_the_log_only_grew(server: Server) -> None:
    pq = org_client(server, "org_py_witness")
    grow(pq, 2)
    first = pq.audit.witness()
    assert (first.outcome, first.key_source) == ("first", "trust_on_first_use")
    assert first.previous is None
    assert first.ledger_key == pq.audit.ledger_key()
    assert first.checkpoint.tree_size >= 2
    assert verify_checkpoint(first.ledger_key, first.checkpoint) == first.checkpoint
    assert json.loads(first.state)["checkpoint"] == first.checkpoint.checkpoint

    same = pq.audit.witness(state=first.state)
    assert (same.outcome, same.key_source) == ("unchanged", "state")
    assert same.previous == first.checkpoint

    grow(pq, 3)
    grown = pq.audit.witness(state=same.state, ledger_key=first.ledger_key)
    assert (grown.outcome, grown.key_source) == ("extended", "state")
    assert grown.previous is not None
    assert grown.previous.tree_size == first.checkpoint.tree_size
    assert grown.checkpoint.tree_size == first.checkpoint.tree_size + 3
    # The same proof, checked offline from the two signed checkpoints.
    proof = pq.audit.consistency_proof(
        tree_size_1=grown.previous.tree_size, tree_size_2=grown.checkpoint.tree_size
    )
    assert len(proof.consistency_path) > 0
    assert verify_consistency(grown.ledger_key, grown.previous, grown.checkpoint, proof) == (
        grown.checkpoint
    )
    with pytest.raises(PostQError) as shrink:
        verify_consistency(grown.ledger_key, grown.checkpoint, grown.previous)
    refusal(shrink, "ledger_shrink")

    # A key given without a state is pinned as given.
    given = pq.audit.witness(ledger_key=first.ledger_key.to_json())
    assert (given.outcome, given.key_source) == ("first", "given")

    # Every row is in the held checkpoint, by the state or by checkpoint + key.
    size = grown.checkpoint.tree_size
    rows = list(pq.audit.list_all())[:size]
    assert [r.seq for r in rows] == list(range(1, size + 1))
    for row in rows:
        proof_i = pq.audit.inclusion_proof(seq=row.seq, tree_size=size)
        assert verify_inclusion(row, proof_i, state=grown.state) == grown.checkpoint
        assert verify_inclusion(
            row.to_dict(),
            proof_i,
            ledger_key=grown.ledger_key,
            checkpoint=grown.checkpoint.checkpoint,
        ) == grown.checkpoint
    # An edited row, or a proof for another tree size, is refused.
    edited = dict(rows[0].to_dict(), actor="apikey:someone_else")
    first_proof = pq.audit.inclusion_proof(seq=1, tree_size=size)
    with pytest.raises(PostQError) as bad_row:
        verify_inclusion(edited, first_proof, state=grown.state)
    refusal(bad_row, "ledger_inclusion_failed")
    older_proof = pq.audit.inclusion_proof(seq=1, tree_size=size - 1)
    with pytest.raises(PostQError) as bad_size:
        verify_inclusion(rows[0], older_proof, state=grown.state)
    refusal(bad_size, "ledger_inclusion_failed")


def test_witness_refuses_another_key_and_a_forged_checkpoint(server: Server) -> None:
    pq = org_client(server, "org_py_tamper")
    grow(pq, 1)
    good = pq.audit.witness()
    other = org_client(server, "org_py_tamper_other")
    other_key = other.audit.ledger_key()
    assert other_key.origin != good.ledger_key.origin

    # Pinned to another organisation's log: the server's checkpoints are not its.
    with pytest.raises(PostQError) as wrong_log:
        pq.audit.witness(ledger_key=other_key)
    refusal(wrong_log, "ledger_bad_signature")
    other_state = other.audit.witness().state
    with pytest.raises(PostQError) as wrong_state:
        pq.audit.witness(state=other_state)
    refusal(wrong_state, "ledger_bad_signature")
    # A key given with a state must be the pinned one.
    with pytest.raises(PostQError) as changed:
        pq.audit.witness(state=good.state, ledger_key=other_key)
    refusal(changed, "ledger_key_changed")

    # A forged checkpoint in the state: another root, another size.
    state = json.loads(good.state)
    body, signatures = state["checkpoint"].split("\n\n", 1)
    origin, size, _root = body.split("\n")
    other_root = base64.b64encode(bytes(32)).decode()
    for forged_body in (f"{origin}\n{size}\n{other_root}", f"{origin}\n{int(size) + 5}\n{_root}"):
        forged = dict(state, checkpoint=f"{forged_body}\n\n{signatures}")
        with pytest.raises(PostQError) as forged_error:
            pq.audit.witness(state=json.dumps(forged))
        refusal(forged_error, "ledger_bad_signature")
        with pytest.raises(PostQError) as offline_error:
            verify_checkpoint(good.ledger_key, forged["checkpoint"])
        refusal(offline_error, "ledger_bad_signature")

    # Malformed input is a validation error, not a refusal.
    with pytest.raises(PostQValidationError) as garbage:
        pq.audit.witness(state="{not json")
    assert garbage.value.code == "invalid_input"
    with pytest.raises(PostQValidationError):
        pq.audit.witness(ledger_key="{not json")
    with pytest.raises(PostQValidationError):
        verify_inclusion({}, {}, state=good.state, ledger_key=good.ledger_key)

    # The good state still advances after the refusals.
    assert pq.audit.witness(state=good.state).outcome == "unchanged"


def test_witness_async(server: Server) -> None:
    apq = AsyncPostQ(
        api_key=server.mint_key(LEDGER_SCOPES, org="org_py_witness_async"),
        base_url=server.base_url,
    )

    async def go() -> None:
        await apq.hybrid_keys.create(name="async-ledger")
        first = await apq.audit.witness()
        assert first.key_source == "trust_on_first_use"
        await apq.hybrid_keys.create(name="async-ledger-2")
        grown = await apq.audit.witness(state=first.state)
        assert grown.outcome == "extended"
        assert grown.previous == first.checkpoint
        other = await AsyncPostQ(
            api_key=server.mint_key(LEDGER_SCOPES, org="org_py_witness_async_other"),
            base_url=server.base_url,
        ).audit.ledger_key()
        with pytest.raises(PostQError) as changed:
            await apq.audit.witness(state=grown.state, ledger_key=other)
        refusal(changed, "ledger_key_changed")

    asyncio.run(go())


# ------------------------------------------------------------- against the vectors

TREE: Dict[str, Any] = json.loads((VECTORS / "ledger-tree.json").read_text(encoding="utf-8"))
KEY: str = TREE["ledgerKey"]["json"]
SIGNED: Dict[str, str] = {c["name"]: c["note"] for c in TREE["signedCheckpoints"]}
ROWS: List[Dict[str, Any]] = [leaf["row"] for leaf in TREE["leaves"]]
LEAF_ROWS: Dict[str, Dict[str, Any]] = {leaf["leafHash"]: leaf["row"] for leaf in TREE["leaves"]}


def root_of(note: str) -> str:
    return note.split("\n")[2]


#: The signed checkpoint of each root the vectors sign (honest and forged logs).
BY_ROOT: Dict[str, str] = {root_of(note): note for note in SIGNED.values()}
HONEST: Dict[int, str] = {
    c["treeSize"]: c["note"] for c in TREE["signedCheckpoints"] if c["name"].startswith("honest")
}


def state_of(note: str) -> str:
    """A witness state file holding `note` (docs/formats.md §7)."""
    return json.dumps({"v": 1, "key": json.loads(KEY), "checkpoint": note})


def test_vector_checkpoints() -> None:
    for name, note in SIGNED.items():
        verified = verify_checkpoint(KEY, note)
        assert isinstance(verified, SignedCheckpoint)
        assert verified.checkpoint == note and verified.root_hash == root_of(note), name
    for case in TREE["invalidCheckpoints"]:
        with pytest.raises(PostQError) as error:
            verify_checkpoint(KEY, case["note"])
        assert error.value.code == case["expected"], case["name"]
        expected_class = PostQValidationError if case["expected"] == "invalid_input" else PostQError
        assert type(error.value) is expected_class, case["name"]


def test_vector_inclusion_proofs() -> None:
    checked = 0
    for proof in TREE["inclusionProofs"]:
        note = HONEST.get(proof["treeSize"])
        if note is None:
            continue  # only the signed sizes have a checkpoint to prove against
        row: Dict[str, Any] = ROWS[int(proof["leafIndex"])]
        assert verify_inclusion(row, proof, ledger_key=KEY, checkpoint=note).checkpoint == note
        assert verify_inclusion(row, proof, state=state_of(note)).tree_size == proof["treeSize"]
        checked += 1
    assert checked == 3 + 5 + 13
    for case in TREE["invalidInclusionProofs"]:
        index = int(case["proof"]["leafIndex"])
        known: Optional[Dict[str, Any]] = LEAF_ROWS.get(case["leafHash"])
        # A forged row: an edited copy of the row at that index.
        claimed = known or {**ROWS[min(index, len(ROWS) - 1)], "actor": "apikey:forger"}
        with pytest.raises(PostQError) as error:
            verify_inclusion(claimed, case["proof"], ledger_key=KEY, checkpoint=BY_ROOT[case["root"]])
        refusal(error, "ledger_inclusion_failed")


def test_vector_consistency_proofs() -> None:
    checked = 0
    for proof in TREE["consistencyProofs"]:
        older, newer = HONEST.get(proof["treeSize1"]), HONEST.get(proof["treeSize2"])
        if older is None or newer is None:
            continue  # only between signed sizes
        assert verify_consistency(KEY, older, newer, proof).checkpoint == newer
        checked += 1
    assert checked == 10  # pairs m <= n of the signed sizes 0, 3, 5, 13
    for case in TREE["invalidConsistencyProofs"]:
        with pytest.raises(PostQError) as error:
            verify_consistency(KEY, BY_ROOT[case["root1"]], BY_ROOT[case["root2"]], case["proof"])
        refusal(error, "ledger_consistency_failed")


@pytest.mark.parametrize("case", TREE["witness"], ids=lambda c: str(c["name"]))
def test_vector_witness_rules(case: Dict[str, Any]) -> None:
    new = SIGNED[case["new"]]
    proof: Optional[Dict[str, Any]] = case["proof"]

    def check() -> SignedCheckpoint:
        if not case["held"]:
            return verify_checkpoint(KEY, new)
        return verify_consistency(KEY, SIGNED[case["held"]], new, proof)

    if case["expected"] in ("first", "unchanged", "extended"):
        assert check().checkpoint == new
    else:
        with pytest.raises(PostQError) as error:
            check()
        refusal(error, case["expected"])
