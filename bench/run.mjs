// Quick benchmark of s3db-native's core operations (records/s, client CPU µs per record, RSS).
//   npm run bench                 memory:// and file://
//   S3DB_BENCH_S3_URL=http://KEY:SECRET@127.0.0.1:PORT/bucket npm run bench   adds an S3 server
// N defaults to 5000 (S3DB_BENCH_N). Writes bench/results/quick.json.
// The side-by-side comparison with s3db.js (and Garage) is bench/compare (streams milestone).
import { S3db } from 's3db-native'
import { mkdtempSync, rmSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const N = Number(process.env.S3DB_BENCH_N || 5000)
const CONCURRENCY = 32
const here = dirname(fileURLToPath(import.meta.url))

const targets = [['memory', `memory://bench/${Date.now()}`]]
const fileDir = mkdtempSync(join(tmpdir(), 's3db-native-bench-'))
targets.push(['file', `file://${fileDir}`])
if (process.env.S3DB_BENCH_S3_URL) targets.push(['s3', `${process.env.S3DB_BENCH_S3_URL.replace(/\/+$/, '')}/bench-${Date.now()}`])

async function pool (items, n, fn) {
  let i = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) { const k = i++; await fn(items[k], k) }
  }))
}

async function measure (name, count, fn) {
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await fn()
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const cpu = process.cpuUsage(cpu0)
  return { scenario: name, records: count, ms: +ms.toFixed(1), recordsPerSec: Math.round(count / (ms / 1000)), cpuUsPerRecord: +((cpu.user + cpu.system) / count).toFixed(1), rssMB: Math.round(process.memoryUsage().rss / 1048576) }
}

const results = []
for (const [backend, cs] of targets) {
  const db = new S3db({ connectionString: cs, parallelism: CONCURRENCY })
  await db.connect()
  const users = await db.createResource({ name: 'users', attributes: { name: 'string', email: 'email', age: 'number', active: 'boolean', tags: 'array|items:string' } })
  const rows = Array.from({ length: N }, (_, i) => ({ id: `u${String(i).padStart(7, '0')}`, name: `User ${i}`, email: `u${i}@example.com`, age: 20 + (i % 50), active: i % 2 === 0, tags: ['a', 'b'] }))
  const ids = rows.map(r => r.id)
  const run = async (name, count, fn) => { const r = await measure(name, count, fn); r.backend = backend; results.push(r); console.log(JSON.stringify(r)) }
  await run(`insert x${N} (concurrency ${CONCURRENCY})`, N, () => pool(rows, CONCURRENCY, r => users.insert(r)))
  await run(`get x${N} (concurrency ${CONCURRENCY})`, N, () => pool(ids, CONCURRENCY, id => users.get(id)))
  await run(`getMany ${N}`, N, () => users.getMany(ids))
  await run('count', N, () => users.count())
  await run('listIds', N, () => users.listIds())
  await run(`insertMany ${N}`, N, async () => { await users.insertMany(rows.map(r => ({ ...r, id: r.id + 'b' }))) })
}
rmSync(fileDir, { recursive: true, force: true })

console.log('\n| backend | scenario | records/s | CPU µs/record | RSS MB |\n| --- | --- | ---: | ---: | ---: |')
for (const r of results) console.log(`| ${r.backend} | ${r.scenario} | ${r.recordsPerSec} | ${r.cpuUsPerRecord} | ${r.rssMB} |`)
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', 'quick.json'), JSON.stringify({ node: process.version, n: N, concurrency: CONCURRENCY, results }, null, 2))
