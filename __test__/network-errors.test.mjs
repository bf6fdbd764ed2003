// Endpoints that refuse or never answer: operations settle within their deadlines with typed,
// secret-free errors; the deadlines and attempts are options (and connection-string query keys).
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { inspect } from 'node:util'
import { lib } from './helpers.mjs'

const { S3db, Client, UnknownError, NetworkError, TimeoutError, ConnectionStringError } = lib
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETKEY'
const cs = (port, query = '') => `http://AKIDEXAMPLE:${encodeURIComponent(SECRET)}@127.0.0.1:${port}/bucket/prefix${query}`

function noSecret (err) {
  const all = [err.message, err.stack, JSON.stringify(err), inspect(err, { showHidden: true, depth: 5 }), String(err.cause ?? '')].join('\n')
  assert.ok(!all.includes(SECRET) && !all.includes(encodeURIComponent(SECRET)), 'no secret in the error')
}

/** A TCP server that accepts connections and never writes a byte. */
async function silentServer () {
  const sockets = new Set()
  const server = net.createServer((s) => { sockets.add(s); s.on('error', () => {}) })
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  return { port: server.address().port, close: () => new Promise(resolve => { for (const s of sockets) s.destroy(); server.close(resolve) }) }
}

/** A port nothing listens on. */
async function deadPort () {
  const server = net.createServer()
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise(resolve => server.close(resolve))
  return port
}

describe('unreachable and silent endpoints', () => {
  it('a refused endpoint: NetworkError (an UnknownError) with errno, attempts and no secret', async () => {
    const db = new S3db({ connectionString: cs(await deadPort()), maxAttempts: 2, timeouts: { connectMs: 500, attemptMs: 1000, operationMs: 5000 } })
    const err = await db.connect().then(() => null, e => e)
    assert.ok(err instanceof NetworkError, `${err && err.name}: ${err && err.message}`)
    assert.ok(err instanceof UnknownError, '4.1.7 code that checks UnknownError still matches')
    assert.equal(err.code, 'NetworkError')
    assert.equal(err.errno, 'ECONNREFUSED')
    assert.equal(err.retryable, true)
    assert.equal(err.attempts, 2)
    assert.equal(typeof err.commandName, 'string')
    noSecret(err)
  })

  it('a server that accepts and never answers: connect() rejects with TimeoutError by the operation deadline', async () => {
    const silent = await silentServer()
    try {
      const db = new S3db({ connectionString: cs(silent.port), maxAttempts: 3, timeouts: { connectMs: 500, attemptMs: 400, operationMs: 3000 } })
      const t0 = Date.now()
      const err = await db.connect().then(() => null, e => e)
      const ms = Date.now() - t0
      assert.ok(err instanceof TimeoutError, `${err && err.name}: ${err && err.message}`)
      assert.equal(err.code, 'TimeoutError')
      assert.equal(err.retryable, true)
      // Three attempts of 400 ms fit the 3 s deadline unless the jittered backoff is long: then two.
      assert.ok(err.attempts === 2 || err.attempts === 3, `attempts: ${err.attempts}`)
      assert.ok(ms < 3000 + 1500, `settled in ${ms} ms`)
      noSecret(err)
    } finally {
      await silent.close()
    }
  })

  it('the deadlines come from the connection string query too, and bulk work through a silent server settles', async () => {
    const silent = await silentServer()
    try {
      const client = new Client({ connectionString: cs(silent.port, '?attemptTimeout=200&operationTimeout=1500&maxAttempts=2') })
      const t0 = Date.now()
      const settled = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => client.putObject({ key: `k${i}`, body: 'x' })))
      const ms = Date.now() - t0
      assert.ok(settled.every(s => s.status === 'rejected' && s.reason instanceof TimeoutError), settled.map(s => s.reason && s.reason.name).join())
      assert.ok(ms < 15000, `30 puts through 10 permits settled in ${ms} ms: a stalled request gives its permit back`)
      for (const s of settled) noSecret(s.reason)
    } finally {
      await silent.close()
    }
  })

  it('bad deadline options are refused with ConnectionStringError', () => {
    assert.throws(() => new S3db({ connectionString: cs(1), timeouts: { attemptMs: -1 } }), ConnectionStringError)
    assert.throws(() => new S3db({ connectionString: cs(1), timeouts: { soonMs: 10 } }), (e) => e instanceof ConnectionStringError && /unknown network option/.test(e.message))
    assert.throws(() => new S3db({ connectionString: cs(1), maxAttempts: 0 }), ConnectionStringError)
    assert.throws(() => new S3db({ connectionString: cs(1, '?operationTimeout=soon') }), (e) => e instanceof ConnectionStringError && !e.message.includes(SECRET))
    const c = new Client({ connectionString: cs(1, '?connectTimeout=700&maxAttempts=6'), timeouts: { operationMs: 4000 } })
    assert.deepEqual(JSON.parse(c._native.config()).timeouts, { connectMs: 700, attemptMs: 30000, operationMs: 4000 })
    assert.equal(JSON.parse(c._native.config()).maxAttempts, 6)
  })
})
