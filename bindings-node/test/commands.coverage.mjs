// Run after the suite by run-tests.sh (`node --test test/commands.coverage.mjs`): every
// command of postq-bindings-common must have been sent by some test (recorded through
// POSTQ_COMMAND_LOG by helpers.mjs). A new command without a Node test fails here.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const native = createRequire(import.meta.url)('../native.js')

test('the suite exercised every command of the common layer', () => {
  const log = process.env.POSTQ_COMMAND_LOG
  assert.ok(log && existsSync(log), 'POSTQ_COMMAND_LOG must name the log of a full test run (run-tests.sh)')
  const ran = new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))
  const missing = native.operations().filter((op) => !ran.has(op))
  assert.deepEqual(missing, [], `commands no Node test sent: ${missing.join(', ')}`)
})
