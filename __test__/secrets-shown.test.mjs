// console.log / util.inspect / JSON.stringify never show a secret key or a passphrase
// (issue: "secrets stay secret"); code that reads the properties still gets them.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { inspect } from 'node:util'
import { lib } from './helpers.mjs'

const { S3db, Client, Resource, ConnectionString, Schema, Validator } = lib
const SECRET = 'TOPSECRET'
const PASS = 'MYPASSPHRASE'

const shown = (x) => [inspect(x, { depth: 8 }), inspect(x, { depth: null }), JSON.stringify(x), String(x)].join('\n')

describe('secrets are not shown', () => {
  it('S3db, Client, Resource, ConnectionString, Schema and Validator', async () => {
    const cs = `http://AKID:${SECRET}@127.0.0.1:9/bucket/prefix`
    const db = new S3db({ connectionString: cs, passphrase: PASS })
    const memory = new S3db({ connectionString: 'memory://shown/x', passphrase: PASS })
    await memory.connect()
    const users = await memory.createResource({ name: 'users', attributes: { password: 'secret' } })
    const alone = new Resource({ name: 'a', client: new Client({ connectionString: cs }), passphrase: PASS, attributes: { a: 'string' } })
    const objects = [db, db.client, memory, users, alone, new ConnectionString(cs), users.schema, new Schema({ name: 's', attributes: {}, passphrase: PASS }), new Validator({ passphrase: PASS })]
    for (const o of objects) {
      const text = shown(o)
      assert.ok(!text.includes(SECRET), `${o.constructor.name} shows the secret key`)
      assert.ok(!text.includes(PASS), `${o.constructor.name} shows the passphrase`)
    }
    assert.ok(inspect(db).includes('AKID'), 'the key id may show')
    // The properties themselves are unchanged (4.1.7 code reads them).
    assert.equal(db.options.connectionString, cs)
    assert.equal(db.passphrase, PASS)
    assert.equal(new ConnectionString(cs).secretAccessKey, SECRET)
  })
})
