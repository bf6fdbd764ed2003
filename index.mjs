// ESM entry: named exports of the CommonJS facade.
import cjs from './index.js'

export const {
  S3db, Database, Client, Resource, ConnectionString, S3_DEFAULT_REGION, S3_DEFAULT_ENDPOINT,
  BaseError, NoSuchBucket, NoSuchKey, NotFound, MissingMetadata, InvalidResourceItem, UnknownError,
  ConnectionStringError, SchemaError, InvalidId, ResourceNotFound, MetadataTooLarge, MetadataLimitExceeded,
  PermissionError, ParanoidError, DecryptionError, CorruptData, Cancelled, PartitionError, ErrorMap, ValidationError,
  NetworkError, TimeoutError, ThrottledError, ServerError, InvalidArgument, HookError, InternalError, ConflictError,
  ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString,
  Schema, SchemaActions, Validator, ValidatorManager, Plugin, PluginObject, CostsPlugin, CachePlugin, Cache, MemoryCache, S3Cache, calculateUTF8Bytes, transformValue, calculateAttributeNamesSize, calculateAttributeSizes, calculateTotalSize, getSizeBreakdown, behaviors, getBehavior, AVAILABLE_BEHAVIORS, DEFAULT_BEHAVIOR, encrypt, decrypt, sha256
} = cjs
