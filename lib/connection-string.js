'use strict'
// ConnectionString (4.1.7): the parsed parts of a connection string, and the S3 defaults.

const { inspect } = require('node:util')
const { native } = require('./native')
const { callSync, argText, ConnectionStringError } = require('./errors')
const { redactedView } = require('./redact')

const S3_DEFAULT_REGION = 'us-east-1'
const S3_DEFAULT_ENDPOINT = 'https://s3.us-east-1.amazonaws.com'

// Query parameters the parser applies itself (typed: `forcePathStyle=false` is false, F1).
const APPLIED = new Set(['region', 'endpoint', 'forcePathStyle', 'bucket', 'keyPrefix'])

/**
 * `new ConnectionString(str)`: `region`, `bucket`, `accessKeyId`, `secretAccessKey`, `endpoint`,
 * `keyPrefix`, `forcePathStyle` (path-style endpoints only), and every other query parameter as
 * a string property, as 4.1.7. Unlike 4.1.7 (F1), credentials are percent-decoded and `s3://`
 * uses the endpoint of its region. `util.inspect` (console.log) hides the secret.
 */
class ConnectionString {
  constructor (connectionString) {
    this._define(argText(connectionString, 'connection string', ConnectionStringError))
  }

  _define (text) {
    const cfg = callSync(() => JSON.parse(native.nativeParseConnectionString(text)))
    this.region = cfg.region
    this.bucket = cfg.bucket
    this.accessKeyId = cfg.accessKeyId
    this.secretAccessKey = cfg.secretAccessKey
    this.endpoint = cfg.endpoint
    this.keyPrefix = cfg.keyPrefix
    if (cfg.forcePathStyle) this.forcePathStyle = true
    else delete this.forcePathStyle
    let url = null
    try { url = new URL(text) } catch {}
    if (url) for (const [k, v] of url.searchParams) if (!APPLIED.has(k)) this[k] = v
    return this
  }

  /** Read `url` (a URL or a string) as an `s3://` connection string: AWS, bucket in the host. */
  defineS3 (url) {
    return this._define(argText(url, 'connection string', ConnectionStringError).replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, 's3:'))
  }

  /** Read `url` (a URL or a string) as a path-style endpoint (MinIO and other S3-compatible stores). */
  defineMinio (url) {
    const text = String(url)
    return this._define(/^https:/i.test(text) ? text : text.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, 'http:'))
  }

  [inspect.custom] (depth, options, inspectFn = inspect) {
    return `ConnectionString ${inspectFn(redactedView(this), options)}`
  }

  /** JSON without the secret key. */
  toJSON () { return redactedView(this) }
}

module.exports = { ConnectionString, S3_DEFAULT_REGION, S3_DEFAULT_ENDPOINT }
