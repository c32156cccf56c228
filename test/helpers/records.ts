import type { AccessLogRecord } from '../../shared/access-log/index.ts';
import { SIGNER_SESSION } from './rules.ts';

/**
 * A realistic presigned GET record of the current 27-field format, signed by the stack's
 * link API role; override what a test needs.
 */
export function makeRecord(overrides: Partial<AccessLogRecord> = {}): AccessLogRecord {
  return {
    bucketOwner: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be',
    bucket: 'usage-meter-content',
    time: '2026-11-22T10:15:30Z',
    remoteIp: '192.0.2.10',
    requester: SIGNER_SESSION,
    requestId: '3E57427F3EXAMPLE',
    operation: 'REST.GET.OBJECT',
    key: 'reports/q3.pdf',
    requestUri: presignedUri('GET', '/usage-meter-content/reports/q3.pdf', 'acme', 'Lk1'),
    httpStatus: 200,
    errorCode: null,
    bytesSent: 1024,
    objectSize: 1024,
    totalTime: 12,
    turnAroundTime: 3,
    referrer: null,
    userAgent: 'curl/8.5.0',
    versionId: null,
    hostId: 's9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234=',
    signatureVersion: 'SigV4',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    authType: 'QueryString',
    hostHeader: 'usage-meter-content.s3.us-east-1.amazonaws.com',
    tlsVersion: 'TLSv1.3',
    accessPointArn: null,
    aclRequired: null,
    sourceRegion: 'us-east-1',
    extraFields: [],
    ...overrides,
  };
}

/** The Request-URI of a tracked presigned request (`customer` null: no tracking parameters). */
export function presignedUri(
  method: string,
  path: string,
  customer: string | null,
  link: string | null = null,
): string {
  const tracking = [
    ...(customer === null ? [] : [`x-customer-id=${customer}`]),
    ...(link === null ? [] : [`x-link-id=${link}`]),
  ];
  const query = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    'X-Amz-Credential=AKIAEXAMPLE%2F20261122%2Fus-east-1%2Fs3%2Faws4_request',
    'X-Amz-Date=20261122T101500Z',
    'X-Amz-Expires=900',
    'X-Amz-SignedHeaders=host',
    ...tracking,
    'x-id=GetObject',
    'X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  ].join('&');
  return `${method} ${path}?${query} HTTP/1.1`;
}
