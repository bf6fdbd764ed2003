// Behaviour suite: the s3db.js 4.1.7 Resource/Database API, run on every backend.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, freshDb, connectionString, record } from './helpers.mjs'

const usersDef = {
  name: 'users',
  attributes: {
    name: 'string|min:2',
    email: 'email',
    age: 'number|optional',
    tags: 'array|items:string|optional',
    active: 'boolean|optional',
    address: { $$type: 'object|optional', city: 'string|optional', zip: 'string|optional' }
  }
}

for (const backend of backends()) {
  describe(`crud on ${backend}`, () => {
    let db, users
    before(async () => {
      db = await freshDb(backend)
      users = await db.createResource(usersDef)
    })

    it('insert generates a 22-char url-alphabet id and get round-trips every type', async () => {
      const inserted = await users.insert({ name: ' Ann ', email: 'ann@example.com', age: 31, tags: ['admin', 'a|b', 'c\\d'], active: true, address: { city: 'Lisbon', zip: '1000' } })
      assert.match(inserted.id, /^[A-Za-z0-9_-]{22}$/)
      assert.equal(inserted.name, 'Ann', 'strings are trimmed by validation')
      const got = await users.get(inserted.id)
      assert.deepEqual(
        { name: got.name, email: got.email, age: got.age, tags: got.tags, active: got.active, address: got.address },
        { name: 'Ann', email: 'ann@example.com', age: 31, tags: ['admin', 'a|b', 'c\\d'], active: true, address: { city: 'Lisbon', zip: '1000' } }
      )
      assert.equal(got.id, inserted.id)
      assert.ok(got._lastModified instanceof Date)
      assert.equal(got._hasContent, false)
      assert.equal(got._contentLength, 0)
      assert.match(got._definitionHash, /^sha256:[0-9a-f]{64}$/)
    })

    it('stores 4.1.7 metadata: short keys, _v, numbers, booleans 1/0, escaped arrays', async () => {
      await users.insert({ id: 'meta1', name: 'Bob', email: 'b@x.io', age: 1e21, tags: ['x|y'], active: false, address: { city: 'Porto' } })
      const head = await db.client.headObject('resource=users/v=v0/id=meta1')
      assert.deepEqual(head.Metadata, { 0: 'Bob', 1: 'b@x.io', 2: '1e+21', 3: 'x\\|y', 4: '0', 5: 'Porto', _v: 'v0' })
      const got = await users.get('meta1')
      assert.equal(got.age, 1e21, 'A4: exponent numbers read back exactly')
    })

    it('non-ASCII text round-trips and is stored as printable ASCII (A6)', async () => {
      const name = 'Ação 😀 漢字'
      await users.insert({ id: 'uni1', name, email: 'u@x.io', address: { city: 'Zürich' } })
      const got = await users.get('uni1')
      assert.equal(got.name, name)
      assert.equal(got.address.city, 'Zürich')
      const head = await db.client.headObject('resource=users/v=v0/id=uni1')
      for (const v of Object.values(head.Metadata)) assert.match(v, /^[\x20-\x7e]*$/)
      assert.match(head.Metadata['0'], /^(u|b):/)
      await users.insert({ id: 'uni2', name: 'u:looks-encoded', email: 'u@x.io' })
      assert.equal((await users.get('uni2')).name, 'u:looks-encoded')
    })

    it('invalid records give InvalidResourceItem and write nothing', async () => {
      const before = await users.count()
      await assert.rejects(users.insert({ id: 'bad1', name: 'A', email: 'not-an-email' }), (err) => {
        assert.ok(err instanceof lib.InvalidResourceItem)
        assert.ok(err instanceof lib.BaseError)
        assert.equal(err.name, 'InvalidResourceItem')
        assert.equal(err.resourceName, 'users')
        assert.deepEqual(err.validation.map(v => v.field).sort(), ['email', 'name'])
        assert.ok(err.message.startsWith('This item is not valid. Resource=users'))
        return true
      })
      assert.equal(await users.count(), before)
      assert.equal(await users.exists('bad1'), false)
    })

    it('array items typed number/boolean read back typed (A5), stored as 4.1.7 joins them', async () => {
      const r = await db.createResource({ name: 'a5', attributes: { nums: 'array|items:number', flags: 'array|items:boolean|optional', words: 'array|items:string|optional' } })
      await r.insert({ id: 'x', nums: [1, 2.5, -3, 0, 1e21], flags: [true, false], words: ['1', 'true'] })
      const head = await db.client.headObject('resource=a5/v=v0/id=x')
      assert.equal(head.Metadata[r.map.nums], '1|2.5|-3|0|1e+21')
      assert.equal(head.Metadata[r.map.flags], 'true|false')
      const got = await r.get('x')
      assert.deepEqual([got.nums, got.flags, got.words], [[1, 2.5, -3, 0, 1e21], [true, false], ['1', 'true']])
    })

    it('update is partial, replaces arrays wholesale (B1) and emits get + update', async () => {
      await users.insert({ id: 'up1', name: 'Carl', email: 'c@x.io', tags: ['a', 'b', 'c'], address: { city: 'Rome', zip: '00100' } })
      const events = record(users, ['get', 'update'])
      const updated = await users.update('up1', { tags: ['z'], address: { city: 'Milan' } })
      assert.deepEqual(updated.tags, ['z'])
      assert.deepEqual(updated.address, { city: 'Milan', zip: '00100' }, 'nested objects merge')
      assert.equal(updated.name, 'Carl')
      assert.deepEqual(events.map(e => e[0]), ['get', 'update'])
      const got = await users.get('up1')
      assert.deepEqual(got.tags, ['z'])
      await assert.rejects(users.update('up1', { email: 'nope' }), lib.InvalidResourceItem)
      assert.equal((await users.get('up1')).email, 'c@x.io', 'failed update changed nothing')
      // B1: null unsets an optional field (4.1.7 had no way; `undefined` never crosses JSON).
      await users.update('up1', { age: 40 })
      await users.update('up1', { age: null, tags: null })
      const unset = await users.get('up1')
      assert.ok(!('age' in unset) && !('tags' in unset), JSON.stringify(unset))
      assert.equal(unset.name, 'Carl')
    })

    it('upsert inserts then updates', async () => {
      const a = await users.upsert({ id: 'ups1', name: 'Dora', email: 'd@x.io' })
      assert.equal(a.name, 'Dora')
      const b = await users.upsert({ id: 'ups1', name: 'Dorothy' })
      assert.equal(b.name, 'Dorothy')
      assert.equal(b.email, 'd@x.io')
    })

    it('get of a missing id rejects with a NotFound carrying 4.1.7 fields', async () => {
      await assert.rejects(users.get('nope'), (err) => {
        assert.ok(err instanceof lib.NoSuchKey)
        assert.equal(err.code, 'NoSuchKey')
        assert.equal(err.resourceId, 'nope')
        assert.equal(err.resourceKey, 'resource=users/v=v0/id=nope')
        assert.equal(err.message, "Failed to get resource with id 'nope': Key [resource=users/v=v0/id=nope] does not exists [bucket:" + db.bucket + '/resource=users/v=v0/id=nope]')
        assert.ok(err.originalError instanceof lib.NotFound)
        return true
      })
      assert.equal(await users.exists('nope'), false)
    })

    it('rejects ids with / or dot segments (C7) and writes nothing', async () => {
      for (const id of ['a/b', '..', '.', 'x/../y']) {
        await assert.rejects(users.insert({ id, name: 'Eve', email: 'e@x.io' }), (err) => {
          assert.ok(err instanceof lib.InvalidId, `${id}: ${err}`)
          return true
        })
      }
      const keys = await db.client.getAllKeys({ prefix: 'resource=users/' })
      assert.ok(keys.every(k => /^resource=users\/v=v0\/id=[^/]+$/.test(k)), keys.join())
    })

    it('id 0 is kept (not regenerated), like 4.1.7', async () => {
      const r = await users.insert({ id: 0, name: 'Zero', email: 'z@x.io' })
      assert.equal(r.id, 0, 'the id comes back as given, like 4.1.7')
      assert.equal((await users.get('0')).name, 'Zero')
      await users.delete('0')
    })

    it('delete, deleteMany, exists', async () => {
      await users.insertMany([{ id: 'd1', name: 'D1', email: 'd@x.io' }, { id: 'd2', name: 'D2', email: 'd@x.io' }, { id: 'd3', name: 'D3', email: 'd@x.io' }])
      const ev = record(users, ['delete', 'deleted', 'deleteMany'])
      await users.delete('d1')
      assert.equal(await users.exists('d1'), false)
      await users.delete('d1') // missing: succeeds
      await users.deleteMany(['d2', 'd3'])
      assert.equal(await users.exists('d2'), false)
      assert.equal(await users.exists('d3'), false)
      assert.deepEqual(ev.map(e => e[0]), ['delete', 'delete', 'deleted', 'deleted', 'deleteMany'])
    })

    it('deleteAll honours paranoid', async () => {
      const t = await db.createResource({ name: 'temp', attributes: { n: 'number' } })
      await t.insertMany([{ n: 1 }, { n: 2 }])
      await assert.rejects(t.deleteAll(), (err) => {
        assert.ok(err instanceof lib.ParanoidError)
        assert.match(err.message, /deleteAll\(\) is a dangerous operation and requires paranoid: false option. Current paranoid setting: true/)
        return true
      })
      assert.equal(await t.count(), 2)
      const loose = await db.createResource({ name: 'temp2', attributes: { n: 'number' }, options: { paranoid: false } })
      await loose.insertMany([{ n: 1 }, { n: 2 }, { n: 3 }])
      const res = await loose.deleteAll()
      assert.deepEqual(res, { deletedCount: 3, version: 'v0' })
      assert.equal(await loose.count(), 0)
      assert.equal(await t.count(), 2, 'other resources untouched')
    })

    it('insertMany keeps input order and reports failures without throwing (D3)', async () => {
      const r = await db.createResource({ name: 'many', attributes: { n: 'number' } })
      const errors = []
      r.on('error', (err, item) => errors.push([err, item]))
      const out = await r.insertMany([{ id: 'm1', n: 1 }, { id: 'm2', n: 'x' }, { id: 'm3', n: 3 }])
      assert.deepEqual(out.map(x => x.id), ['m1', 'm3'])
      assert.equal(errors.length, 1)
      assert.ok(errors[0][0] instanceof lib.InvalidResourceItem)
      assert.deepEqual(errors[0][1], { id: 'm2', n: 'x' })
      const quiet = await db.createResource({ name: 'many2', attributes: { n: 'number' } })
      const out2 = await quiet.insertMany([{ n: 'bad' }, { n: 2 }])
      assert.equal(out2.length, 1, 'no error listener: still resolves')
      const got = await r.getMany(['m3', 'missing', 'm1'])
      assert.deepEqual(got.map(x => x.id), ['m3', 'm1'], 'input order, missing skipped')
    })

    it('insertMany past one engine chunk (2000 items): input order, item errors point at the caller\'s objects, one insertMany event', async () => {
      const r = await db.createResource({ name: 'manyChunks', attributes: { n: 'number' } })
      const N = backend === 's3' ? 2300 : 4500
      const bad = [5, 2100, N - 1]
      const items = Array.from({ length: N }, (_, i) => ({ id: `c${String(i).padStart(5, '0')}`, n: bad.includes(i) ? 'x' : i }))
      const seen = record(r, ['insert', 'insertMany', 'error'])
      const out = await r.insertMany(items)
      assert.deepEqual(out.map(x => x.id), items.filter((_, i) => !bad.includes(i)).map(x => x.id))
      const errors = seen.filter(e => e[0] === 'error')
      assert.deepEqual(errors.map(e => e[2]), bad.map(i => items[i]))
      assert.ok(errors.every(e => e[2] === items[bad[errors.indexOf(e)]]), 'the very objects passed')
      assert.ok(errors.every(e => e[1] instanceof lib.InvalidResourceItem))
      assert.deepEqual(seen.filter(e => e[0] === 'insertMany'), [['insertMany', N]])
      assert.equal(seen.filter(e => e[0] === 'insert').length, N - bad.length)
      assert.equal(await r.count(), N - bad.length)
    })

    it('listing paginates past 1000 (D1), offsets past the end are empty (D2), page shape', async () => {
      const big = await db.createResource({ name: 'big', attributes: { n: 'number' } })
      const N = backend === 's3' ? 1050 : 2100
      const items = Array.from({ length: N }, (_, i) => ({ id: `k${String(i).padStart(5, '0')}`, n: i }))
      await big.insertMany(items)
      assert.equal(await big.count(), N)
      const ids = await big.listIds()
      assert.equal(ids.length, N)
      assert.deepEqual(ids.slice(0, 3), ['k00000', 'k00001', 'k00002'])
      assert.deepEqual(await big.listIds({ offset: N + 5 }), [])
      assert.deepEqual(await big.listIds({ offset: 1001, limit: 2 }), ['k01001', 'k01002'])
      const page = await big.page({ offset: 1010, size: 5 })
      assert.deepEqual(page.items.map(x => x.n), [1010, 1011, 1012, 1013, 1014])
      assert.equal(page.totalItems, N)
      assert.equal(page.page, 202)
      assert.equal(page.pageSize, 5)
      assert.equal(page.totalPages, Math.ceil(N / 5))
      assert.deepEqual(page._debug, { requestedSize: 5, requestedOffset: 1010, actualItemsReturned: 5, skipCount: false, hasTotalItems: true })
      const noCount = await big.page({ offset: 0, size: 2, skipCount: true })
      assert.equal(noCount.totalItems, null)
      assert.equal(noCount.totalPages, null)
      const listed = await big.list({ offset: 1999 % N, limit: 3 })
      assert.deepEqual(listed.map(x => x.id), ids.slice(1999 % N, 1999 % N + 3))
      const q = await big.query({ n: N - 1 })
      assert.deepEqual(q.map(x => x.id), [ids[N - 1]])
      const q2 = await big.query({}, { limit: 2, offset: 1 })
      assert.deepEqual(q2.map(x => x.n), [1, 2])
      const all = await big.getAll()
      assert.equal(all.length, N)
      assert.deepEqual(all.slice(0, 2).map(x => x.id), ['k00000', 'k00001'], 'key order')
    })

    it('count/listIds do not see other resources sharing the name prefix (C2)', async () => {
      const a = await db.createResource({ name: 'pre', attributes: { n: 'number' } })
      const b = await db.createResource({ name: 'prefix', attributes: { n: 'number' } })
      await a.insert({ id: 'a', n: 1 })
      await b.insertMany([{ id: 'b1', n: 1 }, { id: 'b2', n: 2 }])
      assert.equal(await a.count(), 1)
      assert.deepEqual(await a.listIds(), ['a'])
    })

    it('date fields take Date objects and give Dates back; object rules keep their data (A7, A8)', async () => {
      const ev = await db.createResource({ name: 'events', attributes: { title: 'string', when: 'date|optional', meta: 'object|optional', any: 'any|optional' } })
      const when = new Date('2024-02-29T12:34:56.789Z')
      await ev.insert({ id: 'e1', title: 't', when, meta: { a: 1, b: { c: [1, 2] } }, any: 12.5 })
      const got = await ev.get('e1')
      assert.ok(got.when instanceof Date)
      assert.equal(got.when.toISOString(), when.toISOString())
      assert.deepEqual(got.meta, { a: 1, b: { c: [1, 2] } })
      assert.equal(got.any, '12.5')
      await assert.rejects(ev.insert({ id: 'e2', title: 't', when: '2024-01-01' }), lib.InvalidResourceItem)
    })

    it('events: insert/get/update/delete fire with the records', async () => {
      const r = await db.createResource({ name: 'evs', attributes: { n: 'number' } })
      const ev = record(r, ['insert', 'get', 'update', 'delete'])
      const ins = await r.insert({ id: 'x', n: 1 })
      await r.get('x')
      await r.update('x', { n: 2 })
      await r.delete('x')
      assert.deepEqual(ev.map(e => e[0]), ['insert', 'get', 'get', 'update', 'get', 'delete'])
      assert.deepEqual(ev[0][1], ins)
      assert.deepEqual(ev[3][1], { n: 2 })
      assert.equal(ev[5][1], 'x')
    })
  })

  describe(`database on ${backend}`, () => {
    it('connect writes s3db.json, a second process restores resources and versions', async () => {
      const cs = connectionString(backend)
      const db1 = new lib.S3db({ connectionString: cs })
      const connected = record(db1, ['connected', 'resourceDefinitionsChanged'])
      await db1.connect()
      assert.equal(connected[0][0], 'connected')
      assert.ok(connected[0][1] instanceof Date)
      assert.ok(db1.isConnected())
      const blank = JSON.parse((await db1.client.getObject('s3db.json')).Body.toString())
      assert.deepEqual(blank.resources, {})
      assert.equal(blank.version, '1')
      const r1 = await db1.createResource({ name: 'users', attributes: { name: 'string', email: 'email' } })
      await r1.insert({ id: 'u1', name: 'First', email: 'f@x.io' })

      const db2 = new lib.S3db({ uri: cs })
      const ev2 = record(db2, ['resourceDefinitionsChanged'])
      await db2.connect()
      assert.deepEqual(ev2, [], 'E3: restored resources are not reported as deleted')
      assert.ok(db2.resourceExists('users'))
      assert.equal((await db2.resource('users').get('u1')).name, 'First')
      // Same definition in another attribute order: same version, stored order wins (A2).
      const same = await db2.createResource({ name: 'users', attributes: { email: 'email', name: 'string' } })
      assert.equal(same.version, 'v0')
      assert.equal((await same.get('u1')).name, 'First')
      // Changed definition: next version.
      const versionEvents = []
      same.on('versionUpdated', e => versionEvents.push(e))
      const v1 = await db2.createResource({ name: 'users', attributes: { name: 'string', email: 'email', age: 'number|optional' } })
      assert.equal(v1.version, 'v1')
      assert.deepEqual(versionEvents, [{ oldVersion: 'v0', newVersion: 'v1' }])
      const doc = JSON.parse((await db2.client.getObject('s3db.json')).Body.toString())
      assert.equal(doc.resources.users.currentVersion, 'v1')
      assert.deepEqual(Object.keys(doc.resources.users.versions), ['v0', 'v1'])
      assert.match(doc.resources.users.versions.v1.hash, /^sha256:[0-9a-f]{64}$/)
      // E4: a database that never connected does not wipe other resources.
      const db3 = new lib.S3db({ connectionString: cs })
      await db3.createResource({ name: 'other', attributes: { x: 'string' } })
      const doc2 = JSON.parse((await db3.client.getObject('s3db.json')).Body.toString())
      assert.deepEqual(Object.keys(doc2.resources).sort(), ['other', 'users'])
    })

    it('createResource rejects unknown behaviors and invalid rules without touching s3db.json', async () => {
      const db = await freshDb(backend)
      await assert.rejects(db.createResource({ name: 'x', attributes: { a: 'string' }, behavior: 'nope' }), (err) => {
        assert.ok(err instanceof lib.SchemaError)
        assert.match(err.message, /^Unknown behavior: nope/)
        return true
      })
      await assert.rejects(db.createResource({ name: 'y', attributes: { a: 'json' } }), (err) => {
        assert.ok(err instanceof lib.SchemaError)
        assert.equal(err.message, "Invalid 'json' type in validator schema.")
        return true
      })
      const doc = JSON.parse((await db.client.getObject('s3db.json')).Body.toString())
      assert.deepEqual(doc.resources, {})
      assert.deepEqual(await db.listResources(), [])
      await assert.rejects(db.getResource('x'), lib.ResourceNotFound)
      await assert.rejects(db.resource('x'), /resource x does not exist/)
    })

    it('createResourceIfNotExists reports created / same hash / updated', async () => {
      const db = await freshDb(backend)
      const a = await db.createResourceIfNotExists({ name: 'r', attributes: { a: 'string' } })
      assert.equal(a.created, true)
      assert.equal(a.reason, 'New resource created')
      const b = await db.createResourceIfNotExists({ name: 'r', attributes: { a: 'string' } })
      assert.equal(b.created, false)
      assert.equal(b.reason, 'Resource already exists with same definition hash')
      const c = await db.createResourceIfNotExists({ name: 'r', attributes: { a: 'string', b: 'string|optional' } })
      assert.equal(c.created, false)
      assert.equal(c.reason, 'Resource updated with new definition')
    })

    it('lifecycle hooks in options are never written to s3db.json (E1)', async () => {
      const db = await freshDb(backend)
      await db.createResource({ name: 'h', attributes: { a: 'string' }, options: { hooks: { preInsert: [(d) => d] }, timestamps: false } })
      const body = (await db.client.getObject('s3db.json')).Body.toString()
      assert.ok(!body.includes('preInsert'), body)
      const db2 = new lib.S3db({ connectionString: db.options.connectionString })
      await db2.connect()
      assert.ok(db2.resourceExists('h'))
    })
  })
}

describe('connection strings', () => {
  it('bad URIs give ConnectionStringError without credentials in the message', () => {
    for (const cs of ['', 'nope', 'ftp://AKIA:topsecret@host/b', 'http://user:topsecret@/b', 's3://k:topsecret@b?forcePathStyle=maybe']) {
      assert.throws(() => new lib.S3db({ connectionString: cs }), (err) => {
        assert.ok(err instanceof lib.ConnectionStringError, `${cs}: ${err}`)
        assert.ok(!err.message.includes('topsecret'), err.message)
        assert.ok(!JSON.stringify(err).includes('topsecret'))
        return true
      })
    }
    assert.throws(() => new lib.S3db(), lib.ConnectionStringError)
  })

  it('parses the documented forms', () => {
    const a = new lib.S3db({ connectionString: 'http://AK:SK@localhost:9000/s3db/tests/run1' })
    assert.equal(a.bucket, 's3db')
    assert.equal(a.keyPrefix, 'tests/run1')
    const b = new lib.S3db({ uri: 's3://AK:SK@my-bucket/databases/app' })
    assert.equal(b.bucket, 'my-bucket')
    assert.equal(b.keyPrefix, 'databases/app')
    const c = new lib.ConnectionString('https://u:p@nyc3.digitaloceanspaces.com/space')
    assert.equal(c.bucket, 'space')
    assert.equal(c.endpoint, 'https://nyc3.digitaloceanspaces.com')
    assert.equal(c.forcePathStyle, true)
    assert.equal(lib.S3_DEFAULT_REGION, 'us-east-1')
  })
})

describe('crypto helpers', () => {
  it('encrypt/decrypt/sha256', async () => {
    const c = await lib.encrypt('hunter2', 'pw')
    assert.equal(c.length, 68)
    assert.equal(await lib.decrypt(c, 'pw'), 'hunter2')
    await assert.rejects(lib.decrypt(c, 'wrong'), lib.DecryptionError)
    assert.equal(await lib.sha256('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })
})
