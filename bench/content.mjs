// Streamed content: a large body through setContent(readable) and back through contentStream(id),
// with the process's RSS sampled throughout (the body must never be held whole).
//   node --expose-gc bench/content.mjs                          1 GiB on file:// (a temp dir)
//   S3DB_BENCH_CONTENT_TARGET=s3 node --expose-gc bench/content.mjs   on $S3DB_TEST_S3_URL (moto: scripts/s3-server.sh)
//   S3DB_BENCH_CONTENT_TARGET=garage ...                        on $S3DB_GARAGE_URL (scripts/garage.sh)
// Knobs: S3DB_BENCH_CONTENT_MB (default 1024), S3DB_BENCH_CONTENT_CHUNK_KB (source chunk, default 64).
// Reports MB/s each way and RSS growth over the pre-upload baseline (peak); appends to
// bench/results/content.json.
import { Readable } from 'node:stream'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { S3db } from 's3db-native'
import { runCommit } from './commit.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const MB = 1024 * 1024
const sizeMb = Number(process.env.S3DB_BENCH_CONTENT_MB || 1024)
const chunk = Number(process.env.S3DB_BENCH_CONTENT_CHUNK_KB || 64) * 1024
const target = process.env.S3DB_BENCH_CONTENT_TARGET || 'file'
// S3DB_BENCH_CONTENT_GC_EVERY=n: a full GC every n chunks each way, to tell garbage awaiting
// collection from memory really held.
const gcEvery = Number(process.env.S3DB_BENCH_CONTENT_GC_EVERY || 0)
let base
let tmp = null
if (target === 'file') {
  tmp = mkdtempSync(join(tmpdir(), 's3db-content-bench-'))
  base = `file://${tmp}`
} else if (target === 's3') {
  base = `${process.env.S3DB_TEST_S3_URL}/content-${Date.now()}`
} else if (target === 'garage') {
  base = `${process.env.S3DB_GARAGE_URL}/content-${Date.now()}`
}
if (!base || base.startsWith('undefined')) throw new Error(`no endpoint for target ${target} (S3DB_TEST_S3_URL / S3DB_GARAGE_URL)`)
const mbOf = b => +(b / MB).toFixed(1)

// The source: a generator that makes each chunk when asked (never the whole body).
function * source (total, collect = true) {
  const block = Buffer.allocUnsafe(chunk)
  for (let i = 0; i < chunk; i++) block[i] = (i * 31) % 251
  for (let off = 0; off < total; off += chunk) {
    const n = Math.min(chunk, total - off)
    const b = Buffer.allocUnsafe(n)
    block.copy(b, 0, 0, n)
    b.writeUInt32BE(off >>> 0, 0) // distinct chunks, so a reordering would change the digest
    if (collect && gcEvery && (off / chunk) % gcEvery === 0) global.gc?.()
    yield b
  }
}

const db = new S3db({ connectionString: base })
await db.connect()
const files = await db.createResource({ name: 'files', attributes: { name: 'string' } })
await files.insert({ id: 'big', name: 'one big body' })

global.gc?.()
await new Promise(resolve => setTimeout(resolve, 200))
const baseline = process.memoryUsage.rss()
let peak = baseline
const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()) }, 20)

const total = sizeMb * MB
const expected = createHash('sha256')
for (const b of source(total, false)) expected.update(b)
const want = expected.digest('hex')

let t = process.hrtime.bigint()
const rec = await files.setContent({ id: 'big', buffer: Readable.from(source(total)), contentType: 'application/octet-stream' })
const upMs = Number(process.hrtime.bigint() - t) / 1e6
const upPeak = peak
if (rec._contentLength !== total) throw new Error(`stored ${rec._contentLength} bytes, expected ${total}`)

global.gc?.()
await new Promise(resolve => setTimeout(resolve, 200))
const downStart = process.memoryUsage.rss()
peak = downStart
t = process.hrtime.bigint()
const h = createHash('sha256')
let read = 0
let k = 0
for await (const c of files.contentStream('big')) { h.update(c); read += c.length; if (gcEvery && ++k % gcEvery === 0) global.gc?.() }
const downMs = Number(process.hrtime.bigint() - t) / 1e6
clearInterval(sampler)
if (read !== total || h.digest('hex') !== want) throw new Error(`read ${read} bytes with a different digest`)

const result = {
  at: new Date().toISOString(),
  commit: runCommit(),
  target,
  sizeMb,
  sourceChunkKb: chunk / 1024,
  gcEvery,
  uploadMBps: +(sizeMb / (upMs / 1000)).toFixed(1),
  downloadMBps: +(sizeMb / (downMs / 1000)).toFixed(1),
  rssBaselineMb: mbOf(baseline),
  rssGrowthUploadMb: mbOf(upPeak - baseline),
  rssAtDownloadMb: mbOf(downStart),
  rssGrowthDownloadMb: mbOf(peak - downStart),
  rssGrowthPeakMb: mbOf(Math.max(upPeak, peak) - baseline)
}
console.log(JSON.stringify(result))
await files.delete('big')
await db.disconnect?.()
if (tmp) rmSync(tmp, { recursive: true, force: true })

const out = join(here, 'results', 'content.json')
mkdirSync(dirname(out), { recursive: true })
const all = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : []
all.push(result)
writeFileSync(out, JSON.stringify(all, null, 2) + '\n')
