// The exported Validator / ValidatorManager (4.1.7 validation doc §5).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { lib } from './helpers.mjs'

const { Validator, ValidatorManager, decrypt } = lib

describe('Validator', () => {
  it('compile gives a check: true, or the fastest-validator error array', () => {
    const v = new Validator()
    const check = v.compile({ name: 'string|min:2', age: { type: 'number', positive: true, optional: true } })
    assert.equal(check({ name: 'Ann' }), true)
    const errors = check({ name: 'A', age: -1 })
    assert.deepEqual(errors.map(e => [e.type, e.field]), [['stringMin', 'name'], ['numberPositive', 'age']])
    assert.equal(errors[0].message, "The 'name' field length must be greater than or equal to 2 characters long.")
  })

  it('a plain object is a rule object (not a nested attribute object as in resources)', () => {
    const check = new Validator().compile({ n: { type: 'number', integer: true } })
    assert.equal(check({ n: 3 }), true)
    assert.equal(check({ n: 3.5 })[0].type, 'numberInteger')
    const nested = new Validator().compile({ address: { type: 'object', props: { city: 'string' } } })
    assert.equal(nested({ address: { city: 'Lisbon' } }), true)
    assert.equal(nested({ address: {} })[0].field, 'address.city')
  })

  it('coerces in place with s3db options: trimmed strings, defaults, unknown root keys removed', () => {
    const check = new Validator().compile({ name: 'string', role: 'string|default:user' })
    const obj = { name: '  Ann  ', extra: 1 }
    assert.equal(check(obj), true)
    assert.deepEqual(obj, { name: 'Ann', role: 'user' })
  })

  it('$$async: true gives a Promise', async () => {
    const check = new Validator().compile({ $$async: true, name: 'string' })
    const res = check({ name: 1 })
    assert.ok(res instanceof Promise)
    assert.equal((await res)[0].type, 'string')
  })

  it('secret fields are encrypted with the passphrase (autoEncrypt), or reported without one', async () => {
    const obj = { password: '  hunter2 ', note: 'x' }
    assert.equal(new Validator({ passphrase: 'pw' }).compile({ password: 'secret', note: 'string' })(obj), true)
    assert.notEqual(obj.password, 'hunter2')
    assert.equal(await decrypt(obj.password, 'pw'), 'hunter2', 'trimmed, then encrypted')
    const plain = { password: 'hunter2' }
    assert.equal(new Validator({ autoEncrypt: false }).compile({ password: 'secret' })(plain), true)
    assert.equal(plain.password, 'hunter2')
    const missing = new Validator().compile({ password: 'secret' })({ password: 'x' })
    assert.deepEqual(missing.map(e => [e.type, e.message, e.field]), [['encryptionKeyMissing', 'Missing configuration for secrets encryption.', 'password']])
    const typed = new Validator({ passphrase: 'pw' }).compile({ password: 'secret|min:8' })({ password: 'short' })
    assert.equal(typed[0].message, "This secret 'password' field length must be at least 8 long.")
  })

  it('validate(obj, schema), alias, and add (which cannot run in the engine)', () => {
    const v = new Validator()
    assert.equal(v.validate({ a: 'x' }, { a: 'string' }), true)
    v.alias('shortText', { type: 'string', max: 3 })
    assert.equal(v.validate({ a: 'abcd' }, { a: 'shortText' })[0].type, 'stringMax')
    assert.equal(v.validate({ a: null }, { a: 'shortText|optional' }), true)
    assert.throws(() => v.add('even', () => true), /custom rule functions/)
    assert.throws(() => new Validator({ options: { defaults: {} } }), /not supported: defaults/)
  })

  it('construction errors keep fastest-validator\'s message', () => {
    assert.throws(() => new Validator().compile({ a: 'nope' }), (e) => e.name === 'SchemaError' && /Invalid 'nope' type in validator schema/.test(e.message))
  })

  it('ValidatorManager returns one shared instance', () => {
    const a = new ValidatorManager({ autoEncrypt: false })
    const b = new ValidatorManager({ passphrase: 'ignored' })
    assert.equal(a, b)
    assert.ok(a instanceof Validator)
    assert.equal(a.autoEncrypt, false)
  })
})
