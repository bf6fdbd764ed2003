// Caches (MemoryCache, S3Cache) and CachePlugin, with 4.1.7's defects fixed. Expiry is tested
// on a mocked Date (node:test mock.timers), never by sleeping past a ttl.
import { describe, it } from 'node:test'
import { once } from 'node:events'
import assert from 'node:assert/strict'
import { gunzipSync } from 'node:zlib'
import { createHash } from 'node:crypto'
import { lib, backends, connectionString, within } from './helpers.mjs'

const { S3db, MemoryCache, S3Cache, CachePlugin, CostsPlugin, Cache } = lib

describe('MemoryCache', () => {
  it('set/get/del/delete/clear with events, ttl in seconds, maxSize evicts the oldest, invalid keys rejected', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
    const c = new MemoryCache({ ttl: 0.05, maxSize: 2 })
    assert.ok(c instanceof Cache)
    const events = []
    for (const e of ['set', 'get', 'delete', 'clear']) c.on(e, (x) => events.push([e, x]))
    assert.deepEqual(await c.set('a', { n: 1 }), { n: 1 })
    await c.set('b', 2)
    await c.set('c', 3)
    assert.deepEqual((await c.keys()).sort(), ['b', 'c'])
    t.mock.timers.tick(50)
    assert.equal(await c.get('c'), 3, 'exactly ttl old: still there')
    t.mock.timers.tick(1)
    assert.equal(await c.get('c'), null, 'past ttl: expired')
    assert.deepEqual(await c.keys(), ['b'], 'the expired entry was dropped')
    assert.equal(await c.del('b'), true)
    await c.set('d', 4)
    assert.equal(await c.delete('d'), true)
    assert.equal(await c.get('d'), null, 'delete() removed it')
    await c.set('e', 5)
    assert.equal(await c.clear(), true)
    assert.equal(await c.size(), 0)
    await assert.rejects(c.set('', 1), /Invalid key/)
    await assert.rejects(c.get(42), /Invalid key/)
    await assert.rejects(c.delete(''), /Invalid key/)
    assert.deepEqual(events.map(e => e[0]), ['set', 'set', 'set', 'get', 'get', 'delete', 'set', 'delete', 'get', 'set', 'clear'])
    assert.deepEqual(events.filter(e => e[0] === 'delete').map(e => e[1]), [true, true])
  })

  it('maxSize evicts the entry stamped longest ago; overwriting a key at maxSize evicts nothing (H5)', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
    const full = new MemoryCache({ maxSize: 2 })
    await full.set('a', 1)
    t.mock.timers.tick(10)
    await full.set('b', 2)
    t.mock.timers.tick(10)
    await full.set('b', 3)
    assert.deepEqual((await full.keys()).sort(), ['a', 'b'], '4.1.7 evicted a here')
    t.mock.timers.tick(10)
    await full.set('c', 4)
    assert.deepEqual((await full.keys()).sort(), ['b', 'c'], 'a, the oldest, is evicted when the cache grows')
    assert.equal(await full.get('b'), 3)
  })

  it('ttl 0 never expires', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 })
    const c = new MemoryCache()
    await c.set('k', 'v')
    t.mock.timers.tick(365 * 24 * 3600 * 1000)
    assert.equal(await c.get('k'), 'v')
  })
})

for (const backend of backends()) {
  describe(`S3Cache and CachePlugin on ${backend}`, () => {
    it('S3Cache stores base64(gzip(JSON)) with 4.1.7\'s content type and metadata and reads it back', async () => {
      const db = new S3db({ connectionString: connectionString(backend) })
      await db.connect()
      const c = new S3Cache({ client: db.client, keyPrefix: 'cache' })
      await c.set('k/one.json.gz', { a: [1, 2], b: 'x' })
      const raw = await db.client.getObject('cache/k/one.json.gz')
      assert.equal(raw.ContentType, 'application/gzip')
      assert.equal(raw.ContentEncoding, null, 'H4: the body is base64 text, not gzip on the wire')
      assert.equal(raw.Metadata.compressor, 'zlib')
      assert.equal(raw.Metadata.compressed, 'true')
      assert.equal(raw.Metadata['length-serialized'], String(JSON.stringify({ a: [1, 2], b: 'x' }).length))
      assert.deepEqual(JSON.parse(gunzipSync(Buffer.from(raw.Body.toString('utf8'), 'base64')).toString()), { a: [1, 2], b: 'x' })
      assert.deepEqual(await c.get('k/one.json.gz'), { a: [1, 2], b: 'x' })
      assert.equal(await c.get('k/missing'), null)
      await c.set('k/two', 2)
      assert.deepEqual((await c.keys()).sort(), ['k/one.json.gz', 'k/two'])
      await c.clear()
      assert.equal(await c.size(), 0)
    })

    it("S3Cache enforces ttl from the object's LastModified (H4), on a mocked clock", async (t) => {
      const db = new S3db({ connectionString: connectionString(backend) })
      await db.connect()
      const short = new S3Cache({ client: db.client, keyPrefix: 'ttl', ttl: 1 })
      const forever = new S3Cache({ client: db.client, keyPrefix: 'forever' })
      t.mock.timers.enable({ apis: ['Date'], now: Date.now() })
      await short.set('x', 1)
      await forever.set('x', 1)
      assert.equal(await short.get('x'), 1)
      // S3 reports LastModified in whole seconds: an entry lives ttl + 1 s at least.
      t.mock.timers.tick(1000)
      assert.equal(await short.get('x'), 1, 'within ttl (+ the 1 s resolution)')
      t.mock.timers.tick(7000)
      assert.equal(await short.get('x'), null, 'long past ttl')
      assert.equal(await forever.get('x'), 1, 'ttl 0 never expires')
    })

    it('S3Cache: delete() removes one entry; prefix is kept in config (keyPrefix plus / by default) and never moves keys', async () => {
      const db = new S3db({ connectionString: connectionString(backend) })
      await db.connect()
      const c = new S3Cache({ client: db.client, keyPrefix: 'kp', prefix: 'elsewhere' })
      assert.equal(new S3Cache({ client: db.client }).config.prefix, 'cache/')
      assert.equal(new S3Cache({ client: db.client, keyPrefix: 'kp' }).config.prefix, 'kp/')
      const deleted = []
      c.on('delete', r => deleted.push(r))
      await c.set('a', 1)
      await c.set('b', 2)
      assert.deepEqual(await db.client.getAllKeys({ prefix: 'elsewhere' }), [])
      assert.deepEqual((await db.client.getAllKeys({ prefix: 'kp/' })).sort(), ['kp/a', 'kp/b'])
      assert.equal(await c.delete('a'), true)
      assert.deepEqual(deleted, [true])
      assert.equal(await db.client.exists('kp/a'), false)
      assert.equal(await c.get('a'), null)
      assert.deepEqual(await c.keys(), ['b'])
      await assert.rejects(c.delete(''), /Invalid key/)
    })

    it('CachePlugin serves reads from the cache, a write clears only its resource, 0 is a hit', async () => {
      const driver = new MemoryCache()
      const db = new S3db({ connectionString: connectionString(backend), plugins: [new CachePlugin({ driver }), CostsPlugin] })
      await db.connect()
      const users = await db.createResource({ name: 'users', attributes: { name: 'string' } })
      const posts = await db.createResource({ name: 'posts', attributes: { title: 'string' } })
      const lists = () => db.client.costs.events.ListObjectsV2Command
      assert.equal(await users.count(), 0)
      const l0 = lists()
      assert.equal(await users.count(), 0, 'a cached 0 is a hit (4.1.7 recomputed it)')
      assert.equal(lists(), l0)
      assert.equal(await posts.count(), 0)
      await users.insert({ id: 'u1', name: 'Ann' })
      assert.ok((await driver.keys()).every(k => !k.startsWith('resource=users/')), 'insert cleared users entries')
      assert.ok((await driver.keys()).some(k => k.startsWith('resource=posts/')), 'posts entries survive a users write')
      assert.equal(await users.count(), 1)
      const key = users.cacheKeyFor({ action: 'count' })
      assert.equal(key, `resource=users/action=count/${createHash('sha256').update('empty').digest('hex')}.json.gz`)
      assert.equal(users.cacheKeyFor({ action: 'page', params: { offset: 0, size: 10 } }).split('/')[2], 'ea5ecc03e89ccf73031b53e588f28a212df233e2d9e02e506c8c15c00f02d633.json.gz')
      assert.deepEqual(await users.listIds(), ['u1'])
      assert.deepEqual(await users.listIds({ limit: 1, offset: 1 }), [], 'paging arguments are part of the key')
      await users.delete('u1')
      assert.equal(await users.count(), 0)
    })

    it('resources loaded from s3db.json are cached too (4.1.7 missed them), with the default S3Cache', async () => {
      const cs = connectionString(backend)
      const first = new S3db({ connectionString: cs })
      await first.connect()
      const r = await first.createResource({ name: 'items', attributes: { name: 'string' } })
      await r.insert({ id: 'i1', name: 'x' })
      const db = new S3db({ connectionString: cs, plugins: [CachePlugin] })
      await db.connect()
      const items = db.resources.items
      assert.ok(items.cache instanceof S3Cache)
      assert.equal(await items.count(), 1)
      const keys = await items.cache.keys()
      assert.deepEqual(keys, [`resource=items/action=count/${createHash('sha256').update('empty').digest('hex')}.json.gz`])
      const cleared = once(items.cache, 'clear')
      const writer = items.writable()
      writer.end({ id: 'i2', name: 'y' })
      await new Promise(resolve => writer.on('finish', resolve))
      await within(cleared, 10000, "the writer's finish clears the resource's cache")
      assert.deepEqual(await items.cache.keys(), [])
      assert.equal(await items.count(), 2, 'a finished writable() clears the resource cache')
    })
  })

  describe(`database cache option on ${backend} (README "Advanced Configuration")`, () => {
    it('cache: true with ttl installs a CachePlugin over a MemoryCache; writes clear it', async () => {
      const s3db = new S3db({ connectionString: connectionString(backend), cache: true, ttl: 3600, plugins: [CostsPlugin] })
      await s3db.connect()
      const cachePlugin = s3db.pluginList.find(p => p instanceof CachePlugin)
      assert.ok(cachePlugin && cachePlugin.driver instanceof MemoryCache)
      assert.equal(cachePlugin.driver.ttl, 3600)
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string' } })
      assert.equal(users.options.cache, true, 'still copied into the options as 4.1.7 does')
      await users.insert({ id: 'a', name: 'A' })
      assert.equal(await users.count(), 1)
      const lists = s3db.client.costs.requests.list
      assert.equal(await users.count(), 1)
      assert.equal(s3db.client.costs.requests.list, lists, 'the second count is served from the cache')
      await users.insert({ id: 'b', name: 'B' })
      assert.equal(await users.count(), 2, 'a write clears the cached count')
      await s3db.disconnect()
    })
  })
}
