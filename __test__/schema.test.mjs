// Schema export/import (the README's "Resource Schema Export/Import") and the Schema API.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, backends, freshDb } from './helpers.mjs'

const { Schema } = lib
const attributes = { name: 'string', age: 'number|optional', tags: 'array|items:string|optional', password: 'secret|optional', address: { city: 'string|optional' } }
// 4.1.7's map (storage format; cf. the nested-objects recording): leaf paths in declaration
// order, then the nested objects' own paths, as decimal indices.
const MAP = { name: '0', age: '1', tags: '2', password: '3', 'address.city': '4', address: '5' }
// The record as 4.1.7 stores it: numbers as String(n), arrays joined with '|', `_v`.
const record = { name: 'Ann', age: 3, tags: ['a', 'b'], address: { city: 'Rome' } }
const MAPPED = { 0: 'Ann', 1: '3', 2: 'a|b', 4: 'Rome', _v: 'v0' }

for (const backend of backends()) {
  describe(`Schema of a resource on ${backend}`, () => {
    it('README: users.schema.export() then Schema.import() maps records exactly as the resource stores them', async () => {
      const db = await freshDb(backend, { passphrase: 'pp' })
      const users = await db.createResource({ name: 'users', attributes })
      await users.insert({ id: 'u1', ...record })
      assert.deepEqual(users.map, MAP)
      assert.deepEqual((await db.client.headObject('resource=users/v=v0/id=u1')).Metadata, MAPPED)

      // Export schema
      const schemaData = users.schema.export()
      // Import schema
      const importedSchema = Schema.import(schemaData)

      assert.ok(users.schema instanceof Schema, 'resource.schema is a Schema')
      assert.deepEqual(await users.schema.mapper(record), MAPPED)
      assert.equal(await users.schema.validate({ name: 'x', address: {} }), true)
      assert.ok(importedSchema instanceof Schema)
      assert.deepEqual(importedSchema.map, MAP)
      assert.deepEqual(await importedSchema.mapper(record), MAPPED)
      assert.deepEqual(await importedSchema.unmapper(MAPPED), record)
      assert.deepEqual(Schema.import(JSON.stringify(schemaData)).export(), importedSchema.export())
      await db.disconnect()
    })
  })
}

describe('Schema', () => {

  it('validate returns true or the fastest-validator errors; mutateOriginal coerces in place', async () => {
    const s = new Schema({ name: 'x', attributes: { name: 'string', n: 'number|convert:true|optional' } })
    assert.equal(await s.validate({ name: 'ok' }), true)
    const errs = await s.validate({ name: 1 })
    assert.deepEqual(errs.map(e => [e.type, e.field]), [['string', 'name']])
    const item = { name: 'a', n: '12' }
    assert.equal(await s.validate(item), true)
    assert.equal(item.n, '12', 'not mutated by default')
    await s.validate(item, { mutateOriginal: true })
    assert.equal(item.n, 12)
  })

  it('a given map is used as given; secrets are encrypted with the schema passphrase', async () => {
    const s = new Schema({ name: 'x', attributes: { a: 'string', b: 'secret' }, passphrase: 'pw', map: { a: '7', b: '3' } })
    assert.deepEqual(s.reversedMap, { 7: 'a', 3: 'b' })
    const md = await s.mapper({ a: 'A', b: 'hidden' })
    assert.equal(md['7'], 'A')
    assert.notEqual(md['3'], 'hidden')
    assert.deepEqual(await s.unmapper(md), { a: 'A', b: 'hidden' })
    assert.equal(await lib.decrypt(md['3'], 'pw'), 'hidden')
  })

  it('legacy exports with attribute objects as JSON strings are parsed', async () => {
    const s = Schema.import({ name: 'legacy', version: 'v0', attributes: { title: 'string', meta: '{"city":"string|optional"}' }, options: {}, map: {} })
    assert.deepEqual(s.attributes.meta, { city: 'string|optional' })
  })

  it('bad definitions are a SchemaError', () => {
    assert.throws(() => new Schema({ name: 'x', attributes: { a: 'nonsense-rule' } }), { name: 'SchemaError' })
  })
})
