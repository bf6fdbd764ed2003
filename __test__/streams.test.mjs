// Streams: readable() / writable() / ids readers, on every backend.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { Readable, Writable, Transform, PassThrough } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { renameSync, writeFileSync, readdirSync, mkdtempSync, createReadStream } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { once } from 'node:events'
import { lib, backends, freshDb, connectionString, until, within } from './helpers.mjs'

const { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, ValidationError, InvalidResourceItem, NoSuchKey, Cancelled, CostsPlugin, streamToString } = lib

const def = (name = 'users') => ({ name, attributes: { name: 'string', email: 'email', n: 'number' } })
const row = (i, p = 'u') => ({ id: `${p}${String(i).padStart(5, '0')}`, name: `User ${i}`, email: `u${i}@example.com`, n: i })
// Asynchronous work in the guide's handlers: one turn of the event loop.
const turn = () => new Promise(resolve => setImmediate(resolve))

async function fill (resource, n, p = 'u') {
  const rows = Array.from({ length: n }, (_, i) => row(i, p))
  await pipeline(Readable.from(rows), resource.writable({ concurrency: 16 }))
  return rows
}

/** Resolves when `stream` has closed (whatever errors it emitted on the way). */
const closed = (stream) => new Promise(resolve => { if (stream.closed) resolve(); else stream.once('close', resolve) })

function collect () {
  const items = []
  const sink = new Writable({ objectMode: true, write (chunk, _enc, cb) { items.push(chunk); cb() } })
  return { items, sink }
}

for (const backend of backends()) {
  // moto is slow per request: the S3 run uses fewer records, still past one 1000-key page.
  const N = backend === 's3' ? 1100 : 2500

  describe(`streams on ${backend}`, () => {
    let db, users, rows
    before(async () => {
      db = await freshDb(backend, { parallelism: 16, plugins: [CostsPlugin] })
      users = await db.createResource(def())
      rows = await fill(users, N)
      // A resource whose name starts with the same text must not leak into listings.
      const other = await db.createResource(def('users2'))
      await other.insert(row(1, 'x'))
    })

    it('readable() is an object-mode Readable: on(data) + resume, id events, end (streaming guide)', async () => {
      const reader = users.readable({ batchSize: 10, concurrency: 5 })
      assert.ok(reader instanceof Readable)
      assert.ok(reader instanceof ResourceReader)
      assert.equal(reader.readableObjectMode, true)
      const seen = new Set()
      const idEvents = []
      reader.on('id', id => idEvents.push(id))
      reader.on('data', rec => { seen.add(rec.id) })
      const ended = new Promise((resolve, reject) => { reader.on('end', resolve); reader.on('error', reject) })
      reader.resume()
      await ended
      assert.equal(seen.size, N)
      assert.deepEqual([...seen].sort(), rows.map(r => r.id))
      assert.equal(idEvents.length, N)
    })

    it('records are decoded like get(), and await readable() works (4.1.7 README)', async () => {
      const reader = await users.readable()
      const first = await new Promise((resolve, reject) => { reader.once('data', resolve); reader.once('error', reject) })
      reader.destroy()
      const again = await users.get(first.id)
      assert.deepEqual({ ...first, _lastModified: undefined }, { ...again, _lastModified: undefined })
      assert.ok(first._lastModified instanceof Date)
      assert.equal(typeof first.n, 'number')
    })

    it('for await yields every record; ordered: true keeps listing order', async () => {
      const ids = []
      for await (const rec of users.readable({ ordered: true, concurrency: 8 })) ids.push(rec.id)
      assert.deepEqual(ids, rows.map(r => r.id))
    })

    it('pipe into a Transform and pipeline to a Writable (guide: Pipe to Transform)', async () => {
      const transform = new Transform({
        objectMode: true,
        transform (record, _enc, callback) { record.processed = true; this.push(record); callback() }
      })
      const { items, sink } = collect()
      await pipeline(users.readable({ batchSize: 50 }), transform, sink)
      assert.equal(items.length, N)
      assert.ok(items.every(r => r.processed === true))
    })

    it('bulk export to JSON lines (guide: Bulk Export)', async () => {
      const toJSON = new Transform({ objectMode: true, transform (record, _enc, cb) { this.push(JSON.stringify(record) + '\n'); cb() } })
      const out = new PassThrough()
      const text = streamToString(out)
      const reader = users.readable({ batchSize: 100 })
      reader.pipe(toJSON).pipe(out)
      reader.resume()
      const lines = (await text).trim().split('\n')
      assert.equal(lines.length, N)
      assert.equal(new Set(lines.map(l => JSON.parse(l).id)).size, N)
    })

    it('parallel processing with an async data handler (guide: Parallel Processing)', async () => {
      const processRecord = async () => { await turn() }
      const reader = users.readable({ batchSize: 100, concurrency: 20 })
      let processed = 0
      const handlers = []
      reader.on('data', (record) => handlers.push((async () => {
        await processRecord(record)
        processed++
      })()))
      await new Promise(resolve => reader.on('end', resolve))
      await Promise.all(handlers)
      assert.equal(handlers.length, N)
      assert.equal(processed, N)
    })

    it('pause/resume around heavy processing (guide: Memory Management)', async () => {
      const heavyProcessing = () => turn()
      const reader = users.readable({ batchSize: 50, concurrency: 10 })
      let n = 0
      let maxBuffered = 0
      const handlers = []
      reader.on('data', (record) => handlers.push((async () => {
        reader.pause()
        await heavyProcessing(record)
        n++
        maxBuffered = Math.max(maxBuffered, reader.readableLength)
        reader.resume()
      })()))
      await new Promise(resolve => reader.on('end', resolve))
      await Promise.all(handlers)
      assert.equal(n, N)
      assert.ok(maxBuffered <= 50 + 50, `buffered ${maxBuffered} records while paused`)
    })

    it('a slow consumer keeps every queue bounded (backpressure reaches the Rust workers)', async () => {
      const reader = users.readable({ batchSize: 10, concurrency: 5 })
      let got = 0
      let maxBuffered = 0
      let maxAhead = 0
      let maxListedAhead = 0
      const sink = new Writable({
        objectMode: true,
        highWaterMark: 1,
        write (_rec, _enc, cb) {
          got++
          maxBuffered = Math.max(maxBuffered, reader.readableLength)
          const p = reader.progress
          maxAhead = Math.max(maxAhead, p.fetched - got)
          maxListedAhead = Math.max(maxListedAhead, p.listed - p.fetched)
          setTimeout(cb, got < 30 ? 10 : 0)
          if (got === 30) reader.unpipe(sink)
        }
      })
      reader.pipe(sink)
      await until(() => got >= 30, 'the sink took 30 records')
      // Nobody reads now: the Rust side must stop once its record queue (batchSize + concurrency)
      // is full and the next fetched record waits to be queued, not fetch the whole resource.
      await until(() => { const q = reader.progress; return q.fetched - q.delivered >= 10 + 5 + 1 }, 'the record queue fills')
      assert.ok(reader.readableLength <= 16 + 10, `JS buffer holds ${reader.readableLength}`)
      const p = reader.progress
      reader.destroy()
      // JS buffer <= highWaterMark + one batch; Rust holds <= record queue + in-flight + one batch being delivered.
      assert.ok(maxBuffered <= 16 + 10, `JS buffer grew to ${maxBuffered}`)
      const bound = 16 + 10 /* JS */ + (10 + 5) /* record queue */ + 5 /* in flight */ + 10 /* batch in the pump */ + 1 /* sink */
      assert.ok(p.fetched - got <= bound, `fetched ${p.fetched}, consumed ${got}: ${p.fetched - got} ahead (bound ${bound})`)
      assert.ok(maxAhead <= bound, `up to ${maxAhead} records fetched ahead of the consumer`)
      assert.ok(p.listed <= p.fetched + 2000 + 5, `listed ${p.listed} ids for ${p.fetched} fetched`)
      assert.ok(p.fetched < N, 'the reader did not fetch the whole resource ahead of a stalled consumer')
    })

    it('a record deleted while the stream runs is skipped and reported with code NoSuchKey (guide: Reader Errors)', async () => {
      // Ids from the first listing page: listed before the deletion, fetched after it.
      const victims = rows.slice(100, 105).map(r => r.id)
      const reader = users.readable({ ordered: true, concurrency: 1, batchSize: 1, highWaterMark: 1 })
      const data = []
      const reported = []
      const skips = []
      reader.on('error', (err, context) => {
        if (err.code === 'NoSuchKey') reported.push([err, context])
        else throw err
      })
      reader.on('recordError', (err, id) => skips.push(id))
      const ended = new Promise(resolve => reader.on('end', resolve))
      let deleted = false
      reader.on('data', async rec => {
        data.push(rec.id)
        if (!deleted) {
          deleted = true
          reader.pause()
          await users.deleteMany(victims)
          reader.resume()
        }
      })
      await ended
      assert.equal(data.length, N - victims.length)
      assert.deepEqual(reported.map(r => r[1]), victims)
      assert.ok(reported.every(([err]) => err instanceof NoSuchKey && err.code === 'NoSuchKey'))
      assert.deepEqual(skips, victims)
      assert.equal(reader.skipped, victims.length)
      await users.insertMany(rows.slice(100, 105))
    })

    it('a skipped record does not reject pipeline(); it is reported on recordError', async () => {
      const victim = rows[200].id
      const reader = users.readable({ ordered: true, concurrency: 1, batchSize: 1, highWaterMark: 1 })
      const skips = []
      reader.on('recordError', (err, id) => skips.push([err.code, id]))
      let n = 0
      const sink = new Writable({
        objectMode: true,
        highWaterMark: 1,
        write (_rec, _enc, cb) {
          if (++n === 1) users.delete(victim).then(() => cb(), cb)
          else cb()
        }
      })
      await pipeline(reader, sink)
      assert.equal(n, N - 1)
      assert.deepEqual(skips, [['NoSuchKey', victim]])
      await users.insert(rows[200])
    })

    it('an empty resource ends cleanly for every reader', async () => {
      const empty = await db.createResource(def('empty'))
      const recs = []
      for await (const r of empty.readable()) recs.push(r)
      assert.deepEqual(recs, [])
      const ids = []
      for await (const id of new ResourceIdsReader({ resource: empty })) ids.push(id)
      assert.deepEqual(ids, [])
      const pages = []
      for await (const page of new ResourceIdsPageReader({ resource: empty })) pages.push(page)
      assert.deepEqual(pages, [])
    })

    it('ResourceIdsReader yields ids of the current version only; batchSize gives arrays (guide snippet)', async () => {
      const single = []
      for await (const id of new ResourceIdsReader({ resource: users })) single.push(id)
      assert.deepEqual(single, rows.map(r => r.id))

      const idsReader = new ResourceIdsReader({ resource: users, batchSize: 100 })
      const allIds = []
      const sizes = []
      idsReader.on('data', (idBatch) => { sizes.push(idBatch.length); allIds.push(...idBatch) })
      await new Promise((resolve, reject) => { idsReader.on('end', resolve); idsReader.on('error', reject); idsReader.resume() })
      assert.deepEqual(allIds, rows.map(r => r.id))
      assert.ok(sizes.slice(0, -1).every(s => s === 100))
    })

    it('ResourceIdsPageReader yields one array per listing page', async () => {
      const reader = new ResourceIdsPageReader({ resource: users })
      const pageEvents = []
      reader.on('page', p => pageEvents.push(p.length))
      const pages = []
      for await (const page of reader) pages.push(page)
      assert.equal(pages.length, Math.ceil(N / 1000))
      assert.deepEqual(pages.flat(), rows.map(r => r.id))
      assert.deepEqual(pageEvents, pages.map(p => p.length))
      assert.ok(pages.every(p => p.length <= 1000))
    })

    it("the ids readers' highWaterMark decides how far they list ahead of a consumer that does not read", async () => {
      const lists = () => db.client.costs.events.ListObjectsV2Command
      const small = new ResourceIdsReader({ resource: users, highWaterMark: 5 })
      assert.equal(small.readableHighWaterMark, 5)
      const before = lists()
      small.read(0)
      await within(once(small, 'readable'), 10000, 'the first page is buffered')
      assert.equal(small.readableLength, 1000, 'one listing page, pushed whole')
      assert.equal(lists() - before, 1, 'past highWaterMark, no second page is listed')
      small.destroy()

      const big = new ResourceIdsPageReader({ resource: users, highWaterMark: 100 })
      assert.equal(big.readableHighWaterMark, 100)
      const at = lists()
      big.read(0)
      await until(() => big.readableLength === Math.ceil(N / 1000), 'every page is buffered')
      assert.equal(lists() - at, Math.ceil(N / 1000), 'under highWaterMark it lists every page without a reader')
      const pages = []
      for await (const page of big) pages.push(page)
      assert.deepEqual(pages.flat(), rows.map(r => r.id))
      assert.equal(new ResourceIdsReader({ resource: users }).readableHighWaterMark, 1000, 'default')
    })

    it('partition copies are not listed as ids', async () => {
      const db2 = await freshDb(backend)
      const r = await db2.createResource(def())
      await r.insert(row(1))
      // A 4.1.7-style partition copy and a key of a longer resource name under the same text.
      await db2.client.putObject({ key: 'resource=users/partition=byName/name=User 1/id=u00001', metadata: {} })
      await db2.client.putObject({ key: 'resource=usersX/v=v0/id=zzz', metadata: {} })
      const ids = []
      for await (const id of new ResourceIdsReader({ resource: r })) ids.push(id)
      assert.deepEqual(ids, ['u00001'])
      const recs = []
      for await (const rec of r.readable()) recs.push(rec.id)
      assert.deepEqual(recs, ['u00001'])
    })
  })

  describe(`writable on ${backend}`, () => {
    let db
    before(async () => { db = await freshDb(backend, { parallelism: 16 }) })

    it('write + end + finish (guide: ResourceWriter), with writer.writable pointing at itself', async () => {
      const users = await db.createResource(def('w1'))
      const writer = users.writable({ batchSize: 10, concurrency: 5 })
      assert.ok(writer instanceof Writable)
      assert.ok(writer instanceof ResourceWriter)
      assert.equal(writer.writable, writer)
      let finishes = 0
      writer.on('finish', () => finishes++)
      writer.write({ email: 'a@example.com', name: 'Alice', n: 1 })
      writer.write({ email: 'b@example.com', name: 'Bob', n: 2 })
      writer.write({ email: 'c@example.com', name: 'Charlie', n: 3 })
      writer.end()
      await new Promise(resolve => writer.on('close', resolve))
      assert.equal(finishes, 1, 'exactly one finish by the time the writer closed')
      assert.equal(await users.count(), 3)
      assert.deepEqual(writer.stats, { written: 3, failed: 0 })
    })

    it('source.pipe(writer.writable): every record is durable when finish fires (guide: Piping Data)', async () => {
      const users = await db.createResource(def('w2'))
      const source = Readable.from(Array.from({ length: 300 }, (_, i) => row(i)))
      const writer = users.writable()
      source.pipe(writer.writable)
      await new Promise(resolve => writer.on('finish', resolve))
      assert.equal(await users.count(), 300)
      assert.equal((await users.get('u00299')).n, 299)
    })

    it('write() returns false when the buffer is full and drain follows', async () => {
      const users = await db.createResource(def('w3'))
      const writer = users.writable({ concurrency: 2 })
      let sawFalse = false
      let drains = 0
      writer.on('drain', () => drains++)
      for (let i = 0; i < 200; i++) {
        if (!writer.write(row(i))) {
          sawFalse = true
          await new Promise(resolve => writer.once('drain', resolve))
        }
      }
      writer.end()
      await new Promise(resolve => writer.on('finish', resolve))
      assert.ok(sawFalse, 'write() never signalled backpressure')
      assert.ok(drains > 0)
      assert.equal(await users.count(), 200)
    })

    it('invalid records are reported as (err, record) and the rest are written (guide: Writer Errors)', async () => {
      const users = await db.createResource(def('w4'))
      const writer = users.writable()
      const invalid = []
      const other = []
      writer.on('error', (err, record) => {
        if (err.name === 'ValidationError') invalid.push([err, record])
        else other.push(err)
      })
      writer.write(row(1))
      writer.write({ name: 'Broken', email: 'not-an-email', n: 2 })
      writer.write(row(3))
      writer.end()
      await new Promise(resolve => writer.on('finish', resolve))
      assert.deepEqual(other, [])
      assert.equal(invalid.length, 1)
      const [err, record] = invalid[0]
      assert.ok(err instanceof ValidationError)
      assert.ok(err instanceof InvalidResourceItem)
      assert.equal(err.validation[0].field, 'email')
      assert.deepEqual(record, { name: 'Broken', email: 'not-an-email', n: 2 })
      assert.deepEqual(writer.stats, { written: 2, failed: 1 })
      assert.deepEqual((await users.listIds()).sort(), ['u00001', 'u00003'])
    })

    it('in a pipeline, a failing record neither rejects it nor loses the others', async () => {
      const users = await db.createResource(def('w5'))
      const good = Array.from({ length: 120 }, (_, i) => row(i))
      const input = [...good.slice(0, 60), { name: 'x', email: 'bad', n: 0 }, ...good.slice(60), { id: 'a/b', name: 'y', email: 'y@example.com', n: 1 }]
      const writer = users.writable({ concurrency: 8 })
      const failures = []
      writer.on('recordError', (err, record) => failures.push([err.name, record.name]))
      await pipeline(Readable.from(input), writer)
      assert.deepEqual(failures.sort(), [['InvalidId', 'y'], ['ValidationError', 'x']])
      assert.deepEqual(writer.stats, { written: 120, failed: 2 })
      assert.deepEqual((await users.listIds()).sort(), good.map(r => r.id))
    })

    it('recordError gives back the very object written; nothing is held once the writer finished', async () => {
      const users = await db.createResource(def('w7'))
      const bad = { name: 'bad', email: 'bad', n: 1, when: new Date(0) }
      const writer = users.writable({ concurrency: 4 })
      const seen = []
      writer.on('recordError', (err, record) => seen.push(record))
      writer.write(row(1))
      writer.write(bad)
      writer.write(row(3))
      writer.end()
      await new Promise(resolve => writer.on('finish', resolve))
      assert.equal(seen.length, 1)
      assert.equal(seen[0], bad, 'the same object, not a copy')
      assert.equal(writer._pending.size, 0)
    })

    it('a failing record without any error listener does not crash and is counted', async () => {
      const users = await db.createResource(def('w6'))
      const writer = users.writable()
      writer.write({ name: 'bad', email: 'bad', n: 1 })
      writer.write(row(2))
      writer.end()
      await new Promise(resolve => writer.on('finish', resolve))
      assert.deepEqual(writer.stats, { written: 1, failed: 1 })
    })

    it('data migration: readable -> writable with manual backpressure (guide: Data Migration, Backpressure)', async () => {
      const source = await db.createResource(def('src'))
      const destination = await db.createResource({ name: 'dst', attributes: { name: 'string', email: 'email', n: 'number', newField: 'string' } })
      await fill(source, 400)
      const reader = source.readable({ batchSize: 50 })
      const writer = destination.writable({ concurrency: 20 })
      let count = 0
      reader.on('data', (record) => {
        delete record.oldField
        record.newField = 'default'
        const canContinue = writer.write(record)
        count++
        if (!canContinue) {
          reader.pause()
          writer.once('drain', () => reader.resume())
        }
      })
      reader.on('end', () => { writer.end() })
      await new Promise(resolve => writer.on('finish', resolve))
      assert.equal(count, 400)
      assert.equal(await destination.count(), 400)
      assert.equal((await destination.get('u00007')).newField, 'default')
    })

    it('reader.pipe(writer.writable) copies a resource (guide: Backpressure)', async () => {
      const from = await db.createResource(def('copyFrom'))
      const to = await db.createResource(def('copyTo'))
      await fill(from, 250)
      const writer = to.writable()
      from.readable().pipe(writer.writable)
      await new Promise(resolve => writer.on('finish', resolve))
      assert.deepEqual((await to.listIds()).sort(), (await from.listIds()).sort())
    })

    it('bulk import from a JSON lines file with readline (guide: Bulk Import)', async () => {
      const users = await db.createResource(def('imported'))
      const file = join(mkdtempSync(join(tmpdir(), 's3db-native-import-')), 'users.jsonl')
      writeFileSync(file, Array.from({ length: 150 }, (_, i) => JSON.stringify(row(i))).join('\n') + '\n')

      const rl = readline.createInterface({
        input: createReadStream(file),
        crlfDelay: Infinity
      })
      const writer = users.writable({ concurrency: 10 })
      for await (const line of rl) {
        const record = JSON.parse(line)
        writer.write(record)
      }
      writer.end()
      await new Promise(resolve => writer.on('finish', resolve))

      assert.equal(await users.count(), 150)
    })

    it('resource events: insert fires per written record when listened to', async () => {
      const users = await db.createResource(def('w7'))
      const inserted = []
      users.on('insert', rec => inserted.push(rec.id))
      await pipeline(Readable.from([row(1), row(2)]), users.writable())
      assert.deepEqual(inserted.sort(), ['u00001', 'u00002'])
    })
  })
}


for (const backend of backends()) {
  describe(`streams: cancellation and bad input on ${backend}`, () => {
    it('reading an unknown resource fails with ResourceNotFound', async () => {
      const db = await freshDb(backend)
      const users = await db.createResource(def())
      users.name = 'ghost'
      await assert.rejects(async () => { for await (const _ of users.readable()) { /* nothing */ } }, { name: 'ResourceNotFound' })
      users.name = 'users'
    })

    it('destroy() mid-stream cancels the Rust side: no record after it, nothing fetched past the queue', async () => {
      const db = await freshDb(backend, { parallelism: 16 })
      const users = await db.createResource(def())
      await fill(users, 300)
      const reader = users.readable({ concurrency: 4 })
      let got = 0
      let cancels = 0
      reader.on('data', () => {
        if (++got !== 25) return
        const handle = reader._handle
        const cancel = handle.cancel.bind(handle)
        handle.cancel = () => { cancels++; cancel() }
        reader.destroy()
      })
      await within(closed(reader), 10000, 'the destroyed reader closes')
      assert.equal(got, 25, 'no data event after destroy()')
      assert.equal(cancels, 1, 'destroy() cancelled the native reader')
      const p = reader.progress
      // The record queue (batchSize 10 + concurrency 4) plus the one fetched record waiting for it.
      assert.ok(p.fetched <= p.delivered + 10 + 4 + 1, `fetched ${p.fetched}, delivered ${p.delivered}`)
      assert.ok(p.fetched < 300)
    })

    it('an AbortSignal cancels the reader with an AbortError', async () => {
      const db = await freshDb(backend, { parallelism: 16 })
      const users = await db.createResource(def())
      await fill(users, 300)
      const ac = new AbortController()
      const reader = users.readable({ signal: ac.signal })
      let got = 0
      await assert.rejects(async () => {
        for await (const _ of reader) { if (++got === 10) ac.abort() }
      }, { name: 'AbortError' })
      assert.equal(got, 10)
      assert.ok(reader.destroyed)
      assert.ok(reader.progress.fetched < 300)
    })

    it('an AbortSignal given to writable() destroys it with an AbortError; what was stored stays counted', async () => {
      const db = await freshDb(backend)
      const users = await db.createResource(def())
      const ac = new AbortController()
      const writer = users.writable({ signal: ac.signal, concurrency: 2 })
      const errors = []
      writer.on('error', err => errors.push(err))
      for (let i = 0; i < 5; i++) writer.write(row(i))
      await until(async () => await users.count() === 5, 'five records stored')
      ac.abort()
      await within(closed(writer), 10000, 'the aborted writer closes')
      assert.deepEqual(errors.map(e => e.name), ['AbortError'])
      assert.ok(writer.destroyed)
      assert.deepEqual(writer.stats, { written: 5, failed: 0 })
      assert.equal(writer.write(row(9)), false, 'a destroyed writer takes nothing')
      assert.equal(await users.exists('u00009'), false)
    })

    it('the ids readers take an AbortSignal', async () => {
      const db = await freshDb(backend, { parallelism: 16 })
      const users = await db.createResource(def())
      await fill(users, 30)
      for (const Reader of [ResourceIdsReader, ResourceIdsPageReader]) {
        const ac = new AbortController()
        const reader = new Reader({ resource: users, signal: ac.signal })
        let got = 0
        await assert.rejects(async () => {
          for await (const _ of reader) { if (++got === 1) ac.abort() }
        }, { name: 'AbortError' }, Reader.name)
        assert.equal(got, 1, Reader.name)
        assert.ok(reader.destroyed, Reader.name)
      }
      const aborted = new ResourceIdsReader({ resource: users, signal: AbortSignal.abort() })
      await assert.rejects(async () => { for await (const _ of aborted) { /* nothing */ } }, { name: 'AbortError' })
    })

    it('bad options are rejected with a TypeError', async () => {
      const db = await freshDb(backend)
      const users = await db.createResource(def())
      assert.throws(() => users.readable({ batchSize: 0 }), TypeError)
      assert.throws(() => users.readable({ highWaterMark: -1 }), TypeError)
      assert.throws(() => users.writable({ concurrency: 'many' }), TypeError)
      assert.throws(() => users.writable({ batchSize: NaN }), TypeError)
      assert.throws(() => new ResourceIdsReader({ resource: users, highWaterMark: 0 }), TypeError)
      assert.throws(() => new ResourceIdsReader({ resource: users, batchSize: 'x' }), TypeError)
      assert.throws(() => new ResourceReader({}), /Resource is required for ResourceReader/)
      assert.throws(() => new ResourceWriter({}), /Resource is required for ResourceWriter/)
      assert.throws(() => new ResourceIdsPageReader({}), /Resource is required for ResourceIdsPageReader/)
    })
  })

  describe(`writer end and destroy on ${backend}`, () => {
    it('write() after end() is an error; what end() was given is stored and finish fires exactly once (G3)', async () => {
      const db = await freshDb(backend)
      const users = await db.createResource(def())
      const writer = users.writable()
      let finishes = 0
      writer.on('finish', () => finishes++)
      writer.write(row(1))
      writer.end()
      const late = []
      const err = await new Promise(resolve => { writer.on('error', resolve); writer.write(row(2), e => late.push(e)) })
      assert.equal(err.code, 'ERR_STREAM_WRITE_AFTER_END')
      await within(closed(writer), 10000, 'the ended writer closes')
      assert.equal(finishes, 1)
      assert.deepEqual(late.map(e => e.code), ['ERR_STREAM_WRITE_AFTER_END'], "the late write's callback got the error")
      assert.deepEqual(writer.stats, { written: 1, failed: 0 })
      assert.equal(await users.exists('u00001'), true)
      assert.equal(await users.exists('u00002'), false)
    })

    it('destroy() mid-write settles the totals: every record is written or counted as failed', async (t) => {
      const db = await freshDb(backend)
      const users = await db.createResource(def())
      // A gate in the engine's insert path: from the 6th record on, afterInsert (which runs once
      // the object is stored) waits, so destroy() lands while two inserts are in flight.
      let entered = 0
      let release
      const gate = new Promise(resolve => { release = resolve })
      t.after(() => release()) // never leave a hook waiting, whatever failed
      let twoWaiting
      const waiting = new Promise(resolve => { twoWaiting = resolve })
      users.addHook('afterInsert', async (data) => {
        if (++entered > 5) {
          if (entered === 7) twoWaiting()
          await gate
        }
        return data
      })
      const writer = users.writable({ concurrency: 2 })
      const cancelled = []
      writer.on('recordError', (err, record) => cancelled.push([err, record]))
      const written = []
      let accepted = 0
      for (let i = 0; i < 2000; i++) { const r = row(i); written.push(r); writer.write(r); accepted++ }
      await within(waiting, 10000, 'two inserts wait in afterInsert')
      writer.destroy()
      await within(closed(writer), 10000, 'the destroyed writer closes')
      release()
      const stored = await users.count()
      assert.equal(writer.stats.written, 5)
      // Inserts in flight at destroy() count as failed although their object was stored.
      assert.equal(stored, 7)
      assert.ok(writer.stats.failed >= 2, `failed ${writer.stats.failed}`)
      assert.ok(stored <= writer.stats.written + writer.stats.failed)
      assert.ok(writer.stats.written + writer.stats.failed <= accepted)
      assert.equal(entered, 7, 'nothing was inserted after destroy()')
      // Every record counted as failed was reported, as the very object written, with Cancelled.
      assert.equal(cancelled.length, writer.stats.failed)
      assert.ok(cancelled.every(([err]) => err instanceof Cancelled && err.code === 'Cancelled' && err.retryable === false), cancelled.map(([e]) => e.name).join())
      // The records handed over are the first written + failed ones, in write order (the two in
      // flight need not be the 6th and 7th: inserts complete out of order).
      const reported = new Set(cancelled.map(([, rec]) => rec))
      assert.equal(reported.size, cancelled.length, 'each once')
      const settled = new Set(written.slice(0, writer.stats.written + writer.stats.failed))
      assert.ok([...reported].every(rec => settled.has(rec)), 'the very objects written')
      const succeeded = [...settled].filter(rec => !reported.has(rec))
      assert.equal(succeeded.length, 5)
      for (const rec of succeeded) assert.equal(await users.exists(rec.id), true, rec.id)
    })
  })
}

describe('streams: fatal errors', () => {
  // file:// only: the failure is made by turning the version directory into a file, which only
  // a filesystem backend lets a test do; S3 transport failures are in faults.test.mjs.
  it('a listing failure destroys the reader with a typed error and pipeline rejects (file backend)', async () => {
    const cs = connectionString('file')
    const db = new lib.S3db({ connectionString: cs })
    await db.connect()
    const users = await db.createResource(def())
    await fill(users, 2500)
    const root = fileURLToPath(cs.replace('file://', 'file://'))
    const resDir = readdirSync(root).find(n => n.startsWith('resource=users'))
    const verDir = join(root, resDir, readdirSync(join(root, resDir)).find(n => n.startsWith('v=')))
    const reader = users.readable({ concurrency: 1, batchSize: 1, highWaterMark: 1 })
    let n = 0
    const sink = new Writable({
      objectMode: true,
      highWaterMark: 1,
      write (_rec, _enc, cb) {
        // After the first record the lister has at most two of the three pages:
        // turn the version directory into a file so the next listing page fails.
        if (++n === 1) {
          renameSync(verDir, verDir + '.moved')
          writeFileSync(verDir, 'not a directory')
        }
        cb()
      }
    })
    await assert.rejects(pipeline(reader, sink), err => {
      assert.ok(err instanceof lib.BaseError, `expected a typed error, got ${err && err.name}`)
      assert.ok(!(err instanceof NoSuchKey))
      return true
    })
    assert.ok(reader.destroyed)
  })

  it('the stream classes are exported from s3db-native/stream too', async () => {
    const sub = await import('../stream.mjs')
    assert.equal(sub.ResourceReader, ResourceReader)
    assert.equal(sub.ResourceIdsReader, ResourceIdsReader)
    assert.equal(sub.ResourceIdsPageReader, ResourceIdsPageReader)
    assert.equal(sub.ResourceWriter, ResourceWriter)
  })
})
