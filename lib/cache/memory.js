'use strict'
// MemoryCache (4.1.7): entries in this process, with an optional ttl (seconds) and size bound.

const { Cache } = require('./cache')

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

module.exports = { MemoryCache }
