// s3db-native vs s3db.js 21.6.2, side by side in the same run, on memory:// and on Garage 2.5.0.
//   npm run bench                          N = 5000 and 50000, both targets
//   S3DB_BENCH_N=5000 S3DB_BENCH_TARGETS=memory npm run bench
// Each (library, target, N) runs in its own Node process (bench/scenario.mjs) so CPU and RSS
// are not shared. Prints a table with the ratio s3db-native / s3db.js per scenario and writes
// bench/results/compare.json. Set up first: bench/setup-s3dbjs.sh (s3db.js 21.6.2 from its
// npm tarball) and scripts/garage.sh start — `npm run bench` does both.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { runCommit } from './commit.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const Ns = (process.env.S3DB_BENCH_N || '5000,50000').split(',').map(Number)
const targets = (process.env.S3DB_BENCH_TARGETS || 'memory,garage').split(',')
const libs = (process.env.S3DB_BENCH_LIBS || 'native,s3dbjs').split(',')

function garageEnv () {
  const r = spawnSync('bash', [join(here, '..', 'scripts', 'garage.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error('scripts/garage.sh start failed')
  return Object.fromEntries(r.stdout.trim().split('\n').filter(l => l.includes('=')).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}

const env = { ...process.env }
if (targets.includes('garage')) Object.assign(env, garageEnv())

const results = []
for (const n of Ns) {
  for (const target of targets) {
    for (const lib of libs) {
      console.error(`== ${lib} on ${target}, N=${n}`)
      const r = spawnSync(process.execPath, ['--expose-gc', join(here, 'scenario.mjs'), '--lib', lib, '--target', target, '--n', String(n)], {
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit']
      })
      const lines = r.stdout.split('\n').filter(l => l.startsWith('{'))
      for (const l of lines) results.push(JSON.parse(l))
      if (r.status !== 0) {
        console.error(`!! ${lib} on ${target}, N=${n} exited with ${r.status}`)
        results.push({ lib, target, n, scenario: 'FAILED', error: `exit ${r.status}` })
      }
    }
  }
}

// Table: one row per (target, N, scenario) with both libraries and the ratio.
const key = r => `${r.target}|${r.n}|${r.scenario.replace(/ \(.*\)$/, '')}`
const rows = new Map()
for (const r of results) {
  if (r.scenario === 'FAILED') continue
  const k = key(r)
  if (!rows.has(k)) rows.set(k, { target: r.target, n: r.n, scenario: r.scenario })
  rows.get(k)[r.lib] = r
}
const fmt = (x, d = 0) => (x === undefined || x === null ? '-' : Number(x).toFixed(d))
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) + 'x' : '-')
const header = ['target', 'N', 'scenario', 'native rec/s', 's3db.js rec/s', 'speed ratio', 'native CPU µs/rec', 's3db.js CPU µs/rec', 'CPU ratio', 'native peak RSS MB', 's3db.js peak RSS MB', 'server CPU ms native/s3db.js']
const table = [header]
for (const row of rows.values()) {
  const a = row.native
  const b = row.s3dbjs
  table.push([
    row.target, String(row.n), row.scenario,
    fmt(a?.recordsPerSec), fmt(b?.recordsPerSec), ratio(a?.recordsPerSec, b?.recordsPerSec),
    fmt(a?.cpuUsPerRecord, 1), fmt(b?.cpuUsPerRecord, 1), ratio(a?.cpuUsPerRecord, b?.cpuUsPerRecord),
    fmt(a?.peakRssMB), fmt(b?.peakRssMB),
    `${fmt(a?.serverCpuMs)}/${fmt(b?.serverCpuMs)}`
  ])
}
const widths = header.map((_, i) => Math.max(...table.map(r => r[i].length)))
const line = r => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |'
const text = [line(header), '| ' + widths.map(w => '-'.repeat(w)).join(' | ') + ' |', ...table.slice(1).map(line)]
console.log(text.join('\n'))

const subsFile = join(here, '.s3dbjs', 'substitutions.json')
const substitutions = existsSync(subsFile) ? JSON.parse(readFileSync(subsFile, 'utf8')) : null
if (substitutions) {
  console.log('\ns3db.js 21.6.2 was installed from its npm tarball with these substitutions:')
  for (const s of substitutions.substitutions || []) console.log(`  - ${s.summary}`)
  for (const n of substitutions.notes || []) console.log(`  * ${n.split('\n')[0].slice(0, 300)}`)
}

mkdirSync(join(here, 'results'), { recursive: true })
const out = {
  date: new Date().toISOString(),
  commit: runCommit(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, totalMemMB: Math.round(os.totalmem() / 1048576) },
  concurrency: 32,
  s3dbjs: { version: '21.6.2', substitutions },
  results
}
writeFileSync(join(here, 'results', 'compare.json'), JSON.stringify(out, null, 2) + '\n')
const subsText = (substitutions?.substitutions || []).map(s => `  - ${s.summary}`)
writeFileSync(join(here, 'results', 'compare.txt'), [
  `s3db-native vs s3db.js 21.6.2 (${out.date}, Node ${process.version}, ${out.machine.cpus} cores, concurrency 32)`, '',
  ...text, '', 's3db.js 21.6.2 substitutions:', ...subsText, ''
].join('\n'))
console.log('\nwrote bench/results/compare.json and compare.txt')
