// One benchmark run in its own process: one library, one target, one N.
//   node bench/scenario.mjs --lib native|s3dbjs417|s3dbjs|ceiling --target memory|garage|s3 --n 5000
// Prints one JSON line per scenario: records/s, client CPU µs per record (process.cpuUsage of
// this process, all threads), peak RSS, server CPU (Garage's utime+stime over the scenario, when
// S3DB_GARAGE_PID is set). The secret insert/get scenarios use min(N, --secret-n) records
// (S3DB_BENCH_SECRET_N, default 200; 0 skips them): s3db.js derives a PBKDF2 key per field per record.
// Scenarios a library has no equivalent for (its `cannot` list) are not run.
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { openLibrary } from './libs.mjs'
import { attributes, benchRows, secretAttributes, secretRows, PASSPHRASE } from './records.mjs'

const { values: args } = parseArgs({
  options: {
    lib: { type: 'string' },
    target: { type: 'string' },
    n: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    'secret-n': { type: 'string', default: process.env.S3DB_BENCH_SECRET_N || '200' },
    only: { type: 'string' }
  }
})
const N = Number(args.n)
const CONCURRENCY = Number(args.concurrency)
const only = args.only ? args.only.split(',') : null
const SECRET_N = Math.min(N, Number(args['secret-n']))

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

let lib = null
const skipped = (scenario) => (only && !only.some(o => scenario.startsWith(o))) || lib.cannot.some(c => scenario.startsWith(c))

async function measure (scenario, records, fn) {
  if (skipped(scenario)) return
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

const rows = benchRows(N)
const ids = rows.map(r => r.id)

lib = await openLibrary(args.lib, args.target, { parallelism: CONCURRENCY, passphrase: PASSPHRASE })
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
    if (skipped(what)) continue
    const c = await r.count()
    if (c !== N) throw new Error(`${what} stored ${c} records, expected ${N}`)
  }
  if (SECRET_N > 0 && !skipped('secret')) {
    const secrets = secretRows(SECRET_N)
    const vault = await lib.createResource('vault', secretAttributes)
    await measure(`secret insert x${SECRET_N} (one secret field, concurrency ${CONCURRENCY})`, SECRET_N, () => pool(secrets, CONCURRENCY, r => vault.insert(r)))
    await measure(`secret get x${SECRET_N} (concurrency ${CONCURRENCY})`, SECRET_N, () => pool(secrets, CONCURRENCY, async r => {
      const got = await vault.get(r.id)
      if (got.password !== r.password) throw new Error(`secret round trip failed for ${r.id}`)
    }))
  }
} finally {
  await lib.close()
}
