// Client cost per request on one S3 server: the ceiling client's PUT and HEAD (bench/ceiling-client.mjs,
// a hand-written SigV4 client in plain Node) against s3db-native's insert and get of the same
// records, each in its own process, in the same run. For work on the request path: quick to run.
//   node bench/request-cost.mjs
// The server: S3DB_BENCH_S3_URL (http://KEY:SECRET@host:port/bucket, results named after
// S3DB_BENCH_TARGET, default s3), else Garage (S3DB_GARAGE_URL, or the env file of a running
// `scripts/garage.sh`; target garage, with Garage's own CPU per request).
// Knobs: S3DB_BENCH_N=5000 requests per measurement, S3DB_BENCH_CONCURRENCY=32, S3DB_BENCH_WARMUP=5000
// (unmeasured requests first, in the same process: V8 needs a few thousand to settle; with 500 a
// ceiling HEAD measured ~2.5x its settled cost on Garage), S3DB_BENCH_ROUNDS=1 (each round runs all four
// again; the table shows medians), S3DB_BENCH_PAD_BYTES=0 (adds a string attribute of that many
// characters to every record, e.g. 900 for ~1 KB of metadata), S3DB_BENCH_KEEP=1 (keep the objects).
// s3db-native is imported as the package ('s3db-native'), i.e. the addon of this checkout.
// Before measuring it checks that both clients write the same object: a record PUT by the ceiling
// reads back through s3db-native's get, one inserted by s3db-native has, on a HEAD, exactly the
// metadata the ceiling writes. Prints a table; writes bench/results/request-cost-<target>.json.
import { spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, isDeepStrictEqual } from 'node:util'
import os from 'node:os'
import { CeilingClient } from './ceiling-client.mjs'
import { ceilingResource } from './ceiling-records.mjs'
import { benchRows, benchAttributes } from './records.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const env = (name, dflt) => {
  const v = Number(process.env[name] || dflt)
  if (!Number.isInteger(v) || v < 0) throw new Error(`${name}=${process.env[name]}: one whole number expected`)
  return v
}
const N = env('S3DB_BENCH_N', 5000)
const CONCURRENCY = env('S3DB_BENCH_CONCURRENCY', 32)
const WARMUP = env('S3DB_BENCH_WARMUP', 5000)
const ROUNDS = env('S3DB_BENCH_ROUNDS', 1)
const PAD = env('S3DB_BENCH_PAD_BYTES', 0)
const MODES = [['put', 'ceiling PUT'], ['head', 'ceiling HEAD'], ['insert', 's3db-native insert'], ['get', 's3db-native get']]
const RESOURCE = 'users'

async function pool (items, n, fn) {
  let i = 0
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (i < items.length) { const k = i++; await fn(items[k]) }
  }))
}

const warmRows = () => benchRows(WARMUP, { pad: PAD }).map(r => ({ ...r, id: `w${r.id}` }))

function garageCpuUs (pid) {
  if (!pid) return null
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100   // USER_HZ
  } catch { return null }
}

/** One measurement in this (child) process: warm up, then N requests of `mode`, `CONCURRENCY` at a time. */
async function child (mode, base) {
  const rows = benchRows(N, { pad: PAD })
  const attrs = benchAttributes({ pad: PAD })
  let op, close
  if (mode === 'put' || mode === 'head') {
    const client = new CeilingClient(`${base}/ceiling`, { concurrency: CONCURRENCY })
    const users = ceilingResource(client, RESOURCE, attrs)
    op = mode === 'put' ? (r) => users.insert(r) : (r) => users.get(r.id)
    close = () => client.close()
  } else {
    const { S3db } = await import('s3db-native')
    const db = new S3db({ connectionString: `${base}/native`, parallelism: CONCURRENCY })
    await db.connect()
    const users = await db.createResource({ name: RESOURCE, attributes: attrs })
    op = mode === 'insert' ? (r) => users.insert(r) : (r) => users.get(r.id)
    close = () => db.disconnect()
  }
  await pool(warmRows(), CONCURRENCY, op)
  let peak = process.memoryUsage.rss()
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 5)
  const srv0 = garageCpuUs(process.env.S3DB_GARAGE_PID)
  const cpu0 = process.cpuUsage()
  const t0 = process.hrtime.bigint()
  await pool(rows, CONCURRENCY, op)
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const cpu = process.cpuUsage(cpu0)
  const srv1 = garageCpuUs(process.env.S3DB_GARAGE_PID)
  clearInterval(sampler)
  await close()
  console.log(JSON.stringify({
    mode,
    n: N,
    ms: +ms.toFixed(1),
    reqPerSec: Math.round(N / (ms / 1000)),
    cpuUsPerRequest: +((cpu.user + cpu.system) / N).toFixed(1),
    userUsPerRequest: +(cpu.user / N).toFixed(1),
    systemUsPerRequest: +(cpu.system / N).toFixed(1),
    serverCpuUsPerRequest: srv0 === null || srv1 === null ? null : +((srv1 - srv0) / N).toFixed(1),
    peakRssMB: +(Math.max(peak, process.memoryUsage.rss()) / 1048576).toFixed(1)
  }))
}

/** The server to measure: { url, target, env } (env: what the children need besides ours). */
function server () {
  if (process.env.S3DB_BENCH_S3_URL) return { url: process.env.S3DB_BENCH_S3_URL.replace(/\/+$/, ''), target: process.env.S3DB_BENCH_TARGET || 's3', env: {} }
  let vars = process.env.S3DB_GARAGE_URL ? { S3DB_GARAGE_URL: process.env.S3DB_GARAGE_URL, S3DB_GARAGE_PID: process.env.S3DB_GARAGE_PID } : null
  if (!vars) {
    const r = spawnSync('bash', [join(here, '..', 'scripts', 'garage.sh'), 'env'], { encoding: 'utf8' })
    if (r.status === 0) vars = Object.fromEntries(r.stdout.trim().split('\n').filter(l => l.includes('=')).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  }
  if (!vars?.S3DB_GARAGE_URL) throw new Error('no server: set S3DB_BENCH_S3_URL (http://KEY:SECRET@host:port/bucket) or start Garage (scripts/garage.sh start)')
  return { url: vars.S3DB_GARAGE_URL.replace(/\/+$/, ''), target: 'garage', env: { S3DB_GARAGE_PID: vars.S3DB_GARAGE_PID || '' } }
}

/** Both clients write the same object for a record, and read each other's. Returns the metadata size in bytes. */
async function checkSameObjects (base, S3db) {
  const [a, b] = benchRows(2, { pad: PAD })
  const attrs = benchAttributes({ pad: PAD })
  const db = new S3db({ connectionString: `${base}/check`, parallelism: 4 })
  await db.connect()
  const native = await db.createResource({ name: RESOURCE, attributes: attrs })
  const client = new CeilingClient(`${base}/check`, { concurrency: 4 })
  const ceiling = ceilingResource(client, RESOURCE, attrs)
  try {
    const { id, ...fields } = a
    await ceiling.insert(a)
    const head = await client.headObject(ceiling.keyOf(a.id))
    if (!isDeepStrictEqual(head.metadata, ceiling.codec.encode(fields))) throw new Error(`ceiling HEAD gave ${JSON.stringify(head.metadata)}, PUT wrote ${JSON.stringify(ceiling.codec.encode(fields))}`)
    if (!isDeepStrictEqual(await ceiling.get(a.id), a)) throw new Error('ceiling get does not give back the record it put')
    const got = await native.get(a.id)
    for (const k of Object.keys(a)) if (!isDeepStrictEqual(got[k], a[k])) throw new Error(`s3db-native get of the ceiling's record: ${k} is ${JSON.stringify(got[k])}, expected ${JSON.stringify(a[k])}`)
    await native.insert(b)
    const { id: _, ...fieldsB } = b
    const written = (await client.headObject(ceiling.keyOf(b.id))).metadata
    if (!isDeepStrictEqual(written, ceiling.codec.encode(fieldsB))) throw new Error(`s3db-native wrote ${JSON.stringify(written)}, the ceiling writes ${JSON.stringify(ceiling.codec.encode(fieldsB))}`)
    if (!isDeepStrictEqual(await ceiling.get(b.id), b)) throw new Error('ceiling get of s3db-native\'s record differs')
    return Object.entries(written).reduce((s, [k, v]) => s + 'x-amz-meta-'.length + k.length + String(v).length, 0)
  } finally {
    client.close()
    await db.disconnect()
  }
}

const median = (xs) => {
  const s = xs.filter(x => x !== null).sort((p, q) => p - q)
  if (!s.length) return null
  const m = s.length >> 1
  return s.length % 2 ? s[m] : +((s[m - 1] + s[m]) / 2).toFixed(1)
}

async function main () {
  const { url, target, env: extraEnv } = server()
  const { S3db } = await import('s3db-native')
  const addon = Object.keys(createRequire(import.meta.url).cache).find(k => k.endsWith('.node'))
  const run = `request-cost-${Date.now()}`
  const base = `${url}/${run}`
  const metadataBytes = await checkSameObjects(base, S3db)
  const endpoint = (() => { const u = new URL(url); return `${u.host}${u.pathname}` })()
  console.error(`${target} (${endpoint}): same objects from both clients, ${metadataBytes} bytes of metadata per record; N=${N}, warm-up ${WARMUP}, concurrency ${CONCURRENCY}, ${ROUNDS} round(s); addon ${addon}`)
  const rounds = []
  for (let k = 0; k < ROUNDS; k++) {
    const out = {}
    for (const [mode, name] of MODES) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', mode, '--base', `${base}/r${k}`], {
        env: { ...process.env, ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit']
      })
      const line = r.stdout.split('\n').find(l => l.startsWith('{'))
      if (r.status !== 0 || !line) throw new Error(`${name} failed (exit ${r.status})`)
      out[mode] = JSON.parse(line)
      console.error(`  round ${k + 1}: ${name}: ${out[mode].cpuUsPerRequest} µs CPU/request, ${out[mode].reqPerSec} req/s`)
    }
    rounds.push(out)
  }
  const med = Object.fromEntries(MODES.map(([mode]) => [mode, Object.fromEntries(['cpuUsPerRequest', 'userUsPerRequest', 'systemUsPerRequest', 'reqPerSec', 'serverCpuUsPerRequest', 'peakRssMB'].map(f => [f, median(rounds.map(r => r[mode][f]))]))]))

  const fmt = (x) => (x === null || x === undefined ? '-' : String(x))
  const header = ['request', 'client CPU µs/req', 'user / sys µs', 'req/s', 'server CPU µs/req', 'peak RSS MB']
  const table = [header, ...MODES.map(([mode, name]) => {
    const m = med[mode]
    return [name, fmt(m.cpuUsPerRequest), `${fmt(m.userUsPerRequest)} / ${fmt(m.systemUsPerRequest)}`, fmt(m.reqPerSec), fmt(m.serverCpuUsPerRequest), fmt(m.peakRssMB)]
  })]
  const widths = header.map((_, i) => Math.max(...table.map(r => r[i].length)))
  const line = (r) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
  const ratio = (a, b) => (med[a].cpuUsPerRequest / med[b].cpuUsPerRequest).toFixed(2)
  console.log(`${target}, N=${N}, concurrency ${CONCURRENCY}, ${metadataBytes} B metadata/record${ROUNDS > 1 ? `, median of ${ROUNDS} rounds` : ''}`)
  console.log([line(header), '| ' + widths.map(w => '-'.repeat(w)).join(' | ') + ' |', ...table.slice(1).map(line)].join('\n'))
  console.log(`client CPU, s3db-native / ceiling: insert/PUT ${ratio('insert', 'put')}x, get/HEAD ${ratio('get', 'head')}x`)

  const { runCommit } = await import('./commit.mjs')
  const st = addon && existsSync(addon) ? statSync(addon) : null
  const file = join(here, 'results', `request-cost-${target}.json`)
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, JSON.stringify({
    date: new Date().toISOString(),
    commit: runCommit(),
    node: process.version,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
    target,
    endpoint,
    n: N,
    warmup: WARMUP,
    concurrency: CONCURRENCY,
    rounds: ROUNDS,
    padBytes: PAD,
    metadataBytes,
    addon: addon && { path: addon.replace(join(here, '..') + '/', ''), bytes: st?.size, modified: st?.mtime.toISOString() },
    median: med,
    results: rounds
  }, null, 2) + '\n')
  console.log(`wrote ${file.replace(join(here, '..') + '/', '')}`)

  if (!process.env.S3DB_BENCH_KEEP) {
    const db = new S3db({ connectionString: base, parallelism: CONCURRENCY })
    await db.connect()
    await db.client.deleteAll({ prefix: '' })
    await db.disconnect()
  }
}

const { values: args } = parseArgs({ options: { child: { type: 'string' }, base: { type: 'string' } } })
if (args.child) await child(args.child, args.base)
else await main()
