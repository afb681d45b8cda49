"""The vault and hybrid TLS rollovers, blocking and asyncio; pyca/cryptography parses the
minted certificate and its one-shot private key."""

from __future__ import annotations

import asyncio
import os
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import postq
from postq import AsyncPostQ, PostQ, PostQConflictError, PostQPermissionError

from .conftest import Server

SIDECAR_OID = x509.ObjectIdentifier("1.3.9999.42.1")
SECRET = "sk_live_abc123"


# ---------------------------------------------------------------------------- vault


def test_vault(pq: PostQ) -> None:
    cred = pq.vault.seal(
        name="stripe-production-key",
        credential_type="api_key",
        values={"key": SECRET},
        ttl_days=90,
    )
    assert cred.id.startswith("cred_") and cred.keys == ["key"] and cred.version == 1
    assert cred.expires_at is not None

    unsealed = pq.vault.unseal(cred.id)
    assert unsealed.values == {"key": SECRET} and unsealed.id == cred.id
    assert SECRET not in repr(unsealed) and SECRET not in str(unsealed)

    rotated = pq.vault.rotate(cred.id)
    assert rotated.version == 2
    assert pq.vault.unseal(cred.id).values == {"key": SECRET}
    assert pq.vault.list(limit=1).data[0].id == cred.id
    assert cred.id in {c.id for c in pq.vault.list_all(limit=1)}

    deleted = pq.vault.delete(cred.id)
    assert deleted == postq.Deleted(id=cred.id, deleted=True)
    with pytest.raises(PostQPermissionError) as info:
        pq.vault.unseal(cred.id)
    assert (info.value.status, info.value.code) == (403, "access_denied")


def test_vault_uniform_403(server: Server) -> None:
    reader = PostQ(api_key=server.mint_key(["scans:read"]), base_url=server.base_url)
    with pytest.raises(PostQPermissionError):
        reader.vault.list()
    with pytest.raises(PostQPermissionError):
        reader.vault.unseal("cred_01ZZZZZZZZZZZZZZZZZZZZZZZZ")


def test_vault_async(apq: AsyncPostQ) -> None:
    async def go() -> None:
        cred = await apq.vault.seal(
            name="db", credential_type="password", values={"user": "u", "password": "p"}
        )
        assert sorted(cred.keys) == ["password", "user"]
        assert (await apq.vault.unseal(cred.id)).values["password"] == "p"
        assert (await apq.vault.rotate(cred.id)).version == 2
        assert (await apq.vault.list(limit=1)).data[0].id == cred.id
        assert cred.id in [c.id async for c in apq.vault.list_all()]
        assert (await apq.vault.delete(cred.id)).deleted

    asyncio.run(go())


# ------------------------------------------------------------------------ rollovers


def _finding(pq: PostQ, title: str = "App Service allows TLS-1.0-MIN") -> str:
    scan = pq.scans.submit(
        type="cloud",
        target="azure:contoso",
        risk_score=70,
        risk_level="High",
        findings=[{"severity": "high", "title": title}],
    )
    return scan.findings[0].id


def test_rollover(pq: PostQ, tmp_path: Path) -> None:
    created = pq.rollovers.create(finding_id=_finding(pq), hostname="App.Contoso.Example")
    assert created.id.startswith("tlsr_") and created.status == "planned"
    assert created.hostname == "app.contoso.example"
    assert "PRIVATE KEY" in created.private_key_pem
    assert "PRIVATE KEY" not in repr(created) and "cert.pem" in created.files
    assert [s.status for s in created.plan] == ["planned", "observation", "cutover", "completed"]

    # pyca/cryptography parses the certificate and the one-shot key, which match.
    cert = x509.load_pem_x509_certificate(created.certificate_pem.encode())
    ext = cert.extensions.get_extension_for_oid(SIDECAR_OID)
    assert ext.critical is False
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "app.contoso.example" in sans.get_values_for_type(x509.DNSName)
    assert format(cert.serial_number, "x") == created.serial
    key = serialization.load_pem_private_key(created.private_key_pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()  # type: ignore[union-attr]

    # The sidecar verifies offline, and the hostname is bound.
    report = postq.verify_certificate(created.certificate_pem, hostname="app.contoso.example")
    assert report.ok and report.failure is None and report.checks.pq_signature_ok
    assert report.binding is not None and report.binding.hostname == "app.contoso.example"
    wrong = postq.verify_certificate(created.certificate_pem.encode(), hostname="evil.example")
    assert (wrong.ok, wrong.failure) == (False, "hostname_ok")

    got = pq.rollovers.get(created.id)
    assert got.certificate_pem == created.certificate_pem
    assert not hasattr(got, "private_key_pem")
    assert pq.rollovers.list(limit=1).data[0].id == created.id
    assert created.id in {r.id for r in pq.rollovers.list_all()}

    artifact = pq.rollovers.download(created.id, "cert.pem")
    assert artifact.body.decode() == created.certificate_pem
    assert artifact.file_name == "postq-app.contoso.example-cert.pem"
    assert artifact.content_type.startswith("application/x-pem-file")
    paths = pq.rollovers.download_all(created.id, tmp_path / "bundle")
    assert len(paths) == 6 and all(p.exists() for p in paths)
    script = next(p for p in paths if p.name.endswith("bundle.sh"))
    assert os.stat(script).st_mode & stat.S_IXUSR

    assert pq.rollovers.transition(created.id, to="observation").status == "observation"
    with pytest.raises(PostQConflictError) as info:
        pq.rollovers.transition(created.id, to="completed")
    assert info.value.code == "invalid_transition"
    back = pq.rollovers.rollback(created.id)
    assert back.status == "rolled_back"
    assert [h.to for h in back.history] == ["planned", "observation", "rolled_back"]
    assert back.history[0].from_ is None


def test_rollover_async(pq: PostQ, apq: AsyncPostQ, tmp_path: Path) -> None:
    finding = _finding(pq, "HTTPS-NOT-ENFORCED on app")

    async def go() -> None:
        created = await apq.rollovers.create(
            finding_id=finding, hostname="shop.contoso.example", observation_window_hours=48
        )
        assert created.observation_window_hours == 48
        assert (await apq.rollovers.get(created.id)).id == created.id
        assert (await apq.rollovers.list(limit=1)).data[0].id == created.id
        assert created.id in [r.id async for r in apq.rollovers.list_all()]
        art = await apq.rollovers.download(created.id, "site.bicep")
        assert art.body
        assert len(await apq.rollovers.download_all(created.id, tmp_path)) == 6
        for to in ("observation", "cutover", "completed"):
            assert (await apq.rollovers.transition(created.id, to=to)).status == to
        # rolled_back is reachable from completed too; nothing moves it afterwards.
        assert (await apq.rollovers.rollback(created.id)).status == "rolled_back"
        with pytest.raises(PostQConflictError):
            await apq.rollovers.rollback(created.id)

    asyncio.run(go())
