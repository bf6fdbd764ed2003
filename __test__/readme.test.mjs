// Every code block of README.md preceded by `<!-- runnable -->` is run as its own ES
// module (top-level await), from a scratch directory inside the package so that
// `import … from 's3db-native'` resolves to this package, and what it prints must be
// what the README shows: each runnable block is followed by
//
//   <!-- output -->
//   ```text
//   …the exact console output…
//   ```
//
// The comparison is exact except for explicit placeholders, for what is truly random:
//   <id> / <id:name>         a generated 22-character nanoid (same name = same id,
//                            different names = different ids)
//   <date> / <date:name>     an ISO-8601 timestamp taken while the block ran
//   <base64>                 a ciphertext (random salt and IV)
//
// A block that names a storage (`connectionString: 'memory://…'` or `'file://…'`)
// runs on every backend of helpers.mjs: as written where it already names that
// backend, otherwise with the connection string swapped for a fresh one. The
// storage location it prints then changes, and only that is mapped, explicitly:
// `bucket: '<README bucket>'` and `keyPrefix: '<README prefix>'`, and keys shown
// with the README's prefix (`'<prefix>/…'`), become the swapped location's.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lib, backends, connectionString } from './helpers.mjs'

const repo = join(dirname(fileURLToPath(import.meta.url)), '..')
const readme = readFileSync(join(repo, 'README.md'), 'utf8')

/** Where a backend cannot show what the README shows; each entry is a product defect to fix, run as a `todo`. */
const KNOWN = {}

/** `[{ line, heading, code, expected }]` of the runnable blocks. */
function runnableBlocks (text) {
  const lines = text.split('\n')
  const blocks = []
  let heading = ''
  for (let i = 0; i < lines.length; i++) {
    if (/^#{1,4} /.test(lines[i])) heading = lines[i].replace(/^#+ /, '')
    if (lines[i].trim() !== '<!-- runnable -->') continue
    const open = lines[i + 1] || ''
    assert.match(open, /^```(js|javascript|mjs)$/, `README line ${i + 2}: a runnable marker must precede a js block`)
    const end = lines.indexOf('```', i + 2)
    assert.ok(end > i, `README line ${i + 2}: unterminated block`)
    let o = end + 1
    while (o < lines.length && lines[o].trim() === '') o++
    assert.equal(lines[o], '<!-- output -->', `README line ${i + 2}: a runnable block must be followed by <!-- output --> and its output`)
    assert.equal(lines[o + 1], '```text', `README line ${o + 2}: the output must be a text block`)
    const outEnd = lines.indexOf('```', o + 2)
    assert.ok(outEnd > o, `README line ${o + 2}: unterminated output block`)
    blocks.push({ line: i + 2, heading, code: lines.slice(i + 2, end).join('\n'), expected: lines.slice(o + 2, outEnd).join('\n') })
  }
  return blocks
}

// ---------------------------------------------------------------------------
// Expected output with placeholders

const PLACEHOLDER = /<(id|date|base64)(?::([\w-]+))?>/g
const KINDS = {
  id: '[A-Za-z0-9_-]{22}',
  date: '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z',
  base64: '[A-Za-z0-9+/]{16,}={0,2}'
}
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Assert that `actual` is `expected` with each placeholder standing for one value of
 * its kind; named placeholders bind (same name, same value; another name of the same
 * kind, another value) and every date lies in `[from, to]` (ms).
 */
function assertOutput (actual, expected, { from, to }, label) {
  const slots = []
  let re = '^'
  let last = 0
  for (const m of expected.matchAll(PLACEHOLDER)) {
    re += escapeRe(expected.slice(last, m.index)) + `(${KINDS[m[1]]})`
    slots.push({ kind: m[1], name: m[2] })
    last = m.index + m[0].length
  }
  re += escapeRe(expected.slice(last)) + '$'
  const match = new RegExp(re).exec(actual)
  if (!match) assert.equal(actual, expected, `${label}: the output differs from the README's (placeholders: ${[...new Set(slots.map(s => s.kind))].join(', ') || 'none'})`)
  const bound = new Map()
  for (const [i, { kind, name }] of slots.entries()) {
    const value = match[i + 1]
    if (kind === 'date') {
      const t = Date.parse(value)
      assert.ok(t >= from && t <= to, `${label}: ${value} (<${kind}${name ? ':' + name : ''}>) is not a time of this run (${new Date(from).toISOString()} .. ${new Date(to).toISOString()})`)
    }
    if (!name) continue
    const key = `${kind}:${name}`
    if (bound.has(key)) assert.equal(value, bound.get(key), `${label}: <${key}> stands for two different values`)
    else {
      for (const [other, v] of bound) assert.ok(!(other.startsWith(kind + ':') && v === value), `${label}: <${key}> and <${other}> are the same value ${value}`)
      bound.set(key, value)
    }
  }
}

// ---------------------------------------------------------------------------
// Backends

const LITERAL = /connectionString: '((?:memory|file):\/\/[^']*)'/g

/** The block's own connection strings (memory:// or file://). */
const storages = (code) => [...new Set([...code.matchAll(LITERAL)].map(m => m[1]))]

/** The block as run on `backend`, and its expected output for that location. */
function onBackend (block, backend) {
  let { code, expected } = block
  for (const written of storages(block.code)) {
    if (written.startsWith(`${backend}://`)) continue
    const swapped = connectionString(backend)
    code = code.split(`'${written}'`).join(`'${swapped}'`)
    const from = new lib.ConnectionString(written)
    const to = new lib.ConnectionString(swapped)
    expected = expected
      .split(`bucket: '${from.bucket}'`).join(`bucket: '${to.bucket}'`)
      .split(`keyPrefix: '${from.keyPrefix}'`).join(`keyPrefix: '${to.keyPrefix}'`)
      .split(`'${from.keyPrefix}/`).join(`'${to.keyPrefix ? to.keyPrefix + '/' : ''}`)
  }
  return { code, expected }
}

const blocks = runnableBlocks(readme)
const scratch = join(repo, '.cache', 'readme-blocks')

function run (name, code) {
  const dir = join(scratch, name)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  const file = join(dir, 'block.mjs')
  writeFileSync(file, code + '\n')
  const from = Date.now() - 1000 // S3 keeps whole seconds
  const p = spawnSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 })
  const to = Date.now()
  assert.equal(p.status, 0, `failed (exit ${p.status}, ${p.signal || 'no signal'}):\n${p.stderr || (p.error && p.error.message)}`)
  assert.equal(p.stderr, '', 'nothing on stderr')
  return { stdout: p.stdout, from, to }
}

describe('README runnable blocks', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }))

  it('there are runnable blocks for the main sections', () => {
    const headings = new Set(blocks.map(b => b.heading))
    for (const h of ['Quick start', 'Database', 'Resource', 'Partitions', 'Streams', 'Plugins and caches']) assert.ok(headings.has(h), `no runnable block under "${h}"`)
  })

  it('the output check fails on a wrong value, a rebound name and a date outside the run', () => {
    const window = { from: Date.parse('2026-01-01T00:00:00Z'), to: Date.parse('2026-01-01T00:01:00Z') }
    const id1 = 'A'.repeat(22)
    const id2 = 'B'.repeat(22)
    assertOutput(`${id1} ${id1} ${id2} 2026-01-01T00:00:30.000Z`, '<id:a> <id:a> <id:b> <date>', window, 'ok')
    assert.throws(() => assertOutput('true 3', 'true 4', window, 'value'), assert.AssertionError)
    assert.throws(() => assertOutput(`${id1} ${id2}`, '<id:a> <id:a>', window, 'rebound'), /two different values/)
    assert.throws(() => assertOutput(`${id1} ${id1}`, '<id:a> <id:b>', window, 'same'), /are the same value/)
    assert.throws(() => assertOutput('2025-01-01T00:00:00.000Z', '<date>', window, 'date'), /not a time of this run/)
  })

  for (const [i, block] of blocks.entries()) {
    const where = storages(block.code).length ? backends() : ['(no storage)']
    for (const backend of where) {
      const todo = KNOWN[`${block.heading}|${backend}`]
      it(`block ${i + 1} (${block.heading}, README line ${block.line}) on ${backend} prints what the README shows`, { todo }, () => {
        const { code, expected } = storages(block.code).length ? onBackend(block, backend) : block
        const { stdout, from, to } = run(`block-${i + 1}-${backend.replace(/\W/g, '')}`, code)
        assertOutput(stdout.replace(/\n$/, ''), expected, { from, to }, `README block at line ${block.line} on ${backend}`)
      })
    }
  }
})
