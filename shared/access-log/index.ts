export {
  ACCESS_LOG_FIELDS,
  CURRENT_ACCESS_LOG_FIELDS,
  MIN_ACCESS_LOG_FIELDS,
} from './constants.ts';
export { type FormatRecordOptions, formatAccessLogRecord, formatLogTime } from './format-record.ts';
export type { AccessLogFieldName, AccessLogRecord } from './types.ts';
