// Deliberate misuse: every line below must fail to compile (checked by types.test.mjs).
import { S3db, Schema, MemoryCache } from '../index'

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
  // @ts-expect-error ids are strings
  await users.get(42)
  // @ts-expect-error Schema.import takes an export object or JSON text
  Schema.import(42)
  // @ts-expect-error getFromPartition needs partitionName
  await users.getFromPartition({ id: 'a', partition: 'p', partitionValues: {} })
  // @ts-expect-error getPartitionKey is synchronous: it returns a string, not a promise
  const k: Promise<string> = users.getPartitionKey({ partitionName: 'p', id: 'a', data: {} })
  // @ts-expect-error ttl is a number of seconds
  new MemoryCache({ ttl: '1m' })
}
misuse()
