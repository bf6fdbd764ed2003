// Faults between the package and S3 (moto, through __test__/fault-proxy.mjs): every operation
// kind, under each fault on its first attempts, settles within its deadline in success or a
// typed error, and nothing is lost or half-written. A fault on every attempt ends in the
// fault's own error class after `maxAttempts`. Set S3DB_RELIABILITY_TABLE=path to write the
// fault x operation table (docs/reliability.md quotes it).
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createHash } from 'node:crypto'
import { lib, backends, uid } from './helpers.mjs'
import { startFaultProxy, FAULTS } from './fault-proxy.mjs'

const { S3db, BaseError, UnknownError, NetworkError, TimeoutError, ThrottledError, ServerError } = lib
const TIMEOUTS = { connectMs: 1000, attemptMs: 1500, operationMs: 10000 }
const MAX_ATTEMPTS = 4
const SETTLE_MS = 25000
const TRANSPORT = [NetworkError, TimeoutError, ThrottledError, ServerError]
const N = 12
const rows = []

/** Every other first attempt of a request (the SDK's `amz-sdk-request: attempt=1`). */
const firstAttempts = (fault) => {
  let k = 0
  return (req) => (/attempt=1(;|$)/.test(String(req.headers['amz-sdk-request'] || 'attempt=1')) && (k++ % 2 === 0) ? fault : null)
}

function assertTyped (err, what) {
  assert.ok(err instanceof BaseError, `${what}: ${err && err.stack}`)
  assert.equal(typeof err.code, 'string', `${what}: a code`)
  if (TRANSPORT.some(C => err instanceof C)) {
    assert.ok(err instanceof UnknownError)
    assert.equal(err.retryable, true)
  }
}

const record = (i) => ({ id: `r${String(i).padStart(3, '0')}`, name: `user ${i}`, n: i })
const ids = (n = N) => Array.from({ length: n }, (_, i) => record(i).id)

async function seed (r, n = N) {
  for (const rec of Array.from({ length: n }, (_, i) => record(i))) await r.insert(rec)
}

/** Each operation: `setup` (no faults), `run` (under the fault), `verify` (no faults). */
const OPERATIONS = [
  {
    name: 'insert',
    run: async (r) => Promise.allSettled(Array.from({ length: N }, (_, i) => r.insert(record(i)))),
    verify: async (r, settled) => {
      for (const [i, s] of settled.entries()) {
        const stored = await r.get(record(i).id).catch(() => null)
        if (s.status === 'fulfilled') assert.equal(stored.name, record(i).name)
        else if (stored) assert.equal(stored.name, record(i).name, 'a record is whole or absent')
      }
    }
  },
  {
    name: 'get',
    setup: seed,
    run: async (r) => Promise.allSettled(ids().map(id => r.get(id))),
    verify: async (r, settled) => {
      for (const [i, s] of settled.entries()) if (s.status === 'fulfilled') assert.equal(s.value.name, record(i).name)
    }
  },
  {
    name: 'update',
    setup: seed,
    run: async (r) => Promise.allSettled(ids().map(id => r.update(id, { name: `new ${id}` }))),
    verify: async (r, settled) => {
      for (const [i, s] of settled.entries()) {
        const stored = await r.get(record(i).id)
        if (s.status === 'fulfilled') assert.equal(stored.name, `new ${record(i).id}`)
        else assert.ok([record(i).name, `new ${record(i).id}`].includes(stored.name), 'old or new, never broken')
      }
    }
  },
  {
    name: 'update and delete with partitions',
    partitioned: true,
    setup: seed,
    run: async (r) => Promise.allSettled(ids().map((id, i) => (i % 3 === 0 ? r.delete(id) : r.update(id, { name: i % 2 ? 'odd' : 'even' })))),
    verify: async (r) => {
      // Main objects and partition copies agree: each record is listed under exactly the
      // partition of its current name, and deleted records under none.
      const live = new Map()
      for (const id of ids()) {
        const rec = await r.get(id).catch(() => null)
        if (rec) live.set(id, rec.name)
      }
      const names = new Set([...live.values(), ...ids().map((_, i) => record(i).name), 'odd', 'even'])
      for (const name of names) {
        const listed = new Set(await r.listIds({ partition: 'byName', partitionValues: { name } }))
        for (const [id, current] of live) assert.equal(listed.has(id), current === name, `${id} (${current}) listed under '${name}'`)
        for (const id of listed) assert.ok(live.has(id), `${id} is deleted but still listed under '${name}'`)
      }
    }
  },
  {
    name: 'delete',
    setup: seed,
    run: async (r) => Promise.allSettled(ids().map(id => r.delete(id))),
    verify: async (r, settled) => {
      for (const [i, s] of settled.entries()) if (s.status === 'fulfilled') assert.equal(await r.exists(record(i).id), false)
    }
  },
  {
    name: 'insertMany',
    run: async (r) => {
      const failed = []
      r.on('error', (err, item) => failed.push([err, item]))
      const stored = await r.insertMany(Array.from({ length: N }, (_, i) => record(i)))
      return { stored, failed }
    },
    verify: async (r, { stored, failed }) => {
      assert.equal(stored.length + failed.length, N, 'stored + failed = given')
      for (const [err] of failed) assertTyped(err, 'insertMany item')
      for (const rec of stored) assert.equal((await r.get(rec.id)).name, rec.name)
    }
  },
  {
    name: 'getMany',
    setup: seed,
    run: async (r) => r.getMany(ids()),
    verify: async (_r, got) => assert.deepEqual(got.map(x => x.name), ids().map((_, i) => record(i).name))
  },
  {
    name: 'deleteMany',
    setup: seed,
    run: async (r) => r.deleteMany(ids()),
    verify: async (r) => assert.equal(await r.count(), 0)
  },
  {
    name: 'listing (count, listIds, page)',
    setup: seed,
    run: async (r) => ({ count: await r.count(), ids: await r.listIds(), page: await r.page(0, 5) }),
    verify: async (_r, got) => {
      assert.equal(got.count, N)
      assert.deepEqual([...got.ids].sort(), ids())
      assert.equal(got.page.items.length, 5)
    }
  },
  {
    name: 'readable()',
    setup: seed,
    run: async (r) => {
      const seen = []
      const skipped = []
      const reader = r.readable({ batchSize: 4, concurrency: 4 })
      reader.on('recordError', (err, id) => skipped.push([err, id]))
      await pipeline(reader, new Writable({ objectMode: true, write (rec, _e, cb) { seen.push(rec.id); cb() } }))
      return { seen, skipped }
    },
    verify: async (_r, { seen, skipped }) => {
      assert.equal(seen.length + skipped.length, N)
      for (const [err] of skipped) assertTyped(err, 'readable record')
      assert.equal(new Set(seen).size, seen.length, 'no record twice')
    }
  },
  {
    name: 'writable()',
    run: async (r) => {
      const writer = r.writable({ concurrency: 4 })
      const failed = []
      writer.on('recordError', (err, rec) => failed.push([err, rec]))
      await pipeline(Readable.from(Array.from({ length: N }, (_, i) => record(i))), writer)
      return { written: writer.stats.written, failed }
    },
    verify: async (r, { written, failed }) => {
      assert.equal(written + failed.length, N, 'written + failed = given')
      for (const [err] of failed) assertTyped(err, 'writable record')
      assert.ok((await r.count()) >= written)
    }
  },
  {
    name: 'Client (put/get/head/list/copy/delete)',
    run: async (_r, db) => {
      const c = db.client
      await c.putObject({ key: 'raw/a.txt', body: 'hello', contentType: 'text/plain', metadata: { who: 'ann' } })
      const got = await c.getObject('raw/a.txt')
      const body = await streamText(got.Body)
      await c.copyObject({ from: 'raw/a.txt', to: 'raw/b.txt' })
      const listed = await c.listObjects({ prefix: 'raw/' })
      const head = await c.headObject('raw/b.txt')
      await c.deleteObject('raw/a.txt')
      return { body, keys: (listed.Contents || []).map(o => o.Key), meta: head.Metadata }
    },
    verify: async (_r, got, db) => {
      assert.equal(got.body, 'hello')
      assert.equal(got.keys.length, 2)
      assert.equal(got.meta.who, 'ann')
      assert.equal(await db.client.exists('raw/a.txt'), false)
    }
  },
  {
    name: 'content (9 MB stream up and down)',
    setup: async (r) => r.insert(record(0)),
    run: async (r) => {
      const big = Buffer.alloc(9 * 1024 * 1024, 7)
      big.write('head', 0)
      await r.setContent({ id: record(0).id, buffer: Readable.from([big.subarray(0, 5e6), big.subarray(5e6)]), contentType: 'video/mp4' })
      const h = createHash('sha256')
      for await (const c of r.contentStream(record(0).id)) h.update(c)
      return { want: createHash('sha256').update(big).digest('hex'), got: h.digest('hex') }
    },
    verify: async (r, { want, got }) => {
      assert.equal(got, want)
      assert.equal((await r.get(record(0).id)).name, record(0).name)
    }
  }
]

async function streamText (body) {
  if (typeof body === 'string') return body
  if (Buffer.isBuffer(body)) return body.toString()
  const chunks = []
  for await (const c of body) chunks.push(Buffer.from(c))
  return Buffer.concat(chunks).toString()
}

const s3 = backends().includes('s3')

// Both S3 clients: the lean one (the default) and the AWS SDK (`?s3Client=sdk`).
for (const client of ['lean', 'sdk']) describe(`faults between the package and S3 (${client} client)`, { skip: !s3 && 'no S3 test server (npm test starts moto)' }, () => {
  let proxy
  before(async () => { proxy = await startFaultProxy(process.env.S3DB_TEST_S3_URL) })
  after(async () => {
    await proxy?.close()
    if (process.env.S3DB_RELIABILITY_TABLE) writeFileSync(process.env.S3DB_RELIABILITY_TABLE, table())
  })

  async function open () {
    proxy.reset()
    const db = new S3db({ connectionString: `${proxy.connectionString(`faults-${uid()}`)}?s3Client=${client}`, timeouts: TIMEOUTS, maxAttempts: MAX_ATTEMPTS })
    await db.connect()
    assert.equal(db.client.config.s3Client, client)
    const r = await db.createResource({ name: 'users', attributes: { name: 'string', n: 'number|optional' }, options: { partitions: { byName: { fields: { name: 'string' } } } } })
    return { db, r }
  }

  it('a server restart in the middle of a readable(): every record arrives once or is reported, none twice', async () => {
    const { r } = await open()
    const total = 40
    await seed(r, total)
    const seen = []
    const skipped = []
    let restarted = null
    const reader = r.readable({ batchSize: 4, concurrency: 2 })
    reader.on('recordError', (err, id) => skipped.push([err, id]))
    const t0 = Date.now()
    let failed = null
    await pipeline(reader, new Writable({
      objectMode: true,
      write (rec, _e, cb) {
        seen.push(rec.id)
        if (seen.length === 8) restarted = proxy.restart(600)
        setTimeout(cb, 5)
      }
    })).catch(err => { failed = err })
    await restarted
    const ms = Date.now() - t0
    if (failed) assertTyped(failed, 'readable')
    else assert.equal(seen.length + skipped.length, total, 'seen + reported = stored')
    for (const [err] of skipped) assertTyped(err, 'readable record')
    assert.equal(new Set(seen).size, seen.length, 'no record twice')
    rows.push({ client, fault: 'server restart (port closed 600 ms)', op: 'readable()', outcome: failed ? failed.name : skipped.length ? `${skipped.length} reported` : 'ok', requests: proxy.stats.requests, injected: 0, ms })
  })

  for (const fault of FAULTS) {
    for (const op of OPERATIONS) {
      it(`${op.name} under '${fault}' on first attempts: settles in success or a typed error, nothing lost`, async () => {
        const { db, r } = await open()
        if (op.setup) await op.setup(r)
        proxy.reset()
        proxy.rule = firstAttempts(fault)
        const t0 = Date.now()
        let result
        let outcome = 'ok'
        try {
          result = await op.run(r, db)
          if (Array.isArray(result) && result.every(s => s && s.status)) {
            const rejected = result.filter(s => s.status === 'rejected')
            for (const s of rejected) assertTyped(s.reason, op.name)
            if (rejected.length) outcome = `${rejected.length}/${result.length} ${[...new Set(rejected.map(s => s.reason.name))].join(', ')}`
          }
        } catch (err) {
          assertTyped(err, op.name)
          outcome = err.name
        }
        const ms = Date.now() - t0
        const { requests, injected } = proxy.stats
        proxy.rule = () => null
        assert.ok(ms < SETTLE_MS, `settled in ${ms} ms`)
        if (outcome === 'ok' || typeof result !== 'undefined') await op.verify(r, result, db)
        rows.push({ client, fault, op: op.name, outcome, requests, injected, ms })
      })
    }

    it(`'${fault}' on every attempt: a get ends in the fault's error class within the operation deadline`, async () => {
      const { r } = await open()
      await r.insert(record(0))
      proxy.reset()
      proxy.rule = () => fault
      const t0 = Date.now()
      const expected = { 503: ThrottledError, 500: ServerError, reset: NetworkError, 'reset-mid-body': NetworkError, stall: TimeoutError, trickle: null }[fault]
      let outcome = 'ok'
      try {
        const got = await r.get(record(0).id)
        assert.equal(got.name, record(0).name)
        assert.equal(expected, null, 'only a trickle gets through')
      } catch (err) {
        assertTyped(err, 'get')
        assert.ok(expected && err instanceof expected, `${fault}: ${err.name} ${err.message}`)
        assert.equal(err.retryable, true)
        if (fault !== 'stall') assert.equal(err.attempts, MAX_ATTEMPTS)
        assert.equal(typeof err.commandName, 'string')
        assert.ok(!/secret|SECRET/.test(JSON.stringify(err) + err.message + err.stack))
        outcome = `${err.name} (${err.attempts} attempts)`
      }
      const ms = Date.now() - t0
      proxy.rule = () => null
      assert.ok(ms <= TIMEOUTS.operationMs + 2000, `settled in ${ms} ms`)
      rows.push({ client, fault: `${fault} (every attempt)`, op: 'get', outcome, requests: proxy.stats.requests, injected: proxy.stats.injected, ms })
    })
  }
})

function table () {
  const lines = [
    '| client | fault | operation | outcome | requests | faults injected | settled in |',
    '| --- | --- | --- | --- | ---: | ---: | ---: |'
  ]
  for (const r of rows) lines.push(`| ${r.client} | ${r.fault} | ${r.op} | ${r.outcome} | ${r.requests} | ${r.injected} | ${r.ms} ms |`)
  return lines.join('\n') + '\n'
}
