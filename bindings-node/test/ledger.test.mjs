// The audit ledger's witness and offline proofs (docs/formats.md §7): against the
// reference server (pin, grow, prove consistency; tampered states refused; inclusion of
// every row) and against tests/vectors/ledger-tree.json.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  PostQ,
  PostQError,
  PostQValidationError,
  verifyCheckpoint,
  verifyInclusion,
  verifyConsistency,
} from '../index.mjs'
import { startServer, vectors } from './helpers.mjs'

const SCOPES = ['audit:read', 'keys:write']

let server
before(async () => {
  server = await startServer({ dataDir: true })
})
after(async () => {
  await server?.close()
})

/** A client of its own organisation, so its ledger grows only by this test. */
const orgClient = (org) => new PostQ({ apiKey: server.createKey(SCOPES, org), baseUrl: server.baseUrl })

async function grow(pq, rows) {
  for (let i = 0; i < rows; i++) await pq.hybridKeys.create({ name: `ledger-growth-${i}` })
}

/** A ledger refusal: exactly PostQError (kind crypto), never a subclass, with its code. */
const refused = (code) => (e) => {
  assert.equal(e.constructor, PostQError, `${e.name}: ${e.message}`)
  assert.equal(e.code, code, e.message)
  return true
}

// ------------------------------------------------------------- against the server

test('witness: pins on first use, then proves the log only grew; inclusion of every row', async () => {
  const pq = orgClient('org_node_witness')
  await grow(pq, 2)
  const first = await pq.audit.witness()
  assert.deepEqual([first.outcome, first.keySource], ['first', 'trust_on_first_use'])
  assert.equal(first.previous ?? null, null)
  assert.deepEqual(first.ledgerKey, await pq.audit.ledgerKey())
  assert.ok(first.checkpoint.treeSize >= 2)
  assert.deepEqual(verifyCheckpoint(first.ledgerKey, first.checkpoint), first.checkpoint)
  assert.equal(JSON.parse(first.state).checkpoint, first.checkpoint.checkpoint)

  const same = await pq.audit.witness({ state: first.state })
  assert.deepEqual([same.outcome, same.keySource], ['unchanged', 'state'])
  assert.deepEqual(same.previous, first.checkpoint)

  await grow(pq, 3)
  const grown = await pq.audit.witness({ state: same.state, ledgerKey: JSON.stringify(first.ledgerKey) })
  assert.deepEqual([grown.outcome, grown.keySource], ['extended', 'state'])
  assert.equal(grown.previous.treeSize, first.checkpoint.treeSize)
  assert.equal(grown.checkpoint.treeSize, first.checkpoint.treeSize + 3)
  const proof = await pq.audit.consistencyProof({
    treeSize1: grown.previous.treeSize,
    treeSize2: grown.checkpoint.treeSize,
  })
  assert.ok(proof.consistencyPath.length > 0)
  assert.deepEqual(verifyConsistency(grown.ledgerKey, grown.previous, grown.checkpoint, proof), grown.checkpoint)
  assert.throws(() => verifyConsistency(grown.ledgerKey, grown.checkpoint, grown.previous), refused('ledger_shrink'))

  const given = await pq.audit.witness({ ledgerKey: first.ledgerKey })
  assert.deepEqual([given.outcome, given.keySource], ['first', 'given'])

  const size = grown.checkpoint.treeSize
  const rows = []
  for await (const row of pq.audit.listAll()) if (row.seq <= size) rows.push(row)
  assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: size }, (_, i) => i + 1))
  for (const row of rows) {
    const p = await pq.audit.inclusionProof({ seq: row.seq, treeSize: size })
    assert.deepEqual(verifyInclusion(row, p, { state: grown.state }), grown.checkpoint)
    const byCheckpoint = verifyInclusion(row, p, { ledgerKey: grown.ledgerKey, checkpoint: grown.checkpoint.checkpoint })
    assert.deepEqual(byCheckpoint, grown.checkpoint)
  }
  const firstProof = await pq.audit.inclusionProof({ seq: 1, treeSize: size })
  const edited = { ...rows[0], actor: 'apikey:someone-else' }
  assert.throws(() => verifyInclusion(edited, firstProof, { state: grown.state }), refused('ledger_inclusion_failed'))
  const olderProof = await pq.audit.inclusionProof({ seq: 1, treeSize: size - 1 })
  assert.throws(() => verifyInclusion(rows[0], olderProof, { state: grown.state }), refused('ledger_inclusion_failed'))
})

test('witness: another key, another log and a forged checkpoint are refused with their codes', async () => {
  const pq = orgClient('org_node_tamper')
  await grow(pq, 1)
  const good = await pq.audit.witness()
  const other = orgClient('org_node_tamper_other')
  const otherKey = await other.audit.ledgerKey()
  assert.notEqual(otherKey.origin, good.ledgerKey.origin)

  await assert.rejects(pq.audit.witness({ ledgerKey: otherKey }), refused('ledger_bad_signature'))
  const otherState = (await other.audit.witness()).state
  await assert.rejects(pq.audit.witness({ state: otherState }), refused('ledger_bad_signature'))
  await assert.rejects(pq.audit.witness({ state: good.state, ledgerKey: otherKey }), refused('ledger_key_changed'))

  const state = JSON.parse(good.state)
  const [body, signatures] = state.checkpoint.split('\n\n')
  const [origin, size, root] = body.split('\n')
  const otherRoot = Buffer.alloc(32).toString('base64')
  for (const forgedBody of [`${origin}\n${size}\n${otherRoot}`, `${origin}\n${Number(size) + 5}\n${root}`]) {
    const forged = { ...state, checkpoint: `${forgedBody}\n\n${signatures}` }
    await assert.rejects(pq.audit.witness({ state: JSON.stringify(forged) }), refused('ledger_bad_signature'))
    assert.throws(() => verifyCheckpoint(good.ledgerKey, forged.checkpoint), refused('ledger_bad_signature'))
  }

  const invalidInput = (e) => e instanceof PostQValidationError && e.code === 'invalid_input'
  await assert.rejects(pq.audit.witness({ state: '{not json' }), invalidInput)
  await assert.rejects(pq.audit.witness({ ledgerKey: '{not json' }), invalidInput)
  assert.throws(() => verifyInclusion({}, {}, { state: good.state, ledgerKey: good.ledgerKey }), invalidInput)
  assert.throws(() => verifyCheckpoint(good.ledgerKey, 42), invalidInput)

  assert.equal((await pq.audit.witness({ state: good.state })).outcome, 'unchanged')
})

// ------------------------------------------------------------- against the vectors

const TREE = vectors('ledger-tree.json')
const KEY = TREE.ledgerKey.json
const SIGNED = Object.fromEntries(TREE.signedCheckpoints.map((c) => [c.name, c.note]))
const ROWS = TREE.leaves.map((l) => l.row)
const LEAF_ROWS = new Map(TREE.leaves.map((l) => [l.leafHash, l.row]))
const rootOf = (note) => note.split('\n')[2]
const BY_ROOT = new Map(Object.values(SIGNED).map((note) => [rootOf(note), note]))
const HONEST = new Map(TREE.signedCheckpoints.filter((c) => c.name.startsWith('honest')).map((c) => [c.treeSize, c.note]))
const stateOf = (note) => JSON.stringify({ v: 1, key: JSON.parse(KEY), checkpoint: note })

test('vectors: signed checkpoints verify; invalid ones are refused with their codes', () => {
  for (const [name, note] of Object.entries(SIGNED)) {
    const verified = verifyCheckpoint(KEY, note)
    assert.equal(verified.checkpoint, note, name)
    assert.equal(verified.rootHash, rootOf(note), name)
  }
  for (const c of TREE.invalidCheckpoints) {
    assert.throws(
      () => verifyCheckpoint(KEY, c.note),
      (e) => {
        const expectedClass = c.expected === 'invalid_input' ? PostQValidationError : PostQError
        assert.equal(e.constructor, expectedClass, c.name)
        assert.equal(e.code, c.expected, c.name)
        return true
      },
    )
  }
})

test('vectors: inclusion proofs against signed checkpoints and states; invalid ones refused', () => {
  let checked = 0
  for (const proof of TREE.inclusionProofs) {
    const note = HONEST.get(proof.treeSize)
    if (note === undefined) continue // only the signed sizes have a checkpoint to prove against
    const row = ROWS[proof.leafIndex]
    assert.equal(verifyInclusion(row, proof, { ledgerKey: KEY, checkpoint: note }).checkpoint, note)
    assert.equal(verifyInclusion(row, proof, { state: stateOf(note) }).treeSize, proof.treeSize)
    checked++
  }
  assert.equal(checked, 3 + 5 + 13)
  for (const c of TREE.invalidInclusionProofs) {
    // a forged row: an edited copy of the row at that index
    const row = LEAF_ROWS.get(c.leafHash) ?? { ...ROWS[Math.min(c.proof.leafIndex, ROWS.length - 1)], actor: 'apikey:forger' }
    assert.throws(
      () => verifyInclusion(row, c.proof, { ledgerKey: KEY, checkpoint: BY_ROOT.get(c.root) }),
      refused('ledger_inclusion_failed'),
      c.name,
    )
  }
})

test('vectors: consistency proofs between signed checkpoints; invalid ones refused', () => {
  let checked = 0
  for (const proof of TREE.consistencyProofs) {
    const older = HONEST.get(proof.treeSize1)
    const newer = HONEST.get(proof.treeSize2)
    if (older === undefined || newer === undefined) continue // only between signed sizes
    assert.equal(verifyConsistency(KEY, older, newer, proof).checkpoint, newer)
    checked++
  }
  assert.equal(checked, 10) // pairs m <= n of the signed sizes 0, 3, 5, 13
  for (const c of TREE.invalidConsistencyProofs) {
    assert.throws(
      () => verifyConsistency(KEY, BY_ROOT.get(c.root1), BY_ROOT.get(c.root2), c.proof),
      refused('ledger_consistency_failed'),
      c.name,
    )
  }
})

test('vectors: the witness rules (first, unchanged, extended, fork, shrink, rewritten history)', () => {
  assert.equal(TREE.witness.length, 10)
  for (const c of TREE.witness) {
    const newer = SIGNED[c.new]
    const check = () =>
      c.held ? verifyConsistency(KEY, SIGNED[c.held], newer, c.proof ?? undefined) : verifyCheckpoint(KEY, newer)
    if (['first', 'unchanged', 'extended'].includes(c.expected)) {
      assert.equal(check().checkpoint, newer, c.name)
    } else {
      assert.throws(check, refused(c.expected), c.name)
    }
  }
})
