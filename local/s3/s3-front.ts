import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Context, Next } from 'koa';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import type { AccessLogDelivery } from './access-log-delivery.ts';
import type { CreatedObject } from './object-created-event.ts';
import { nameS3Operation } from './operation-name.ts';
import { verifySigV4Request } from './sigv4-verifier.ts';
import { encodeS3Key, safeDecode } from './url-encoding.ts';

/** An object creation as s3rver reports it (its own `event` payload, first record). */
export interface S3rverCreation {
  eventName: string;
  bucket: string;
  key: string;
  size: number;
  eTag: string;
}

export interface S3FrontOptions {
  region: string;
  /** Canonical user id of the account that owns every bucket. */
  ownerId: string;
  secretFor: (accessKeyId: string) => string | undefined;
  delivery: AccessLogDelivery;
  /** Creations s3rver reports while a request runs are collected into that request's list. */
  creations: AsyncLocalStorage<S3rverCreation[]>;
  onObjectCreated: (object: CreatedObject) => Promise<void>;
  now: () => Date;
}

/**
 * What real S3 does and s3rver does not, as one Koa middleware in front of s3rver:
 * checks SigV4 signatures (refusing with S3's status and error code), writes a server
 * access log record for every request to a logged bucket, and reports created objects
 * once their response has gone out. `settled()` resolves when every request seen so far
 * has been logged and its creations reported.
 */
export function createS3Front(options: S3FrontOptions) {
  const inFlight = new Set<Promise<void>>();

  async function middleware(ctx: Context, next: Next): Promise<void> {
    const { req, res } = ctx;
    const startedAt = performance.now();
    const received = options.now();
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(57).toString('base64');
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    const output = countOutput(res);
    const creations: S3rverCreation[] = [];
    let errorCode: string | null = null;

    const rawUrl = req.url ?? '/';
    const remoteIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const target = parseTarget(rawUrl);
    const operation =
      target.bucket === null
        ? null
        : nameS3Operation({
            method: req.method ?? 'GET',
            bucket: target.bucket,
            key: target.key,
            queryNames: target.queryNames,
            copySource: req.headers['x-amz-copy-source'] !== undefined,
          });
    const verdict = verifySigV4Request(
      { method: req.method ?? 'GET', url: rawUrl, headers: req.headers },
      { secretFor: options.secretFor, region: options.region, now: received },
    );

    const finished = new Promise<void>((resolve) => res.once('close', resolve)).then(async () => {
      const endedAt = performance.now();
      if (target.bucket !== null && options.delivery.isLogged(target.bucket)) {
        const created = creations[0];
        const loggedKey = target.key ?? created?.key ?? null;
        const line = formatAccessLogRecord({
          bucketOwner: options.ownerId,
          bucket: target.bucket,
          time: received.toISOString(),
          remoteIp: remoteIp || null,
          requester: verdict.ok && verdict.accessKeyId !== null ? options.ownerId : null,
          requestId,
          operation,
          key: loggedKey === null ? null : encodeS3Key(loggedKey),
          requestUri: `${req.method} ${rawUrl} HTTP/${req.httpVersion}`,
          httpStatus: res.statusCode,
          errorCode,
          bytesSent: output.bytes() === 0 ? null : output.bytes(),
          objectSize: loggedObjectSize(req, res.statusCode, loggedKey, created, output),
          totalTime: Math.round(endedAt - startedAt),
          turnAroundTime: Math.round((output.firstByteAt() ?? endedAt) - startedAt),
          referrer: req.headers.referer ?? null,
          userAgent: req.headers['user-agent'] ?? null,
          versionId: null,
          hostId,
          signatureVersion: verdict.authType === null ? null : 'SigV4',
          // Plain HTTP: S3 writes `-` for the cipher suite and TLS version of such requests.
          cipherSuite: null,
          authType: verdict.authType,
          hostHeader: req.headers.host ?? null,
          tlsVersion: null,
          accessPointArn: null,
          aclRequired: null,
          sourceRegion: options.region,
          extraFields: [],
        });
        options.delivery.add(target.bucket, line);
      }
      if (res.statusCode < 300) {
        for (const creation of creations) {
          await options.onObjectCreated({
            kind:
              operation === 'REST.POST.UPLOAD' ? 'CompleteMultipartUpload' : creationKind(creation),
            bucket: creation.bucket,
            key: creation.key,
            size: creation.size,
            eTag: creation.eTag,
            region: options.region,
            time: options.now(),
            sourceIp: remoteIp,
            requestId,
            hostId,
            principalId: `AWS:${options.ownerId}`,
            sequencer: received.getTime().toString(16).toUpperCase().padStart(16, '0'),
          });
        }
      }
    });
    const tracked = finished.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);

    if (!verdict.ok) {
      errorCode = verdict.code;
      ctx.status = verdict.status;
      ctx.type = 'application/xml';
      ctx.body = errorXml(verdict.code, verdict.message, requestId, hostId);
      return;
    }
    try {
      await options.creations.run(creations, next);
    } catch (error) {
      errorCode = (error as { code?: unknown }).code?.toString() ?? 'InternalError';
      throw error;
    }
  }

  return {
    middleware,
    /** Resolves once every request received so far is logged and its creations reported. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all(inFlight);
    },
  };
}

interface ParsedTarget {
  bucket: string | null;
  key: string | null;
  queryNames: Set<string>;
}

/** Path-style addressing: `/<bucket>/<key>?<query>`. */
function parseTarget(rawUrl: string): ParsedTarget {
  const [path = '/', query = ''] = rawUrl.split(/\?(.*)/s);
  const slash = path.indexOf('/', 1);
  const bucketPart = slash === -1 ? path.slice(1) : path.slice(1, slash);
  const keyPart = slash === -1 ? '' : path.slice(slash + 1);
  return {
    bucket: bucketPart === '' ? null : safeDecode(bucketPart),
    key: keyPart === '' ? null : safeDecode(keyPart),
    queryNames: new Set(
      query
        .split('&')
        .filter((pair) => pair !== '')
        .map((pair) => safeDecode(pair.split('=', 1)[0] ?? '')),
    ),
  };
}

/**
 * Counts the body bytes a response writes and when its first byte went out, and reads the
 * object size from its headers (the total of a Content-Range, else the Content-Length).
 */
function countOutput(res: ServerResponse) {
  let bytes = 0;
  let firstByteAt: number | undefined;
  const count = (chunk: unknown, encoding?: unknown) => {
    firstByteAt ??= performance.now();
    if (typeof chunk === 'string') {
      bytes += Buffer.byteLength(
        chunk,
        typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
      );
    } else if (chunk instanceof Uint8Array) {
      bytes += chunk.byteLength;
    }
  };
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    count(chunk, rest[0]);
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function' && chunk !== undefined && chunk !== null) count(chunk, rest[0]);
    else firstByteAt ??= performance.now();
    return (end as (...args: unknown[]) => ServerResponse)(chunk, ...rest);
  }) as typeof res.end;
  return {
    bytes: () => bytes,
    firstByteAt: () => firstByteAt,
    objectSize: (): number | undefined => {
      const range = /\/(\d+)$/.exec(String(res.getHeader('content-range') ?? ''));
      if (range?.[1]) return Number(range[1]);
      const length = res.getHeader('content-length');
      return length === undefined ? undefined : Number(length);
    },
  };
}

/**
 * The Object Size field: the whole object's size for reads (also for a range), the uploaded
 * size for writes, `-` for errors and for requests that carry no object (initiate, delete, …).
 */
function loggedObjectSize(
  req: IncomingMessage,
  status: number,
  key: string | null,
  created: S3rverCreation | undefined,
  output: ReturnType<typeof countOutput>,
): number | null {
  if (status >= 400 || key === null) return null;
  if (created) return created.size;
  if (req.method === 'GET' || req.method === 'HEAD') return output.objectSize() ?? null;
  if (req.method === 'PUT') return uploadSize(req.headers);
  return null;
}

/** Size of an upload body: the decoded length of an aws-chunked body, else Content-Length. */
function uploadSize(headers: Record<string, string | string[] | undefined>): number | null {
  const value = headers['x-amz-decoded-content-length'] ?? headers['content-length'];
  return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
}

function creationKind(creation: S3rverCreation): CreatedObject['kind'] {
  const kind = creation.eventName.replace('ObjectCreated:', '');
  return kind === 'Post' || kind === 'Copy' ? kind : 'Put';
}

function errorXml(code: string, message: string, requestId: string, hostId: string): string {
  const escapeXml = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
}
