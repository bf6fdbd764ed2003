import { S3db, ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, ValidationError, streamToString, ContentReadable } from '../index'
import { ResourceIdsReader as R2 } from '../stream'
import { pipeline } from 'node:stream/promises'
import { Readable } from 'node:stream'
async function main () {
  const db = new S3db({ connectionString: 'memory://x/y' })
  await db.connect()
  const users = await db.createResource({ name: 'users', attributes: { name: 'string' } })
  const r: ResourceReader = users.readable({ batchSize: 10, concurrency: 5, ordered: true })
  r.on('recordError', (err, id: string) => { console.log(err.name, id) })
  for await (const rec of r) console.log(rec.id)
  const w: ResourceWriter = users.writable({ concurrency: 4 })
  await pipeline(Readable.from([{ name: 'x' }]), w)
  const ok: boolean = w.write({ name: 'y' })
  console.log(w.stats.written, w.writable === w, ok, r.progress.fetched)
  const ids = new ResourceIdsReader({ resource: users, batchSize: 100 })
  const pages = new ResourceIdsPageReader({ resource: users })
  pages.on('page', (p: string[]) => p.length)
  console.log(ids.batchSize, R2 === ResourceIdsReader, ValidationError, await streamToString(Readable.from(['a'])))
}
main()
async function hooks () {
  const db = new S3db({ connectionString: 'memory://x/y' })
  const r = await db.createResource({ name: 'h', attributes: { name: 'string' }, options: { hooks: { preInsert: [async function (d) { return { ...d, n: this.name } }] } } })
  r.addHook('afterDelete', (rec) => { console.log(rec.id) })
  const out = await r.executeHooks('preInsert', { name: 'x' })
  console.log(out, r.hooks.preInsert.length)
}
hooks()
import { Plugin, PluginObject, CostsPlugin, calculateTotalSize, getSizeBreakdown } from '../index'
class P extends Plugin { async start () { console.log(this.database) } }
async function plugins () {
  const db = new S3db({ connectionString: 'memory://x/y', plugins: [P, CostsPlugin, { ...PluginObject }] })
  await db.connect()
  console.log(db.client.costs?.requests.put, CostsPlugin.costs.total, calculateTotalSize({ a: 1 }), getSizeBreakdown({}).breakdown)
}
plugins()
import { CachePlugin, MemoryCache, S3Cache } from '../index'
async function caches () {
  const db = new S3db({ connectionString: 'memory://x/y', plugins: [new CachePlugin({ driver: new MemoryCache({ ttl: 60 }) })] })
  await db.connect()
  const s3 = new S3Cache({ client: db.client })
  const v: number | null = await s3.get<number>('k')
  console.log(v, db.resources)
}
caches()
import { Schema } from '../index'
async function schemas () {
  const db = new S3db({ connectionString: 'memory://x/y' })
  const users = await db.createResource({ name: 'u', attributes: { name: 'string' } })
  const s = Schema.import(users.schema.export())
  const ok = await s.validate({ name: 'x' })
  console.log(ok === true, await s.mapper({ name: 'x' }))
}
schemas()

import { PartitionError, PartitionRecord } from '../index'
async function partitions () {
  const db = new S3db({ connectionString: 'memory://x/p' })
  await db.connect()
  const orders = await db.createResource({ name: 'orders', attributes: { region: 'string' }, options: { partitions: { byRegion: { fields: { region: 'string' } } } } })
  const us = { partition: 'byRegion', partitionValues: { region: 'US' } }
  const ids: string[] = await orders.listIds(us)
  const n: number = await orders.count(us)
  const page = await orders.page(0, 10, us)
  const listed: PartitionRecord[] = await orders.listByPartition(us, { limit: 10 })
  const one = await orders.getFromPartition({ id: 'o1', partitionName: 'byRegion', partitionValues: { region: 'US' } })
  const part: string = one._partition
  const key: string | null = orders.getPartitionKey({ partitionName: 'byRegion', id: 'o1', data: { region: 'US' } })
  for await (const rec of orders.readable({ partition: 'byRegion', partitionValues: { region: 'US' } })) console.log(rec.id)
  try { await orders.count({ partition: 'nope' }) } catch (e) { if (e instanceof PartitionError) console.log(e.message) }
  const valid: true | unknown[] = await orders.schema.validate({ region: 'EU' })
  console.log(ids, n, page.totalItems, listed.length, part, key, valid)
}
partitions()

import {
  Database, Client, Resource, ConnectionString, S3_DEFAULT_REGION, S3_DEFAULT_ENDPOINT,
  BaseError, NoSuchBucket, NoSuchKey, NotFound, MissingMetadata, InvalidResourceItem, UnknownError,
  ConnectionStringError, SchemaError, InvalidId, ResourceNotFound, MetadataTooLarge, MetadataLimitExceeded,
  PermissionError, ParanoidError, DecryptionError, CorruptData, Cancelled, ConflictError, ErrorMap, Cache,
  NetworkError, TimeoutError, ThrottledError, ServerError, Timeouts,
  calculateAttributeSizes, encrypt, decrypt, sha256, Validator, ValidatorManager,
  calculateUTF8Bytes, transformValue, calculateAttributeNamesSize, behaviors, getBehavior, AVAILABLE_BEHAVIORS, DEFAULT_BEHAVIOR, SchemaActions
} from '../index'
async function everythingElse () {
  const db: Database = new Database({ uri: 'memory://x/all', passphrase: Buffer.from('key'), cache: true, ttl: 60 })
  await db.connect()
  const client: Client = db.client
  const head = await client.headObject('s3db.json')
  const keys: string[] = await client.getAllKeys({ prefix: 'resource=' })
  const shared: Client = new Client({ connectionString: 'memory://x/shared', parallelism: 4 })
  const onShared = new Database({ client: shared })
  shared.on('command.request', (name: string) => name)
  const page: string[] = await shared.getKeysPage({ prefix: 'a/', offset: 10, amount: 5 })
  const token: string | null = await shared.getContinuationTokenAfterOffset({ prefix: 'a/', offset: 10 })
  const moved: true = await shared.moveObject({ from: 'a', to: 'b' })
  const movedAll: string[] = await shared.moveAllObjects({ prefixFrom: 'a/', prefixTo: 'b/' })
  const deletedCount: number = await shared.deleteAll({ prefix: 'b/' })
  const copied = await shared.copyObject({ from: 'a', to: 'b' })
  const sent = await shared.sendCommand({ constructor: { name: 'HeadObjectCommand' }, input: { Key: 'a' } })
  const definitionHash: string = onShared.generateDefinitionHash({ attributes: { a: 'string' } }, 'user-management')
  const next: string = onShared.getNextVersion({ v0: {} })
  const changes = onShared.detectDefinitionChanges(onShared.blankMetadataStructure())
  const same = onShared.resourceExistsWithSameHash({ name: 'users', attributes: {} })
  if (same.exists) { const h: string = same.existingHash }
  await onShared.uploadMetadataFile()
  await onShared.startPlugins()
  const validator = new Validator({ passphrase: 'p' })
  const checked: true | Array<{ type: string }> = validator.compile({ name: 'string' })({ name: 'x' })
  const later: true | Array<{ field: string }> = await validator.compile({ $$async: true, name: 'string' })({ name: 'x' })
  const sharedValidator: Validator = new ValidatorManager({ autoEncrypt: false })
  const alone = new Resource({ name: 'alone', client: shared, attributes: { a: 'string' }, version: 'v1' })
  const checkedData = await alone.validate({ a: 'x' })
  const valid: boolean = checkedData.isValid
  const v: string | null = alone.extractVersionFromKey('resource=a/v=1/id=x')
  const wiped: { deletedCount: number } = await alone.deleteAllData()
  alone.updateAttributes({ a: 'string', b: 'number' })
  const withContent = await alone.setContent({ id: 'x', buffer: Buffer.from('b'), contentType: 'text/plain' })
  const contentLength: number = withContent._contentLength
  const c = await alone.content('x')
  const streamed = await alone.setContent({ id: 'x', buffer: Readable.from([Buffer.from('a'), 'b']), contentType: 'text/plain' })
  const streamedLength: number = streamed._contentLength
  const download: ContentReadable = alone.contentStream('x')
  download.on('ready', (info) => { const n: number = info.contentLength; void n })
  for await (const chunk of download) { const b: Buffer = chunk; void b }
  void streamedLength
  if (c.buffer !== null) { const n: number = c.buffer.length }
  const has: boolean = await alone.hasContent('x')
  await alone.deleteContent('x')
  const users: Resource = await db.createResource({ name: 'users', attributes: { name: 'string' } })
  const cs = new ConnectionString('s3://k:s@bucket/prefix')
  const region: string = S3_DEFAULT_REGION
  const endpoint: string = S3_DEFAULT_ENDPOINT
  const classes = [NoSuchBucket, NoSuchKey, NotFound, MissingMetadata, InvalidResourceItem, UnknownError,
    ConnectionStringError, SchemaError, InvalidId, ResourceNotFound, MetadataTooLarge, MetadataLimitExceeded,
    PermissionError, ParanoidError, DecryptionError, CorruptData, Cancelled, ConflictError]
  const errors: BaseError[] = classes.map((C) => new C({ message: 'x' }))
  const timeouts: Timeouts = { connectMs: 1000, attemptMs: 5000, operationMs: 20000 }
  const patient = new Database({ connectionString: 'http://k:s@localhost:9000/b', timeouts, maxAttempts: 6 })
  void patient
  try {
    await users.get('x')
  } catch (err) {
    if (err instanceof NetworkError || err instanceof TimeoutError || err instanceof ThrottledError || err instanceof ServerError) {
      const retry: true = err.retryable
      const attempts: number | undefined = err.attempts
      const errno: string | undefined = err instanceof NetworkError ? err.errno : undefined
      const asUnknown: UnknownError = err
      void retry; void attempts; void errno; void asUnknown
    }
  }
  const notFound: typeof NotFound = ErrorMap.NotFound
  const cache: Cache = new Cache()
  await cache.set('k', { a: 1 })
  const sizes: Record<string, number> = calculateAttributeSizes({ 0: 'a', _v: 'v0' })
  const bytes: number = calculateUTF8Bytes('é') + calculateAttributeNamesSize({ _v: 'v0' }) + transformValue([1, 2]).length
  const shaped = await getBehavior(DEFAULT_BEHAVIOR).handleInsert({ data: {}, mappedData: { _v: 'v0' } })
  const body: string = shaped.body
  const names: readonly string[] = AVAILABLE_BEHAVIORS
  const overflowGet = await behaviors['body-overflow'].handleGet({ metadata: {}, body: '' })
  const joined: string = SchemaActions.fromArray(['a', 'b'], { separator: ';' })
  users.schema.addHook('beforeMap', 'name', 'trim')
  await users.schema.applyHooksActions({ name: ' x ' }, 'beforeMap')
  const objectKeys: string[] = users.schema.extractObjectKeys(users.schema.attributes)
  const secret: string = await encrypt('x', 'pass')
  const plain: string = await decrypt(secret, 'pass')
  const hash: string = await sha256('x')
  console.log(head.Metadata, keys, users.name, cs.bucket, region, endpoint, errors.length, notFound.name, sizes, plain, hash)
}
everythingElse()
import { InvalidArgument, HookError, InternalError, ErrorCode } from '../index'
async function idsAndCodes () {
  const db = new S3db({ connectionString: 'memory://x/ids' })
  const users = await db.createResource<{ name: string }>({ name: 'users', attributes: { name: 'string' } })
  // A numeric id comes back as a number; a string id, or none (generated), as a string.
  const n: number = (await users.insert({ id: 7, name: 'x' })).id
  const s: string = (await users.insert({ name: 'x' })).id
  const k: string = (await users.insert({ id: 'k', name: 'x' })).id
  const many: number = (await users.insertMany([{ id: 1, name: 'a' }]))[0].id
  const updated: number = (await users.update(3, { name: 'y' })).id
  const upserted: number = (await users.upsert({ id: 4, name: 'z' })).id
  const fetched: string = (await users.get(7)).id
  // db.resource(): awaited, the Resource (an unknown name rejects).
  const again = await db.resource<{ name: string }>('users')
  const name: string = (await again.get('k')).name
  try {
    await users.get('missing')
  } catch (e) {
    if (e instanceof BaseError) {
      const code: ErrorCode = e.code
      const retry: boolean = e.retryable
      console.log(code, retry)
    }
    if (e instanceof NetworkError) { const c: 'NetworkError' = e.code; const r: true = e.retryable; console.log(c, r) }
    if (e instanceof UnknownError) { const c: 'UnknownError' | 'InvalidArgument' | 'HookError' | 'InternalError' | 'NetworkError' | 'TimeoutError' | 'ThrottledError' | 'ServerError' = e.code; console.log(c) }
    if (e instanceof InvalidArgument || e instanceof HookError || e instanceof InternalError) { const f: false = e.retryable; console.log(f) }
  }
  console.log(n, s, k, many, updated, upserted, fetched, name)
}
idsAndCodes()
async function concurrentWriters () {
  const db = new S3db({ connectionString: 'memory://x/cw', concurrency: 'optimistic' })
  const r = await db.createResource<{ name: string }>({ name: 'cw', attributes: { name: 'string' }, options: { insertMode: 'create' } })
  await r.insert({ id: 'a', name: 'x' }, { ifNotExists: true })
  await r.insertMany([{ id: 'b', name: 'y' }], { ifNotExists: false })
  const w = r.writable({ ifNotExists: true })
  try { await r.insert({ id: 'a', name: 'x' }) } catch (e) {
    if (e instanceof ConflictError) { const why: 'changed' | 'exists' | undefined = e.reason; const n: number | undefined = e.attempts; console.log(why, n, e.code === 'ConflictError') }
  }
  console.log(w)
}
concurrentWriters()
