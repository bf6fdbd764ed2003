// The s3db.js README "users" example, on the embedded file:// backend (no server needed).
// Run: npm run example    (data goes to ./examples/data; set S3DB_CONNECTION to use S3 instead)
import { S3db } from 's3db-native'
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'

const dataDir = join(dirname(fileURLToPath(import.meta.url)), 'data')
const s3db = new S3db({
  connectionString: process.env.S3DB_CONNECTION || `file://${dataDir}`,
  passphrase: 'my-secret-passphrase'
})

await s3db.connect()
console.log(`connected to ${s3db.bucket}`)

const users = await s3db.createResourceIfNotExists({
  name: 'users',
  attributes: {
    name: 'string|min:2|max:100',
    email: 'email|unique',
    age: 'number|integer|positive',
    isActive: 'boolean',
    tags: 'array|items:string|optional',
    address: { $$type: 'object|optional', city: 'string|optional', country: 'string|optional' }
  }
}).then(r => r.resource)

users.on('insert', (u) => console.log(`event insert: ${u.id}`))

const john = await users.insert({
  name: 'John Doe', email: 'john@example.com', age: 30, isActive: true,
  tags: ['admin', 'early-adopter'], address: { city: 'Lisbon', country: 'PT' }
})
console.log('inserted:', john)

const found = await users.get(john.id)
console.log('fetched:', { id: found.id, name: found.name, age: found.age, tags: found.tags, address: found.address })

const updated = await users.update(john.id, { age: 31, tags: ['admin'] })
console.log('updated age/tags:', updated.age, updated.tags)

const more = await users.insertMany([
  { name: 'Jane Smith', email: 'jane@example.com', age: 25, isActive: true },
  { name: 'Bob Wilson', email: 'bob@example.com', age: 35, isActive: false }
])
console.log('insertMany wrote', more.length, 'records')

console.log('count:', await users.count())
const page = await users.page({ offset: 0, size: 2 })
console.log(`page 0: ${page.items.length} of ${page.totalItems} (pages: ${page.totalPages})`)
const active = await users.query({ isActive: true })
console.log('active users:', active.map(u => u.name).sort())

try {
  await users.insert({ name: 'X', email: 'not-an-email', age: -1, isActive: 'yes' })
} catch (err) {
  console.log(`invalid insert rejected: ${err.name} (${err.validation.map(v => v.field).join(', ')})`)
}

await users.delete(john.id)
console.log('after delete, exists?', await users.exists(john.id))
await users.deleteMany(await users.listIds())
console.log('cleaned up, count:', await users.count())
