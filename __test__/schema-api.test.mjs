// Schema's instance API (4.1.7 §3) and SchemaActions, the conversions its hooks apply.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib } from './helpers.mjs'

const { Schema, SchemaActions, decrypt } = lib

const attributes = { name: 'string', tags: 'array|items:string', n: 'number', ok: 'boolean', secret: 'secret', address: { city: 'string' } }

describe('Schema instance API', () => {
  it('defaultOptions and the auto hooks generated from the attribute types', () => {
    const s = new Schema({ name: 'u', attributes })
    assert.deepEqual(s.defaultOptions(), { autoEncrypt: true, autoDecrypt: true, arraySeparator: '|', generateAutoHooks: true, hooks: { beforeMap: {}, afterMap: {}, beforeUnmap: {}, afterUnmap: {} } })
    assert.deepEqual(s.options.hooks.beforeMap, { tags: ['fromArray'], n: ['toString'], ok: ['fromBool'], secret: ['encrypt'] })
    assert.deepEqual(s.options.hooks.afterUnmap, { tags: ['toArray'], n: ['toNumber'], ok: ['toBool'], secret: ['decrypt'] })
    s.generateAutoHooks()
    assert.deepEqual(s.options.hooks.beforeMap.tags, ['fromArray'], 'generating again adds nothing twice')
  })

  it('applyHooksActions runs a phase on a flat item in place; addHook changes what mapper does', async () => {
    const s = new Schema({ name: 'u', attributes, passphrase: 'pw' })
    const item = { name: ' Ann ', tags: ['a|b', 'c'], n: 3, ok: true, secret: 'hush' }
    await s.applyHooksActions(item, 'beforeMap')
    assert.deepEqual({ ...item, secret: undefined }, { name: ' Ann ', tags: 'a\\|b|c', n: '3', ok: '1', secret: undefined })
    assert.equal(await decrypt(item.secret, 'pw'), 'hush')
    await s.applyHooksActions(item, 'afterUnmap')
    assert.deepEqual(item, { name: ' Ann ', tags: ['a|b', 'c'], n: 3, ok: true, secret: 'hush' })
    assert.equal((await s.mapper({ name: ' Ann ', tags: [], n: 1, ok: false, secret: 'x', address: { city: 'L' } }))[s.map.name], ' Ann ')
    s.addHook('beforeMap', 'name', 'trim')
    s.addHook('beforeMap', 'name', 'trim')
    assert.deepEqual(s.options.hooks.beforeMap.name, ['trim'], 'once')
    assert.equal((await s.mapper({ name: ' Ann ', tags: [], n: 1, ok: false, secret: 'x', address: { city: 'L' } }))[s.map.name], 'Ann')
  })

  it('extractObjectKeys and preprocessAttributesForValidation', () => {
    const s = new Schema({ name: 'u', attributes: { a: 'string', profile: { $$type: 'object', social: { $$type: 'object|optional', x: 'string' } }, plain: { b: 'string' } } })
    assert.deepEqual(s.extractObjectKeys(s.attributes), ['profile', 'profile.social', 'plain'])
    const fv = s.preprocessAttributesForValidation({ a: 'string', nested: { $$type: 'object|optional', b: 'number' } })
    assert.deepEqual(fv, { a: 'string', nested: { type: 'object', properties: { $$type: 'object|optional', b: 'number' }, strict: false, optional: true } })
  })
})

describe('SchemaActions', () => {
  it('array escaping with the separator, numbers, booleans, JSON and secrets', () => {
    assert.equal(SchemaActions.fromArray(['a|b', 'c\\d']), 'a\\|b|c\\\\d')
    assert.deepEqual(SchemaActions.toArray('a\\|b|c\\\\d'), ['a|b', 'c\\d'])
    assert.equal(SchemaActions.fromArray([]), '[]')
    assert.deepEqual(SchemaActions.toArray('[]'), [])
    assert.equal(SchemaActions.fromArray(['x', 'y'], { separator: ';' }), 'x;y')
    assert.equal(SchemaActions.toNumber('1e+21'), 1e21, '4.1.7 gave 1 (parseInt)')
    assert.equal(SchemaActions.toNumber('2.5'), 2.5)
    assert.equal(SchemaActions.toString(12), '12')
    assert.equal(SchemaActions.fromBool('yes'), '1')
    assert.equal(SchemaActions.fromBool(false), '0')
    assert.equal(SchemaActions.toBool('1'), true)
    assert.equal(SchemaActions.toBool('0'), false)
    assert.equal(SchemaActions.toJSON({ a: [1] }), '{"a":[1]}')
    assert.deepEqual(SchemaActions.fromJSON('{"a":[1]}'), { a: [1] })
    assert.equal(SchemaActions.trim('  x '), 'x')
    const enc = SchemaActions.encrypt('hi', { passphrase: 'p' })
    assert.notEqual(enc, 'hi')
    assert.equal(SchemaActions.decrypt(enc, { passphrase: 'p' }), 'hi')
  })
})
