'use strict'
// Database / S3db: the connection, s3db.json, resource definitions and plugins.

const { EventEmitter } = require('node:events')
const { native } = require('./native')
const { encodeArgs } = require('./boundary')
const { ConnectionStringError, ResourceNotFound, InvalidArgument, callSync, callAsync, argText } = require('./errors')
const { Client } = require('./client')
const { NativeCalls } = require('./native-calls')
const { Resource, HOOK_EVENTS, engineOptions } = require('./resource')
const { CachePlugin } = require('./plugins/cache')
const { MemoryCache } = require('./cache/memory')
const { hideSecrets } = require('./redact')

const PKG_VERSION = '0.1.0'

const HOOK_ERRORS_KEPT = 10000

class Database extends EventEmitter {
  constructor (options) {
    super()
    if (options === null || typeof options !== 'object') {
      throw new ConnectionStringError({ message: 'Invalid connection string: options object with connectionString is required' })
    }
    const connectionString = options.connectionString ?? options.uri
    const given = options.client
    if (!given && (typeof connectionString !== 'string' || connectionString.length === 0)) {
      throw new ConnectionStringError({ message: 'Invalid connection string: connectionString (or uri) is required' })
    }
    this.version = '1'
    this.s3dbVersion = PKG_VERSION
    this.resources = {}
    this.savedMetadata = null
    this.options = options
    this.verbose = !!options.verbose
    this.parallelism = parseInt(argText(options.parallelism, 'parallelism', ConnectionStringError), 10) || 10
    this.plugins = options.plugins || []
    this.cache = options.cache
    // A Buffer (e.g. `fs.readFileSync('./private-key.pem')`, the README's custom key) is used as
    // its UTF-8 text, which is what 4.1.7's TextEncoder made of it.
    const pass = options.passphrase
    this.passphrase = pass === undefined || pass === null || pass === '' ? 'secret' : Buffer.isBuffer(pass) ? pass.toString('utf8') : argText(pass, 'passphrase', ConnectionStringError)
    Object.defineProperty(this, '_hookErrors', { value: new Map(), enumerable: false })
    Object.defineProperty(this, '_hookErrorSeq', { value: 0, enumerable: false, writable: true })
    // `client`: a Client shares its connection (storage, parallelism limit, request counts) with
    // every database built on it. Any other object is kept as 4.1.7 keeps it, and the database
    // fails with a clear error when it first needs storage.
    this.client = given || new Client({
      connectionString,
      verbose: this.verbose,
      parallelism: this.parallelism,
      endpoint: options.endpoint,
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      timeouts: options.timeouts,
      maxAttempts: options.maxAttempts,
      concurrency: options.concurrency
    })
    const nativeClient = this.client instanceof Client ? this.client._native : null
    const nativeOptions = { passphrase: this.passphrase, cache: options.cache === undefined ? null : options.cache }
    Object.defineProperty(this, '_nativeDb', { value: nativeClient && callSync(() => new native.NativeDatabase(nativeClient, JSON.stringify(nativeOptions))), enumerable: false })
    this.bucket = this.client.bucket
    this.keyPrefix = this.client.keyPrefix
  }

  /** The native database; a stand-in client has none. */
  get _native () {
    if (this._nativeDb) return this._nativeDb
    throw new InvalidArgument({
      message: 'This Database was built with a client that is not an s3db-native Client, so it has no storage connection. ' +
        "Pass `new Client({ connectionString })` (from 's3db-native') or a connectionString."
    })
  }

  /** The engine's resource calls, answered through the completion channel (lib/native-calls.js). */
  get _calls () {
    if (!this._nativeCalls) Object.defineProperty(this, '_nativeCalls', { value: new NativeCalls(this._native), enumerable: false })
    return this._nativeCalls
  }

  // A value a hook threw, kept until the failure it causes reaches the caller (who gets the value
  // itself). Every failure path takes its token back; the cap only bounds what a path that drops
  // an error (none known) could leave behind.
  _keepHookError (err) {
    const token = ++this._hookErrorSeq
    this._hookErrors.set(token, err)
    if (this._hookErrors.size > HOOK_ERRORS_KEPT) this._hookErrors.delete(this._hookErrors.keys().next().value)
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
      // Said once per connection by the engine (e.g. a server without conditional writes).
      if (name === 's3db.warning') { process.emitWarning(args[0], { code: 'S3DB_CONCURRENCY' }); continue }
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
    await this.startPlugins()
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
  async startPlugins () {
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
        const err = new TypeError('plugins must be Plugin instances, Plugin classes or objects with setup(database) and start()')
        err.code = 'ERR_INVALID_ARG_TYPE'
        throw err
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
    const hooks = options && options.hooks
    const def = { name, attributes, options: engineOptions(options), behavior }
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

  /**
   * 4.1.7's version hash of a `resource.export()`-shaped definition: `sha256:` of the stable JSON
   * of `{ attributes (without createdAt/updatedAt when options.timestamps), behavior }`.
   */
  generateDefinitionHash (definition, behavior = undefined) {
    const attributes = { ...(definition && definition.attributes) }
    if (definition && definition.options && definition.options.timestamps) {
      delete attributes.createdAt
      delete attributes.updatedAt
    }
    const value = { attributes, behavior: behavior || (definition && definition.behavior) || 'user-management' }
    return callSync(() => native.nativeStableHash(encodeArgs(value)))
  }

  /** `v<n+1>` over the version keys `v<integer…>` (`v1beta` counts as 1); `v0` when there are none. */
  getNextVersion (versions = {}) {
    const numbers = Object.keys(versions || {}).filter(v => v.startsWith('v')).map(v => parseInt(v.substring(1), 10)).filter(n => !Number.isNaN(n))
    return `v${(numbers.length > 0 ? Math.max(...numbers) : -1) + 1}`
  }

  blankMetadataStructure () {
    return { version: '1', s3dbVersion: this.s3dbVersion, resources: {} }
  }

  /** What differs between the resources in memory and `savedMetadata` (an s3db.json document). */
  detectDefinitionChanges (savedMetadata) {
    const saved = (savedMetadata && savedMetadata.resources) || {}
    const changes = []
    for (const [name, resource] of Object.entries(this.resources)) {
      const currentHash = this.generateDefinitionHash(resource.export())
      const stored = saved[name]
      if (!stored) {
        changes.push({ type: 'new', resourceName: name, currentHash, savedHash: null })
        continue
      }
      const currentVersion = stored.currentVersion || 'v0'
      const savedHash = stored.versions?.[currentVersion]?.hash
      if (savedHash !== currentHash) {
        changes.push({ type: 'changed', resourceName: name, currentHash, savedHash, fromVersion: currentVersion, toVersion: this.getNextVersion(stored.versions) })
      }
    }
    for (const [name, stored] of Object.entries(saved)) {
      if (this.resources[name]) continue
      const currentVersion = stored.currentVersion || 'v0'
      changes.push({ type: 'deleted', resourceName: name, currentHash: null, savedHash: stored.versions?.[currentVersion]?.hash, deletedVersion: currentVersion })
    }
    return changes
  }

  /** Whether resource `name` exists and has the hash this definition would have. */
  resourceExistsWithSameHash ({ name, attributes, options = {}, behavior = 'user-management' } = {}) {
    const existing = this.resources[name]
    if (!existing) return { exists: false, sameHash: false, hash: null }
    const hash = this.generateDefinitionHash({ attributes, options }, behavior)
    const existingHash = this.generateDefinitionHash(existing.export(), existing.behavior)
    return { exists: true, sameHash: hash === existingHash, hash, existingHash }
  }

  /**
   * Write s3db.json for the resources in memory (each at its current version); the other
   * resources and versions of the stored file are kept (4.1.7 dropped them: E4). Emits `metadataUploaded`.
   */
  async uploadMetadataFile () {
    const doc = JSON.parse(await callAsync(this._native.uploadMetadata()))
    this.savedMetadata = doc
    this.emit('metadataUploaded', doc)
  }

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

// console.log(db) / JSON.stringify(db): no secret key, no passphrase.
hideSecrets(Database)

module.exports = { Database, S3db }
