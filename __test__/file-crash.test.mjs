// file:// under crashes and concurrent processes: a process killed with SIGKILL in the middle of
// a stream of writes leaves only whole records and no temporary files once the directory is read
// again; two processes writing one root never corrupt each other's records.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync as mkdtemp, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lib } from './helpers.mjs'

const roots = []
process.on('exit', () => { for (const d of roots) rmSync(d, { recursive: true, force: true }) })
const mkdtempSync = (prefix) => { const d = mkdtemp(prefix); roots.push(d); return d }
const entry = fileURLToPath(new URL('../index.js', import.meta.url))

/** Files under `dir` whose name matches `re`. */
function find (dir, re) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...find(p, re))
    else if (re.test(name)) out.push(p)
  }
  return out
}

/** A child process running `body` (an async function's text) with `S3db` and `url` in scope. */
function child (url, body) {
  const script = `
    const { S3db } = require(${JSON.stringify(entry)})
    const { Readable } = require('node:stream')
    const { pipeline } = require('node:stream/promises')
    const url = ${JSON.stringify(url)}
    ;(async () => { ${body} })().then(() => process.exit(0), (e) => { console.error(e); process.exit(1) })
  `
  const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  p.stderr.setEncoding('utf8')
  p.stdout.setEncoding('utf8')
  let err = ''
  p.stderr.on('data', (d) => { err += d })
  p.done = new Promise((resolve) => p.on('exit', (code, signal) => resolve({ code, signal, err })))
  return p
}

const ATTRS = `{ name: 'string', blob: 'string' }`

describe('file:// crash safety and concurrent processes', () => {
  it('SIGKILL in the middle of a writable() stream: only whole records, no temporary files left', async () => {
    const root = mkdtempSync(join(tmpdir(), 's3db-crash-'))
    const url = `file://${root}`
    const writer = child(url, `
      const db = new S3db({ connectionString: url })
      await db.connect()
      const r = await db.createResource({ name: 'docs', attributes: ${ATTRS}, behavior: 'body-overflow' })
      const rows = (function * () { for (let i = 0; i < 3000; i++) yield { id: 'd' + i, name: 'doc ' + i, blob: 'x'.repeat(20000) } })()
      const w = r.writable({ concurrency: 8 })
      const tick = setInterval(() => { if (w.stats.written >= 40) { process.stdout.write('40\\n'); clearInterval(tick) } }, 5)
      await pipeline(Readable.from(rows), w)
    `)
    try {
      await new Promise((resolve, reject) => {
        writer.stdout.on('data', (d) => { if (d.includes('40')) resolve() })
        writer.done.then(({ err }) => reject(new Error(`writer ended early: ${err}`)))
      })
    } finally {
      writer.kill('SIGKILL')
    }
    const { signal } = await writer.done
    assert.equal(signal, 'SIGKILL')
    // Whatever the kill left, plus one half-written file of the dead writer for certain.
    const objects = find(root, /\.obj$/)
    const dir = objects[0].slice(0, objects[0].lastIndexOf('/'))
    writeFileSync(join(dir, `.tmp-${writer.pid}-planted`), '{"m":{}}\npartial')
    writeFileSync(join(root, `.tmp-${writer.pid}-top`), 'partial')

    const db = new lib.S3db({ connectionString: url })
    await db.connect()
    const r = await db.resource('docs')
    const ids = await r.listIds()
    assert.ok(ids.length >= 40, `${ids.length} records stored before the kill`)
    for (const id of ids) {
      const rec = await r.get(id)
      assert.equal(rec.blob.length, 20000, `${id} is whole`)
      assert.equal(rec.name, `doc ${id.slice(1)}`)
    }
    // Listing the directory removed the dead writer's temporary files; the open's sweep gets the rest.
    await new lib.S3db({ connectionString: url }).connect()
    for (let i = 0; i < 50 && find(root, /^\.tmp-/).length; i++) await new Promise(resolve => setTimeout(resolve, 20))
    assert.deepEqual(find(root, /^\.tmp-/), [])
  })

  it('two processes writing the same root (same and different ids) leave every record readable', async () => {
    const root = mkdtempSync(join(tmpdir(), 's3db-two-'))
    const url = `file://${root}`
    const setup = new lib.S3db({ connectionString: url })
    await setup.connect()
    await setup.createResource({ name: 'docs', attributes: { name: 'string', blob: 'string' }, behavior: 'body-overflow' })
    const body = (tag) => `
      const db = new S3db({ connectionString: url })
      await db.connect()
      const r = await db.resource('docs')
      const rows = []
      for (let i = 0; i < 150; i++) rows.push({ id: (i % 3 === 0 ? 'shared' : '${tag}') + i, name: '${tag}', blob: '${tag}'.repeat(5000 + i) })
      await pipeline(Readable.from(rows), r.writable({ concurrency: 8 }))
    `
    const a = child(url, body('a'))
    const b = child(url, body('b'))
    const [ra, rb] = await Promise.all([a.done, b.done])
    assert.equal(ra.code, 0, ra.err)
    assert.equal(rb.code, 0, rb.err)
    const db = new lib.S3db({ connectionString: url })
    await db.connect()
    const r = await db.resource('docs')
    const ids = await r.listIds()
    assert.equal(ids.length, 50 + 100 + 100)
    for (const id of ids) {
      const rec = await r.get(id)
      const tag = rec.name
      assert.ok(tag === 'a' || tag === 'b')
      if (!id.startsWith('shared')) assert.equal(id[0], tag)
      assert.equal(rec.blob, tag.repeat(5000 + Number(id.replace(/^\D+/, ''))), `${id}: one writer's whole record`)
    }
    assert.deepEqual(find(root, /^\.tmp-/), [])
  })
})
