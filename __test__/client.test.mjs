// Client (4.1.7 §4): a standalone Client, its whole method table with the command and
// method events, sendCommand for SDK command objects, and databases sharing one client.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, connectionString, record } from './helpers.mjs'

const { Client, S3db, Database, NoSuchKey, NotFound, CostsPlugin } = lib

// Stand-ins for AWS SDK command classes: sendCommand looks at `constructor.name` and `input`.
const command = (name, input) => new ({ [name]: class { constructor (i) { this.input = i } } })[name](input)

for (const backend of backends()) {
  describe(`Client on ${backend}`, () => {
    const fresh = () => new Client({ connectionString: connectionString(backend) })

    it('is constructed from a connection string, with 4.1.7 properties', () => {
      const c = new Client({ connectionString: connectionString(backend), parallelism: '7', id: 'my-id' })
      assert.equal(c.id, 'my-id')
      assert.equal(c.parallelism, 7)
      assert.equal(c.verbose, false)
      assert.equal(typeof c.bucket, 'string')
      assert.equal(typeof new Client({ connectionString: connectionString(backend) }).id, 'string')
      assert.equal(new Client({ connectionString: connectionString(backend) }).id.length, 22)
      assert.equal(typeof c.client.send, 'function', 'an S3Client-shaped stand-in')
      assert.throws(() => new Client({}), (e) => e.name === 'ConnectionStringError' && /Invalid connection string/.test(e.message))
    })

    it('putObject/getObject/headObject/exists/deleteObject emit the command and method events', async () => {
      const c = fresh()
      const seen = record(c, ['command.request', 'command.response', 'putObject', 'getObject', 'headObject', 'deleteObject'])
      await c.putObject({ key: 'a/one.txt', metadata: { Name: 'x' }, body: 'hello', contentType: 'text/plain' })
      const got = await c.getObject('a/one.txt')
      assert.equal(got.Body.toString(), 'hello')
      assert.equal(got.ContentType, 'text/plain')
      assert.deepEqual(got.Metadata, { name: 'x' })
      assert.ok(got.LastModified instanceof Date)
      assert.equal((await c.headObject('a/one.txt')).ContentLength, 5)
      assert.equal(await c.exists('a/one.txt'), true)
      assert.equal(await c.exists('a/none.txt'), false)
      await c.deleteObject('a/one.txt')
      assert.equal(await c.exists('a/one.txt'), false)
      const names = seen.map(e => e[0] === 'command.request' || e[0] === 'command.response' ? `${e[0]}:${e[1]}` : e[0])
      assert.deepEqual(names.slice(0, 6), [
        'command.request:PutObjectCommand', 'command.response:PutObjectCommand', 'putObject',
        'command.request:GetObjectCommand', 'command.response:GetObjectCommand', 'getObject'
      ])
      const put = seen[0]
      assert.equal(put[2].Key, c.keyPrefix ? `${c.keyPrefix}/a/one.txt` : 'a/one.txt', 'inputs carry the S3 key (prefix included)')
      assert.equal(put[2].Bucket, c.bucket)
    })

    it('a missing key: GET gives NoSuchKey, HEAD gives NotFound', async () => {
      const c = fresh()
      await assert.rejects(c.getObject('nope'), NoSuchKey)
      await assert.rejects(c.headObject('nope'), NotFound)
    })

    it('listObjects, count, getAllKeys, getContinuationTokenAfterOffset and getKeysPage walk the pages', async () => {
      const c = fresh()
      const keys = Array.from({ length: 25 }, (_, i) => `p/k${String(i).padStart(3, '0')}`)
      for (const key of keys) await c.putObject({ key, body: 'x' })
      await c.putObject({ key: 'other/z', body: 'x' })
      const page = await c.listObjects({ prefix: 'p/', maxKeys: 10 })
      assert.equal(page.KeyCount, 10)
      assert.equal(page.IsTruncated, true)
      assert.equal(page.Contents[0].Key, c.keyPrefix ? `${c.keyPrefix}/p/k000` : 'p/k000')
      const events = record(c, ['count', 'getAllKeys', 'getKeysPage', 'getContinuationTokenAfterOffset'])
      assert.equal(await c.count({ prefix: 'p/' }), 25)
      assert.deepEqual(await c.getAllKeys({ prefix: 'p/' }), keys)
      assert.equal(await c.getContinuationTokenAfterOffset({ prefix: 'p/', offset: 0 }), null)
      assert.equal(typeof await c.getContinuationTokenAfterOffset({ prefix: 'p/', offset: 10 }), 'string')
      assert.equal(await c.getContinuationTokenAfterOffset({ prefix: 'p/', offset: 25 }), null, 'nothing after the end')
      assert.deepEqual(await c.getKeysPage({ prefix: 'p/', offset: 10, amount: 5 }), keys.slice(10, 15))
      assert.deepEqual(await c.getKeysPage({ prefix: 'p/', amount: 3 }), keys.slice(0, 3))
      assert.deepEqual(await c.getKeysPage({ prefix: 'p/', offset: 30 }), [])
      assert.deepEqual(events.map(e => e[0]).slice(0, 2), ['count', 'getAllKeys'])
      assert.deepEqual(events[0].slice(1), [25, { prefix: 'p/' }])
    })

    it('copyObject, moveObject and moveAllObjects', async () => {
      const c = fresh()
      await c.putObject({ key: 'src/a', metadata: { m: '1' }, body: 'A' })
      await c.putObject({ key: 'src/b', body: 'B' })
      const copied = await c.copyObject({ from: 'src/a', to: 'copy/a' })
      assert.ok(copied.CopyObjectResult)
      assert.equal((await c.getObject('copy/a')).Body.toString(), 'A')
      assert.deepEqual((await c.headObject('copy/a')).Metadata, { m: '1' })
      assert.equal(await c.moveObject({ from: 'copy/a', to: 'moved/a' }), true)
      assert.equal(await c.exists('copy/a'), false)
      assert.equal(await c.exists('moved/a'), true)
      // 4.1.7 threw `ReferenceError: options is not defined` here; the real error comes through.
      await assert.rejects(c.moveObject({ from: 'missing', to: 'x' }), (e) => !(e instanceof ReferenceError) && e.name === 'NoSuchKey')
      const events = record(c, ['moveAllObjects'])
      const moved = await c.moveAllObjects({ prefixFrom: 'src/', prefixTo: 'dst/' })
      assert.deepEqual(moved.sort(), ['dst/a', 'dst/b'])
      assert.deepEqual(await c.getAllKeys({ prefix: 'src/' }), [])
      assert.equal(events[0][2].prefixFrom, 'src/')
    })

    it('deleteObjects (chunks of 1000) and deleteAll (one event per page)', async () => {
      const c = fresh()
      for (let i = 0; i < 5; i++) await c.putObject({ key: `d/${i}`, body: 'x' })
      const report = await c.deleteObjects(['d/0', 'd/1'])
      assert.equal(report.deleted.length, 1, 'one response per chunk')
      assert.equal(report.deleted[0].Deleted.length, 2)
      assert.deepEqual(report.notFound, [])
      const events = record(c, ['deleteAll', 'deleteAllComplete'])
      assert.equal(await c.deleteAll({ prefix: 'd/' }), 3)
      assert.deepEqual(events, [['deleteAll', { prefix: 'd/', batch: 3, total: 3 }], ['deleteAllComplete', { prefix: 'd/', totalDeleted: 3 }]])
      assert.equal(await c.count({ prefix: 'd/' }), 0)
    })

    it('sendCommand takes the SDK commands 4.1.7 sends, with absolute keys, and refuses others', async () => {
      const c = fresh()
      const key = (k) => (c.keyPrefix ? `${c.keyPrefix}/${k}` : k)
      const seen = record(c, ['command.request', 'command.response'])
      await c.sendCommand(command('PutObjectCommand', { Bucket: c.bucket, Key: key('s/1'), Body: Buffer.from('one'), Metadata: { a: 'b' } }))
      assert.equal((await c.getObject('s/1')).Body.toString(), 'one', 'the same object through the prefixed API')
      const got = await c.client.send(command('GetObjectCommand', { Bucket: c.bucket, Key: key('s/1') }))
      assert.equal(got.Body.toString(), 'one')
      assert.deepEqual((await c.sendCommand(command('HeadObjectCommand', { Bucket: c.bucket, Key: key('s/1') }))).Metadata, { a: 'b' })
      await c.sendCommand(command('CopyObjectCommand', { Bucket: c.bucket, CopySource: `${c.bucket}/${key('s/1')}`, Key: key('s/2') }))
      const listed = await c.sendCommand(command('ListObjectsV2Command', { Bucket: c.bucket, Prefix: key('s/') }))
      assert.deepEqual(listed.Contents.map(o => o.Key), [key('s/1'), key('s/2')])
      const del = await c.sendCommand(command('DeleteObjectsCommand', { Bucket: c.bucket, Delete: { Objects: [{ Key: key('s/1') }] } }))
      assert.deepEqual(del.Deleted, [{ Key: key('s/1') }])
      await c.sendCommand(command('DeleteObjectCommand', { Bucket: c.bucket, Key: key('s/2') }))
      assert.equal(await c.count({ prefix: 's/' }), 0)
      assert.deepEqual(seen.slice(0, 2).map(e => [e[0], e[1]]), [['command.request', 'PutObjectCommand'], ['command.response', 'PutObjectCommand']])
      await assert.rejects(c.sendCommand(command('CreateBucketCommand', { Bucket: 'x' })), /unsupported command CreateBucketCommand/)
      await assert.rejects(c.sendCommand({}), /unsupported command/)
      await assert.rejects(c.sendCommand(command('GetObjectCommand', { Bucket: 'another-bucket', Key: 'k' })), /not this client's bucket/)
    })

    it('errorProxy maps known S3 error names to 4.1.7 classes', () => {
      const c = fresh()
      const sdk = Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' })
      const mapped = c.errorProxy(sdk, { key: 'k' })
      assert.ok(mapped instanceof NoSuchKey)
      assert.equal(mapped.key, 'k')
      const other = Object.assign(new Error('denied'), { name: 'AccessDenied' })
      assert.equal(c.errorProxy(other, { key: 'k' }), other)
      assert.deepEqual(other.data, { key: 'k' })
    })

    it('databases built on one client share its connection and its request counts', async () => {
      const client = new Client({ connectionString: connectionString(backend) })
      const a = new S3db({ client, plugins: [CostsPlugin] })
      const b = new Database({ client })
      assert.equal(a.client, client)
      assert.equal(a.bucket, client.bucket)
      assert.equal(a.keyPrefix, client.keyPrefix)
      await a.connect()
      const users = await a.createResource({ name: 'users', attributes: { name: 'string' } })
      await users.insert({ id: 'u1', name: 'Ann' })
      await b.connect()
      assert.equal((await b.resources.users.get('u1')).name, 'Ann', 'b reads what a wrote')
      const costs = client.costs
      const before = costs.requests.get
      await b.resources.users.get('u1')
      assert.ok(costs.requests.get > before, "b's requests are counted on the shared client")
    })

    it('a stand-in client is accepted by the constructor and fails clearly when storage is needed', async () => {
      const db = new S3db({ client: { bucket: 'fake' } })
      assert.equal(db.bucket, 'fake')
      await assert.rejects(db.connect(), /not an s3db-native Client/)
    })
  })

  describe(`Client on ${backend}: every request takes one path (F5)`, () => {
    it('copyObject and deleteAll emit command events too', async () => {
      const c = new Client({ connectionString: connectionString(backend) })
      await c.putObject({ key: 'x/1', body: '1' })
      const seen = record(c, ['command.request'])
      await c.copyObject({ from: 'x/1', to: 'x/2' })
      await c.deleteAll({ prefix: 'x/' })
      assert.deepEqual(seen.map(e => e[1]), ['CopyObjectCommand', 'ListObjectsV2Command', 'DeleteObjectsCommand', 'ListObjectsV2Command'])
    })
  })
}

describe('ConnectionString (4.1.7 §5)', () => {
  const { ConnectionString } = lib

  it('has 4.1.7 fields for the s3:// and path-style forms, credentials decoded (F1)', () => {
    const s3 = new ConnectionString('s3://AK:S%2FK@my-bucket/databases/app')
    assert.deepEqual({ ...s3 }, { region: 'us-east-1', bucket: 'my-bucket', accessKeyId: 'AK', secretAccessKey: 'S/K', endpoint: 'https://s3.us-east-1.amazonaws.com', keyPrefix: 'databases/app' })
    const minio = new ConnectionString('http://u:p@localhost:9000/s3db/tests/run1')
    assert.equal(minio.forcePathStyle, true)
    assert.equal(minio.bucket, 's3db')
    assert.equal(minio.keyPrefix, 'tests/run1')
    assert.equal(minio.endpoint, 'http://localhost:9000')
    assert.equal(new ConnectionString('http://u:p@localhost:9000/').bucket, 's3db')
  })

  it('copies other query parameters as strings and applies the known ones typed', () => {
    const c = new ConnectionString('http://u:p@localhost:9000/b?region=eu-west-1&forcePathStyle=false&custom=1')
    assert.equal(c.region, 'eu-west-1')
    assert.equal(c.forcePathStyle, undefined, '`false` turns path style off (4.1.7 kept the string "false")')
    assert.equal(c.custom, '1')
  })

  it('defineS3 and defineMinio re-read a URL in either form', () => {
    const c = new ConnectionString('memory://x/y')
    c.defineS3(new URL('https://AK:SK@bucket-a/prefix'))
    assert.equal(c.bucket, 'bucket-a')
    assert.equal(c.forcePathStyle, undefined)
    c.defineMinio(new URL('http://AK:SK@localhost:9000/bucket-b/p'))
    assert.equal(c.bucket, 'bucket-b')
    assert.equal(c.forcePathStyle, true)
  })

  it('console.log hides the secret; bad input is a ConnectionStringError without it', async () => {
    const { inspect } = await import('node:util')
    const c = new ConnectionString('s3://AK:TOPSECRET@b')
    assert.equal(c.secretAccessKey, 'TOPSECRET')
    assert.ok(!inspect(c).includes('TOPSECRET'))
    assert.throws(() => new ConnectionString('http://AK:TOPSECRET@[bad'), (e) => e.name === 'ConnectionStringError' && !e.message.includes('TOPSECRET'))
  })
})

describe('raw metadata on S3', () => {
  it('a putObject whose metadata is not printable ASCII is refused before sending, with InvalidArgument (not a misleading SignatureDoesNotMatch)', { skip: !backends().includes('s3') && 'needs the S3 backend' }, async () => {
    const client = new lib.Client({ connectionString: connectionString('s3') })
    await assert.rejects(client.putObject({ key: 'raw/x', metadata: { note: 'café' }, body: '' }),
      (e) => e instanceof lib.InvalidArgument && /not printable US-ASCII/.test(e.message) && e.key.endsWith('raw/x'))
    await client.putObject({ key: 'raw/y', metadata: { note: 'cafe' }, body: '' })
    assert.equal((await client.headObject('raw/y')).Metadata.note, 'cafe')
    assert.equal(await client.exists('raw/x'), false, 'nothing was written')
  })
})
