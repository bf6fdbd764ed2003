// A fault-injecting HTTP proxy for the tests: it stands between the package and the S3 test
// server and, for the requests a rule picks, answers 503 SlowDown or 500 InternalError, resets
// the connection before the response or in the middle of its body, stalls (never answers), or
// trickles the response out slowly. Everything else is forwarded untouched (headers included,
// so SigV4 signatures stay valid).
import http from 'node:http'

const XML = (code, message) => `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULT${Date.now()}</RequestId></Error>`

/** The upstream response's whole body, then `done(body)`. */
function whole (upRes, done) {
  const parts = []
  upRes.on('data', (c) => parts.push(c))
  upRes.on('end', () => done(Buffer.concat(parts)))
}

export const FAULTS = ['503', '500', 'reset', 'reset-mid-body', 'stall', 'trickle']

/**
 * Start a proxy in front of `targetUrl` (an `http://KEY:SECRET@host:port/bucket...` connection
 * string). `proxy.url(prefix)` is the same connection string through the proxy;
 * `proxy.rule = (req, n) => fault | null` picks the fault for request number `n` (from 1).
 * `proxy.stats` counts requests and the faults injected.
 */
export async function startFaultProxy (targetUrl) {
  const target = new URL(targetUrl)
  const sockets = new Set()
  const stats = { requests: 0, injected: 0, byFault: {} }
  const proxy = {
    rule: () => null,
    stats,
    url: null,
    /** The target connection string with the proxy's host, under `prefix`. */
    connectionString (prefix) {
      const u = new URL(targetUrl)
      u.host = `127.0.0.1:${this.port}`
      return `${u.toString().replace(/\/+$/, '')}/${prefix}`
    },
    reset () { stats.requests = 0; stats.injected = 0; stats.byFault = {}; this.rule = () => null },
    /** A server restart as clients see it: every connection dropped, the port closed for `ms`, then open again. */
    restart (ms) {
      return new Promise((resolve, reject) => {
        server.close()
        for (const s of sockets) s.destroy()
        setTimeout(() => {
          server.listen(this.port, '127.0.0.1', resolve)
          server.once('error', reject)
        }, ms)
      })
    },
    close: () => new Promise(resolve => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  }

  function forward (req, res, body, onResponse) {
    const up = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: req.headers
    }, (upRes) => onResponse(upRes))
    up.on('error', () => { if (!res.headersSent) res.destroy() })
    up.end(body)
  }

  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('error', () => {})
    req.on('end', () => {
      const n = ++stats.requests
      const body = Buffer.concat(chunks)
      const fault = proxy.rule(req, n)
      if (fault) {
        stats.injected++
        stats.byFault[fault] = (stats.byFault[fault] || 0) + 1
      }
      switch (fault) {
        case '503':
          res.writeHead(503, { 'content-type': 'application/xml' })
          return res.end(XML('SlowDown', 'Please reduce your request rate.'))
        case '500':
          res.writeHead(500, { 'content-type': 'application/xml' })
          return res.end(XML('InternalError', 'We encountered an internal error. Please try again.'))
        case 'reset':
          return req.socket.destroy()
        case 'stall':
          return undefined // the socket stays open and silent until the client gives up
        case 'reset-mid-body':
          return forward(req, res, body, (upRes) => whole(upRes, (all) => {
              // Announce the whole body, send half of it (at least the headers), then cut.
              res.writeHead(upRes.statusCode, { ...upRes.headers, 'content-length': String(Math.max(all.length, 2)) })
              res.write(all.subarray(0, Math.floor(all.length / 2)))
              setTimeout(() => req.socket.destroy(), 5)
          }))
        case 'trickle':
          return forward(req, res, body, (upRes) => whole(upRes, (all) => {
              setTimeout(() => {
                res.writeHead(upRes.statusCode, upRes.headers)
                let at = 0
                const step = () => {
                  if (res.destroyed) return
                  if (at >= all.length) return res.end()
                  res.write(all.subarray(at, at + 64))
                  at += 64
                  setTimeout(step, 10)
                }
                step()
              }, 100)
          }))
        default:
          return forward(req, res, body, (upRes) => {
            res.writeHead(upRes.statusCode, upRes.headers)
            upRes.pipe(res)
          })
      }
    })
  })
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)) })
  server.on('clientError', (_err, socket) => socket.destroy())
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve))
  proxy.port = server.address().port
  return proxy
}
