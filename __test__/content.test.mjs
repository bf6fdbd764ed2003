// Binary content (4.1.7: setContent, content, hasContent, deleteContent): the body holds the
// bytes and their type, the metadata keeps the record, and nothing is lost to a behavior.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, freshDb, record } from './helpers.mjs'

for (const backend of backends()) {
  describe(`binary content on ${backend}`, () => {
    it('setContent stores bytes and type; content, hasContent and deleteContent read and clear them', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'docs', attributes: { title: 'string' } })
      await r.insert({ id: 'd1', title: 'Report' })
      assert.equal(await r.hasContent('d1'), false)
      const seen = record(r, ['get', 'setContent', 'content', 'deleteContent'])
      const bytes = Buffer.from([0, 1, 2, 250, 251, 252])
      const rec = await r.setContent({ id: 'd1', buffer: bytes, contentType: 'application/pdf' })
      assert.equal(rec.title, 'Report')
      assert.equal(rec._hasContent, true)
      assert.equal(rec._contentLength, 6)
      assert.equal(rec._mimeType, 'application/pdf')
      const got = await r.content('d1')
      assert.deepEqual(got.buffer, bytes)
      assert.equal(got.contentType, 'application/pdf')
      assert.equal(await r.hasContent('d1'), true)
      const read = await r.get('d1')
      assert.equal(read.title, 'Report', 'the record is unchanged')
      assert.equal(read._hasContent, true)
      assert.equal(read._mimeType, 'application/pdf')
      assert.deepEqual(seen.map(e => e[0]), ['get', 'setContent', 'content', 'get'])
      assert.deepEqual(seen[1][1], { id: 'd1', contentType: 'application/pdf', contentLength: 6 })
      assert.deepEqual(seen[2].slice(1), ['d1', 6, 'application/pdf'])
      await r.deleteContent('d1')
      assert.deepEqual(seen.at(-1), ['deleteContent', 'd1'])
      assert.equal(await r.hasContent('d1'), false)
      assert.equal((await r.get('d1')).title, 'Report')
    })

    it('the default type, a missing record, and content surviving an update (B2)', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'docs', attributes: { title: 'string' } })
      await r.insert({ id: 'd1', title: 'A' })
      assert.equal((await r.setContent({ id: 'd1', buffer: Buffer.from('x') }))._mimeType, 'application/octet-stream')
      assert.deepEqual(await r.content('missing'), { buffer: null, contentType: null })
      assert.equal(await r.hasContent('missing'), false)
      await assert.rejects(r.setContent({ id: 'missing', buffer: Buffer.from('x') }), (e) => e.name === 'NoSuchKey' || e.name === 'NotFound')
      await r.update('d1', { title: 'B' })
      assert.equal((await r.content('d1')).buffer.toString(), 'x')
      assert.equal((await r.get('d1')).title, 'B')
    })

    it('body-overflow: content and overflowing fields never overwrite each other', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'big', attributes: { a: 'string', b: 'string' }, behavior: 'body-overflow' })
      await r.insert({ id: 'small', a: 'x', b: 'y' })
      await r.setContent({ id: 'small', buffer: Buffer.from('CONTENT'), contentType: 'text/plain' })
      await r.update('small', { a: 'z' })
      assert.equal((await r.content('small')).buffer.toString(), 'CONTENT', 'a small update keeps the content')
      await assert.rejects(r.update('small', { b: 'y'.repeat(3000) }), (e) => e.name === 'MetadataLimitExceeded' && /binary content/.test(e.message))
      assert.equal((await r.get('small')).a, 'z', 'the refused update changed nothing')
      assert.equal((await r.content('small')).buffer.toString(), 'CONTENT')
      await r.insert({ id: 'over', a: 'x', b: 'y'.repeat(3000) })
      await assert.rejects(r.setContent({ id: 'over', buffer: Buffer.from('C') }), /overflowing fields/)
      assert.equal((await r.get('over')).b.length, 3000, 'the overflowed field is intact')
      assert.equal(await r.hasContent('over'), false, 'overflowed fields are not content')
    })
  })
}
