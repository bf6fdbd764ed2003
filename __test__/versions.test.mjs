// s3db.json versions (E2): records written under an earlier version stay
// readable with that version's field map; writes go to the current version.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { backends, connectionString, lib } from './helpers.mjs'

for (const backend of backends()) {
  describe(`versions on ${backend}`, () => {
    it('get falls back to earlier versions; update moves the record to the current one; delete removes every version', async () => {
      const cs = connectionString(backend)
      const db1 = new lib.S3db({ connectionString: cs })
      await db1.connect()
      const v0 = await db1.createResource({ name: 'people', attributes: { name: 'string', email: 'email', score: 'number|optional' } })
      await v0.insert({ id: 'old', name: 'Old', email: 'old@example.com', score: 3 })
      await v0.insert({ id: 'gone', name: 'Gone', email: 'gone@example.com' })

      // A new process with a changed definition: the field order changes the map (score moves to 0).
      const db2 = new lib.S3db({ connectionString: cs })
      await db2.connect()
      const bumps = []
      db2.resources.people.on('versionUpdated', (e) => bumps.push(e))
      const v1 = await db2.createResource({ name: 'people', attributes: { score: 'number|optional', name: 'string', email: 'email', city: 'string|optional' } })
      assert.equal(v1.version, 'v1')
      assert.deepEqual(bumps, [{ oldVersion: 'v0', newVersion: 'v1' }])
      assert.deepEqual(v1.map, { score: '0', name: '1', email: '2', city: '3' })
      await v1.insert({ id: 'new', name: 'New', email: 'new@example.com', city: 'Oslo' })

      const old = await v1.get('old')
      assert.deepEqual([old.name, old.email, old.score], ['Old', 'old@example.com', 3], 'decoded with the v0 map')
      assert.equal((await v1.getMany(['new', 'old'])).length, 2)
      // Listing covers the current version (as 4.1.7).
      assert.deepEqual(await v1.listIds(), ['new'])

      const moved = await v1.update('old', { city: 'Rome' })
      assert.deepEqual([moved.name, moved.city, moved.score], ['Old', 'Rome', 3])
      const keys = async () => (await db2.client.getAllKeys({ prefix: 'resource=people/' })).sort()
      assert.deepEqual(await keys(), ['resource=people/v=v0/id=gone', 'resource=people/v=v1/id=new', 'resource=people/v=v1/id=old'])
      const head = await db2.client.headObject('resource=people/v=v1/id=old')
      assert.equal(head.Metadata._v, 'v1')

      await v1.delete('gone')
      assert.deepEqual(await keys(), ['resource=people/v=v1/id=new', 'resource=people/v=v1/id=old'])
      await assert.rejects(v1.get('gone'), lib.NotFound)
      await db1.disconnect()
      await db2.disconnect()
    })
  })
}
