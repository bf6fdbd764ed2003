// Streams release everything they hold: a process exits on its own once a
// stream has finished, been destroyed or been aborted (no leaked
// ThreadsafeFunction or worker keeps the event loop alive), and the addon
// works inside a worker_thread. On every backend.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { backends, connectionString } from './helpers.mjs'

const indexPath = fileURLToPath(new URL('../index.js', import.meta.url))

const RECORDS = 1200

const prelude = (cs) => `
const { S3db } = require(${JSON.stringify(indexPath)})
const { Readable } = require('node:stream')
const { pipeline } = require('node:stream/promises')
async function setup () {
  const db = new S3db({ connectionString: ${JSON.stringify(cs)}, parallelism: 16 })
  await db.connect()
  const users = await db.createResource({ name: 'users', attributes: { name: 'string', n: 'number' } })
  await pipeline(Readable.from(Array.from({ length: ${RECORDS} }, (_, i) => ({ id: 'u' + i, name: 'n' + i, n: i }))), users.writable({ concurrency: 16 }))
  return users
}
`

// Each scenario prints one line when it is done; `out` is that line.
const scenarios = {
  finished: {
    out: `done ${RECORDS}`,
    body: `
    setup().then(async users => {
      let n = 0
      for await (const _ of users.readable()) n++
      console.log('done ' + n)
    })`
  },
  destroyed: {
    out: 'done 10', // no record after destroy()
    body: `
    setup().then(users => {
      const r = users.readable({ concurrency: 8 })
      let n = 0
      r.on('data', () => { if (++n === 10) r.destroy() })
      r.on('close', () => console.log('done ' + n))
    })`
  },
  aborted: {
    out: 'done AbortError 10',
    body: `
    setup().then(async users => {
      const ac = new AbortController()
      let n = 0
      try {
        for await (const _ of users.readable({ signal: ac.signal })) { if (++n === 10) ac.abort() }
      } catch (err) { console.log('done ' + err.name + ' ' + n) }
    })`
  },
  'writer destroyed': {
    out: 'done true',
    body: `
    setup().then(users => {
      const w = users.writable()
      for (let i = 0; i < 100; i++) w.write({ id: 'w' + i, name: 'x', n: i })
      w.destroy()
      w.on('close', () => console.log('done ' + w.destroyed))
    })`
  }
}

/** Run a script in a fresh node; resolve with its stdout once it exits by itself (killed after 60 s). */
function runChild (cs, body) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', prelude(cs) + body], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', d => { out += d })
    child.stderr.on('data', d => { err += d })
    const killer = setTimeout(() => child.kill('SIGKILL'), 60000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, out: out.trim(), err })
    })
  })
}

for (const backend of backends()) {
  describe(`stream lifecycle on ${backend}`, () => {
    for (const [name, { body, out }] of Object.entries(scenarios)) {
      it(`the process exits by itself after a ${name} stream`, async () => {
        const r = await runChild(connectionString(backend), body)
        assert.equal(r.signal, null, `the process did not exit on its own (killed); stderr: ${r.err}`)
        assert.equal(r.code, 0, r.err)
        assert.equal(r.out, out)
      })
    }

    it('streams work inside a worker_thread', async () => {
      const worker = new Worker(prelude(connectionString(backend)) + `
        const { parentPort } = require('node:worker_threads')
        setup().then(async users => {
          let n = 0
          for await (const _ of users.readable()) n++
          parentPort.postMessage(n)
        })`, { eval: true })
      const exited = new Promise(resolve => worker.once('exit', resolve))
      const n = await new Promise((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
        exited.then(code => reject(new Error(`the worker exited (code ${code}) before it posted its count`)))
      })
      assert.equal(n, RECORDS)
      assert.equal(await exited, 0)
    })
  })
}

describe('the addon in worker threads', () => {
  // Product defect found by this suite: when only worker threads load the addon (the main thread
  // never does), the second worker to load it after the first exited dies with SIGSEGV: the
  // library is unloaded with the first worker while native threads of it still run. Needs the
  // Rust fix described in the issue (keep the library loaded: RTLD_NODELETE, or no background
  // threads outliving the last environment). A todo test: it runs and reports, without failing
  // the suite, until then.
  it('one worker after another can load it, the main thread never having loaded it', { todo: 'SIGSEGV until the addon stays loaded across worker environments (Rust fix)' }, async () => {
    const script = `
      const { Worker } = require('node:worker_threads')
      const load = () => new Promise((resolve, reject) => {
        const w = new Worker(${JSON.stringify(`require(${JSON.stringify(indexPath)}); require('node:worker_threads').parentPort.postMessage('loaded')`)}, { eval: true })
        w.once('error', reject)
        w.once('exit', resolve)
      })
      load().then(load).then(() => console.log('done'))`
    const r = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
      let out = ''
      child.stdout.on('data', d => { out += d })
      child.on('error', reject)
      child.on('exit', (code, signal) => resolve({ code, signal, out: out.trim() }))
    })
    assert.deepEqual(r, { code: 0, signal: null, out: 'done' })
  })
})
