// Helpers for the golden tests (golden.test.mjs): load the s3db.js 4.1.7
// recordings in __test__/fixtures/s3db-4.1.7/, replay their steps against our
// implementation and compare. Format of the recordings: that folder's README.md.
//
// Nothing here knows about individual fixture steps; every place where we
// deliberately differ from 4.1.7 is listed in the table in golden.test.mjs.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { lib, backends, uid, connectionString } from './helpers.mjs'

export { lib }

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 's3db-4.1.7')

/** Backends the golden tests run on: every backend of helpers.mjs (memory, file, and S3 when configured). */
export function goldenBackends () {
  return backends()
}

export function loadFixture (name) {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, `${name}.json`), 'utf8'))
}

// ---------------------------------------------------------------------------
// Values

/** Turn the recording's `$type` tags into the JS values 4.1.7 saw. */
export function revive (v) {
  if (Array.isArray(v)) return v.map(revive)
  if (v !== null && typeof v === 'object') {
    if (typeof v.$type === 'string') {
      switch (v.$type) {
        case 'undefined': return undefined
        case 'Date': return new Date(v.iso)
        case 'Buffer': return Buffer.from(v.base64, 'base64')
        case 'number': return v.value === '-0' ? -0 : Number(v.value)
        default: return v // sameAsResult / sameAsError stay tagged
      }
    }
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = revive(x)
    return o
  }
  return v
}

const VOLATILE = new Set(['_lastModified', 'thrownAt', '$metadata', 'requestId', 'extendedRequestId', 'cfId'])

/**
 * A comparable, JSON-shaped copy: volatile fields removed (`_lastModified`,
 * `thrownAt`, `$metadata`, request ids), Dates as `{ $date: iso }`, Buffers as
 * `{ $buffer: base64 }`, keys holding `undefined` dropped (JSON semantics).
 */
export function comparable (v) {
  if (v instanceof Date) return { $date: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() }
  if (Buffer.isBuffer(v)) return { $buffer: v.toString('base64') }
  if (Array.isArray(v)) return v.map(x => x === undefined ? null : comparable(x))
  if (v !== null && typeof v === 'object') {
    const o = {}
    for (const [k, x] of Object.entries(v)) {
      if (VOLATILE.has(k) || x === undefined) continue
      o[k] = comparable(x)
    }
    return o
  }
  if (typeof v === 'number' && Object.is(v, -0)) return 0
  return v
}

/** Replace every string occurrence of `from` by `to`, deeply. */
export function replaceStrings (v, from, to) {
  if (typeof v === 'string') return v.split(from).join(to)
  if (Array.isArray(v)) return v.map(x => replaceStrings(x, from, to))
  if (v !== null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
    const o = {}
    for (const [k, x] of Object.entries(v)) o[k] = replaceStrings(x, from, to)
    return o
  }
  return v
}

/** S3 key order (UTF-8 byte order) of two ids under the same prefix. */
export function keyOrder (a, b) {
  return Buffer.compare(Buffer.from(String(a)), Buffer.from(String(b)))
}

export function sortById (list) {
  return [...list].sort((a, b) => keyOrder(a.id, b.id))
}

// ---------------------------------------------------------------------------
// Metadata values (A6: non-ASCII text is stored as `u:` + percent-encoding or
// `b:` + base64 of its UTF-8 bytes)

const ENCODED = Symbol('encoded')

/** Expected-metadata marker: "the A6 encoding (u: or b:) of `text`". */
export function encoded (text) {
  return { [ENCODED]: text }
}

export function decodeMetaValue (v) {
  if (v.startsWith('u:')) return decodeURIComponent(v.slice(2))
  if (v.startsWith('b:')) return Buffer.from(v.slice(2), 'base64').toString('utf8')
  return v
}

function describeExpected (v) {
  return v && typeof v === 'object' && ENCODED in v ? `encoded(${JSON.stringify(v[ENCODED])})` : v
}

/** Compare stored metadata with the expected map (values: strings or `encoded(text)` markers). */
export function assertMetadata (actual, expected, label) {
  const shown = Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, describeExpected(v)]))
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(),
    `${label}: metadata names differ\n  actual:   ${JSON.stringify(actual)}\n  expected: ${JSON.stringify(shown)}`)
  for (const [k, want] of Object.entries(expected)) {
    const got = actual[k]
    if (want && typeof want === 'object' && ENCODED in want) {
      assert.match(got, /^(u|b):[\x20-\x7e]*$/, `${label}: metadata ${k} must be u:/b:-encoded printable ASCII, got ${JSON.stringify(got)}`)
      assert.equal(decodeMetaValue(got), want[ENCODED], `${label}: metadata ${k} must decode to the original text`)
    } else {
      assert.equal(got, want, `${label}: metadata ${k}`)
    }
  }
  for (const [k, v] of Object.entries(actual)) {
    assert.match(v, /^[\x20-\x7e]*$/, `${label}: metadata ${k} must be printable ASCII (A6), got ${JSON.stringify(v)}`)
  }
}

// ---------------------------------------------------------------------------
// Dumps and s3db.json

function stepPrefix (fx, step) {
  const d = fx.setup.databases.find(x => x.label === step.db)
  return d ? d.keyPrefix : fx.setup.keyPrefix
}

/** The bucket state after step `index`: the last `objectsAfter` at or before it for the same key prefix. */
export function latestDump (fx, index) {
  const prefix = stepPrefix(fx, fx.steps[index])
  for (let i = index; i >= 0; i--) {
    const s = fx.steps[i]
    if (s.objectsAfter && stepPrefix(fx, s) === prefix) return { at: i, objects: s.objectsAfter }
  }
  return { at: -1, objects: [] }
}

/**
 * Objects of a dump whose metadata 4.1.7 stored as raw non-ASCII bytes. Our client
 * sends metadata values as given and an S3 server refuses such a request's signature
 * (moto: SignatureDoesNotMatch), so they can be planted on memory:// and file:// only.
 */
export function rawByteObjects (objects) {
  return objects.filter(o => Object.values(o.metadataRawHex || {}).some(hex => Buffer.from(hex, 'hex').some(b => b > 0x7f)))
}

/**
 * A connected database on a fresh `backend` store holding exactly the objects
 * 4.1.7 had stored under database `label` after step `index` (the decode direction);
 * on S3 without the rawByteObjects.
 */
export async function loadDump (backend, fx, index, label, name) {
  const dump = latestDump(fx, index)
  const setupDb = fx.setup.databases.find(d => d.label === label)
  const cs = goldenConnectionString(backend, name)
  const loader = new lib.S3db({ connectionString: cs, passphrase: setupDb.options.passphrase })
  const unplantable = backend === 's3' ? new Set(rawByteObjects(dump.objects)) : new Set()
  for (const o of dump.objects) {
    if (unplantable.has(o)) continue
    const metadata = { ...o.metadata }
    // What 4.1.7 really stored: the raw bytes, as UTF-8 text (Node showed them as Latin-1).
    for (const [k, hex] of Object.entries(o.metadataRawHex || {})) metadata[k] = Buffer.from(hex, 'hex').toString('utf8')
    const body = o.bodyEncoding === 'base64' ? Buffer.from(o.body, 'base64') : o.body
    await loader.client.putObject({ key: o.key, metadata, contentType: o.contentType, body })
  }
  const db = new lib.S3db({ connectionString: cs, passphrase: setupDb.options.passphrase })
  await db.connect()
  return db
}

/** s3db.json without the values that change per run or per implementation. */
export function comparableS3dbJson (doc) {
  const d = JSON.parse(JSON.stringify(doc))
  delete d.lastUpdated
  delete d.s3dbVersion
  for (const r of Object.values(d.resources || {})) {
    for (const v of Object.values(r.versions || {})) delete v.createdAt
  }
  return d
}

/** Attribute key order of every version (the field map is derived from it: A2). */
export function attributeOrders (doc) {
  const out = {}
  const walk = (o, p) => Object.entries(o).flatMap(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) ? [p + k, ...walk(v, p + k + '.')] : [p + k])
  for (const [name, r] of Object.entries(doc.resources || {})) {
    for (const [ver, v] of Object.entries(r.versions || {})) out[`${name}/${ver}`] = walk(v.attributes || {}, '')
  }
  return out
}

// ---------------------------------------------------------------------------
// Connection strings

/** One unique connection string per fixture key prefix (databases sharing a prefix share storage). */
export function goldenConnectionString (backend, name) {
  if (backend === 'memory') return `memory://s3db/golden-${uid()}/${name}`
  if (backend === 's3') return `${process.env.S3DB_TEST_S3_URL.replace(/\/+$/, '')}/golden-${uid()}-${name}`
  return connectionString(backend) // file://: a fresh directory
}

// ---------------------------------------------------------------------------
// Events

// Events a resource sends only to listeners (a query's per-record events): the tap listens to them.
const LISTENED_ONLY = ['get', 'getFromPartition']

/** Record every event of `emitter` as [source, name, args] into `sink()`. */
export function tapEvents (emitter, source, sink) {
  if (emitter.__goldenTapped) return
  Object.defineProperty(emitter, '__goldenTapped', { value: true, enumerable: false })
  for (const name of LISTENED_ONLY) emitter.on(name, () => {})
  const orig = emitter.emit
  emitter.emit = function (name, ...args) {
    sink().push({ source: typeof source === 'function' ? source() : source, event: name, args })
    return orig.call(this, name, ...args)
  }
}

/**
 * The recording's events; an argument recorded as `sameAsResult` / `sameAsError`
 * stands for `outcome.result` / `outcome.error` (the step's expected outcome).
 */
export function recordedEvents (step, outcome) {
  const arg = (a) => a && a.$type === 'sameAsResult' ? outcome.result : a && a.$type === 'sameAsError' ? outcome.error : revive(a)
  return step.events.map(e => ({ source: e.source, event: e.event, args: e.args.map(arg) }))
}

/** `{ source, event, args? }` of a signature `source:event` or `source:event[json args]`. */
export function parseSignature (sig) {
  const m = /^(database|resource:[^:]+):([^[]+)(\[.*\])?$/.exec(sig)
  assert.ok(m, `bad event signature ${sig}`)
  return { source: m[1], event: m[2], args: m[3] === undefined ? undefined : JSON.parse(m[3]) }
}
