'use strict'
// Size calculator (s3db.js src/concerns/calculator.js, exported here). It works on a
// mapped metadata object (short keys and `_v`) and counts what S3 counts: the UTF-8
// bytes of every name and of every value as it is encoded for the wire (4.1.7 left
// out the `_v` name and measured values before encoding).

const { native } = require('./native')

const METADATA_LIMIT = 2048

function metadataText (value) {
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
  const lengths = native.nativeEncodedLengths(keys.map(k => metadataText(mappedObject[k])))
  return Object.fromEntries(keys.map((k, i) => [k, lengths[i]]))
}

function calculateTotalSize (mappedObject) {
  const sizes = calculateAttributeSizes(mappedObject)
  return Object.entries(sizes).reduce((n, [k, v]) => n + Buffer.byteLength(k) + v, 0)
}

function getSizeBreakdown (mappedObject) {
  const valueSizes = calculateAttributeSizes(mappedObject)
  const namesSize = Object.keys(valueSizes).reduce((n, k) => n + Buffer.byteLength(k), 0)
  const valueTotal = Object.values(valueSizes).reduce((n, v) => n + v, 0)
  const total = valueTotal + namesSize
  const breakdown = Object.entries(valueSizes)
    .map(([attribute, size]) => ({ attribute, size, percentage: total === 0 ? '0.00%' : `${((size / total) * 100).toFixed(2)}%` }))
    .sort((a, b) => b.size - a.size)
  return { total, limit: METADATA_LIMIT, exceedsLimit: total > METADATA_LIMIT, valueTotal, namesSize, valueSizes, breakdown }
}

module.exports = { calculateAttributeSizes, calculateTotalSize, getSizeBreakdown }
