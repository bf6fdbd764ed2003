// Constant memory: a readable over a large resource with a consumer that keeps nothing.
//   node --expose-gc bench/memory.mjs                    1,000,000 records on memory://
//   S3DB_BENCH_MEMORY_N=100000 S3DB_BENCH_MEMORY_TARGET=garage node --expose-gc bench/memory.mjs
// Reports RSS at the start of the read (after filling and a GC), the peak during it and at the
// end, the growth, time to first record and records/s. Appends to bench/results/memory.json.
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { S3db } from 's3db-native'
import { runCommit } from './commit.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.S3DB_BENCH_MEMORY_N || 1_000_000)
const target = process.env.S3DB_BENCH_MEMORY_TARGET || 'memory'
const base = target === 'garage' ? process.env.S3DB_GARAGE_URL : 'memory://bench-memory'
if (!base) throw new Error('S3DB_GARAGE_URL is not set (scripts/garage.sh start)')
const mb = b => +(b / 1048576).toFixed(1)

const db = new S3db({ connectionString: `${base}/mem-${Date.now()}`, parallelism: 64 })
await db.connect()
const users = await db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', age: 'number', tags: 'array|items:string' } })

const t0 = Date.now()
function * rows () {
  for (let i = 0; i < N; i++) yield { id: `u${String(i).padStart(8, '0')}`, name: `User ${i}`, email: `user${i}@example.com`, age: i % 90, tags: ['a', 'b'] }
}
const writer = users.writable({ batchSize: 100, concurrency: 64 })
await pipeline(Readable.from(rows()), writer)
const fillMs = Date.now() - t0
console.error(`filled ${writer.stats.written} records in ${fillMs} ms`)

global.gc?.()
await new Promise(resolve => setTimeout(resolve, 200))
global.gc?.()
const start = process.memoryUsage.rss()
let peak = start
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 10)

let n = 0
let first = null
const r0 = process.hrtime.bigint()
const cpu0 = process.cpuUsage()
await pipeline(users.readable({ batchSize: 100, concurrency: 32 }), new Writable({
  objectMode: true,
  highWaterMark: 64,
  write (_rec, _enc, cb) {
    if (first === null) first = Number(process.hrtime.bigint() - r0) / 1e6
    n++
    cb()
  }
}))
const readMs = Number(process.hrtime.bigint() - r0) / 1e6
const cpu = process.cpuUsage(cpu0)
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage.rss())
const end = process.memoryUsage.rss()
if (n !== N) throw new Error(`read ${n} records, expected ${N}`)

const result = {
  date: new Date().toISOString(),
  commit: runCommit(),
  node: process.version,
  target,
  records: N,
  fillMs,
  readMs: Math.round(readMs),
  recordsPerSec: Math.round(N / (readMs / 1000)),
  cpuUsPerRecord: +((cpu.user + cpu.system) / N).toFixed(2),
  firstRecordMs: +first.toFixed(1),
  rssStartMB: mb(start),
  rssPeakMB: mb(peak),
  rssEndMB: mb(end),
  rssGrowthMB: mb(peak - start)
}
console.log(JSON.stringify(result))
mkdirSync(join(here, 'results'), { recursive: true })
const file = join(here, 'results', 'memory.json')
const all = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : []
all.push(result)
writeFileSync(file, JSON.stringify(all, null, 2) + '\n')
await db.disconnect()
