// The s3db.js 4.1.7 README (seed 004) examples for behaviors, timestamps, secret
// fields, costs, hooks, plugins, events and partitions, run as written against
// s3db-native (only `uri: "s3://..."` is replaced by an embedded store).
// Partition sections: partitions.test.mjs; export/import: schema.test.mjs;
// streaming: streams.test.mjs.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lib, backends, connectionString } from './helpers.mjs'
import { loadFixture } from './golden-lib.mjs'

const { S3db, CostsPlugin } = lib

// 'John Doe' (8) + 'john@example.com' (16) + 'Very long bio...' x 200 (3200) + 'v0' (2),
// plus the names '0', '1', '2' and '_v' (5): what S3 counts.
const LARGE_SIZE = 8 + 16 + 3200 + 2 + 5

for (const backend of backends()) {
  describe(`README (seed 004) feature examples on ${backend}`, () => {
    async function newDb (options = {}) {
      const s3db = new S3db({ connectionString: connectionString(backend), ...options })
      await s3db.connect()
      return s3db
    }

    it('Automatic Timestamps', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string', email: 'email' }, options: { timestamps: true } })
      const t0 = Date.now()
      const user = await users.insert({ name: 'John', email: 'john@example.com' })
      const t1 = Date.now()
      assert.match(user.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      assert.ok(Date.parse(user.createdAt) >= t0 && Date.parse(user.createdAt) <= t1, `createdAt ${user.createdAt} is the time of the insert`)
      assert.equal(user.updatedAt, user.createdAt)
      await new Promise(resolve => setTimeout(resolve, 5))
      const t2 = Date.now()
      const later = await users.update(user.id, { name: 'Johnny' })
      const t3 = Date.now()
      assert.equal(later.createdAt, user.createdAt)
      assert.ok(Date.parse(later.updatedAt) >= t2 && Date.parse(later.updatedAt) <= t3, `updatedAt ${later.updatedAt} is the time of the update`)
      assert.deepEqual(await users.get(user.id).then(u => [u.createdAt, u.updatedAt]), [later.createdAt, later.updatedAt])
    })

    it('Behavior Configuration (the full options example)', async () => {
      const s3db = await newDb()
      const created = []
      const users = await s3db.createResource({
        name: 'users',
        attributes: { name: 'string|min:2|max:100', email: 'email|unique', bio: 'string|optional', preferences: 'object|optional', region: 'string|optional' },
        options: {
          behavior: 'body-overflow',
          timestamps: true,
          partitions: { byRegion: { fields: { region: 'string' } } },
          hooks: {
            preInsert: [async (data) => data],
            afterInsert: [async (data) => { created.push(data.id) }]
          }
        }
      })
      const u = await users.insert({ name: 'Ann', email: 'ann@example.com', region: 'south', preferences: { theme: 'dark' } })
      assert.deepEqual(created, [u.id])
      assert.deepEqual(await users.listIds({ partition: 'byRegion', partitionValues: { region: 'south' } }), [u.id])
      assert.deepEqual((await users.get(u.id)).preferences, { theme: 'dark' })
      // As in 4.1.7, the behavior is the createResource argument; `options.behavior` is kept as an option.
      assert.equal(users.behavior, 'user-management')
      assert.equal(users.options.behavior, 'body-overflow')
    })

    it('1. User Management Behavior: exceedsLimit is emitted', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', largeBio: 'string|optional' }, behavior: 'user-management' })
      const seen = []
      users.on('exceedsLimit', (info) => seen.push(info))
      await users.insert({ name: 'John Doe', email: 'john@example.com', largeBio: 'short' })
      assert.equal(seen.length, 0)
      // Over S3's real 2 KB limit the store refuses the write (as S3 would), after the warning.
      await assert.rejects(users.insert({ name: 'John Doe', email: 'john@example.com', largeBio: 'Very long bio...'.repeat(200) }), lib.MetadataTooLarge)
      assert.equal(seen.length, 1)
      assert.equal(seen[0].operation, 'insert')
      assert.equal(seen[0].limit, 2048)
      assert.equal(seen[0].totalSize, LARGE_SIZE)
      assert.equal(seen[0].excess, LARGE_SIZE - 2048)
    })

    it('2. Enforce Limits Behavior: the insert fails and nothing is written', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', largeBio: 'string|optional' }, behavior: 'enforce-limits' })
      await assert.rejects(
        users.insert({ id: 'big', name: 'John Doe', email: 'john@example.com', largeBio: 'Very long bio...'.repeat(200) }),
        (error) => error instanceof lib.MetadataLimitExceeded && error.message === `S3 metadata size exceeds 2KB limit. Current size: ${LARGE_SIZE} bytes, limit: 2048 bytes`
      )
      assert.equal(await users.exists('big'), false)
    })

    it('3. Data Truncate Behavior: what fits is kept, the rest truncated with "..."', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', bio: 'string' }, behavior: 'data-truncate' })
      const short = 'This is a very long biography that will be truncated to fit within the 2KB metadata limit...'
      const user = await users.insert({ name: 'John Doe', email: 'john@example.com', bio: short })
      assert.equal(user.bio, short)
      await users.insert({ id: 'long', name: 'John Doe', email: 'john@example.com', bio: 'x'.repeat(5000) })
      const stored = await users.get('long')
      // 2048 - names '0', '1', '2', '_v' (5) - 'John Doe' (8) - 'john@example.com' (16) - 'v0' (2) = 2017 bytes for bio.
      assert.equal(stored.bio, 'x'.repeat(2017 - 3) + '...')
    })

    it('4. Body Overflow Behavior: all data preserved and merged back', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', bio: 'string' }, behavior: 'body-overflow' })
      const bio = 'This is a very long biography that will be stored in the S3 object body...'.repeat(60)
      const user = await users.insert({ name: 'John Doe', email: 'john@example.com', bio })
      assert.equal(user.bio, bio)
      assert.equal((await users.get(user.id)).bio, bio)
    })

    it('Field-Level Encryption and AutoEncrypt / AutoDecrypt', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({
        name: 'users',
        attributes: { username: 'string', email: 'email', password: 'secret', apiKey: 'secret', creditCard: 'secret' }
      })
      const user = await users.insert({ username: 'john_doe', email: 'john@example.com', password: 'my_secure_password', apiKey: 'sk_live_123456789', creditCard: '4111111111111111' })
      const retrieved = await users.get(user.id)
      assert.equal(retrieved.password, 'my_secure_password')
      assert.equal(retrieved.apiKey, 'sk_live_123456789')
      const stored = (await s3db.client.headObject(`resource=users/v=v0/id=${user.id}`)).Metadata
      assert.ok(!Object.values(stored).includes('my_secure_password'))
      // Encrypted with the default passphrase 'secret' (4.1.7's format: base64 of salt, IV, ciphertext and tag).
      for (const [field, plain] of [['password', 'my_secure_password'], ['apiKey', 'sk_live_123456789'], ['creditCard', '4111111111111111']]) {
        const text = stored[users.map[field]]
        assert.match(text, /^[A-Za-z0-9+/]+=*$/, 'stored as base64 ciphertext')
        assert.equal(Buffer.from(text, 'base64').length, 16 + 12 + Buffer.byteLength(plain) + 16)
        assert.equal(await lib.decrypt(text, 'secret'), plain)
      }
    })

    it('Custom Encryption Key (a Buffer read from a file)', async () => {
      const dir = mkdtempSync(join(tmpdir(), 's3db-native-key-'))
      writeFileSync(join(dir, 'private-key.pem'), '-----BEGIN KEY-----\nabc123\n-----END KEY-----\n')
      const { readFileSync } = await import('node:fs')
      const cs = connectionString(backend)
      const s3db = new S3db({ connectionString: cs, passphrase: readFileSync(join(dir, 'private-key.pem')) })
      await s3db.connect()
      const users = await s3db.createResource({ name: 'users', attributes: { username: 'string', password: 'secret' } })
      await users.insert({ id: 'u', username: 'a', password: 'pw' })
      const stored = (await s3db.client.headObject('resource=users/v=v0/id=u')).Metadata[users.map.password]
      assert.equal(await lib.decrypt(stored, readFileSync(join(dir, 'private-key.pem'), 'utf8')), 'pw')
      await assert.rejects(lib.decrypt(stored, 'secret'))
    })

    it('Cost Tracking Plugin', async () => {
      const s3db = await newDb({ plugins: [CostsPlugin] })
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string' } })
      await users.insert({ id: 'a', name: 'A' })
      await users.get('a')
      // 4.1.7 sent, for the same four calls (crud-sequence recording, steps 0-3):
      const recorded = loadFixture('crud-sequence').steps.slice(0, 4).map(s => s.s3Commands.map(c => c.command))
      assert.deepEqual(recorded, [['HeadObjectCommand', 'PutObjectCommand'], ['PutObjectCommand'], ['PutObjectCommand'], ['HeadObjectCommand']])
      // We read s3db.json with a GET where 4.1.7 sent a HEAD (connect), and once more before
      // writing it (createResource merges with the stored file, E4): 3 PUTs, 3 get-priced requests.
      const { events, requests, total } = s3db.client.costs
      assert.deepEqual(Object.fromEntries(Object.entries(events).filter(([, n]) => n > 0)), { total: 6, PutObjectCommand: 3, GetObjectCommand: 2, HeadObjectCommand: 1 })
      assert.deepEqual({ ...requests }, { total: 6, put: 3, post: 0, copy: 0, list: 0, get: 3, select: 0, delete: 0 })
      const PUT = 0.005 / 1000
      const GET = 0.0004 / 1000
      assert.ok(Math.abs(total - (3 * PUT + 3 * GET)) < 1e-18, String(total))
      assert.equal(total.toFixed(7), '0.0000162') // 4.1.7: 3 PUT + 2 HEAD = 0.0000158
      assert.equal(total.toFixed(4), '0.0000') // what the seed README's `costs.total.toFixed(4)` prints
    })

    it('Registering hooks (options.hooks and addHook); a throwing hook aborts the operation', async () => {
      const s3db = await newDb()
      const inserted = []
      const users = await s3db.createResource({
        name: 'users',
        attributes: { name: 'string', email: 'string' },
        options: {
          hooks: {
            preInsert: [async (data) => {
              if (!data.email.includes('@')) throw new Error('Invalid email')
              return data
            }],
            afterInsert: [async (data) => { inserted.push(data.id) }]
          }
        }
      })
      users.addHook('preInsert', async (data) => ({ ...data, name: data.name.trim() }))
      const u = await users.insert({ name: ' Ann ', email: 'ann@example.com' })
      assert.equal(u.name, 'Ann')
      assert.deepEqual(inserted, [u.id])
      await assert.rejects(users.insert({ id: 'bad', name: 'B', email: 'nope' }), /Invalid email/)
      assert.equal(await users.exists('bad'), false)
    })

    it('Example: Custom plugin (setup, then start)', async () => {
      const calls = []
      const MyPlugin = {
        setup (s3db) { calls.push(['setup', s3db instanceof S3db]) },
        start () { calls.push(['start']) },
        onUserCreated (user) { calls.push(['created', user.id]) }
      }
      const s3db = new S3db({ connectionString: connectionString(backend), plugins: [MyPlugin] })
      await s3db.connect()
      assert.deepEqual(calls, [['setup', true], ['start']])
    })

    it('Resource Events', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({ name: 'users', attributes: { name: 'string' } })
      const log = []
      users.on('insert', (data) => log.push(`User inserted: ${data.id}`))
      users.on('get', (data) => log.push(`User retrieved: ${data.id}`))
      users.on('update', (attrs, data) => log.push(`User updated: ${data.id}`))
      users.on('delete', (id) => log.push(`User deleted: ${id}`))
      await users.insert({ id: 'u1', name: 'A' })
      await users.get('u1')
      await users.update('u1', { name: 'B' })
      await users.delete('u1')
      assert.deepEqual(log, ['User inserted: u1', 'User retrieved: u1', 'User retrieved: u1', 'User updated: u1', 'User retrieved: u1', 'User deleted: u1'])
    })

    it('Partition rules and transformations: a Date is stored as YYYY-MM-DD', async () => {
      const s3db = await newDb()
      const products = await s3db.createResource({
        name: 'products',
        attributes: { name: 'string', category: 'string', price: 'number', createdAt: 'date' },
        options: { partitions: { byCategory: { fields: { category: 'string' } }, byDate: { fields: { createdAt: 'date|maxlength:10' } } } }
      })
      const p = await products.insert({ name: 'Widget', category: 'electronics', price: 99.99, createdAt: new Date('2024-06-27T15:30:00Z') })
      assert.deepEqual((await s3db.client.getAllKeys({ prefix: 'resource=products/partition=' })).sort(), [
        `resource=products/partition=byCategory/category=electronics/id=${p.id}`,
        `resource=products/partition=byDate/createdAt=2024-06-27/id=${p.id}`
      ])
    })

    it('Defining and querying partitions (listIds, count, listByPartition, page(0, 10, …))', async () => {
      const s3db = await newDb()
      const users = await s3db.createResource({
        name: 'users',
        attributes: { name: 'string', email: 'email', region: 'string', ageGroup: 'string', createdAt: 'date' },
        options: { partitions: { byRegion: { fields: { region: 'string' } }, byAgeGroup: { fields: { ageGroup: 'string' } }, byDate: { fields: { createdAt: 'date|maxlength:10' } } } }
      })
      for (const [i, region, ageGroup] of [[1, 'south', 'adult'], [2, 'south', 'teen'], [3, 'north', 'adult']]) {
        await users.insert({ id: `u${i}`, name: `U${i}`, email: `u${i}@example.com`, region, ageGroup, createdAt: new Date('2024-06-27') })
      }
      const userIds = await users.listIds({ partition: 'byRegion', partitionValues: { region: 'south' } })
      assert.deepEqual(userIds, ['u1', 'u2'])
      const adultIds = await users.listIds({ partition: 'byAgeGroup', partitionValues: { ageGroup: 'adult' } })
      assert.deepEqual(adultIds, ['u1', 'u3'])
      assert.equal(await users.count({ partition: 'byRegion', partitionValues: { region: 'south' } }), 2)
      const usersSouth = await users.listByPartition({ partition: 'byRegion', partitionValues: { region: 'south' } })
      assert.deepEqual(usersSouth.map(u => u.id), ['u1', 'u2'])
      const adultUsers = await users.listByPartition({ partition: 'byAgeGroup', partitionValues: { ageGroup: 'adult' } }, { limit: 10, offset: 0 })
      assert.deepEqual(adultUsers.map(u => u.id), ['u1', 'u3'])
      const page = await users.page(0, 10, { partition: 'byRegion', partitionValues: { region: 'south' } })
      assert.deepEqual([page.items.length, page.totalItems, page.totalPages], [2, 2, 1])
    })
  })
}
