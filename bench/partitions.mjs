// Partitions: insert (main object + 2 copies), partition listIds / count / list, and
// updates that move a record to another partition, s3db-native vs s3db.js 21.6.2,
// each library in its own process, on memory:// (default) or Garage.
//   node bench/partitions.mjs                      N=2000, memory
//   S3DB_BENCH_PARTITIONS_TARGET=garage node bench/partitions.mjs
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { runCommit } from './commit.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.S3DB_BENCH_PARTITIONS_N || 2000)
const target = process.env.S3DB_BENCH_PARTITIONS_TARGET || 'memory'
const REGIONS = ['north', 'south', 'east', 'west']
const CATEGORIES = ['a', 'b', 'c', 'd', 'e']

if (process.argv[2] === '--child') {
  const { openLibrary } = await import('./libs.mjs')
  const libName = process.argv[3]
  const lib = await openLibrary(libName, target, { parallelism: 32, passphrase: 'bench-passphrase' })
  const orders = await lib.createResource('orders', { region: 'string', category: 'string', amount: 'number' }, {
    partitions: { byRegion: { fields: { region: 'string' } }, byRegionCategory: { fields: { region: 'string', category: 'string' } } }
  })
  const rows = Array.from({ length: N }, (_, i) => ({ id: `o${String(i).padStart(6, '0')}`, region: REGIONS[i % 4], category: CATEGORIES[i % 5], amount: i }))
  const pool = async (items, fn) => { let i = 0; await Promise.all(Array.from({ length: 32 }, async () => { while (i < items.length) { const k = i++; await fn(items[k]) } })) }
  const run = async (name, n, fn) => {
    const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint()
    await fn()
    const ms = Number(process.hrtime.bigint() - t0) / 1e6; const c = process.cpuUsage(c0)
    return { scenario: name, ms: Math.round(ms), recordsPerSec: Math.round(n / (ms / 1000)), cpuUsPerRecord: +((c.user + c.system) / n).toFixed(1) }
  }
  const byRegion = (region) => ({ partition: 'byRegion', partitionValues: { region } })
  const out = [await run(`insert x${N} (2 partitions)`, N, () => pool(rows, r => orders.insert(r)))]
  out.push(await run(`listIds by region (${N} ids)`, N, async () => {
    let total = 0
    for (const region of REGIONS) total += (await orders.listIds(byRegion(region))).length
    if (total !== N) throw new Error(`listIds by region: ${total} of ${N}`)
  }))
  out.push(await run(`count by region (${N} ids)`, N, async () => {
    let total = 0
    for (const region of REGIONS) total += await orders.count(byRegion(region))
    if (total !== N) throw new Error(`count by region: ${total} of ${N}`)
  }))
  out.push(await run(`list by region+category (${N} records)`, N, async () => {
    let total = 0
    for (const region of REGIONS) {
      for (const category of CATEGORIES) {
        const recs = await orders.list({ partition: 'byRegionCategory', partitionValues: { region, category } })
        for (const r of recs) if (r.region !== region || r.category !== category) throw new Error(`wrong record ${r.id} in ${region}/${category}`)
        total += recs.length
      }
    }
    if (total !== N) throw new Error(`list by region+category: ${total} of ${N}`)
  }))
  const moved = rows.slice(0, Math.max(1, Math.floor(N / 4)))
  out.push(await run(`update x${moved.length} (moves partition)`, moved.length, () => pool(moved, r => orders.update(r.id, { region: 'moved' }))))
  // What listing the new partition returns after the moves (s3db.js keeps stale copies).
  const left = await orders.listIds(byRegion(REGIONS[0]))
  await lib.close()
  console.log(JSON.stringify({ lib: libName, target, n: N, results: out, staleAfterMoves: left.filter(id => moved.some(m => m.id === id)).length }))
  process.exit(0)
}

const results = []
for (const lib of ['native', 's3dbjs']) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', lib], { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 })
  const line = r.stdout.split('\n').find(l => l.startsWith('{'))
  if (r.status !== 0 || !line) { console.error(`${lib} failed (${r.status})`); continue }
  results.push(JSON.parse(line))
}
const by = Object.fromEntries(results.map(r => [r.lib, r]))
for (let i = 0; i < (by.native?.results.length || 0); i++) {
  const a = by.native.results[i]; const b = by.s3dbjs?.results[i]
  const theirs = b ? `, s3db.js 21.6.2 ${b.recordsPerSec} rec/s (${b.cpuUsPerRecord} µs CPU/rec): ${(a.recordsPerSec / b.recordsPerSec).toFixed(1)}x` : ''
  console.log(`${a.scenario} (${target}): s3db-native ${a.recordsPerSec} rec/s (${a.cpuUsPerRecord} µs CPU/rec)${theirs}`)
}
for (const r of results) console.log(`${r.lib}: ${r.staleAfterMoves} moved records still listed in their old partition`)
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `partitions-${target}.json`), JSON.stringify({ date: new Date().toISOString(), commit: runCommit(), n: N, target, results }, null, 2) + '\n')
