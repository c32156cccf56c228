import type { S3Event } from 'aws-lambda';
import { buildObjectCreatedEvent } from '../../local/s3/object-created-event.ts';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import { makeRecord, presignedUri } from './records.ts';

/** One request as a test describes it; the rest of the record is realistic defaults. */
export interface Request {
  customer: string | null;
  link?: string;
  /** ISO 8601 UTC, to the second. */
  time?: string;
  status?: number;
  bytes?: number;
  /** Default: a new one for every line, as S3 gives every request its own. */
  requestId?: string;
}

let requests = 0;

/** A log line in S3's current format for a tracked GET (or an untracked one). */
export function logLine(request: Request): string {
  return formatAccessLogRecord(
    makeRecord({
      time: request.time ?? '2026-11-22T10:15:30Z',
      requestId: request.requestId ?? `TESTREQ${String(++requests).padStart(9, '0')}`,
      requestUri: presignedUri('GET', '/content/a.bin', request.customer, request.link ?? null),
      httpStatus: request.status ?? 200,
      bytesSent: request.bytes ?? 1000,
      errorCode: (request.status ?? 200) >= 400 ? 'AccessDenied' : null,
    }),
  );
}

/** The event S3 sends Lambda for a new log object (key URL-encoded as S3 does). */
export function logCreatedEvent(bucket: string, key: string): S3Event {
  return buildObjectCreatedEvent({
    kind: 'Put',
    bucket,
    key,
    size: 1,
    eTag: '', // unknown: tests that need one set it
    region: 'us-east-1',
    time: new Date(),
    sourceIp: '127.0.0.1',
    requestId: 'REQ',
    hostId: 'HOST',
    principalId: 'AWS:logging',
    sequencer: '0',
  });
}
