'use strict'
// s3db-native: the s3db.js-compatible facade over the native engine.
//
// The facade (lib/) owns the JS-only parts: s3db.js class names and signatures,
// the EventEmitter surface, error classes, and argument defaults. It performs no
// S3 calls itself: every operation goes to the Rust engine (./binding.js, loaded
// by lib/native.js) as JSON and comes back as `{ result, events }` (lib/boundary.js);
// the events are emitted in the order the engine lists them.
//
// This file only gathers the public names. The export list stays a literal object
// of names so that Node's cjs-module-lexer finds them for `import { S3db } from`.

// First: on a Node.js too old or a platform without a binary, lib/native.js throws an error that
// names the fix, before any other module loads.
require('./lib/native')
const { Database, S3db } = require('./lib/database')
const { Client } = require('./lib/client')
const { Resource } = require('./lib/resource')
const { ConnectionString, S3_DEFAULT_REGION, S3_DEFAULT_ENDPOINT } = require('./lib/connection-string')
const {
  BaseError, NoSuchBucket, NoSuchKey, NotFound, MissingMetadata, InvalidResourceItem, UnknownError,
  ConnectionStringError, SchemaError, InvalidId, ResourceNotFound, MetadataTooLarge, MetadataLimitExceeded,
  PermissionError, ParanoidError, DecryptionError, CorruptData, Cancelled, ConflictError, PartitionError, ErrorMap, ValidationError,
  NetworkError, TimeoutError, ThrottledError, ServerError, InvalidArgument, HookError, InternalError
} = require('./lib/errors')
const { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString } = require('./lib/streams')
const { Schema, SchemaActions } = require('./lib/schema')
const { Validator, ValidatorManager } = require('./lib/validator')
const { Plugin, PluginObject } = require('./lib/plugins/plugin')
const { CostsPlugin } = require('./lib/plugins/costs')
const { CachePlugin } = require('./lib/plugins/cache')
const { Cache } = require('./lib/cache/cache')
const { MemoryCache } = require('./lib/cache/memory')
const { S3Cache } = require('./lib/cache/s3')
const { calculateUTF8Bytes, transformValue, calculateAttributeNamesSize, calculateAttributeSizes, calculateTotalSize, getSizeBreakdown } = require('./lib/metadata-size')
const { behaviors, getBehavior, AVAILABLE_BEHAVIORS, DEFAULT_BEHAVIOR } = require('./lib/behaviors')
const { encrypt, decrypt, sha256 } = require('./lib/crypto')

module.exports = {
  S3db,
  Database,
  Client,
  Resource,
  ConnectionString,
  S3_DEFAULT_REGION,
  S3_DEFAULT_ENDPOINT,
  BaseError,
  NoSuchBucket,
  NoSuchKey,
  NotFound,
  MissingMetadata,
  InvalidResourceItem,
  UnknownError,
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
  InternalError,
  ErrorMap,
  ValidationError,
  ResourceReader,
  ResourceWriter,
  ResourceIdsReader,
  ResourceIdsPageReader,
  streamToString,
  Schema,
  SchemaActions,
  Validator,
  ValidatorManager,
  Plugin,
  PluginObject,
  CostsPlugin,
  CachePlugin,
  Cache,
  MemoryCache,
  S3Cache,
  calculateUTF8Bytes,
  transformValue,
  calculateAttributeNamesSize,
  calculateAttributeSizes,
  calculateTotalSize,
  getSizeBreakdown,
  behaviors,
  getBehavior,
  AVAILABLE_BEHAVIORS,
  DEFAULT_BEHAVIOR,
  encrypt,
  decrypt,
  sha256
}
