// Lifecycle hooks (preInsert … afterDelete): user JS called from the Rust operation
// through a ThreadsafeFunction, in 4.1.7's order, on every backend.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { backends, freshDb } from './helpers.mjs'

const attributes = { name: 'string', email: 'email', score: 'number|optional', slug: 'string|optional' }
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

for (const backend of backends()) {
  describe(`hooks on ${backend}`, () => {
    let db
    before(async () => { db = await freshDb(backend) })

    it('options.hooks and addHook run in order, async, with `this` = resource; pre* transform the data', async () => {
      const calls = []
      const users = await db.createResource({
        name: 'h1',
        attributes,
        options: {
          hooks: {
            preInsert: [
              async function (data) { calls.push(['preInsert#1', this.name, { ...data }]); await sleep(1); return { ...data, slug: data.name.toLowerCase() } },
              function (data) { calls.push(['preInsert#2', data.slug]); return { ...data, score: 1 } }
            ],
            afterInsert: [function (rec) { calls.push(['afterInsert', rec.id, rec.slug]); return 'ignored' }]
          }
        }
      })
      users.addHook('preInsert', (data) => { calls.push(['preInsert#3', data.score]); return data })
      users.addHook('notAnEvent', () => { throw new Error('never called') })
      const rec = await users.insert({ id: 'a', name: 'Ann', email: 'ann@example.com' })
      assert.deepEqual(calls, [
        ['preInsert#1', 'h1', { name: 'Ann', email: 'ann@example.com' }],
        ['preInsert#2', 'ann'],
        ['preInsert#3', 1],
        ['afterInsert', 'a', 'ann']
      ])
      assert.equal(rec.slug, 'ann')
      assert.equal(rec.score, 1)
      const got = await users.get('a')
      assert.equal(got.slug, 'ann')
      assert.equal(got.score, 1)
    })

    it('update and delete hooks see what 4.1.7 passes them', async () => {
      const users = await db.createResource({ name: 'h2', attributes })
      await users.insert({ id: 'b', name: 'Bob', email: 'bob@example.com', score: 1 })
      const calls = []
      users.addHook('preUpdate', (attrs) => { calls.push(['preUpdate', { ...attrs }]); return { ...attrs, score: attrs.score * 10 } })
      users.addHook('afterUpdate', (rec) => { calls.push(['afterUpdate', rec.id, rec.score]) })
      users.addHook('preDelete', (rec) => { calls.push(['preDelete', rec.id, rec.name]) })
      users.addHook('afterDelete', (rec) => { calls.push(['afterDelete', rec.id]) })
      const updated = await users.update('b', { score: 2 })
      assert.equal(updated.score, 20)
      assert.equal((await users.get('b')).score, 20)
      await users.delete('b')
      await users.delete('never-existed')
      assert.deepEqual(calls, [
        ['preUpdate', { score: 2 }],
        ['afterUpdate', 'b', 20],
        ['preDelete', 'b', 'Bob'],
        ['afterDelete', 'b'],
        ['preDelete', 'never-existed', undefined],
        ['afterDelete', 'never-existed']
      ])
    })

    it('a throwing pre* hook aborts the operation with that very error and writes nothing', async () => {
      const users = await db.createResource({ name: 'h3', attributes })
      class Refused extends Error {}
      const refusal = new Refused('no bobs')
      users.addHook('preInsert', (data) => { if (data.name === 'Bob') throw refusal; return data })
      await assert.rejects(users.insert({ id: 'bob', name: 'Bob', email: 'bob@example.com' }), (err) => err === refusal)
      assert.equal(await users.exists('bob'), false)
      await users.insert({ id: 'amy', name: 'Amy', email: 'amy@example.com' })
      users.addHook('preDelete', async () => { await sleep(1); throw refusal })
      await assert.rejects(users.delete('amy'), (err) => err === refusal)
      assert.equal(await users.exists('amy'), true)
      users.addHook('preUpdate', () => 'not an object')
      await assert.rejects(users.update('amy', { score: 1 }), { name: 'InvalidResourceItem' })
    })

    it('a throwing afterInsert hook rejects the insert; the record stays written (4.1.7)', async () => {
      const users = await db.createResource({ name: 'h4', attributes })
      users.addHook('afterInsert', () => { throw new TypeError('after') })
      await assert.rejects(users.insert({ id: 'c', name: 'Cy', email: 'cy@example.com' }), TypeError)
      assert.equal(await users.exists('c'), true)
    })

    it('hooks run for records written through writable(), failures reported per record', async () => {
      const users = await db.createResource({ name: 'h5', attributes })
      users.addHook('preInsert', (data) => {
        if (data.name === 'bad') throw new RangeError('refused by hook')
        return { ...data, slug: `s-${data.name}` }
      })
      const writer = users.writable({ concurrency: 4 })
      const failures = []
      writer.on('recordError', (err, rec) => failures.push([err, rec.name]))
      await pipeline(Readable.from([
        { id: 'w1', name: 'one', email: 'one@example.com' },
        { id: 'w2', name: 'bad', email: 'bad@example.com' },
        { id: 'w3', name: 'three', email: 'three@example.com' }
      ]), writer)
      assert.equal(failures.length, 1)
      assert.ok(failures[0][0] instanceof RangeError)
      assert.equal(failures[0][1], 'bad')
      assert.equal((await users.get('w3')).slug, 's-three')
      assert.deepEqual(writer.stats, { written: 2, failed: 1 })
    })

    it('hooks are never written into s3db.json (E1) and a new createResource replaces them', async () => {
      const users = await db.createResource({ name: 'h6', attributes, options: { hooks: { preInsert: [(d) => d] } } })
      const doc = await db.client.getObject('s3db.json')
      const text = doc.Body.toString('utf8')
      assert.ok(!text.includes('preInsert'), 's3db.json mentions lifecycle hooks')
      let calls = 0
      await db.createResource({ name: 'h6', attributes, options: { hooks: { preInsert: [(d) => { calls++; return d }] } } })
      assert.equal(users.hooks.preInsert.length, 1)
      await users.insert({ id: 'x', name: 'Xi', email: 'xi@example.com' })
      assert.equal(calls, 1)
    })
  })
}

describe('hooks and process lifetime', () => {
  it('registered hooks do not keep the process alive', async () => {
    const indexPath = fileURLToPath(new URL('../index.js', import.meta.url))
    const script = `
      const { S3db } = require(${JSON.stringify(indexPath)})
      ;(async () => {
        const db = new S3db({ connectionString: 'memory://hooks-exit/' + process.pid })
        await db.connect()
        const r = await db.createResource({ name: 'r', attributes: { name: 'string' } })
        r.addHook('preInsert', d => d)
        await r.insert({ name: 'x' })
        console.log('done')
      })()`
    const code = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
      const killer = setTimeout(() => child.kill('SIGKILL'), 20000)
      child.on('error', reject)
      child.on('exit', (c, signal) => { clearTimeout(killer); resolve(signal ? signal : c) })
    })
    assert.equal(code, 0)
  })
})
