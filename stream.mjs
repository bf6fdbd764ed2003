// ESM entry of `s3db-native/stream`.
import cjs from './stream.js'

export const { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString } = cjs
