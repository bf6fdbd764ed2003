// Secret fields: insert + get of N records with two `secret` attributes, s3db-native vs
// s3db.js 21.6.2, each library in its own process, on memory:// (default) or Garage.
//   node bench/secrets.mjs                 N=1000, memory
//   S3DB_BENCH_SECRETS_TARGET=garage node bench/secrets.mjs
// 4.1.7 / s3db.js derive a PBKDF2 key (100,000 iterations) per field per record; we cache
// derived keys per (passphrase, salt), so the cost is paid once per process.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { runCommit } from './commit.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.S3DB_BENCH_SECRETS_N || 1000)
const target = process.env.S3DB_BENCH_SECRETS_TARGET || 'memory'

if (process.argv[2] === '--child') {
  const { openLibrary } = await import('./libs.mjs')
  const libName = process.argv[3]
  const lib = await openLibrary(libName, target, { parallelism: 32, passphrase: 'bench-passphrase' })
  const vault = await lib.createResource('vault', { label: 'string', password: 'secret', apiKey: 'secret' })
  const rows = Array.from({ length: N }, (_, i) => ({ id: `v${i}`, label: `row ${i}`, password: `pw-${i}-secret`, apiKey: `key-${i}` }))
  const pool = async (items, fn) => { let i = 0; await Promise.all(Array.from({ length: 32 }, async () => { while (i < items.length) { const k = i++; await fn(items[k]) } })) }
  const run = async (name, fn) => {
    const c0 = process.cpuUsage(); const t0 = process.hrtime.bigint()
    await fn()
    const ms = Number(process.hrtime.bigint() - t0) / 1e6; const c = process.cpuUsage(c0)
    return { scenario: name, ms: Math.round(ms), recordsPerSec: Math.round(N / (ms / 1000)), cpuUsPerRecord: +((c.user + c.system) / N).toFixed(1) }
  }
  const out = [await run(`insert x${N}`, () => pool(rows, r => vault.insert(r)))]
  out.push(await run(`get x${N}`, () => pool(rows, async r => {
    const got = await vault.get(r.id)
    if (got.password !== r.password || got.apiKey !== r.apiKey) throw new Error(`secret round trip failed for ${r.id}`)
  })))
  await lib.close()
  console.log(JSON.stringify({ lib: libName, target, n: N, results: out }))
  process.exit(0)
}

const results = []
for (const lib of ['native', 's3dbjs']) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', lib], { env: process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const line = r.stdout.split('\n').find(l => l.startsWith('{'))
  if (r.status !== 0 || !line) { console.error(`${lib} failed (${r.status})`); continue }
  results.push(JSON.parse(line))
}
const by = Object.fromEntries(results.map(r => [r.lib, r]))
for (const i of [0, 1]) {
  const a = by.native?.results[i]; const b = by.s3dbjs?.results[i]
  if (a && b) console.log(`${a.scenario} (two secret fields, ${target}): s3db-native ${a.recordsPerSec} rec/s (${a.cpuUsPerRecord} µs CPU/rec), s3db.js 21.6.2 ${b.recordsPerSec} rec/s (${b.cpuUsPerRecord} µs CPU/rec): ${(a.recordsPerSec / b.recordsPerSec).toFixed(1)}x`)
}
mkdirSync(join(here, 'results'), { recursive: true })
writeFileSync(join(here, 'results', `secrets-${target}.json`), JSON.stringify({ date: new Date().toISOString(), commit: runCommit(), n: N, target, results }, null, 2) + '\n')
