'use strict'
// `s3db-native/stream`: the stream classes (same objects as the package root).
const { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString } = require('./index.js')

module.exports = { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString }
