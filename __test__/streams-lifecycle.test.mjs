// Streams release everything they hold: a process exits on its own once a
// stream has finished, been destroyed or been aborted (no leaked
// ThreadsafeFunction or worker keeps the event loop alive), and the addon
// works inside a worker_thread.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { Worker } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'

const indexPath = fileURLToPath(new URL('../index.js', import.meta.url))

const prelude = `
const { S3db } = require(${JSON.stringify(indexPath)})
const { Readable } = require('node:stream')
const { pipeline } = require('node:stream/promises')
async function setup () {
  const db = new S3db({ connectionString: 'memory://exit-test/' + process.pid })
  await db.connect()
  const users = await db.createResource({ name: 'users', attributes: { name: 'string', n: 'number' } })
  await pipeline(Readable.from(Array.from({ length: 3000 }, (_, i) => ({ id: 'u' + i, name: 'n' + i, n: i }))), users.writable({ concurrency: 16 }))
  return users
}
`

const scenarios = {
  finished: `
    setup().then(async users => {
      let n = 0
      for await (const _ of users.readable()) n++
      console.log('done ' + n)
    })`,
  destroyed: `
    setup().then(users => {
      const r = users.readable({ concurrency: 8 })
      let n = 0
      r.on('data', () => { if (++n === 10) r.destroy() })
      r.on('close', () => console.log('done ' + n))
    })`,
  aborted: `
    setup().then(async users => {
      const ac = new AbortController()
      let n = 0
      try {
        for await (const _ of users.readable({ signal: ac.signal })) { if (++n === 10) ac.abort() }
      } catch (err) { console.log('done ' + err.name) }
    })`,
  'writer destroyed': `
    setup().then(users => {
      const w = users.writable()
      for (let i = 0; i < 100; i++) w.write({ id: 'w' + i, name: 'x', n: i })
      w.destroy()
      w.on('close', () => console.log('done ' + w.destroyed))
    })`
}

/** Run a script in a fresh node; resolve with its stdout once it exits by itself (killed after 20 s). */
function runChild (body) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', prelude + body], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', d => { out += d })
    child.stderr.on('data', d => { err += d })
    const killer = setTimeout(() => child.kill('SIGKILL'), 20000)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      clearTimeout(killer)
      resolve({ code, signal, out: out.trim(), err })
    })
  })
}

describe('stream lifecycle', () => {
  for (const [name, body] of Object.entries(scenarios)) {
    it(`the process exits by itself after a ${name} stream`, async () => {
      const r = await runChild(body)
      assert.equal(r.signal, null, `the process did not exit on its own (killed); stderr: ${r.err}`)
      assert.equal(r.code, 0, r.err)
      assert.match(r.out, /^done /)
      if (name === 'finished') assert.equal(r.out, 'done 3000')
      if (name === 'aborted') assert.equal(r.out, 'done AbortError')
    })
  }

  it('streams work inside a worker_thread', async () => {
    const worker = new Worker(prelude + `
      const { parentPort } = require('node:worker_threads')
      setup().then(async users => {
        let n = 0
        for await (const _ of users.readable()) n++
        parentPort.postMessage(n)
      })`, { eval: true })
    const n = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject) })
    assert.equal(n, 3000)
    const code = await new Promise(resolve => worker.once('exit', resolve))
    assert.equal(code, 0)
  })
})
