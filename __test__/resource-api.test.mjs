// 4.1.7's method tables on real instances, `new Resource({ client })` without a database,
// and the Resource helper methods (definition, partitions, deleteAllData).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, connectionString, freshDb, record } from './helpers.mjs'

const { Client, Resource, S3db, ParanoidError } = lib

// The methods s3db.js 4.1.7's classes define (read off its dist/s3db.cjs.js).
const METHODS_417 = {
  Resource: ['export', 'updateAttributes', 'addHook', 'executeHooks', 'setupPartitionHooks', 'validate', 'validatePartitions', 'fieldExistsInAttributes',
    'applyPartitionRule', 'getResourceKey', 'getPartitionKey', 'getNestedFieldValue', 'insert', 'get', 'exists', 'update', 'delete', 'upsert', 'count',
    'insertMany', 'deleteMany', 'deleteAll', 'deleteAllData', 'listIds', 'list', 'getMany', 'getAll', 'page', 'readable', 'writable', 'setContent',
    'content', 'hasContent', 'deleteContent', 'getDefinitionHash', 'extractVersionFromKey', 'getSchemaForVersion', 'createPartitionReferences',
    'deletePartitionReferences', 'query', 'updatePartitionReferences', 'getFromPartition'],
  Database: ['connect', 'detectDefinitionChanges', 'generateDefinitionHash', 'getNextVersion', 'startPlugins', 'uploadMetadataFile', 'blankMetadataStructure',
    'resourceExists', 'resourceExistsWithSameHash', 'createResourceIfNotExists', 'createResource', 'resource', 'listResources', 'getResource', 'isConnected'],
  Client: ['createClient', 'sendCommand', 'errorProxy', 'putObject', 'getObject', 'headObject', 'copyObject', 'exists', 'deleteObject', 'deleteObjects',
    'deleteAll', 'moveObject', 'listObjects', 'count', 'getAllKeys', 'getContinuationTokenAfterOffset', 'getKeysPage', 'moveAllObjects']
}

describe("4.1.7's method tables", () => {
  it('every method of Resource, Database and Client exists on real instances', async () => {
    const client = new Client({ connectionString: 'memory://methods/x' })
    const db = new S3db({ client })
    await db.connect()
    const resource = await db.createResource({ name: 'r', attributes: { a: 'string' } })
    const instances = { Resource: resource, Database: db, Client: client }
    for (const [cls, names] of Object.entries(METHODS_417)) {
      const missing = names.filter(n => typeof instances[cls][n] !== 'function')
      assert.deepEqual(missing, [], `${cls} lacks ${missing.join(', ')}`)
    }
    assert.equal(typeof db.config, 'object', 'config is a getter in 4.1.7')
  })
})

for (const backend of backends()) {
  describe(`new Resource({ client }) on ${backend}`, () => {
    it('works on the client connection at its version, without s3db.json', async () => {
      const client = new Client({ connectionString: connectionString(backend) })
      const users = new Resource({ name: 'users', client, attributes: { name: 'string', email: 'email' }, options: { timestamps: true } })
      assert.equal(users.version, '1')
      assert.equal(users.client, client)
      assert.deepEqual(users.observers, [])
      assert.ok('createdAt' in users.attributes && users.options.partitions.byCreatedDate, 'timestamps add fields and date partitions')
      const created = await users.insert({ id: 'u1', name: 'Ann', email: 'ann@example.com' })
      assert.equal(created.name, 'Ann')
      assert.equal((await users.get('u1')).email, 'ann@example.com')
      assert.equal(await client.exists('resource=users/v=1/id=u1'), true)
      assert.equal(await client.exists('s3db.json'), false, 'a resource alone never writes s3db.json')
      const ids = []
      for await (const r of users.readable()) ids.push(r.id)
      assert.deepEqual(ids, ['u1'])
      assert.equal(await users.count(), 1)
    })

    it('takes version, passphrase, behavior, hooks and observers; bad definitions throw in the constructor', async () => {
      const client = new Client({ connectionString: connectionString(backend) })
      const observer = new (await import('node:events')).EventEmitter()
      const seen = []
      const r = new Resource({
        name: 'vault', client, version: 'v7', passphrase: 'pw', behavior: 'body-overflow', observers: [observer],
        attributes: { secret: 'secret' }, options: { hooks: { preInsert: [(d) => { seen.push(d.secret); return d }] } }
      })
      assert.equal(r.behavior, 'body-overflow')
      assert.equal(r.passphrase, 'pw')
      await r.insert({ id: 's1', secret: 'hunter2' })
      assert.deepEqual(seen, ['hunter2'], 'preInsert sees the attributes (without the id, as 4.1.7)')
      assert.equal((await r.get('s1')).secret, 'hunter2')
      assert.equal(await client.exists('resource=vault/v=v7/id=s1'), true)
      const errors = record(observer, ['deleted'])
      await r.deleteMany(['s1'])
      assert.deepEqual(errors, [['deleted', 'vault', 's1']], 'observers receive deleted')
      assert.throws(() => new Resource({ name: 'bad', client, attributes: { a: 'nope' } }), /Invalid 'nope' type/)
      assert.throws(() => new Resource({ name: 'bad', client, attributes: { a: 'string' }, options: { partitions: { p: { fields: { b: 'string' } } } } }), /Partition 'p' uses field 'b'/)
    })
  })

  describe(`Resource helper methods on ${backend}`, () => {
    it('validate, updateAttributes, getSchemaForVersion, getNestedFieldValue, fieldExistsInAttributes, extractVersionFromKey', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'people', attributes: { name: 'string|min:2', address: { city: 'string' } } })
      const data = { name: '  Al  ', address: { city: 'Porto' }, extra: 1 }
      const v = await r.validate(data)
      assert.equal(v.isValid, true)
      assert.deepEqual(v.errors, [])
      assert.deepEqual(v.original, { name: '  Al  ', address: { city: 'Porto' }, extra: 1 })
      assert.equal(v.data, data)
      assert.deepEqual(data, { name: 'Al', address: { city: 'Porto' } }, 'coerced in place')
      const bad = await r.validate({ name: 'A', address: { city: 'x' } })
      assert.equal(bad.isValid, false)
      assert.equal(bad.errors[0].type, 'stringMin')
      assert.equal(await r.getSchemaForVersion('v9'), r.schema)
      assert.equal(r.getNestedFieldValue({ a: { b: { c: 1 } } }, 'a.b.c'), 1)
      assert.equal(r.getNestedFieldValue({ a: {} }, 'a.b.c'), undefined)
      assert.equal(r.fieldExistsInAttributes('address.city'), true)
      assert.equal(r.fieldExistsInAttributes('address.zip'), false)
      assert.equal(r.extractVersionFromKey('resource=people/v=v3/id=x'), 'v3')
      assert.equal(r.extractVersionFromKey('resource=people/id=x'), null)
      const { oldAttributes, newAttributes } = r.updateAttributes({ name: 'string', age: 'number|optional' })
      assert.deepEqual(Object.keys(oldAttributes), ['name', 'address'])
      assert.deepEqual(newAttributes, { name: 'string', age: 'number|optional' })
      assert.equal(r.version, 'v0', 'the version does not change')
      const stored = await r.insert({ id: 'p1', name: 'Bo', age: 41 })
      assert.equal(stored.age, 41)
      assert.equal((await r.get('p1')).age, 41, 'the engine uses the new schema')
      assert.throws(() => r.updateAttributes({ name: 'nope' }), /Invalid 'nope' type/)
    })

    it('applyPartitionRule, validatePartitions, and the partition reference methods', async () => {
      const db = await freshDb(backend)
      const r = await db.createResource({ name: 'orders', attributes: { region: 'string', day: 'string' }, options: { partitions: { byRegion: { fields: { region: 'string|maxlength:2' } } } } })
      assert.equal(r.applyPartitionRule('Portugal', 'maxlength:2'), 'Po')
      assert.equal(r.applyPartitionRule('2024-01-15T10:30:00Z', 'date'), '2024-01-15')
      assert.equal(r.applyPartitionRule(5, 'string'), 5, 'values a rule leaves alone keep their type')
      assert.equal(r.applyPartitionRule(null, 'date'), null)
      r.validatePartitions()
      r.setupPartitionHooks()
      await r.insert({ id: 'o1', region: 'US', day: 'mon' })
      const copy = 'resource=orders/partition=byRegion/region=US/id=o1'
      assert.equal(await db.client.exists(copy), true)
      await r.deletePartitionReferences({ id: 'o1', region: 'US' })
      assert.equal(await db.client.exists(copy), false)
      await r.createPartitionReferences({ id: 'o1', region: 'US', day: 'mon' })
      assert.equal(await db.client.exists(copy), true)
      await r.updatePartitionReferences({ id: 'o1', region: 'US', day: 'tue' })
      assert.equal((await r.getFromPartition({ id: 'o1', partitionName: 'byRegion', partitionValues: { region: 'US' } })).id, 'o1')
    })

    it('deleteAllData removes every version and copy of the resource only, and needs paranoid: false', async () => {
      const db = await freshDb(backend)
      const keep = await db.createResource({ name: 'orders2', attributes: { a: 'string' } })
      await keep.insert({ id: 'k', a: 'x' })
      const guarded = await db.createResource({ name: 'orders', attributes: { a: 'string' } })
      await assert.rejects(guarded.deleteAllData(), (e) => e instanceof ParanoidError && /deleteAllData\(\) is a dangerous operation/.test(e.message))
      const r = await db.createResource({ name: 'orders', attributes: { a: 'string' }, options: { paranoid: false, partitions: { byA: { fields: { a: 'string' } } } } })
      await r.insert({ id: '1', a: 'x' })
      await db.client.putObject({ key: 'resource=orders/v=v9/id=old', body: '' })
      const events = record(r, ['deleteAllData'])
      const res = await r.deleteAllData()
      assert.deepEqual(res, { deletedCount: 3, resource: 'orders' })
      assert.deepEqual(events, [['deleteAllData', { resource: 'orders', prefix: 'resource=orders', deletedCount: 3 }]])
      assert.equal((await keep.get('k')).a, 'x', "resource 'orders2' is untouched (4.1.7's prefix took it too)")
    })
  })
}
