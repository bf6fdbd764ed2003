'use strict'
// Client: raw object access under the database key prefix (s3db.js `Client` subset).

const { EventEmitter } = require('node:events')
const { callAsync } = require('./errors')

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

module.exports = { Client }
