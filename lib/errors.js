'use strict'
// Error classes, and the translation of the engine's errors into them.

const { native } = require('./native')
const { reviveDates, WIRE } = require('./boundary')

const NATIVE_PREFIX = WIRE.errorPrefix

// The engine's kinds, the one list (src/engine/error.rs): each kind's code, parent and
// retryability. The classes below mirror it; error-kinds.test.mjs checks they agree.
const KINDS = Object.fromEntries(native.errorKinds().map((k) => [k.kind, k]))

// Errors (s3db.js 4.1.7 classes, plus typed classes for failures 4.1.7 threw as
// plain Errors). Every class extends BaseError, which extends Error.

function kindOf (Cls) {
  for (let C = Cls; C && C !== Error && C !== Function.prototype; C = Object.getPrototypeOf(C)) {
    if (Object.prototype.hasOwnProperty.call(KINDS, C.name)) return KINDS[C.name]
  }
  return undefined
}

class BaseError extends Error {
  constructor ({ verbose, bucket, message, ...rest } = {}) {
    let text = message || ''
    if (verbose) text = `${text}\n\nVerbose:\n\n${JSON.stringify(rest, null, 2)}`
    super(text)
    if (typeof Error.captureStackTrace === 'function') Error.captureStackTrace(this, this.constructor)
    this.name = this.constructor.name
    this.bucket = bucket
    this.thrownAt = new Date()
    // A stable code on every error, thrown here or by the engine: the kind of its class or of
    // the nearest class it extends (ValidationError is an InvalidResourceItem), else its name.
    const kind = kindOf(this.constructor)
    Object.defineProperty(this, 'code', { value: kind ? kind.code : this.name, enumerable: false, writable: true, configurable: true })
    Object.defineProperty(this, 'retryable', { value: kind ? kind.retryable : false, enumerable: false, writable: true, configurable: true })
  }

  toJson () { return { ...this } }
  toString () { return `${this.name} | ${this.message}` }
}

class NoSuchBucket extends BaseError {
  constructor ({ bucket, ...rest } = {}) {
    super({ ...rest, bucket, message: rest.message || `Bucket does not exists [bucket:${bucket}]` })
  }
}

class NoSuchKey extends BaseError {
  constructor ({ bucket, key, ...rest } = {}) {
    super({ ...rest, bucket, message: rest.message || `Key [${key}] does not exists [bucket:${bucket}/${key}]` })
    this.key = key
  }
}

class NotFound extends NoSuchKey {}

class MissingMetadata extends BaseError {
  constructor ({ bucket, ...rest } = {}) {
    super({ ...rest, bucket, message: rest.message || `Missing metadata for bucket [bucket:${bucket}]` })
  }
}

class InvalidResourceItem extends BaseError {
  constructor ({ bucket, resourceName, attributes, validation, message, ...rest } = {}) {
    super({
      ...rest,
      bucket,
      message: message || `This item is not valid. Resource=${resourceName} [bucket:${bucket}].\n${JSON.stringify(validation, null, 2)}`
    })
    this.resourceName = resourceName
    this.attributes = attributes
    this.validation = validation
  }
}

class UnknownError extends BaseError {}

// Transport failures, after the retries ran out. Subclasses of UnknownError, which is what
// 4.1.7 threw for them, so old `instanceof UnknownError` checks still hold. Each carries
// `retryable: true`, `attempts`, `commandName`, `key`, and where known `statusCode`,
// `awsCode`, `requestId`, `errno` (ECONNREFUSED, ECONNRESET, ENOTFOUND, ...).
/** The endpoint could not be reached or dropped the connection (refused, reset, DNS). */
class NetworkError extends UnknownError {}
/** A connect, attempt or operation deadline passed (`timeouts` option). */
class TimeoutError extends UnknownError {}
/** The server kept asking to slow down (503 SlowDown, 429). */
class ThrottledError extends UnknownError {}
/** The server kept failing (500, 502, 504). */
class ServerError extends UnknownError {}
/** A method was called with arguments it cannot take (unknown operation, write after end, bad chunk). */
class InvalidArgument extends UnknownError {}
/** A lifecycle hook failed or could not run (when a hook throws, the caller gets the thrown value itself). */
class HookError extends UnknownError {}
/** A defect inside the package (a caught panic, a task that ended abnormally). */
class InternalError extends UnknownError {}

// Typed errors for failures s3db.js 4.1.7 reported as plain `Error`s.
class ConnectionStringError extends BaseError {}
class SchemaError extends BaseError {}
class InvalidId extends BaseError {}
class ResourceNotFound extends BaseError {}
class MetadataTooLarge extends BaseError {}
class MetadataLimitExceeded extends BaseError {}
class PermissionError extends BaseError {}
class ParanoidError extends BaseError {}
class DecryptionError extends BaseError {}
class CorruptData extends BaseError {}
class Cancelled extends BaseError {}
/**
 * A conditional write lost to another writer every time it was retried (`attempts`), or a
 * create-only insert found the id taken (`reason: 'exists'`). Nothing was changed by it.
 */
class ConflictError extends BaseError {}
/** Unknown partition, or partition values that do not fit it. */
class PartitionError extends BaseError {}

// A per-record validation failure of a writer: the streaming guide checks
// `err.name === 'ValidationError'`; it is still an InvalidResourceItem.
class ValidationError extends InvalidResourceItem {}

const ErrorMap = { NotFound, NoSuchKey, UnknownError, NoSuchBucket, MissingMetadata, InvalidResourceItem }

const KIND_CLASSES = {
  ...ErrorMap,
  ConnectionStringError,
  SchemaError,
  InvalidId,
  ResourceNotFound,
  MetadataTooLarge,
  MetadataLimitExceeded,
  PermissionError,
  ParanoidError,
  DecryptionError,
  CorruptData,
  Cancelled,
  ConflictError,
  PartitionError,
  NetworkError,
  TimeoutError,
  ThrottledError,
  ServerError,
  InvalidArgument,
  HookError,
  InternalError
}

function errorFromInfo (info) {
  const Cls = KIND_CLASSES[info.kind] || UnknownError
  const details = info.details || {}
  const { bucket, originalError, events, ...rest } = details
  let err
  if (Cls === InvalidResourceItem) {
    err = new InvalidResourceItem({
      bucket,
      resourceName: rest.resourceName,
      attributes: reviveDates(rest.attributes),
      validation: rest.validation,
      message: info.message
    })
  } else {
    err = new Cls({ bucket, key: rest.key, message: info.message })
    for (const [k, v] of Object.entries(rest)) {
      if (k !== 'key' || err.key === undefined) err[k] = v
    }
  }
  if (originalError) err.originalError = errorFromInfo(originalError)
  if (events) Object.defineProperty(err, 'events', { value: events, enumerable: false, writable: true, configurable: true })
  // BaseError gave the class's code; a kind this facade has no class for keeps the engine's code.
  if (err.name !== info.kind) Object.defineProperty(err, 'code', { value: KINDS[info.kind] ? KINDS[info.kind].code : info.kind, enumerable: false, writable: true, configurable: true })
  Object.defineProperty(err, 'retryable', { value: info.retryable === true, enumerable: false, writable: true, configurable: true })
  if (info.causes && info.causes.length) {
    Object.defineProperty(err, 'causes', { value: info.causes, enumerable: false, writable: true, configurable: true })
  }
  return err
}

/**
 * `String(value)` of an argument; a value with no string form (a null-prototype object, one
 * whose toString throws) is refused with a `Cls` error instead of a bare TypeError.
 */
function argText (value, what, Cls = UnknownError) {
  try {
    return String(value)
  } catch {
    throw new Cls({ message: `${what} has no string form (${Object.prototype.toString.call(value)})` })
  }
}

/** Turn an error thrown by the binding into the s3db.js error class it stands for. */
function fromNative (err) {
  if (err && typeof err.message === 'string' && err.message.startsWith(NATIVE_PREFIX)) {
    let info
    try {
      info = JSON.parse(err.message.slice(NATIVE_PREFIX.length))
    } catch {
      return err
    }
    return errorFromInfo(info)
  }
  return err
}

// Calls into the binding: an error it throws comes out as its class.
function callSync (fn) {
  try {
    return fn()
  } catch (err) {
    throw fromNative(err)
  }
}

async function callAsync (promise) {
  try {
    return await promise
  } catch (err) {
    throw fromNative(err)
  }
}

// Every error class: BaseError, the engine's kinds (ErrorMap's 4.1.7 classes among them), ValidationError.
module.exports = {
  BaseError,
  ...KIND_CLASSES,
  ValidationError,
  ErrorMap,
  KIND_CLASSES,
  KINDS,
  errorFromInfo,
  fromNative,
  argText,
  callSync,
  callAsync
}
