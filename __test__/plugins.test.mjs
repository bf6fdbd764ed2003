// Plugins: the 4.1.7 lifecycle (instantiate classes, setup all, then start all, before
// s3db.json is read), Plugin / PluginObject, and CostsPlugin's counters.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, connectionString } from './helpers.mjs'

const { S3db, Plugin, PluginObject, CostsPlugin } = lib

describe('plugins', () => {
  it('classes are instantiated with the database; setup runs for all before start; Plugin emits its lifecycle events', async () => {
    const order = []
    class Recorder extends Plugin {
      constructor (db) {
        super()
        this.db = db
        for (const e of ['beforeSetup', 'afterSetup', 'beforeStart', 'afterStart']) this.on(`plugin.${e}`, (d) => order.push(`event ${e} ${d instanceof Date}`))
      }

      async setup (db) { await super.setup(db); order.push(`setup class ${db === this.db}`) }
      async start () { order.push('start class') }
    }
    const plain = { ...PluginObject, async setup (db) { order.push(`setup object ${db instanceof S3db}`) }, async start () { order.push('start object') } }
    const db = new S3db({ connectionString: connectionString('memory'), plugins: [Recorder, plain] })
    await db.connect()
    // 4.1.7 sets every plugin up concurrently, then starts every plugin concurrently.
    const calls = order.filter(x => !x.startsWith('event'))
    assert.deepEqual(calls.slice(0, 2).sort(), ['setup class true', 'setup object true'], order.join(', '))
    assert.deepEqual(calls.slice(2).sort(), ['start class', 'start object'], order.join(', '))
    // The class plugin's own lifecycle, in order, around its setup and start.
    assert.deepEqual(order.filter(x => x.startsWith('event') || x.endsWith('class') || x.endsWith('class true')),
      ['event beforeSetup true', 'setup class true', 'event afterSetup true', 'event beforeStart true', 'start class', 'event afterStart true'])
    assert.ok(db.pluginList[0] instanceof Recorder)
    await db.disconnect()
  })

  // Backend-independent: the check runs before any request.
  it('an entry without setup/start is a clear TypeError at connect', async () => {
    const db = new S3db({ connectionString: connectionString('memory'), plugins: [{ start () {} }] })
    await assert.rejects(db.connect(), TypeError)
  })
})

const STAGES = ['beforeSetup', 'afterSetup', 'beforeStart', 'afterStart', 'beforeStop', 'afterStop']

for (const backend of backends()) {
  describe(`plugin lifecycle on ${backend}`, () => {
    it('connect sets up, then starts, each plugin before s3db.json is read; disconnect runs beforeStop, stop, afterStop, then emits disconnected', async () => {
      const cs = connectionString(backend)
      const first = new S3db({ connectionString: cs })
      await first.connect()
      await first.createResource({ name: 'stored', attributes: { a: 'string' } })
      const log = []
      class Recorder extends Plugin {
        constructor (db) {
          super()
          this.built = db
          for (const stage of STAGES) this.on(`plugin.${stage}`, (at) => log.push(`class ${stage} ${at instanceof Date}`))
        }

        async setup (db) { await super.setup(db); log.push(`class setup ${db === this.built} ${Object.keys(db.resources).length}`) }
        async start () { log.push(`class start ${this.database.isConnected()}`) }
        async stop () { log.push(`class stop ${this.database.isConnected()}`) }
      }
      const plain = new Plugin()
      for (const stage of STAGES) plain.on(`plugin.${stage}`, (at) => log.push(`base ${stage} ${at instanceof Date}`))
      const object = { ...PluginObject, async setup () { log.push('object setup') }, async start () { log.push('object start') }, async stop () { log.push('object stop') } }
      const db = new S3db({ connectionString: cs, plugins: [Recorder, plain, object] })
      const dbEvents = []
      db.on('connected', (at) => dbEvents.push(['connected', at instanceof Date, log.length]))
      db.on('disconnected', (at) => dbEvents.push(['disconnected', at instanceof Date, log.length]))
      await db.connect()
      assert.ok(db.resources.stored, 's3db.json was read after the plugins started')
      const of = (who) => log.filter(l => l.startsWith(who + ' '))
      assert.deepEqual(of('class'), ['class beforeSetup true', 'class setup true 0', 'class afterSetup true', 'class beforeStart true', 'class start false', 'class afterStart true'])
      assert.deepEqual(of('base'), ['base beforeSetup true', 'base afterSetup true', 'base beforeStart true', 'base afterStart true'])
      assert.deepEqual(of('object'), ['object setup', 'object start'])
      assert.equal(plain.database, db, "Plugin's own setup keeps the database")
      assert.deepEqual(dbEvents, [['connected', true, log.length]])
      const atConnect = log.length
      await db.disconnect()
      // Stopped one after another, in the order given.
      assert.deepEqual(log.slice(atConnect), ['class beforeStop true', 'class stop true', 'class afterStop true', 'base beforeStop true', 'base afterStop true', 'object stop'])
      assert.deepEqual(dbEvents[1], ['disconnected', true, log.length], 'disconnected comes after every stop')
      assert.equal(dbEvents.length, 2)
      assert.equal(await new Plugin().stop(), undefined, "the base class's stop is a no-op")
    })

    it('a plugin whose stop() fails makes disconnect() reject with its error; no disconnected event', async () => {
      const refusal = new Error('cannot stop')
      const db = new S3db({ connectionString: connectionString(backend), plugins: [{ ...PluginObject, async stop () { throw refusal } }] })
      let disconnected = 0
      db.on('disconnected', () => disconnected++)
      await db.connect()
      await assert.rejects(db.disconnect(), (e) => e === refusal)
      assert.equal(disconnected, 0)
    })
  })

  describe(`CostsPlugin on ${backend}`, () => {
    it('counts every request per S3 command and prices it like 4.1.7, per database', async () => {
      const db = new S3db({ connectionString: connectionString(backend), plugins: [CostsPlugin] })
      await db.connect()
      const other = new S3db({ connectionString: connectionString(backend), plugins: [CostsPlugin] })
      await other.connect()
      const users = await db.createResource({ name: 'users', attributes: { name: 'string' } })
      // 4.1.7: one live object, updated in place; a snapshot is a copy of it.
      const costs = db.client.costs
      const snapshot = () => JSON.parse(JSON.stringify(db.client.costs))
      const before = snapshot()
      assert.equal(before.events.PutObjectCommand, 2, 'connect and createResource each wrote s3db.json')
      await users.insert({ id: 'a', name: 'Ann' })
      await users.get('a')
      await users.count()
      assert.equal(db.client.costs, costs, 'the same object at every read')
      assert.equal(costs.events.PutObjectCommand, before.events.PutObjectCommand + 1, 'a kept reference sees new requests')
      const after = snapshot()
      const d = (k) => after.events[k] - before.events[k]
      assert.deepEqual([d('PutObjectCommand'), d('HeadObjectCommand'), d('ListObjectsV2Command')], [1, 1, 1])
      assert.equal(after.requests.total - before.requests.total, 3)
      const price = after.total - before.total
      assert.ok(Math.abs(price - (0.005 / 1000 * 2 + 0.0004 / 1000)) < 1e-15, String(price))
      assert.deepEqual(after.prices, { put: 0.005 / 1000, copy: 0.005 / 1000, list: 0.005 / 1000, post: 0.005 / 1000, get: 0.0004 / 1000, select: 0.0004 / 1000, delete: 0.0004 / 1000 })
      // The other database (its own client) did not move (4.1.7's shared object mixed them).
      const o1 = other.client.costs.requests.total
      await users.insert({ id: 'b', name: 'Bo' })
      assert.equal(other.client.costs.requests.total, o1)
    })
  })
}

for (const backend of backends()) {
  describe(`plugins on database-like objects on ${backend} (public surface only)`, () => {
    it('CachePlugin wraps createResource and connect and caches what they return', async () => {
      const { CachePlugin, MemoryCache, S3db } = lib
      const real = new S3db({ connectionString: connectionString(backend) })
      await real.connect()
      let counted = 0
      const resources = {}
      // A stand-in database: only the public methods a plugin may use.
      const fake = {
        client: real.client,
        resources,
        async connect () {},
        async createResource (def) { const r = await real.createResource(def); resources[r.name] = r; return r }
      }
      const plugin = new CachePlugin({ driver: new MemoryCache() })
      await plugin.setup(fake)
      const users = await fake.createResource({ name: 'users', attributes: { name: 'string' } })
      await users.insert({ id: 'a', name: 'A' })
      real.resources.users.on('count', () => counted++)
      assert.equal(await users.count(), 1)
      assert.equal(await users.count(), 1)
      assert.equal(counted, 1, 'the second count came from the cache')
      await fake.connect()
    })
  })
}

// No storage: the stand-in client is only an EventEmitter.
describe('plugins on database-like objects (public surface only)', () => {
  it('CostsPlugin counts a stand-in client through its command.response events', async () => {
    const { CostsPlugin } = lib
    const { EventEmitter } = await import('node:events')
    const client = new EventEmitter()
    await CostsPlugin.setup({ client })
    client.emit('command.response', 'PutObjectCommand', {}, {})
    client.emit('command.response', 'GetObjectCommand', {}, {})
    assert.equal(client.costs.requests.total, 2)
    assert.equal(client.costs.events.PutObjectCommand, 1)
    assert.ok(Math.abs(client.costs.total - (0.005 / 1000 + 0.0004 / 1000)) < 1e-15)
  })
})
