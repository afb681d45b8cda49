// Every error class from real server answers: 400 → PostQError, 401 → PostQAuthError,
// 403 → PostQPermissionError, 404 → PostQNotFoundError, 409 → PostQConflictError,
// 429 → PostQRateLimitError (retryAfter), 5xx → PostQServerError, dropped connections
// → PostQConnectionError, timeouts → PostQTimeoutError (a PostQConnectionError). Faults come from the server's X-PostQ-Fault header,
// passed through the per-call `headers` option; retries are proven safe with `drop`.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  PostQ, PostQError, PostQAuthError, PostQPermissionError, PostQNotFoundError, PostQConflictError,
  PostQRateLimitError, PostQServerError, PostQConnectionError, PostQTimeoutError,
} from '../index.mjs'
import { startServer, SCAN } from './helpers.mjs'

let server
let pq
before(async () => {
  server = await startServer({ dataDir: true })
  pq = new PostQ({ apiKey: server.apiKey, baseUrl: server.baseUrl, initialBackoffMs: 10 })
})
after(async () => {
  await server?.close()
})

const fault = (spec, extra = {}) => ({ headers: { 'X-PostQ-Fault': spec }, ...extra })

function expectError(Class, { status, code } = {}) {
  return (e) => {
    assert.ok(e instanceof Class, `${e?.name}: ${e?.message} is not a ${Class.name}`)
    assert.ok(e instanceof PostQError)
    assert.ok(e instanceof Error)
    assert.equal(e.name, Class.name)
    if (status !== undefined) assert.equal(e.status, status)
    if (code !== undefined) assert.equal(e.code, code)
    if (status !== undefined) assert.match(e.requestId ?? '', /.+/, 'server errors carry a request id')
    return true
  }
}

test('400 validation_error → PostQError (base class only)', async () => {
  // A rule only the server can check (core checks a scan's own rules before sending):
  // minVersion beyond the key's next version.
  const key = await pq.hybridKeys.create({ name: 'errors' })
  await assert.rejects(pq.hybridKeys.rotate(key.id, { minVersion: 99 }), (e) => {
    expectError(PostQError, { status: 400, code: 'validation_error' })(e)
    for (const C of [PostQAuthError, PostQPermissionError, PostQNotFoundError, PostQConflictError, PostQRateLimitError, PostQServerError, PostQConnectionError]) {
      assert.ok(!(e instanceof C), C.name)
    }
    return true
  })
})

test('401 → PostQAuthError', async () => {
  const bad = new PostQ({ apiKey: 'pq_live_' + '0'.repeat(48), baseUrl: server.baseUrl })
  await assert.rejects(bad.scans.list(), expectError(PostQAuthError, { status: 401, code: 'unauthorized' }))
  await assert.rejects(bad.hybridKeys.create({ name: 'x' }), expectError(PostQAuthError, { status: 401 }))
})

test('403 insufficient_scope → PostQPermissionError', async () => {
  const readOnly = new PostQ({ apiKey: server.createKey(['scans:read', 'sign:read', 'keys:read']), baseUrl: server.baseUrl })
  await assert.rejects(readOnly.scans.submit(SCAN), expectError(PostQPermissionError, { status: 403, code: 'insufficient_scope' }))
  const key = await pq.hybridKeys.create({ name: 'scoped' })
  await assert.rejects(readOnly.sign({ keyId: key.id, payload: 'x' }), expectError(PostQPermissionError, { status: 403 }))
  await assert.rejects(readOnly.audit.list(), expectError(PostQPermissionError, { status: 403 }))
  // what it may do still works
  assert.ok(Array.isArray((await readOnly.scans.list()).data))
})

test('404 → PostQNotFoundError', async () => {
  await assert.rejects(pq.scans.get('scan_01HZZZZZZZZZZZZZZZZZZZZZZZ'), expectError(PostQNotFoundError, { status: 404, code: 'not_found' }))
  await assert.rejects(pq.hybridKeys.get('hk_missing'), expectError(PostQNotFoundError, { status: 404 }))
  await assert.rejects(pq.sign({ keyId: 'hk_missing', payload: 'x' }), expectError(PostQNotFoundError, { status: 404 }))
})

test('409 idempotency_key_reused → PostQConflictError', async () => {
  const idem = `conflict-${Date.now()}`
  await pq.scans.submit(SCAN, { idempotencyKey: idem })
  await assert.rejects(
    pq.scans.submit({ ...SCAN, target: 'other.example' }, { idempotencyKey: idem }),
    expectError(PostQConflictError, { status: 409, code: 'idempotency_key_reused' }),
  )
})

test('429 (fault) → PostQRateLimitError with retryAfter', async () => {
  await assert.rejects(pq.scans.list(undefined, fault('status=429', { maxRetries: 0 })), (e) => {
    expectError(PostQRateLimitError, { status: 429 })(e)
    assert.equal(e.retryAfter, 1)
    return true
  })
})

test('429 from the real rate limiter → PostQRateLimitError', async () => {
  const limited = await startServer({ rateLimits: 'scans_write=2,read=600,write=300' })
  try {
    const c = new PostQ({ apiKey: limited.apiKey, baseUrl: limited.baseUrl, maxRetries: 0 })
    let err
    for (let i = 0; i < 5 && !err; i++) err = await c.scans.submit(SCAN).then(() => undefined, (e) => e)
    assert.ok(err, 'the limiter never answered 429')
    expectError(PostQRateLimitError, { status: 429, code: 'rate_limited' })(err)
    assert.ok(err.retryAfter > 0, `retryAfter ${err.retryAfter}`)
  } finally {
    await limited.close()
  }
})

test('503 / 500 (fault) → PostQServerError', async () => {
  await assert.rejects(pq.hybridKeys.list(undefined, fault('status=503', { maxRetries: 0 })), expectError(PostQServerError, { status: 503 }))
  await assert.rejects(pq.scans.submit(SCAN, fault('status=500', { maxRetries: 0 })), expectError(PostQServerError, { status: 500 }))
  // retried (the fault repeats on every attempt) and still a PostQServerError
  await assert.rejects(pq.scans.list(undefined, fault('status=502', { maxRetries: 2 })), expectError(PostQServerError, { status: 502 }))
})

test('dropped connection → PostQConnectionError; the write happened once', async () => {
  const before = (await pq.scans.list({ limit: 100 })).data.length
  await assert.rejects(
    pq.scans.submit({ ...SCAN, target: 'dropped.example' }, fault('drop', { maxRetries: 0 })),
    expectError(PostQConnectionError, { code: 'connection_error' }),
  )
  const after = (await pq.scans.list({ limit: 100 })).data
  assert.equal(after.length, before + 1, 'drop runs the handler, then closes the connection')
  assert.equal(after[0].target, 'dropped.example')
})

test('a retry after a drop replays the stored answer: no duplicate scan', async () => {
  const idem = `drop-retry-${Date.now()}`
  const target = `retry-${Date.now()}.example`
  // first attempt is dropped after committing; the retry (same Idempotency-Key, no fault) replays
  await assert.rejects(pq.scans.submit({ ...SCAN, target }, fault('drop', { maxRetries: 0, idempotencyKey: idem })), PostQConnectionError)
  const replayed = await pq.scans.submit({ ...SCAN, target }, { idempotencyKey: idem })
  const all = []
  for await (const s of pq.scans.listAll({ limit: 100 })) if (s.target === target) all.push(s.id)
  assert.deepEqual(all, [replayed.id])
})

test('timeout → PostQTimeoutError, a PostQConnectionError (code timeout)', async () => {
  await assert.rejects(
    pq.scans.list(undefined, fault('delay=2000', { timeoutMs: 300, maxRetries: 0 })),
    (e) => expectError(PostQTimeoutError, { code: 'timeout' })(e) && e instanceof PostQConnectionError,
  )
})

test('unreachable server → PostQConnectionError', async () => {
  const dead = new PostQ({ apiKey: server.apiKey, baseUrl: 'http://127.0.0.1:9', maxRetries: 0 })
  await assert.rejects(dead.health(), expectError(PostQConnectionError, { code: 'connection_error' }))
})

test('retries recover from transient faults (X-PostQ-Fault times=N)', async () => {
  const probe = await fetch(server.baseUrl + '/v1/scans?limit=1', {
    headers: { authorization: `Bearer ${server.apiKey}`, 'X-PostQ-Fault': 'status=503,times=1' },
  })
  await probe.arrayBuffer()
  assert.notEqual(probe.status, 400, 'the reference server accepts `times=N` in X-PostQ-Fault')
  const idem = `times-${Date.now()}`
  const target = `times-${Date.now()}.example`
  const scan = await pq.scans.submit({ ...SCAN, target }, fault('drop,times=1', { idempotencyKey: idem, maxRetries: 2 }))
  const all = []
  for await (const s of pq.scans.listAll({ limit: 100 })) if (s.target === target) all.push(s.id)
  assert.deepEqual(all, [scan.id], 'the retry after the dropped attempt did not create a second scan')
  // times=N counts per Idempotency-Key: the core sends one key per call, reused by retries
  const retried = await pq.scans.submit({ ...SCAN, target: `503-${target}` }, fault('status=503,times=1', { maxRetries: 2 }))
  assert.match(retried.id, /^scan_/)
  await assert.rejects(
    pq.scans.submit({ ...SCAN, target: `503b-${target}` }, fault('status=503,times=2', { maxRetries: 1 })),
    PostQServerError,
  )
})
