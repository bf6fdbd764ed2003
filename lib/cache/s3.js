'use strict'
// S3Cache (4.1.7): each entry is JSON, gzip'd and base64'd, in one object under `keyPrefix`, through a Client.

const path = require('node:path')
const zlib = require('node:zlib')
const { Cache } = require('./cache')
const { NoSuchKey } = require('../errors')

class S3Cache extends Cache {
  constructor ({ client, keyPrefix = 'cache', ttl = 0, prefix } = {}) {
    // 4.1.7 kept `config.prefix` (keyPrefix plus `/` unless given) and never used it: keys live under keyPrefix.
    super({ client, keyPrefix, ttl, prefix: prefix !== undefined ? prefix : `${keyPrefix}/` })
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

module.exports = { S3Cache }
