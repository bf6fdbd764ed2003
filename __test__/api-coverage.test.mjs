// Public methods and options that no other suite pins down, each with a behavioural assertion on
// every backend: Client exists/deleteObject/deleteObjects/listObjects/count past one page,
// getResource/listResources with stored resources, the connection options (endpoint, region,
// forcePathStyle, verbose), the resource options (autoEncrypt, autoDecrypt, arraySeparator,
// generateAutoHooks, cache), CorruptData, and A4's stored "null".
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { lib, backends, connectionString, freshDb, record } from './helpers.mjs'
import { startFaultProxy } from './fault-proxy.mjs'

const { S3db, Client, CostsPlugin, CachePlugin, MemoryCache, Plugin, ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, ResourceNotFound, CorruptData, BaseError, NoSuchKey, decrypt } = lib

/** The S3 metadata of a record of `resource` (current version), as stored. */
const stored = async (resource, id) => (await resource.client.headObject(resource.getResourceKey(id))).Metadata

for (const backend of backends()) {
  describe(`Client past one page on ${backend}`, () => {
    let c
    const keys = Array.from({ length: 1001 }, (_, i) => `many/k${String(i).padStart(4, '0')}`)
    before(async () => {
      c = new Client({ connectionString: connectionString(backend), parallelism: 16 })
      for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map(key => c.putObject({ key, body: key })))
      await c.putObject({ key: 'other/one', body: 'x' })
    })

    it('listObjects walks every key once, in order, with maxKeys and continuationToken', async () => {
      const seen = []
      let token
      let pages = 0
      do {
        const page = await c.listObjects({ prefix: 'many/', maxKeys: 400, continuationToken: token })
        pages++
        assert.equal(page.KeyCount, page.Contents.length)
        assert.ok(page.KeyCount <= 400)
        for (const o of page.Contents) seen.push(c.keyPrefix ? o.Key.slice(c.keyPrefix.length + 1) : o.Key)
        token = page.IsTruncated ? page.NextContinuationToken : undefined
        assert.equal(page.IsTruncated, seen.length < keys.length)
      } while (token)
      assert.equal(pages, 3)
      assert.deepEqual(seen, keys)
      const first = await c.listObjects({ prefix: 'many/' })
      assert.equal(first.KeyCount, 1000, 'one S3 page by default')
    })

    // file:// once listed the stored file's size, its metadata header line included.
    it('listObjects gives each object its body size, as HEAD does', async () => {
      const page = await c.listObjects({ prefix: 'many/k000' })
      assert.equal(page.KeyCount, 10)
      for (const o of page.Contents) {
        const key = c.keyPrefix ? o.Key.slice(c.keyPrefix.length + 1) : o.Key
        assert.equal(o.Size, Buffer.byteLength(key), key)
        assert.equal(o.Size, (await c.headObject(key)).ContentLength, key)
      }
    })

    it('count counts every page under a prefix, and everything under the client without one', async () => {
      const events = record(c, ['count'])
      assert.equal(await c.count({ prefix: 'many/' }), 1001)
      assert.equal(await c.count({ prefix: 'other/' }), 1)
      assert.equal(await c.count({ prefix: 'none/' }), 0)
      assert.equal(await c.count(), 1002)
      assert.deepEqual(events.map(e => e[1]), [1001, 1, 0, 1002])
    })

    it('exists is true for an object only (not for a prefix, nor a missing key)', async () => {
      assert.equal(await c.exists('many/k0000'), true)
      assert.equal(await c.exists('many/k1000'), true)
      assert.equal(await c.exists('many'), false)
      assert.equal(await c.exists('many/'), false)
      assert.equal(await c.exists('many/k1001'), false)
    })

    it('deleteObject removes one key; a missing key is no error (S3 semantics)', async () => {
      const events = record(c, ['deleteObject'])
      await c.putObject({ key: 'single/a', body: 'a' })
      await c.deleteObject('single/a')
      assert.equal(await c.exists('single/a'), false)
      await c.deleteObject('single/never-there')
      assert.deepEqual(events.map(e => e[2]), [{ key: 'single/a' }, { key: 'single/never-there' }])
    })

    it('deleteObjects sends one request per 1000 keys, reports each key, and missing keys count as deleted', async () => {
      const events = record(c, ['deleteObjects', 'command.request'])
      const report = await c.deleteObjects([...keys, 'many/not-there'])
      assert.deepEqual(report.notFound, [])
      assert.deepEqual(report.deleted.map(r => r.Deleted.length), [1000, 2])
      const full = (k) => (c.keyPrefix ? `${c.keyPrefix}/${k}` : k)
      assert.deepEqual(report.deleted.flatMap(r => r.Deleted.map(d => d.Key)).sort(), [...keys, 'many/not-there'].map(full).sort())
      assert.deepEqual(events.filter(e => e[0] === 'command.request').map(e => e[1]), ['DeleteObjectsCommand', 'DeleteObjectsCommand'])
      assert.equal(events.filter(e => e[0] === 'deleteObjects').length, 1)
      assert.equal(await c.count({ prefix: 'many/' }), 0)
      assert.equal(await c.exists('other/one'), true, 'nothing else deleted')
      assert.deepEqual(await c.deleteObjects([]), { deleted: [], notFound: [] })
    })
  })

  describe(`Database resources on ${backend}`, () => {
    it('getResource and listResources see created and stored resources; getResource of an unknown name rejects', async () => {
      const cs = connectionString(backend)
      const db = new S3db({ connectionString: cs })
      await db.connect()
      assert.deepEqual(await db.listResources(), [])
      const users = await db.createResource({ name: 'users', attributes: { name: 'string' } })
      const posts = await db.createResource({ name: 'posts', attributes: { title: 'string' } })
      await users.insert({ id: 'u1', name: 'Ann' })
      assert.deepEqual(await db.listResources(), [{ name: 'users' }, { name: 'posts' }])
      assert.equal(await db.getResource('users'), users)
      assert.equal(await db.getResource('posts'), posts)
      await assert.rejects(db.getResource('comments'), (e) => e instanceof ResourceNotFound && e.message === 'Resource not found: comments')
      // Another database on the same storage: both come from s3db.json.
      const again = new S3db({ connectionString: cs })
      await again.connect()
      assert.deepEqual((await again.listResources()).map(r => r.name).sort(), ['posts', 'users'])
      const loaded = await again.getResource('users')
      assert.equal(loaded, again.resources.users)
      assert.equal((await loaded.get('u1')).name, 'Ann')
    })
  })

  describe(`resource options on ${backend}`, () => {
    let db
    before(async () => { db = await freshDb(backend) })

    it('autoEncrypt: false with autoDecrypt: false stores and returns a secret as given', async () => {
      const r = await db.createResource({ name: 'plain', attributes: { pw: 'secret', n: 'number' }, options: { autoEncrypt: false, autoDecrypt: false } })
      await r.insert({ id: 'a', pw: 'open sesame', n: 5 })
      assert.equal((await stored(r, 'a'))[r.map.pw], 'open sesame')
      assert.equal((await r.get('a')).pw, 'open sesame')
      assert.equal((await r.get('a')).n, 5, 'other conversions still apply')
    })

    it('autoEncrypt: false alone: the plain value is stored and the read still decrypts, so it fails (4.1.7 did the same)', async () => {
      const r = await db.createResource({ name: 'halfplain', attributes: { pw: 'secret' }, options: { autoEncrypt: false } })
      await r.insert({ id: 'a', pw: 'open sesame' })
      assert.equal((await stored(r, 'a'))[r.map.pw], 'open sesame')
      await assert.rejects(r.get('a'), { name: 'DecryptionError' })
    })

    it('autoDecrypt: false returns the ciphertext, which decrypt() opens with the passphrase', async () => {
      const r = await db.createResource({ name: 'sealed', attributes: { pw: 'secret' }, options: { autoDecrypt: false } })
      await r.insert({ id: 'a', pw: 'open sesame' })
      const got = (await r.get('a')).pw
      assert.notEqual(got, 'open sesame')
      assert.equal(got, (await stored(r, 'a'))[r.map.pw])
      assert.equal(await decrypt(got, 'secret'), 'open sesame')
    })

    it('arraySeparator joins and escapes array items with the given separator', async () => {
      const r = await db.createResource({ name: 'sep', attributes: { tags: 'array|items:string' }, options: { arraySeparator: ';' } })
      await r.insert({ id: 'a', tags: ['x', 'y;z', 'w|v'] })
      assert.equal((await stored(r, 'a'))[r.map.tags], 'x;y\\;z;w|v')
      assert.deepEqual((await r.get('a')).tags, ['x', 'y;z', 'w|v'])
      assert.equal(r.options.arraySeparator, ';')
    })

    it('generateAutoHooks: false applies no conversion: values are stored as text and read back as text', async () => {
      const attributes = { n: 'number', b: 'boolean', pw: 'secret' }
      const auto = await db.createResource({ name: 'auto', attributes })
      const raw = await db.createResource({ name: 'raw', attributes, options: { generateAutoHooks: false } })
      const data = { id: 'a', n: 42, b: true, pw: 'p' }
      await auto.insert(data)
      await raw.insert(data)
      assert.deepEqual(raw.schema.options.hooks, { beforeMap: {}, afterMap: {}, beforeUnmap: {}, afterUnmap: {} })
      assert.deepEqual(auto.schema.options.hooks.beforeMap, { n: ['toString'], b: ['fromBool'], pw: ['encrypt'] })
      const rawMeta = await stored(raw, 'a')
      assert.deepEqual([rawMeta[raw.map.n], rawMeta[raw.map.b], rawMeta[raw.map.pw]], ['42', 'true', 'p'])
      const autoMeta = await stored(auto, 'a')
      assert.equal(autoMeta[auto.map.b], '1')
      assert.notEqual(autoMeta[auto.map.pw], 'p')
      const got = await raw.get('a')
      assert.deepEqual([got.n, got.b, got.pw], ['42', 'true', 'p'])
      const conv = await auto.get('a')
      assert.deepEqual([conv.n, conv.b, conv.pw], [42, true, 'p'])
    })

    it('a resource cache option is kept in the options and s3db.json and caches nothing by itself (4.1.7)', async () => {
      const cs = connectionString(backend)
      const first = new S3db({ connectionString: cs, plugins: [CostsPlugin] })
      await first.connect()
      const r = await first.createResource({ name: 'cached', attributes: { n: 'string' }, options: { cache: true } })
      assert.equal(r.options.cache, true)
      assert.equal(r.cache, undefined, 'no CachePlugin driver')
      const doc = JSON.parse((await first.client.getObject('s3db.json')).Body.toString('utf8'))
      assert.equal(doc.resources.cached.versions.v0.options.cache, true)
      const lists = () => first.client.costs.events.ListObjectsV2Command
      const at = lists()
      await r.count()
      await r.count()
      assert.equal(lists() - at, 2, 'both counts listed')
      const second = new S3db({ connectionString: cs })
      await second.connect()
      assert.equal(second.resources.cached.options.cache, true)
    })
  })

  describe(`stored values on ${backend}`, () => {
    it('A4: an optional number set to null is not written; a stored "null" (4.1.7) reads as null', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'nums', attributes: { n: 'number|optional', s: 'string|optional' } })
      await r.insert({ id: 'a', n: null, s: 'x' })
      const meta = await stored(r, 'a')
      assert.equal(Object.hasOwn(meta, r.map.n), false, 'no "null" written')
      assert.equal(Object.hasOwn(await r.get('a'), 'n'), false)
      await db.client.putObject({ key: r.getResourceKey('old'), metadata: { ...meta, [r.map.n]: 'null' } })
      const old = await r.get('old')
      assert.equal(old.n, null, '4.1.7 read NaN')
      assert.equal(old.s, 'x')
    })

    it('CorruptData: an s3db.json that is not JSON fails connect() with a CorruptData error', async () => {
      const cs = connectionString(backend)
      const writer = new Client({ connectionString: cs })
      await writer.putObject({ key: 's3db.json', body: '{"version": "1", "resources": ', contentType: 'application/json' })
      const db = new S3db({ connectionString: cs })
      const err = await db.connect().then(() => null, (e) => e)
      assert.ok(err instanceof CorruptData, `got ${err && err.name}: ${err && err.message}`)
      assert.ok(err instanceof BaseError)
      assert.equal(err.code, 'CorruptData')
      assert.equal(err.retryable, false)
      assert.match(err.message, /s3db\.json is not valid JSON/)
      assert.equal(db.isConnected(), false)
    })
  })

  describe(`methods other suites reach only through the package on ${backend}`, () => {
    it('executeHooks runs the chain of an event, each hook on the previous result, this being the resource', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'hooked', attributes: { name: 'string' } })
      r.addHook('preInsert', function (data) { return { ...data, seen: [this.name] } })
      r.addHook('preInsert', async (data) => ({ ...data, seen: [...data.seen, 'second'] }))
      assert.deepEqual(await r.executeHooks('preInsert', { name: 'x' }), { name: 'x', seen: ['hooked', 'second'] })
      assert.deepEqual(await r.executeHooks('afterDelete', { id: 'a' }), { id: 'a' }, 'no hooks: the data as given')
      const got = await r.insert({ id: 'a', name: 'y' })
      assert.equal(got.name, 'y')
    })

    it("getDefinitionHash is the record hash of 4.1.7's test vector, and every record read carries it", async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({
        name: 'vector',
        attributes: { name: 'string|min:2', email: 'email', age: 'number|optional', tags: 'array|items:string|optional', active: 'boolean|optional', password: 'secret|optional', address: { city: 'string|optional', zip: 'string|optional' } },
        options: { timestamps: true }
      })
      assert.equal(r.getDefinitionHash(), 'sha256:e9cbd1137297efed0532021052fb213864b5558b1122b617e920bcc5477e31e5')
      await r.insert({ id: 'a', name: 'Ann', email: 'ann@example.com', address: { city: 'Lisbon' } })
      assert.equal((await r.get('a'))._definitionHash, r.getDefinitionHash())
    })

    it("createClient returns an S3Client-shaped object whose send() goes through the client's commands", async () => {
      const c = new Client({ connectionString: connectionString(backend) })
      const s3 = c.createClient()
      const seen = record(c, ['command.request'])
      const command = (name, input) => new ({ [name]: class { constructor (i) { this.input = i } } })[name](input)
      const key = c.keyPrefix ? `${c.keyPrefix}/cc/1` : 'cc/1'
      await s3.send(command('PutObjectCommand', { Bucket: c.bucket, Key: key, Body: Buffer.from('via send') }))
      assert.equal((await c.getObject('cc/1')).Body.toString(), 'via send')
      assert.deepEqual(seen.map(e => e[1]), ['PutObjectCommand', 'GetObjectCommand'])
      assert.deepEqual(s3.config, { region: c.config.region, endpoint: c.config.endpoint, forcePathStyle: c.config.forcePathStyle })
      assert.equal(s3.destroy(), undefined)
    })

    it('toJson is a plain copy of an error\'s own enumerable fields', async () => {
      const db = await freshDb(backend)
      const err = await db.client.getObject('nope').then(() => null, (e) => e)
      const json = err.toJson()
      assert.deepEqual(Object.keys(json), Object.keys(err))
      assert.equal(json.name, 'NoSuchKey')
      assert.equal(json.key, err.key)
      assert.ok(json.thrownAt instanceof Date)
      assert.equal(Object.getPrototypeOf(json), Object.prototype)
      assert.equal(err.toString(), `NoSuchKey | ${err.message}`)
    })

    it('build() returns the stream itself, as 4.1.7 for readable() and writable()', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'built', attributes: { name: 'string' } })
      for (const s of [new ResourceReader({ resource: r }), new ResourceWriter({ resource: r }), new ResourceIdsReader({ resource: r }), new ResourceIdsPageReader({ resource: r })]) {
        assert.equal(s.build(), s, s.constructor.name)
        s.destroy()
      }
      const w = new ResourceWriter({ resource: r }).build()
      w.end({ id: 'b1', name: 'x' })
      await new Promise(resolve => w.on('finish', resolve))
      const ids = []
      for await (const id of new ResourceIdsReader({ resource: r }).build()) ids.push(id)
      assert.deepEqual(ids, ['b1'])
    })

    it("Plugin's lifecycle methods, called directly: start/stop resolve, each hook emits plugin.<name> with a Date", async () => {
      const p = new Plugin()
      const seen = []
      for (const stage of ['beforeSetup', 'afterSetup', 'beforeStart', 'afterStart', 'beforeStop', 'afterStop']) p.on(`plugin.${stage}`, (at) => seen.push([stage, at instanceof Date]))
      const db = await freshDb(backend)
      p.beforeSetup()
      await p.setup(db)
      p.afterSetup()
      p.beforeStart()
      assert.equal(await p.start(), undefined)
      p.afterStart()
      p.beforeStop()
      assert.equal(await p.stop(), undefined)
      p.afterStop()
      assert.equal(p.database, db)
      assert.deepEqual(seen, ['beforeSetup', 'afterSetup', 'beforeStart', 'afterStart', 'beforeStop', 'afterStop'].map(s => [s, true]))
    })

    it('CachePlugin.installResourceHooks caches a resource once, however often it is called', async () => {
      const db = new S3db({ connectionString: connectionString(backend), plugins: [CostsPlugin] })
      await db.connect()
      const r = await db.createResource({ name: 'late', attributes: { name: 'string' } })
      const plugin = new CachePlugin({ driver: new MemoryCache() })
      assert.equal(plugin.installResourceHooks(r), r)
      assert.equal(plugin.installResourceHooks(r), r, 'a second call changes nothing')
      assert.equal(r.cache, plugin.driver)
      const lists = () => db.client.costs.events.ListObjectsV2Command
      const at = lists()
      assert.equal(await r.count(), 0)
      assert.equal(await r.count(), 0)
      assert.equal(lists() - at, 1, 'one listing: the second count is a hit, not wrapped twice')
      await r.insert({ id: 'a', name: 'x' })
      assert.equal(await r.count(), 1, 'a write clears the entry')
      assert.equal(plugin.installResourceHooks(null), null)
    })
  })

  describe(`connection options on ${backend}`, () => {
    it('verbose: errors of a verbose client carry the Verbose section (command and settings, never the secret)', async () => {
      const cs = connectionString(backend)
      const db = new S3db({ connectionString: cs, verbose: true })
      assert.equal(db.verbose, true)
      assert.equal(db.client.verbose, true)
      assert.equal(db.config.verbose, true)
      const err = await db.client.getObject('missing/key').then(() => null, (e) => e)
      assert.ok(err instanceof NoSuchKey)
      const [head, verbose] = err.message.split('\n\nVerbose:\n\n')
      assert.match(head, /^Key \[.*missing\/key\] does not exists/)
      const details = JSON.parse(verbose)
      assert.equal(details.command.name, 'GetObjectCommand')
      assert.equal(details.command.Bucket, db.client.bucket)
      assert.deepEqual(details.config, db.client.config)
      const secret = backend === 's3' ? new URL(process.env.S3DB_TEST_S3_URL).password : null
      if (secret) assert.ok(!err.message.includes(secret), 'no secret key in the message')
      const quiet = new S3db({ connectionString: cs })
      const plain = await quiet.client.getObject('missing/key').then(() => null, (e) => e)
      assert.equal(plain.message.includes('Verbose:'), false)
      assert.match(plain.message, /^Key \[.*missing\/key\] does not exists \[bucket:[^\]]*\]$/)
    })

    // memory:// and file:// have no endpoint: endpoint, region and forcePathStyle are kept in the
    // settings and change nothing about where records go (on S3 they are checked on the wire below).
    it('endpoint, region and forcePathStyle are kept in the settings and the data stays where the connection string says', { skip: backend === 's3' && 'checked on the wire below' }, async () => {
      const cs = connectionString(backend)
      const db = new S3db({ connectionString: cs, endpoint: 'http://127.0.0.1:9', region: 'eu-west-3', forcePathStyle: false })
      await db.connect()
      assert.equal(db.client.config.region, 'eu-west-3')
      assert.equal(db.client.config.forcePathStyle, false)
      const r = await db.createResource({ name: 'users', attributes: { name: 'string' } })
      await r.insert({ id: 'u1', name: 'Ann' })
      const other = new S3db({ connectionString: cs })
      await other.connect()
      assert.equal((await other.resources.users.get('u1')).name, 'Ann')
      if (backend === 'file') {
        const dir = fileURLToPath(cs)
        assert.ok(existsSync(dir) && readdirSync(dir).some(n => n.startsWith('resource=users')))
      }
    })
  })
}

describe('connection options on s3, seen on the wire', { skip: !backends().includes('s3') && 'needs the S3 test server' }, () => {
  let proxy
  const seen = []
  before(async () => {
    proxy = await startFaultProxy(process.env.S3DB_TEST_S3_URL)
    proxy.rule = (req) => { seen.push({ host: req.headers.host, url: req.url, auth: String(req.headers.authorization || '') }); return null }
  })
  after(async () => { await proxy?.close() })
  const real = () => new URL(process.env.S3DB_TEST_S3_URL)
  /** The test server's connection string with `host` in place of its own. */
  const via = (host, prefix) => {
    const u = real()
    u.host = host
    return `${u.toString().replace(/\/+$/, '')}/${prefix}`
  }

  it('endpoint overrides the host of the connection string', async () => {
    seen.length = 0
    const c = new Client({ connectionString: via('unreachable.invalid:9', 'ep'), endpoint: `http://127.0.0.1:${proxy.port}` })
    assert.equal(c.config.endpoint, `http://127.0.0.1:${proxy.port}`)
    assert.equal(c.config.forcePathStyle, true, 'an endpoint turns path style on')
    await c.putObject({ key: 'x', body: 'through the endpoint' })
    assert.equal((await c.getObject('x')).Body.toString(), 'through the endpoint')
    assert.ok(seen.length >= 2 && seen.every(s => s.url.split('?')[0] === `/${real().pathname.split('/')[1]}/ep/x`), JSON.stringify(seen))
  })

  it('region signs the requests (SigV4 credential scope)', async () => {
    seen.length = 0
    const c = new Client({ connectionString: via(`127.0.0.1:${proxy.port}`, 'reg'), region: 'eu-west-3' })
    assert.equal(c.config.region, 'eu-west-3')
    await c.putObject({ key: 'x', body: 'y' })
    assert.ok(seen.length >= 1)
    for (const s of seen) assert.match(s.auth, /Credential=[^/]+\/\d{8}\/eu-west-3\/s3\/aws4_request/)
    seen.length = 0
    await new Client({ connectionString: via(`127.0.0.1:${proxy.port}`, 'reg') }).putObject({ key: 'x', body: 'y' })
    assert.match(seen[0].auth, /\/us-east-1\/s3\/aws4_request/, 'the default region')
  })

  it('forcePathStyle: true puts the bucket in the path; false puts it in the host name', async () => {
    const bucket = real().pathname.split('/')[1]
    seen.length = 0
    const pathStyle = new Client({ connectionString: via(`localhost:${proxy.port}`, 'fps'), forcePathStyle: true })
    await pathStyle.putObject({ key: 'x', body: 'y' })
    assert.equal(seen[0].url.split('?')[0], `/${bucket}/fps/x`)
    assert.equal(seen[0].host, `localhost:${proxy.port}`)
    seen.length = 0
    const hostStyle = new Client({ connectionString: via(`localhost:${proxy.port}`, 'fps'), forcePathStyle: false, maxAttempts: 1, timeouts: { connectMs: 1000, operationMs: 5000 } })
    assert.equal(hostStyle.config.forcePathStyle, false)
    const err = await hostStyle.putObject({ key: 'x', body: 'y' }).then(() => null, (e) => e)
    // `<bucket>.localhost` resolves nowhere here (ENOTFOUND), or, where *.localhost resolves to
    // the loopback, the request reaches the proxy with the bucket in its Host header.
    if (seen.length === 0) {
      assert.ok(err && err.name === 'NetworkError' && err.errno === 'ENOTFOUND', `${err && err.name} ${err && err.errno}: ${err && err.message}`)
    } else {
      assert.equal(seen[0].host, `${bucket}.localhost:${proxy.port}`)
      assert.equal(seen[0].url.split('?')[0], '/fps/x')
    }
  })
})
