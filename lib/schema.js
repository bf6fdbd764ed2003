'use strict'
// Schema (4.1.7 `Schema`: validation and record <-> metadata mapping, export/import)

const { native } = require('./native')
const { encodeArgs, decodeOutputValue, replaceContents } = require('./boundary')
const { callSync } = require('./errors')
const { hideSecrets } = require('./redact')

// The phases of schema hooks (action names per field), as opposed to lifecycle hooks.
const SCHEMA_HOOK_PHASES = ['beforeMap', 'afterMap', 'beforeUnmap', 'afterUnmap']

class Schema {
  constructor ({ map, name, attributes = {}, passphrase = 'secret', version = 1, options = {}, behavior } = {}) {
    Object.defineProperty(this, '_native', { value: null, enumerable: false, writable: true })
    Object.defineProperty(this, '_behavior', { value: behavior, enumerable: false, writable: true })
    this.name = name
    this.version = version
    this.attributes = attributes
    this.options = options
    this.passphrase = passphrase
    this.map = map && Object.keys(map).length ? map : undefined
    this._rebuild()
    this.reversedMap = Object.fromEntries(Object.entries(this.map).map(([k, v]) => [v, k]))
  }

  /** `true`, or the fastest-validator error list; the item is coerced in place only with `mutateOriginal`. */
  async validate (item, { mutateOriginal = false } = {}) {
    const out = decodeOutputValue(callSync(() => this._native.validate(encodeArgs(item))))
    if (mutateOriginal && item && typeof item === 'object') {
      replaceContents(item, out.value)
    }
    return out.errors.length === 0 ? true : out.errors
  }

  /** Record -> S3 metadata object (short keys, `_v`), as stored. */
  async mapper (item) { return JSON.parse(callSync(() => this._native.mapper(encodeArgs(item)))) }

  /** S3 metadata object -> record. */
  async unmapper (metadata) { return decodeOutputValue(callSync(() => this._native.unmapper(JSON.stringify(metadata)))) }

  /** 4.1.7's default options (deep-merged under the given ones). */
  defaultOptions () {
    return { autoEncrypt: true, autoDecrypt: true, arraySeparator: '|', generateAutoHooks: true, hooks: { beforeMap: {}, afterMap: {}, beforeUnmap: {}, afterUnmap: {} } }
  }

  // (Re)build the engine schema from the current attributes, options and map; it fills in
  // what the engine derives (the field map, defaulted options and generated hooks).
  _rebuild () {
    const def = { name: this.name, attributes: this.attributes, options: this.options, version: String(this.version), passphrase: this.passphrase, map: this.map, behavior: this._behavior }
    this._native = callSync(() => new native.NativeSchema(encodeArgs(def)))
    const info = JSON.parse(this._native.info())
    this.attributes = info.attributes
    this.options = info.options
    this.map = info.map
  }

  /** Add `action` to `options.hooks[phase][attribute]` (once); mapper/unmapper use it from now on. */
  addHook (phase, attribute, action) {
    const hooks = this.options.hooks || (this.options.hooks = {})
    const forPhase = hooks[phase] || (hooks[phase] = {})
    forPhase[attribute] = [...new Set([...(forPhase[attribute] || []), action])]
    this._rebuild()
  }

  /** The actions the attribute types imply (arrays, secrets, numbers, booleans), added to `options.hooks`. */
  generateAutoHooks () {
    this.options.generateAutoHooks = true
    this._rebuild()
  }

  /** Run the actions of `phase` on a flat item (`a.b` keys), in place. */
  async applyHooksActions (item, phase) {
    if (!SCHEMA_HOOK_PHASES.includes(phase)) return
    replaceContents(item, decodeOutputValue(callSync(() => this._native.applyHooksActions(encodeArgs(item), phase))))
  }

  /** Dotted paths of the nested attribute objects (recursing into `$$type: 'object'` ones), as 4.1.7. */
  extractObjectKeys (obj, prefix = '') {
    const keys = []
    for (const [key, value] of Object.entries(obj || {})) {
      if (key.startsWith('$$')) continue
      const full = prefix ? `${prefix}.${key}` : key
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        keys.push(full)
        if (value.$$type === 'object') keys.push(...this.extractObjectKeys(value, full))
      }
    }
    return keys
  }

  /** The fastest-validator schema s3db compiles from these attributes (nested objects as object rules). */
  preprocessAttributesForValidation (attributes) {
    return JSON.parse(callSync(() => native.nativePreprocessAttributes(encodeArgs(attributes || {}), !!this.options.allNestedObjectsOptional)))
  }

  export () {
    return { version: this.version, name: this.name, options: this.options, attributes: this.attributes, map: this.map }
  }

  /** Build a Schema from `export()` data (object or JSON text); legacy JSON-string attribute values are parsed. */
  static import (data) {
    const d = typeof data === 'string' ? JSON.parse(data) : { ...data }
    const parseLegacy = (attrs) => {
      const out = {}
      for (const [k, v] of Object.entries(attrs || {})) {
        if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
          try { out[k] = parseLegacy(JSON.parse(v)); continue } catch {}
        }
        out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) ? parseLegacy(v) : v
      }
      return out
    }
    return new Schema({ ...d, attributes: parseLegacy(d.attributes) })
  }
}

// One engine schema per (separator, passphrase), for the standalone actions.
const actionSchemas = new Map()
function actionSchema (separator = '|', passphrase = 'secret') {
  const key = `${separator}\u0000${passphrase}`
  if (!actionSchemas.has(key)) {
    const def = { name: 'actions', attributes: {}, options: { arraySeparator: separator }, version: '1', passphrase }
    actionSchemas.set(key, callSync(() => new native.NativeSchema(encodeArgs(def))))
  }
  return actionSchemas.get(key)
}

/**
 * 4.1.7's `SchemaActions`: `action(value, { separator, passphrase })`, the conversions the schema
 * hooks apply (array escaping with the separator, numbers, booleans, JSON, secrets). Defects fixed:
 * `toNumber` is `Number()` (4.1.7's parseInt misread `1e+21`), and `null` stays `null`.
 */
const SchemaActions = Object.freeze(Object.fromEntries(native.nativeSchemaActions().map(action => [action, (value, { separator, passphrase } = {}) => {
  if (value === undefined) return value
  const out = callSync(() => actionSchema(separator, passphrase).applyAction(action, encodeArgs(value), ''))
  return decodeOutputValue(out)
}])))

hideSecrets(Schema)

module.exports = { Schema, SchemaActions, SCHEMA_HOOK_PHASES }
