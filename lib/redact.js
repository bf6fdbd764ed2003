'use strict'
// What `console.log`, `util.inspect` and `JSON.stringify` show of objects that hold
// credentials: the key id at most, never a secret key or a passphrase. The properties
// themselves are unchanged (4.1.7 code that reads them still gets them).

const { inspect } = require('node:util')

const HIDDEN = '***'

/** A connection string with the password part of its user info hidden. */
function redactConnectionString (text) {
  if (typeof text !== 'string') return text
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:@/?#]*):[^@/?#]*@/, `$1:${HIDDEN}@`)
}

/** A shallow copy of `obj`'s own enumerable properties with the secrets hidden. */
function redactedView (obj) {
  const view = {}
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'passphrase' || k === 'secretAccessKey' || k === 'sessionToken') view[k] = v === undefined || v === null || v === '' ? v : HIDDEN
    else if (k === 'options' && v && typeof v === 'object') view[k] = redactedView(v)
    else if ((k === 'connectionString' || k === 'uri') && typeof v === 'string') view[k] = redactConnectionString(v)
    // A resource's observers hold its database, which holds the resource: named, not nested.
    else if (k === 'observers' && Array.isArray(v)) view[k] = v.map(o => (o && o.constructor ? `[${o.constructor.name}]` : typeof o))
    else view[k] = v
  }
  return view
}

/** Give `Class` an inspect and a toJSON that show `redactedView(this)`. */
function hideSecrets (Class) {
  Object.defineProperty(Class.prototype, inspect.custom, {
    value: function (depth, options, inspectFn = inspect) {
      return `${this.constructor.name} ${inspectFn(redactedView(this), { ...options, depth: options.depth === null ? null : options.depth - 1 })}`
    },
    configurable: true,
    writable: true
  })
  if (!Object.prototype.hasOwnProperty.call(Class.prototype, 'toJSON')) {
    Object.defineProperty(Class.prototype, 'toJSON', { value: function () { return redactedView(this) }, configurable: true, writable: true })
  }
}

module.exports = { redactConnectionString, redactedView, hideSecrets, HIDDEN }
