// The shared vectors of tests/vectors/ through the SDK's offline helpers: hybrid
// signatures (postq-made and noble-made), sidecar certificates, pqseal-v1 envelopes and
// ledger chains. No server needed.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  PostQError, verifyOffline, parsePublicKey, verifyCertificate, verifyLedgerChain, seal, SealKey,
} from '../index.mjs'
import { vectors, unhex } from './helpers.mjs'

const hybrid = vectors('hybrid.json')
const noble = vectors('noble-hybrid.json')

for (const [file, doc] of [['hybrid.json', hybrid], ['noble-hybrid.json', noble]]) {
  const keys = new Map(doc.keys.map((k) => [k.name, k]))

  test(`${file}: public keys parse (JSON and JWK) with the vector fingerprints`, () => {
    for (const k of doc.keys) {
      const fromJson = parsePublicKey(k.publicKey)
      const fromJwk = parsePublicKey(k.jwk)
      assert.equal(fromJson.fingerprint, k.fingerprint)
      assert.equal(fromJwk.fingerprint, k.fingerprint)
      assert.equal(fromJson.json, k.publicKey, 'compact JSON re-encodes byte for byte')
      assert.equal(fromJson.jwk, k.jwk)
    }
  })

  test(`${file}: every valid signature verifies (Uint8Array, Buffer, JWK)`, () => {
    for (const c of doc.valid) {
      const k = keys.get(c.key)
      const payload = unhex(c.payload)
      for (const [publicKey, p] of [[k.publicKey, payload], [k.jwk, Buffer.from(payload)]]) {
        const r = verifyOffline({ publicKey, payload: p, signature: c.signature })
        assert.deepEqual([r.ok, r.classicalOk, r.pqOk], [true, true, true], c.name)
      }
    }
  })
}

test('hybrid.json: every invalid case gives the expected verdict or error code', () => {
  const keys = new Map(hybrid.keys.map((k) => [k.name, k]))
  assert.ok(hybrid.invalid.length >= 10)
  for (const c of hybrid.invalid) {
    const k = keys.get(c.key)
    const run = () => verifyOffline({ publicKey: k.publicKey, payload: unhex(c.payload), signature: c.signature })
    if (c.expected.error) {
      assert.throws(run, (e) => {
        assert.ok(e instanceof PostQError, c.name)
        assert.equal(e.code, c.expected.error, c.name)
        return true
      })
    } else {
      const r = run()
      assert.deepEqual(
        { ok: r.ok, classicalOk: r.classicalOk, pqOk: r.pqOk },
        { ok: c.expected.ok, classicalOk: c.expected.classicalOk, pqOk: c.expected.pqOk },
        c.name,
      )
    }
  }
})

test('sidecar.json: every certificate gives the expected report (PEM string and DER bytes)', () => {
  const doc = vectors('sidecar.json')
  for (const c of doc.certificates) {
    const options = { hostname: c.hostname ?? undefined, at: c.at }
    const report = verifyCertificate(c.pem, options)
    assert.equal(report.ok, c.expected.ok, c.name)
    assert.equal(report.failure ?? null, c.expected.failure ?? null, c.name)
    if (c.expected.ok) {
      assert.equal(Object.values(report.checks).every(Boolean), true, c.name)
      assert.equal(JSON.stringify(report.binding) !== undefined, true)
    }
    const b64 = c.pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
    const der = Buffer.from(b64, 'base64')
    assert.equal(verifyCertificate(der, { ...options, at: new Date(c.at) }).ok, c.expected.ok, `${c.name} (DER)`)
  }
  assert.throws(() => verifyCertificate('not a certificate'), (e) => e instanceof PostQError && e.code === 'invalid_certificate')
  assert.throws(() => verifyCertificate(doc.certificates[0].pem, { at: 'yesterday' }), (e) => e instanceof PostQError && e.code === 'invalid_input')
})

test('seal.json: valid envelopes open, invalid ones fail with seal_open_failed/unsupported_version', () => {
  const doc = vectors('seal.json')
  const recipients = new Map(doc.recipients.map((r) => [r.name, r]))
  for (const r of doc.recipients) {
    const key = SealKey.fromSeed(unhex(r.seed))
    assert.equal(key.publicKey, r.publicKey, r.name)
  }
  for (const c of doc.valid) {
    const key = SealKey.fromSeed(unhex(recipients.get(c.recipient).seed))
    const plain = key.open(c.envelope, { aad: unhex(c.aad) })
    assert.equal(Buffer.from(plain).toString('hex'), c.plaintext, c.name)
    const fromBytes = key.open(Buffer.from(c.envelope, 'base64'), { aad: unhex(c.aad) })
    assert.equal(fromBytes.toString('hex'), c.plaintext, `${c.name} (bytes)`)
  }
  for (const c of doc.invalid) {
    const key = SealKey.fromSeed(unhex(recipients.get(c.recipient).seed))
    assert.throws(() => key.open(c.envelope, { aad: unhex(c.aad) }), (e) => {
      assert.ok(e instanceof PostQError, c.name)
      assert.ok(['seal_open_failed', 'unsupported_version'].includes(e.code), `${c.name}: ${e.code}`)
      return true
    })
  }
})

test('seal/open round trip with string, Buffer and Uint8Array plaintexts; seeds stay out of inspect', async () => {
  const { inspect } = await import('node:util')
  const key = SealKey.generate()
  for (const plaintext of ['sk_live_abc123', Buffer.from('sk_live_abc123'), new TextEncoder().encode('sk_live_abc123')]) {
    const envelope = seal(key.publicKey, plaintext, { aad: 'cred_01' })
    assert.equal(key.open(envelope, { aad: 'cred_01' }).toString('utf8'), 'sk_live_abc123')
    assert.throws(() => key.open(envelope, { aad: 'cred_02' }), (e) => e.code === 'seal_open_failed')
  }
  const seed = key.exportSeed()
  assert.equal(seed.length, 96)
  assert.equal(SealKey.fromSeed(seed).fingerprint, key.fingerprint)
  const shown = inspect(key, { showHidden: true, depth: 5 })
  assert.ok(!shown.includes(seed.toString('hex')) && !shown.includes(seed.toString('base64')), shown)
  assert.match(shown, /fingerprint/)
  // the public key as bytes works too
  const envelope = seal(Buffer.from(key.publicKey, 'base64'), 'x')
  assert.equal(key.open(envelope).toString(), 'x')
  assert.throws(() => seal('AAAA', 'x'), (e) => e instanceof PostQError)
})

test('ledger.json: every chain gives the expected report', () => {
  const doc = vectors('ledger.json')
  for (const c of doc.chains) {
    const r = verifyLedgerChain(c.rows, { complete: c.expected.complete })
    assert.equal(r.ok, c.expected.ok, c.name)
    assert.equal(r.failedSeq ?? null, c.expected.failedSeq ?? null, c.name)
    assert.equal(r.reason ?? null, c.expected.reason ?? null, c.name)
  }
})

test('HybridPublicKey: parse once (JSON, JWK, object), verify many; same verdicts as verifyOffline', async () => {
  const { HybridPublicKey } = await import('../index.mjs')
  const { inspect } = await import('node:util')
  const k = hybrid.keys[0]
  const fromJson = HybridPublicKey.parse(k.publicKey)
  const fromJwk = HybridPublicKey.parse(k.jwk)
  assert.equal(fromJson.fingerprint, k.fingerprint)
  assert.equal(fromJwk.toJson(), k.publicKey)
  assert.equal(fromJson.toJwk(), k.jwk)
  assert.equal(JSON.stringify(fromJson), k.publicKey)
  assert.match(inspect(fromJson), /HybridPublicKey [^]*fingerprint/)
  for (const c of hybrid.valid.filter((c) => c.key === k.name)) {
    assert.equal(fromJson.verify(unhex(c.payload), c.signature).ok, true, c.name)
    assert.equal(verifyOffline({ publicKey: fromJwk, payload: unhex(c.payload), signature: c.signature }).ok, true)
  }
  for (const c of hybrid.invalid.filter((c) => c.key === k.name)) {
    if (c.expected.error) {
      assert.throws(() => fromJson.verify(unhex(c.payload), c.signature), (e) => e.code === c.expected.error, c.name)
    } else {
      const r = fromJson.verify(unhex(c.payload), c.signature)
      assert.deepEqual([r.ok, r.classicalOk, r.pqOk], [c.expected.ok, c.expected.classicalOk, c.expected.pqOk], c.name)
    }
  }
  assert.throws(() => HybridPublicKey.parse('{"v":2}'), PostQError)
})
