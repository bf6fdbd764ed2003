// Engine defects from the design review, each pinned by a test that failed before its fix:
// abandoned readers holding the process, hook-error tokens that were never released.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { freshDb } from './helpers.mjs'

const entry = fileURLToPath(new URL('../index.js', import.meta.url))

/** Run `body` in a child Node (with `S3db` in scope); resolves with its exit and output. */
function runChild (body, { timeoutMs = 20000, args = [] } = {}) {
  const script = `const { S3db } = require(${JSON.stringify(entry)})\n;(async () => { ${body} })().catch((e) => { console.error(e); process.exit(1) })`
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...args, '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    const t0 = Date.now()
    const killer = setTimeout(() => p.kill('SIGKILL'), timeoutMs)
    p.on('exit', (code, signal) => { clearTimeout(killer); resolve({ code, signal, out, err, ms: Date.now() - t0 }) })
  })
}

const SETUP = `
  const db = new S3db({ connectionString: 'memory://review/readers' })
  await db.connect()
  const r = await db.createResource({ name: 'u', attributes: { name: 'string' } })
  for (let i = 0; i < 200; i++) await r.insert({ id: 'u' + String(i).padStart(3, '0'), name: 'n' + i })
`

describe('design review: readers and hook errors', () => {
  it('a reader that reads one record and is dropped (no destroy) lets the process exit by itself', async () => {
    const res = await runChild(`${SETUP}
      const it = r.readable({ batchSize: 5 })[Symbol.asyncIterator]()
      const first = await it.next()
      console.log('read', first.value.id)
    `)
    assert.equal(res.signal, null, `the child had to be killed after ${res.ms} ms: the abandoned reader held it open`)
    assert.equal(res.code, 0, res.err)
    assert.match(res.out, /read u000/)
  })

  it('a dropped reader is collected (its native handle cancels the pump)', async () => {
    const res = await runChild(`${SETUP}
      let collected = false
      const gone = new FinalizationRegistry((what) => { collected = true; console.log('collected', what) })
      await (async () => {
        const reader = r.readable({ batchSize: 5 })
        gone.register(reader, 'reader')
        const it = reader[Symbol.asyncIterator]()
        await it.next()
      })()
      // Collect until the reader is gone (the deadline only ends a run where it never is).
      for (const end = Date.now() + 15000; !collected && Date.now() < end;) { global.gc(); await new Promise((resolve) => setTimeout(resolve, 10)) }
      // The engine still serves this database after the pump was cancelled.
      console.log('count', await r.count())
    `, { args: ['--expose-gc'] })
    assert.equal(res.code, 0, res.err)
    assert.match(res.out, /collected reader/)
    assert.match(res.out, /count 200/)
  })

  it('a reader waiting for data keeps the process alive until its records arrive', async () => {
    const res = await runChild(`${SETUP}
      let n = 0
      for await (const rec of r.readable({ batchSize: 7, concurrency: 2 })) { n++; await new Promise((resolve) => setImmediate(resolve)) }
      console.log('all', n)
    `)
    assert.equal(res.code, 0, res.err)
    assert.match(res.out, /all 200/)
  })

  it('a reader whose only owner is the loop consuming it is not collected mid-read (GC on every record)', async () => {
    const res = await runChild(`${SETUP}
      // Collections keep happening while the loop awaits the pump (the timer itself holds nothing).
      setInterval(() => global.gc(), 1).unref()
      let n = 0
      for await (const rec of r.readable({ batchSize: 1, concurrency: 1 })) { n++; global.gc() }
      console.log('all', n)
    `, { args: ['--expose-gc'] })
    assert.equal(res.signal, null, `killed after ${res.ms} ms: the reader was collected while being read`)
    assert.equal(res.code, 0, res.err)
    assert.match(res.out, /all 200/)
  })

  it('10,000 failing insertMany items: each error event carries the value the hook threw, and no token is kept', async () => {
    const db = await freshDb('memory')
    class Refused extends Error {}
    const r = await db.createResource({
      name: 'guarded',
      attributes: { name: 'string' },
      options: { hooks: { preInsert: [async (data) => { if (data.name.startsWith('bad')) throw new Refused(data.name); return data }] } }
    })
    const errors = []
    r.on('error', (err, item) => errors.push([err, item]))
    const items = Array.from({ length: 10000 }, (_, i) => ({ id: `i${i}`, name: i % 2 ? `bad${i}` : `good${i}` }))
    const stored = await r.insertMany(items)
    assert.equal(stored.length, 5000)
    assert.equal(errors.length, 5000)
    assert.ok(errors.every(([err, item]) => err instanceof Refused && err.message === item.name), 'the very value each hook threw')
    assert.equal(db._hookErrors.size, 0, 'every token was released')
    await assert.rejects(r.insert({ id: 'x', name: 'bad-one' }), (err) => err instanceof Refused)
    assert.equal(db._hookErrors.size, 0)
  })
})

describe('engine calls through the completion channel', () => {
  it('a pending call keeps the process alive until it settles, and the process exits by itself after', async () => {
    const res = await runChild(`
      const db = new S3db({ connectionString: 'memory://review/pending' })
      await db.connect()
      const r = await db.createResource({ name: 'u', attributes: { name: 'string' }, options: { hooks: { preInsert: [async (d) => { await null; return d }] } } })
      // Nothing awaits these: only the pending calls can keep the event loop alive.
      for (let i = 0; i < 50; i++) r.insert({ id: 'p' + i, name: 'n' + i }).then((x) => { if (x.id === 'p49') console.log('settled', x.id) })
      r.get('missing').catch((e) => console.log('rejected', e.name))
    `)
    assert.equal(res.signal, null, `killed after ${res.ms} ms: the process did not exit by itself`)
    assert.equal(res.code, 0, res.err)
    assert.match(res.out, /settled p49/)
    assert.match(res.out, /rejected (NoSuchKey|NotFound)/)
  })

  it('many calls in flight from several databases each get their own answer', async () => {
    const dbs = await Promise.all([1, 2, 3].map(async (k) => {
      const db = new (await import('../index.js')).default.S3db({ connectionString: `memory://review/many${k}` })
      await db.connect()
      return [db, await db.createResource({ name: 'u', attributes: { k: 'number', i: 'number' } })]
    }))
    const answers = await Promise.all(dbs.flatMap(([, r], k) => Array.from({ length: 300 }, (_, i) => r.insert({ id: `x${i}`, k, i }))))
    assert.deepEqual(answers.map(a => `${a.k}:${a.i}`), dbs.flatMap((_, k) => Array.from({ length: 300 }, (_, i) => `${k}:${i}`)))
    for (const [db, r] of dbs) {
      assert.equal(await r.count(), 300)
      assert.equal(db._calls._pending.size, 0, 'nothing left pending')
    }
  })
})

describe('design review: query carries only what is listened to', () => {
  // The engine's answer text for each query, read at the boundary.
  function tapAnswers (db) {
    const sizes = []
    const calls = db._calls
    const call = calls.resourceCall.bind(calls)
    calls.resourceCall = async (name, op, args) => {
      const text = await call(name, op, args)
      if (op === 'query') sizes.push(text.length)
      return text
    }
    return sizes
  }

  it('a query scanning 5,000 records that matches 10 returns about 10 records of text when nobody listens to `get`', async () => {
    const db = await freshDb('memory')
    const r = await db.createResource({ name: 'scan', attributes: { name: 'string', group: 'string' } })
    const items = Array.from({ length: 5000 }, (_, i) => ({ id: `s${String(i).padStart(5, '0')}`, name: `n${i}`.padEnd(60, '.'), group: i % 500 === 0 ? 'hit' : 'miss' }))
    await r.insertMany(items)
    const sizes = tapAnswers(db)

    const hits = await r.query({ group: 'hit' }, { limit: 1000 })
    assert.equal(hits.length, 10)
    assert.ok(sizes[0] < 10 * 400, `answer of ${sizes[0]} bytes for 10 matches: the scanned records crossed too`)

    // With a listener, 4.1.7's per-record events all arrive; a match is the very object returned.
    const seen = []
    r.on('get', (rec) => seen.push(rec))
    const again = await r.query({ group: 'hit' }, { limit: 1000 })
    assert.equal(seen.length, 5000)
    assert.equal(again.length, 10)
    for (const rec of again) assert.ok(seen.includes(rec), 'the get event of a match carries the returned object')
    assert.equal(seen.filter((rec) => rec.group === 'miss').length, 4990)
    assert.ok(sizes[1] > 5000 * 60, 'the listened-to events carry the scanned records')
  })

  it('a partition query sends getFromPartition events only to a listener', async () => {
    const db = await freshDb('memory')
    const r = await db.createResource({
      name: 'pscan',
      attributes: { name: 'string', region: 'string', tier: 'string' },
      options: { partitions: { byRegion: { fields: { region: 'string' } } } }
    })
    await r.insertMany(Array.from({ length: 300 }, (_, i) => ({ id: `p${i}`, name: `n${i}`, region: 'eu', tier: i % 100 === 0 ? 'gold' : 'basic' })))
    const sizes = tapAnswers(db)
    const got = await r.query({ tier: 'gold' }, { partition: 'byRegion', partitionValues: { region: 'eu' } })
    assert.equal(got.length, 3)
    const seen = []
    r.on('getFromPartition', (rec) => seen.push(rec))
    const again = await r.query({ tier: 'gold' }, { partition: 'byRegion', partitionValues: { region: 'eu' } })
    assert.equal(again.length, 3)
    assert.equal(seen.length, 300)
    assert.ok(sizes[0] * 20 < sizes[1], `unlistened ${sizes[0]} bytes vs listened ${sizes[1]}`)
  })
})

describe('design review: ids come back as given (typings say the same)', () => {
  it('a numeric id is a number in what insert, insertMany, update and upsert resolve with and emit', async () => {
    const db = await freshDb('memory')
    const r = await db.createResource({ name: 'nums', attributes: { name: 'string' } })
    const inserted = []
    r.on('insert', (rec) => inserted.push(rec.id))
    assert.equal((await r.insert({ id: 7, name: 'a' })).id, 7)
    assert.equal(typeof (await r.insert({ name: 'b' })).id, 'string')
    assert.equal((await r.insert({ id: '8', name: 'c' })).id, '8')
    assert.deepEqual((await r.insertMany([{ id: 9, name: 'd' }, { id: 'x', name: 'e' }])).map((x) => x.id), [9, 'x'])
    const updates = []
    r.on('update', (_attrs, rec) => updates.push(rec.id))
    assert.equal((await r.update(7, { name: 'a2' })).id, 7)
    assert.equal((await r.update('7', { name: 'a3' })).id, '7')
    assert.equal((await r.upsert({ id: 9, name: 'd2' })).id, 9, 'upsert of an existing record (an update)')
    assert.equal((await r.upsert({ id: 10, name: 'f' })).id, 10, 'upsert of a new record (an insert)')
    assert.equal((await r.get(7)).id, '7', 'a read gives the id from the key')
    assert.deepEqual(inserted.slice(0, 1), [7])
    assert.deepEqual(updates, [7, '7', 9])
  })

  it('insertMany reports a failed item with the very object the caller passed', async () => {
    const db = await freshDb('memory')
    const r = await db.createResource({ name: 'strict', attributes: { n: 'number' } })
    const bad = { id: 'b', n: 'not a number' }
    const seen = []
    r.on('error', (err, item) => seen.push([err, item]))
    const ok = await r.insertMany([{ id: 'a', n: 1 }, bad])
    assert.equal(ok.length, 1)
    assert.equal(seen.length, 1)
    assert.equal(seen[0][1], bad)
    assert.equal(seen[0][0].name, 'InvalidResourceItem')
  })
})
