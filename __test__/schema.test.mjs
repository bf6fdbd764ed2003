// Schema export/import (the README's "Resource Schema Export/Import") and the Schema API.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib, freshDb } from './helpers.mjs'

const { Schema } = lib
const attributes = { name: 'string', age: 'number|optional', tags: 'array|items:string|optional', password: 'secret|optional', address: { city: 'string|optional' } }

describe('Schema', () => {
  it('README: users.schema.export() then Schema.import() maps records exactly as the resource stores them', async () => {
    const db = await freshDb('memory', { passphrase: 'pp' })
    const users = await db.createResource({ name: 'users', attributes })
    const record = { name: 'Ann', age: 3, tags: ['a', 'b'], address: { city: 'Rome' } }
    await users.insert({ id: 'u1', ...record })
    const stored = (await db.client.headObject('resource=users/v=v0/id=u1')).Metadata

    // Export schema
    const schemaData = users.schema.export()
    // Import schema
    const importedSchema = Schema.import(schemaData)

    assert.ok(users.schema instanceof Schema, 'resource.schema is a Schema')
    assert.deepEqual(await users.schema.mapper(record), stored)
    assert.equal(await users.schema.validate({ name: 'x', address: {} }), true)
    assert.ok(importedSchema instanceof Schema)
    assert.deepEqual(importedSchema.map, users.map)
    assert.deepEqual(await importedSchema.mapper(record), stored)
    assert.deepEqual(await importedSchema.unmapper(stored), record)
    assert.deepEqual(Schema.import(JSON.stringify(schemaData)).export(), importedSchema.export())
  })

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
