// One benchmark run in its own process: one library, one target, one N.
//   node bench/scenario.mjs --lib native|s3dbjs --target memory|garage --n 5000
// Prints one JSON line per scenario: records/s, client CPU µs per record, peak RSS,
// server CPU (Garage's utime+stime over the scenario, when S3DB_GARAGE_PID is set).
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { openLibrary } from './libs.mjs'

const { values: args } = parseArgs({
  options: {
    lib: { type: 'string' },
    target: { type: 'string' },
    n: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    only: { type: 'string' }
  }
})
const N = Number(args.n)
const CONCURRENCY = Number(args.concurrency)
const only = args.only ? args.only.split(',') : null

const CLK_TCK = 100 // Linux USER_HZ
function serverCpuMs () {
  const pid = process.env.S3DB_GARAGE_PID
  if (args.target !== 'garage' || !pid) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK
  } catch { return null }
}

let peakRss = 0
const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()) }, 5)
sampler.unref()

async function pool (items, n, fn) {
  let i = 0
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) { const k = i++; await fn(items[k]) }
  }))
}

async function measure (scenario, records, fn) {
  if (only && !only.some(o => scenario.startsWith(o))) return
  if (global.gc) global.gc()
  peakRss = process.memoryUsage.rss()
  const srv0 = serverCpuMs()
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  const extra = await fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const cpu = process.cpuUsage(cpu0)
  const srv1 = serverCpuMs()
  peakRss = Math.max(peakRss, process.memoryUsage.rss())
  const out = {
    lib: args.lib,
    target: args.target,
    n: N,
    scenario,
    records,
    ms: +ms.toFixed(1),
    recordsPerSec: Math.round(records / (ms / 1000)),
    cpuUsPerRecord: +((cpu.user + cpu.system) / records).toFixed(2),
    peakRssMB: +(peakRss / 1048576).toFixed(1),
    serverCpuMs: srv0 === null || srv1 === null ? null : Math.round(srv1 - srv0),
    ...(extra || {})
  }
  console.log(JSON.stringify(out))
}

const rows = Array.from({ length: N }, (_, i) => ({
  id: `u${String(i).padStart(8, '0')}`,
  name: `User ${i}`,
  email: `user${i}@example.com`,
  age: 20 + (i % 50),
  active: i % 2 === 0,
  tags: ['a', 'b']
}))
const ids = rows.map(r => r.id)
const attributes = { name: 'string', email: 'email', age: 'number', active: 'boolean', tags: 'array|items:string' }

const lib = await openLibrary(args.lib, args.target, { parallelism: CONCURRENCY })
try {
  const users = await lib.createResource('users', attributes)
  await measure(`insert x${N} (one by one, concurrency ${CONCURRENCY})`, N, () => pool(rows, CONCURRENCY, r => users.insert(r)))
  await measure(`get x${N} (concurrency ${CONCURRENCY})`, N, () => pool(ids, CONCURRENCY, id => users.get(id)))
  await measure('count', N, async () => { const c = await users.count(); if (c !== N) throw new Error(`count ${c} != ${N}`) })
  await measure('listIds', N, async () => { const l = await users.listIds({ limit: N }); if (l.length !== N) throw new Error(`listIds ${l.length} != ${N}`) })
  await measure(`readable of ${N}`, N, async () => {
    let n = 0
    let first = null
    const t0 = process.hrtime.bigint()
    await pipeline(lib.readable(users, { batchSize: 100, concurrency: CONCURRENCY, total: N }), new Writable({
      objectMode: true,
      highWaterMark: 128,
      write (_rec, _enc, cb) { if (first === null) first = Number(process.hrtime.bigint() - t0) / 1e6; n++; cb() }
    }))
    if (n !== N) throw new Error(`readable gave ${n} records, expected ${N}`)
    return { firstRecordMs: +first.toFixed(1) }
  })
  const many = await lib.createResource('usersMany', attributes)
  await measure(`insertMany ${N}`, N, async () => { await many.insertMany(rows) })
  const streamed = await lib.createResource('usersStream', attributes)
  await measure(`writable of ${N}`, N, async () => {
    await lib.writeAll(streamed, Readable.from(rows), { batchSize: 100, concurrency: CONCURRENCY })
  })
  for (const [r, what] of [[many, 'insertMany'], [streamed, 'writable']]) {
    if (only && !only.some(o => what.startsWith(o))) continue
    const c = await r.count()
    if (c !== N) throw new Error(`${what} stored ${c} records, expected ${N}`)
  }
} finally {
  await lib.close()
}
