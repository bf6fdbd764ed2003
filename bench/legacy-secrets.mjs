// Reading records written by s3db.js 4.1.7, whose secret fields each carry their own salt (so every
// one costs a PBKDF2 derivation of 100,000 iterations): records/s, and how long the event loop is
// held up meanwhile (perf_hooks.monitorEventLoopDelay); then the exported decrypt() of such values.
//   node bench/legacy-secrets.mjs            N=2000 (S3DB_BENCH_LEGACY_N)
// The records are written with 4.1.7's exact format (salt[16] || iv[12] || AES-256-GCM, key =
// PBKDF2-SHA256(passphrase, salt, 100000)) by node:crypto, one fresh salt per value, through the
// raw Client API under the resource's own key layout. Appends to bench/results/legacy-secrets.json.
import { pbkdf2, randomBytes, createCipheriv } from 'node:crypto'
import { promisify } from 'node:util'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { S3db, decrypt } from 's3db-native'

const here = dirname(fileURLToPath(import.meta.url))
const N = Number(process.env.S3DB_BENCH_LEGACY_N || 2000)
const PASS = 'legacy-passphrase'
const derive = promisify(pbkdf2)

async function legacyEncrypt (text) {
  const salt = randomBytes(16)
  const iv = randomBytes(12)
  const key = await derive(PASS, salt, 100000, 32, 'sha256')
  const c = createCipheriv('aes-256-gcm', key, iv)
  const ct = Buffer.concat([c.update(text, 'utf8'), c.final(), c.getAuthTag()])
  return Buffer.concat([salt, iv, ct]).toString('base64')
}

const db = new S3db({ connectionString: `memory://legacy-bench/${Date.now()}`, passphrase: PASS })
await db.connect()
const vault = await db.createResource({ name: 'vault', attributes: { label: 'string', password: 'secret' } })
const map = vault.schema.map
const t0 = Date.now()
const values = []
for (let i = 0; i < N; i += 64) {
  values.push(...await Promise.all(Array.from({ length: Math.min(64, N - i) }, (_, k) => legacyEncrypt(`pw-${i + k}`))))
}
await Promise.all(values.map((cipher, i) => db.client.putObject({
  key: `resource=vault/v=v0/id=r${i}`,
  metadata: { _v: 'v0', [map.label]: `row ${i}`, [map.password]: cipher },
  body: ''
})))
console.error(`wrote ${N} legacy records in ${Date.now() - t0} ms`)

async function measure (name, fn) {
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  const t = process.hrtime.bigint()
  const n = await fn()
  const s = Number(process.hrtime.bigint() - t) / 1e9
  h.disable()
  return { scenario: name, n, seconds: +s.toFixed(2), perSec: Math.round(n / s), loopDelayP50Ms: +(h.percentile(50) / 1e6).toFixed(1), loopDelayP99Ms: +(h.percentile(99) / 1e6).toFixed(1), loopDelayMaxMs: +(h.max / 1e6).toFixed(1) }
}

const results = []
results.push(await measure(`read ${N} legacy records (readable)`, async () => {
  let n = 0
  for await (const rec of vault.readable({ batchSize: 20, concurrency: 8 })) {
    if (rec.password !== `pw-${rec.id.slice(1)}`) throw new Error(`wrong password for ${rec.id}`)
    n++
  }
  return n
}))
// Values whose keys were never derived in this process (the read above cached the others).
const sample = await Promise.all(Array.from({ length: 200 }, (_, i) => legacyEncrypt(`fresh-${i}`)))
results.push(await measure('exported decrypt() of 200 fresh legacy values', async () => {
  const out = await Promise.all(sample.map(v => decrypt(v, PASS)))
  if (out[7] !== 'fresh-7') throw new Error('decrypt mismatch')
  return out.length
}))
const result = { at: new Date().toISOString(), n: N, results }
console.log(JSON.stringify(result, null, 1))
const out = join(here, 'results', 'legacy-secrets.json')
mkdirSync(dirname(out), { recursive: true })
const all = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : []
all.push(result)
writeFileSync(out, JSON.stringify(all, null, 2) + '\n')
