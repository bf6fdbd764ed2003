'use strict'
// s3db-native: the s3db.js-compatible facade over the native engine.
//
// This file owns the JS-only parts: s3db.js class names and signatures, the
// EventEmitter surface, error classes, and argument defaults. It performs no
// S3 calls itself: every operation goes to the Rust engine (./binding.js) as
// JSON and comes back as `{ result, events }`; the events are emitted here in
// the order the engine lists them.

const { EventEmitter } = require('node:events')
const { Readable, Writable } = require('node:stream')
const path = require('node:path')
const zlib = require('node:zlib')
const crypto = require('node:crypto')
// The platforms with a prebuilt package (`s3db-native-<platform>`, an optional dependency).
const PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu', 'linux-x64-musl', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc']

/** This process's platform in the package naming (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, …). */
function platformName () {
  const { platform, arch } = process
  if (platform === 'linux') {
    let glibc = true
    try { glibc = Boolean(process.report.getReport().header.glibcVersionRuntime) } catch {}
    return `linux-${arch}-${glibc ? 'gnu' : 'musl'}`
  }
  if (platform === 'win32') return `win32-${arch}-msvc`
  return `${platform}-${arch}`
}

// The napi-rs loader (./binding.js) looks for ./s3db-native.<platform>.node, then for the
// platform package. When neither loads, say which platform and what to do.
function loadNative () {
  try {
    return require('./binding.js')
  } catch (cause) {
    const name = platformName()
    const message = PLATFORMS.includes(name)
      ? `s3db-native: the native binary for ${name} could not be loaded. It comes in the optional dependency ` +
        `s3db-native-${name}: reinstall without --omit=optional / --no-optional (or \`npm i s3db-native-${name}\`), ` +
        'or build it from source with `npm run build` (needs Rust).'
      : `s3db-native: there is no prebuilt binary for ${name}. Prebuilt: ${PLATFORMS.join(', ')}. ` +
        'Build it from source with `npm run build` in the package (needs Rust).'
    const err = new Error(message, { cause })
    err.code = 'S3DB_NATIVE_BINDING_NOT_FOUND'
    throw err
  }
}

const native = loadNative()

const PKG_VERSION = '0.1.0'
const S3_DEFAULT_REGION = 'us-east-1'
const S3_DEFAULT_ENDPOINT = 'https://s3.us-east-1.amazonaws.com'
const NATIVE_PREFIX = 'S3DB_NATIVE_ERROR:'

// ---------------------------------------------------------------------------
// Errors (s3db.js 4.1.7 classes, plus typed classes for failures 4.1.7 threw as
// plain Errors). Every class extends BaseError, which extends Error.

class BaseError extends Error {
  constructor ({ verbose, bucket, message, ...rest } = {}) {
    let text = message || ''
    if (verbose) text = `${text}\n\nVerbose:\n\n${JSON.stringify(rest, null, 2)}`
    super(text)
    if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(this, this.constructor)
    this.name = this.constructor.name
    this.bucket = bucket
    this.thrownAt = new Date()
  }

  toJson () { return { ...this } }
  toString () { return `${this.name} | ${this.message}` }
}

class NoSuchBucket extends BaseError {
  constructor ({ bucket, ...rest } = {}) {
    super({ ...rest, bucket, message: rest.message || `Bucket does not exists [bucket:${bucket}]` })
  }
}

class NoSuchKey extends BaseError {
  constructor ({ bucket, key, ...rest } = {}) {
    super({ ...rest, bucket, message: rest.message || `Key [${key}] does not exists [bucket:${bucket}/${key}]` })
    this.key = key
  }
}

class NotFound extends NoSuchKey {}

class MissingMetadata extends BaseError {
  constructor ({ bucket, ...rest } = {}) {
    super({ ...rest, bucket, message: rest.message || `Missing metadata for bucket [bucket:${bucket}]` })
  }
}

class InvalidResourceItem extends BaseError {
  constructor ({ bucket, resourceName, attributes, validation, message, ...rest } = {}) {
    super({
      ...rest,
      bucket,
      message: message || `This item is not valid. Resource=${resourceName} [bucket:${bucket}].\n${JSON.stringify(validation, null, 2)}`
    })
    this.resourceName = resourceName
    this.attributes = attributes
    this.validation = validation
  }
}

class UnknownError extends BaseError {}

// Typed errors for failures s3db.js 4.1.7 reported as plain `Error`s.
class ConnectionStringError extends BaseError {}
class SchemaError extends BaseError {}
class InvalidId extends BaseError {}
class ResourceNotFound extends BaseError {}
class MetadataTooLarge extends BaseError {}
class MetadataLimitExceeded extends BaseError {}
class PermissionError extends BaseError {}
class ParanoidError extends BaseError {}
class DecryptionError extends BaseError {}
class CorruptData extends BaseError {}
class Cancelled extends BaseError {}
/** Unknown partition, or partition values that do not fit it. */
class PartitionError extends BaseError {}

const ErrorMap = { NotFound, NoSuchKey, UnknownError, NoSuchBucket, MissingMetadata, InvalidResourceItem }

const KIND_CLASSES = {
  ...ErrorMap,
  ConnectionStringError,
  SchemaError,
  InvalidId,
  ResourceNotFound,
  MetadataTooLarge,
  MetadataLimitExceeded,
  PermissionError,
  ParanoidError,
  DecryptionError,
  CorruptData,
  Cancelled,
  PartitionError
}

// Stable `code`s (the streaming guide checks `err.code === 'NoSuchKey'`).
const KIND_CODES = { NotFound: 'NoSuchKey', NoSuchKey: 'NoSuchKey' }

function errorFromInfo (info) {
  const Cls = KIND_CLASSES[info.kind] || UnknownError
  const details = info.details || {}
  const { bucket, originalError, events, ...rest } = details
  let err
  if (Cls === InvalidResourceItem) {
    err = new InvalidResourceItem({
      bucket,
      resourceName: rest.resourceName,
      attributes: reviveDates(rest.attributes),
      validation: rest.validation,
      message: info.message
    })
  } else {
    err = new Cls({ bucket, key: rest.key, message: info.message })
    for (const [k, v] of Object.entries(rest)) {
      if (k !== 'key' || err.key === undefined) err[k] = v
    }
  }
  if (originalError) err.originalError = errorFromInfo(originalError)
  if (events) Object.defineProperty(err, 'events', { value: events, enumerable: false, writable: true, configurable: true })
  Object.defineProperty(err, 'code', { value: KIND_CODES[info.kind] || info.kind, enumerable: false, writable: true, configurable: true })
  if (info.causes && info.causes.length) {
    Object.defineProperty(err, 'causes', { value: info.causes, enumerable: false, writable: true, configurable: true })
  }
  return err
}

/** Turn an error thrown by the binding into the s3db.js error class it stands for. */
function fromNative (err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(NATIVE_PREFIX)) {
    let info
    try {
      info = JSON.parse(err.message.slice(NATIVE_PREFIX.length))
    } catch {
      return err
    }
    return errorFromInfo(info)
  }
  return err
}

function callSync (fn) {
  try {
    return fn()
  } catch (err) {
    throw fromNative(err)
  }
}

async function callAsync (promise) {
  try {
    return await promise
  } catch (err) {
    throw fromNative(err)
  }
}

// ---------------------------------------------------------------------------
// Values across the boundary. JSON both ways; a JS Date inside a record is sent
// as `{ "$date": iso }` and comes back the same way.

function dateReplacer (key, value) {
  const raw = this[key]
  if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? null : raw.toISOString() }
  return value
}

function encodeArgs (args) {
  return JSON.stringify(args, dateReplacer)
}

function isDateTag (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.$date === 'string' && Object.keys(v).length === 1
}

function reviveDates (v) {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = reviveDates(v[i])
    return v
  }
  if (v !== null && typeof v === 'object') {
    if (isDateTag(v)) return new Date(v.$date)
    for (const k of Object.keys(v)) v[k] = reviveDates(v[k])
  }
  return v
}

function reviveRecord (rec) {
  if (rec !== null && typeof rec === 'object' && !Array.isArray(rec) && typeof rec._lastModified === 'string') {
    rec._lastModified = new Date(rec._lastModified)
  }
  return rec
}

function revive (value, hasDates) {
  if (hasDates) value = reviveDates(value)
  if (Array.isArray(value)) {
    for (const r of value) reviveRecord(r)
  } else if (value !== null && typeof value === 'object') {
    reviveRecord(value)
    if (Array.isArray(value.items)) for (const r of value.items) reviveRecord(r)
  }
  return value
}

// An event argument that stands for the operation's result (sent once, emitted as the same object).
const RESULT_REF = '\u0001s3db:result'
const RESULT_ITEM_REF = '\u0001s3db:result:' // + index into an array result

function resultRef (arg, result) {
  if (arg === RESULT_REF) return result
  return result[Number(arg.slice(RESULT_ITEM_REF.length))]
}

function decodeOutput (text) {
  const hasDates = text.includes('"$date"')
  const out = JSON.parse(text)
  out.result = revive(out.result, hasDates)
  for (const ev of out.events) {
    for (let i = 1; i < ev.length; i++) {
      const a = ev[i]
      ev[i] = typeof a === 'string' && a.startsWith(RESULT_REF) ? resultRef(a, out.result) : revive(a, hasDates)
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// Client: raw object access under the database key prefix (s3db.js `Client` subset).

class Client extends EventEmitter {
  constructor (db) {
    super()
    this._db = db
    this.parallelism = db.parallelism
    this.verbose = db.verbose
    this.id = undefined
  }

  get config () {
    const { bucket, keyPrefix, region, endpoint, forcePathStyle } = this._db._config
    return { bucket, keyPrefix, region, endpoint, forcePathStyle }
  }

  get bucket () { return this._db._config.bucket }
  get keyPrefix () { return this._db._config.keyPrefix }

  async _call (op, args, body) {
    const res = await callAsync(this._db._native.clientCall(op, JSON.stringify(args), body))
    return { value: JSON.parse(res.json), body: res.body }
  }

  async putObject ({ key, metadata = {}, contentType, body, contentEncoding } = {}) {
    const buf = body === undefined || body === null ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : String(body))
    const { value } = await this._call('putObject', { key, metadata, contentType, contentEncoding }, buf)
    this.emit('putObject', value, { key, metadata, contentType })
    return value
  }

  async getObject (key) {
    const { value, body } = await this._call('getObject', { key })
    const res = { ...value, LastModified: new Date(value.LastModified), Body: body || Buffer.alloc(0) }
    this.emit('getObject', res, { key })
    return res
  }

  async headObject (key) {
    const { value } = await this._call('headObject', { key })
    const res = { ...value, LastModified: new Date(value.LastModified) }
    this.emit('headObject', res, { key })
    return res
  }

  async exists (key) {
    return (await this._call('exists', { key })).value
  }

  async deleteObject (key) {
    const { value } = await this._call('deleteObject', { key })
    this.emit('deleteObject', value, { key })
    return value
  }

  async deleteObjects (keys) {
    const { value } = await this._call('deleteObjects', { keys })
    this.emit('deleteObjects', value, keys)
    return value
  }

  async listObjects ({ prefix = '', maxKeys = 1000, continuationToken } = {}) {
    const { value } = await this._call('listObjects', { prefix, maxKeys, continuationToken })
    this.emit('listObjects', value, { prefix, maxKeys, continuationToken })
    return value
  }

  async count ({ prefix = '' } = {}) {
    const { value } = await this._call('count', { prefix })
    this.emit('count', value, { prefix })
    return value
  }

  async getAllKeys ({ prefix = '' } = {}) {
    const { value } = await this._call('getAllKeys', { prefix })
    this.emit('getAllKeys', value, { prefix })
    return value
  }
}

// ---------------------------------------------------------------------------
// Resource

const HOOK_EVENTS = ['preInsert', 'afterInsert', 'preUpdate', 'afterUpdate', 'preDelete', 'afterDelete']

const RESOURCE_METHODS = ['insert', 'get', 'exists', 'update', 'upsert', 'delete', 'insertMany', 'getMany', 'deleteMany',
  'getAll', 'deleteAll', 'listIds', 'count', 'list', 'page', 'query']

class Resource extends EventEmitter {
  constructor (database, info) {
    super()
    Object.defineProperty(this, 'database', { value: database, enumerable: false, writable: true })
    Object.defineProperty(this, '_hookCallback', { value: (text) => this._runHookCall(text), enumerable: false })
    this.observers = [database]
    this.hooks = Object.fromEntries(HOOK_EVENTS.map(e => [e, []]))
    this._apply(info)
  }

  /** Register a lifecycle hook (`this` is the resource); unknown events are ignored, as in 4.1.7. */
  addHook (event, fn) {
    if (!HOOK_EVENTS.includes(event) || typeof fn !== 'function') return
    this.hooks[event].push(fn.bind(this))
    this._syncHooks()
  }

  /** Run the `event` chain: each hook gets the previous one's return value. */
  async executeHooks (event, data) {
    let value = data
    for (const hook of this.hooks[event] || []) value = await hook(value)
    return value
  }

  // Tell the engine which phases have hooks; it calls back only for those.
  _syncHooks () {
    const phases = HOOK_EVENTS.filter(e => Array.isArray(this.hooks[e]) && this.hooks[e].length > 0)
    callSync(() => this.database._native.setHooks(this.name, phases, phases.length > 0 ? this._hookCallback : null))
  }

  // Called from a Rust operation through a ThreadsafeFunction; never rejects.
  async _runHookCall (text) {
    try {
      const { phase, data } = JSON.parse(text)
      const value = revive(data, text.includes('"$date"'))
      const out = await this.executeHooks(phase, value)
      return JSON.stringify({ data: out === undefined ? null : out }, dateReplacer)
    } catch (err) {
      return JSON.stringify({ error: this.database._keepHookError(err) })
    }
  }

  _apply (info) {
    this.name = info.name
    this.version = info.version
    this.behavior = info.behavior
    this.attributes = info.attributes
    this.options = info.options
    this.map = info.map
    this.passphrase = this.database.passphrase
    this.parallelism = this.database.parallelism
    this._dateFields = info.dateFields || []
    this._definitionHash = info.definitionHash
    this._versionHash = info.versionHash
    Object.defineProperty(this, '_schema', { value: null, enumerable: false, writable: true, configurable: true })
  }

  /** The resource's current `Schema` (validate / mapper / unmapper / export), built on first use. */
  get schema () {
    if (this._schema === null) {
      this._schema = new Schema({ name: this.name, version: this.version, attributes: this.attributes, options: this.options, map: this.map, passphrase: this.passphrase, behavior: this.behavior })
    }
    return this._schema
  }

  get client () { return this.database.client }

  _emitEvents (events) {
    for (const [name, ...args] of events) {
      if (name === 'error') {
        const err = errorFromInfo(args[0])
        // D3: listener presence never changes control flow.
        if (this.listenerCount('error') > 0) this.emit('error', err, args[1])
        if (this.database.listenerCount('error') > 0) this.database.emit('error', this.name, err, args[1])
        continue
      }
      this.emit(name, ...args)
      if (name === 'deleted') this.database.emit('deleted', this.name, ...args)
      if (name === 'exceedsLimit') this.database.emit('exceedsLimit', { resource: this.name, ...args[0] })
    }
  }

  async _call (op, args) {
    let text
    try {
      text = await this.database._native.resourceCall(this.name, op, encodeArgs(args))
    } catch (nativeErr) {
      const err = fromNative(nativeErr)
      // Events produced before the failure (e.g. the `get` of an update) are still emitted.
      if (Array.isArray(err.events)) {
        const events = err.events
        delete err.events
        this._emitEvents(events.map(ev => ev.map((a, i) => (i === 0 ? a : revive(a, true)))))
      }
      // A hook that threw: the caller gets the very value it threw.
      throw this.database._takeHookError(err)
    }
    const { result, events } = decodeOutput(text)
    this._emitEvents(events)
    return result
  }

  insert (data) { return this._call('insert', [data]) }
  get (id) { return this._call('get', [id]) }
  exists (id) { return this._call('exists', [id]) }
  update (id, attributes) { return this._call('update', [id, attributes]) }
  upsert (data) { return this._call('upsert', [data]) }
  delete (id) { return this._call('delete', [id]) }
  insertMany (objects) { return this._call('insertMany', [objects]) }
  getMany (ids) { return this._call('getMany', [ids]) }
  deleteMany (ids) { return this._call('deleteMany', [ids]) }
  getAll () { return this._call('getAll', []) }
  deleteAll () { return this._call('deleteAll', []) }
  listIds (options = {}) { return this._call('listIds', [options || {}]) }
  count (options = {}) { return this._call('count', [options || {}]) }
  list (options = {}) { return this._call('list', [options || {}]) }
  /**
   * `page({ offset, size, partition, partitionValues, skipCount })`; the older
   * positional form of the 4.1.7 README, `page(offset, size, { partition, partitionValues })`,
   * is accepted too.
   */
  page (options = {}, size, extra) {
    if (typeof options === 'number') options = { ...(extra || {}), offset: options, ...(size === undefined ? {} : { size }) }
    const { offset = 0, size: pageSize = 100, partition = null, partitionValues = {}, skipCount = false } = options || {}
    return this._call('page', [{ offset, size: pageSize, partition, partitionValues, skipCount }])
  }

  /** The records of one partition: `list({ partition, partitionValues, limit, offset })`. */
  listByPartition ({ partition, partitionValues = {} } = {}, { limit, offset = 0 } = {}) {
    return this.list({ partition, partitionValues, limit, offset })
  }

  /** The partition copy itself, with `_partition` and `_partitionValues`. */
  getFromPartition ({ id, partitionName, partitionValues = {} } = {}) {
    return this._call('getFromPartition', [{ id, partitionName, partitionValues }])
  }

  /**
   * Key of the partition copy of `data` (relative to the key prefix), or `null`
   * when a field of the partition has no value. Throws PartitionError for an
   * unknown partition.
   */
  getPartitionKey ({ partitionName, id, data = {} } = {}) {
    const definition = JSON.stringify({ name: this.name, version: this.version, attributes: this.attributes, partitions: this.options.partitions || {} })
    const key = callSync(() => native.nativePartitionKey(definition, String(partitionName), String(id), encodeArgs(data || {})))
    return key == null ? null : key
  }

  query (filter = {}, { limit = 100, offset = 0, partition = null, partitionValues = {} } = {}) {
    return this._call('query', [filter || {}, { limit, offset, partition, partitionValues }])
  }

  /** An object-mode Readable of the resource's records (see ResourceReader). */
  readable (options = {}) { return new ResourceReader({ ...(options || {}), resource: this }).build() }

  /** An object-mode Writable that inserts every record written to it (see ResourceWriter). */
  writable (options = {}) { return new ResourceWriter({ ...(options || {}), resource: this }).build() }

  getResourceKey (id) { return `resource=${this.name}/v=${this.version}/id=${id}` }
  getDefinitionHash () { return this._definitionHash }

  export () {
    return { version: this.version, name: this.name, options: this.options, attributes: this.attributes, map: this.map, behavior: this.behavior }
  }
}

// ---------------------------------------------------------------------------
// Database / S3db

class Database extends EventEmitter {
  constructor (options) {
    super()
    if (options === null || typeof options !== 'object') {
      throw new ConnectionStringError({ message: 'Invalid connection string: options object with connectionString is required' })
    }
    const connectionString = options.connectionString ?? options.uri
    if (typeof connectionString !== 'string' || connectionString.length === 0) {
      throw new ConnectionStringError({ message: 'Invalid connection string: connectionString (or uri) is required' })
    }
    this.version = '1'
    this.s3dbVersion = PKG_VERSION
    this.resources = {}
    this.savedMetadata = null
    this.options = options
    this.verbose = !!options.verbose
    this.parallelism = parseInt(String(options.parallelism), 10) || 10
    this.plugins = options.plugins || []
    this.cache = options.cache
    // A Buffer (e.g. `fs.readFileSync('./private-key.pem')`, the README's custom key) is used as
    // its UTF-8 text, which is what 4.1.7's TextEncoder made of it.
    const pass = options.passphrase
    this.passphrase = pass === undefined || pass === null || pass === '' ? 'secret' : Buffer.isBuffer(pass) ? pass.toString('utf8') : String(pass)
    Object.defineProperty(this, '_hookErrors', { value: new Map(), enumerable: false })
    Object.defineProperty(this, '_hookErrorSeq', { value: 0, enumerable: false, writable: true })
    const nativeOptions = {
      connectionString,
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: typeof options.forcePathStyle === 'boolean' ? options.forcePathStyle : undefined,
      parallelism: this.parallelism,
      passphrase: this.passphrase,
      cache: options.cache === undefined ? null : options.cache
    }
    Object.defineProperty(this, '_native', { value: callSync(() => new native.NativeDatabase(JSON.stringify(nativeOptions))), enumerable: false })
    Object.defineProperty(this, '_config', { value: JSON.parse(this._native.config()), enumerable: false })
    this.bucket = this._config.bucket
    this.keyPrefix = this._config.keyPrefix
    this.client = new Client(this)
  }

  _keepHookError (err) {
    const token = ++this._hookErrorSeq
    this._hookErrors.set(token, err)
    return token
  }

  _takeHookError (err) {
    const token = err && err.hookErrorToken
    if (token !== undefined && this._hookErrors.has(token)) {
      const original = this._hookErrors.get(token)
      this._hookErrors.delete(token)
      return original
    }
    return err
  }

  get config () {
    return {
      version: this.version,
      s3dbVersion: this.s3dbVersion,
      bucket: this.bucket,
      keyPrefix: this.keyPrefix,
      parallelism: this.parallelism,
      verbose: this.verbose
    }
  }

  isConnected () { return !!this.savedMetadata }

  _emitEvents (events) {
    for (const [name, ...args] of events) {
      if (name === 'metadataUploaded') this.savedMetadata = args[0]
      this.emit(name, ...args)
    }
  }

  _register (info) {
    const existing = this.resources[info.name]
    if (existing) {
      existing._apply(info)
      return existing
    }
    const r = new Resource(this, info)
    this.resources[info.name] = r
    return r
  }

  async connect () {
    await this._startPlugins()
    const text = await callAsync(this._native.connect())
    const out = JSON.parse(text)
    this._emitEvents(out.events)
    this.savedMetadata = out.metadata
    for (const info of out.resources) this._register(info)
    if (out.changes.length > 0) this.emit('resourceDefinitionsChanged', { changes: out.changes, metadata: out.metadata })
    this.emit('connected', new Date())
  }

  // 4.1.7: classes are instantiated with the database; every plugin is set up, then
  // every plugin is started (each group concurrently), before s3db.json is read.
  async _startPlugins () {
    if (this._pluginsStarted) return
    this._pluginsStarted = true
    const list = (Array.isArray(this.plugins) ? this.plugins : []).map(p => (typeof p === 'function' ? new p(this) : p))
    // The README's `cache: true` (+ `ttl`, seconds, default 86400) turns caching on: a CachePlugin
    // with an in-process MemoryCache, unless a CachePlugin is already configured. (4.1.7 only
    // copied the flag into each resource's options.)
    if (this.options.cache === true && !list.some(p => p instanceof CachePlugin)) {
      const ttl = Number(this.options.ttl ?? 86400)
      list.push(new CachePlugin({ driver: new MemoryCache({ ttl }) }))
    }
    for (const p of list) {
      if (!p || typeof p.setup !== 'function' || typeof p.start !== 'function') {
        throw new TypeError('plugins must be Plugin instances, Plugin classes or objects with setup(database) and start()')
      }
    }
    this.pluginList = list
    await Promise.all(list.map(async p => { await p.beforeSetup?.(); await p.setup(this); await p.afterSetup?.() }))
    await Promise.all(list.map(async p => { await p.beforeStart?.(); await p.start(); await p.afterStart?.() }))
  }

  async disconnect () {
    // 4.1.7 never stopped plugins; a plugin's stop() runs here.
    for (const p of this.pluginList || []) {
      if (typeof p.stop === 'function') { await p.beforeStop?.(); await p.stop(); await p.afterStop?.() }
    }
    await callAsync(this._native.disconnect())
    this.emit('disconnected', new Date())
  }

  async createResource ({ name, attributes, options = {}, behavior = 'user-management' } = {}) {
    const { hooks, ...persisted } = options || {}
    const schemaHooks = {}
    if (hooks && typeof hooks === 'object') {
      for (const phase of ['beforeMap', 'afterMap', 'beforeUnmap', 'afterUnmap']) {
        if (hooks[phase] && typeof hooks[phase] === 'object') schemaHooks[phase] = hooks[phase]
      }
    }
    const def = { name, attributes, options: Object.keys(schemaHooks).length ? { ...persisted, hooks: schemaHooks } : persisted, behavior }
    const text = await callAsync(this._native.createResource(encodeArgs(def)))
    const out = JSON.parse(text)
    const resource = this._register(out.result.resource)
    // Lifecycle hooks live on the resource (never in s3db.json, E1): a createResource
    // call with options.hooks replaces them, like the new Resource 4.1.7 builds.
    if (hooks && typeof hooks === 'object' && HOOK_EVENTS.some(e => Array.isArray(hooks[e]))) {
      resource.hooks = Object.fromEntries(HOOK_EVENTS.map(e => [e, []]))
      for (const e of HOOK_EVENTS) {
        if (Array.isArray(hooks[e])) for (const fn of hooks[e]) if (typeof fn === 'function') resource.hooks[e].push(fn.bind(resource))
      }
      resource._syncHooks()
    }
    // 4.1.7 order: versionUpdated (resource), then metadataUploaded and s3db.resourceUpdated (database).
    if (out.result.versionUpdated) resource.emit('versionUpdated', out.result.versionUpdated)
    for (const [ev, ...args] of out.events) {
      if (ev === 'metadataUploaded') this.savedMetadata = args[0]
      this.emit(ev, ...args)
    }
    return resource
  }

  async createResourceIfNotExists ({ name, attributes, options = {}, behavior = 'user-management' } = {}) {
    const existedBefore = this.resourceExists(name)
    const before = existedBefore ? this.resources[name]._versionHash : null
    const resource = await this.createResource({ name, attributes, options, behavior })
    if (existedBefore && before === resource._versionHash) {
      return { resource, created: false, reason: 'Resource already exists with same definition hash' }
    }
    return { resource, created: !existedBefore, reason: existedBefore ? 'Resource updated with new definition' : 'New resource created' }
  }

  resourceExists (name) { return Object.prototype.hasOwnProperty.call(this.resources, name) }

  resource (name) {
    if (!this.resourceExists(name)) {
      return Promise.reject(new ResourceNotFound({ bucket: this.bucket, message: `resource ${name} does not exist` }))
    }
    return this.resources[name]
  }

  async getResource (name) {
    if (!this.resourceExists(name)) {
      throw new ResourceNotFound({ bucket: this.bucket, message: `Resource not found: ${name}` })
    }
    return this.resources[name]
  }

  async listResources () {
    return Object.keys(this.resources).map(name => ({ name }))
  }
}

class S3db extends Database {}

// ---------------------------------------------------------------------------
// Streams: real object-mode Node streams over the native pipelines.
//
// Error rule (README "Streams"): fatal failures (listing, auth, network after
// retries) destroy the stream with a typed error, so `pipeline` rejects and
// `for await` throws. A failure that concerns one record (a record deleted
// while a reader runs, a record a writer cannot insert) does not end the
// stream: it is always emitted as `'recordError'` `(err, idOrRecord)`, and also
// as `'error'` `(err, idOrRecord)` when you listen to `'error'` yourself and
// the stream is not consumed by Node's plumbing (`pipe`/`pipeline`/`for
// await`), whose internal `'error'` listeners would otherwise end the stream.


function positiveInt (value, fallback, what) {
  if (value === undefined || value === null) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || n < 1) throw new TypeError(`${what} must be a positive number, got ${String(value)}`)
  return Math.floor(n)
}

function decodeRecords (list, hasDates) {
  if (hasDates) reviveDates(list)
  for (const r of list) reviveRecord(r)
  return list
}

/** Options shared by ResourceReader and ResourceWriter: checked sizes and the Node stream options. */
function streamOptions (kind, { resource, batchSize = 10, concurrency = 5, signal, highWaterMark }) {
  if (!resource) throw new Error(`Resource is required for ${kind}`)
  const size = positiveInt(batchSize, 10, 'batchSize')
  return {
    resource,
    batchSize: size,
    concurrency: positiveInt(concurrency, 5, 'concurrency'),
    node: { objectMode: true, highWaterMark: positiveInt(highWaterMark, Math.max(16, size), 'highWaterMark'), signal }
  }
}

class ResourceReader extends Readable {
  constructor (options = {}) {
    const o = streamOptions('ResourceReader', options)
    super(o.node)
    this.resource = o.resource
    this.batchSize = o.batchSize
    this.concurrency = o.concurrency
    this.ordered = !!options.ordered
    // Read one partition (records verified against their main object) instead of the whole resource.
    this.partition = options.partition || null
    this.partitionValues = options.partitionValues || {}
    this.skipped = 0
    this._handle = null
    this._waiting = false // the pump waits for resume()
    this._demand = false // _read() was called while a batch was being pushed
    this._plumbed = false // piped or iterated once: never emit per-record 'error' again
  }

  build () { return this }

  /** Counters of the Rust side: ids listed, records fetched, records delivered towards JS, records skipped. */
  get progress () {
    const p = this._handle !== null ? this._handle.stats() : { listed: 0, fetched: 0, delivered: 0 }
    return { ...p, skipped: this.skipped }
  }

  _read () {
    this._demand = true
    if (this._handle === null) {
      const opts = encodeArgs({ batchSize: this.batchSize, concurrency: this.concurrency, ordered: this.ordered, partition: this.partition, partitionValues: this.partitionValues })
      try {
        this._handle = this.resource.database._native.openReader(this.resource.name, opts, (msg) => this._onMessage(msg))
      } catch (err) {
        this.destroy(fromNative(err))
      }
      return
    }
    if (this._waiting) {
      this._waiting = false
      this._handle.resume()
    }
  }

  // Called by the native pump with one message; returns whether to send more now.
  _onMessage (text) {
    try {
      if (this.destroyed) return false
      const msg = JSON.parse(text)
      this._demand = false
      let more = true
      if (msg.r.length > 0) {
        const records = decodeRecords(msg.r, text.includes('"$date"'))
        const ids = this.listenerCount('id') > 0
        const gets = this.resource.listenerCount('get') > 0
        for (const rec of records) {
          if (ids) this.emit('id', rec.id)
          if (gets) this.resource.emit('get', rec)
          more = this.push(rec)
        }
      }
      for (const [id, info] of msg.s) this._recordError(errorFromInfo(info), id)
      if (msg.error) {
        this.destroy(errorFromInfo(msg.error))
        return false
      }
      if (msg.done) {
        this.push(null)
        return false
      }
      if (!more && !this._demand) {
        this._waiting = true
        return false
      }
      return true
    } catch (err) {
      this.destroy(err)
      return false
    }
  }

  _recordError (err, id) {
    this.skipped++
    this.emit('recordError', err, id)
    if (this._readableState.pipes.length > 0) this._plumbed = true
    if (!this._plumbed && this.listenerCount('error') > 0) this.emit('error', err, id)
  }

  _destroy (err, cb) {
    if (this._handle !== null) this._handle.cancel()
    cb(err)
  }

  pipe (dest, options) {
    this._plumbed = true
    return super.pipe(dest, options)
  }

  [Symbol.asyncIterator] () {
    this._plumbed = true
    return super[Symbol.asyncIterator]()
  }

  iterator (options) {
    this._plumbed = true
    return super.iterator(options)
  }
}

// A per-record validation failure of a writer: the streaming guide checks
// `err.name === 'ValidationError'`; it is still an InvalidResourceItem.
class ValidationError extends InvalidResourceItem {}

function writerError (err) {
  if (err instanceof InvalidResourceItem && !(err instanceof ValidationError)) {
    const v = new ValidationError({ bucket: err.bucket, resourceName: err.resourceName, attributes: err.attributes, validation: err.validation, message: err.message })
    Object.defineProperty(v, 'code', { value: err.code, enumerable: false, writable: true, configurable: true })
    return v
  }
  return err
}

class ResourceWriter extends Writable {
  constructor (options = {}) {
    const o = streamOptions('ResourceWriter', options)
    super(o.node)
    this.resource = o.resource
    this.batchSize = o.batchSize
    this.concurrency = o.concurrency
    this.written = 0
    this.failed = 0
    this._handle = null
    this._plumbed = false // piped into once (pipe/pipeline): never emit per-record 'error' again
    // The streaming guide pipes into `writer.writable`: it is the writer itself.
    Object.defineProperty(this, 'writable', { value: this, enumerable: false, configurable: true, writable: true })
    this.on('pipe', () => { this._plumbed = true })
  }

  build () { return this }

  get stats () { return { written: this.written, failed: this.failed } }

  _construct (cb) {
    const r = this.resource
    const events = r.listenerCount('insert') > 0 || r.listenerCount('exceedsLimit') > 0 || r.database.listenerCount('exceedsLimit') > 0
    const opts = JSON.stringify({ batchSize: this.batchSize, concurrency: this.concurrency, events })
    r.database._native.openWriter(r.name, opts).then(h => { this._handle = h; cb() }, err => cb(fromNative(err)))
  }

  _report (text) {
    const hasDates = text.includes('"$date"')
    const rep = JSON.parse(text)
    this.written = rep.written
    this.failed = rep.failed
    if (rep.events.length > 0) this.resource._emitEvents(rep.events.map(ev => ev.map((a, i) => (i === 0 ? a : revive(a, hasDates)))))
    for (const f of rep.failures) {
      const err = writerError(this.resource.database._takeHookError(errorFromInfo(f.error)))
      const record = hasDates ? reviveDates(f.record) : f.record
      this.emit('recordError', err, record)
      if (!this._plumbed && this.listenerCount('error') > 0) this.emit('error', err, record)
    }
  }

  _push (records, cb) {
    let text
    try {
      text = JSON.stringify(records, dateReplacer)
    } catch (err) {
      cb(err)
      return
    }
    this._handle.push(text).then(rep => {
      try { this._report(rep) } catch (err) { cb(err); return }
      cb()
    }, err => cb(fromNative(err)))
  }

  _write (chunk, encoding, cb) { this._push([chunk], cb) }

  _writev (chunks, cb) { this._push(chunks.map(c => c.chunk), cb) }

  _final (cb) {
    this._handle.finish().then(rep => {
      try { this._report(rep) } catch (err) { cb(err); return }
      cb()
    }, err => cb(fromNative(err)))
  }

  _destroy (err, cb) {
    if (this._handle === null) { cb(err); return }
    // Stop the inserts, then settle the totals: records not stored count as failed.
    this._handle.cancel()
    this._handle.finish().then(text => {
      const rep = JSON.parse(text)
      this.written = rep.written
      this.failed = rep.failed
      cb(err)
    }, () => cb(err))
  }
}

class ResourceIdsReader extends Readable {
  constructor ({ resource, batchSize, signal, highWaterMark } = {}) {
    if (!resource) throw new Error(`Resource is required for ${new.target.name}`)
    super({ objectMode: true, signal, highWaterMark: positiveInt(highWaterMark, 1000, 'highWaterMark') })
    this.resource = resource
    // Without batchSize each chunk is one id (4.1.7); with it, arrays of up to batchSize ids (the streaming guide).
    this.batchSize = batchSize === undefined || batchSize === null ? null : positiveInt(batchSize, 1, 'batchSize')
    this._next = null
    this._started = false
    this._busy = false
    this._chunk = []
  }

  build () { return this }

  _read () {
    if (this._busy) return
    this._busy = true
    this._fill().then(() => { this._busy = false }, err => { this._busy = false; this.destroy(fromNative(err)) })
  }

  async _fill () {
    const native = this.resource.database._native
    while (!this.destroyed) {
      if (this._started && this._next === null) return
      this._started = true
      const page = JSON.parse(await native.idsPage(this.resource.name, this._next, 1000))
      if (this.destroyed) return
      this._next = page.next
      const more = this._emitPage(page.ids)
      if (this._next === null) {
        this._flush()
        this.push(null)
        return
      }
      if (!more) return
    }
  }

  _emitPage (ids) {
    let more = true
    const emitIds = this.listenerCount('id') > 0
    for (const id of ids) {
      if (emitIds) this.emit('id', id)
      if (this.batchSize === null) {
        more = this.push(id)
      } else {
        this._chunk.push(id)
        if (this._chunk.length >= this.batchSize) more = this._flush()
      }
    }
    return more
  }

  _flush () {
    if (this._chunk.length === 0) return true
    const chunk = this._chunk
    this._chunk = []
    return this.push(chunk)
  }
}

class ResourceIdsPageReader extends ResourceIdsReader {
  _emitPage (ids) {
    if (ids.length === 0) return true
    const emitIds = this.listenerCount('id') > 0
    if (emitIds) for (const id of ids) this.emit('id', id)
    this.emit('page', ids)
    return this.push(ids)
  }
}

function streamToString (stream) {
  return new Promise((resolve, reject) => {
    const chunks = []
    stream.on('data', c => chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c))))
    stream.on('error', reject)
    stream.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

// ---------------------------------------------------------------------------
// ConnectionString and crypto helpers

class ConnectionString {
  constructor (connectionString) {
    const cfg = callSync(() => JSON.parse(native.nativeParseConnectionString(String(connectionString))))
    this.region = cfg.region
    this.bucket = cfg.bucket
    this.accessKeyId = cfg.accessKeyId
    this.endpoint = cfg.endpoint
    this.keyPrefix = cfg.keyPrefix
    if (cfg.forcePathStyle) this.forcePathStyle = true
  }
}

// ---------------------------------------------------------------------------
// Schema (4.1.7 `Schema`: validation and record <-> metadata mapping, export/import)

class Schema {
  constructor ({ map, name, attributes = {}, passphrase = 'secret', version = 1, options = {}, behavior } = {}) {
    const def = { name, attributes, options, version: String(version), passphrase, map: map && Object.keys(map).length ? map : undefined, behavior }
    Object.defineProperty(this, '_native', { value: callSync(() => new native.NativeSchema(encodeArgs(def))), enumerable: false })
    const info = JSON.parse(this._native.info())
    this.name = name
    this.version = version
    this.attributes = info.attributes
    this.options = info.options
    this.passphrase = passphrase
    this.map = info.map
    this.reversedMap = Object.fromEntries(Object.entries(info.map).map(([k, v]) => [v, k]))
  }

  /** `true`, or the fastest-validator error list; the item is coerced in place only with `mutateOriginal`. */
  async validate (item, { mutateOriginal = false } = {}) {
    const out = decodeOutputValue(callSync(() => this._native.validate(encodeArgs(item))))
    if (mutateOriginal && item && typeof item === 'object') {
      for (const k of Object.keys(item)) if (!(k in out.value)) delete item[k]
      Object.assign(item, out.value)
    }
    return out.errors.length === 0 ? true : out.errors
  }

  /** Record -> S3 metadata object (short keys, `_v`), as stored. */
  async mapper (item) { return JSON.parse(callSync(() => this._native.mapper(encodeArgs(item)))) }

  /** S3 metadata object -> record. */
  async unmapper (metadata) { return decodeOutputValue(callSync(() => this._native.unmapper(JSON.stringify(metadata)))) }

  export () {
    return { version: this.version, name: this.name, options: this.options, attributes: this.attributes, map: this.map }
  }

  /** Build a Schema from `export()` data (object or JSON text); legacy JSON-string attribute values are parsed. */
  static import (data) {
    const d = typeof data === 'string' ? JSON.parse(data) : { ...data }
    const parseLegacy = (attrs) => {
      const out = {}
      for (const [k, v] of Object.entries(attrs || {})) {
        if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
          try { out[k] = parseLegacy(JSON.parse(v)); continue } catch {}
        }
        out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? parseLegacy(v) : v
      }
      return out
    }
    return new Schema({ ...d, attributes: parseLegacy(d.attributes) })
  }
}

function decodeOutputValue (text) {
  return revive(JSON.parse(text), text.includes('"$date"'))
}

// ---------------------------------------------------------------------------
// Plugins (4.1.7: Plugin, PluginObject, CostsPlugin)

class Plugin extends EventEmitter {
  async setup (database) { this.database = database }
  async start () {}
  async stop () {}
  beforeSetup () { this.emit('plugin.beforeSetup', new Date()) }
  afterSetup () { this.emit('plugin.afterSetup', new Date()) }
  beforeStart () { this.emit('plugin.beforeStart', new Date()) }
  afterStart () { this.emit('plugin.afterStart', new Date()) }
  beforeStop () { this.emit('plugin.beforeStop', new Date()) }
  afterStop () { this.emit('plugin.afterStop', new Date()) }
}

const PluginObject = {
  async setup (database) {},
  async start () {},
  async stop () {}
}

// USD per request, as 4.1.7.
const COST_PRICES = { put: 0.005 / 1000, copy: 0.005 / 1000, list: 0.005 / 1000, post: 0.005 / 1000, get: 0.0004 / 1000, select: 0.0004 / 1000, delete: 0.0004 / 1000 }
const COST_CATEGORY = {
  PutObjectCommand: 'put',
  GetObjectCommand: 'get',
  HeadObjectCommand: 'get',
  DeleteObjectCommand: 'delete',
  DeleteObjectsCommand: 'delete',
  ListObjectsV2Command: 'list',
  CopyObjectCommand: 'copy'
}

function costsSince (db, baseline) {
  const now = JSON.parse(db._native.requestCounts())
  const costs = {
    total: 0,
    prices: { ...COST_PRICES },
    requests: { total: 0, put: 0, post: 0, copy: 0, list: 0, get: 0, select: 0, delete: 0 },
    events: { total: 0, ...Object.fromEntries(Object.keys(COST_CATEGORY).map(k => [k, 0])) }
  }
  for (const [command, category] of Object.entries(COST_CATEGORY)) {
    const n = (now[command] || 0) - (baseline[command] || 0)
    costs.events[command] = n
    costs.events.total += n
    costs.requests.total += n
    costs.requests[category] += n
    costs.total += n * COST_PRICES[category]
  }
  return costs
}

/**
 * Request counts and prices on `db.client.costs`, as 4.1.7's CostsPlugin. Every request
 * the engine sends is counted (4.1.7 missed copies and deleteAll), per database (4.1.7's
 * single shared object mixed databases); `CostsPlugin.costs` is the last one set up.
 */
const CostsPlugin = {
  async setup (db) {
    const baseline = JSON.parse(db._native.requestCounts())
    this.client = db.client
    Object.defineProperty(db.client, 'costs', { get: () => costsSince(db, baseline), enumerable: true, configurable: true })
  },
  async start () {},
  async stop () {},
  get costs () { return this.client ? this.client.costs : costsSince({ _native: { requestCounts: () => '{}' } }, {}) }
}

// ---------------------------------------------------------------------------
// Caches (4.1.7: Cache, MemoryCache, S3Cache) and CachePlugin

function checkCacheKey (key) {
  if (typeof key !== 'string' || key.length === 0) throw new Error('Invalid key')
}

class Cache extends EventEmitter {
  constructor (config = {}) {
    super()
    this.config = config
  }

  async set (key, data) { checkCacheKey(key); await this._set(key, data); this.emit('set', data); return data }
  async get (key) { checkCacheKey(key); const data = await this._get(key); this.emit('get', data); return data }
  async del (key) { checkCacheKey(key); const r = await this._del(key); this.emit('delete', r); return r }
  async delete (key) { return this.del(key) }
  /** Remove every entry, or (extension) only those whose key starts with `prefix`. */
  async clear (prefix) { const r = await this._clear(typeof prefix === 'string' ? prefix : undefined); this.emit('clear', r); return r }
}

class MemoryCache extends Cache {
  constructor ({ ttl = 0, maxSize = 0 } = {}) {
    super({ ttl, maxSize })
    this.ttl = ttl
    this.maxSize = maxSize
    this.cache = {}
    this.meta = {}
  }

  async _set (key, data) {
    // H5: evict only when the cache grows (overwriting a key never evicts another one).
    const grows = !Object.prototype.hasOwnProperty.call(this.cache, key)
    if (grows && this.maxSize > 0 && Object.keys(this.cache).length >= this.maxSize) {
      const oldest = Object.entries(this.meta).sort((a, b) => a[1].ts - b[1].ts)[0]
      if (oldest) { delete this.cache[oldest[0]]; delete this.meta[oldest[0]] }
    }
    this.cache[key] = data
    this.meta[key] = { ts: Date.now() }
    return data
  }

  async _get (key) {
    if (!Object.prototype.hasOwnProperty.call(this.cache, key)) return null
    if (this.ttl > 0 && Date.now() - this.meta[key].ts > this.ttl * 1000) {
      delete this.cache[key]
      delete this.meta[key]
      return null
    }
    return this.cache[key]
  }

  async _del (key) { delete this.cache[key]; delete this.meta[key]; return true }

  async _clear (prefix) {
    for (const k of Object.keys(this.cache)) if (prefix === undefined || k.startsWith(prefix)) { delete this.cache[k]; delete this.meta[k] }
    return true
  }

  async size () { return Object.keys(this.cache).length }
  async keys () { return Object.keys(this.cache) }
}

class S3Cache extends Cache {
  constructor ({ client, keyPrefix = 'cache', ttl = 0, prefix } = {}) {
    super({ client, keyPrefix, ttl, prefix })
    this.client = client
    this.keyPrefix = keyPrefix
    this.ttl = ttl
  }

  _key (key) { return path.posix.join(this.keyPrefix, key) }

  async _set (key, data) {
    const serialized = JSON.stringify(data)
    const body = zlib.gzipSync(Buffer.from(serialized)).toString('base64')
    return this.client.putObject({
      key: this._key(key),
      body,
      // H4: no `Content-Encoding: gzip` — the body is base64 text, and HTTP clients that honour
      // the header fail on it. 4.1.7 readers never looked at the header (same body, same metadata).
      contentType: 'application/gzip',
      metadata: {
        compressor: 'zlib',
        compressed: 'true',
        'client-id': String(this.client.id),
        'length-serialized': String(serialized.length),
        'length-compressed': String(body.length),
        'compression-gain': (body.length / serialized.length).toFixed(2)
      }
    })
  }

  async _get (key) {
    let res
    try {
      res = await this.client.getObject(this._key(key))
    } catch (err) {
      if (err instanceof NoSuchKey) return null
      throw err
    }
    // H4: entries older than `ttl` seconds are expired (4.1.7 stored ttl and ignored it). S3
    // reports LastModified in whole seconds, hence the extra second.
    if (this.ttl > 0 && res.LastModified instanceof Date && Date.now() - res.LastModified.getTime() > this.ttl * 1000 + 1000) return null
    const raw = Buffer.from(Buffer.from(res.Body).toString('utf8'), 'base64')
    return JSON.parse(zlib.unzipSync(raw).toString('utf8'))
  }

  async _del (key) { await this.client.deleteObject(this._key(key)); return true }

  async _clear (prefix) {
    const keys = await this.client.getAllKeys({ prefix: prefix === undefined ? this.keyPrefix : this._key(prefix) })
    if (keys.length > 0) await this.client.deleteObjects(keys)
    return true
  }

  async keys () {
    const keys = await this.client.getAllKeys({ prefix: this.keyPrefix })
    return keys.map(k => k.replace(`${this.keyPrefix}/`, ''))
  }

  async size () { return (await this.keys()).length }
}

const CACHED_READS = {
  count: (args) => ({ action: 'count', params: partitionParams(args[0]) }),
  listIds: (args) => ({ action: 'listIds', params: { ...partitionParams(args[0]), ...pick(args[0], ['limit', 'offset']) } }),
  getMany: (args) => ({ action: 'getMany', params: { ids: args[0] } }),
  getAll: () => ({ action: 'getAll', params: {} }),
  page: (args) => ({ action: 'page', params: { ...partitionParams(args[0]), ...pick(args[0] || {}, ['offset', 'size', 'skipCount']) } })
}
const CACHE_INVALIDATING = ['insert', 'update', 'upsert', 'delete', 'deleteMany', 'insertMany', 'deleteAll']

function pick (o, keys) {
  const out = {}
  for (const k of keys) if (o && o[k] !== undefined) out[k] = o[k]
  return out
}

function partitionParams (o) {
  if (!o || !o.partition) return {}
  return { partition: o.partition, partitionValues: JSON.stringify(o.partitionValues || {}) }
}

/**
 * 4.1.7's CachePlugin: resource reads (count, listIds, getMany, getAll, page) are served
 * from the driver, writes clear the resource's entries. Fixed: resources loaded from
 * s3db.json are cached too, each resource has its own key space (4.1.7 stacked
 * `resource=` segments onto a shared prefix), a cached 0 / '' is a hit, partition and
 * paging arguments are part of the key, and a write clears only its own resource
 * (also after a `writable()` finishes).
 */
class CachePlugin extends Plugin {
  constructor (options = {}) {
    super()
    this.driver = options.driver
  }

  async setup (database) {
    await super.setup(database)
    this.driver = this.driver || new S3Cache({ keyPrefix: 'cache', client: database.client })
    const register = database._register.bind(database)
    database._register = (info) => this.installResourceHooks(register(info))
    for (const r of Object.values(database.resources)) this.installResourceHooks(r)
  }

  installResourceHooks (resource) {
    if (resource._cacheInstalled) return resource
    Object.defineProperty(resource, '_cacheInstalled', { value: true, enumerable: false })
    const driver = this.driver
    const scope = `resource=${resource.name}/`
    resource.cache = driver
    resource.cacheKeyFor = ({ params = {}, action = 'list' } = {}) => {
      const keys = Object.keys(params).sort()
      const text = keys.length === 0 ? 'empty' : keys.map(k => `${k}:${params[k]}`).join('|')
      const hex = crypto.createHash('sha256').update(text).digest('hex')
      return path.posix.join(`resource=${resource.name}`, `action=${action}`, `${hex}.json.gz`)
    }
    for (const [method, keyOf] of Object.entries(CACHED_READS)) {
      const original = resource[method].bind(resource)
      resource[method] = async (...args) => {
        const key = resource.cacheKeyFor(keyOf(args))
        const hit = await driver.get(key)
        if (hit !== null && hit !== undefined) return hit
        const value = await original(...args)
        await driver.set(key, value)
        return value
      }
    }
    for (const method of CACHE_INVALIDATING) {
      const original = resource[method].bind(resource)
      resource[method] = async (...args) => {
        try {
          return await original(...args)
        } finally {
          await driver.clear(scope)
        }
      }
    }
    const writable = resource.writable.bind(resource)
    resource.writable = (...args) => {
      const w = writable(...args)
      w.on('finish', () => { driver.clear(scope).catch(err => resource.emit('error', err)) })
      return w
    }
    return resource
  }
}

// ---------------------------------------------------------------------------
// Size calculator (s3db.js src/concerns/calculator.js, exported here). It works on a
// mapped metadata object (short keys and `_v`) and counts what S3 counts: the UTF-8
// bytes of every name and of every value as it is encoded for the wire (4.1.7 left
// out the `_v` name and measured values before encoding).

const METADATA_LIMIT = 2048

function metadataText (value) {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(String).join('|')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

function calculateAttributeSizes (mappedObject) {
  const keys = Object.keys(mappedObject || {})
  const lengths = native.nativeEncodedLengths(keys.map(k => metadataText(mappedObject[k])))
  return Object.fromEntries(keys.map((k, i) => [k, lengths[i]]))
}

function calculateTotalSize (mappedObject) {
  const sizes = calculateAttributeSizes(mappedObject)
  return Object.entries(sizes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + v, 0)
}

function getSizeBreakdown (mappedObject) {
  const valueSizes = calculateAttributeSizes(mappedObject)
  const namesSize = Object.keys(valueSizes).reduce((n, k) => n + Buffer.byteLength(k), 0)
  const valueTotal = Object.values(valueSizes).reduce((n, v) => n + v, 0)
  const total = valueTotal + namesSize
  const breakdown = Object.entries(valueSizes)
    .map(([attribute, size]) => ({ attribute, size, percentage: total === 0 ? '0.00%' : `${((size / total) * 100).toFixed(2)}%` }))
    .sort((a, b) => b.size - a.size)
  return { total, limit: METADATA_LIMIT, exceedsLimit: total > METADATA_LIMIT, valueTotal, namesSize, valueSizes, breakdown }
}

async function encrypt (content, passphrase) {
  return callSync(() => native.nativeEncrypt(String(content), String(passphrase)))
}

async function decrypt (encrypted, passphrase) {
  return callSync(() => native.nativeDecrypt(String(encrypted), String(passphrase)))
}

async function sha256 (message) {
  return native.nativeSha256(String(message))
}

module.exports = {
  S3db,
  Database,
  Client,
  Resource,
  ConnectionString,
  S3_DEFAULT_REGION,
  S3_DEFAULT_ENDPOINT,
  BaseError,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  MissingMetadata,
  InvalidResourceItem,
  UnknownError,
  ConnectionStringError,
  SchemaError,
  InvalidId,
  ResourceNotFound,
  MetadataTooLarge,
  MetadataLimitExceeded,
  PermissionError,
  ParanoidError,
  DecryptionError,
  CorruptData,
  Cancelled,
  PartitionError,
  ErrorMap,
  ValidationError,
  ResourceReader,
  ResourceWriter,
  ResourceIdsReader,
  ResourceIdsPageReader,
  streamToString,
  Schema,
  Plugin,
  PluginObject,
  CostsPlugin,
  CachePlugin,
  Cache,
  MemoryCache,
  S3Cache,
  calculateAttributeSizes,
  calculateTotalSize,
  getSizeBreakdown,
  encrypt,
  decrypt,
  sha256
}
