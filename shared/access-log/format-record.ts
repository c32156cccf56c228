import {
  ACCESS_LOG_FIELDS,
  CURRENT_ACCESS_LOG_FIELDS,
  MIN_ACCESS_LOG_FIELDS,
  MONTH_ABBREVIATIONS,
} from './constants.ts';
import type { AccessLogRecord } from './types.ts';

/** Options of {@link formatAccessLogRecord}. */
export interface FormatRecordOptions {
  /** How many known fields to write, 17 (oldest format) to 27 (current); default 27. */
  fieldCount?: number;
}

/**
 * Writes a record as one line of the S3 server access log format (no newline).
 *
 * `null` becomes `-`, except Referer and User-Agent, which S3 writes as `"-"`; quoted
 * fields are written verbatim between quotes, as S3 does (no escaping).
 *
 * @example
 * formatAccessLogRecord(record, { fieldCount: 26 });
 * // '79a59df9… awsexamplebucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 … TLSv1.2 - -'
 */
export function formatAccessLogRecord(
  record: AccessLogRecord,
  options: FormatRecordOptions = {},
): string {
  const fieldCount = options.fieldCount ?? CURRENT_ACCESS_LOG_FIELDS;
  if (
    !Number.isInteger(fieldCount) ||
    fieldCount < MIN_ACCESS_LOG_FIELDS ||
    fieldCount > CURRENT_ACCESS_LOG_FIELDS
  ) {
    throw new RangeError(
      `fieldCount must be an integer from ${MIN_ACCESS_LOG_FIELDS} to ${CURRENT_ACCESS_LOG_FIELDS}, got ${fieldCount}`,
    );
  }
  const fields = ACCESS_LOG_FIELDS.slice(0, fieldCount).map(({ name, quoted }) => {
    const value = record[name];
    if (name === 'time') return value === null ? '-' : formatLogTime(String(value));
    if (value === null) return name === 'referrer' || name === 'userAgent' ? '"-"' : '-';
    return quoted ? `"${value}"` : String(value);
  });
  return [...fields, ...record.extraFields].join(' ');
}

/**
 * Formats an ISO 8601 instant as the bracketed Time field, `[06/Feb/2019:00:00:38 +0000]`.
 * S3 writes UTC, to the second.
 */
export function formatLogTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not an ISO 8601 time: ${iso}`);
  const pad = (n: number) => String(n).padStart(2, '0');
  const month = MONTH_ABBREVIATIONS[date.getUTCMonth()];
  return `[${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000]`;
}
