// The records every benchmark writes and reads (bench/scenario.mjs, bench/request-cost.mjs), so
// that the libraries and the ceiling client move the same data.
export const attributes = { name: 'string', email: 'email', age: 'number', active: 'boolean', tags: 'array|items:string' }

/** N bench records with ids u00000000…; `pad` > 0 adds a `bio` string of that many characters. */
export function benchRows (n, { pad = 0 } = {}) {
  const bio = pad > 0 ? 'x'.repeat(pad) : null
  return Array.from({ length: n }, (_, i) => ({
    id: `u${String(i).padStart(8, '0')}`,
    name: `User ${i}`,
    email: `user${i}@example.com`,
    age: 20 + (i % 50),
    active: i % 2 === 0,
    tags: ['a', 'b'],
    ...(bio ? { bio } : {})
  }))
}

/** The attributes of benchRows(n, { pad }). */
export const benchAttributes = ({ pad = 0 } = {}) => (pad > 0 ? { ...attributes, bio: 'string' } : attributes)

/** The secret-field resource of the secret insert/get scenarios. */
export const secretAttributes = { label: 'string', password: 'secret' }
export const secretRows = (n) => Array.from({ length: n }, (_, i) => ({ id: `s${String(i).padStart(8, '0')}`, label: `row ${i}`, password: `pw-${i}-secret` }))
export const PASSPHRASE = 'bench-passphrase'
