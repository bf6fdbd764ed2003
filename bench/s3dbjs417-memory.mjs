// memory:// for s3db.js 4.1.7, which has no in-memory backend: an in-process stand-in for the
// AWS SDK's S3Client that 4.1.7's own Client is built around (`new Client({ AwsS3Client })`).
// Everything of 4.1.7 above the SDK (Client.sendCommand and its events, path joining, error
// mapping, Resource, Schema, validation) stays on the measured path; what is replaced is the
// SDK's request pipeline and the network, as s3db-native's and s3db.js 21.6.2's memory://
// replace theirs. It answers the commands 4.1.7 sends, with the response fields it reads:
// PutObject, HeadObject, GetObject, ListObjectsV2, DeleteObject(s), CopyObject.
import { Readable } from 'node:stream'

function sdkError (name, status) {
  const e = new Error(name)
  e.name = name
  e.$metadata = { httpStatusCode: status }
  return e
}

export class MemoryS3 {
  constructor () {
    this.buckets = new Map()
    this.sorted = new Map()   // bucket -> sorted keys, dropped when a key is added or removed
  }

  objects (bucket) {
    let b = this.buckets.get(bucket)
    if (!b) { b = new Map(); this.buckets.set(bucket, b) }
    return b
  }

  keys (bucket) {
    let k = this.sorted.get(bucket)
    if (!k) { k = [...this.objects(bucket).keys()].sort(); this.sorted.set(bucket, k) }
    return k
  }

  async send (command) {
    const input = command.input
    switch (command.constructor.name) {
      case 'PutObjectCommand': return this.put(input)
      case 'HeadObjectCommand': return this.head(input)
      case 'GetObjectCommand': {
        const o = this.head(input, 'NoSuchKey')
        return { ...o, Body: Readable.from([this.objects(input.Bucket).get(input.Key).body]) }
      }
      case 'ListObjectsV2Command': return this.list(input)
      case 'DeleteObjectCommand': this.remove(input.Bucket, input.Key); return {}
      case 'DeleteObjectsCommand': {
        for (const { Key } of input.Delete.Objects) this.remove(input.Bucket, Key)
        return { Deleted: input.Delete.Objects.map(({ Key }) => ({ Key })) }
      }
      case 'CopyObjectCommand': {
        const [bucket, ...rest] = input.CopySource.split('/')
        const from = this.objects(bucket).get(rest.join('/'))
        if (!from) throw sdkError('NoSuchKey', 404)
        return this.store(input.Bucket, input.Key, { ...from, lastModified: new Date() })
      }
      default: throw new Error(`memory stand-in: ${command.constructor.name} is not supported`)
    }
  }

  put ({ Bucket, Key, Metadata = {}, Body, ContentType }) {
    const body = Body === undefined ? Buffer.alloc(0) : Buffer.from(Body)
    // S3 sends metadata as x-amz-meta-* headers: names come back lowercase, values as strings.
    const metadata = {}
    for (const k in Metadata) metadata[k.toLowerCase()] = String(Metadata[k])
    return this.store(Bucket, Key, { metadata, body, contentType: ContentType || 'binary/octet-stream', lastModified: new Date() })
  }

  store (bucket, key, object) {
    const b = this.objects(bucket)
    if (!b.has(key)) this.sorted.delete(bucket)
    b.set(key, object)
    return { ETag: `"${b.size}"` }
  }

  remove (bucket, key) {
    if (this.objects(bucket).delete(key)) this.sorted.delete(bucket)
  }

  head ({ Bucket, Key }, missing = 'NotFound') {
    const o = this.objects(Bucket).get(Key)
    if (!o) throw sdkError(missing, 404)
    return { Metadata: { ...o.metadata }, ContentLength: o.body.length, ContentType: o.contentType, LastModified: o.lastModified }
  }

  list ({ Bucket, Prefix = '', MaxKeys = 1000, ContinuationToken }) {
    const keys = this.keys(Bucket)
    // first key >= Prefix (or > the token, the last key of the previous page)
    const after = ContinuationToken ?? null
    let lo = 0
    let hi = keys.length
    const target = after ?? Prefix
    while (lo < hi) { const mid = (lo + hi) >> 1; if (after !== null ? keys[mid] <= target : keys[mid] < target) lo = mid + 1; else hi = mid }
    const objects = this.objects(Bucket)
    const Contents = []
    let i = lo
    for (; i < keys.length && Contents.length < MaxKeys; i++) {
      if (!keys[i].startsWith(Prefix)) break
      const o = objects.get(keys[i])
      Contents.push({ Key: keys[i], Size: o.body.length, LastModified: o.lastModified })
    }
    const IsTruncated = i < keys.length && keys[i].startsWith(Prefix) && Contents.length > 0
    return {
      ...(Contents.length ? { Contents } : {}),
      KeyCount: Contents.length,
      IsTruncated,
      ...(IsTruncated ? { NextContinuationToken: Contents[Contents.length - 1].Key } : {})
    }
  }
}
