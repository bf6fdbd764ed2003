'use strict'
// CostsPlugin (4.1.7): request counts and their price, on `client.costs`.

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

/**
 * One live costs object, as 4.1.7's: `total`, `requests.*` and `events.*` read the engine's
 * request meter when they are read, counted from `baseline` on. `counts()` returns the meter.
 */
function liveCosts (counts, baseline) {
  const since = (command) => (counts()[command] || 0) - (baseline[command] || 0)
  const sum = (commands) => commands.reduce((n, c) => n + since(c), 0)
  const ofCategory = (category) => Object.keys(COST_CATEGORY).filter(c => COST_CATEGORY[c] === category)
  const live = (target, name, get) => Object.defineProperty(target, name, { get, enumerable: true })
  const requests = {}
  live(requests, 'total', () => sum(Object.keys(COST_CATEGORY)))
  for (const category of ['put', 'post', 'copy', 'list', 'get', 'select', 'delete']) live(requests, category, () => sum(ofCategory(category)))
  const events = {}
  live(events, 'total', () => sum(Object.keys(COST_CATEGORY)))
  for (const command of Object.keys(COST_CATEGORY)) live(events, command, () => since(command))
  const costs = { prices: { ...COST_PRICES }, requests, events }
  live(costs, 'total', () => Object.keys(COST_CATEGORY).reduce((t, c) => t + since(c) * COST_PRICES[COST_CATEGORY[c]], 0))
  return costs
}

const ZERO = liveCosts(() => ({}), {})

/**
 * Request counts and prices on `db.client.costs`, as 4.1.7's CostsPlugin: one live object per
 * client, counted from the plugin's setup. Every request the engine sends is counted (4.1.7
 * missed copies and deleteAll); databases sharing a client share its counts, other clients
 * have their own (4.1.7's single plugin object mixed them). `CostsPlugin.costs` is the costs
 * of the client set up last. On a database-like object whose client is not a Client, the
 * client's `command.response` events are counted instead.
 */
const CostsPlugin = {
  async setup (db) {
    const client = db.client
    this.client = client
    if (!client || typeof client !== 'object' || Object.getOwnPropertyDescriptor(client, 'costs')) return
    let counts
    if (client._native) {
      counts = () => JSON.parse(client._native.requestCounts())
    } else {
      // Another client object (a stand-in, a 4.1.7-style client): count its
      // `command.response` events, as 4.1.7 did.
      const seen = {}
      if (typeof client.on === 'function') client.on('command.response', (name) => { seen[name] = (seen[name] || 0) + 1 })
      counts = () => seen
    }
    Object.defineProperty(client, 'costs', { value: liveCosts(counts, { ...counts() }), enumerable: true, configurable: true, writable: true })
  },
  async start () {},
  async stop () {},
  get costs () { return (this.client && this.client.costs) || ZERO }
}

module.exports = { CostsPlugin }
