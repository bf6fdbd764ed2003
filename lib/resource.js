'use strict'
// Resource: one collection of records (s3db.js `Resource`). Every operation is one
// engine call; the events it lists are emitted on the resource (and the database).

const { EventEmitter } = require('node:events')
const { native } = require('./native')
const { dateReplacer, encodeArgs, revive, decodeOutput } = require('./boundary')
const { errorFromInfo, fromNative, callSync } = require('./errors')
const { Schema } = require('./schema')
const { ResourceReader, ResourceWriter } = require('./streams')

const HOOK_EVENTS = ['preInsert', 'afterInsert', 'preUpdate', 'afterUpdate', 'preDelete', 'afterDelete']

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

module.exports = { Resource, HOOK_EVENTS }
