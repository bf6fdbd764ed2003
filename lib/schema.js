'use strict'
// Schema (4.1.7 `Schema`: validation and record <-> metadata mapping, export/import)

const { native } = require('./native')
const { encodeArgs, decodeOutputValue } = require('./boundary')
const { callSync } = require('./errors')

class Schema {
  constructor ({ map, name, attributes = {}, passphrase = 'secret', version = 1, options = {}, behavior } = {}) {
    const def = { name, attributes, options, version: String(version), passphrase, map: map && Object.keys(map).length ? map : undefined, behavior }
    Object.defineProperty(this, '_native', { value: callSync(() => new native.NativeSchema(encodeArgs(def))), enumerable: false })
    const info = JSON.parse(this._native.info())
    this.name = name
    this.version = version
    this.attributes = info.attributes
    this.options = info.options
    this.passphrase = passphrase
    this.map = info.map
    this.reversedMap = Object.fromEntries(Object.entries(info.map).map(([k, v]) => [v, k]))
  }

  /** `true`, or the fastest-validator error list; the item is coerced in place only with `mutateOriginal`. */
  async validate (item, { mutateOriginal = false } = {}) {
    const out = decodeOutputValue(callSync(() => this._native.validate(encodeArgs(item))))
    if (mutateOriginal && item && typeof item === 'object') {
      for (const k of Object.keys(item)) if (!(k in out.value)) delete item[k]
      Object.assign(item, out.value)
    }
    return out.errors.length === 0 ? true : out.errors
  }

  /** Record -> S3 metadata object (short keys, `_v`), as stored. */
  async mapper (item) { return JSON.parse(callSync(() => this._native.mapper(encodeArgs(item)))) }

  /** S3 metadata object -> record. */
  async unmapper (metadata) { return decodeOutputValue(callSync(() => this._native.unmapper(JSON.stringify(metadata)))) }

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

module.exports = { Schema }
