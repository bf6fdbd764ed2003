'use strict'
// CachePlugin (4.1.7): resource reads served from a cache driver.

const path = require('node:path')
const crypto = require('node:crypto')
const { Plugin } = require('./plugin')
const { S3Cache } = require('../cache/s3')

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

  /**
   * Works through the database's public surface only (so also on database-like objects):
   * wraps `createResource` (every resource it returns is cached), caches the resources
   * loaded from s3db.json once `connected` is emitted (4.1.7 missed them; a database-like
   * object without events gets its `connect` wrapped instead), and the resources already
   * in `database.resources`.
   */
  async setup (database) {
    await super.setup(database)
    this.driver = this.driver || new S3Cache({ keyPrefix: 'cache', client: database.client })
    const installAll = () => { for (const r of Object.values(database.resources || {})) this.installResourceHooks(r) }
    if (typeof database.createResource === 'function') {
      const createResource = database.createResource.bind(database)
      database.createResource = async (...args) => this.installResourceHooks(await createResource(...args))
    }
    if (typeof database.on === 'function') {
      // `connected` comes after s3db.json's resources are loaded (plugins are set up
      // inside connect(), before that).
      database.on('connected', installAll)
    } else if (typeof database.connect === 'function') {
      const connect = database.connect.bind(database)
      database.connect = async (...args) => {
        const out = await connect(...args)
        installAll()
        return out
      }
    }
    installAll()
  }

  installResourceHooks (resource) {
    if (!resource || typeof resource !== 'object' || resource._cacheInstalled) return resource
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
      if (typeof resource[method] !== 'function') continue
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
      if (typeof resource[method] !== 'function') continue
      const original = resource[method].bind(resource)
      resource[method] = async (...args) => {
        try {
          return await original(...args)
        } finally {
          await driver.clear(scope)
        }
      }
    }
    if (typeof resource.writable === 'function') {
      const writable = resource.writable.bind(resource)
      resource.writable = (...args) => {
        const w = writable(...args)
        w.on('finish', () => { driver.clear(scope).catch(err => resource.emit('error', err)) })
        return w
      }
    }
    return resource
  }
}

module.exports = { CachePlugin }
