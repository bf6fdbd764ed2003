// One list of error kinds: the engine's ErrorKind (src/engine/error.rs, exposed as the
// binding's errorKinds() with each kind's parent, code and retryability) and the facade's
// classes (lib/errors.js) must agree; every error the package throws carries a stable code.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'

const require = createRequire(import.meta.url)
const native = require('../binding.js')
const errors = require('../lib/errors.js')
const pkg = require('../index.js')

// Classes the facade has that the engine never raises (4.1.7 exports them).
const JS_ONLY = ['MissingMetadata']

describe('error kinds', () => {
  it('every engine kind has the class of the same name, exported, extending the class the engine names', () => {
    const kinds = native.errorKinds()
    assert.ok(kinds.length > 20, 'the binding lists its kinds')
    for (const { kind, parent, code, retryable } of kinds) {
      const Cls = errors.KIND_CLASSES[kind]
      assert.equal(typeof Cls, 'function', `no class for engine kind ${kind}`)
      assert.equal(Cls.name, kind)
      assert.equal(pkg[kind], Cls, `${kind} is exported`)
      const Parent = parent ? errors.KIND_CLASSES[parent] : pkg.BaseError
      assert.equal(Object.getPrototypeOf(Cls), Parent, `${kind} extends ${parent || 'BaseError'}`)
      const e = new Cls({})
      assert.ok(e instanceof pkg.BaseError)
      assert.equal(e.code, code, `${kind}'s code`)
      assert.equal(typeof retryable, 'boolean')
    }
  })

  it('only the transport kinds are retryable; the new kinds are UnknownErrors for 4.1.7 code', () => {
    const retryable = native.errorKinds().filter((k) => k.retryable).map((k) => k.kind).sort()
    assert.deepEqual(retryable, ['NetworkError', 'ServerError', 'ThrottledError', 'TimeoutError'])
    for (const k of ['InvalidArgument', 'HookError', 'InternalError', 'NetworkError']) {
      assert.ok(new pkg[k]({}) instanceof pkg.UnknownError, k)
    }
    assert.equal(new pkg.NotFound({}).code, 'NoSuchKey', 'a missing key is NoSuchKey, HEAD or GET')
  })

  it('the facade maps no kind the engine does not have', () => {
    const kinds = new Set(native.errorKinds().map((k) => k.kind))
    const extra = Object.keys(errors.KIND_CLASSES).filter(k => !kinds.has(k) && !JS_ONLY.includes(k))
    assert.deepEqual(extra, [])
  })

  it('an engine error arrives as its class', async () => {
    const db = new pkg.S3db({ connectionString: 'memory://kinds/x' })
    await db.connect()
    const r = await db.createResource({ name: 'k', attributes: { a: 'string' } })
    await assert.rejects(r.get('missing'), (e) => e instanceof pkg.NoSuchKey && e.code === 'NoSuchKey')
    await assert.rejects(r.insert({ id: 'a/../b', a: 'x' }), pkg.InvalidId)
  })

  it('bad arguments, hook failures and misuse each have their own kind and code', async () => {
    const db = new pkg.S3db({ connectionString: 'memory://kinds/args' })
    await db.connect()
    const r = await db.createResource({ name: 'k', attributes: { a: 'string' } })
    // An operation the engine does not know (what a facade bug or a crafted call would send).
    await assert.rejects(r._call('noSuchOperation', []), (e) => e instanceof pkg.InvalidArgument && e.code === 'InvalidArgument' && e.retryable === false)
    // Arguments the binding cannot parse.
    await assert.rejects(db._calls.resourceCall('k', 'insert', '{not json'), (e) => errors.fromNative(e) instanceof pkg.InvalidArgument)
    // A hook that returns nothing usable is the caller's schema problem; one that throws gives its own value.
    const hooked = await db.createResource({ name: 'h', attributes: { a: 'string' }, options: { hooks: { preInsert: [() => { throw 'plain string' }] } } })
    await assert.rejects(hooked.insert({ a: 'x' }), (e) => e === 'plain string')
    // Errors the facade throws itself carry codes too.
    const client = new pkg.Client({ connectionString: 'memory://kinds/client' })
    await assert.rejects(client.sendCommand({ input: {} }), (e) => e instanceof pkg.InvalidArgument && e.code === 'InvalidArgument')
    const cache = new pkg.MemoryCache()
    await assert.rejects(async () => cache.get(''), (e) => e instanceof pkg.InvalidArgument && e.message === 'Invalid key')
    assert.throws(() => new pkg.ResourceReader({}), (e) => e.code === 'InvalidArgument')
  })

  it("index.d.ts's ErrorCode names exactly the engine's codes and the facade-only classes", () => {
    const dts = readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8')
    const union = (name) => {
      const m = dts.match(new RegExp(`export type ${name} =([^]*?)\\n(?:/\\*\\*|export|\\n)`))
      assert.ok(m, `type ${name} in index.d.ts`)
      return m[1]
    }
    const text = union('ErrorCode') + union('UnknownErrorCode')
    const typed = new Set([...text.matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1]))
    const expected = new Set([...native.errorKinds().map((k) => k.code), ...JS_ONLY, 'BaseError'])
    assert.deepEqual([...typed].sort(), [...expected].sort())
    const unknownCodes = [...union('UnknownErrorCode').matchAll(/'([A-Za-z]+)'/g)].map((m) => m[1]).sort()
    const underUnknown = native.errorKinds().filter((k) => k.kind === 'UnknownError' || k.parent === 'UnknownError').map((k) => k.code).sort()
    assert.deepEqual(unknownCodes, underUnknown)
  })

  it('the wire markers come from the engine', () => {
    const w = native.wireMarkers()
    assert.equal(w.errorPrefix, 'S3DB_NATIVE_ERROR:')
    for (const m of [w.resultRef, w.resultItemRef, w.inputItemRef]) assert.equal(m.charCodeAt(0), 1)
  })
})
