// Every call of the API client against the reference server: health, scans (incl.
// `for await` paging), hybrid keys, sign, verify (keyId, publicKey online, offline),
// payload types, call options, ESM + CommonJS loading, secrets kept out of inspect.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { inspect } from 'node:util'
import { createHash } from 'node:crypto'
import * as sdk from '../index.mjs'
import { PostQ, PostQError, verifyOffline, parsePublicKey } from '../index.mjs'
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

test('ESM and CommonJS load the same classes', () => {
  const require = createRequire(import.meta.url)
  const cjs = require('../index.js')
  assert.equal(cjs.PostQ, sdk.PostQ)
  assert.equal(cjs.PostQRateLimitError, sdk.PostQRateLimitError)
  assert.equal(sdk.default, sdk.PostQ)
  for (const name of [
    'PostQError', 'PostQAuthError', 'PostQPermissionError', 'PostQNotFoundError', 'PostQConflictError',
    'PostQRateLimitError', 'PostQServerError', 'PostQConnectionError', 'PostQTimeoutError', 'PostQValidationError',
  ]) {
    assert.equal(typeof sdk[name], 'function', name)
    if (name !== 'PostQError') assert.ok(new sdk[name]('x') instanceof PostQError, name)
  }
})

test('health', async () => {
  assert.deepEqual({ ...(await pq.health()) }, { status: 'ok' })
  assert.equal(pq.baseUrl, server.baseUrl)
})

test('the API key never shows in inspect output or errors', async () => {
  const shown = inspect(pq, { depth: 10, showHidden: true })
  assert.ok(!shown.includes(server.apiKey), shown)
  assert.match(shown, /PostQ/)
  const bad = new PostQ({ apiKey: 'pq_live_' + 'ab'.repeat(24), baseUrl: server.baseUrl })
  const err = await bad.scans.list().catch((e) => e)
  assert.ok(!inspect(err).includes('abab'), inspect(err))
  assert.ok(!JSON.stringify(err).includes('abab'))
})

test('scans.submit, get, list and listAll (for await)', async () => {
  const result = await pq.scans.submit({ ...SCAN, source: 'node-test', metadata: { ci: 'node:test', n: 1 } })
  assert.match(result.id, /^scan_/)
  assert.equal(result.url, `${server.baseUrl}/scans/${result.id}`)
  assert.equal(result.type, 'url')
  assert.equal(result.riskLevel, 'High')
  assert.equal(result.riskScore, 85)
  assert.equal(result.source, 'node-test')
  assert.deepEqual(result.metadata, { ci: 'node:test', n: 1 })
  assert.equal(result.findings.length, 1)
  assert.match(result.findings[0].id, /^fnd_/)
  assert.equal(result.findings[0].severity, 'high')

  const got = await pq.scans.get(result.id)
  assert.equal(got.id, result.id)
  assert.equal(got.findings[0].title, 'RSA-2048 public key')

  const ids = [result.id]
  for (let i = 0; i < 6; i++) {
    ids.push((await pq.scans.submit({ type: 'repo', target: `github.com/acme/r${i}`, riskScore: i, riskLevel: 'Low', findings: [] })).id)
  }
  const first = await pq.scans.list({ limit: 3 })
  assert.equal(first.data.length, 3)
  assert.equal(typeof first.nextCursor, 'string')
  assert.equal(first.data[0].id, ids.at(-1), 'newest first')
  const second = await pq.scans.list({ limit: 3, cursor: first.nextCursor })
  assert.notEqual(second.data[0].id, first.data[0].id)

  const all = []
  for await (const s of pq.scans.listAll({ limit: 2 })) all.push(s.id)
  assert.deepEqual(all, [...ids].reverse())
  const last = await pq.scans.list({ limit: 100 })
  assert.equal(last.nextCursor, null)
})

test('ingest.kubernetes: a cluster report becomes one k8s scan from the agent', async () => {
  const report = {
    clusterName: 'node-test-cluster',
    agentVersion: 'postq-agent 0.1.0',
    riskScore: 55,
    riskLevel: 'High',
    findings: [{
      severity: 'high',
      code: 'K8S-MTLS-PERMISSIVE',
      title: 'K8S-MTLS-PERMISSIVE: PeerAuthentication sets mTLS PERMISSIVE',
      object: { namespace: 'istio-system', kind: 'PeerAuthentication', name: 'default', field: 'spec.mtls.mode' },
    }],
    summary: { objects: { PeerAuthentication: 1 } },
  }
  const scan = await pq.ingest.kubernetes(report)
  assert.deepEqual([scan.type, scan.source, scan.target], ['k8s', 'agent', 'node-test-cluster'])
  assert.equal(scan.findings[0].evidence, 'istio-system/PeerAuthentication/default spec.mtls.mode')
  await assert.rejects(pq.ingest.kubernetes({ ...report, clusterName: '' }), (e) => e instanceof PostQError && e.code === 'invalid_input')
})

test('hybrid keys: create, get, list, listAll, publicKey, rotate', async () => {
  const key = await pq.hybridKeys.create({ name: 'release-signing', algorithm: 'mldsa65+ed25519' })
  assert.match(key.id, /^hk_/)
  assert.equal(key.algorithm, 'mldsa65+ed25519')
  assert.equal(key.pqReady, true)
  assert.equal(key.version, 1)
  const pub = JSON.parse(key.publicKey)
  assert.equal(pub.keyId, key.id)

  const again = await pq.hybridKeys.get(key.id)
  assert.equal(again.fingerprint, key.fingerprint)
  assert.equal(again.versions.length, 1)

  const other = await pq.hybridKeys.create({ name: 'second' })
  const page = await pq.hybridKeys.list({ limit: 1 })
  assert.equal(page.data.length, 1)
  assert.equal(page.data[0].id, other.id)
  const all = []
  for await (const k of pq.hybridKeys.listAll({ limit: 1 })) all.push(k.id)
  assert.deepEqual(all, [other.id, key.id])

  const info = await pq.hybridKeys.publicKey(key.id)
  assert.equal(info.keyId, key.id)
  assert.equal(info.version, 1)
  assert.equal(info.fingerprint, key.fingerprint)
  assert.equal(info.json, key.publicKey)
  assert.equal(info.mldsa65.length, 1952)
  assert.equal(info.ed25519.length, 32)
  assert.equal(JSON.parse(info.jwk).keys.length, 2)

  const rotated = await pq.hybridKeys.rotate(key.id)
  assert.equal(rotated.version, 2)
  assert.notEqual(rotated.fingerprint, key.fingerprint)
  const v1 = await pq.hybridKeys.publicKey(key.id, { version: 1 })
  assert.equal(v1.fingerprint, key.fingerprint)

  // PATCH /v1/keys/{id}: retire version 1; `include: ['versions']` hydrates list items
  const updated = await pq.hybridKeys.update(key.id, { minVersion: 2 })
  assert.equal(updated.minVersion, 2)
  const hydrated = await pq.hybridKeys.list({ limit: 1, include: ['versions'] })
  assert.ok(Array.isArray(hydrated.data[0].versions))
})

test('sign and verify: keyId, publicKey on the server, offline; Uint8Array, Buffer and string payloads', async () => {
  const key = await pq.hybridKeys.create({ name: 'release-signing', algorithm: 'mldsa65+ed25519' })
  const { signature, keyId, keyVersion, algorithm, payloadSha256 } = await pq.sign({
    keyId: key.id,
    payload: new TextEncoder().encode('ship it'),
  })
  assert.equal(keyId, key.id)
  assert.equal(keyVersion, 1)
  assert.equal(algorithm, 'mldsa65+ed25519')
  assert.equal(payloadSha256, createHash('sha256').update('ship it').digest('hex'))

  for (const payload of ['ship it', Buffer.from('ship it'), new TextEncoder().encode('ship it')]) {
    const r = await pq.verify({ keyId: key.id, payload, signature })
    assert.equal(r.ok, true)
    assert.equal(r.classicalOk, true)
    assert.equal(r.pqOk, true)
    assert.equal(r.keyId, key.id)
    const online = await pq.verify({ publicKey: key.publicKey, payload, signature })
    assert.equal(online.ok, true)
    const offline = await pq.verify({ publicKey: key.publicKey, payload, signature, offline: true })
    assert.deepEqual([offline.ok, offline.classicalOk, offline.pqOk], [true, true, true])
    const helper = verifyOffline({ publicKey: key.publicKey, payload, signature })
    assert.deepEqual([helper.ok, helper.classicalOk, helper.pqOk], [true, true, true])
    assert.equal(PostQ.verifyOffline({ publicKey: parsePublicKey(key.publicKey).jwk, payload, signature }).ok, true)
  }

  const wrong = await pq.verify({ keyId: key.id, payload: 'ship it!', signature })
  assert.deepEqual([wrong.ok, wrong.classicalOk, wrong.pqOk], [false, false, false])
  const wrongOffline = verifyOffline({ publicKey: key.publicKey, payload: 'ship it!', signature })
  assert.equal(wrongOffline.ok, false)

  // a binary payload that is not UTF-8
  const bin = Uint8Array.from([0, 255, 128, 7])
  const s2 = await pq.sign({ keyId: key.id, payload: bin })
  assert.equal(verifyOffline({ publicKey: key, payload: Buffer.from(bin), signature: s2.signature }).ok, true)

  // rotation: old signatures keep verifying until minVersion passes them
  await pq.hybridKeys.rotate(key.id)
  assert.equal((await pq.verify({ keyId: key.id, payload: 'ship it', signature })).ok, true)
  await pq.hybridKeys.rotate(key.id, { minVersion: 3 })
  const retired = await pq.verify({ keyId: key.id, payload: 'ship it', signature })
  assert.equal(retired.ok, false)
  assert.equal(retired.reason, 'key_version_retired')
})

test('bad inputs are PostQError, never a crash', async () => {
  const key = await pq.hybridKeys.create({ name: 'k' })
  await assert.rejects(pq.verify({ keyId: key.id, payload: 'x', signature: 'not a signature' }), (e) => {
    assert.ok(e instanceof PostQError)
    assert.equal(e.code, 'invalid_signature')
    assert.equal(e.status, undefined)
    return true
  })
  await assert.rejects(pq.sign({ keyId: key.id, payload: 42 }), (e) => e instanceof PostQError && e.code === 'invalid_input')
  await assert.rejects(pq.verify({ payload: 'x', signature: 's' }), (e) => e instanceof PostQError && e.code === 'invalid_input')
  await assert.rejects(pq.scans.submit({ ...SCAN, riskLevel: 'Severe' }), (e) => e instanceof PostQError && e.code === 'invalid_input')
  await assert.rejects(pq.scans.submit({ ...SCAN, riskScore: 101 }), (e) => e instanceof PostQError)
  await assert.rejects(pq.scans.submit({ type: 1 }), (e) => e instanceof PostQError)
  await assert.rejects(pq.scans.get('../etc'), (e) => e instanceof PostQError && e.code === 'invalid_input')
  await assert.rejects(pq.scans.list({ limit: 0 }), (e) => e instanceof PostQError && e.code === 'invalid_input')
  assert.throws(() => verifyOffline({ publicKey: '{}', payload: 'x', signature: 'x' }), (e) => e instanceof PostQError)
  assert.throws(() => parsePublicKey('{"keys":[]}'), (e) => e instanceof PostQError)
  assert.throws(() => new PostQ({ apiKey: 'k', baseUrl: 'http://example.com' }), (e) => e instanceof PostQError && e.code === 'invalid_config')
  const noKey = new PostQ({ apiKey: undefined, baseUrl: server.baseUrl })
  await assert.rejects(noKey.scans.list(), (e) => e instanceof PostQError && e.code === 'invalid_config')
})

test('per-call options: idempotencyKey replays, headers are sent', async () => {
  const idem = `node-test-${Date.now()}`
  const a = await pq.scans.submit(SCAN, { idempotencyKey: idem })
  const b = await pq.scans.submit(SCAN, { idempotencyKey: idem })
  assert.equal(a.id, b.id, 'same key + same body replays the stored response')
  const tagged = await pq.scans.submit(SCAN, { headers: { 'X-Request-Id': 'node-sdk-test-1' }, maxRetries: 0, timeoutMs: 10_000 })
  assert.match(tagged.id, /^scan_/)
})

test('concurrent calls share one client: 40 parallel submits, all distinct, none lost', async () => {
  const target = `parallel-${Date.now()}.example`
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => pq.scans.submit({ ...SCAN, target, riskScore: i })),
  )
  assert.equal(new Set(results.map((r) => r.id)).size, 40)
  const seen = []
  for await (const s of pq.scans.listAll({ limit: 7 })) if (s.target === target) seen.push(s.id)
  assert.equal(seen.length, 40)
})

test('errors are clean JavaScript errors: message without the native marker, a stack, JSON-safe', async () => {
  const err = await pq.scans.get('scan_01HZZZZZZZZZZZZZZZZZZZZZZZ').catch((e) => e)
  assert.ok(err instanceof PostQError)
  assert.ok(!err.message.includes('POSTQ_ERROR'), err.message)
  assert.match(err.stack, /PostQNotFoundError/)
  const json = JSON.parse(JSON.stringify({ ...err }))
  assert.equal(json.status, 404)
  assert.equal(json.code, 'not_found')
})
