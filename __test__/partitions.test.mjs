// Partitions: key layout and rules as s3db.js 4.1.7 writes them, partition-aware
// reads, and the fixed defects (B6, C1, C2, C3, C7, C8) on every backend.
// The recorded 4.1.7 runs are replayed in golden.test.mjs.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { backends, freshDb, lib } from './helpers.mjs'

const orderAttributes = { region: 'string', category: 'string', amount: 'number', createdDate: 'string|optional' }
const orderPartitions = {
  byRegion: { fields: { region: 'string' } },
  byRegionCategory: { fields: { region: 'string', category: 'string' } },
  byDay: { fields: { createdDate: 'date|maxlength:10' } }
}

async function keys (db, prefix = 'resource=') {
  return (await db.client.getAllKeys({ prefix })).sort()
}

const ids = (records) => records.map(r => r.id)

for (const backend of backends()) {
  describe(`partitions on ${backend}`, () => {
    let db
    before(async () => { db = await freshDb(backend) })

    async function orders (name) {
      const r = await db.createResource({ name, attributes: orderAttributes, options: { partitions: orderPartitions } })
      await r.insert({ id: 'o1', region: 'US', category: 'books', amount: 10, createdDate: '2024-03-15T10:20:30.000Z' })
      await r.insert({ id: 'o2', region: 'EU', category: 'toys', amount: 20.5, createdDate: '2024-03-16' })
      await r.insert({ id: 'o4', region: 'US', category: 'toys', amount: 7 })
      await r.insert({ id: 'o5', region: 'US', category: 'books', amount: 3, createdDate: 'March 17, 2024 23:00' })
      return r
    }

    it('insert writes one copy per partition with values, at 4.1.7 keys (fields sorted, rules applied)', async () => {
      await orders('ord1')
      assert.deepEqual(await keys(db, 'resource=ord1/'), [
        'resource=ord1/partition=byDay/createdDate=2001-03-17/id=o5', // V8: "March 17, " (maxlength first) has no year
        'resource=ord1/partition=byDay/createdDate=2024-03-15/id=o1',
        'resource=ord1/partition=byDay/createdDate=2024-03-16/id=o2',
        'resource=ord1/partition=byRegion/region=EU/id=o2',
        'resource=ord1/partition=byRegion/region=US/id=o1',
        'resource=ord1/partition=byRegion/region=US/id=o4',
        'resource=ord1/partition=byRegion/region=US/id=o5',
        'resource=ord1/partition=byRegionCategory/category=books/region=US/id=o1',
        'resource=ord1/partition=byRegionCategory/category=books/region=US/id=o5',
        'resource=ord1/partition=byRegionCategory/category=toys/region=EU/id=o2',
        'resource=ord1/partition=byRegionCategory/category=toys/region=US/id=o4',
        'resource=ord1/v=v0/id=o1',
        'resource=ord1/v=v0/id=o2',
        'resource=ord1/v=v0/id=o4',
        'resource=ord1/v=v0/id=o5'
      ])
      // The copy carries the record's fields and _version; never `undefined` (A3).
      const head = await db.client.headObject('resource=ord1/partition=byRegion/region=US/id=o1')
      assert.deepEqual(head.Metadata, { 0: 'US', 1: 'books', 2: '10', 3: '2024-03-15T10:20:30.000Z', _v: 'v0', _version: 'v0' })
    })

    it('listIds / count / list / page / query / listByPartition read one partition', async () => {
      const r = await orders('ord2')
      const us = { partition: 'byRegion', partitionValues: { region: 'US' } }
      assert.deepEqual(await r.listIds(us), ['o1', 'o4', 'o5'])
      assert.equal(await r.count(us), 3)
      const listed = await r.list({ partition: 'byRegionCategory', partitionValues: { region: 'US', category: 'books' } })
      assert.deepEqual(ids(listed), ['o1', 'o5'])
      assert.equal(listed[0]._partition, 'byRegionCategory')
      assert.deepEqual(listed[0]._partitionValues, { region: 'US', category: 'books' })
      assert.equal(listed[0].amount, 10)
      assert.ok(!('undefined' in listed[0]), 'C4: no `undefined` property')
      const page = await r.page({ offset: 1, size: 1, ...us })
      assert.deepEqual(ids(page.items), ['o4'])
      assert.equal(page.totalItems, 3)
      assert.equal(page.totalPages, 3)
      const legacy = await r.page(0, 2, us)
      assert.deepEqual(ids(legacy.items), ['o1', 'o4'])
      assert.deepEqual(ids(await r.query({ category: 'books' }, us)), ['o1', 'o5'])
      assert.deepEqual(ids(await r.listByPartition(us, { limit: 1, offset: 1 })), ['o4'])
      assert.deepEqual(await r.listIds({ partition: 'byDay', partitionValues: { createdDate: new Date('2024-03-16T00:00:00Z') } }), ['o2'])
      assert.equal(await r.count({ partition: 'byDay', partitionValues: { createdDate: '2024-03-15' } }), 1)
      // Without a partition: the main records only.
      assert.equal(await r.count(), 4)
      assert.deepEqual(await r.listIds(), ['o1', 'o2', 'o4', 'o5'])
    })

    it('partial values are explicit (C3): no values = whole partition, a later field alone filters', async () => {
      const r = await orders('ord3')
      assert.deepEqual(await r.listIds({ partition: 'byRegion' }), ['o2', 'o1', 'o4', 'o5']) // key order: EU before US
      assert.equal(await r.count({ partition: 'byRegion', partitionValues: {} }), 4)
      // `region` sorts after `category`: 4.1.7 built a prefix matching nothing.
      assert.deepEqual(ids(await r.list({ partition: 'byRegionCategory', partitionValues: { region: 'US' } })), ['o1', 'o5', 'o4'])
      assert.deepEqual(await r.listIds({ partition: 'byRegionCategory', partitionValues: { category: 'toys' } }), ['o2', 'o4'])
      await assert.rejects(r.listIds({ partition: 'byRegion', partitionValues: { country: 'US' } }), lib.PartitionError)
      await assert.rejects(r.count({ partition: 'nope', partitionValues: { a: 1 } }), (e) => e instanceof lib.PartitionError && e.message === "Partition 'nope' not found")
    })

    it('prefixes end with "/" (C2): US does not match US-WEST', async () => {
      const r = await db.createResource({ name: 'c2', attributes: { region: 'string' }, options: { partitions: { byRegion: { fields: { region: 'string' } } } } })
      await r.insert({ id: 'a', region: 'US' })
      await r.insert({ id: 'b', region: 'US-WEST' })
      assert.deepEqual(await r.listIds({ partition: 'byRegion', partitionValues: { region: 'US' } }), ['a'])
      assert.deepEqual(ids(await r.list({ partition: 'byRegion', partitionValues: { region: 'US' } })), ['a'])
    })

    it('update moves the copy (C1); delete, deleteMany and deleteAll remove copies', async () => {
      const r = await orders('ord4')
      const updated = await r.update('o1', { region: 'EU' })
      assert.equal(updated.region, 'EU')
      assert.deepEqual(await r.listIds({ partition: 'byRegion', partitionValues: { region: 'US' } }), ['o4', 'o5'])
      assert.deepEqual(await r.listIds({ partition: 'byRegion', partitionValues: { region: 'EU' } }), ['o1', 'o2'])
      assert.deepEqual(await r.listIds({ partition: 'byRegionCategory', partitionValues: { region: 'EU', category: 'books' } }), ['o1'])
      const rec = await r.getFromPartition({ id: 'o1', partitionName: 'byRegion', partitionValues: { region: 'EU' } })
      assert.equal(rec.region, 'EU')
      await r.delete('o1')
      await r.deleteMany(['o2', 'missing'])
      assert.deepEqual(await keys(db, 'resource=ord4/'), [
        'resource=ord4/partition=byDay/createdDate=2001-03-17/id=o5',
        'resource=ord4/partition=byRegion/region=US/id=o4',
        'resource=ord4/partition=byRegion/region=US/id=o5',
        'resource=ord4/partition=byRegionCategory/category=books/region=US/id=o5',
        'resource=ord4/partition=byRegionCategory/category=toys/region=US/id=o4',
        'resource=ord4/v=v0/id=o4',
        'resource=ord4/v=v0/id=o5'
      ])
      const all = await db.createResource({ name: 'ord4', attributes: orderAttributes, options: { partitions: orderPartitions, paranoid: false } })
      await all.deleteAll()
      assert.deepEqual(await keys(db, 'resource=ord4/'), [])
    })

    it('a record whose copy cannot be written is not written at all (B6)', async () => {
      // A value that makes the copy key longer than S3's 1024 bytes.
      const r = await db.createResource({ name: 'b6', attributes: { name: 'string', tag: 'string' }, options: { partitions: { byTag: { fields: { tag: 'string' } } } } })
      await assert.rejects(r.insert({ id: 'long', name: 'x', tag: 't'.repeat(1100) }), (e) => e instanceof lib.InvalidResourceItem && /1024 bytes/.test(e.message))
      assert.deepEqual(await keys(db, 'resource=b6/'), [])

      // enforce-limits: the copy carries `_version` too, so a record that just fits
      // the main object does not fit its copy: refused before anything is written.
      // Main object: names '0', '1', '_v' (4) + 'a' (1) + 'v0' (2) + text: the largest
      // text that fits is 2048 - 7 = 2041. The copy adds `_version`: 'v0' (10): 2031.
      const limitMessage = (size) => `S3 metadata size exceeds 2KB limit. Current size: ${size} bytes, limit: 2048 bytes`
      const plain = await db.createResource({ name: 'b6plain', attributes: { tag: 'string', text: 'string' }, behavior: 'enforce-limits' })
      await plain.insert({ id: 'p2041', tag: 'a', text: 'x'.repeat(2041) })
      await assert.rejects(plain.insert({ id: 'p2042', tag: 'a', text: 'x'.repeat(2042) }), { name: 'MetadataLimitExceeded', message: limitMessage(2049) })
      const parted = await db.createResource({ name: 'b6parted', attributes: { tag: 'string', text: 'string' }, behavior: 'enforce-limits', options: { partitions: { byTag: { fields: { tag: 'string' } } } } })
      await assert.rejects(parted.insert({ id: 'edge', tag: 'a', text: 'x'.repeat(2041) }), { name: 'MetadataLimitExceeded', message: limitMessage(2058) })
      await assert.rejects(parted.insert({ id: 'edge', tag: 'a', text: 'x'.repeat(2032) }), { name: 'MetadataLimitExceeded', message: limitMessage(2049) })
      assert.deepEqual(await keys(db, 'resource=b6parted/'), [])
      // user-management: the store refuses the over-limit copies before the main object is
      // written, so a record already stored under that id is untouched.
      const um = await db.createResource({ name: 'b6um', attributes: { tag: 'string', text: 'string' }, options: { partitions: { byTag: { fields: { tag: 'string' } } } } })
      await um.insert({ id: 'same', tag: 'a', text: 'old' })
      await assert.rejects(um.insert({ id: 'same', tag: 'b', text: 'y'.repeat(3000) }), lib.MetadataTooLarge)
      assert.equal((await um.get('same')).text, 'old')
      assert.deepEqual(await keys(db, 'resource=b6um/'), ['resource=b6um/partition=byTag/tag=a/id=same', 'resource=b6um/v=v0/id=same'])
      await parted.insert({ id: 'fits', tag: 'a', text: 'x'.repeat(2031) })
      assert.deepEqual(await keys(db, 'resource=b6parted/'), ['resource=b6parted/partition=byTag/tag=a/id=fits', 'resource=b6parted/v=v0/id=fits'])
    })

    it("values with '/' cannot restructure keys (C7); a field named id does not confuse the id (C8)", async () => {
      const r = await db.createResource({ name: 'c7', attributes: { category: 'string', id: 'string|optional' }, options: { partitions: { byCat: { fields: { category: 'string' } }, byId: { fields: { id: 'string' } } } } })
      await r.insert({ id: 'r1', category: 'a b/../c' })
      assert.deepEqual(await keys(db, 'resource=c7/'), ['resource=c7/partition=byCat/category=a b%2F..%2Fc/id=r1', 'resource=c7/v=v0/id=r1'])
      assert.deepEqual(await r.listIds({ partition: 'byCat', partitionValues: { category: 'a b/../c' } }), ['r1'])
      assert.deepEqual(ids(await r.list({ partition: 'byCat', partitionValues: { category: 'a b/../c' } })), ['r1'])
      assert.equal(r.getPartitionKey({ partitionName: 'byId', id: 'real', data: { id: 'field' } }), 'resource=c7/partition=byId/id=field/id=real')
    })

    it('nested fields (utm.source) and multi-field partitions', async () => {
      const v = await db.createResource({
        name: 'visits',
        attributes: { page: 'string', utm: { source: 'string', medium: 'string|optional', campaign: 'string|optional' } },
        options: { partitions: { byUtmSource: { fields: { 'utm.source': 'string' } }, bySourceMedium: { fields: { 'utm.source': 'string', 'utm.medium': 'string' } } } }
      })
      await v.insert({ id: 'v1', page: '/home', utm: { source: 'google', medium: 'cpc', campaign: 'spring' } })
      await v.insert({ id: 'v2', page: '/about', utm: { source: 'facebook' } })
      await v.insert({ id: 'v3', page: '/home', utm: { source: 'google', medium: 'organic' } })
      assert.deepEqual(await keys(db, 'resource=visits/partition='), [
        'resource=visits/partition=bySourceMedium/utm.medium=cpc/utm.source=google/id=v1',
        'resource=visits/partition=bySourceMedium/utm.medium=organic/utm.source=google/id=v3',
        'resource=visits/partition=byUtmSource/utm.source=facebook/id=v2',
        'resource=visits/partition=byUtmSource/utm.source=google/id=v1',
        'resource=visits/partition=byUtmSource/utm.source=google/id=v3'
      ])
      const google = await v.list({ partition: 'byUtmSource', partitionValues: { 'utm.source': 'google' } })
      assert.deepEqual(google.map(r => [r.id, r.utm.source]), [['v1', 'google'], ['v3', 'google']])
      assert.deepEqual(await v.listIds({ partition: 'bySourceMedium', partitionValues: { 'utm.source': 'google' } }), ['v1', 'v3'])
      const rec = await v.getFromPartition({ id: 'v1', partitionName: 'bySourceMedium', partitionValues: { 'utm.source': 'google', 'utm.medium': 'cpc' } })
      assert.deepEqual(rec.utm, { source: 'google', medium: 'cpc', campaign: 'spring' })
      assert.equal(rec._partition, 'bySourceMedium')
      await v.update('v1', { utm: { source: 'bing' } })
      assert.deepEqual(await v.listIds({ partition: 'byUtmSource', partitionValues: { 'utm.source': 'google' } }), ['v3'])
      assert.deepEqual(await v.listIds({ partition: 'byUtmSource', partitionValues: { 'utm.source': 'bing' } }), ['v1'])
    })

    it('getFromPartition and getPartitionKey errors and nulls', async () => {
      const r = await orders('ord5')
      assert.equal(r.getPartitionKey({ partitionName: 'byRegionCategory', id: 'z', data: { region: 'US', category: 'x' } }), 'resource=ord5/partition=byRegionCategory/category=x/region=US/id=z')
      assert.equal(r.getPartitionKey({ partitionName: 'byRegionCategory', id: 'z', data: { region: 'US' } }), null)
      assert.throws(() => r.getPartitionKey({ partitionName: 'nope', id: 'z', data: {} }), lib.PartitionError)
      await assert.rejects(r.getFromPartition({ id: 'o1', partitionName: 'byRegion', partitionValues: {} }), (e) => e instanceof lib.PartitionError && e.message === "No partition values provided for partition 'byRegion'")
      await assert.rejects(r.getFromPartition({ id: 'o1', partitionName: 'nope', partitionValues: { a: 1 } }), lib.PartitionError)
      await assert.rejects(r.getFromPartition({ id: 'o1', partitionName: 'byRegion', partitionValues: { region: 'EU' } }), lib.NotFound)
      const events = []
      r.on('getFromPartition', (rec) => events.push(rec.id))
      await r.getFromPartition({ id: 'o4', partitionName: 'byRegion', partitionValues: { region: 'US' } })
      assert.deepEqual(events, ['o4'])
    })

    it('stale copies left by 4.1.7 (update without delete, deleteMany) are not read as records', async () => {
      const r = await orders('ord6')
      // What 4.1.7 leaves behind: o1 moved to EU with its US copy kept; o9 deleted by deleteMany.
      await r.update('o1', { region: 'EU' })
      const copyMeta = { 0: 'US', 1: 'books', 2: '10', _v: 'v0', undefined: 'o1', _version: 'v0' }
      await db.client.putObject({ key: 'resource=ord6/partition=byRegion/region=US/id=o1', metadata: copyMeta })
      await db.client.putObject({ key: 'resource=ord6/partition=byRegion/region=US/id=o9', metadata: { ...copyMeta, undefined: 'o9' } })
      assert.deepEqual(ids(await r.list({ partition: 'byRegion', partitionValues: { region: 'US' } })), ['o4', 'o5'])
      assert.deepEqual(ids((await r.page({ partition: 'byRegion', partitionValues: { region: 'US' } })).items), ['o4', 'o5'])
      const streamed = []
      for await (const rec of r.readable({ partition: 'byRegion', partitionValues: { region: 'US' } })) streamed.push(rec.id)
      assert.deepEqual(streamed.sort(), ['o4', 'o5'])
      // Listing keys alone cannot tell: listIds/count report what is stored.
      assert.equal(await r.count({ partition: 'byRegion', partitionValues: { region: 'US' } }), 4)
    })

    it('readable({ partition, partitionValues }) streams one partition', async () => {
      const r = await db.createResource({ name: 'streamed', attributes: { n: 'number', parity: 'string' }, options: { partitions: { byParity: { fields: { parity: 'string' } } } } })
      await r.insertMany(Array.from({ length: 60 }, (_, i) => ({ id: `r${String(i).padStart(2, '0')}`, n: i, parity: i % 2 ? 'odd' : 'even' })))
      const got = []
      for await (const rec of r.readable({ partition: 'byParity', partitionValues: { parity: 'odd' }, batchSize: 7, concurrency: 3 })) {
        assert.equal(rec._partition, 'byParity')
        got.push(rec.n)
      }
      assert.deepEqual(got.sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => 2 * i + 1))
      const bad = r.readable({ partition: 'nope' })
      await assert.rejects(async () => { for await (const _ of bad) { /* nothing */ } }, lib.PartitionError)
    })

    it('timestamps add byCreatedDate / byUpdatedDate copies', async () => {
      const posts = await db.createResource({ name: 'posts', attributes: { title: 'string' }, options: { timestamps: true } })
      // The timestamps are the insert's own (a caller's createdAt is overwritten, as in 4.1.7).
      const from = Date.now()
      const p = await posts.insert({ id: 't1', title: 'first', createdAt: '2001-02-03T04:05:06.007Z' })
      const to = Date.now()
      assert.ok(Date.parse(p.createdAt) >= from && Date.parse(p.createdAt) <= to, `createdAt ${p.createdAt} is a time of the insert`)
      assert.equal(p.updatedAt, p.createdAt)
      const day = p.createdAt.slice(0, 10)
      assert.deepEqual(await keys(db, 'resource=posts/'), [
        `resource=posts/partition=byCreatedDate/createdAt=${day}/id=t1`,
        `resource=posts/partition=byUpdatedDate/updatedAt=${day}/id=t1`,
        'resource=posts/v=v0/id=t1'
      ])
      assert.deepEqual(await posts.listIds({ partition: 'byCreatedDate', partitionValues: { createdAt: day } }), ['t1'])
      // A Date partition value is cut to its day like the stored one.
      assert.deepEqual(ids(await posts.list({ partition: 'byUpdatedDate', partitionValues: { updatedAt: new Date(p.updatedAt) } })), ['t1'])
      assert.deepEqual(await posts.listIds({ partition: 'byCreatedDate', partitionValues: { createdAt: '2001-02-03' } }), [])
    })

    it('date partitions of fixed dates: ISO texts on either side of midnight and a date-only text land on their day', async () => {
      const events = await db.createResource({ name: 'events', attributes: { at: 'string' }, options: { partitions: { byDay: { fields: { at: 'date|maxlength:10' } } } } })
      await events.insert({ id: 'e1', at: '2024-12-31T23:59:59.999Z' })
      await events.insert({ id: 'e2', at: '2025-01-01T00:00:00.000Z' })
      await events.insert({ id: 'e3', at: '2024-12-31' })
      assert.deepEqual(await keys(db, 'resource=events/partition='), [
        'resource=events/partition=byDay/at=2024-12-31/id=e1',
        'resource=events/partition=byDay/at=2024-12-31/id=e3',
        'resource=events/partition=byDay/at=2025-01-01/id=e2'
      ])
      assert.deepEqual(await events.listIds({ partition: 'byDay', partitionValues: { at: new Date('2024-12-31T00:00:00Z') } }), ['e1', 'e3'])
      assert.deepEqual(await events.listIds({ partition: 'byDay', partitionValues: { at: '2025-01-01' } }), ['e2'])
    })

    it('createResource again does not duplicate copy writes (C5)', async () => {
      const costly = await freshDb(backend, { plugins: [lib.CostsPlugin] })
      const def = { name: 'c5', attributes: { region: 'string' }, options: { partitions: { byRegion: { fields: { region: 'string' } } } } }
      await costly.createResource(def)
      const r = await costly.createResource(def)
      const before = costly.client.costs.requests.put
      await r.insert({ id: 'a', region: 'US' })
      assert.equal(costly.client.costs.requests.put - before, 2, 'the record and its one copy')
      await costly.disconnect()
    })

    it('createResource rejects a partition on a missing field with 4.1.7\'s message', async () => {
      await assert.rejects(
        db.createResource({ name: 'badp', attributes: { name: 'string', utm: { source: 'string' } }, options: { partitions: { byX: { fields: { 'utm.medium': 'string' } } } } }),
        (e) => e instanceof lib.SchemaError && e.message === "Partition 'byX' uses field 'utm.medium' which does not exist in resource version 'v0'. Available fields: name, utm. This version of resource does not have support for this partition."
      )
    })
  })
}

for (const backend of backends()) {
  describe(`README: partitions (seed 004) on ${backend}`, () => {
    it('time-based partition: insert, listByPartition, count', async () => {
      const s3db = await freshDb(backend)
      const logs = await s3db.createResource({
        name: 'logs',
        attributes: { message: 'string', level: 'string', createdAt: 'date' },
        options: { partitions: { byDate: { fields: { createdAt: 'date|maxlength:10' } } } }
      })
      await logs.insert({ message: 'User login', level: 'info', createdAt: new Date('2024-06-27') })
      const logsToday = await logs.listByPartition({ partition: 'byDate', partitionValues: { createdAt: '2024-06-27' } })
      assert.equal(logsToday.length, 1)
      assert.equal(logsToday[0].message, 'User login')
      assert.ok(logsToday[0].createdAt instanceof Date)
      const count = await logs.count({ partition: 'byDate', partitionValues: { createdAt: '2024-06-27' } })
      assert.equal(count, 1)
    })

    it('nested fields with maxlength, getPartitionKey and getFromPartition', async () => {
      const s3db = await freshDb(backend)
      const users = await s3db.createResource({
        name: 'users',
        attributes: {
          name: 'string|required',
          utm: { source: 'string|required', medium: 'string|required', campaign: 'string|required' },
          address: { country: 'string|required', state: 'string|required', city: 'string|required' },
          metadata: { category: 'string|required', priority: 'string|required' }
        },
        options: {
          partitions: {
            byUtmSource: { fields: { 'utm.source': 'string' } },
            byAddressCountry: { fields: { 'address.country': 'string|maxlength:2' } },
            byAddressState: { fields: { 'address.country': 'string|maxlength:2', 'address.state': 'string' } },
            byUtmAndAddress: { fields: { 'utm.source': 'string', 'utm.medium': 'string', 'address.country': 'string|maxlength:2' } }
          }
        }
      })
      const user = await users.insert({
        id: 'user-123',
        name: 'John Doe',
        utm: { source: 'google', medium: 'cpc', campaign: 'brand' },
        address: { country: 'USA', state: 'California', city: 'San Francisco' },
        metadata: { category: 'premium', priority: 'high' }
      })
      const key = users.getPartitionKey({ partitionName: 'byUtmSource', id: 'user-123', data: { utm: { source: 'google' } } })
      assert.equal(key, 'resource=users/partition=byUtmSource/utm.source=google/id=user-123')
      assert.equal(
        users.getPartitionKey({ partitionName: 'byUtmAndAddress', id: user.id, data: user }),
        'resource=users/partition=byUtmAndAddress/address.country=US/utm.medium=cpc/utm.source=google/id=user-123'
      )
      const fromPartition = await users.getFromPartition({ id: 'user-123', partitionName: 'byUtmSource', partitionValues: { 'utm.source': 'google' } })
      assert.equal(fromPartition.name, 'John Doe')
      const usUsers = await users.list({ partition: 'byAddressCountry', partitionValues: { 'address.country': 'US' } })
      assert.deepEqual(usUsers.map(u => u.id), ['user-123'])
      const page = await users.page({ partition: 'byUtmSource', partitionValues: { 'utm.source': 'google' }, offset: 0, size: 10 })
      assert.deepEqual([page.totalItems, page.totalPages, page.page, page.pageSize], [1, 1, 0, 10])
      const fastPage = await users.page({ partition: 'byUtmSource', partitionValues: { 'utm.source': 'google' }, offset: 0, size: 10, skipCount: true })
      assert.equal(fastPage.totalItems, null)
      assert.equal(fastPage.items.length, 1)
      const filtered = await users.query({ name: 'John Doe' }, { partition: 'byUtmSource', partitionValues: { 'utm.source': 'google' }, limit: 5, offset: 0 })
      assert.equal(filtered.length, 1)
    })
  })
}
