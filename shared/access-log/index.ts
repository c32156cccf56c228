export {
  ACCESS_LOG_FIELDS,
  CURRENT_ACCESS_LOG_FIELDS,
  MIN_ACCESS_LOG_FIELDS,
} from './constants.ts';
export { type FormatRecordOptions, formatAccessLogRecord, formatLogTime } from './format-record.ts';
export { parseLogTime } from './log-time.ts';
export { type ParseResult, parseLine } from './parse-line.ts';
export { type ParsedLine, parseLogStream } from './parse-stream.ts';
export {
  type LineSource,
  type ReadLinesOptions,
  readLines,
  type SourceLine,
  tapChunks,
} from './read-lines.ts';
export { decodeQueryComponent, parseQueryParameters } from './request-uri.ts';
export type { AccessLogFieldName, AccessLogRecord } from './types.ts';
