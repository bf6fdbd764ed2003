// index.d.ts as TypeScript users see it: a usage file must compile under --strict, and
// a file of deliberate misuse must fail exactly where it says (@ts-expect-error).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
const file = (f) => fileURLToPath(new URL(f, import.meta.url))
const check = (f) => spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'false', file(f)], { encoding: 'utf8' })

describe('typings', () => {
  it('every exported name used as documented compiles with tsc --strict', () => {
    const r = check('./types.test-d.ts')
    assert.equal(r.status, 0, r.stdout + r.stderr)
  })

  it('the usage file and index.d.ts cover every runtime export', () => {
    const names = Object.keys(createRequire(import.meta.url)('../index.js'))
    const usage = readFileSync(file('./types.test-d.ts'), 'utf8')
    const dts = readFileSync(file('../index.d.ts'), 'utf8')
    assert.deepEqual(names.filter(n => !new RegExp(`\\b${n}\\b`).test(usage)), [], 'exports not used in types.test-d.ts')
    assert.deepEqual(names.filter(n => !new RegExp(`export (declare )?(class|function|const) ${n}\\b`).test(dts)), [], 'exports not declared in index.d.ts')
  })

  it('misuse is rejected by the compiler (each @ts-expect-error is needed)', () => {
    const r = check('./types-misuse.test-d.ts')
    assert.equal(r.status, 0, `an @ts-expect-error line compiled, or something else failed:\n${r.stdout}${r.stderr}`)
  })
})
