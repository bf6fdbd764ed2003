// Shared test helpers: which backends to run, and a fresh database per test.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
export const lib = require('../index.js')

const tmpDirs = []
process.on('exit', () => { for (const d of tmpDirs) rmSync(d, { recursive: true, force: true }) })

export function uid () {
  return randomBytes(6).toString('hex')
}

/**
 * S3DB_REQUIRE_S3 (any value but empty or 0; scripts/test.sh, i.e. `npm test`, sets it to 1, and
 * CI=true implies it): the S3 run is mandatory. Loading this module then throws, so every test
 * file that uses it fails (never skips), when S3DB_TEST_S3_URL is not set, and it refuses
 * S3DB_TEST_BACKEND, which would narrow the run. cargo's S3 conformance test honours the same flag.
 */
export const requireS3 = (process.env.S3DB_REQUIRE_S3 !== undefined && !['', '0'].includes(process.env.S3DB_REQUIRE_S3)) || process.env.CI === 'true'
if (requireS3 && !process.env.S3DB_TEST_S3_URL) {
  throw new Error('S3DB_REQUIRE_S3 (or CI=true) is set but S3DB_TEST_S3_URL is not: the S3 test server did not start (scripts/s3-server.sh start)')
}
if (requireS3 && process.env.S3DB_TEST_BACKEND) {
  throw new Error(`S3DB_REQUIRE_S3 (or CI=true) is set: S3DB_TEST_BACKEND=${process.env.S3DB_TEST_BACKEND} would narrow the run; unset it`)
}

/**
 * Backends under test: memory and file always; s3 when S3DB_TEST_S3_URL is set (mandatory
 * under S3DB_REQUIRE_S3, see above). S3DB_TEST_BACKEND=memory|file|s3 (comma list) narrows
 * the set outside S3DB_REQUIRE_S3.
 */
export function backends () {
  const all = ['memory', 'file']
  if (process.env.S3DB_TEST_S3_URL) all.push('s3')
  const only = process.env.S3DB_TEST_BACKEND
  return only ? all.filter(b => only.split(',').includes(b)) : all
}

/** A connection string for a fresh, empty database on `backend`. */
export function connectionString (backend, name = uid()) {
  if (backend === 'memory') return `memory://test-bucket/${name}`
  if (backend === 'file') {
    const dir = mkdtempSync(join(tmpdir(), 's3db-native-test-'))
    tmpDirs.push(dir)
    return `file://${dir}`
  }
  if (backend === 's3') return `${process.env.S3DB_TEST_S3_URL.replace(/\/+$/, '')}/tests-${name}`
  throw new Error(`unknown backend ${backend}`)
}

export async function freshDb (backend, options = {}) {
  const db = new lib.S3db({ connectionString: connectionString(backend), ...options })
  await db.connect()
  return db
}

/** Collect events of an emitter into an array of [name, ...args]. */
export function record (emitter, names) {
  const seen = []
  for (const n of names) emitter.on(n, (...args) => seen.push([n, ...args]))
  return seen
}

/**
 * `promise`, or a rejection naming `what` if it has not settled within `ms`: for waits on an
 * event that must come (a deadline only turns a hang into a failure; it never decides a pass).
 */
export function within (promise, ms, what) {
  let timer
  const deadline = new Promise((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/**
 * Poll `check` (sync or async) every `interval` ms until it returns a truthy value, which is
 * returned; throws naming `what` once `timeout` ms have passed.
 */
export async function until (check, what, { timeout = 10000, interval = 5 } = {}) {
  const end = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new Error(`${what}: not within ${timeout} ms`)
    await new Promise(resolve => setTimeout(resolve, interval))
  }
}
