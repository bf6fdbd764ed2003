// `s3db-native/stream`: the stream classes of the package root.
export { ResourceReader, ResourceWriter, ResourceIdsReader, ResourceIdsPageReader, streamToString } from './index'
export type { ReaderOptions, WriterOptions, IdsReaderOptions } from './index'
