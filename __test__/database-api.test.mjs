// Database's definition helpers (4.1.7 §1): definition hashes, versions, change detection,
// uploadMetadataFile, startPlugins.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, freshDb, connectionString, record } from './helpers.mjs'

const { S3db } = lib

// The storage doc's test vector (§3.3), recomputed outside Node.
const VECTOR = {
  attributes: {
    name: 'string|min:2', email: 'email', age: 'number|optional', tags: 'array|items:string|optional', active: 'boolean|optional', password: 'secret|optional',
    address: { city: 'string|optional', zip: 'string|optional' }, createdAt: 'string|optional', updatedAt: 'string|optional'
  },
  options: { timestamps: true }
}

describe('Database definition helpers', () => {
  it('generateDefinitionHash reproduces 4.1.7 (test vector; behavior argument, then the definition\'s, then the default)', () => {
    const db = new S3db({ connectionString: 'memory://hash/x' })
    assert.equal(db.generateDefinitionHash(VECTOR), 'sha256:68da7b8b5343a9a2e0343e40060e1229bbbd4874c15f8b0e546eb811349d03d7')
    assert.equal(db.generateDefinitionHash(VECTOR, 'user-management'), db.generateDefinitionHash(VECTOR))
    assert.notEqual(db.generateDefinitionHash(VECTOR, 'body-overflow'), db.generateDefinitionHash(VECTOR))
    assert.equal(db.generateDefinitionHash({ ...VECTOR, behavior: 'body-overflow' }), db.generateDefinitionHash(VECTOR, 'body-overflow'))
    // attribute order does not matter; timestamps only drop the top-level pair
    const reordered = { attributes: Object.fromEntries(Object.entries(VECTOR.attributes).reverse()), options: { timestamps: true } }
    assert.equal(db.generateDefinitionHash(reordered), db.generateDefinitionHash(VECTOR))
    assert.notEqual(db.generateDefinitionHash({ attributes: VECTOR.attributes }), db.generateDefinitionHash(VECTOR))
  })

  it('getNextVersion and blankMetadataStructure', () => {
    const db = new S3db({ connectionString: 'memory://hash/y' })
    assert.equal(db.getNextVersion(), 'v0')
    assert.equal(db.getNextVersion({}), 'v0')
    assert.equal(db.getNextVersion({ v0: {}, v1beta: {}, v9: {}, x: {} }), 'v10')
    assert.deepEqual(db.blankMetadataStructure(), { version: '1', s3dbVersion: db.s3dbVersion, resources: {} })
  })
})

for (const backend of backends()) {
  describe(`Database definition helpers on ${backend}`, () => {
    it('the hash of an export is the hash stored in s3db.json; detectDefinitionChanges lists new, changed and deleted', async () => {
      const db = await freshDb(backend)
      const users = await db.createResource({ name: 'users', attributes: { name: 'string' } })
      const stored = db.savedMetadata.resources.users.versions.v0.hash
      assert.equal(db.generateDefinitionHash(users.export()), stored)
      assert.deepEqual(db.detectDefinitionChanges(db.savedMetadata), [])
      const saved = structuredClone(db.savedMetadata)
      saved.resources.users.versions.v0.hash = 'sha256:other'
      saved.resources.gone = { currentVersion: 'v3', versions: { v3: { hash: 'sha256:g' } } }
      await db.createResource({ name: 'extra', attributes: { n: 'number' } })
      delete saved.resources.extra
      const changes = db.detectDefinitionChanges(saved)
      assert.deepEqual(changes.map(c => [c.type, c.resourceName]), [['changed', 'users'], ['new', 'extra'], ['deleted', 'gone']])
      assert.deepEqual(changes[0], { type: 'changed', resourceName: 'users', currentHash: stored, savedHash: 'sha256:other', fromVersion: 'v0', toVersion: 'v1' })
      assert.deepEqual(changes[2], { type: 'deleted', resourceName: 'gone', currentHash: null, savedHash: 'sha256:g', deletedVersion: 'v3' })
    })

    it('resourceExistsWithSameHash', async () => {
      const db = await freshDb(backend)
      assert.deepEqual(db.resourceExistsWithSameHash({ name: 'users', attributes: {} }), { exists: false, sameHash: false, hash: null })
      await db.createResource({ name: 'users', attributes: { name: 'string' }, options: { timestamps: true } })
      const same = db.resourceExistsWithSameHash({ name: 'users', attributes: { name: 'string' }, options: { timestamps: true } })
      assert.equal(same.exists, true)
      assert.equal(same.sameHash, true)
      assert.equal(same.hash, same.existingHash)
      const other = db.resourceExistsWithSameHash({ name: 'users', attributes: { name: 'string', age: 'number' } })
      assert.equal(other.sameHash, false)
    })

    it('uploadMetadataFile writes every resource in memory, keeps other stored resources, emits metadataUploaded', async () => {
      const cs = connectionString(backend)
      const a = new S3db({ connectionString: cs })
      await a.connect()
      await a.createResource({ name: 'users', attributes: { name: 'string' } })
      const b = new S3db({ connectionString: cs })
      await b.connect()
      await b.createResource({ name: 'orders', attributes: { total: 'number' } })
      const seen = record(a, ['metadataUploaded'])
      const createdAt = a.savedMetadata.resources.users.versions.v0.createdAt
      await a.uploadMetadataFile()
      assert.equal(seen.length, 1)
      const doc = JSON.parse((await a.client.getObject('s3db.json')).Body.toString())
      assert.deepEqual(Object.keys(doc.resources).sort(), ['orders', 'users'], 'the resource written by b is kept (E4)')
      assert.equal(doc.resources.users.versions.v0.createdAt, createdAt, 'an unchanged version keeps its createdAt')
      assert.deepEqual(a.savedMetadata, doc)
    })

    it('startPlugins sets up then starts each plugin once', async () => {
      const calls = []
      const plugin = { setup: async () => calls.push('setup'), start: async () => calls.push('start') }
      const db = new S3db({ connectionString: connectionString(backend), plugins: [plugin] })
      await db.startPlugins()
      await db.connect()
      assert.deepEqual(calls, ['setup', 'start'])
    })
  })
}
