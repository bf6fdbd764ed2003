// The two libraries behind one small interface, so every scenario runs the same code:
//   createResource(name, attributes, { partitions }) -> resource with insert/get/count/listIds/insertMany
//   readable(resource, opts) -> Node Readable of records
//   writeAll(resource, source, opts) -> resolves when every record of `source` is stored
//   close()
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
  throw new Error(`unknown target ${target}`)
}

async function openNative (target, { parallelism, passphrase }) {
  const { S3db } = await import('s3db-native')
  const db = new S3db({ connectionString: connectionString(target, 'native'), parallelism, passphrase })
  await db.connect()
  return {
    notes: [],
    createResource: (name, attributes, { partitions } = {}) => db.createResource({ name, attributes, ...(partitions ? { options: { partitions } } : {}) }),
    readable: (resource, { total, ...opts }) => resource.readable(opts),
    writeAll: (resource, source, opts) => pipeline(source, resource.writable(opts)),
    close: () => db.disconnect()
  }
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
    // Partition copies written before insert resolves, as ours (21.x defaults to background writes).
    createResource: (name, attributes, { partitions } = {}) => db.createResource({ name, attributes, ...(partitions ? { partitions, asyncPartitions: false } : {}) }),
    readable (resource, opts) {
      // s3db.js 21.6.2's resource.readable() is broken (RangeError on its highWaterMark, or no
      // data at all). Its working way to read a whole resource is listIds + getMany in pages:
      // that is what this scenario measures for s3db.js, as a Node Readable of records.
      notes.push('s3db.js 21.6.2 readable() is broken; measured listIds + getMany(pages of batchSize) instead')
      const size = opts.batchSize || 100
      return Readable.from((async function * () {
        const ids = await resource.listIds({ limit: opts.total })
        for (let i = 0; i < ids.length; i += size) {
          const recs = await resource.getMany(ids.slice(i, i + size))
          for (const r of recs) yield r
        }
      })())
    },
    async writeAll (resource, source, opts) {
      // s3db.js's ResourceWriter is an EventEmitter, not a Node Writable (write() always
      // returns true): drive it by hand, with the same batchSize/concurrency as ours.
      const writer = new mod.ResourceWriter({ resource, batchSize: opts.batchSize, concurrency: opts.concurrency })
      await new Promise((resolve, reject) => {
        writer.on('finish', resolve)
        writer.on('error', reject)
        source.on('data', rec => writer.write(rec))
        source.on('end', () => writer.end())
        source.on('error', reject)
      })
    },
    close: async () => { if (typeof db.disconnect === 'function') await db.disconnect() }
  }
}

export async function openLibrary (lib, target, options) {
  if (lib === 'native') return openNative(target, options)
  if (lib === 's3dbjs') return openS3dbjs(target, options)
  throw new Error(`unknown library ${lib}`)
}
