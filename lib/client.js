'use strict'
// Client (4.1.7): raw object access under the connection's key prefix.
//
// A Client owns the native connection (storage backend, `parallelism` limit,
// request meter); every Database built with `new Database({ client })` shares it.
// Every request goes through one path (`_command`: the `command.*` events, then the
// engine). Requests are sent by the Rust engine: there is no AWS SDK S3Client inside, so
// `client.client` (and `createClient()`) is a small stand-in whose `send(command)`
// goes through `sendCommand`, for code that sends SDK command objects itself.

const { EventEmitter } = require('node:events')
const { randomBytes } = require('node:crypto')
const { native } = require('./native')
const { BaseError, ConnectionStringError, ErrorMap, InvalidArgument, callSync, callAsync, argText } = require('./errors')

// The commands `sendCommand` accepts (4.1.7 sends these itself).
const COMMANDS = ['PutObjectCommand', 'GetObjectCommand', 'HeadObjectCommand', 'DeleteObjectCommand', 'DeleteObjectsCommand', 'CopyObjectCommand', 'ListObjectsV2Command']

function clientId () {
  return randomBytes(17).toString('base64url').slice(0, 22)
}

function toBuffer (body) {
  if (body === undefined || body === null) return undefined
  if (Buffer.isBuffer(body)) return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return Buffer.from(typeof body === 'string' ? body : String(body))
}

class Client extends EventEmitter {
  constructor ({ verbose = false, id = null, AwsS3Client, connectionString, parallelism = 10, endpoint, region, forcePathStyle, timeouts, maxAttempts, concurrency } = {}) {
    super()
    if (typeof connectionString !== 'string' || connectionString.length === 0) {
      throw new ConnectionStringError({ message: `Invalid connection string: a non-empty string is expected (got ${connectionString === null ? 'null' : typeof connectionString})` })
    }
    this.verbose = !!verbose
    this.id = id ?? clientId()
    this.parallelism = parseInt(argText(parallelism, 'parallelism', ConnectionStringError), 10) || 10
    const options = {
      connectionString,
      endpoint,
      region,
      forcePathStyle: typeof forcePathStyle === 'boolean' ? forcePathStyle : undefined,
      parallelism: this.parallelism,
      timeouts,
      maxAttempts,
      concurrency
    }
    Object.defineProperty(this, '_native', { value: callSync(() => new native.NativeClient(JSON.stringify(options))), enumerable: false })
    Object.defineProperty(this, '_config', { value: JSON.parse(this._native.config()), enumerable: false })
    // Kept for code that reads it; requests still go through the engine's own connection.
    this.client = AwsS3Client || this.createClient()
  }

  /** The connection's public settings (never the credentials). */
  get config () {
    const { bucket, keyPrefix, region, endpoint, forcePathStyle, concurrency, s3Client } = this._config
    return { bucket, keyPrefix, region, endpoint, forcePathStyle, concurrency, s3Client }
  }

  get bucket () { return this._config.bucket }
  get keyPrefix () { return this._config.keyPrefix }

  /** An S3Client-shaped stand-in: `send(command)` is `sendCommand(command)`. */
  createClient () {
    const self = this
    return {
      config: { region: this._config.region, endpoint: this._config.endpoint, forcePathStyle: this._config.forcePathStyle },
      send (command) { return self.sendCommand(command) },
      destroy () {}
    }
  }

  _fullKey (key) {
    const k = String(key ?? '')
    return this.keyPrefix ? `${this.keyPrefix}/${k.replace(/^\/+/, '')}` : k
  }

  _relativeKey (full) {
    if (!this.keyPrefix) return full
    const rest = full.startsWith(this.keyPrefix) ? full.slice(this.keyPrefix.length) : full
    return rest.startsWith('/') ? rest.slice(1) : rest
  }

  async _call (op, args, body) {
    const res = await callAsync(this._native.call(op, JSON.stringify(args), body))
    return { value: JSON.parse(res.json), body: res.body }
  }

  /** Run one S3 command (SDK-shaped `input`, absolute keys), with 4.1.7's command events. */
  async _command (name, input) {
    this.emit('command.request', name, input)
    let response
    try {
      response = await this._send(name, input)
    } catch (err) {
      throw this._verbose(err, name, input)
    }
    this.emit('command.response', name, response, input)
    return response
  }

  /**
   * A verbose client's errors carry 4.1.7's `Verbose:` section: the command (without its body)
   * and the connection's public settings, never the credentials (F4).
   */
  _verbose (err, name, input) {
    if (!this.verbose || !(err instanceof BaseError) || err.verboseDetails) return err
    const { Body, ...command } = input || {}
    const details = { command: { name, ...command }, config: this.config }
    err.message = `${err.message}\n\nVerbose:\n\n${JSON.stringify(details, null, 2)}`
    Object.defineProperty(err, 'verboseDetails', { value: details, enumerable: false, configurable: true })
    return err
  }

  /** A command on one key (relative to the key prefix), then the method's own event. */
  async _keyCommand (name, event, key) {
    const res = await this._command(name, { Bucket: this.bucket, Key: this._fullKey(key) })
    this.emit(event, res, { key })
    return res
  }

  _checkBucket (name, input) {
    if (input.Bucket !== undefined && input.Bucket !== this.bucket) {
      throw new InvalidArgument({ bucket: this.bucket, message: `${name}: Bucket '${input.Bucket}' is not this client's bucket '${this.bucket}'` })
    }
  }

  /**
   * Send an AWS SDK command object (`{ constructor: { name }, input }`): PutObject, GetObject,
   * HeadObject, DeleteObject, DeleteObjects, CopyObject, ListObjectsV2. Keys are absolute, as S3
   * sees them. Emits `command.request` and `command.response`.
   */
  async sendCommand (command) {
    const name = command && command.constructor && command.constructor.name
    const input = (command && command.input) || {}
    if (!COMMANDS.includes(name)) {
      throw new InvalidArgument({ bucket: this.bucket, message: `sendCommand: unsupported command ${name ?? typeof command}; supported: ${COMMANDS.join(', ')}` })
    }
    this._checkBucket(name, input)
    return this._command(name, input)
  }

  async _send (name, input) {
    switch (name) {
      case 'PutObjectCommand': {
        const { value } = await this._call('putObject', { key: input.Key, metadata: input.Metadata || {}, contentType: input.ContentType, contentEncoding: input.ContentEncoding }, toBuffer(input.Body) || Buffer.alloc(0))
        return value
      }
      case 'GetObjectCommand': {
        const { value, body } = await this._call('getObject', { key: input.Key })
        return { ...value, LastModified: new Date(value.LastModified), Body: body || Buffer.alloc(0) }
      }
      case 'HeadObjectCommand': {
        const { value } = await this._call('headObject', { key: input.Key })
        return { ...value, LastModified: new Date(value.LastModified) }
      }
      case 'DeleteObjectCommand':
        return (await this._call('deleteObject', { key: input.Key })).value
      case 'DeleteObjectsCommand': {
        const keys = ((input.Delete && input.Delete.Objects) || []).map(o => o.Key)
        const { value } = await this._call('deleteObjects', { keys })
        return { Deleted: value.deleted.map(Key => ({ Key })), Errors: [] }
      }
      case 'CopyObjectCommand': {
        // `<bucket>/<key>`; this client's bucket may itself hold `/` (a file:// directory).
        const source = String(input.CopySource || '').replace(/^\/+/, '')
        const own = String(this.bucket).replace(/^\/+/, '') + '/'
        const slash = source.indexOf('/')
        const [bucket, from] = source.startsWith(own)
          ? [this.bucket, source.slice(own.length)]
          : slash < 0 ? [source, ''] : [source.slice(0, slash), source.slice(slash + 1)]
        this._checkBucket(name, { Bucket: bucket })
        const { value } = await this._call('copyObject', { from, to: input.Key })
        return value
      }
      case 'ListObjectsV2Command': {
        const { value } = await this._call('listObjects', { prefix: input.Prefix || '', maxKeys: input.MaxKeys ?? 1000, continuationToken: input.ContinuationToken })
        return value
      }
    }
  }

  async putObject ({ key, metadata = {}, contentType, body, contentEncoding } = {}) {
    const input = { Bucket: this.bucket, Key: this._fullKey(key), Metadata: { ...metadata }, Body: toBuffer(body) || Buffer.alloc(0) }
    if (contentType !== undefined) input.ContentType = contentType
    if (contentEncoding !== undefined) input.ContentEncoding = contentEncoding
    const res = await this._command('PutObjectCommand', input)
    this.emit('putObject', res, { key, metadata, contentType, body, contentEncoding })
    return res
  }

  async getObject (key) {
    return this._keyCommand('GetObjectCommand', 'getObject', key)
  }

  async headObject (key) {
    return this._keyCommand('HeadObjectCommand', 'headObject', key)
  }

  /** `true`, `false` for a missing key; other errors are thrown. */
  async exists (key) {
    try {
      await this.headObject(key)
      return true
    } catch (err) {
      if (err && (err.name === 'NotFound' || err.name === 'NoSuchKey')) return false
      throw err
    }
  }

  async deleteObject (key) {
    return this._keyCommand('DeleteObjectCommand', 'deleteObject', key)
  }

  /** Deletes in chunks of 1000 keys: `{ deleted: [one response per chunk], notFound: [one error per failed chunk] }`. */
  async deleteObjects (keys) {
    const list = Array.from(keys || [], String)
    const report = { deleted: [], notFound: [] }
    for (let i = 0; i < list.length; i += 1000) {
      const input = { Bucket: this.bucket, Delete: { Objects: list.slice(i, i + 1000).map(k => ({ Key: this._fullKey(k) })) } }
      try {
        report.deleted.push(await this._command('DeleteObjectsCommand', input))
      } catch (err) {
        report.notFound.push(err)
      }
    }
    this.emit('deleteObjects', report, keys)
    return report
  }

  /** Server-side copy of `from` to `to` (both relative to the key prefix), through `sendCommand`'s path (F5). */
  async copyObject ({ from, to } = {}) {
    const input = { Bucket: this.bucket, CopySource: `${this.bucket}/${this._fullKey(from)}`, Key: this._fullKey(to) }
    const res = await this._command('CopyObjectCommand', input)
    this.emit('copyObject', res, { from, to })
    return res
  }

  /** Copy then delete; `true`. A failure is thrown as its error (4.1.7 threw a ReferenceError). */
  async moveObject ({ from, to } = {}) {
    await this.copyObject({ from, to })
    await this.deleteObject(from)
    return true
  }

  /** Moves every key under `prefixFrom` (first occurrence replaced by `prefixTo`); the new keys. */
  async moveAllObjects ({ prefixFrom, prefixTo } = {}) {
    const keys = await this.getAllKeys({ prefix: prefixFrom })
    const results = []
    const errors = []
    let next = 0
    const worker = async () => {
      while (next < keys.length) {
        const key = keys[next++]
        const to = key.replace(prefixFrom, prefixTo)
        try {
          await this.moveObject({ from: key, to })
          results.push(to)
        } catch (error) {
          errors.push({ message: error.message, raw: error, item: key })
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(this.parallelism, keys.length) }, worker))
    this.emit('moveAllObjects', { results, errors }, { prefixFrom, prefixTo })
    if (errors.length > 0) {
      const err = new Error('Some objects could not be moved')
      err.context = { bucket: this.bucket, operation: 'moveAllObjects', prefixFrom, prefixTo, totalKeys: keys.length, failedCount: errors.length, successCount: results.length, errors }
      throw err
    }
    return results
  }

  /** One ListObjectsV2 page under `prefix` (keys in the response are absolute, as S3 gives them). */
  async listObjects ({ prefix, maxKeys = 1000, continuationToken } = {}) {
    const input = { Bucket: this.bucket, MaxKeys: maxKeys, ContinuationToken: continuationToken, Prefix: this.keyPrefix ? this._fullKey(prefix || '') : prefix }
    const res = await this._command('ListObjectsV2Command', input)
    this.emit('listObjects', res, { prefix, maxKeys, continuationToken })
    return res
  }

  async _eachPage (prefix, fn) {
    let token
    do {
      const page = await this.listObjects({ prefix, continuationToken: token })
      fn(page)
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async count ({ prefix } = {}) {
    let n = 0
    await this._eachPage(prefix, page => { n += page.KeyCount || 0 })
    this.emit('count', n, { prefix })
    return n
  }

  /** Every key under `prefix`, relative to the key prefix. */
  async getAllKeys ({ prefix } = {}) {
    const keys = []
    await this._eachPage(prefix, page => { for (const o of page.Contents || []) keys.push(this._relativeKey(o.Key)) })
    this.emit('getAllKeys', keys, { prefix })
    return keys
  }

  /** The continuation token that skips `offset` keys under `prefix`; `null` for 0 or past the end. */
  async getContinuationTokenAfterOffset (params = {}) {
    const { prefix, offset = 1000 } = params
    if (offset === 0) return null
    let skipped = 0
    let token
    for (;;) {
      const page = await this.listObjects({ prefix, maxKeys: Math.min(1000, offset - skipped), continuationToken: token })
      skipped += page.KeyCount || 0
      token = page.IsTruncated ? page.NextContinuationToken : null
      if (skipped >= offset || !token) break
    }
    const result = skipped >= offset ? token || null : null
    this.emit('getContinuationTokenAfterOffset', result, params)
    return result
  }

  /** `amount` keys under `prefix` starting at `offset`, relative to the key prefix. */
  async getKeysPage (params = {}) {
    const { prefix, offset = 0, amount = 100 } = params
    let token
    if (offset > 0) {
      token = await this.getContinuationTokenAfterOffset({ prefix, offset })
      if (!token) {
        this.emit('getKeysPage', [], params)
        return []
      }
    }
    const keys = []
    do {
      const page = await this.listObjects({ prefix, continuationToken: token })
      for (const o of page.Contents || []) keys.push(this._relativeKey(o.Key))
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token && keys.length <= amount)
    const out = keys.slice(0, amount)
    this.emit('getKeysPage', out, params)
    return out
  }

  /**
   * Deletes every key under `prefix`, one listing page (1000 keys) at a time, through the same
   * commands as everything else (4.1.7 bypassed sendCommand: F5); the number deleted.
   */
  async deleteAll ({ prefix } = {}) {
    let total = 0
    for (;;) {
      const page = await this.listObjects({ prefix, maxKeys: 1000 })
      const keys = (page.Contents || []).map(o => this._relativeKey(o.Key))
      if (keys.length === 0) break
      const report = await this.deleteObjects(keys)
      if (report.notFound.length > 0) throw report.notFound[0]
      const batch = report.deleted.reduce((n, r) => n + r.Deleted.length, 0)
      total += batch
      this.emit('deleteAll', { prefix, batch, total })
      if (batch === 0) break // nothing could be removed: listing again would loop forever
    }
    this.emit('deleteAllComplete', { prefix, totalDeleted: total })
    return total
  }

  /** 4.1.7's mapping of an S3 error: a known name becomes a new error of that class built from `data`. */
  errorProxy (error, data = {}) {
    const Cls = error && ErrorMap[error.name]
    if (this.verbose) Object.assign(data, { bucket: this.bucket, config: this.config, verbose: true })
    if (Cls) return new Cls({ bucket: this.bucket, ...data })
    if (error && typeof error === 'object') error.data = data
    return error
  }
}

module.exports = { Client }
