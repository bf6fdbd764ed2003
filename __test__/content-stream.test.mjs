// Streamed binary content: setContent from a Readable (S3: a multipart upload past 8 MB)
// and contentStream(id), on every backend; failures keep the old content.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import { backends, freshDb, record, lib } from './helpers.mjs'

const MB = 1024 * 1024

/** `total` bytes of a deterministic pattern in chunks of `size` (the last one shorter). */
function * pattern (total, size) {
  for (let off = 0; off < total; off += size) {
    const n = Math.min(size, total - off)
    const b = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) b[i] = ((off + i) * 31) % 251
    yield b
  }
}

function sha (chunks) {
  const h = createHash('sha256')
  for (const c of chunks) h.update(c)
  return h.digest('hex')
}

async function readAll (readable) {
  const h = createHash('sha256')
  let length = 0
  for await (const c of readable) { h.update(c); length += c.length }
  return { length, sha: h.digest('hex') }
}

for (const backend of backends()) {
  describe(`streamed content on ${backend}`, () => {
    it('a 20 MB Readable goes up in uneven chunks and comes back whole through contentStream', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'videos', attributes: { title: 'string' } })
      await r.insert({ id: 'v1', title: 'Talk' })
      const total = 20 * MB + 12345
      const seen = record(r, ['get', 'setContent'])
      const rec = await r.setContent({ id: 'v1', buffer: Readable.from(pattern(total, 3 * MB + 7)), contentType: 'video/mp4' })
      assert.equal(rec.title, 'Talk')
      assert.equal(rec._hasContent, true)
      assert.equal(rec._contentLength, total)
      assert.equal(rec._mimeType, 'video/mp4')
      assert.deepEqual(seen.map(e => e[0]), ['get', 'setContent'])
      assert.deepEqual(seen[1][1], { id: 'v1', contentType: 'video/mp4', contentLength: total })

      const body = r.contentStream('v1')
      let ready = null
      body.on('ready', (info) => { ready = info })
      const got = await readAll(body)
      assert.deepEqual(ready, { contentType: 'video/mp4', contentLength: total })
      assert.equal(body.contentType, 'video/mp4')
      assert.equal(body.contentLength, total)
      assert.equal(got.length, total)
      assert.equal(got.sha, sha(pattern(total, MB)))
      const read = await r.get('v1')
      assert.equal(read.title, 'Talk', 'the record is unchanged')
      assert.equal(read._contentLength, total)
      assert.equal(await r.hasContent('v1'), true)
    })

    it('async iterables of strings and Uint8Arrays are streamed as their bytes; an empty stream stores empty content', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'notes', attributes: { title: 'string' } })
      await r.insert({ id: 'n1', title: 'x' })
      async function * parts () { yield 'héllo '; yield new Uint8Array([119, 111]); yield Buffer.from('rld') }
      const rec = await r.setContent({ id: 'n1', buffer: parts(), contentType: 'text/plain' })
      assert.equal(rec._contentLength, Buffer.byteLength('héllo world'))
      assert.equal((await r.content('n1')).buffer.toString(), 'héllo world')
      const chunks = []
      for await (const c of r.contentStream('n1')) chunks.push(c)
      assert.equal(Buffer.concat(chunks).toString(), 'héllo world')

      const empty = await r.setContent({ id: 'n1', buffer: Readable.from([]), contentType: 'text/plain' })
      assert.equal(empty._contentLength, 0)
      assert.equal(await r.hasContent('n1'), false)
      const none = []
      for await (const c of r.contentStream('n1')) none.push(c)
      assert.equal(Buffer.concat(none).length, 0)
    })

    it('a source that fails (or yields a non-byte chunk) rejects and leaves the previous content', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'docs', attributes: { title: 'string' } })
      await r.insert({ id: 'd1', title: 'x' })
      await r.setContent({ id: 'd1', buffer: Buffer.from('before'), contentType: 'text/plain' })
      const broken = new Error('source broke')
      async function * failing () { yield * pattern(9 * MB, MB); throw broken }
      await assert.rejects(r.setContent({ id: 'd1', buffer: failing() }), (e) => e === broken)
      async function * wrongType () { yield Buffer.from('a'); yield { not: 'bytes' } }
      await assert.rejects(r.setContent({ id: 'd1', buffer: wrongType() }), (e) => e instanceof lib.InvalidArgument && e instanceof lib.UnknownError && e.code === 'InvalidArgument' && /Buffers, Uint8Arrays or strings/.test(e.message))
      const kept = await r.content('d1')
      assert.equal(kept.buffer.toString(), 'before')
      assert.equal(kept.contentType, 'text/plain')
    })

    it('a missing record: setContent(stream) rejects before taking the body; contentStream fails with NoSuchKey', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'docs', attributes: { title: 'string' } })
      let pulled = 0
      async function * counted () { for (const c of pattern(64 * MB, MB)) { pulled++; yield c } }
      await assert.rejects(r.setContent({ id: 'ghost', buffer: counted() }), (e) => e.name === 'NotFound' || e.name === 'NoSuchKey')
      assert.ok(pulled < 16, `the body stops being read once the write has failed (${pulled} MB pulled)`)
      await assert.rejects(readAll(r.contentStream('ghost')), (e) => e.name === 'NoSuchKey')
      assert.equal(await r.exists('ghost'), false)
    })

    it('destroying a contentStream midway stops the download; the resource keeps working', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'docs', attributes: { title: 'string' } })
      await r.insert({ id: 'd1', title: 'x' })
      await r.setContent({ id: 'd1', buffer: Readable.from(pattern(12 * MB, MB)) })
      const body = r.contentStream('d1')
      let read = 0
      await new Promise((resolve, reject) => {
        body.on('data', (c) => { read += c.length; if (read >= MB) body.destroy() })
        body.on('close', resolve)
        body.on('error', reject)
      })
      assert.ok(read >= MB && read < 12 * MB, `stopped early (${read} bytes read)`)
      assert.equal(body.destroyed, true)
      assert.equal((await r.get('d1')).title, 'x')
      assert.equal((await readAll(r.contentStream('d1'))).length, 12 * MB)
    })

    it('a body-overflow record: overflowed fields are not content, and streaming content onto them is refused', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'big', attributes: { text: 'string' }, behavior: 'body-overflow' })
      await r.insert({ id: 'b1', text: 'y'.repeat(4000) })
      const out = []
      for await (const c of r.contentStream('b1')) out.push(c)
      assert.equal(Buffer.concat(out).length, 0)
      await assert.rejects(r.setContent({ id: 'b1', buffer: Readable.from([Buffer.from('z')]) }), /overflowing fields/)
      assert.equal((await r.get('b1')).text.length, 4000)
    })
  })
}
