'use strict'
// Caches (4.1.7: Cache, MemoryCache, S3Cache): the base class checks keys and emits events.

const { EventEmitter } = require('node:events')
const { InvalidArgument } = require('../errors')

function checkCacheKey (key) {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidArgument({ message: 'Invalid key' })
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

module.exports = { Cache }
