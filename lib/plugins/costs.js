'use strict'
// CostsPlugin (4.1.7): request counts and their price.

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

module.exports = { CostsPlugin }
