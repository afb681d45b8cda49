// Interop with an independent implementation: @noble/post-quantum (ML-DSA-65) and
// @noble/curves (Ed25519) verify signatures made through the SDK, and the SDK (offline
// and via the server) verifies signatures whose halves were made by noble
// (docs/formats.md §2: M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ SHA-512(M)).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js'
import { ed25519 } from '@noble/curves/ed25519.js'
import { sha512 } from '@noble/hashes/sha2.js'
import { PostQ, verifyOffline, parsePublicKey } from '../index.mjs'
import { startServer } from './helpers.mjs'

const te = new TextEncoder()
const PREFIX = te.encode('CompositeAlgorithmSignatures2025')
const LABEL = te.encode('COMPSIG-MLDSA65-Ed25519-SHA512')
const b64 = (b) => Buffer.from(b).toString('base64')
const unb64 = (s) => new Uint8Array(Buffer.from(s, 'base64'))

function messageRepresentative(payload) {
  const digest = sha512(payload)
  const out = new Uint8Array(PREFIX.length + LABEL.length + 1 + digest.length)
  out.set(PREFIX, 0)
  out.set(LABEL, PREFIX.length)
  out[PREFIX.length + LABEL.length] = 0 // empty application context
  out.set(digest, PREFIX.length + LABEL.length + 1)
  return out
}

function nobleVerify(publicKeyJson, payload, signature) {
  const pk = JSON.parse(publicKeyJson)
  const env = JSON.parse(Buffer.from(signature, 'base64').toString('utf8'))
  assert.deepEqual(Object.keys(env), ['v', 'alg', 'keyId', 'keyVersion', 'mldsa65', 'ed25519'])
  assert.equal(env.keyId, pk.keyId)
  const mp = messageRepresentative(payload)
  const pqOk = ml_dsa65.verify(unb64(env.mldsa65), mp, unb64(pk.mldsa65), { context: LABEL })
  const classicalOk = ed25519.verify(unb64(env.ed25519), mp, unb64(pk.ed25519), { zip215: false })
  return { pqOk, classicalOk }
}

function nobleKey(keyId, version = 1) {
  const seed = randomBytes(64)
  const { publicKey, secretKey } = ml_dsa65.keygen(seed.subarray(0, 32))
  const edSk = seed.subarray(32)
  const publicKeyJson = JSON.stringify({
    v: 1, alg: 'mldsa65+ed25519', keyId, version, mldsa65: b64(publicKey), ed25519: b64(ed25519.getPublicKey(edSk)),
  })
  const sign = (payload) => {
    const mp = messageRepresentative(payload)
    const mldsa = ml_dsa65.sign(mp, secretKey, { context: LABEL }) // hedged (random) variant
    const ed = ed25519.sign(mp, edSk)
    return { mldsa, ed, envelope: (m = mldsa, e = ed) => b64(te.encode(JSON.stringify({ v: 1, alg: 'mldsa65+ed25519', keyId, keyVersion: version, mldsa65: b64(m), ed25519: b64(e) }))) }
  }
  return { publicKeyJson, sign }
}

let server
let pq
before(async () => {
  server = await startServer()
  pq = new PostQ({ apiKey: server.apiKey, baseUrl: server.baseUrl })
})
after(async () => {
  await server?.close()
})

test('noble verifies both halves of signatures made through the SDK', async () => {
  const key = await pq.hybridKeys.create({ name: 'interop' })
  for (const payload of [te.encode('ship it'), new Uint8Array(0), randomBytes(4096)]) {
    const { signature } = await pq.sign({ keyId: key.id, payload })
    assert.deepEqual(nobleVerify(key.publicKey, payload, signature), { pqOk: true, classicalOk: true })
    const tampered = Uint8Array.from(payload.length ? payload : [1])
    tampered[0] ^= 1
    assert.deepEqual(nobleVerify(key.publicKey, tampered, signature), { pqOk: false, classicalOk: false })
  }
  // the JWK form the SDK produces carries the same key bytes noble used
  const info = parsePublicKey(key.publicKey)
  const jwk = JSON.parse(info.jwk)
  assert.equal(Buffer.from(jwk.keys[0].pub, 'base64url').toString('base64'), JSON.parse(key.publicKey).mldsa65)
})

test('the SDK verifies signatures made by noble (offline and on the server), AND combiner per half', async () => {
  const k = nobleKey('hk_noble_live')
  const payload = te.encode('made with @noble/post-quantum')
  const s = k.sign(payload)
  const signature = s.envelope()

  const offline = verifyOffline({ publicKey: k.publicKeyJson, payload, signature })
  assert.deepEqual([offline.ok, offline.classicalOk, offline.pqOk], [true, true, true])
  const online = await pq.verify({ publicKey: k.publicKeyJson, payload, signature })
  assert.deepEqual([online.ok, online.classicalOk, online.pqOk], [true, true, true])
  const viaJwk = verifyOffline({ publicKey: parsePublicKey(k.publicKeyJson).jwk, payload, signature })
  assert.equal(viaJwk.ok, true)

  // swap in a noble ML-DSA half over another message: classical still ok, pq not
  const other = k.sign(te.encode('another message'))
  const mixed = s.envelope(other.mldsa, s.ed)
  const r1 = verifyOffline({ publicKey: k.publicKeyJson, payload, signature: mixed })
  assert.deepEqual([r1.ok, r1.classicalOk, r1.pqOk], [false, true, false])
  const r2 = verifyOffline({ publicKey: k.publicKeyJson, payload, signature: s.envelope(s.mldsa, other.ed) })
  assert.deepEqual([r2.ok, r2.classicalOk, r2.pqOk], [false, false, true])
  const r3 = await pq.verify({ publicKey: k.publicKeyJson, payload, signature: mixed })
  assert.deepEqual([r3.ok, r3.classicalOk, r3.pqOk], [false, true, false])
})
