#!/usr/bin/env node
// Benchmark of @postq/sdk (issue 7). Prints, in one run:
//   1. offline hybrid verify/s: SDK (release addon) vs @noble/post-quantum ML-DSA-65 +
//      @noble/curves Ed25519 (goal: SDK ≥ 30×), and vs the same call timed in Rust
//      (bench/rust_verify.rs; goal: SDK overhead ≤ 10 %);
//   2. scans.submit round trips/s: SDK vs plain fetch against the same local server
//      (goal ≥ 1×).
//
//   node bench/bench.mjs [--seconds 3] [--rounds 3] [--round-trips 300] [--no-build] [--debug-addon]
//
// By default it builds the release addon into bench/.release/ and the Rust timing
// program with cargo (release), both for the host target. Not run in CI.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { randomUUID } from 'node:crypto'

const HERE = dirname(fileURLToPath(import.meta.url))
const PKG = join(HERE, '..')
const ROOT = join(PKG, '..')
const args = process.argv.slice(2)
const opt = (name, dflt) => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : dflt
}
const SECONDS = opt('--seconds', 3)
const ROUND_TRIPS = opt('--round-trips', 300)
const host = execFileSync('rustc', ['-vV'], { encoding: 'utf8' }).match(/^host: (.+)$/m)[1]

function sh(cmd, argv, cwd = ROOT) {
  execFileSync(cmd, argv, { cwd, stdio: ['ignore', 'inherit', 'inherit'] })
}

// ---------------------------------------------------------------- builds
const releaseNode = join(HERE, '.release', 'postq.linux-x64-gnu.node')
if (!args.includes('--debug-addon')) {
  if (!args.includes('--no-build') || !existsSync(releaseNode)) {
    console.error('building the release addon (napi build --release) …')
    sh(join(PKG, 'node_modules', '.bin', 'napi'), ['build', '--platform', '--release', '--output-dir', 'bench/.release', '--no-js', '--dts', 'native.d.ts'], PKG)
  }
  const built = execFileSync('ls', [join(HERE, '.release')], { encoding: 'utf8' }).split('\n').find((f) => f.endsWith('.node'))
  process.env.NAPI_RS_NATIVE_LIBRARY_PATH = join(HERE, '.release', built)
}
console.error('building the Rust timing program (cargo --release) …')
sh('cargo', ['build', '-q', '--release', '--target', host, '-p', 'postq-node', '--example', 'rust-verify-bench'])
const rustBin = join(ROOT, 'target', host, 'release', 'examples', 'rust-verify-bench')

const { verifyOffline, PostQ, HybridPublicKey } = await import('../index.mjs')
const { ml_dsa65 } = await import('@noble/post-quantum/ml-dsa.js')
const { ed25519 } = await import('@noble/curves/ed25519.js')
const { sha512 } = await import('@noble/hashes/sha2.js')
const { startServer, vectors, unhex, SCAN } = await import('../test/helpers.mjs')

// ---------------------------------------------------------------- 1. offline verify
const doc = vectors('hybrid.json')
const vcase = doc.valid[0]
const vkey = doc.keys.find((k) => k.name === vcase.key)
const payload = unhex(vcase.payload)
const te = new TextEncoder()
const PREFIX = te.encode('CompositeAlgorithmSignatures2025')
const LABEL = te.encode('COMPSIG-MLDSA65-Ed25519-SHA512')

function rate(fn, seconds) {
  for (let i = 0; i < 20; i++) fn() // warm-up
  const end = performance.now() + seconds * 1000
  let n = 0
  const start = performance.now()
  while (performance.now() < end) {
    fn()
    n++
  }
  return n / ((performance.now() - start) / 1000)
}

const sdkVerify = () => {
  const r = verifyOffline({ publicKey: vkey.publicKey, payload, signature: vcase.signature })
  if (!r.ok) throw new Error('SDK: vector did not verify')
}
// noble: the same work per call — parse the published key and the envelope, build M',
// verify both halves (ML-DSA-65 with ctx = Label, Ed25519 strict).
const nobleVerify = () => {
  const pk = JSON.parse(vkey.publicKey)
  const env = JSON.parse(Buffer.from(vcase.signature, 'base64').toString('utf8'))
  const digest = sha512(payload)
  const mp = new Uint8Array(PREFIX.length + LABEL.length + 1 + 64)
  mp.set(PREFIX, 0)
  mp.set(LABEL, PREFIX.length)
  mp.set(digest, PREFIX.length + LABEL.length + 1)
  const pqOk = ml_dsa65.verify(Buffer.from(env.mldsa65, 'base64'), mp, Buffer.from(pk.mldsa65, 'base64'), { context: LABEL })
  const edOk = ed25519.verify(Buffer.from(env.ed25519, 'base64'), mp, Buffer.from(pk.ed25519, 'base64'), { zip215: false })
  if (!(pqOk && edOk)) throw new Error('noble: vector did not verify')
}

// The key parsed once, on both sides: SDK HybridPublicKey vs noble with decoded key bytes.
const parsedKey = HybridPublicKey.parse(vkey.publicKey)
const sdkParsedVerify = () => {
  if (!parsedKey.verify(payload, vcase.signature).ok) throw new Error('SDK: vector did not verify')
}
const pkJson = JSON.parse(vkey.publicKey)
const nobleMldsaPk = Buffer.from(pkJson.mldsa65, 'base64')
const nobleEdPk = Buffer.from(pkJson.ed25519, 'base64')
const nobleParsedVerify = () => {
  const env = JSON.parse(Buffer.from(vcase.signature, 'base64').toString('utf8'))
  const mp = new Uint8Array(PREFIX.length + LABEL.length + 1 + 64)
  mp.set(PREFIX, 0)
  mp.set(LABEL, PREFIX.length)
  mp.set(sha512(payload), PREFIX.length + LABEL.length + 1)
  const pqOk = ml_dsa65.verify(Buffer.from(env.mldsa65, 'base64'), mp, nobleMldsaPk, { context: LABEL })
  const edOk = ed25519.verify(Buffer.from(env.ed25519, 'base64'), mp, nobleEdPk, { zip215: false })
  if (!(pqOk && edOk)) throw new Error('noble: vector did not verify')
}

// The machine is shared and noisy: interleave SDK and Rust runs for ROUNDS rounds and
// keep each side's best (contention only ever slows a run down).
const ROUNDS = opt('--rounds', 3)
const runs = { sdk: [], sdkParsed: [], rust: [], rustParsed: [], noble: [], nobleParsed: [] }
for (let round = 0; round < ROUNDS; round++) {
  runs.sdk.push(rate(sdkVerify, SECONDS))
  const rustOut = JSON.parse(execFileSync(rustBin, [join(ROOT, 'tests', 'vectors', 'hybrid.json'), String(SECONDS)], { encoding: 'utf8' }))
  runs.rust.push(rustOut.verifyPerSec)
  runs.rustParsed.push(rustOut.parsedKeyVerifyPerSec)
  runs.sdkParsed.push(rate(sdkParsedVerify, SECONDS))
  runs.noble.push(rate(nobleVerify, Math.max(1, SECONDS / 2)))
  runs.nobleParsed.push(rate(nobleParsedVerify, Math.max(1, SECONDS / 2)))
}
const best = (xs) => Math.max(...xs)
const sdkBest = best(runs.sdk)
const rustRate = best(runs.rust)
const sdkParsedRate = best(runs.sdkParsed)
const rustParsedRate = best(runs.rustParsed)
const nobleRate = best(runs.noble)
const nobleParsedRate = best(runs.nobleParsed)
const list = (xs) => xs.map((x) => x.toFixed(0)).join(', ')

// ---------------------------------------------------------------- 2. round trips
const serverBin = process.env.POSTQ_SERVER_BIN ?? (existsSync(join(ROOT, 'target', 'release', 'postq-server')) ? join(ROOT, 'target', 'release', 'postq-server') : undefined)
if (serverBin) process.env.POSTQ_SERVER_BIN = serverBin
const server = await startServer({ rateLimits: 'scans_write=1000000,read=1000000,write=1000000' })
let sdkRtRate, fetchRtRate
try {
  const pq = new PostQ({ apiKey: server.apiKey, baseUrl: server.baseUrl })
  const body = JSON.stringify(SCAN)
  const viaFetch = async () => {
    const res = await fetch(`${server.baseUrl}/v1/scans`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${server.apiKey}`,
        'content-type': 'application/json',
        'idempotency-key': `pq_idem_${randomUUID()}`, // what the SDK sends too: a retry-safe submit
      },
      body,
    })
    if (res.status !== 200) throw new Error(`fetch: HTTP ${res.status}`)
    const scan = await res.json()
    if (!scan.id) throw new Error('fetch: no id')
  }
  const viaSdk = async () => {
    const scan = await pq.scans.submit(SCAN)
    if (!scan.id) throw new Error('sdk: no id')
  }
  async function rtRate(fn, n) {
    for (let i = 0; i < 20; i++) await fn()
    const start = performance.now()
    for (let i = 0; i < n; i++) await fn()
    return n / ((performance.now() - start) / 1000)
  }
  // interleave two rounds each so neither side gets the warmer server
  const s1 = await rtRate(viaSdk, ROUND_TRIPS)
  const f1 = await rtRate(viaFetch, ROUND_TRIPS)
  const f2 = await rtRate(viaFetch, ROUND_TRIPS)
  const s2 = await rtRate(viaSdk, ROUND_TRIPS)
  sdkRtRate = (s1 + s2) / 2
  fetchRtRate = (f1 + f2) / 2
} finally {
  await server.close()
}

// ---------------------------------------------------------------- report
const fmt = (x) => x.toFixed(1).padStart(10)
const overhead = (rustRate / sdkBest - 1) * 100
console.log(`@postq/sdk benchmark  (node ${process.version}, ${host}, addon: ${args.includes('--debug-addon') ? 'debug' : 'release'}, server: ${serverBin ?? 'target/debug/postq-server'})`)
console.log('')
console.log('offline hybrid verify (mldsa65+ed25519, tests/vectors/hybrid.json "ship-it", key + envelope parsed per call)')
console.log(`  SDK verifyOffline             ${fmt(sdkBest)} verify/s   (best of ${list(runs.sdk)})`)
console.log(`  noble ML-DSA-65 + Ed25519     ${fmt(nobleRate)} verify/s   (best of ${list(runs.noble)})`)
console.log(`  Rust postq (same call)        ${fmt(rustRate)} verify/s   (best of ${list(runs.rust)})`)
console.log(`  SDK / noble                   ${fmt(sdkBest / nobleRate)} x        goal >= 30x   ${sdkBest / nobleRate >= 30 ? 'MET' : 'NOT MET'}`)
console.log(`  SDK overhead vs Rust          ${fmt(overhead)} %        goal <= 10 %  ${overhead <= 10 ? 'MET' : 'NOT MET'}`)
const overheadParsed = (rustParsedRate / sdkParsedRate - 1) * 100
console.log('')
console.log('offline hybrid verify, key parsed once (SDK HybridPublicKey.verify; noble with decoded key bytes)')
console.log(`  SDK HybridPublicKey.verify    ${fmt(sdkParsedRate)} verify/s   (best of ${list(runs.sdkParsed)})`)
console.log(`  noble ML-DSA-65 + Ed25519     ${fmt(nobleParsedRate)} verify/s   (best of ${list(runs.nobleParsed)})`)
console.log(`  Rust postq::hybrid::verify    ${fmt(rustParsedRate)} verify/s   (best of ${list(runs.rustParsed)})`)
console.log(`  SDK / noble                   ${fmt(sdkParsedRate / nobleParsedRate)} x        goal >= 30x   ${sdkParsedRate / nobleParsedRate >= 30 ? 'MET' : 'NOT MET'}`)
console.log(`  (Rust core itself / noble     ${fmt(rustParsedRate / nobleParsedRate)} x: the ceiling any binding of this core can reach)`)
console.log(`  SDK overhead vs Rust          ${fmt(overheadParsed)} %        goal <= 10 %  ${overheadParsed <= 10 ? 'MET' : 'NOT MET'}`)
console.log('')
console.log(`scans.submit round trips (sequential, ${ROUND_TRIPS} x 2 each, Idempotency-Key on both)`)
console.log(`  SDK pq.scans.submit           ${fmt(sdkRtRate)} req/s`)
console.log(`  plain fetch                   ${fmt(fetchRtRate)} req/s`)
console.log(`  SDK / fetch                   ${fmt(sdkRtRate / fetchRtRate)} x        goal >= 1x    ${sdkRtRate / fetchRtRate >= 1 ? 'MET' : 'NOT MET'}`)
