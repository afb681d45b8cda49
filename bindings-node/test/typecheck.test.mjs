// `tsc --noEmit --strict` on the typed example (examples/node_quickstart.ts) and on
// test/types-check.ts, against the package's .d.ts (generated native.d.ts + index.d.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { join } from 'node:path'
import { PKG } from './helpers.mjs'

test('tsc --noEmit --strict on examples/node_quickstart.ts and the type checks', async () => {
  const tsc = join(PKG, 'node_modules', 'typescript', 'bin', 'tsc')
  try {
    await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--strict', '-p', join(PKG, 'tsconfig.examples.json')], { cwd: PKG })
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}\n${e.stderr}`)
  }
})
