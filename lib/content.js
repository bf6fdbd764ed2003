'use strict'
// Streamed binary content: `setContent({ id, buffer: readable })` and `contentStream(id)`.
// Chunks cross to the engine one awaited `write` at a time (a bounded queue behind it),
// and come back one `next()` at a time as the Readable is read: neither side holds
// the whole body (S3 bodies over 8 MB go up as multipart uploads).

const { Readable } = require('node:stream')
const { InvalidArgument, InvalidId, argText } = require('./errors')

/** Whether `value` is a body given as chunks (a Readable or any async iterable) rather than bytes. */
function isChunkSource (value) {
  return value != null && typeof value === 'object' && !ArrayBuffer.isView(value) &&
    !(value instanceof ArrayBuffer) && typeof value[Symbol.asyncIterator] === 'function'
}

function chunkBytes (chunk) {
  if (Buffer.isBuffer(chunk)) return chunk
  if (typeof chunk === 'string') return Buffer.from(chunk)
  if (ArrayBuffer.isView(chunk)) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
  if (chunk instanceof ArrayBuffer) return Buffer.from(chunk)
  throw new InvalidArgument({ message: `setContent: a content stream must yield Buffers, Uint8Arrays or strings (got ${chunk === null ? 'null' : typeof chunk})` })
}

/**
 * `setContent` with a body read from `source`; resolves like the Buffer form (the record
 * with `_hasContent`, `_contentLength`, `_mimeType`). A failing source, or a failed
 * write, leaves the previous content in place.
 */
async function setContentFromStream (resource, id, source, contentType) {
  return resource._run(async () => {
    const upload = resource.database._native.contentUpload(resource.name, argText(id, 'id', InvalidId), argText(contentType, 'contentType'))
    try {
      for await (const chunk of source) {
        const bytes = chunkBytes(chunk)
        if (bytes.length) await upload.write(bytes)
      }
    } catch (err) {
      await upload.abort()
      throw err
    }
    return upload.finish()
  })
}

/**
 * A byte-mode Readable of record `id`'s content, read from storage as it is consumed.
 * `contentType` and `contentLength` are set on it before its first data ('ready' is emitted
 * then); a missing record fails it with NoSuchKey. `destroy()` stops the download.
 */
function contentStream (resource, id) {
  let download = null
  const fail = (err) => resource._failure(err)
  const readable = new Readable({
    construct (callback) {
      let opened
      try {
        download = resource.database._native.contentDownload(resource.name, argText(id, 'id', InvalidId))
        opened = download.open()
      } catch (err) {
        return callback(fail(err))
      }
      opened.then((json) => {
        const info = JSON.parse(json)
        readable.contentType = info.contentType ?? null
        readable.contentLength = info.contentLength
        readable.emit('ready', { contentType: readable.contentType, contentLength: readable.contentLength })
        callback()
      }, (err) => callback(fail(err)))
    },
    read () {
      download.next().then((chunk) => { this.push(chunk ?? null) }, (err) => this.destroy(fail(err)))
    },
    destroy (err, callback) {
      if (download) download.cancel()
      callback(err)
    }
  })
  readable.contentType = null
  readable.contentLength = null
  return readable
}

module.exports = { isChunkSource, setContentFromStream, contentStream }
