'use strict'
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

const { Readable, Writable } = require('node:stream')
const { dateReplacer, encodeArgs, reviveDates, reviveRecord, revive } = require('./boundary')
const { InvalidResourceItem, InvalidArgument, ValidationError, errorFromInfo, fromNative } = require('./errors')

function describe (value) {
  try { return typeof value === 'string' ? JSON.stringify(value) : String(value) } catch { return Object.prototype.toString.call(value) }
}

function positiveInt (value, fallback, what) {
  if (value === undefined || value === null) return fallback
  let n
  try { n = Number(value) } catch { n = NaN }
  if (!Number.isFinite(n) || n < 1) {
    const err = new TypeError(`${what} must be a positive number, got ${describe(value)}`)
    err.code = 'ERR_INVALID_ARG_VALUE'
    throw err
  }
  return Math.floor(n)
}

function decodeRecords (list, hasDates) {
  if (hasDates) reviveDates(list)
  for (const r of list) reviveRecord(r)
  return list
}

/** Options shared by ResourceReader and ResourceWriter: checked sizes and the Node stream options. */
function streamOptions (kind, { resource, batchSize = 10, concurrency = 5, signal, highWaterMark }) {
  if (!resource) throw new InvalidArgument({ message: `Resource is required for ${kind}` })
  const size = positiveInt(batchSize, 10, 'batchSize')
  return {
    resource,
    batchSize: size,
    concurrency: positiveInt(concurrency, 5, 'concurrency'),
    node: { objectMode: true, highWaterMark: positiveInt(highWaterMark, Math.max(16, size), 'highWaterMark'), signal }
  }
}

/**
 * The native pump's callback for `reader` (a WeakRef). The pump holds its callback; through the
 * WeakRef the callback does not hold the stream, so a reader dropped without destroy() is collected
 * and its native handle's finalizer cancels the pump. (Made here, not in a method: a closure shares
 * its scope's context, which there would hold `this`.)
 */
function holdStream () {}

function pumpCallback (reader) {
  return (msg) => {
    const r = reader.deref()
    return r === undefined ? false : r._onMessage(msg)
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
    // A timer while the native pump works for this stream (see _stayAlive).
    this._alive = null
  }

  build () { return this }

  // While the native pump works for this stream, a timer holds the stream (its argument) and keeps
  // the event loop alive: a consumer awaiting records may be the stream's only other owner. When the
  // stream is paused the timer goes, so an abandoned reader is collected and the process can exit.
  _stayAlive (pumping) {
    if (pumping) {
      if (this._alive === null) this._alive = setInterval(holdStream, 0x7fffffff, this)
    } else if (this._alive !== null) {
      clearInterval(this._alive)
      this._alive = null
    }
  }

  /** Counters of the Rust side: ids listed, records fetched, records delivered towards JS, records skipped. */
  get progress () {
    const p = this._handle !== null ? this._handle.stats() : { listed: 0, fetched: 0, delivered: 0 }
    return { ...p, skipped: this.skipped }
  }

  _read () {
    this._demand = true
    if (this._handle === null) {
      if (this.resource._ready) {
        // `new Resource({ client })`: the engine registers the resource first.
        this.resource._whenReady().then(() => this._read(), err => this.destroy(fromNative(err)))
        return
      }
      const opts = encodeArgs({ batchSize: this.batchSize, concurrency: this.concurrency, ordered: this.ordered, partition: this.partition, partitionValues: this.partitionValues })
      try {
        this._handle = this.resource.database._native.openReader(this.resource.name, opts, pumpCallback(new WeakRef(this)))
        this._stayAlive(true)
      } catch (err) {
        this.destroy(fromNative(err))
      }
      return
    }
    if (this._waiting) {
      this._waiting = false
      this._stayAlive(true)
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
        this._stayAlive(false)
        this.destroy(errorFromInfo(msg.error))
        return false
      }
      if (msg.done) {
        this._stayAlive(false)
        this.push(null)
        return false
      }
      if (!more && !this._demand) {
        this._waiting = true
        this._stayAlive(false)
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
    this._stayAlive(false)
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

// A writer reports a record's validation failure as a ValidationError (errors.js).
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
    // Create-only inserts: a record whose id exists is a failed item (ConflictError).
    this.ifNotExists = typeof options.ifNotExists === 'boolean' ? options.ifNotExists : undefined
    this.written = 0
    this.failed = 0
    this._handle = null
    this._plumbed = false // piped into once (pipe/pipeline): never emit per-record 'error' again
    // Records written but not yet settled, by index in write order (the engine reports indices):
    // at most one batch plus the engine's bounded queue and the inserts in flight.
    Object.defineProperty(this, '_pending', { value: new Map(), enumerable: false })
    Object.defineProperty(this, '_nextIndex', { value: 0, enumerable: false, writable: true })
    // push() calls not settled yet: a destroyed writer reports theirs before it closes.
    Object.defineProperty(this, '_pushing', { value: new Set(), enumerable: false })
    // The streaming guide pipes into `writer.writable`: it is the writer itself.
    Object.defineProperty(this, 'writable', { value: this, enumerable: false, configurable: true, writable: true })
    this.on('pipe', () => { this._plumbed = true })
  }

  build () { return this }

  get stats () { return { written: this.written, failed: this.failed } }

  _construct (cb) {
    const r = this.resource
    const events = r.listenerCount('insert') > 0 || r.listenerCount('exceedsLimit') > 0 || r.database.listenerCount('exceedsLimit') > 0
    const opts = JSON.stringify({ batchSize: this.batchSize, concurrency: this.concurrency, events, ifNotExists: this.ifNotExists })
    r._whenReady().then(() => r.database._native.openWriter(r.name, opts)).then(h => { this._handle = h; cb() }, err => cb(fromNative(err)))
  }

  // Once the writer is destroyed, failures (records cancelled in flight or queued: `Cancelled`)
  // go to 'recordError' only, never to 'error'.
  _report (text) {
    const hasDates = text.includes('"$date"')
    const rep = JSON.parse(text)
    // Reports may settle out of order (a push still failing its records while finish() reports):
    // the totals only grow.
    this.written = Math.max(this.written, rep.written)
    this.failed = Math.max(this.failed, rep.failed)
    if (rep.events.length > 0) this.resource._emitEvents(rep.events.map(ev => ev.map((a, i) => (i === 0 ? a : revive(a, hasDates)))))
    for (const i of rep.succeeded) this._pending.delete(i)
    for (const f of rep.failures) {
      const err = writerError(this.resource.database._takeHookError(errorFromInfo(f.error)))
      // The very object that was written (4.1.7 passed the chunk too).
      const record = this._pending.get(f.index)
      this._pending.delete(f.index)
      this.emit('recordError', err, record)
      if (!this.destroyed && !this._plumbed && this.listenerCount('error') > 0) this.emit('error', err, record)
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
    for (const record of records) this._pending.set(this._nextIndex++, record)
    const pushed = this._handle.push(text).then(rep => {
      try { this._report(rep) } catch (err) { cb(err); return }
      cb()
    }, err => cb(fromNative(err)))
    this._pushing.add(pushed)
    pushed.finally(() => this._pushing.delete(pushed))
  }

  /**
   * G3: a write() after end() is refused with ERR_STREAM_WRITE_AFTER_END (on its callback, and on
   * 'error' when you listen to it and nothing is piped in), like a per-record failure it does not end the stream: the
   * records written before end() are still stored and 'finish' fires once. (A plain Writable
   * destroys itself here, dropping what end() was about to store.)
   */
  write (chunk, encoding, cb) {
    if (!this.writableEnded || this.destroyed) return super.write(chunk, encoding, cb)
    const callback = typeof encoding === 'function' ? encoding : cb
    const err = new Error('write after end')
    err.code = 'ERR_STREAM_WRITE_AFTER_END'
    process.nextTick(() => {
      if (typeof callback === 'function') callback(err)
      if (!this._plumbed && this.listenerCount('error') > 0) this.emit('error', err)
    })
    return false
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
    // Stop the inserts, then settle the totals: records not stored count as failed, each
    // reported on 'recordError' with a Cancelled error (nothing accepted goes unaccounted).
    this._handle.cancel()
    const pushing = [...this._pushing]
    this._handle.finish().then(text => Promise.allSettled(pushing).then(() => {
      try { this._report(text) } catch { /* the totals stand as reported so far */ }
      cb(err)
    }), () => cb(err))
  }
}

class ResourceIdsReader extends Readable {
  constructor ({ resource, batchSize, signal, highWaterMark } = {}) {
    if (!resource) throw new InvalidArgument({ message: `Resource is required for ${new.target.name}` })
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
    await this.resource._whenReady()
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

module.exports = { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString }
