// One list of error kinds: the engine's ErrorKind (src/engine/error.rs, exposed as the
// binding's errorKinds()) and the facade's classes (lib/errors.js) must name the same kinds.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const native = require('../binding.js')
const errors = require('../lib/errors.js')
const pkg = require('../index.js')

// Classes the facade has that the engine never raises (4.1.7 exports them).
const JS_ONLY = ['MissingMetadata']

describe('error kinds', () => {
  it('every engine kind has the class of the same name, exported by the package', () => {
    const kinds = native.errorKinds()
    assert.ok(kinds.length > 10, 'the binding lists its kinds')
    for (const kind of kinds) {
      const Cls = errors.KIND_CLASSES[kind]
      assert.equal(typeof Cls, 'function', `no class for engine kind ${kind}`)
      assert.equal(Cls.name, kind)
      assert.equal(pkg[kind], Cls, `${kind} is exported`)
      assert.ok(new Cls({}) instanceof pkg.BaseError)
    }
  })

  it('the facade maps no kind the engine does not have', () => {
    const kinds = new Set(native.errorKinds())
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
})
