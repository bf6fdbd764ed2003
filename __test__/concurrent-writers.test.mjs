// Many writers, nothing lost: read-modify-writes use conditional writes (If-Match /
// If-None-Match) and retry from a fresh read when another writer got there first.
// Separate processes on file:// and S3 (a process serializes nothing for another one), and
// separate databases inside one process on every backend.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { backends, connectionString, freshDb, lib } from './helpers.mjs'

const entry = fileURLToPath(new URL('../index.js', import.meta.url))
const FIELDS = 20

/** Run `body` in a child Node with `S3db` and `cs` in scope; resolves with its output (rejects on failure). */
function child (body, cs) {
  const script = `const { S3db, ConflictError } = require(${JSON.stringify(entry)}); const cs = ${JSON.stringify(cs)}
    ;(async () => { ${body} })().catch((e) => { console.error(e); process.exit(1) })`
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}: ${err}`))))
  })
}

const attributes = Object.fromEntries(['a', 'b'].flatMap((p) => Array.from({ length: FIELDS }, (_, i) => [`${p}${i}`, 'number|optional'])))

const crossProcess = backends().filter((b) => b !== 'memory') // memory:// is one process's store

describe('concurrent writers in separate processes', () => {
  for (const backend of crossProcess) {
    it(`${backend}: two processes updating their own ${FIELDS} fields of one record lose no write`, async () => {
      const cs = connectionString(backend)
      const db = new lib.S3db({ connectionString: cs })
      await db.connect()
      const r = await db.createResource({ name: 'shared', attributes })
      await r.insert({ id: 'one', a0: -1, b0: -1 })
      const rounds = backend === 's3' ? 60 : 300
      const writer = (p) => `
        const db = new S3db({ connectionString: cs })
        await db.connect()
        const r = await db.resource('shared')
        let updates = 0
        for (let i = 0; i < ${rounds}; i++) {
          const patch = {}
          for (let f = 0; f < ${FIELDS}; f++) patch['${p}' + f] = i
          await r.update('one', patch)
          updates++
        }
        console.log('updates', updates)`
      const outs = await Promise.all([child(writer('a'), cs), child(writer('b'), cs)])
      for (const out of outs) assert.match(out, new RegExp(`updates ${rounds}`))
      const final = await r.get('one')
      const lost = Object.keys(attributes).filter((k) => final[k] !== rounds - 1)
      assert.deepEqual(lost, [], `fields whose last write was lost: ${lost.join(', ')}`)
    })

    it(`${backend}: four processes creating 25 resources each at start-up lose no definition`, async () => {
      const cs = connectionString(backend)
      const per = backend === 's3' ? 8 : 25
      const creator = (p) => `
        const db = new S3db({ connectionString: cs })
        await db.connect()
        for (let i = 0; i < ${per}; i++) await db.createResource({ name: 'p${p}_r' + i, attributes: { n: 'number' } })
        console.log('created')`
      await Promise.all([0, 1, 2, 3].map((p) => child(creator(p), cs)))
      const db = new lib.S3db({ connectionString: cs })
      await db.connect()
      const names = Object.keys(db.savedMetadata.resources).sort()
      assert.equal(names.length, 4 * per, `definitions in s3db.json: ${names.length}`)
      for (let p = 0; p < 4; p++) for (let i = 0; i < per; i++) assert.ok(names.includes(`p${p}_r${i}`), `p${p}_r${i} is stored`)
      // A process connecting later sees every resource.
      assert.equal(Object.keys(db.resources).length, 4 * per)
    })

    it(`${backend}: processes racing to create one id with ifNotExists: exactly one wins`, async () => {
      const cs = connectionString(backend)
      const db = new lib.S3db({ connectionString: cs })
      await db.connect()
      await db.createResource({ name: 'claims', attributes: { owner: 'string' } })
      const claimer = (p) => `
        const db = new S3db({ connectionString: cs })
        await db.connect()
        const r = await db.resource('claims')
        try { await r.insert({ id: 'the-one', owner: 'p${p}' }, { ifNotExists: true }); console.log('won') }
        catch (e) { if (e instanceof ConflictError && e.reason === 'exists') console.log('lost'); else throw e }`
      const outs = await Promise.all([0, 1, 2, 3].map((p) => child(claimer(p), cs)))
      assert.equal(outs.filter((o) => o.includes('won')).length, 1, outs.join(''))
      assert.equal(outs.filter((o) => o.includes('lost')).length, 3)
    })
  }
})

describe('concurrent writers inside one process (separate databases)', () => {
  for (const backend of backends()) {
    it(`${backend}: a write landing between an update's read and its write makes it retry; hooks run once`, async () => {
      const cs = connectionString(backend)
      const other = new lib.S3db({ connectionString: cs })
      await other.connect()
      const theirs = await other.createResource({ name: 'acct', attributes: { a: 'number|optional', b: 'number|optional' } })
      await theirs.insert({ id: 'x', a: 0, b: 0 })
      const calls = { pre: 0, after: 0 }
      const db = new lib.S3db({ connectionString: cs })
      await db.connect()
      const mine = await db.createResource({
        name: 'acct',
        attributes: { a: 'number|optional', b: 'number|optional' },
        options: {
          hooks: {
            // Runs after this update read the record: another writer changes it right then. On S3
            // this update holds the record's lease, so the other writer waits for it (awaiting it
            // here would wait forever); elsewhere its write lands first and this one retries.
            preUpdate: [async (data) => {
              calls.pre++
              if (calls.pre === 1) {
                other._pending = theirs.update('x', { b: 7 })
                if (backend !== 's3') await other._pending
              }
              return data
            }],
            afterUpdate: [async (data) => { calls.after++; return data }]
          }
        }
      })
      const gets = []
      mine.on('get', (rec) => gets.push(rec))
      const out = await mine.update('x', { a: 5 })
      await other._pending
      assert.equal(out.a, 5)
      if (backend !== 's3') assert.equal(out.b, 7, 'the retry applied the change to the fresh record')
      assert.deepEqual(calls, { pre: 1, after: 1 }, 'preUpdate once per call, afterUpdate once on the write that landed')
      assert.equal(gets.length, 1, "one get event: the landed attempt's")
      const stored = await theirs.get('x')
      assert.equal(stored.a, 5)
      assert.equal(stored.b, 7)
    })

    it(`${backend}: two databases updating different fields concurrently lose nothing`, async () => {
      const cs = connectionString(backend)
      const dbs = [new lib.S3db({ connectionString: cs }), new lib.S3db({ connectionString: cs })]
      await dbs[0].connect()
      const attrs = { a: 'number|optional', b: 'number|optional' }
      const r0 = await dbs[0].createResource({ name: 'pair', attributes: attrs })
      await r0.insert({ id: 'p', a: -1, b: -1 })
      await dbs[1].connect()
      const r1 = await dbs[1].resource('pair')
      const n = backend === 's3' ? 15 : 40
      await Promise.all([
        (async () => { for (let i = 0; i < n; i++) await r0.update('p', { a: i }) })(),
        (async () => { for (let i = 0; i < n; i++) await r1.update('p', { b: i }) })()
      ])
      const final = await r0.get('p')
      assert.equal(final.a, n - 1)
      assert.equal(final.b, n - 1)
    })

    it(`${backend}: insert overwrites by default; ifNotExists, insertMode 'create', insertMany and writable refuse an existing id`, async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'items', attributes: { v: 'number' } })
      await r.insert({ id: 'k', v: 1 })
      await r.insert({ id: 'k', v: 2 })
      assert.equal((await r.get('k')).v, 2, '4.1.7: a second insert overwrites')
      await assert.rejects(r.insert({ id: 'k', v: 3 }, { ifNotExists: true }), (e) => e instanceof lib.ConflictError && e.reason === 'exists' && e.id === 'k' && e.code === 'ConflictError')
      assert.equal((await r.get('k')).v, 2, 'a refused insert changes nothing')
      const fresh = await r.insert({ id: 'n', v: 4 }, { ifNotExists: true })
      assert.equal(fresh.v, 4)

      const errors = []
      r.on('error', (err, item) => errors.push([err, item]))
      const many = await r.insertMany([{ id: 'k', v: 5 }, { id: 'm', v: 6 }], { ifNotExists: true })
      assert.deepEqual(many.map((x) => x.id), ['m'])
      assert.equal(errors.length, 1)
      assert.ok(errors[0][0] instanceof lib.ConflictError)
      assert.equal(errors[0][1].id, 'k')

      const strict = await db.createResource({ name: 'strict', attributes: { v: 'number' }, options: { insertMode: 'create' } })
      await strict.insert({ id: 's', v: 1 })
      await assert.rejects(strict.insert({ id: 's', v: 2 }), lib.ConflictError)
      assert.equal((await strict.insert({ id: 's', v: 3 }, { ifNotExists: false })).v, 3, 'a call may still overwrite')

      const w = r.writable({ ifNotExists: true })
      const failed = []
      w.on('recordError', (err, rec) => failed.push([err, rec]))
      const perRecord = []
      w.on('error', (err) => perRecord.push(err)) // a listened writer reports each failed record here too
      await new Promise((resolve) => {
        w.on('finish', resolve)
        w.write({ id: 'k', v: 9 })
        w.write({ id: 'w', v: 10 })
        w.end()
      })
      assert.equal(perRecord.length, 1)
      assert.equal(failed.length, 1)
      assert.ok(failed[0][0] instanceof lib.ConflictError)
      assert.equal(failed[0][1].id, 'k')
      assert.equal((await r.get('k')).v, 2)
      assert.equal((await r.get('w')).v, 10)
    })

    it(`${backend}: upsert of an id another writer creates meanwhile updates it instead of overwriting`, async () => {
      const cs = connectionString(backend)
      const a = new lib.S3db({ connectionString: cs })
      await a.connect()
      const ra = await a.createResource({ name: 'u', attributes: { x: 'number|optional', y: 'number|optional' } })
      const b = new lib.S3db({ connectionString: cs })
      await b.connect()
      const rb = await b.resource('u')
      // 8 upserts of one new id from two databases: the record ends with every field set.
      await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? ra : rb).upsert({ id: 'new', [i % 2 ? 'x' : 'y']: i })))
      const got = await ra.get('new')
      assert.equal(typeof got.x, 'number')
      assert.equal(typeof got.y, 'number')
    })
  }

  it("concurrency: 'last-writer-wins' sends no precondition (an insert with ifNotExists then overwrites)", async () => {
    const db = await freshDb('memory', { concurrency: 'last-writer-wins' })
    const r = await db.createResource({ name: 'lww', attributes: { v: 'number' } })
    await r.insert({ id: 'k', v: 1 })
    await r.insert({ id: 'k', v: 2 }, { ifNotExists: true })
    assert.equal((await r.get('k')).v, 2)
    assert.equal(db.client.config.concurrency, 'last-writer-wins')
  })

  it('a bad concurrency option is a ConnectionStringError', () => {
    assert.throws(() => new lib.S3db({ connectionString: 'memory://b/x', concurrency: 'sometimes' }), lib.ConnectionStringError)
    assert.throws(() => new lib.S3db({ connectionString: 'memory://b/x?concurrency=never' }), lib.ConnectionStringError)
  })
})
