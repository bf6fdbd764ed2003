// Records over the ceiling client (bench/ceiling-client.mjs): the same keys and metadata an
// s3db-native insert writes for the bench records (resource=<name>/v=v0/id=<id>, one
// x-amz-meta-<n> per attribute in declaration order plus _v, empty body), and the record parsed
// back from a HEAD. Only the attribute types of the bench records are handled; anything else
// throws. bench/request-cost.mjs checks, before measuring, that a record written here reads back
// through s3db-native and one written by s3db-native reads back here, metadata equal.
import { Readable } from 'node:stream'

const VERSION = 'v0'
const printable = /^[\x20-\x7e]*$/

/** encode(record without id) -> metadata; decode(metadata) -> record without id. */
export function recordCodec (attributes) {
  const fields = Object.entries(attributes).map(([name, rule], i) => {
    const type = rule.split('|')[0]
    if (!['string', 'email', 'number', 'boolean', 'array'].includes(type) || (type === 'array' && !rule.includes('items:string'))) {
      throw new Error(`ceiling records: attribute type ${rule} is not handled`)
    }
    return { name, type, key: String(i) }
  })
  const text = (v, name) => {
    if (!printable.test(v)) throw new Error(`ceiling records: ${name} is not printable ASCII`)
    return v
  }
  return {
    encode (record) {
      const m = {}
      for (const f of fields) {
        const v = record[f.name]
        if (v === undefined) continue
        switch (f.type) {
          case 'number': m[f.key] = String(v); break
          case 'boolean': m[f.key] = v ? '1' : '0'; break
          case 'array':
            if (v.some(x => x.includes('|'))) throw new Error(`ceiling records: ${f.name} has an item with '|'`)
            m[f.key] = text(v.join('|'), f.name); break
          default: m[f.key] = text(String(v), f.name)
        }
      }
      m._v = VERSION
      return m
    },
    decode (m) {
      const r = {}
      for (const f of fields) {
        const v = m[f.key]
        if (v === undefined) continue
        switch (f.type) {
          case 'number': r[f.name] = Number(v); break
          case 'boolean': r[f.name] = v === '1'; break
          case 'array': r[f.name] = v === '' ? [] : v.split('|'); break
          default: r[f.name] = v
        }
      }
      return r
    }
  }
}

async function pool (items, n, fn) {
  let i = 0
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) { const k = i++; await fn(items[k], k) }
  }))
}

/** A resource-like object over `client`: insert, get, count, listIds, readable, writeAll. */
export function ceilingResource (client, name, attributes) {
  const codec = recordCodec(attributes)
  const prefix = `resource=${name}/v=${VERSION}/`
  const keyOf = (id) => `${prefix}id=${id}`
  const idOf = (key) => key.slice(prefix.length + 3)
  async function * pages () {
    let token = null
    do {
      const page = await client.listObjects({ prefix, continuationToken: token })
      yield page.keys
      token = page.nextContinuationToken
    } while (token)
  }
  const resource = {
    name,
    codec,
    keyOf,
    async insert (record) {
      const { id, ...rest } = record
      await client.putObject(keyOf(id), codec.encode(rest))
      return record
    },
    async get (id) {
      const head = await client.headObject(keyOf(id))
      if (!head) throw new Error(`ceiling: no record ${id} in ${name}`)
      return { id, ...codec.decode(head.metadata) }
    },
    async count () { let n = 0; for await (const keys of pages()) n += keys.length; return n },
    async listIds ({ limit = Infinity } = {}) {
      const ids = []
      for await (const keys of pages()) {
        for (const k of keys) { if (ids.length >= limit) return ids; ids.push(idOf(k)) }
      }
      return ids
    },
    /** Every record: one listing page at a time (the next one listed meanwhile), HEADs `concurrency` at a time. */
    readable ({ concurrency = 32 } = {}) {
      return Readable.from((async function * () {
        const it = pages()
        let next = it.next()
        while (true) {
          const { value: keys, done } = await next
          if (done) return
          next = it.next()
          const records = new Array(keys.length)
          await pool(keys, concurrency, async (k, i) => { records[i] = await resource.get(idOf(k)) })
          yield * records
        }
      })())
    },
    /** Inserts every record of `source` (an object-mode stream), `concurrency` PUTs in flight. */
    async writeAll (source, { concurrency = 32 } = {}) {
      const inflight = new Set()
      let failed = null
      for await (const record of source) {
        if (failed) throw failed
        const p = resource.insert(record).catch(e => { failed ??= e }).finally(() => inflight.delete(p))
        inflight.add(p)
        if (inflight.size >= concurrency) await Promise.race(inflight)
      }
      await Promise.all(inflight)
      if (failed) throw failed
    }
  }
  return resource
}
