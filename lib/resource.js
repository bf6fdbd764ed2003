'use strict'
// Resource: one collection of records (s3db.js `Resource`). Every operation is one
// engine call; the events it lists are emitted on the resource (and the database).

const { EventEmitter } = require('node:events')
const { native } = require('./native')
const { dateReplacer, encodeArgs, revive, decodeOutput } = require('./boundary')
const { errorFromInfo, fromNative, callSync, callAsync, argText, InvalidId, PartitionError } = require('./errors')
const { Schema, SCHEMA_HOOK_PHASES } = require('./schema')
const { ResourceReader, ResourceWriter } = require('./streams')
const { isChunkSource, setContentFromStream, contentStream } = require('./content')
const { hideSecrets } = require('./redact')

// insertMany sends its items to the engine this many at a time, so a call with any number of items
// holds one chunk's worth of engine-side records and JSON, not all of them (results still come back in
// input order, every item's events as they happen, one `insertMany` event at the end).
const INSERT_MANY_CHUNK = 2000

const HOOK_EVENTS = ['preInsert', 'afterInsert', 'preUpdate', 'afterUpdate', 'preDelete', 'afterDelete']
/**
 * The options the engine builds a resource from: lifecycle hook functions stay in JS,
 * schema hook phases (action names per field) go with the options.
 */
function engineOptions (options) {
  const { hooks, ...persisted } = options || {}
  const schemaHooks = {}
  if (hooks && typeof hooks === 'object') {
    for (const phase of SCHEMA_HOOK_PHASES) if (hooks[phase] && typeof hooks[phase] === 'object') schemaHooks[phase] = hooks[phase]
  }
  return Object.keys(schemaHooks).length ? { ...persisted, hooks: schemaHooks } : persisted
}

function engineDefinition ({ name, version, attributes, options, behavior, passphrase }) {
  return { name, version: String(version), attributes, options: engineOptions(options), behavior, passphrase }
}

/** Walk a dotted path; `{ found, value }`. */
function walkPath (root, path) {
  let cur = root
  for (const key of String(path).split('.')) {
    if (!cur || typeof cur !== 'object' || !(key in cur)) return { found: false, value: undefined }
    cur = cur[key]
  }
  return { found: true, value: cur }
}

class Resource extends EventEmitter {
  /**
   * `new Resource({ name, client, version = '1', options, attributes, parallelism, passphrase,
   * observers, behavior })`, a resource used without a database (4.1.7): it works on `client`'s
   * connection at `version`, and never reads or writes s3db.json. (Databases build their
   * resources with `new Resource(database, info)`.)
   */
  constructor (database, info) {
    super()
    let observers = [database]
    let lifecycle = null
    if (info === undefined) {
      const standalone = Resource._standalone(database || {})
      database = standalone.database
      info = standalone.info
      observers = standalone.observers
      lifecycle = standalone.lifecycle
    }
    Object.defineProperty(this, 'database', { value: database, enumerable: false, writable: true })
    Object.defineProperty(this, '_hookCallback', { value: (text) => this._runHookCall(text), enumerable: false })
    Object.defineProperty(this, '_ready', { value: info.ready || null, enumerable: false, writable: true })
    this.observers = observers
    this.hooks = Object.fromEntries(HOOK_EVENTS.map(e => [e, []]))
    this._apply(info)
    if (lifecycle && typeof lifecycle === 'object') {
      for (const e of HOOK_EVENTS) if (Array.isArray(lifecycle[e])) for (const fn of lifecycle[e]) this.addHook(e, fn)
    }
  }

  // A private database over the client (never connected: no s3db.json); the schema is built
  // now, so a bad definition throws here, and the engine registers the resource on first use.
  static _standalone ({ name, client, version = '1', options = {}, attributes = {}, parallelism = 10, passphrase = 'secret', observers = [], behavior = 'user-management' }) {
    const { Database } = require('./database')
    const database = new Database({ client, passphrase, parallelism })
    const def = engineDefinition({ name, version, attributes, options, behavior, passphrase: database.passphrase })
    const info = JSON.parse(callSync(() => new native.NativeSchema(encodeArgs(def))).info())
    info.ready = database._nativeDb ? callAsync(database._nativeDb.attachResource(encodeArgs(def))) : null
    if (info.ready) info.ready.catch(() => {}) // a failure surfaces at the first operation
    return { database, info, observers: Array.isArray(observers) ? observers : [], lifecycle: options && options.hooks }
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

  /** Resolves once the engine knows this resource (at once, but for `new Resource({ client })`). */
  async _whenReady () {
    if (this._ready) {
      await this._ready
      this._ready = null
    }
  }

  // Tell the engine which phases have hooks; it calls back only for those.
  _syncHooks () {
    if (!this.database._nativeDb) return // a stand-in client: no operation can run
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
        // A hook that threw for this item: the value it threw (and its token is released).
        const err = this.database._takeHookError(errorFromInfo(args[0]))
        // D3: listener presence never changes control flow.
        if (this.listenerCount('error') > 0) this.emit('error', err, args[1])
        for (const o of this.observers) if (o && typeof o.emit === 'function' && o.listenerCount('error') > 0) o.emit('error', this.name, err, args[1])
        continue
      }
      this.emit(name, ...args)
      for (const o of this.observers) {
        if (!o || typeof o.emit !== 'function') continue
        if (name === 'deleted') o.emit('deleted', this.name, ...args)
        if (name === 'exceedsLimit') o.emit('exceedsLimit', { resource: this.name, ...args[0] })
      }
    }
  }

  // `inputs`: the array argument whose items the engine's events may refer to (insertMany).
  _call (op, args, inputs) {
    return this._run(() => this.database._calls.resourceCall(this.name, op, encodeArgs(args)), inputs)
  }

  // One engine call (`start()` gives its `{result, events}` JSON): the events are emitted (but those
  // named `held`, which the caller emits itself), the result decoded.
  async _run (start, inputs, held) {
    if (this._ready) await this._whenReady()
    let text
    try {
      text = await start()
    } catch (nativeErr) {
      throw this._failure(nativeErr)
    }
    const { result, events } = decodeOutput(text, inputs)
    this._emitEvents(held === undefined ? events : events.filter(ev => ev[0] !== held))
    return result
  }

  // A failed engine call: the events produced before the failure (e.g. the `get` of an
  // update) are still emitted; a hook that threw gives the caller the very value it threw.
  _failure (nativeErr) {
    const err = fromNative(nativeErr)
    if (Array.isArray(err.events)) {
      const events = err.events
      delete err.events
      this._emitEvents(events.map(ev => ev.map((a, i) => (i === 0 ? a : revive(a, true)))))
    }
    return this.database._takeHookError(err)
  }

  /**
   * Store `buffer` as the record's binary content with `contentType` (the record itself is
   * unchanged); the record with `_hasContent`, `_contentLength`, `_mimeType`. Emits `get`, `setContent`.
   * `buffer` may also be a Readable (or any async iterable of chunks): it is streamed, never
   * held whole (S3: a multipart upload past 8 MB).
   */
  async setContent ({ id, buffer, contentType = 'application/octet-stream' } = {}) {
    if (isChunkSource(buffer)) return setContentFromStream(this, id, buffer, contentType)
    const body = Buffer.isBuffer(buffer) ? buffer : typeof buffer === 'string' ? Buffer.from(buffer) : Buffer.from(buffer ?? [])
    return this._run(() => this.database._native.setContent(this.name, argText(id, 'id', InvalidId), body, argText(contentType, 'contentType')))
  }

  /** `{ buffer, contentType }` of the record's content; both `null` when the record is missing. Emits `content`. */
  async content (id) {
    let body
    const result = await this._run(async () => {
      const res = await this.database._native.content(this.name, argText(id, 'id', InvalidId))
      body = res.body
      return res.json
    })
    if (body === null || body === undefined) return { buffer: null, contentType: null }
    return { buffer: body, contentType: result.contentType ?? null }
  }

  /**
   * A Readable of the record's content, downloaded as it is read; `contentType` and
   * `contentLength` are set on it when it emits 'ready'. A missing record fails it (NoSuchKey).
   */
  contentStream (id) { return contentStream(this, id) }

  /** Whether the record has non-empty binary content (false on any error). */
  async hasContent (id) {
    try {
      return await this._call('hasContent', [id])
    } catch {
      return false
    }
  }

  /** Empty the record's body, keeping its metadata. Emits `deleteContent`. */
  deleteContent (id) { return this._call('deleteContent', [id]) }

  /** `options.ifNotExists`: create only; a record with this id is a ConflictError (default: the resource's `insertMode`). */
  insert (data, options) { return this._call('insert', options === undefined ? [data] : [data, options]) }
  get (id) { return this._call('get', [id]) }
  exists (id) { return this._call('exists', [id]) }
  update (id, attributes) { return this._call('update', [id, attributes]) }
  upsert (data) { return this._call('upsert', [data]) }
  delete (id) { return this._call('delete', [id]) }
  insertMany (objects, options) {
    if (!Array.isArray(objects) || objects.length <= INSERT_MANY_CHUNK) return this._call('insertMany', options === undefined ? [objects] : [objects, options], objects)
    return this._insertManyInChunks(objects, options)
  }

  async _insertManyInChunks (objects, options) {
    const results = []
    for (let at = 0; at < objects.length; at += INSERT_MANY_CHUNK) {
      const chunk = objects.slice(at, at + INSERT_MANY_CHUNK)
      const args = encodeArgs(options === undefined ? [chunk] : [chunk, options])
      const part = await this._run(() => this.database._calls.resourceCall(this.name, 'insertMany', args), chunk, 'insertMany')
      for (const r of part) results.push(r)
    }
    this._emitEvents([['insertMany', objects.length]])
    return results
  }
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
    const key = callSync(() => native.nativePartitionKey(definition, argText(partitionName, 'partition name', PartitionError), argText(id, 'id', InvalidId), encodeArgs(data || {})))
    return key == null ? null : key
  }

  query (filter = {}, { limit = 100, offset = 0, partition = null, partitionValues = {} } = {}) {
    // Records scanned but not matched cross the boundary only when their event has a listener.
    const scannedEvents = this.listenerCount(partition ? 'getFromPartition' : 'get') > 0
    return this._call('query', [filter || {}, { limit, offset, partition, partitionValues, scannedEvents }])
  }

  /** An object-mode Readable of the resource's records (see ResourceReader). */
  readable (options = {}) { return new ResourceReader({ ...(options || {}), resource: this }).build() }

  /** An object-mode Writable that inserts every record written to it (see ResourceWriter). */
  writable (options = {}) { return new ResourceWriter({ ...(options || {}), resource: this }).build() }

  getResourceKey (id) { return `resource=${this.name}/v=${this.version}/id=${id}` }

  /** `{ original, isValid, errors, data }`: `data` is coerced in place (trim, defaults, conversions). */
  async validate (data) {
    const original = structuredClone(data)
    const check = await this.schema.validate(data, { mutateOriginal: true })
    return { original, isValid: check === true, errors: check === true ? [] : check, data }
  }

  _definition (attributes) {
    return engineDefinition({ name: this.name, version: this.version, attributes, options: this.options, behavior: this.behavior, passphrase: this.passphrase })
  }

  /**
   * Rebuild the schema with `newAttributes` at the current version (s3db.json is not written,
   * as in 4.1.7); throws for a definition that does not compile or partitions it lacks fields for.
   */
  updateAttributes (newAttributes) {
    const oldAttributes = this.attributes
    const def = this._definition(newAttributes)
    const info = JSON.parse(callSync(() => new native.NativeSchema(encodeArgs(def))).info())
    this._apply({ ...info, options: this.options })
    if (this.database._nativeDb) {
      const previous = this._ready
      this._ready = Promise.resolve(previous).then(() => callAsync(this.database._nativeDb.attachResource(encodeArgs(def))))
      this._ready.catch(() => {})
    }
    return { oldAttributes, newAttributes }
  }

  /** 4.1.7 keeps one schema per resource: the current one, whatever the version. */
  async getSchemaForVersion (version) { return this.schema }

  /** The text after `v=` in the key's first `v=` segment, or `null`. */
  extractVersionFromKey (key) {
    const part = String(key).split('/').find(p => p.startsWith('v='))
    return part ? part.replace('v=', '') : null
  }

  /** Dotted-path lookup; `undefined` when a level is missing. */
  getNestedFieldValue (data, fieldPath) { return walkPath(data, fieldPath).value }

  /** Whether a (dotted) field is defined in the attributes. */
  fieldExistsInAttributes (fieldName) { return walkPath(this.attributes || {}, fieldName).found }

  /** A partition rule (`maxlength:N`, `date`) applied to a value, as its key segment would hold it. */
  applyPartitionRule (value, rule) {
    if (value === undefined || value === null) return value
    const text = callSync(() => native.nativeApplyPartitionRule(encodeArgs(value), String(rule)))
    return text === null || text === String(value) ? value : text
  }

  /** Throws (PartitionError) when a partition uses a field the attributes lack. */
  validatePartitions () {
    callSync(() => new native.NativeSchema(encodeArgs(this._definition(this.attributes))))
  }

  /**
   * 4.1.7 added hooks here that write and delete partition copies; in this engine every
   * insert, update and delete keeps the copies itself, so this only checks the definitions.
   */
  setupPartitionHooks () {
    this.validatePartitions()
  }

  /** Write the partition copies of a stored record (`data` with its `id`). */
  async createPartitionReferences (data) { await this._call('createPartitionReferences', [data]) }

  /** Rewrite the partition copies of a stored record (`data` with its `id`). */
  async updatePartitionReferences (data) { await this._call('updatePartitionReferences', [data]) }

  /** Delete the partition copies `data` maps to. */
  async deletePartitionReferences (data) { await this._call('deletePartitionReferences', [data]) }

  /** Every object of the resource (all versions, partition copies); needs `paranoid: false`. */
  deleteAllData () { return this._call('deleteAllData', []) }
  getDefinitionHash () { return this._definitionHash }

  export () {
    return { version: this.version, name: this.name, options: this.options, attributes: this.attributes, map: this.map, behavior: this.behavior }
  }
}

hideSecrets(Resource)

module.exports = { Resource, HOOK_EVENTS, engineOptions }
