import type { ACCESS_LOG_FIELDS } from './constants.ts';

/** Name of one known access log field. */
export type AccessLogFieldName = (typeof ACCESS_LOG_FIELDS)[number]['name'];

type NumericField = 'httpStatus' | 'bytesSent' | 'objectSize' | 'totalTime' | 'turnAroundTime';

/**
 * One S3 server access log record. `null` stands for `-` (or `"-"`) and for a field
 * the record's (older) format does not have. `time` is ISO 8601 UTC to the second
 * (`2019-02-06T00:00:38Z`); quoted fields hold the text between the quotes, unescaped.
 */
export type AccessLogRecord = {
  [Name in Exclude<AccessLogFieldName, NumericField>]: string | null;
} & {
  [Name in NumericField]: number | null;
} & {
  /** Unknown fields after the last known one, kept verbatim (S3 appends new fields over time). */
  extraFields: readonly string[];
};
