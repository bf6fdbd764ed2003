// The benchmarks' ceiling client (bench/ceiling-client.mjs): its SigV4 signatures against the
// examples of the Amazon S3 documentation, and, on S3 (S3DB_TEST_S3_URL), that a HEAD returns what
// its PUT stored, its listing pages, and that s3db-native reads the records it writes.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { CeilingClient } from '../bench/ceiling-client.mjs'
import { ceilingResource, recordCodec } from '../bench/ceiling-records.mjs'
import { attributes, benchRows } from '../bench/records.mjs'
import { backends, lib } from './helpers.mjs'

const EXAMPLE = 'http://AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI%2FK7MDENG%2FbPxRfiCYEXAMPLEKEY@examplebucket.s3.amazonaws.com/examplebucket'
const at = Date.UTC(2013, 4, 24)
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

it('signs the documented SigV4 examples: GET Object with a Range header, and a bucket listing', () => {
  const c = new CeilingClient(EXAMPLE, { clock: () => at })
  const get = c.sign('GET', '/test.txt', '', { range: 'bytes=0-9' })
  assert.equal(get['x-amz-date'], '20130524T000000Z')
  assert.equal(get['x-amz-content-sha256'], EMPTY)
  assert.equal(get.authorization, 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41')
  const list = c.sign('GET', '/', 'max-keys=2&prefix=J', {})
  assert.match(list.authorization, /Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7$/)
  c.close()
})

it('encodes the bench records as s3db-native does and parses them back', () => {
  const codec = recordCodec(attributes)
  const [row] = benchRows(1)
  const { id, ...fields } = row
  assert.deepEqual(codec.encode(fields), { 0: 'User 0', 1: 'user0@example.com', 2: '20', 3: '1', 4: 'a|b', _v: 'v0' })
  assert.deepEqual(codec.decode(codec.encode(fields)), fields)
  assert.throws(() => recordCodec({ when: 'date' }), /not handled/)
})

const url = process.env.S3DB_TEST_S3_URL?.replace(/\/+$/, '')
it('on S3: a HEAD returns what the PUT stored, listings page, s3db-native reads the records', { skip: !backends().includes('s3') && 'no S3 backend (S3DB_TEST_S3_URL)' }, async () => {
  const { S3db } = lib
  const prefix = `ceiling-test-${process.pid}-${Date.now()}`
  const client = new CeilingClient(`${url}/${prefix}`, { concurrency: 8 })
  const db = new S3db({ connectionString: `${url}/${prefix}`, parallelism: 8 })
  await db.connect()
  try {
    const native = await db.createResource({ name: 'users', attributes })
    const users = ceilingResource(client, 'users', attributes)
    const rows = benchRows(12)
    for (const r of rows) await users.insert({ ...r, name: `${r.name}  spaced` })
    const head = await client.headObject(users.keyOf(rows[3].id))
    assert.equal(head.metadata['0'], 'User 3  spaced')
    assert.equal(head.contentLength, 0)
    assert.equal(await client.headObject(users.keyOf('missing')), null)
    const page = await client.listObjects({ prefix: 'resource=users/', maxKeys: 5 })
    assert.equal(page.keys.length, 5)
    assert.ok(page.nextContinuationToken)
    assert.equal(await users.count(), 12)
    assert.deepEqual(await users.listIds(), rows.map(r => r.id))
    const got = await native.get(rows[5].id)
    assert.equal(got.name, 'User 5  spaced')
    assert.deepEqual(got.tags, ['a', 'b'])
    const read = []
    for await (const r of users.readable({ concurrency: 4 })) read.push(r.id)
    assert.deepEqual(read, rows.map(r => r.id))
  } finally {
    client.close()
    await db.disconnect()
  }
})
