// s3db-native, s3db.js 4.1.7, s3db.js 21.6.2 and the ceiling client (a hand-written SigV4 client,
// bench/ceiling-client.mjs), side by side in the same run, per target.
//   npm run bench                                    N = 5000 and 50000, memory:// and Garage
//   S3DB_BENCH_N=5000 S3DB_BENCH_TARGETS=memory npm run bench
//   S3DB_BENCH_S3_URL=http://KEY:SECRET@127.0.0.1:PORT/bucket S3DB_BENCH_TARGETS=s3 node bench/compare.mjs
// Knobs: S3DB_BENCH_TARGETS (memory, garage, s3), S3DB_BENCH_LIBS (native, s3dbjs417, s3dbjs,
// ceiling), S3DB_BENCH_N, S3DB_BENCH_SECRET_N (records of the secret insert/get scenarios, run at
// the largest N only; default 200).
// Each (library, target, N) runs in its own Node process (bench/scenario.mjs), so CPU and RSS are
// not shared. The ceiling client has no memory:// (shown as '-'), nor insertMany or secret fields.
// Writes bench/results/compare.json and compare.txt for the README's targets (memory,garage;
// bench/readme.mjs, bench/chart.mjs), compare-<targets>.json/.txt for any other set (e.g.
// compare-s3.json against moto). Set up first: bench/setup-s3dbjs.sh, bench/setup-s3dbjs417.sh
// and scripts/garage.sh start — `npm run bench` does all three.
import { spawnSync } from 'node:child_process'
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import os from 'node:os'
import { runCommit } from './commit.mjs'
import { LIBRARIES } from './libs.mjs'
import { compareTable, LIB_NAMES } from './compare-table.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const Ns = (process.env.S3DB_BENCH_N || '5000,50000').split(',').map(Number)
const targets = (process.env.S3DB_BENCH_TARGETS || 'memory,garage').split(',')
const libs = (process.env.S3DB_BENCH_LIBS || LIBRARIES.join(',')).split(',')
const secretN = Number(process.env.S3DB_BENCH_SECRET_N || 200)
const README_TARGETS = 'memory,garage'
const CONCURRENCY = 32

for (const l of libs) if (!LIBRARIES.includes(l)) throw new Error(`unknown library ${l} (S3DB_BENCH_LIBS: ${LIBRARIES.join(', ')})`)
for (const t of targets) if (!['memory', 'garage', 's3'].includes(t)) throw new Error(`unknown target ${t} (S3DB_BENCH_TARGETS: memory, garage, s3)`)
if (targets.includes('s3') && !process.env.S3DB_BENCH_S3_URL) throw new Error('target s3 needs S3DB_BENCH_S3_URL')

function garageEnv () {
  const r = spawnSync('bash', [join(here, '..', 'scripts', 'garage.sh'), 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  if (r.status !== 0) throw new Error('scripts/garage.sh start failed')
  return Object.fromEntries(r.stdout.trim().split('\n').filter(l => l.includes('=')).map(l => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}

const env = { ...process.env }
if (targets.includes('garage')) Object.assign(env, garageEnv())

const results = []
const largest = Math.max(...Ns)
for (const n of Ns) {
  for (const target of targets) {
    for (const lib of libs) {
      if (lib === 'ceiling' && target === 'memory') continue
      console.error(`== ${lib} on ${target}, N=${n}`)
      const r = spawnSync(process.execPath, ['--expose-gc', join(here, 'scenario.mjs'), '--lib', lib, '--target', target, '--n', String(n),
        '--secret-n', String(n === largest ? secretN : 0), '--concurrency', String(CONCURRENCY)], {
        env,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'inherit']
      })
      for (const l of r.stdout.split('\n').filter(l => l.startsWith('{'))) results.push(JSON.parse(l))
      if (r.status !== 0) {
        console.error(`!! ${lib} on ${target}, N=${n} exited with ${r.status}`)
        results.push({ lib, target, n, scenario: 'FAILED', error: `exit ${r.status}` })
      }
    }
  }
}

const text = compareTable(results, libs)
console.log(text)
const failed = results.filter(r => r.scenario === 'FAILED')
for (const f of failed) console.log(`FAILED: ${LIB_NAMES[f.lib]} on ${f.target}, N=${f.n} (${f.error})`)

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null)
const substitutions = libs.includes('s3dbjs') ? readJson(join(here, '.s3dbjs', 'substitutions.json')) : null
const installed417 = libs.includes('s3dbjs417') ? readJson(join(here, '.s3dbjs417', 'installed.json')) : null
if (substitutions) {
  console.log('\ns3db.js 21.6.2 was installed from its npm tarball with these substitutions:')
  for (const s of substitutions.substitutions || []) console.log(`  - ${s.summary}`)
  for (const n of substitutions.notes || []) console.log(`  * ${n.split('\n')[0].slice(0, 300)}`)
}
if (installed417) console.log(`\ns3db.js 4.1.7 from ${installed417.source}, @aws-sdk/client-s3 ${installed417.installed['@aws-sdk/client-s3']}`)

mkdirSync(join(here, 'results'), { recursive: true })
const out = {
  date: new Date().toISOString(),
  commit: runCommit(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, totalMemMB: Math.round(os.totalmem() / 1048576) },
  concurrency: CONCURRENCY,
  targets,
  libs,
  secretN,
  s3dbjs: { version: '21.6.2', substitutions },
  s3dbjs417: installed417 && { version: installed417.version, source: installed417.source.replace(/^tarball .*\/([^/]+) /, 'tarball $1 '), installed: installed417.installed },
  ceiling: 'bench/ceiling-client.mjs: node:http keep-alive Agent (maxSockets = concurrency), SigV4 by node:crypto with the signing key cached per day, path-style; PUT of an empty body with the record as x-amz-meta-* / HEAD parsed back; readable = ListObjectsV2 pages + HEADs',
  results
}
const base = targets.join(',') === README_TARGETS ? 'compare' : `compare-${targets.join('+')}`
writeFileSync(join(here, 'results', `${base}.json`), JSON.stringify(out, null, 2) + '\n')
const subsText = (substitutions?.substitutions || []).map(s => `  - ${s.summary}`)
writeFileSync(join(here, 'results', `${base}.txt`), [
  `${libs.map(l => LIB_NAMES[l]).join(' vs ')} (${out.date}, commit ${out.commit}, Node ${process.version}, ${out.machine.cpus} cores, concurrency ${CONCURRENCY})`,
  'rec/s = records per second; µs/rec = client CPU (process.cpuUsage, all threads) per record; RSS = peak resident set of the client process;',
  'server = Garage CPU ms over the scenario. Each library in its own process. \'-\': not measured (no such target or operation).', '',
  text, '',
  ...(failed.length ? [...failed.map(f => `FAILED: ${LIB_NAMES[f.lib]} on ${f.target}, N=${f.n} (${f.error})`), ''] : []),
  ...(installed417 ? [`s3db.js 4.1.7: ${out.s3dbjs417.source}; @aws-sdk/client-s3 ${installed417.installed['@aws-sdk/client-s3']}. memory:// = its own Client over an in-process stand-in for the AWS SDK client (bench/s3dbjs417-memory.mjs).`, ''] : []),
  ...(subsText.length ? ['s3db.js 21.6.2 substitutions:', ...subsText, ''] : [])
].join('\n'))
console.log(`\nwrote bench/results/${base}.json and ${base}.txt`)
if (failed.length) process.exitCode = 1
