// Test harness: one reference server per test file (target/debug/postq-server on a free
// loopback port), killed after. Also shared helpers for vectors and noble.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync, readFileSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { createRequire } from 'node:module'

export const HERE = dirname(fileURLToPath(import.meta.url))
export const PKG = join(HERE, '..')
export const ROOT = join(PKG, '..')
export const VECTORS = process.env.POSTQ_VECTORS_DIR ?? join(ROOT, 'tests', 'vectors')
export const SERVER_BIN = process.env.POSTQ_SERVER_BIN ?? join(ROOT, 'target', 'debug', 'postq-server')

// With POSTQ_COMMAND_LOG set (run-tests.sh sets it), every command the suite sends to
// the native layer is appended to that file by op name; test/commands.coverage.mjs then
// checks that each command of postq-bindings-common was exercised.
const native = createRequire(import.meta.url)('../native.js')
const RECORDED = Symbol.for('postq.recordCommands')
if (process.env.POSTQ_COMMAND_LOG && !native.NativeClient.prototype[RECORDED]) {
  const log = process.env.POSTQ_COMMAND_LOG
  const record = (command) => {
    try {
      appendFileSync(log, `${JSON.parse(command).op}\n`)
    } catch {
      // not JSON: the native layer reports it
    }
  }
  const proto = native.NativeClient.prototype
  const { call, stream } = proto
  proto.call = function (command, ...rest) {
    record(command)
    return call.call(this, command, ...rest)
  }
  proto.stream = function (command, ...rest) {
    record(command)
    return stream.call(this, command, ...rest)
  }
  proto[RECORDED] = true
}

export const vectors = (name) => JSON.parse(readFileSync(join(VECTORS, name), 'utf8'))
export const unhex = (s) => new Uint8Array(Buffer.from(s, 'hex'))

/**
 * Start `postq-server --faults --listen 127.0.0.1:0` (in memory, or on a temp data dir
 * when `dataDir: true` so `keys create` can mint restricted keys) and wait for the
 * bootstrap key and the address it prints on stdout.
 */
export async function startServer({ dataDir = false, rateLimits = 'scans_write=5000,read=20000,write=20000' } = {}) {
  if (!existsSync(SERVER_BIN)) {
    throw new Error(`${SERVER_BIN} is missing: run \`cargo build -p postq-server\` (run-tests.sh does)`)
  }
  const dir = dataDir ? mkdtempSync(join(tmpdir(), 'postq-node-test-')) : null
  const args = ['--faults', '--listen', '127.0.0.1:0', '--rate-limits', rateLimits]
  if (dir) args.push('--data-dir', dir)
  else args.push('--memory')
  const child = spawn(SERVER_BIN, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, POSTQ_SERVER_LOG: 'warn', POSTQ_API_KEY: '', POSTQ_BASE_URL: '' },
  })
  let stderr = ''
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000)
  })
  const lines = createInterface({ input: child.stdout })
  const started = new Promise((resolve, reject) => {
    let apiKey = null
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s; stderr: ${stderr}`)), 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}; stderr: ${stderr}`))
    })
    lines.on('line', (line) => {
      const key = /^(pq_live_[0-9a-f]+)\s*$/.exec(line.trim())
      if (key) apiKey = key[1]
      const listening = /listening on (http:\/\/[^\s]+)/.exec(line)
      if (listening) {
        clearTimeout(timer)
        resolve({ baseUrl: listening[1], apiKey })
      }
    })
  })
  const { baseUrl, apiKey } = await started
  if (!apiKey) throw new Error('server printed no bootstrap key')
  return {
    baseUrl,
    apiKey,
    /** Mint an API key with these scopes in `org` (default: the bootstrap organisation; data-dir servers). */
    createKey(scopes, org = 'default') {
      if (!dir) throw new Error('createKey needs startServer({ dataDir: true })')
      const out = execFileSync(
        SERVER_BIN,
        ['keys', 'create', '--data-dir', dir, '--org', org, '--scopes', scopes.join(',')],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, POSTQ_SERVER_LOG: 'warn' } },
      )
      const key = /pq_live_[0-9a-f]+/.exec(out)
      if (!key) throw new Error(`keys create printed no key: ${out}`)
      return key[0]
    },
    async close() {
      child.removeAllListeners('exit')
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
        if (child.exitCode === null) child.kill('SIGKILL')
      }
      if (dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}

export const SCAN = {
  type: 'url',
  target: 'example.com',
  riskScore: 85,
  riskLevel: 'High',
  findings: [{ severity: 'high', title: 'RSA-2048 public key' }],
}
