// Load: 20,000 operations issued at once (Promise.all) must complete with memory and open
// file descriptors bounded by `parallelism`, not by the number of operations in flight.
//   node --expose-gc bench/load.mjs                       file:// (a temp dir)
//   S3DB_BENCH_LOAD_TARGET=s3 node --expose-gc bench/load.mjs   $S3DB_TEST_S3_URL (moto: scripts/s3-server.sh)
// Knobs: S3DB_BENCH_LOAD_N (default 20000), S3DB_BENCH_LOAD_PARALLELISM (default 10).
// Reports, per phase (insert, get, update, delete): seconds, ops/s, peak RSS growth and peak
// open fds; appends to bench/results/load.json.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { S3db } from 's3db-native'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.S3DB_BENCH_LOAD_N || 20000)
const parallelism = Number(process.env.S3DB_BENCH_LOAD_PARALLELISM || 10)
const target = process.env.S3DB_BENCH_LOAD_TARGET || 'file'
let tmp = null
let base
if (target === 'file') {
  tmp = mkdtempSync(join(tmpdir(), 's3db-load-'))
  base = `file://${tmp}`
} else {
  if (!process.env.S3DB_TEST_S3_URL) throw new Error('S3DB_TEST_S3_URL is not set (scripts/s3-server.sh start)')
  base = `${process.env.S3DB_TEST_S3_URL}/load-${Date.now()}`
}
const mb = b => +(b / 1048576).toFixed(1)
const fds = () => { try { return readdirSync('/proc/self/fd').length } catch { return -1 } }

const db = new S3db({ connectionString: base, parallelism })
await db.connect()
const users = await db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', age: 'number' } })
const ids = Array.from({ length: N }, (_, i) => `u${String(i).padStart(6, '0')}`)

async function phase (name, fn) {
  global.gc?.()
  const rss0 = process.memoryUsage.rss()
  const fd0 = fds()
  let peakRss = rss0
  let peakFds = fd0
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); peakFds = Math.max(peakFds, fds()) }, 25)
  const t = process.hrtime.bigint()
  const settled = await Promise.allSettled(ids.map(fn))
  const s = Number(process.hrtime.bigint() - t) / 1e9
  clearInterval(sampler)
  const failed = settled.filter(x => x.status === 'rejected')
  if (failed.length) console.error(`${name}: ${failed.length} failed, e.g. ${failed[0].reason && failed[0].reason.message}`)
  return { phase: name, ops: N, failed: failed.length, seconds: +s.toFixed(2), opsPerSec: Math.round(N / s), rssGrowthMb: mb(peakRss - rss0), fdsAtStart: fd0, peakFds }
}

const phases = []
phases.push(await phase('insert', (id, i) => users.insert({ id, name: `User ${i}`, email: `u${i}@example.com`, age: i % 90 })))
phases.push(await phase('get', (id) => users.get(id)))
phases.push(await phase('update', (id) => users.update(id, { age: 1 })))
phases.push(await phase('delete', (id) => users.delete(id)))
const result = { at: new Date().toISOString(), target, n: N, parallelism, phases }
console.log(JSON.stringify(result, null, 1))
if (tmp) rmSync(tmp, { recursive: true, force: true })

const out = join(here, 'results', 'load.json')
mkdirSync(dirname(out), { recursive: true })
const all = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : []
all.push(result)
writeFileSync(out, JSON.stringify(all, null, 2) + '\n')
