// What guarding concurrent writers costs: updates/s and client CPU per update with
// `concurrency: 'optimistic'` (If-Match; on S3 plus a lease) and 'last-writer-wins' (4.1.7's
// unguarded writes), one writer, on memory://, file:// and an S3 server; then two databases
// updating one record at once (optimistic only: the unguarded run loses writes).
//   node bench/concurrency.mjs        N=500 (S3DB_BENCH_N); S3DB_BENCH_S3_URL adds an S3 target
import { S3db } from 's3db-native'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const N = Number(process.env.S3DB_BENCH_N || 500)
const targets = [['memory', () => `memory://conc-bench/${Date.now()}-${Math.random()}`], ['file', () => `file://${mkdtempSync(join(tmpdir(), 's3db-conc-'))}`]]
if (process.env.S3DB_BENCH_S3_URL) targets.push(['s3', () => `${process.env.S3DB_BENCH_S3_URL.replace(/\/+$/, '')}/conc-${Date.now()}-${Math.floor(Math.random() * 1e6)}`])

async function setup (cs, concurrency) {
  const db = new S3db({ connectionString: cs, concurrency })
  await db.connect()
  const r = await db.createResource({ name: 'c', attributes: { a: 'number|optional', b: 'number|optional' } })
  return { db, r }
}

console.log('| backend | mode | scenario | updates/s | client CPU µs/update | lost |')
console.log('| --- | --- | --- | ---: | ---: | ---: |')
for (const [backend, cs] of targets) {
  for (const mode of ['last-writer-wins', 'optimistic']) {
    const { r } = await setup(cs(), mode)
    await r.insert({ id: 'x', a: 0, b: 0 })
    const cpu0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < N; i++) await r.update('x', { a: i })
    const s = Number(process.hrtime.bigint() - t0) / 1e9
    const cpu = process.cpuUsage(cpu0)
    console.log(`| ${backend} | ${mode} | 1 writer, ${N} updates | ${Math.round(N / s)} | ${((cpu.user + cpu.system) / N).toFixed(0)} | - |`)
  }
  // Two databases (as two processes would be) updating their own field of one record.
  const url = cs()
  const { r: r1 } = await setup(url, 'optimistic')
  await r1.insert({ id: 'x', a: -1, b: -1 })
  const { r: r2 } = await setup(url, 'optimistic')
  const half = Math.floor(N / 2)
  const t0 = process.hrtime.bigint()
  await Promise.all([
    (async () => { for (let i = 0; i < half; i++) await r1.update('x', { a: i }) })(),
    (async () => { for (let i = 0; i < half; i++) await r2.update('x', { b: i }) })()
  ])
  const s = Number(process.hrtime.bigint() - t0) / 1e9
  const final = await r1.get('x')
  const lost = (final.a !== half - 1 ? 1 : 0) + (final.b !== half - 1 ? 1 : 0)
  console.log(`| ${backend} | optimistic | 2 writers on one record, ${2 * half} updates | ${Math.round((2 * half) / s)} | - | ${lost} |`)
}
