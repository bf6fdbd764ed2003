// Memory of a `query` that scans many records and matches few: peak RSS growth and heap in use,
// with nobody listening to `get` (the scanned misses never cross the boundary) and with a `get`
// listener (4.1.7's event per scanned record, which is what every query cost before).
//   node --expose-gc bench/query-memory.mjs     N=100000 (S3DB_BENCH_QUERY_N), memory://
import { S3db } from 's3db-native'

const N = Number(process.env.S3DB_BENCH_QUERY_N || 100000)
const MATCHES = 10

const db = new S3db({ connectionString: `memory://query-bench/${Date.now()}` })
await db.connect()
const r = await db.createResource({ name: 'rows', attributes: { name: 'string', note: 'string', group: 'string' } })
const step = Math.floor(N / MATCHES)
for (let i = 0; i < N; i += 5000) {
  await r.insertMany(Array.from({ length: Math.min(5000, N - i) }, (_, k) => {
    const n = i + k
    return { id: `r${String(n).padStart(7, '0')}`, name: `name ${n}`, note: 'x'.repeat(200), group: n % step === 0 ? 'hit' : 'miss' }
  }))
}

async function measure (label) {
  global.gc?.()
  const base = process.memoryUsage()
  let peakRss = base.rss
  let peakHeap = base.heapUsed
  const sample = setInterval(() => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeap = Math.max(peakHeap, m.heapUsed)
  }, 5)
  const t = process.hrtime.bigint()
  const hits = await r.query({ group: 'hit' }, { limit: 1000 })
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  clearInterval(sample)
  const m = process.memoryUsage()
  peakRss = Math.max(peakRss, m.rss)
  peakHeap = Math.max(peakHeap, m.heapUsed)
  const mb = (x) => (x / 1048576).toFixed(1)
  console.log(`${label.padEnd(22)} matched ${hits.length}  ${ms.toFixed(0)} ms  peak RSS +${mb(peakRss - base.rss)} MB  peak heap +${mb(peakHeap - base.heapUsed)} MB`)
}

console.log(`query over ${N} records (memory://), ${MATCHES} matches`)
await measure('no get listener')
let seen = 0
r.on('get', () => { seen++ })
await measure('get listener')
console.log(`(${seen} get events delivered)`)
