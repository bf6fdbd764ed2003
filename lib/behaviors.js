'use strict'
// The behavior registry (s3db.js src/behaviors): what happens to a record whose metadata
// is over S3's 2 KB. Each behavior has 4.1.7's handlers, `handleInsert`, `handleUpdate`,
// `handleUpsert` ({ resource, id, data, mappedData } -> { mappedData, body }) and `handleGet`
// ({ resource, metadata, body } -> { metadata, body }). The sizes and the shaping are the
// engine's (`behavior::shape`), which counts every name and the encoded values (4.1.7 left
// out `_v` and measured values before encoding).

const { native } = require('./native')
const { SchemaError, callSync } = require('./errors')
const { METADATA_LIMIT, transformValue } = require('./metadata-size')

const OVERFLOW_FLAG = '$overflow'

function shape (behavior, mappedData) {
  const texts = Object.fromEntries(Object.entries(mappedData || {}).map(([k, v]) => [k, transformValue(v)]))
  return JSON.parse(callSync(() => native.nativeShapeBehavior(behavior, JSON.stringify(texts))))
}

function handlers (behavior) {
  const write = (operation) => async ({ resource, id, data, mappedData }) => {
    const out = shape(behavior, mappedData)
    if (behavior === 'user-management' && out.excess !== null && resource && typeof resource.emit === 'function') {
      resource.emit('exceedsLimit', { operation, ...(operation === 'insert' ? {} : { id }), totalSize: out.totalSize, limit: METADATA_LIMIT, excess: out.excess, data })
    }
    return { mappedData: out.metadata, body: out.body ?? '' }
  }
  const handleGet = behavior !== 'body-overflow'
    ? async ({ metadata, body }) => ({ metadata, body })
    : async ({ metadata, body }) => {
      if (!metadata || metadata[OVERFLOW_FLAG] !== 'true') return { metadata, body }
      try {
        const overflow = body ? JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : String(body)) : {}
        const { [OVERFLOW_FLAG]: _, ...rest } = metadata
        return { metadata: { ...rest, ...overflow }, body: '' }
      } catch {
        return { metadata, body }
      }
    }
  return Object.freeze({ handleInsert: write('insert'), handleUpdate: write('update'), handleUpsert: write('upsert'), handleGet })
}

const behaviors = Object.freeze({
  'user-management': handlers('user-management'),
  'enforce-limits': handlers('enforce-limits'),
  'data-truncate': handlers('data-truncate'),
  'body-overflow': handlers('body-overflow')
})
const AVAILABLE_BEHAVIORS = Object.freeze(Object.keys(behaviors))
const DEFAULT_BEHAVIOR = 'user-management'

function getBehavior (name) {
  const behavior = behaviors[name]
  if (!behavior) throw new SchemaError({ message: `Unknown behavior: ${name}. Available behaviors: ${AVAILABLE_BEHAVIORS.join(', ')}` })
  return behavior
}

module.exports = { behaviors, getBehavior, AVAILABLE_BEHAVIORS, DEFAULT_BEHAVIOR }
