// Vault, hybrid TLS rollovers (with the PostQ API reference's "PQ verification recipe":
// noble + @peculiar/x509 on a certificate minted through the SDK) and the audit ledger.
import 'reflect-metadata' // @peculiar/x509 needs a Reflect metadata polyfill
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js'
import { X509Certificate } from '@peculiar/x509'
import * as asn1js from 'asn1js'
import {
  PostQ, PostQError, PostQPermissionError, PostQConflictError, PostQNotFoundError, PostQValidationError,
  verifyCertificate, verifyLedgerChain,
} from '../index.mjs'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServer, SCAN } from './helpers.mjs'

let server
let pq
before(async () => {
  server = await startServer()
  pq = new PostQ({ apiKey: server.apiKey, baseUrl: server.baseUrl })
})
after(async () => {
  await server?.close()
})

/** The reference's recipe, step 2: read the PostQ hybrid extension (OID 1.3.9999.42.1). */
function parsePostqHybridExt(ext) {
  assert.ok(ext, 'certificate has the 1.3.9999.42.1 extension')
  assert.equal(ext.critical, false)
  const parsed = asn1js.fromBER(ext.value)
  assert.notEqual(parsed.offset, -1)
  const [oid, publicKey, signature, binding] = parsed.result.valueBlock.value
  return {
    algorithmOid: oid.valueBlock.toString(),
    publicKey: new Uint8Array(publicKey.valueBlock.valueHexView),
    signature: new Uint8Array(signature.valueBlock.valueHexView),
    binding: new Uint8Array(binding.valueBlock.valueHexView),
  }
}

async function cloudFinding(title = 'TLS-1.0-MIN: App Service allows TLS 1.0') {
  const scan = await pq.scans.submit({
    type: 'cloud', target: 'azure:sub/rg/app', riskScore: 70, riskLevel: 'High',
    findings: [{ severity: 'high', title }],
  })
  return scan.findings[0].id
}

test('rollovers: create (one-shot key, hidden from inspect), the reference PQ recipe, SDK sidecar check', async () => {
  const findingId = await cloudFinding()
  const created = await pq.rollovers.create({ findingId, hostname: 'App.Contoso.Example', observationWindowHours: 12 })
  assert.match(created.id, /^tlsr_/)
  assert.equal(created.status, 'planned')
  assert.equal(created.hostname, 'app.contoso.example')
  assert.equal(created.observationWindowHours, 12)
  assert.match(created.privateKeyPem, /-----BEGIN PRIVATE KEY-----/)
  assert.deepEqual(Object.keys(created.files).sort(), [...created.artifacts].sort())
  const shown = inspect(created, { depth: 5 })
  assert.ok(!shown.includes('BEGIN PRIVATE KEY'), 'private key hidden from inspect')
  assert.ok(shown.includes('[redacted]'))

  // The PostQ API reference's "PQ verification recipe", unchanged: noble + @peculiar/x509.
  const cert = new X509Certificate(created.certificatePem)
  const ext = parsePostqHybridExt(cert.getExtension('1.3.9999.42.1'))
  assert.equal(ext.algorithmOid, '2.16.840.1.101.3.4.3.18')
  const pqOk = ml_dsa65.verify(ext.signature, ext.binding, ext.publicKey)
  assert.equal(pqOk, true, 'hybrid binding is intact')
  assert.equal(new TextDecoder().decode(ext.binding), created.binding)

  // and the SDK's own offline check of all eight sidecar checks
  const report = verifyCertificate(created.certificatePem, { hostname: 'app.contoso.example' })
  assert.equal(report.ok, true, JSON.stringify(report))
  assert.equal(report.binding.hostname, 'app.contoso.example')
  assert.equal(verifyCertificate(created.certificatePem, { hostname: 'evil.example' }).failure, 'hostname_ok')
})

test('rollovers: get, list, listAll, transition, rollback, download, downloadAll, errors', async () => {
  const a = await pq.rollovers.create({ findingId: await cloudFinding(), hostname: 'app.contoso.example' })
  const b = await pq.rollovers.create({ findingId: await cloudFinding('HTTPS-NOT-ENFORCED'), hostname: 'www.contoso.example' })
  const got = await pq.rollovers.get(a.id)
  assert.equal(got.id, a.id)
  assert.equal('privateKeyPem' in got, false, 'never returned again')
  const page = await pq.rollovers.list({ limit: 1 })
  assert.equal(page.data.length, 1)
  const all = []
  for await (const r of pq.rollovers.listAll({ limit: 1 })) all.push(r.id)
  assert.ok(all.includes(a.id) && all.includes(b.id))
  assert.equal(new Set(all).size, all.length, 'no duplicates across pages')

  let r = await pq.rollovers.transition(a.id, 'observation')
  assert.equal(r.status, 'observation')
  await assert.rejects(pq.rollovers.transition(a.id, 'completed'), (e) => e instanceof PostQConflictError && e.code === 'invalid_transition')
  r = await pq.rollovers.transition(a.id, 'cutover')
  r = await pq.rollovers.transition(a.id, 'completed')
  assert.equal(r.status, 'completed')
  assert.deepEqual(r.history.map((h) => h.to), ['planned', 'observation', 'cutover', 'completed'])
  // rolled_back is reachable from completed too; nothing moves it afterwards.
  assert.equal((await pq.rollovers.rollback(a.id)).status, 'rolled_back')
  await assert.rejects(pq.rollovers.rollback(a.id), PostQConflictError)
  assert.equal((await pq.rollovers.rollback(b.id)).status, 'rolled_back')

  for (const name of a.artifacts) {
    const file = await pq.rollovers.download(a.id, name)
    assert.equal(file.fileName, `postq-app.contoso.example-${name}`)
    assert.ok(file.body.length > 0)
    assert.equal(file.body.toString('utf8'), a.files[name])
  }
  const dir = mkdtempSync(join(tmpdir(), 'postq-node-bundle-'))
  try {
    const paths = await pq.rollovers.downloadAll(a.id, dir)
    assert.equal(paths.length, a.artifacts.length)
    for (const path of paths) assert.ok(statSync(path).size > 0, path)
    const script = paths.find((p) => p.endsWith('bundle.sh'))
    assert.ok(statSync(script).mode & 0o100, 'scripts are executable')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  await assert.rejects(pq.rollovers.download(a.id, 'secret.key'), (e) => e instanceof PostQValidationError && e.code === 'invalid_input')
  await assert.rejects(pq.rollovers.get('tlsr_missing'), PostQNotFoundError)
  await assert.rejects(
    pq.rollovers.create({ findingId: await cloudFinding('RSA-2048 public key'), hostname: 'app.contoso.example' }),
    (e) => e instanceof PostQError && e.status === 400 && e.code === 'finding_not_eligible',
  )
})

test('vault: seal, list, listAll, unseal (values hidden from inspect), rotate, delete, uniform 403', async () => {
  const cred = await pq.vault.seal({ name: 'stripe-production-key', credentialType: 'api_key', values: { key: 'sk_live_abc123' }, ttlDays: 90 })
  assert.match(cred.id, /^cred_/)
  assert.deepEqual(cred.keys, ['key'])
  assert.equal('values' in cred, false)
  const other = await pq.vault.seal({ name: 'db', credentialType: 'password', values: { user: 'app', password: 'hunter2' } })

  const page = await pq.vault.list({ limit: 1 })
  assert.equal(page.data.length, 1)
  const all = []
  for await (const c of pq.vault.listAll({ limit: 1 })) all.push(c.id)
  assert.ok(all.includes(cred.id) && all.includes(other.id))

  const open = await pq.vault.unseal(cred.id)
  assert.deepEqual({ ...open.values }, { key: 'sk_live_abc123' })
  assert.ok(!inspect(open, { depth: 5 }).includes('sk_live_abc123'), 'values hidden from inspect')

  const rotated = await pq.vault.rotate(cred.id)
  assert.equal(rotated.version, cred.version + 1)
  assert.equal((await pq.vault.unseal(cred.id)).values.key, 'sk_live_abc123')

  assert.deepEqual({ ...(await pq.vault.delete(cred.id)) }, { id: cred.id, deleted: true })
  await assert.rejects(pq.vault.unseal(cred.id), (e) => e instanceof PostQPermissionError && e.code === 'access_denied')
  await assert.rejects(pq.vault.unseal('cred_unknown'), (e) => e instanceof PostQPermissionError && e.status === 403)
})

test('audit: list, listAll, filters, verifyChain, and offline verifyLedgerChain of the served rows', async () => {
  const key = await pq.hybridKeys.create({ name: 'audited' })
  const { signature } = await pq.sign({ keyId: key.id, payload: 'audited payload' })
  await pq.verify({ keyId: key.id, payload: 'audited payload', signature })

  // the signed checkpoint, the ledger key and proofs against it
  const head = await pq.audit.checkpoint()
  assert.ok(head.treeSize >= 2 && typeof head.checkpoint === 'string')
  assert.equal(typeof (await pq.audit.ledgerKey()).origin, 'string')
  assert.equal((await pq.audit.inclusionProof({ seq: 1, treeSize: head.treeSize })).leafIndex, 0)
  assert.equal((await pq.audit.consistencyProof({ treeSize1: 1, treeSize2: head.treeSize })).treeSize2, head.treeSize)

  const first = await pq.audit.list({ limit: 2 })
  assert.equal(first.data.length, 2)
  assert.equal(first.data[0].seq, 1)
  assert.ok('resourceId' in first.data[0])
  const rows = []
  for await (const row of pq.audit.listAll({ limit: 1 })) rows.push(row)
  assert.ok(rows.length >= 3)
  assert.deepEqual(rows.map((r) => r.seq), rows.map((_, i) => i + 1))
  const signs = (await pq.audit.list({ eventType: 'sign' })).data
  assert.ok(signs.length >= 1 && signs.every((r) => r.eventType === 'sign'))
  assert.equal(signs[0].details.payloadSha256.length, 64)
  assert.ok(!JSON.stringify(rows).includes('audited payload'), 'the ledger holds only the payload hash')
  const future = await pq.audit.list({ since: new Date(Date.now() + 3_600_000) })
  assert.equal(future.data.length, 0)

  const report = await pq.audit.verifyChain()
  assert.equal(report.ok, true)
  assert.equal(report.rows, rows.length)
  assert.equal((await pq.audit.verifyChain({ eventType: 'sign' })).ok, true)

  assert.equal(verifyLedgerChain(rows, { complete: true }).ok, true)
  const edited = rows.map((r) => ({ ...r, details: { ...r.details } }))
  edited[1].actor = 'apikey:someone-else'
  const broken = verifyLedgerChain(edited, { complete: true })
  assert.deepEqual([broken.ok, broken.failedSeq, broken.reason], [false, 2, 'hash_mismatch'])
  const missing = verifyLedgerChain(rows.filter((r) => r.seq !== 2), { complete: true })
  assert.deepEqual([missing.ok, missing.reason], [false, 'missing_row'])
})

test('the reference PQ recipe code itself passes on the core-minted vector certificate (sidecar.json)', async () => {
  const { vectors } = await import('./helpers.mjs')
  const c = vectors('sidecar.json').certificates.find((x) => x.name === 'valid')
  const cert = new X509Certificate(c.pem)
  const ext = parsePostqHybridExt(cert.getExtension('1.3.9999.42.1'))
  assert.equal(ml_dsa65.verify(ext.signature, ext.binding, ext.publicKey), true)
  assert.equal(verifyCertificate(c.pem, { at: c.at, hostname: c.hostname }).ok, true)
})
