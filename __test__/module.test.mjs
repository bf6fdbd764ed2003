// The package loads both ways and exposes the s3db.js 4.1.7 export names this release covers.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { execFileSync } from 'node:child_process'
import * as esm from 's3db-native'

const require = createRequire(import.meta.url)

const NAMES_417 = ['S3db', 'Database', 'Client', 'ConnectionString', 'S3_DEFAULT_REGION', 'S3_DEFAULT_ENDPOINT', 'Validator', 'ValidatorManager',
  'BaseError', 'NoSuchBucket', 'NoSuchKey', 'NotFound', 'MissingMetadata', 'InvalidResourceItem', 'UnknownError',
  'ErrorMap', 'encrypt', 'decrypt', 'sha256']

describe('module formats', () => {
  it('require and import expose the same named exports', () => {
    const cjs = require('s3db-native')
    for (const n of NAMES_417) {
      assert.ok(n in cjs, `require: ${n}`)
      assert.ok(n in esm, `import: ${n}`)
      assert.equal(esm[n], cjs[n], n)
    }
    assert.equal(esm.default, undefined, 'no default export, like s3db.js')
    assert.equal(Object.getPrototypeOf(cjs.S3db), cjs.Database)
  })

  it('import gives every name require gives (index.mjs lists them by hand)', () => {
    const cjs = require('s3db-native')
    assert.deepEqual(Object.keys(esm).sort(), Object.keys(cjs).sort())
    for (const n of Object.keys(cjs)) assert.equal(esm[n], cjs[n], n)
  })

  it('error classes form the 4.1.7 hierarchy', () => {
    const { NotFound, NoSuchKey, BaseError, ErrorMap } = esm
    const e = new NotFound({ bucket: 'b', key: 'k' })
    assert.ok(e instanceof NoSuchKey && e instanceof BaseError && e instanceof Error)
    assert.equal(e.name, 'NotFound')
    assert.equal(e.message, 'Key [k] does not exists [bucket:b/k]')
    assert.equal(e.toString(), 'NotFound | Key [k] does not exists [bucket:b/k]')
    assert.deepEqual(Object.keys(ErrorMap).sort(), ['InvalidResourceItem', 'MissingMetadata', 'NoSuchBucket', 'NoSuchKey', 'NotFound', 'UnknownError'])
  })

  it('loads in a plain CommonJS process and exits promptly', () => {
    const out = execFileSync(process.execPath, ['-e', `
      const { S3db } = require(${JSON.stringify(require.resolve('../index.js'))});
      const db = new S3db({ connectionString: 'memory://mod-test/x' });
      db.connect().then(async () => {
        const r = await db.createResource({ name: 'n', attributes: { a: 'string' } });
        await r.insert({ id: '1', a: 'ok' });
        console.log((await r.get('1')).a);
      });
    `], { timeout: 20000 }).toString().trim()
    assert.equal(out, 'ok')
  })
})
