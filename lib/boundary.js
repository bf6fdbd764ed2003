'use strict'
// Values across the boundary. JSON both ways; a JS Date inside a record is sent
// as `{ "$date": iso }` and comes back the same way.

const { native } = require('./native')

// The boundary's markers, defined once in the engine (src/napi/error.rs, wireMarkers).
const WIRE = native.wireMarkers()

function dateReplacer (key, value) {
  const raw = this[key]
  if (raw instanceof Date) return { $date: Number.isNaN(raw.getTime()) ? null : raw.toISOString() }
  return value
}

// Whether `v` needs the replacer: it holds a Date, or an object with its own `toJSON` (whose output
// could hold one), or is too deep to scan. Without the replacer JSON.stringify takes V8's fast path.
function needsReplacer (v, depth) {
  if (v === null || typeof v !== 'object') return false
  if (typeof v.toJSON === 'function' || depth > 32) return true
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (needsReplacer(v[i], depth + 1)) return true
    return false
  }
  for (const k in v) if (needsReplacer(v[k], depth + 1)) return true
  return false
}

function encodeArgs (args) {
  return needsReplacer(args, 0) ? JSON.stringify(args, dateReplacer) : JSON.stringify(args)
}

function isDateTag (v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof v.$date === 'string' && Object.keys(v).length === 1
}

function reviveDates (v) {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = reviveDates(v[i])
    return v
  }
  if (v !== null && typeof v === 'object') {
    if (isDateTag(v)) return new Date(v.$date)
    for (const k of Object.keys(v)) v[k] = reviveDates(v[k])
  }
  return v
}

function reviveRecord (rec) {
  if (rec !== null && typeof rec === 'object' && !Array.isArray(rec) && typeof rec._lastModified === 'string') {
    rec._lastModified = new Date(rec._lastModified)
  }
  return rec
}

function revive (value, hasDates) {
  if (hasDates) value = reviveDates(value)
  if (Array.isArray(value)) {
    for (const r of value) reviveRecord(r)
  } else if (value !== null && typeof value === 'object') {
    reviveRecord(value)
    if (Array.isArray(value.items)) for (const r of value.items) reviveRecord(r)
  }
  return value
}

// An event argument that stands for the operation's result (sent once, emitted as the same
// object), for one element of an array result, or for one element of the caller's input array.
const { resultRef: RESULT_REF, resultItemRef: RESULT_ITEM_REF, inputItemRef: INPUT_ITEM_REF } = WIRE

function reference (arg, result, inputs) {
  if (arg === RESULT_REF) return result
  if (arg.startsWith(RESULT_ITEM_REF)) return result[Number(arg.slice(RESULT_ITEM_REF.length))]
  return inputs ? inputs[Number(arg.slice(INPUT_ITEM_REF.length))] : undefined
}

/** `{result, events}` from the engine's text; `inputs`: the array the operation was given, if any. */
function decodeOutput (text, inputs) {
  const hasDates = text.includes('"$date"')
  const out = JSON.parse(text)
  out.result = revive(out.result, hasDates)
  for (const ev of out.events) {
    for (let i = 1; i < ev.length; i++) {
      const a = ev[i]
      ev[i] = typeof a === 'string' && a.charCodeAt(0) === 1 && (a.startsWith(RESULT_REF) || a.startsWith(INPUT_ITEM_REF)) ? reference(a, out.result, inputs) : revive(a, hasDates)
    }
  }
  return out
}

/** One JSON value from the engine (no events), dates and `_lastModified` revived. */
function decodeOutputValue (text) {
  return revive(JSON.parse(text), text.includes('"$date"'))
}

/** Make `target` hold exactly `source`'s properties (coercion in place: removed keys go too). */
function replaceContents (target, source) {
  for (const k of Object.keys(target)) if (!(k in source)) delete target[k]
  Object.assign(target, source)
}

module.exports = { WIRE, dateReplacer, encodeArgs, reviveDates, reviveRecord, revive, decodeOutput, decodeOutputValue, replaceContents }
