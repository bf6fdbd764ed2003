'use strict'
// Validator / ValidatorManager (4.1.7): fastest-validator with s3db's options and the
// `secret`, `secretAny`, `secretNumber` aliases, over the engine's validator.

const { native } = require('./native')
const { encodeArgs, decodeOutputValue, replaceContents } = require('./boundary')
const { SchemaError, InvalidArgument, callSync } = require('./errors')
const { hideSecrets } = require('./redact')

const SECRET_TYPES = new Set(['secret', 'secretAny', 'secretNumber'])
const MESSAGES = {
  encryptionKeyMissing: 'Missing configuration for secrets encryption.',
  encryptionProblem: 'Problem encrypting secret. Actual: {actual}. Error: {error}'
}

/** fastest-validator's shorthand (`type|key:value|flag|no-flag`) as a rule object. */
function parseShorthand (text) {
  const [type, ...parts] = text.split('|').map(p => p.trim())
  const rule = { type }
  for (const part of parts) {
    const at = part.indexOf(':')
    if (at >= 0) {
      const key = part.slice(0, at).trim()
      const raw = part.slice(at + 1).trim()
      rule[key] = raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw
    } else if (part.startsWith('no-')) {
      rule[part.slice(3)] = false
    } else if (part) {
      rule[part] = true
    }
  }
  return rule
}

function typeOf (rule) {
  if (typeof rule === 'string') return rule.split('|')[0].trim()
  if (rule && typeof rule === 'object' && !Array.isArray(rule)) return rule.type
  return undefined
}

/**
 * `new Validator({ options, passphrase, autoEncrypt = true })`: `compile(schema)` returns a check
 * function giving `true` or the error array (a Promise of it when the schema has `$$async: true`);
 * it coerces the object in place (trim, defaults, conversions, unknown root keys removed) and,
 * with `autoEncrypt`, stores `secret` values encrypted with `passphrase`. `alias(name, rule)` works;
 * `add(type, fn)` (a custom JavaScript rule) cannot run in the engine and throws.
 */
class Validator {
  constructor ({ options, passphrase, autoEncrypt = true } = {}) {
    const unsupported = Object.keys(options || {})
    if (unsupported.length > 0) {
      throw new SchemaError({ message: `Validator options are fixed to s3db's (trimmed strings, unknown root keys removed); not supported: ${unsupported.join(', ')}` })
    }
    this.passphrase = passphrase
    this.autoEncrypt = autoEncrypt
    Object.defineProperty(this, '_aliases', { value: {}, enumerable: false })
  }

  /** Register `name` as another name for `rule` (a rule object or shorthand). */
  alias (name, rule) {
    this._aliases[name] = typeof rule === 'string' ? parseShorthand(rule) : { ...rule }
    return this
  }

  add (type) {
    throw new InvalidArgument({ message: `Validator.add('${type}'): custom rule functions cannot run in the s3db-native engine; use the built-in rules, alias() or pattern` })
  }

  _resolveAliases (rule) {
    if (Array.isArray(rule)) return rule.map(r => this._resolveAliases(r))
    const type = typeOf(rule)
    if (type !== undefined && Object.prototype.hasOwnProperty.call(this._aliases, type)) {
      const given = typeof rule === 'string' ? parseShorthand(rule) : rule
      const { type: _, ...rest } = given
      return this._resolveAliases({ ...this._aliases[type], ...rest })
    }
    if (rule && typeof rule === 'object' && !Array.isArray(rule)) {
      const out = { ...rule }
      for (const key of ['props', 'properties']) {
        if (out[key] && typeof out[key] === 'object') out[key] = this._resolveSchema(out[key])
      }
      if (out.items !== undefined) out.items = this._resolveAliases(out.items)
      return out
    }
    return rule
  }

  _resolveSchema (schema) {
    const out = {}
    for (const [k, v] of Object.entries(schema)) out[k] = k.startsWith('$$') ? v : this._resolveAliases(v)
    return out
  }

  compile (schema) {
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      throw new SchemaError({ message: 'Invalid schema: an object is expected' })
    }
    const resolved = this._resolveSchema(schema)
    const compiled = callSync(() => new native.NativeValidator(encodeArgs(resolved)))
    const secrets = secretFields(resolved)
    const check = (obj) => {
      const out = decodeOutputValue(callSync(() => compiled.validate(encodeArgs(obj === undefined ? null : obj))))
      const errors = out.errors
      if (this.autoEncrypt) this._encryptSecrets(out.value, secrets, errors)
      if (obj && typeof obj === 'object') replaceContents(obj, out.value)
      return errors.length === 0 ? true : errors
    }
    return schema.$$async === true ? async (obj) => check(obj) : check
  }

  validate (obj, schema) {
    return this.compile(schema)(obj)
  }

  _encryptSecrets (value, secrets, errors) {
    for (const path of secrets) {
      const parent = path.slice(0, -1).reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), value)
      const key = path[path.length - 1]
      if (!parent || typeof parent !== 'object' || parent[key] === undefined || parent[key] === null) continue
      const field = path.join('.')
      if (errors.some(e => e.field === field)) continue
      const actual = parent[key]
      if (!this.passphrase) {
        errors.push({ type: 'encryptionKeyMissing', message: MESSAGES.encryptionKeyMissing, field, actual })
        continue
      }
      try {
        parent[key] = callSync(() => native.nativeEncryptSync(String(actual), String(this.passphrase)))
      } catch (error) {
        errors.push({ type: 'encryptionProblem', message: MESSAGES.encryptionProblem.replace('{actual}', String(actual)).replace('{error}', String(error && error.message)), field, actual })
      }
    }
  }
}

/** Paths of the fields whose rule is a secret alias (at the root and inside object rules). */
function secretFields (schema, prefix = []) {
  const out = []
  for (const [k, rule] of Object.entries(schema)) {
    if (k.startsWith('$$')) continue
    const type = typeOf(rule)
    if (SECRET_TYPES.has(type)) out.push([...prefix, k])
    else if (type === 'object' && rule && typeof rule === 'object') {
      const props = rule.props || rule.properties
      if (props && typeof props === 'object') out.push(...secretFields(props, [...prefix, k]))
    }
  }
  return out
}

hideSecrets(Validator)

// 4.1.7: the first `new ValidatorManager(args)` builds the Validator; every later `new` returns it.
let shared = null
const ValidatorManager = new Proxy(Validator, {
  construct (target, args) {
    if (!shared) shared = new target(...args)
    return shared
  }
})

module.exports = { Validator, ValidatorManager }
