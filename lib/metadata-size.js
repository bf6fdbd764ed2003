'use strict'
// Size calculator (s3db.js src/concerns/calculator.js, exported here). It works on a
// mapped metadata object (short keys and `_v`) and counts what S3 counts: the UTF-8
// bytes of every name and of every value as it is encoded for the wire (4.1.7 left
// out the `_v` name and measured values before encoding).

const { native } = require('./native')

const METADATA_LIMIT = 2048

/** UTF-8 bytes of `String(value)` (a lone surrogate counts 3, as its replacement character). */
function calculateUTF8Bytes (value) {
  return Buffer.byteLength(typeof value === 'string' ? value : String(value), 'utf8')
}

/** A mapped value as text, before wire encoding (4.1.7's `transformValue`). */
function transformValue (value) {
  if (value === null || value === undefined) return ''
  if (typeof value === 'boolean') return value ? '1' : '0'
  if (typeof value === 'number') return String(value)
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return value.length === 0 ? '[]' : value.map(String).join('|')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}

function calculateAttributeSizes (mappedObject) {
  const keys = Object.keys(mappedObject || {})
  const lengths = native.nativeEncodedLengths(keys.map(k => transformValue(mappedObject[k])))
  return Object.fromEntries(keys.map((k, i) => [k, lengths[i]]))
}

/** Bytes of every metadata name, `_v` included (S3 counts it; 4.1.7 left it out). */
function calculateAttributeNamesSize (mappedObject) {
  return Object.keys(mappedObject || {}).reduce((n, k) => n + calculateUTF8Bytes(k), 0)
}

function calculateTotalSize (mappedObject) {
  const sizes = calculateAttributeSizes(mappedObject)
  return calculateAttributeNamesSize(mappedObject) + Object.values(sizes).reduce((n, v) => n + v, 0)
}

function getSizeBreakdown (mappedObject) {
  const valueSizes = calculateAttributeSizes(mappedObject)
  const namesSize = calculateAttributeNamesSize(mappedObject)
  const valueTotal = Object.values(valueSizes).reduce((n, v) => n + v, 0)
  const total = valueTotal + namesSize
  const breakdown = Object.entries(valueSizes)
    .map(([attribute, size]) => ({ attribute, size, percentage: total === 0 ? '0.00%' : `${((size / total) * 100).toFixed(2)}%` }))
    .sort((a, b) => b.size - a.size)
  return { total, limit: METADATA_LIMIT, exceedsLimit: total > METADATA_LIMIT, valueTotal, namesSize, valueSizes, breakdown }
}

module.exports = { METADATA_LIMIT, calculateUTF8Bytes, transformValue, calculateAttributeNamesSize, calculateAttributeSizes, calculateTotalSize, getSizeBreakdown }
