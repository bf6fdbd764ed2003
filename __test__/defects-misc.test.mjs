// Small 4.1.7 defects not covered elsewhere: B5 (no body download for plain gets),
// E7 (s3dbVersion is the package version), F5 (every request is counted, deleteAll included),
// F6 (S3 failures keep status code, request id and cause; never the secret).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { lib, backends, connectionString } from './helpers.mjs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))

for (const backend of backends()) {
  describe(`small 4.1.7 defects on ${backend}`, () => {
    it('B5: get of a record that has a body sends a HEAD only (user-management)', async () => {
      const db = new lib.S3db({ connectionString: connectionString(backend), plugins: [lib.CostsPlugin] })
      await db.connect()
      const r = await db.createResource({ name: 'docs', attributes: { title: 'string' } })
      await db.client.putObject({ key: 'resource=docs/v=v0/id=d1', metadata: { 0: 'hello', _v: 'v0' }, body: Buffer.from('binary content'), contentType: 'application/pdf' })
      const before = { ...db.client.costs.events }
      const got = await r.get('d1')
      assert.equal(got.title, 'hello')
      assert.equal(got._hasContent, true)
      assert.equal(got._mimeType, 'application/pdf')
      assert.equal((db.client.costs.events.HeadObjectCommand || 0) - (before.HeadObjectCommand || 0), 1)
      assert.equal((db.client.costs.events.GetObjectCommand || 0) - (before.GetObjectCommand || 0), 0)
    })

    it("E7: s3db.json's s3dbVersion is this package's version", async () => {
      const db = new lib.S3db({ connectionString: connectionString(backend) })
      await db.connect()
      await db.createResource({ name: 'x', attributes: { a: 'string' } })
      const doc = JSON.parse((await db.client.getObject('s3db.json')).Body.toString('utf8'))
      assert.equal(doc.s3dbVersion, pkg.version)
      assert.equal(db.s3dbVersion, pkg.version)
    })

    it('F5: deleteAll requests (listing and batch delete) are counted', async () => {
      const db = new lib.S3db({ connectionString: connectionString(backend), plugins: [lib.CostsPlugin] })
      await db.connect()
      const r = await db.createResource({ name: 'gone', attributes: { a: 'string' }, options: { paranoid: false } })
      await r.insertMany([{ a: '1' }, { a: '2' }])
      const before = { ...db.client.costs.events }
      await r.deleteAll()
      assert.ok((db.client.costs.events.DeleteObjectsCommand || 0) > (before.DeleteObjectsCommand || 0), 'batch delete counted')
      assert.ok((db.client.costs.events.ListObjectsV2Command || 0) > (before.ListObjectsV2Command || 0), 'listing counted')
    })
  })
}

// S3 only: a signature failure needs a server that checks credentials (moto with SigV4 on).
describe('small 4.1.7 defects on s3', () => {
  it('F6: an S3 failure keeps the status code, request id, AWS message and cause chain, never the secret', { skip: !backends().includes('s3') && 'needs the S3 test server' }, async () => {
    const url = new URL(process.env.S3DB_TEST_S3_URL)
    url.password = 'wrong-secret-f6'
    url.pathname += '/f6'
    const db = new lib.S3db({ connectionString: url.toString() })
    const err = await db.connect().then(() => null, (e) => e)
    assert.ok(err instanceof lib.PermissionError, `got ${err && err.name}: ${err && err.message}`)
    assert.equal(err.statusCode, 403)
    assert.equal(typeof err.requestId, 'string')
    assert.match(err.awsMessage, /signature/i)
    assert.ok(Array.isArray(err.causes) && err.causes.length > 0)
    assert.ok(!JSON.stringify({ ...err, message: err.message, causes: err.causes }).includes('wrong-secret-f6'), 'no secret in the error')
  })
})
