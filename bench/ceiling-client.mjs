// The "ceiling" of the benchmarks: a minimal hand-written S3 client in plain Node, doing at the
// wire level what a record insert and get need and nothing else. node:http with one keep-alive
// Agent (maxSockets = concurrency), AWS Signature V4 by node:crypto HMACs with the signing key
// cached per day/region/service, path-style URLs (the bench endpoints are local), no retries.
//
//   const c = new CeilingClient('http://KEY:SECRET@127.0.0.1:3900/bucket/prefix', { concurrency: 32 })
//   await c.putObject('resource=users/v=v0/id=u1', { _v: 'v0', 0: 'Ada' })   // empty body
//   const { metadata } = await c.headObject('resource=users/v=v0/id=u1')     // null when missing
//   const { keys, nextContinuationToken } = await c.listObjects({ prefix: 'resource=users/' })
//   c.close()
//
// The URL has the form s3db-native accepts for S3 (credentials percent-encoded, bucket as the
// first path segment, the rest a key prefix; `?region=` optional, default us-east-1).
import http from 'node:http'
import { createHash, createHmac } from 'node:crypto'

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex')
const SERVICE = 's3'
const META = 'x-amz-meta-'

/** RFC 3986 encoding of one key for the canonical URI and the request path ('/' kept). */
function encodeKey (key) {
  return encodeURIComponent(key)
    .replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
    .replace(/%2F/g, '/')
}

/** RFC 3986 encoding of a query component (nothing kept). */
function encodeQuery (s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

/** A header value as SigV4 canonicalizes it: trimmed, inner runs of spaces collapsed. */
const canonicalValue = (v) => String(v).trim().replace(/ {2,}/g, ' ')

export class CeilingClient {
  constructor (url, { concurrency = 32, clock = Date.now } = {}) {
    const u = new URL(url)
    if (u.protocol !== 'http:') throw new Error(`ceiling client: only http:// endpoints (got ${u.protocol})`)
    const [bucket, ...rest] = u.pathname.replace(/^\/+/, '').split('/')
    if (!bucket) throw new Error('ceiling client: the URL names no bucket')
    this.hostname = u.hostname
    this.port = Number(u.port || 80)
    this.host = u.host
    this.bucket = bucket
    this.prefix = rest.filter(Boolean).join('/')
    this.accessKeyId = decodeURIComponent(u.username)
    this.secretAccessKey = decodeURIComponent(u.password)
    this.region = u.searchParams.get('region') || 'us-east-1'
    this.clock = clock
    this.agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency })
    this.bucketPath = '/' + encodeKey(bucket)
    this._day = ''
    this._key = null
    this._second = -1
    this._amzDate = ''
  }

  /** A sub-client under `prefix` (same connection pool and signing-key cache). */
  withPrefix (prefix) {
    const c = Object.create(this)
    c.prefix = [this.prefix, prefix].filter(Boolean).join('/')
    return c
  }

  fullKey (key) { return this.prefix ? `${this.prefix}/${key}` : key }

  /** x-amz-date for now; recomputed once per second. */
  amzDate () {
    const now = this.clock()
    const second = Math.floor(now / 1000)
    if (second !== this._second) {
      this._second = second
      this._amzDate = new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
    }
    return this._amzDate
  }

  /** The SigV4 signing key for `day` (YYYYMMDD), derived once per day. */
  signingKey (day) {
    if (day !== this._day) {
      const h = (k, s) => createHmac('sha256', k).update(s).digest()
      this._key = h(h(h(h('AWS4' + this.secretAccessKey, day), this.region), SERVICE), 'aws4_request')
      this._day = day
    }
    return this._key
  }

  /**
   * Signs a request: `headers` holds every header to sign, lowercase names, and gets
   * x-amz-date, x-amz-content-sha256, host and authorization added.
   */
  sign (method, path, query, headers) {
    const amzDate = this.amzDate()
    const day = amzDate.slice(0, 8)
    headers.host = this.host
    headers['x-amz-content-sha256'] = EMPTY_SHA256
    headers['x-amz-date'] = amzDate
    const names = Object.keys(headers).sort()
    let canonicalHeaders = ''
    for (const n of names) canonicalHeaders += `${n}:${canonicalValue(headers[n])}\n`
    const signed = names.join(';')
    const canonical = `${method}\n${path}\n${query}\n${canonicalHeaders}\n${signed}\n${EMPTY_SHA256}`
    const scope = `${day}/${this.region}/${SERVICE}/aws4_request`
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`
    const signature = createHmac('sha256', this.signingKey(day)).update(toSign).digest('hex')
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${this.accessKeyId}/${scope}, SignedHeaders=${signed}, Signature=${signature}`
    return headers
  }

  /** One request with an empty body: resolves { status, headers, body } (body only when `withBody`). */
  request (method, path, query, headers, withBody) {
    this.sign(method, path, query, headers)
    return new Promise((resolve, reject) => {
      const req = http.request({
        agent: this.agent, hostname: this.hostname, port: this.port, method,
        path: query ? `${path}?${query}` : path, headers
      }, res => {
        if (!withBody && res.statusCode < 300) {
          res.resume()
          res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }))
          res.on('error', reject)
          return
        }
        const chunks = []
        res.on('data', c => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })
  }

  fail (what, key, r) {
    const code = /<Code>([^<]*)<\/Code>/.exec(r.body || '')?.[1]
    return new Error(`ceiling client: ${what} ${key} -> HTTP ${r.status}${code ? ` ${code}` : ''}`)
  }

  /** PUT of an empty body carrying `metadata` as x-amz-meta-* headers. */
  async putObject (key, metadata) {
    const headers = { 'content-length': '0' }
    for (const k in metadata) headers[META + k.toLowerCase()] = metadata[k]
    const path = `${this.bucketPath}/${encodeKey(this.fullKey(key))}`
    const r = await this.request('PUT', path, '', headers, false)
    if (r.status !== 200) throw this.fail('PUT', key, r)
  }

  /** HEAD: { metadata, contentLength, lastModified, contentType }, or null when the key is missing. */
  async headObject (key) {
    const path = `${this.bucketPath}/${encodeKey(this.fullKey(key))}`
    const r = await this.request('HEAD', path, '', {}, false)
    if (r.status === 404) return null
    if (r.status !== 200) throw this.fail('HEAD', key, r)
    const metadata = {}
    for (const name in r.headers) {
      if (name.startsWith(META)) metadata[name.slice(META.length)] = r.headers[name]
    }
    return {
      metadata,
      contentLength: Number(r.headers['content-length'] || 0),
      lastModified: r.headers['last-modified'],
      contentType: r.headers['content-type']
    }
  }

  /** One ListObjectsV2 page under `prefix` (relative to the client's prefix): keys relative to it. */
  async listObjects ({ prefix = '', continuationToken, maxKeys = 1000 } = {}) {
    const full = this.fullKey(prefix)
    const params = [['list-type', '2'], ['max-keys', String(maxKeys)], ['prefix', full]]
    if (continuationToken) params.push(['continuation-token', continuationToken])
    params.sort((a, b) => (a[0] < b[0] ? -1 : 1))
    const query = params.map(([k, v]) => `${encodeQuery(k)}=${encodeQuery(v)}`).join('&')
    const r = await this.request('GET', this.bucketPath, query, {}, true)
    if (r.status !== 200) throw this.fail('LIST', prefix, r)
    const strip = this.prefix ? this.prefix.length + 1 : 0
    const keys = []
    for (const m of r.body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(unescapeXml(m[1]).slice(strip))
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(r.body)
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(r.body)?.[1]
    return { keys, isTruncated: truncated, nextContinuationToken: truncated && next ? unescapeXml(next) : null }
  }

  close () { this.agent.destroy() }
}

function unescapeXml (s) {
  return s.replace(/&(lt|gt|amp|quot|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (m, name, dec, hex) =>
    dec ? String.fromCodePoint(Number(dec)) : hex ? String.fromCodePoint(parseInt(hex, 16)) : { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[name])
}
