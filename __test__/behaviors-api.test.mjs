// The behavior registry and the size calculator, exported as 4.1.7's modules had them.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import { lib } from './helpers.mjs'

const { behaviors, getBehavior, AVAILABLE_BEHAVIORS, DEFAULT_BEHAVIOR, calculateUTF8Bytes, transformValue, calculateAttributeNamesSize, calculateAttributeSizes, calculateTotalSize, S3db } = lib

const big = (n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), 'x'.repeat(100)]))

describe('behavior registry', () => {
  it('lists the four behaviors; getBehavior throws 4.1.7\'s message for others', () => {
    assert.deepEqual(AVAILABLE_BEHAVIORS, ['user-management', 'enforce-limits', 'data-truncate', 'body-overflow'])
    assert.equal(DEFAULT_BEHAVIOR, 'user-management')
    for (const name of AVAILABLE_BEHAVIORS) {
      for (const h of ['handleInsert', 'handleUpdate', 'handleUpsert', 'handleGet']) assert.equal(typeof behaviors[name][h], 'function', `${name}.${h}`)
    }
    assert.equal(getBehavior('body-overflow'), behaviors['body-overflow'])
    assert.throws(() => getBehavior('nope'), /Unknown behavior: nope. Available behaviors: user-management, enforce-limits, data-truncate, body-overflow/)
  })

  it('user-management writes unchanged and emits exceedsLimit over 2 KB', async () => {
    const resource = new EventEmitter()
    const seen = []
    resource.on('exceedsLimit', (e) => seen.push(e))
    const small = { _v: 'v0', 0: 'a' }
    assert.deepEqual(await getBehavior('user-management').handleInsert({ resource, data: {}, mappedData: small }), { mappedData: small, body: '' })
    const mappedData = big(25)
    const out = await getBehavior('user-management').handleUpdate({ resource, id: 'x', data: { a: 1 }, mappedData })
    assert.deepEqual(out.mappedData, mappedData)
    assert.equal(seen.length, 1)
    assert.equal(seen[0].operation, 'update')
    assert.equal(seen[0].id, 'x')
    assert.equal(seen[0].limit, 2048)
    assert.equal(seen[0].totalSize, calculateTotalSize(mappedData))
    assert.equal(seen[0].excess, seen[0].totalSize - 2048)
  })

  it('enforce-limits refuses, data-truncate cuts, body-overflow moves the rest to the body and handleGet merges it back', async () => {
    const mappedData = big(25)
    await assert.rejects(getBehavior('enforce-limits').handleInsert({ data: {}, mappedData }), /S3 metadata size exceeds 2KB limit. Current size: \d+ bytes, limit: 2048 bytes/)
    const cut = await getBehavior('data-truncate').handleInsert({ data: {}, mappedData })
    assert.ok(calculateTotalSize(cut.mappedData) <= 2048)
    assert.ok(Object.values(cut.mappedData).some(v => v.endsWith('...')))
    const over = await getBehavior('body-overflow').handleInsert({ data: {}, mappedData })
    assert.equal(over.mappedData.$overflow, 'true')
    assert.ok(calculateTotalSize(over.mappedData) <= 2048)
    const back = await getBehavior('body-overflow').handleGet({ metadata: over.mappedData, body: over.body })
    assert.deepEqual(back.metadata, mappedData)
    assert.equal(back.body, '')
  })
})

describe('size calculator', () => {
  it('counts what S3 counts: every name (with _v) and the encoded values', () => {
    assert.equal(calculateUTF8Bytes('aé😀'), 1 + 2 + 4)
    assert.equal(transformValue(true), '1')
    assert.equal(transformValue([1, 'b']), '1|b')
    assert.equal(transformValue([]), '[]')
    assert.equal(transformValue(null), '')
    assert.equal(calculateAttributeNamesSize({ _v: 'v0', ab: 'x' }), 4)
    assert.deepEqual(calculateAttributeSizes({ _v: 'v0', a: 'hello' }), { _v: 2, a: 5 })
    assert.equal(calculateTotalSize({ _v: 'v0', a: 'hello' }), 2 + 1 + 2 + 5)
    assert.ok(calculateAttributeSizes({ a: 'é' }).a > 2, 'a non-ASCII value is measured as it goes on the wire')
  })

  it('agrees with what the engine refuses (enforce-limits) on a real resource', async () => {
    const db = new S3db({ connectionString: 'memory://calc/x' })
    await db.connect()
    const r = await db.createResource({ name: 'r', attributes: { a: 'string' }, behavior: 'enforce-limits' })
    const md = await r.schema.mapper({ a: 'x'.repeat(2050) })
    assert.ok(calculateTotalSize(md) > 2048)
    await assert.rejects(r.insert({ a: 'x'.repeat(2050) }), (e) => e.name === 'MetadataLimitExceeded')
  })
})
