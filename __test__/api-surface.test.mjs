// Every method index.d.ts declares on an exported class, and every exported function, is called
// by at least one test under __test__/: a name scan (`.method(`, or `name(` for a function) over
// the test files. A method added to the typings without a test fails here.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'

const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
const dir = new URL('./', import.meta.url)
// This file names methods in its own checks: it does not count as calling them.
const tests = readdirSync(dir).filter(f => f.endsWith('.mjs') && f !== 'api-surface.test.mjs').map(f => readFileSync(new URL(f, dir), 'utf8')).join('\n')

// Declared but not callable from a test, with the reason.
const ALLOWED = {
  // Node's Readable.read(), redeclared for its record type; streams are read through it by
  // for await / pipe / on('data') everywhere, never by name.
  'ResourceReader.read': 'Readable.read, exercised through every consumption path',
  // Validator.add always throws (custom JS rules cannot run in the engine); validator.test.mjs
  // checks that through `v.add` in an assert.throws.
}

/** `{ classes: { Name: [methods] }, functions: [names] }` from the typings' text. */
export function declaredApi (text) {
  const classes = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^export (?:declare )?class (\w+)[^{]*\{(.*)$/.exec(lines[i])
    if (!m) continue
    const methods = new Set()
    if (!m[2].includes('}')) { // a one-line class (`{ code: 'X' }`) declares no method
      for (i++; i < lines.length && !/^\}/.test(lines[i]); i++) {
        const d = /^ {2}(?:static )?(?:readonly )?([A-Za-z_$][\w$]*)\??(?:<[^(]*>)?\(/.exec(lines[i])
        if (d && d[1] !== 'constructor') methods.add(d[1])
      }
    }
    classes[m[1]] = [...methods]
  }
  const functions = [...text.matchAll(/^export (?:declare )?function (\w+)/gm)].map(m => m[1])
  return { classes, functions }
}

/** The declared names no test calls (minus the allow-list). */
export function untested (api, source) {
  const called = (name, prefix) => new RegExp(`${prefix}${name.replace(/\$/g, '\\$')}\\s*\\(`).test(source)
  const missing = []
  for (const [cls, methods] of Object.entries(api.classes)) {
    for (const m of methods) if (!ALLOWED[`${cls}.${m}`] && !called(m, '\\.')) missing.push(`${cls}.${m}`)
  }
  for (const f of api.functions) if (!ALLOWED[f] && !called(f, '(^|[^\\w$])')) missing.push(f)
  return missing
}

it('index.d.ts declares classes with methods, and functions (the scan sees them)', () => {
  const api = declaredApi(dts)
  assert.ok(api.classes.Client.includes('deleteObjects'))
  assert.ok(api.classes.Resource.includes('insert'))
  assert.ok(api.classes.Schema.includes('import'), 'static methods too')
  assert.ok(api.classes.S3Cache.includes('keys'))
  assert.ok(api.functions.includes('streamToString'))
  assert.ok(Object.keys(api.classes).length >= 30, Object.keys(api.classes).join(' '))
})

it('every declared method and function is called by a test', () => {
  assert.deepEqual(untested(declaredApi(dts), tests), [])
})

it('the scan fails for a method or a function that no test calls', () => {
  const text = dts
    .replace(/^export class Client extends EventEmitter \{$/m, '$&\n  neverCalledAnywhere(): void')
    .replace(/^export function sha256/m, 'export function neverCalledFunction(): void\n$&')
  const before = untested(declaredApi(dts), tests)
  assert.deepEqual(untested(declaredApi(text), tests).filter(n => !before.includes(n)), ['Client.neverCalledAnywhere', 'neverCalledFunction'])
})

it('the allow-list only names declared methods', () => {
  const api = declaredApi(dts)
  for (const name of Object.keys(ALLOWED)) {
    const [cls, m] = name.split('.')
    assert.ok(m ? (api.classes[cls] || []).includes(m) : api.functions.includes(cls), name)
  }
})
