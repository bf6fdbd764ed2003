// The libraries behind one small interface, so every scenario runs the same code:
//   createResource(name, attributes, { partitions }) -> resource with insert/get/count/listIds/insertMany
//   readable(resource, opts) -> Node Readable of records
//   writeAll(resource, source, opts) -> resolves when every record of `source` is stored
//   cannot: scenario names the library has no equivalent for (shown as '-')
//   close()
// Libraries: native (s3db-native), s3dbjs (s3db.js 21.6.2, bench/setup-s3dbjs.sh), s3dbjs417
// (s3db.js 4.1.7, bench/setup-s3dbjs417.sh) and ceiling (bench/ceiling-client.mjs, S3 targets only).
// Targets: memory, garage (S3DB_GARAGE_URL, scripts/garage.sh) and s3 (S3DB_BENCH_S3_URL, any
// S3 URL of the form http://KEY:SECRET@host:port/bucket[/prefix], e.g. moto's).
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

function connectionString (target, lib) {
  const name = `${lib}-${process.pid}-${Date.now()}`
  if (target === 'memory') return `memory://bench-${name}/db`
  if (target === 'garage') {
    const url = process.env.S3DB_GARAGE_URL
    if (!url) throw new Error('S3DB_GARAGE_URL is not set (scripts/garage.sh start)')
    return `${url}/${name}`
  }
  if (target === 's3') {
    const url = process.env.S3DB_BENCH_S3_URL
    if (!url) throw new Error('S3DB_BENCH_S3_URL is not set (an S3 URL http://KEY:SECRET@host:port/bucket)')
    return `${url.replace(/\/+$/, '')}/${name}`
  }
  throw new Error(`unknown target ${target}`)
}

async function openNative (target, { parallelism, passphrase }) {
  const { S3db } = await import('s3db-native')
  const db = new S3db({ connectionString: connectionString(target, 'native'), parallelism, passphrase })
  await db.connect()
  return {
    notes: [],
    cannot: [],
    createResource: (name, attributes, { partitions } = {}) => db.createResource({ name, attributes, ...(partitions ? { options: { partitions } } : {}) }),
    readable: (resource, { total, ...opts }) => resource.readable(opts),
    writeAll: (resource, source, opts) => pipeline(source, resource.writable(opts)),
    close: () => db.disconnect()
  }
}

/** s3db.js's way to read a whole resource when readable() does not work: listIds + getMany in pages of batchSize. */
function pagedReadable (resource, { batchSize = 100, total }) {
  return Readable.from((async function * () {
    const ids = await resource.listIds({ limit: total })
    for (let i = 0; i < ids.length; i += batchSize) {
      const recs = await resource.getMany(ids.slice(i, i + batchSize))
      for (const r of recs) yield r
    }
  })())
}

/**
 * s3db.js's ResourceWriter (4.1.7 and 21.6.2) is an EventEmitter, not a Node Writable (write()
 * always returns true): driven by hand, created with the same batchSize/concurrency as ours.
 */
function driveWriter (writer, source) {
  return new Promise((resolve, reject) => {
    writer.on('finish', resolve)
    writer.on('error', reject)
    source.on('data', rec => writer.write(rec))
    source.on('end', () => writer.end())
    source.on('error', reject)
  })
}

/** s3db.js 21.6.2 installed by bench/setup-s3dbjs.sh. */
async function openS3dbjs (target, { parallelism, passphrase }) {
  const subs = join(here, '.s3dbjs', 'substitutions.json')
  if (!existsSync(subs)) throw new Error('s3db.js 21.6.2 is not installed: run bench/setup-s3dbjs.sh')
  const { entry } = JSON.parse(readFileSync(subs, 'utf8'))
  // Quiet and comparable: JSON logs (no pino-pretty worker), no AWS SDK Node-version warning.
  process.env.S3DB_LOG_FORMAT ??= 'json'
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  process.env.S3DB_S3_SLOW_LOGS_ENABLED ??= 'false'
  const mod = await import(pathToFileURL(entry).href)
  const S3db = mod.S3db || mod.Database || mod.default
  const db = new S3db({
    connectionString: connectionString(target, 's3dbjs'),
    parallelism,
    logLevel: 'silent',
    ...(passphrase ? { security: { passphrase } } : {}),
    disableResourceEvents: true,
    // The AWS SDK's own HTTP handler: the default (recker) is one of the substituted
    // dependencies, so it is kept off the measured path.
    clientOptions: { httpClientOptions: { useReckerHandler: false } }
  })
  // It installs process-wide exit handlers that would hide a failing run.
  db.processManager?.removeSignalHandlers?.()
  db.cronManager?.removeSignalHandlers?.()
  await db.connect()
  if (db.client && db.client.parallelism === undefined) db.client.parallelism = parallelism
  const notes = []
  return {
    notes,
    cannot: [],
    // Partition copies written before insert resolves, as ours (21.x defaults to background writes).
    createResource: (name, attributes, { partitions } = {}) => db.createResource({ name, attributes, ...(partitions ? { partitions, asyncPartitions: false } : {}) }),
    readable (resource, opts) {
      // s3db.js 21.6.2's resource.readable() is broken (RangeError on its highWaterMark, or no
      // data at all). Its working way to read a whole resource is listIds + getMany in pages:
      // that is what this scenario measures for s3db.js, as a Node Readable of records.
      notes.push('s3db.js 21.6.2 readable() is broken; measured listIds + getMany(pages of batchSize) instead')
      return pagedReadable(resource, opts)
    },
    writeAll: (resource, source, opts) => driveWriter(new mod.ResourceWriter({ resource, batchSize: opts.batchSize, concurrency: opts.concurrency }), source),
    close: async () => { if (typeof db.disconnect === 'function') await db.disconnect() }
  }
}

/** s3db.js 4.1.7 installed by bench/setup-s3dbjs417.sh. */
async function openS3dbjs417 (target, { parallelism, passphrase }) {
  const info = join(here, '.s3dbjs417', 'installed.json')
  if (!existsSync(info)) throw new Error('s3db.js 4.1.7 is not installed: run bench/setup-s3dbjs417.sh')
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'
  const mod = await import(pathToFileURL(JSON.parse(readFileSync(info, 'utf8')).entry).href)
  let client
  if (target === 'memory') {
    // 4.1.7 has no memory backend: its Client over an in-process stand-in for the AWS SDK client.
    const { MemoryS3 } = await import('./s3dbjs417-memory.mjs')
    client = new mod.Client({ connectionString: `http://bench:bench@memory.invalid/bench/${process.pid}`, parallelism, AwsS3Client: new MemoryS3() })
  } else {
    client = new mod.Client({ connectionString: connectionString(target, 's3dbjs417'), parallelism })
    // 4.1.7 passes a connection string's credentials to the SDK still percent-encoded (a known
    // defect; a secret with '/' or '+' cannot be given at all): decoded here, as s3db-native does.
    client.config.accessKeyId = decodeURIComponent(client.config.accessKeyId)
    client.config.secretAccessKey = decodeURIComponent(client.config.secretAccessKey)
    client.client = client.createClient()
  }
  const db = new mod.S3db({ client, parallelism, ...(passphrase ? { passphrase } : {}) })
  await db.connect()
  const notes = []
  return {
    notes,
    cannot: [],
    async createResource (name, attributes, { partitions } = {}) {
      const resource = await db.createResource({ name, attributes, ...(partitions ? { options: { partitions } } : {}) })
      // 4.1.7 gives createResource()'d resources neither the database's passphrase (it encrypts
      // with 'secret', a known defect) nor its parallelism (insertMany runs 10 at a time): set
      // both, so that secret fields use the passphrase and insertMany the same concurrency.
      if (passphrase) resource.passphrase = resource.schema.passphrase = passphrase
      resource.parallelism = parallelism
      return resource
    },
    readable (resource, opts) {
      // 4.1.7's resource.readable() emits nothing at all (a known defect): measured, as for
      // 21.6.2, its working way to read a whole resource, listIds + getMany in pages.
      notes.push('s3db.js 4.1.7 readable() emits nothing; measured listIds + getMany(pages of batchSize) instead')
      return pagedReadable(resource, opts)
    },
    writeAll: (resource, source, opts) => driveWriter(new mod.ResourceWriter({ resource, batchSize: opts.batchSize, concurrency: opts.concurrency }), source),
    close: async () => {}
  }
}

/** The hand-written SigV4 client (bench/ceiling-client.mjs): S3 targets only. */
async function openCeiling (target, { parallelism }) {
  if (target === 'memory') throw new Error('the ceiling client has no memory:// (it measures the S3 wire)')
  const { CeilingClient } = await import('./ceiling-client.mjs')
  const { ceilingResource } = await import('./ceiling-records.mjs')
  const client = new CeilingClient(connectionString(target, 'ceiling'), { concurrency: parallelism })
  return {
    notes: [],
    // no batch insert, no encryption: PUT/HEAD/LIST of plain records only
    cannot: ['insertMany', 'secret', 'partitions'],
    createResource: async (name, attributes) => ceilingResource(client, name, attributes),
    readable: (resource, opts) => resource.readable(opts),
    writeAll: (resource, source, opts) => resource.writeAll(source, opts),
    close: async () => client.close()
  }
}

export const LIBRARIES = ['native', 's3dbjs417', 's3dbjs', 'ceiling']

export async function openLibrary (lib, target, options) {
  if (lib === 'native') return openNative(target, options)
  if (lib === 's3dbjs') return openS3dbjs(target, options)
  if (lib === 's3dbjs417') return openS3dbjs417(target, options)
  if (lib === 'ceiling') return openCeiling(target, options)
  throw new Error(`unknown library ${lib}`)
}
