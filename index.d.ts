// Public typings of s3db-native: the s3db.js 4.1.7 API as it behaves at run time.
import { EventEmitter } from 'node:events'
import { Readable, Writable } from 'node:stream'

/** Attribute definition: a fastest-validator rule string, an array of alternative rules, or a nested object. */
export type AttributeRule = string | Array<string | Record<string, unknown>>
export interface AttributesDefinition {
  [field: string]: AttributeRule | AttributesDefinition
}

/** What `contentStream(id)` returns: `contentType`/`contentLength` are set when it emits 'ready'. */
export interface ContentReadable extends Readable {
  contentType: string | null
  contentLength: number | null
  on(event: 'ready', listener: (info: { contentType: string | null; contentLength: number }) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
}

export type BehaviorName = 'user-management' | 'enforce-limits' | 'data-truncate' | 'body-overflow'

/**
 * Deadlines of requests to an S3 endpoint, in milliseconds (also `connectTimeout`,
 * `attemptTimeout`, `operationTimeout` in the connection string's query).
 */
export interface Timeouts {
  /** Establishing a connection (default 3000). */
  connectMs?: number
  /** One attempt, up to the response headers; also the longest pause inside a streamed body (default 30000). */
  attemptMs?: number
  /** The whole operation, retries and backoff included (default 90000). */
  operationMs?: number
}

export interface DatabaseOptions {
  /** `s3://KEY:SECRET@bucket/prefix`, `http(s)://KEY:SECRET@host:port/bucket/prefix`, `memory://bucket/prefix`, `file:///dir` */
  connectionString?: string
  /** A Client to share (its connection, parallelism limit and request counts); used instead of `connectionString`. */
  client?: Client
  /** Alias of `connectionString`. */
  uri?: string
  /** S3 endpoint override (MinIO, Garage, ...); turns path-style addressing on. */
  endpoint?: string
  region?: string
  forcePathStyle?: boolean
  /** Maximum concurrent S3 requests (default 10). */
  parallelism?: number | string
  /** Request deadlines (S3 endpoints); an operation never waits longer than `operationMs`. */
  timeouts?: Timeouts
  /** Attempts per request, first try included (default 4; AWS standard retry mode between them). */
  maxAttempts?: number
  /** How read-modify-writes hold against other writers (see README, "Concurrent writers"). */
  concurrency?: ConcurrencyMode
  /** Secret-field passphrase (default `secret`); a Buffer is used as its UTF-8 text. */
  passphrase?: string | Buffer
  verbose?: boolean
  /** `true` caches reads (a CachePlugin over a MemoryCache with `ttl`); always copied into each resource's `options.cache`. */
  cache?: boolean | Record<string, unknown>
  /** Cache entry lifetime in seconds for `cache: true` (default 86400). */
  ttl?: number
  /** Plugin classes (instantiated with the database), instances or plain objects: set up, then started, at `connect()`. */
  plugins?: Array<PluginLike | (new (...args: any[]) => PluginLike)>
}

/**
 * 'optimistic': conditional writes (If-Match / If-None-Match), required of the server;
 * 'last-writer-wins': unconditional writes (4.1.7); 'auto' (default): optimistic when the
 * server honours conditional writes, else last-writer-wins with a one-time process warning.
 */
export type ConcurrencyMode = 'auto' | 'optimistic' | 'last-writer-wins'

/** Options of one `insert` / `insertMany` call. */
export interface InsertOptions {
  /** Create only: a record with this id is left as it is and the insert fails with ConflictError (`reason: 'exists'`). Default: the resource's `insertMode`. */
  ifNotExists?: boolean
}

/** Lifecycle hook events; `pre*` hooks may return transformed data, `after*` results are ignored. */
export type HookEvent = 'preInsert' | 'afterInsert' | 'preUpdate' | 'afterUpdate' | 'preDelete' | 'afterDelete'
/** A lifecycle hook: `this` is the resource; may be async; a throw aborts the operation with that error. */
export type HookFunction = (this: Resource<any>, data: any) => any

export interface ResourceOptions {
  timestamps?: boolean
  partitions?: Record<string, { fields: Record<string, string> }>
  paranoid?: boolean
  allNestedObjectsOptional?: boolean
  autoEncrypt?: boolean
  autoDecrypt?: boolean
  arraySeparator?: string
  generateAutoHooks?: boolean
  cache?: boolean
  /** What `insert` does with an id that exists: 'overwrite' (default, 4.1.7) or 'create' (refuse with ConflictError). */
  insertMode?: 'overwrite' | 'create'
  /** Lifecycle hooks (never stored in s3db.json) and 4.1.7's schema-phase actions (`beforeMap`…). */
  hooks?: Partial<Record<HookEvent, HookFunction[]>> & Record<string, unknown>
  [option: string]: unknown
}

export interface CreateResourceInput {
  name: string
  attributes: AttributesDefinition
  options?: ResourceOptions
  behavior?: BehaviorName
}

/** Fields every record read from storage carries. */
export interface RecordExtras {
  id: string
  _contentLength: number
  _lastModified: Date
  _hasContent: boolean
  _mimeType: string | null
  _versionId?: string
  _definitionHash: string
}

export type StoredRecord<T = Record<string, any>> = T & RecordExtras

/** The id a write of `D` resolves with: a number stays a number; a string, or none (generated), is a string. */
export type GivenId<D> = D extends { id?: infer I } ? (I extends number ? number : string) : string
/** A record `T` whose `id` is `Id`. */
export type WithId<T, Id> = Omit<T, 'id'> & { id: Id }

/** A record read through a partition. */
export type PartitionRecord<T = Record<string, any>> = StoredRecord<T> & { _partition: string; _partitionValues: Record<string, unknown> }

export interface PageResult<T = Record<string, any>> {
  items: Array<StoredRecord<T>>
  totalItems: number | null
  page: number
  pageSize: number
  totalPages: number | null
  _debug: {
    requestedSize: number
    requestedOffset: number
    actualItemsReturned: number
    skipCount: boolean
    hasTotalItems: boolean
  }
}

export interface ListOptions {
  limit?: number
  offset?: number
  partition?: string | null
  partitionValues?: Record<string, unknown>
}

export interface PageOptions {
  offset?: number
  size?: number
  skipCount?: boolean
  partition?: string | null
  partitionValues?: Record<string, unknown>
}

export interface DeleteManyBatch {
  deleted: Array<{ Deleted: Array<{ Key: string }> }>
  notFound: unknown[]
}

/** One entry of `detectDefinitionChanges` and of `resourceDefinitionsChanged`. */
export interface DefinitionChange {
  type: 'new' | 'changed' | 'deleted'
  resourceName: string
  currentHash: string | null
  savedHash: string | null | undefined
  fromVersion?: string
  toVersion?: string
  deletedVersion?: string
}

export interface ValidationDetail {
  type: string
  message: string
  field: string
  expected?: unknown
  actual?: unknown
}

/** `new Resource({ client, ... })`: a resource used without a database (no s3db.json). */
export interface StandaloneResourceOptions {
  name: string
  /** A Client (or a stand-in, which fails when storage is needed). */
  client: Client | Record<string, unknown>
  /** Key version segment (default `'1'`). */
  version?: string
  attributes?: AttributesDefinition
  options?: ResourceOptions & Record<string, unknown>
  parallelism?: number
  /** Secret-field passphrase (default `secret`). */
  passphrase?: string
  /** Emitters that receive `error`, `deleted` and `exceedsLimit` (default none). */
  observers?: EventEmitter[]
  behavior?: BehaviorName
}

export class Resource<T extends Record<string, any> = Record<string, any>> extends EventEmitter {
  constructor(options: StandaloneResourceOptions)
  readonly name: string
  readonly version: string
  readonly behavior: BehaviorName
  readonly attributes: AttributesDefinition
  readonly options: ResourceOptions & Record<string, unknown>
  readonly map: Record<string, string>
  readonly database: Database
  readonly client: Client
  /** The current version's schema (built on first use). */
  readonly schema: Schema

  /** The stored record; `id` comes back as given (a number stays a number, 4.1.7), or the generated string. */
  insert<D extends Partial<T> & { id?: string | number }>(data: D, options?: InsertOptions): Promise<WithId<T, GivenId<D>>>
  get(id: string | number): Promise<StoredRecord<T>>
  exists(id: string | number): Promise<boolean>
  /** The updated record; `id` comes back as given (a number stays a number, 4.1.7). */
  update<I extends string | number>(id: I, attributes: Partial<T>): Promise<WithId<T, I extends number ? number : string>>
  upsert<D extends Partial<T> & { id?: string | number }>(data: D): Promise<WithId<T, GivenId<D>>>
  delete(id: string | number): Promise<{ $metadata: { httpStatusCode: number } }>
  insertMany<D extends Partial<T> & { id?: string | number }>(objects: D[], options?: InsertOptions): Promise<Array<WithId<T, GivenId<D>>>>
  getMany(ids: string[]): Promise<Array<StoredRecord<T>>>
  deleteMany(ids: string[]): Promise<DeleteManyBatch[]>
  getAll(): Promise<Array<StoredRecord<T>>>
  deleteAll(): Promise<{ deletedCount: number; version: string }>
  listIds(options?: ListOptions): Promise<string[]>
  count(options?: Pick<ListOptions, 'partition' | 'partitionValues'>): Promise<number>
  list(options?: ListOptions): Promise<Array<StoredRecord<T>>>
  page(options?: PageOptions): Promise<PageResult<T>>
  /** The positional form of the 4.1.7 README: `page(offset, size, { partition, partitionValues })`. */
  page(offset: number, size?: number, options?: Pick<PageOptions, 'partition' | 'partitionValues' | 'skipCount'>): Promise<PageResult<T>>
  /** The records of one partition (read through their main objects; stale copies are skipped). */
  listByPartition(partition: { partition: string; partitionValues?: Record<string, unknown> }, options?: { limit?: number; offset?: number }): Promise<Array<PartitionRecord<T>>>
  /** The partition copy itself; throws PartitionError for an unknown partition or missing values, NotFound when absent. */
  getFromPartition(input: { id: string; partitionName: string; partitionValues: Record<string, unknown> }): Promise<PartitionRecord<T>>
  /** Key of `data`'s copy in a partition (relative to the key prefix), or null when a field of it has no value. */
  getPartitionKey(input: { partitionName: string; id: string; data: Record<string, unknown> }): string | null
  query(filter?: Partial<T>, options?: ListOptions): Promise<Array<StoredRecord<T>>>
  /** The cache driver, once CachePlugin is installed. */
  cache?: Cache
  /** Cache key of a read (CachePlugin): `resource=<name>/action=<action>/<sha256>.json.gz`. */
  cacheKeyFor?(input: { params?: Record<string, unknown>; action?: string }): string
  /** Registered lifecycle hooks per event, in call order. */
  hooks: Record<HookEvent, HookFunction[]>
  /** Register a lifecycle hook; unknown events are ignored (as in 4.1.7). */
  addHook(event: HookEvent, fn: HookFunction): void
  /** Run the chain of `event` on `data` (each hook gets the previous result). */
  executeHooks(event: HookEvent, data: any): Promise<any>
  /** Object-mode Readable of every record of the current version (fetched by Rust workers, with backpressure). */
  readable(options?: ReaderOptions): ResourceReader<T>
  /** Object-mode Writable that inserts each record written to it; `'finish'` fires once all are stored. */
  writable(options?: WriterOptions): ResourceWriter<T>
  getResourceKey(id: string): string
  getDefinitionHash(): string
  /** `data` is coerced in place; `original` is a copy of it before. */
  validate(data: Record<string, any>): Promise<{ original: Record<string, any>; isValid: boolean; errors: ValidationDetail[]; data: Record<string, any> }>
  /** Rebuilds the schema at the current version (s3db.json is not written). */
  updateAttributes(newAttributes: AttributesDefinition): { oldAttributes: AttributesDefinition; newAttributes: AttributesDefinition }
  getSchemaForVersion(version: string): Promise<Schema>
  extractVersionFromKey(key: string): string | null
  getNestedFieldValue(data: Record<string, any>, fieldPath: string): unknown
  fieldExistsInAttributes(fieldName: string): boolean
  applyPartitionRule(value: unknown, rule: string): unknown
  validatePartitions(): void
  setupPartitionHooks(): void
  createPartitionReferences(data: Record<string, any> & { id: string }): Promise<void>
  updatePartitionReferences(data: Record<string, any> & { id: string }): Promise<void>
  deletePartitionReferences(data: Record<string, any> & { id: string }): Promise<void>
  /** Every object of the resource (all versions and partition copies); needs `paranoid: false`. */
  deleteAllData(): Promise<{ deletedCount: number; resource: string }>
  /**
   * Stores `buffer` as the record's binary content (the record is unchanged). Refused for a
   * body-overflow record whose body holds overflowing fields. Emits `get`, `setContent`.
   * `buffer` may be a Readable (or any async iterable of chunks): streamed with bounded
   * memory (S3: a multipart upload past 8 MB); a failing stream leaves the old content.
   */
  setContent(input: { id: string; buffer: Buffer | Uint8Array | string | NodeJS.ReadableStream | AsyncIterable<Buffer | Uint8Array | string>; contentType?: string }): Promise<T & { id: string; _hasContent: true; _contentLength: number; _mimeType: string }>
  /** Both `null` when the record is missing. Emits `content`. */
  content(id: string): Promise<{ buffer: Buffer; contentType: string | null } | { buffer: null; contentType: null }>
  /** The content as a byte Readable, downloaded as it is read; fails with NoSuchKey for a missing record. */
  contentStream(id: string): ContentReadable
  hasContent(id: string): Promise<boolean>
  deleteContent(id: string): Promise<Record<string, never>>
  export(): { version: string; name: string; options: Record<string, unknown>; attributes: AttributesDefinition; map: Record<string, string>; behavior: BehaviorName }

  on(event: 'insert', listener: (record: T & { id: string }) => void): this
  on(event: 'get' | 'data', listener: (record: StoredRecord<T>) => void): this
  on(event: 'update', listener: (attributes: Partial<T>, record: T & { id: string }) => void): this
  on(event: 'delete' | 'deleted' | 'id', listener: (id: string) => void): this
  on(event: 'count' | 'listIds' | 'getMany' | 'getAll' | 'insertMany' | 'deleteMany', listener: (n: number) => void): this
  on(event: 'list', listener: (info: { partition: string | null; partitionValues: Record<string, unknown>; count: number }) => void): this
  on(event: 'getFromPartition', listener: (record: PartitionRecord<T>) => void): this
  on(event: 'page', listener: (page: PageResult<T>) => void): this
  on(event: 'deleteAll', listener: (info: { version: string; prefix: string; deletedCount: number }) => void): this
  on(event: 'exceedsLimit', listener: (info: { operation: string; id?: string; totalSize: number; limit: number; excess: number; data: unknown }) => void): this
  on(event: 'versionUpdated', listener: (info: { oldVersion: string; newVersion: string }) => void): this
  on(event: 'error', listener: (error: BaseError, item: unknown) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
}

export interface ObjectHead {
  Metadata: Record<string, string>
  ContentLength: number
  ContentType: string | null
  ContentEncoding: string | null
  LastModified: Date
  VersionId: string | null
}

/** Raw object access under the database key prefix (subset of the s3db.js Client). */
export interface ClientOptions {
  /** Required, even with `AwsS3Client` (as in 4.1.7). */
  connectionString: string
  verbose?: boolean
  /** Client id (default: a random 22-character id). */
  id?: string | null
  /** Maximum concurrent requests (default 10); shared by every database built on this client. */
  parallelism?: number | string
  /** Request deadlines (S3 endpoints). */
  timeouts?: Timeouts
  /** Attempts per request, first try included (default 4). */
  maxAttempts?: number
  /** How read-modify-writes hold against other writers (see README, "Concurrent writers"). */
  concurrency?: ConcurrencyMode
  /** Kept as `client.client`; requests still go through the engine's own connection. */
  AwsS3Client?: unknown
  endpoint?: string
  region?: string
  forcePathStyle?: boolean
}

/** An AWS SDK command object as `sendCommand` accepts it (absolute keys, SDK field names). */
export interface S3Command {
  constructor: { name: 'PutObjectCommand' | 'GetObjectCommand' | 'HeadObjectCommand' | 'DeleteObjectCommand' | 'DeleteObjectsCommand' | 'CopyObjectCommand' | 'ListObjectsV2Command' | string }
  input: Record<string, any>
}

export interface ListObjectsResult {
  /** Keys as S3 gives them (key prefix included). */
  Contents: Array<{ Key: string; Size: number }>
  KeyCount: number
  IsTruncated: boolean
  NextContinuationToken: string | null
}

export class Client extends EventEmitter {
  constructor(options: ClientOptions)
  readonly id: string
  readonly verbose: boolean
  readonly bucket: string
  readonly keyPrefix: string
  readonly parallelism: number
  /**
   * `s3Client`: which client sends S3 requests: `'lean'` (the default: the hot commands are signed and sent by
   * s3db-native itself) or `'sdk'` (the AWS SDK for everything; connection string `?s3Client=sdk`).
   */
  readonly config: { bucket: string; keyPrefix: string; region: string; endpoint: string; forcePathStyle: boolean; concurrency: ConcurrencyMode; s3Client: 'lean' | 'sdk' }
  /** An S3Client-shaped stand-in whose `send(command)` is `sendCommand(command)` (or the `AwsS3Client` given). */
  readonly client: unknown
  /** Present once CostsPlugin is set up: one live object, updated in place. */
  readonly costs?: Costs
  createClient(): { send(command: S3Command): Promise<any>; destroy(): void }
  /** Emits `command.request` (name, input) and `command.response` (name, response, input). */
  sendCommand(command: S3Command): Promise<any>
  putObject(input: { key: string; metadata?: Record<string, string>; contentType?: string; body?: Buffer | Uint8Array | string; contentEncoding?: string }): Promise<Record<string, unknown>>
  getObject(key: string): Promise<ObjectHead & { Body: Buffer }>
  headObject(key: string): Promise<ObjectHead>
  exists(key: string): Promise<boolean>
  deleteObject(key: string): Promise<Record<string, unknown>>
  /** One response per chunk of 1000 keys in `deleted`, one error per failed chunk in `notFound`. */
  deleteObjects(keys: string[]): Promise<{ deleted: Array<{ Deleted: Array<{ Key: string }>; Errors: unknown[] }>; notFound: unknown[] }>
  copyObject(input: { from: string; to: string }): Promise<{ CopyObjectResult: { LastModified: string } }>
  moveObject(input: { from: string; to: string }): Promise<true>
  /** The new keys; throws `Error('Some objects could not be moved')` when any move failed. */
  moveAllObjects(input: { prefixFrom: string; prefixTo: string }): Promise<string[]>
  listObjects(input?: { prefix?: string; maxKeys?: number; continuationToken?: string }): Promise<ListObjectsResult>
  count(input?: { prefix?: string }): Promise<number>
  getAllKeys(input?: { prefix?: string }): Promise<string[]>
  getContinuationTokenAfterOffset(input?: { prefix?: string; offset?: number }): Promise<string | null>
  getKeysPage(input?: { prefix?: string; offset?: number; amount?: number }): Promise<string[]>
  /** Deletes every key under `prefix`; emits `deleteAll` per page and `deleteAllComplete`. */
  deleteAll(input?: { prefix?: string }): Promise<number>
  errorProxy(error: unknown, data?: Record<string, unknown>): unknown
}

export class Database extends EventEmitter {
  constructor(options: DatabaseOptions)
  readonly version: '1'
  readonly s3dbVersion: string
  readonly resources: Record<string, Resource>
  savedMetadata: Record<string, unknown> | null
  readonly options: DatabaseOptions
  readonly verbose: boolean
  readonly parallelism: number
  readonly plugins: unknown[]
  readonly cache: DatabaseOptions['cache']
  readonly passphrase: string
  readonly bucket: string
  readonly keyPrefix: string
  readonly client: Client
  readonly config: { version: string; s3dbVersion: string; bucket: string; keyPrefix: string; parallelism: number; verbose: boolean }

  connect(): Promise<void>
  disconnect(): Promise<void>
  isConnected(): boolean
  createResource<T extends Record<string, any> = Record<string, any>>(input: CreateResourceInput): Promise<Resource<T>>
  createResourceIfNotExists<T extends Record<string, any> = Record<string, any>>(input: CreateResourceInput): Promise<{ resource: Resource<T>; created: boolean; reason: string }>
  resourceExists(name: string): boolean
  /**
   * The resource itself (synchronously), or, for a name that does not exist, a rejected Promise
   * (ResourceNotFound), as 4.1.7 does. `await db.resource(name)` is a `Resource<T>` either way
   * (or throws); `getResource(name)` is the promise-only form.
   */
  resource<T extends Record<string, any> = Record<string, any>>(name: string): Resource<T> | Promise<never>
  getResource<T extends Record<string, any> = Record<string, any>>(name: string): Promise<Resource<T>>
  listResources(): Promise<Array<{ name: string }>>
  /** Sets up, then starts, every plugin (once); `connect()` calls it. */
  startPlugins(): Promise<void>
  /** 4.1.7's version hash of a `resource.export()`-shaped definition: `sha256:<hex>`. */
  generateDefinitionHash(definition: { attributes?: Record<string, unknown>; options?: { timestamps?: boolean } & Record<string, unknown>; behavior?: string }, behavior?: string): string
  /** `v<n+1>` over the `v<integer>` keys; `v0` when there are none. */
  getNextVersion(versions?: Record<string, unknown>): string
  blankMetadataStructure(): { version: '1'; s3dbVersion: string; resources: Record<string, never> }
  detectDefinitionChanges(savedMetadata: { resources?: Record<string, any> }): DefinitionChange[]
  resourceExistsWithSameHash(definition: { name: string; attributes: Record<string, unknown>; options?: Record<string, unknown>; behavior?: string }): { exists: false; sameHash: false; hash: null } | { exists: true; sameHash: boolean; hash: string; existingHash: string }
  /** Writes s3db.json for the resources in memory (other stored resources are kept); emits `metadataUploaded`. */
  uploadMetadataFile(): Promise<void>

  on(event: 'connected' | 'disconnected', listener: (at: Date) => void): this
  on(event: 'resourceDefinitionsChanged', listener: (info: { changes: DefinitionChange[]; metadata: Record<string, unknown> }) => void): this
  on(event: 'metadataUploaded', listener: (metadata: Record<string, unknown>) => void): this
  on(event: 's3db.resourceCreated' | 's3db.resourceUpdated', listener: (name: string) => void): this
  on(event: 'error', listener: (resourceName: string, error: BaseError, item: unknown) => void): this
  on(event: 'deleted', listener: (resourceName: string, id: string) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
}

export class S3db extends Database {}

/** The parts of a connection string (credentials percent-decoded); other query parameters become string properties. */
export class ConnectionString {
  constructor(connectionString: string)
  region: string
  bucket: string
  accessKeyId: string
  /** Shown as `***` by `console.log`. */
  secretAccessKey: string
  endpoint: string
  keyPrefix: string
  forcePathStyle?: true
  [queryParameter: string]: unknown
  /** Re-read `url` as an `s3://` string (bucket in the host). */
  defineS3(url: URL | string): this
  /** Re-read `url` as a path-style endpoint (bucket in the path). */
  defineMinio(url: URL | string): this
}

export const S3_DEFAULT_REGION: 'us-east-1'
export const S3_DEFAULT_ENDPOINT: 'https://s3.us-east-1.amazonaws.com'

/**
 * The `code` of every error the package throws: the engine's kinds (`errorKinds()` in the
 * binding; a missing key is 'NoSuchKey' whether HEAD or GET saw it), plus 'MissingMetadata'
 * and 'BaseError' for the classes the engine never raises.
 */
export type ErrorCode =
  | 'NoSuchKey' | 'NoSuchBucket' | 'InvalidResourceItem' | 'SchemaError' | 'ConnectionStringError'
  | 'InvalidId' | 'ResourceNotFound' | 'PartitionError' | 'MetadataTooLarge' | 'MetadataLimitExceeded'
  | 'PermissionError' | 'ParanoidError' | 'DecryptionError' | 'CorruptData' | 'Cancelled' | 'ConflictError'
  | UnknownErrorCode
  | 'MissingMetadata' | 'BaseError'
/** The codes of `UnknownError` and the kinds that extend it (which 4.1.7 threw as UnknownError). */
export type UnknownErrorCode =
  | 'UnknownError' | 'NetworkError' | 'TimeoutError' | 'ThrottledError' | 'ServerError'
  | 'InvalidArgument' | 'HookError' | 'InternalError'

export class BaseError extends Error {
  constructor(input?: { verbose?: boolean; bucket?: string; message?: string; [k: string]: unknown })
  bucket: string | undefined
  thrownAt: Date
  /** Stable kind, the same for every error of the class (see `ErrorCode`). */
  code: ErrorCode
  /** Whether the same request may succeed later (true only for the transport errors). */
  retryable: boolean
  toJson(): Record<string, unknown>
}
export class NoSuchBucket extends BaseError { code: 'NoSuchBucket' }
export class NoSuchKey extends BaseError {
  code: 'NoSuchKey'
  key: string
  resourceId?: string
  resourceKey?: string
  originalError?: BaseError
}
export class NotFound extends NoSuchKey {}
export class MissingMetadata extends BaseError { code: 'MissingMetadata' }
export class InvalidResourceItem extends BaseError {
  code: 'InvalidResourceItem'
  resourceName: string
  attributes: Record<string, unknown>
  validation: ValidationDetail[]
}
export class UnknownError extends BaseError { code: UnknownErrorCode }
export class ConnectionStringError extends BaseError { code: 'ConnectionStringError' }
export class SchemaError extends BaseError { code: 'SchemaError' }
export class InvalidId extends BaseError { code: 'InvalidId' }
export class ResourceNotFound extends BaseError { code: 'ResourceNotFound' }
export class MetadataTooLarge extends BaseError { code: 'MetadataTooLarge' }
export class MetadataLimitExceeded extends BaseError { code: 'MetadataLimitExceeded' }
export class PermissionError extends BaseError { code: 'PermissionError' }
export class ParanoidError extends BaseError { code: 'ParanoidError' }
export class DecryptionError extends BaseError { code: 'DecryptionError' }
export class CorruptData extends BaseError { code: 'CorruptData' }
export class Cancelled extends BaseError { code: 'Cancelled' }
/**
 * A conditional write lost to other writers on every attempt (`attempts`), or a create-only
 * insert found its id taken (`reason: 'exists'`). The write changed nothing.
 */
export class ConflictError extends BaseError {
  code: 'ConflictError'
  /** 'changed': the object changed since it was read; 'exists': a create-only write found it there. */
  reason?: 'changed' | 'exists'
  /** Writes tried, first included. */
  attempts?: number
  id?: string
  key?: string
}
/** Unknown partition, or partition values that do not fit it. */
export class PartitionError extends BaseError { code: 'PartitionError' }
/** A method was called with arguments it cannot take (unknown operation, write after end, a chunk that is not bytes, an empty cache key). */
export class InvalidArgument extends UnknownError { retryable: false; code: 'InvalidArgument' }
/** A lifecycle hook failed or could not run. A hook that throws gives the caller the thrown value itself, not this. */
export class HookError extends UnknownError { retryable: false; code: 'HookError' }
/** A defect inside the package (a caught panic, a task that ended abnormally). */
export class InternalError extends UnknownError { retryable: false; code: 'InternalError' }
/** What every transport error (after the retries ran out) carries. */
export interface TransportErrorFields {
  /** Always true: the same request may succeed later. */
  retryable: true
  /** Requests made, first try included. */
  attempts?: number
  /** The S3 command, e.g. 'PutObject'. */
  commandName?: string
  key?: string
  statusCode?: number
  /** The S3 error code, e.g. 'SlowDown', 'InternalError'. */
  awsCode?: string
  requestId?: string
  /** The socket error, e.g. 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND'. */
  errno?: string
}
/** The endpoint could not be reached or dropped the connection. `code`: 'NetworkError'. */
export class NetworkError extends UnknownError { retryable: true; code: 'NetworkError' }
export interface NetworkError extends TransportErrorFields {}
/** A connect, attempt or operation deadline passed. `code`: 'TimeoutError'. */
export class TimeoutError extends UnknownError { retryable: true; code: 'TimeoutError' }
export interface TimeoutError extends TransportErrorFields {}
/** The server kept asking to slow down (503 SlowDown, 429). `code`: 'ThrottledError'. */
export class ThrottledError extends UnknownError { retryable: true; code: 'ThrottledError' }
export interface ThrottledError extends TransportErrorFields {}
/** The server kept failing (500, 502, 504). `code`: 'ServerError'. */
export class ServerError extends UnknownError { retryable: true; code: 'ServerError' }
export interface ServerError extends TransportErrorFields {}

// ---------------------------------------------------------------------------
// Streams

export interface ReaderOptions {
  /** Largest number of records handed from Rust to JS at once (default 10). */
  batchSize?: number
  /** Records fetched concurrently (default 5). */
  concurrency?: number
  /** Deliver records in listing (id) order instead of completion order (default false). */
  ordered?: boolean
  /** Aborting destroys the stream and cancels the Rust workers. */
  signal?: AbortSignal
  /** Records buffered on the JS side before backpressure applies (default max(16, batchSize)). */
  highWaterMark?: number
  /** Read one partition instead of the whole resource (records verified against their main object). */
  partition?: string | null
  /** Values of the partition's fields; missing fields widen the listing. */
  partitionValues?: Record<string, unknown>
}

export interface WriterOptions {
  /** Records per batch handed to Rust (default 10). */
  batchSize?: number
  /** Inserts in flight (default 5). */
  concurrency?: number
  signal?: AbortSignal
  /** Records buffered before `write()` returns false (default max(16, batchSize)). */
  highWaterMark?: number
  /** Create-only inserts: a record whose id exists is a failed item (ConflictError, `recordError`). */
  ifNotExists?: boolean
}

export interface IdsReaderOptions {
  resource: Resource<any>
  /** When given, each chunk is an array of up to `batchSize` ids; otherwise each chunk is one id. */
  batchSize?: number
  signal?: AbortSignal
  highWaterMark?: number
}

/**
 * Records of a resource as an object-mode Readable. Works with `on('data')`, `pipe`, `pipeline` and `for await`.
 * Fatal failures destroy the stream (typed error). A record that cannot be read (deleted meanwhile: `code === 'NoSuchKey'`)
 * is skipped and reported on `'recordError'`, and on `'error'` when you listen to it and the stream is not consumed by
 * `pipe`/`pipeline`/`for await`.
 */
export class ResourceReader<T extends Record<string, any> = Record<string, any>> extends Readable {
  constructor(options: ReaderOptions & { resource: Resource<T> })
  readonly resource: Resource<T>
  readonly batchSize: number
  readonly concurrency: number
  readonly ordered: boolean
  /** Records skipped so far because of a per-record error. */
  readonly skipped: number
  /** Counters of the Rust side: ids listed, records fetched, records delivered towards JS, records skipped. */
  readonly progress: { listed: number; fetched: number; delivered: number; skipped: number }
  build(): this
  read(size?: number): StoredRecord<T> | null
  [Symbol.asyncIterator](): AsyncIterableIterator<StoredRecord<T>>
  on(event: 'data', listener: (record: StoredRecord<T>) => void): this
  on(event: 'id', listener: (id: string) => void): this
  on(event: 'recordError', listener: (error: BaseError, id: string) => void): this
  on(event: 'error', listener: (error: Error, id?: string) => void): this
  on(event: 'end' | 'close' | 'pause' | 'resume' | 'readable', listener: () => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once(event: 'data', listener: (record: StoredRecord<T>) => void): this
  once(event: 'error', listener: (error: Error, id?: string) => void): this
  once(event: 'end' | 'close', listener: () => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
}

/**
 * Inserts each record written to it (object mode), `concurrency` at a time; `write()` returns false when the buffer is
 * full and `'drain'` follows. `'finish'` fires once, after every accepted record is stored. A record that fails
 * (validation: `ValidationError`, or storage) is reported on `'recordError'` `(err, record)`, and on `'error'` when you
 * listen to it and nothing is piped into the writer; it never ends the stream. Totals: `written`, `failed`.
 * A `write()` after `end()` fails with `ERR_STREAM_WRITE_AFTER_END` (callback, and `'error'` when listened to) without
 * ending the stream: what `end()` was given is still stored. `destroy()` (or an aborted `signal`) reports every accepted
 * record that was not stored on `'recordError'` with a `Cancelled` error before `'close'`.
 */
export class ResourceWriter<T extends Record<string, any> = Record<string, any>> extends Writable {
  constructor(options: WriterOptions & { resource: Resource<T> })
  readonly resource: Resource<T>
  readonly batchSize: number
  readonly concurrency: number
  /** The writer itself, so `source.pipe(writer.writable)` works as in s3db.js. */
  readonly writable: this & boolean
  /** Records stored so far. */
  readonly written: number
  /** Records that failed so far. */
  readonly failed: number
  readonly stats: { written: number; failed: number }
  build(): this
  on(event: 'recordError', listener: (error: BaseError, record: Partial<T>) => void): this
  on(event: 'error', listener: (error: Error, record?: Partial<T>) => void): this
  on(event: 'finish' | 'drain' | 'close', listener: () => void): this
  on(event: 'pipe' | 'unpipe', listener: (src: Readable) => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
  once(event: 'error', listener: (error: Error, record?: Partial<T>) => void): this
  once(event: 'finish' | 'drain' | 'close', listener: () => void): this
  once(event: string | symbol, listener: (...args: any[]) => void): this
}

/** Ids of the resource's current version (no partition copies), one per chunk, or arrays of `batchSize` ids. */
export class ResourceIdsReader extends Readable {
  constructor(options: IdsReaderOptions)
  readonly resource: Resource<any>
  readonly batchSize: number | null
  build(): this
  [Symbol.asyncIterator](): AsyncIterableIterator<any>
  on(event: 'data', listener: (chunk: any) => void): this
  on(event: 'id', listener: (id: string) => void): this
  on(event: 'error', listener: (error: Error) => void): this
  on(event: 'end' | 'close', listener: () => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
}

/** Ids of the current version, one array per listing page (up to 1000 ids). */
export class ResourceIdsPageReader extends ResourceIdsReader {
  [Symbol.asyncIterator](): AsyncIterableIterator<string[]>
  on(event: 'data' | 'page', listener: (ids: string[]) => void): this
  on(event: 'id', listener: (id: string) => void): this
  on(event: 'error', listener: (error: Error) => void): this
  on(event: 'end' | 'close', listener: () => void): this
  on(event: string | symbol, listener: (...args: any[]) => void): this
}

/** Resolves with the UTF-8 text of every chunk of a Node readable. */
export function streamToString(stream: NodeJS.ReadableStream): Promise<string>

/** A writer's per-record validation failure (an InvalidResourceItem named as the streaming guide expects). */
export class ValidationError extends InvalidResourceItem {}

export const ErrorMap: {
  NotFound: typeof NotFound
  NoSuchKey: typeof NoSuchKey
  UnknownError: typeof UnknownError
  NoSuchBucket: typeof NoSuchBucket
  MissingMetadata: typeof MissingMetadata
  InvalidResourceItem: typeof InvalidResourceItem
}

// ---------------------------------------------------------------------------
// Schema

export interface SchemaExport {
  version: string | number
  name: string
  options: Record<string, unknown>
  attributes: AttributesDefinition
  map: Record<string, string>
}

/** One fastest-validator error: `{ type, message, field, expected?, actual? }`. */
export interface ValidatorError {
  type: string
  message: string
  field: string
  expected?: unknown
  actual?: unknown
}

export type ValidatorCheck = (obj: Record<string, any>) => true | ValidatorError[]

/**
 * fastest-validator with s3db's options (trimmed strings, unknown root keys removed) and the
 * `secret`, `secretAny`, `secretNumber` aliases; with `autoEncrypt` (default) secret values are
 * stored encrypted with `passphrase`. Checks coerce the object in place.
 */
export class Validator {
  constructor(options?: { options?: Record<string, never>; passphrase?: string; autoEncrypt?: boolean })
  passphrase: string | undefined
  autoEncrypt: boolean
  /** A check function; a Promise-returning one when the schema has `$$async: true`. */
  compile(schema: Record<string, any> & { $$async: true }): (obj: Record<string, any>) => Promise<true | ValidatorError[]>
  compile(schema: Record<string, any>): ValidatorCheck
  validate(obj: Record<string, any>, schema: Record<string, any>): true | ValidatorError[] | Promise<true | ValidatorError[]>
  alias(name: string, rule: string | Record<string, unknown>): this
  /** Custom JavaScript rules cannot run in the engine: always throws. */
  add(type: string, fn: (...args: any[]) => unknown): never
}

/** `new ValidatorManager(...)` returns one shared Validator (built by the first call). */
export const ValidatorManager: typeof Validator

/** A resource schema without a database: validation and record <-> metadata mapping. */
export class Schema {
  constructor(input: { name: string; attributes: AttributesDefinition; options?: Record<string, unknown>; version?: string | number; passphrase?: string; map?: Record<string, string>; behavior?: BehaviorName })
  readonly name: string
  readonly version: string | number
  readonly attributes: AttributesDefinition
  readonly options: Record<string, unknown>
  readonly passphrase: string
  readonly map: Record<string, string>
  readonly reversedMap: Record<string, string>
  validate(item: Record<string, unknown>, options?: { mutateOriginal?: boolean }): Promise<true | ValidationDetail[]>
  mapper(item: Record<string, unknown>): Promise<Record<string, string>>
  unmapper(metadata: Record<string, string>): Promise<Record<string, any>>
  export(): SchemaExport
  static import(data: SchemaExport | string): Schema
  defaultOptions(): { autoEncrypt: true; autoDecrypt: true; arraySeparator: '|'; generateAutoHooks: true; hooks: Record<SchemaHookPhase, Record<string, SchemaActionName[]>> }
  /** Adds `action` (once) to `options.hooks[phase][attribute]`; mapper/unmapper use it from then on. */
  addHook(phase: SchemaHookPhase, attribute: string, action: SchemaActionName): void
  generateAutoHooks(): void
  /** Runs the actions of `phase` on a flat item (`a.b` keys), in place. */
  applyHooksActions(item: Record<string, unknown>, phase: SchemaHookPhase): Promise<void>
  extractObjectKeys(attributes: Record<string, unknown>, prefix?: string): string[]
  /** The fastest-validator schema compiled from resource attributes. */
  preprocessAttributesForValidation(attributes: AttributesDefinition): Record<string, unknown>
}

export type SchemaHookPhase = 'beforeMap' | 'afterMap' | 'beforeUnmap' | 'afterUnmap'
export type SchemaActionName = 'trim' | 'encrypt' | 'decrypt' | 'toString' | 'fromArray' | 'toArray' | 'toJSON' | 'fromJSON' | 'toNumber' | 'toBool' | 'fromBool'
/** The conversions schema hooks apply: `action(value, { separator = '|', passphrase = 'secret' })`. */
export const SchemaActions: Readonly<Record<SchemaActionName, (value: any, options?: { separator?: string; passphrase?: string }) => any>>

// ---------------------------------------------------------------------------
// Plugins

/** What `plugins` accepts: instances/objects with setup and start, or classes constructed with the database. */
export interface PluginLike {
  setup(database: Database): unknown | Promise<unknown>
  start(): unknown | Promise<unknown>
  stop?(): unknown | Promise<unknown>
  beforeSetup?(): unknown
  afterSetup?(): unknown
  beforeStart?(): unknown
  afterStart?(): unknown
  beforeStop?(): unknown
  afterStop?(): unknown
}

/** Base class: no-op setup/start/stop; emits `plugin.beforeSetup` … `plugin.afterStop` with a Date. */
export class Plugin extends EventEmitter implements PluginLike {
  database?: Database
  setup(database: Database): Promise<void>
  start(): Promise<void>
  stop(): Promise<void>
  beforeSetup(): void
  afterSetup(): void
  beforeStart(): void
  afterStart(): void
  beforeStop(): void
  afterStop(): void
}

/** Template for object plugins: no-op setup, start, stop. */
export const PluginObject: Required<Pick<PluginLike, 'setup' | 'start' | 'stop'>>

export interface Costs {
  total: number
  prices: { put: number; copy: number; list: number; post: number; get: number; select: number; delete: number }
  requests: { total: number; put: number; post: number; copy: number; list: number; get: number; select: number; delete: number }
  events: {
    total: number
    PutObjectCommand: number
    GetObjectCommand: number
    HeadObjectCommand: number
    DeleteObjectCommand: number
    DeleteObjectsCommand: number
    ListObjectsV2Command: number
    CopyObjectCommand: number
  }
}

/** Request counts and prices since setup, on `db.client.costs` (a fresh snapshot on each read). */
export const CostsPlugin: PluginLike & { readonly costs: Costs }

// ---------------------------------------------------------------------------
// Caches

export class Cache extends EventEmitter {
  constructor(config?: Record<string, unknown>)
  readonly config: Record<string, unknown>
  /** Throws `Invalid key` unless `key` is a non-empty string. Emits `set`. */
  set<V>(key: string, data: V): Promise<V>
  /** `null` when absent or expired. Emits `get`. */
  get<V = unknown>(key: string): Promise<V | null>
  del(key: string): Promise<boolean>
  delete(key: string): Promise<boolean>
  /** Remove every entry, or only those whose key starts with `prefix`. Emits `clear`. */
  clear(prefix?: string): Promise<boolean>
}

export class MemoryCache extends Cache {
  /** `ttl` in seconds and `maxSize` in entries; 0 = unlimited. */
  constructor(options?: { ttl?: number; maxSize?: number })
  size(): Promise<number>
  keys(): Promise<string[]>
}

export class S3Cache extends Cache {
  /** Entries are base64(gzip(JSON)) objects under `keyPrefix` (default `cache`). */
  constructor(options: { client: Client; keyPrefix?: string; ttl?: number; prefix?: string })
  readonly keyPrefix: string
  size(): Promise<number>
  keys(): Promise<string[]>
}

/** Caches count/listIds/getMany/getAll/page per resource; writes clear the resource's entries. */
export class CachePlugin extends Plugin {
  constructor(options?: { driver?: Cache })
  driver: Cache
  installResourceHooks<R extends Resource<any>>(resource: R): R
}

/** UTF-8 bytes of `String(value)`. */
export function calculateUTF8Bytes(value: unknown): number
/** A mapped value as text before wire encoding (booleans `1`/`0`, arrays joined with `|`, objects as JSON). */
export function transformValue(value: unknown): string
/** Bytes of every metadata name, `_v` included. */
export function calculateAttributeNamesSize(mappedObject: Record<string, unknown>): number
/** Encoded bytes of each value of a mapped metadata object (short keys and `_v`). */
export function calculateAttributeSizes(mappedObject: Record<string, unknown>): Record<string, number>
/** Bytes S3 counts for a mapped metadata object: every name plus every encoded value. */
export function calculateTotalSize(mappedObject: Record<string, unknown>): number
export function getSizeBreakdown(mappedObject: Record<string, unknown>): {
  total: number
  limit: 2048
  exceedsLimit: boolean
  valueTotal: number
  namesSize: number
  valueSizes: Record<string, number>
  breakdown: Array<{ attribute: string; size: number; percentage: string }>
}
/** One behavior's handlers (4.1.7's `src/behaviors/*.js`). */
export interface BehaviorHandlers {
  handleInsert(input: { resource?: EventEmitter; data: Record<string, unknown>; mappedData: Record<string, unknown> }): Promise<{ mappedData: Record<string, string>; body: string }>
  handleUpdate(input: { resource?: EventEmitter; id: string; data: Record<string, unknown>; mappedData: Record<string, unknown> }): Promise<{ mappedData: Record<string, string>; body: string }>
  handleUpsert(input: { resource?: EventEmitter; id: string; data: Record<string, unknown>; mappedData: Record<string, unknown> }): Promise<{ mappedData: Record<string, string>; body: string }>
  handleGet(input: { resource?: EventEmitter; metadata: Record<string, string>; body: string | Buffer }): Promise<{ metadata: Record<string, string>; body: string | Buffer }>
}
export const behaviors: Readonly<Record<BehaviorName, BehaviorHandlers>>
/** Throws `SchemaError('Unknown behavior: …')` for other names. */
export function getBehavior(name: string): BehaviorHandlers
export const AVAILABLE_BEHAVIORS: readonly BehaviorName[]
export const DEFAULT_BEHAVIOR: 'user-management'

export function encrypt(content: string, passphrase: string): Promise<string>
export function decrypt(encrypted: string, passphrase: string): Promise<string>
export function sha256(message: string): Promise<string>
