// Deliberate misuse: every line below must fail to compile (checked by types.test.mjs).
import { S3db, Schema, MemoryCache, Client, Resource, Validator, getBehavior, SchemaActions, NoSuchKey } from '../index'

async function misuse () {
  // @ts-expect-error unknown option name
  const db = new S3db({ connectionStrin: 'memory://x/y' })
  const users = await db.createResource({ name: 'u', attributes: { name: 'string' } })
  // @ts-expect-error batchSize is a number
  users.readable({ batchSize: 'ten' })
  // @ts-expect-error ordered is a boolean option of readable(), not of writable()
  users.writable({ ordered: true })
  // @ts-expect-error unknown hook event
  users.addHook('beforeInsert', (d: unknown) => d)
  // @ts-expect-error ids are strings or numbers
  await users.get({ id: 42 })
  // @ts-expect-error an insert without an id resolves with a generated string id
  const generated: number = (await users.insert({ name: 'x' })).id
  // @ts-expect-error a string id stays a string
  const given: number = (await users.insert({ id: 'a', name: 'x' })).id
  // @ts-expect-error db.resource() may be a rejected Promise (unknown name): await it first
  await db.resource('u').insert({ name: 'x' })
  // @ts-expect-error codes are the known kinds
  const code: 'NotFound' = new NoSuchKey().code
  // @ts-expect-error Schema.import takes an export object or JSON text
  Schema.import(42)
  // @ts-expect-error getFromPartition needs partitionName
  await users.getFromPartition({ id: 'a', partition: 'p', partitionValues: {} })
  // @ts-expect-error getPartitionKey is synchronous: it returns a string, not a promise
  const k: Promise<string> = users.getPartitionKey({ partitionName: 'p', id: 'a', data: {} })
  // @ts-expect-error ttl is a number of seconds
  new MemoryCache({ ttl: '1m' })
  // @ts-expect-error a Client needs a connection string
  new Client({ parallelism: 4 })
  const client = new Client({ connectionString: 'memory://x/c' })
  // @ts-expect-error sendCommand takes a command object, not a name
  await client.sendCommand('PutObjectCommand')
  // @ts-expect-error moveObject takes { from, to }
  await client.moveObject('a', 'b')
  // @ts-expect-error a standalone Resource needs a name
  new Resource({ client, attributes: {} })
  // @ts-expect-error setContent takes { id, buffer, contentType }
  await users.setContent('id', Buffer.from('x'))
  // @ts-expect-error timeouts are numbers of milliseconds
  new S3db({ connectionString: 'memory://b', timeouts: { attemptMs: '5s' } })
  // @ts-expect-error a content stream yields bytes, not records
  await users.setContent({ id: 'id', buffer: [{ a: 1 }] })
  // @ts-expect-error contentStream is a Readable, not a Promise
  await users.contentStream('id').then(() => 0)
  // @ts-expect-error deleteAllData takes no options (paranoid is a resource option)
  await users.deleteAllData({ paranoid: false })
  // @ts-expect-error Validator options other than passphrase/autoEncrypt are fixed
  new Validator({ options: { defaults: { string: { trim: false } } } })
  // @ts-expect-error hooks phases are beforeMap/afterMap/beforeUnmap/afterUnmap
  users.schema.addHook('beforeSave', 'name', 'trim')
  // @ts-expect-error unknown schema action
  SchemaActions.toDate('2024')
  // @ts-expect-error getBehavior returns handlers, not a name
  const name: string = getBehavior('body-overflow')
}
misuse()
