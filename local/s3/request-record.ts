import type { IncomingMessage } from 'node:http';
import type { AccessLogRecord } from '../../shared/access-log/index.ts';
import type { ResponseMeter } from './response-meter.ts';
import type { AuthType } from './sigv4-verifier.ts';
import { encodeS3Key } from './url-encoding.ts';

/** Everything the emulator observed about one request to a logged bucket. */
export interface ObservedRequest {
  req: IncomingMessage;
  status: number;
  bucket: string;
  /** Decoded key of the request, or of the object a form POST created; null for a bucket request. */
  key: string | null;
  rawUrl: string;
  operation: string | null;
  received: Date;
  remoteIp: string;
  /** The ARN of the identity S3 authenticated, or null (anonymous, or refused credentials). */
  requester: string | null;
  authType: AuthType | null;
  requestId: string;
  hostId: string;
  errorCode: string | null;
  output: ResponseMeter;
  /** Size of the object the request created, if it created one. */
  createdSize: number | undefined;
  startedAt: number;
  endedAt: number;
}

/** Where the local stack's records differ from a request's own values. */
export interface LogContext {
  ownerId: string;
  region: string;
}

/**
 * The server access log record S3 would write for an observed request (field by field in
 * docs/local-stack.md). Plain HTTP, so Cipher Suite and TLS version are `-`, as S3 logs them.
 */
export function describeRequest(request: ObservedRequest, context: LogContext): AccessLogRecord {
  const { req, output } = request;
  const bytes = output.bytes();
  return {
    bucketOwner: context.ownerId,
    bucket: request.bucket,
    time: request.received.toISOString(),
    remoteIp: request.remoteIp || null,
    requester: request.requester,
    requestId: request.requestId,
    operation: request.operation,
    key: request.key === null ? null : encodeS3Key(request.key),
    requestUri: `${req.method} ${request.rawUrl} HTTP/${req.httpVersion}`,
    httpStatus: request.status,
    errorCode: request.errorCode,
    bytesSent: bytes === 0 ? null : bytes,
    objectSize: loggedObjectSize(request),
    totalTime: Math.round(request.endedAt - request.startedAt),
    turnAroundTime: Math.round((output.firstByteAt() ?? request.endedAt) - request.startedAt),
    referrer: req.headers.referer ?? null,
    userAgent: req.headers['user-agent'] ?? null,
    versionId: null,
    hostId: request.hostId,
    signatureVersion: request.authType === null ? null : 'SigV4',
    cipherSuite: null,
    authType: request.authType,
    hostHeader: req.headers.host ?? null,
    tlsVersion: null,
    accessPointArn: null,
    aclRequired: null,
    sourceRegion: context.region,
    extraFields: [],
  };
}

/**
 * The Object Size field: the whole object's size for reads (also for a range), the uploaded
 * size for writes, `-` for errors and for requests that carry no object (initiate, delete, …).
 */
function loggedObjectSize({
  req,
  status,
  key,
  createdSize,
  output,
}: ObservedRequest): number | null {
  if (status >= 400 || key === null) return null;
  if (createdSize !== undefined) return createdSize;
  if (req.method === 'GET' || req.method === 'HEAD') return output.objectSize() ?? null;
  if (req.method === 'PUT') return uploadSize(req.headers);
  return null;
}

/** Size of an upload body: the decoded length of an aws-chunked body, else Content-Length. */
function uploadSize(headers: Record<string, string | string[] | undefined>): number | null {
  const value = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}
