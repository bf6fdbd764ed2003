'use strict'
// ConnectionString (4.1.7: the parsed parts of a connection string) and the S3 defaults.

const { native } = require('./native')
const { callSync } = require('./errors')

const S3_DEFAULT_REGION = 'us-east-1'
const S3_DEFAULT_ENDPOINT = 'https://s3.us-east-1.amazonaws.com'

class ConnectionString {
  constructor (connectionString) {
    const cfg = callSync(() => JSON.parse(native.nativeParseConnectionString(String(connectionString))))
    this.region = cfg.region
    this.bucket = cfg.bucket
    this.accessKeyId = cfg.accessKeyId
    this.endpoint = cfg.endpoint
    this.keyPrefix = cfg.keyPrefix
    if (cfg.forcePathStyle) this.forcePathStyle = true
  }
}

module.exports = { ConnectionString, S3_DEFAULT_REGION, S3_DEFAULT_ENDPOINT }
