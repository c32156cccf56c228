import type { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import type { Context, Next } from 'koa';
import { formatAccessLogRecord } from '../../shared/access-log/index.ts';
import type { LocalIdentity } from '../identities.ts';
import type { AccessLogDelivery } from './access-log-delivery.ts';
import type { CreatedObject } from './object-created-event.ts';
import { nameS3Operation } from './operation-name.ts';
import { isPostForm, readPostForm } from './post-form.ts';
import { verifyPostPolicy } from './post-policy-verifier.ts';
import { verifySigV4Request } from './sigv4-verifier.ts';
import { describeRequest } from './request-record.ts';
import { meterResponse } from './response-meter.ts';
import { safeDecode } from './url-encoding.ts';

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
  /** The identity of an access key, or undefined for a key S3 does not know. */
  identityFor: (accessKeyId: string) => LocalIdentity | undefined;
  /** The access key of the logging emulator, the only writer of `logBuckets`. */
  logWriter: string;
  logBuckets: ReadonlySet<string>;
  delivery: AccessLogDelivery;
  /** Creations s3rver reports while a request runs are collected into that request's list. */
  creations: AsyncLocalStorage<S3rverCreation[]>;
  onObjectCreated: (object: CreatedObject) => Promise<void>;
  now: () => Date;
}

/**
 * What real S3 does and s3rver does not, as one Koa middleware in front of s3rver:
 * checks SigV4 signatures (refusing with S3's status and error code), keeps the buckets
 * private (an anonymous request is refused, and only the logging emulator writes a log
 * bucket), writes a server access log record for every request to a logged bucket, with
 * the signer's ARN as Requester, and reports created objects once their response has gone
 * out. `settled()` resolves when every request seen so far has been logged and its
 * creations reported.
 */
export function createS3Front(options: S3FrontOptions) {
  const inFlight = new Set<Promise<void>>();
  const secretFor = (id: string) => options.identityFor(id)?.secretAccessKey;

  async function middleware(ctx: Context, next: Next): Promise<void> {
    const { req, res } = ctx;
    const startedAt = performance.now();
    const received = options.now();
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const hostId = randomBytes(57).toString('base64');
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    const output = meterResponse(res, () => log());
    const creations: S3rverCreation[] = [];
    let errorCode: string | null = null;
    let formKey: string | undefined;
    // The access key S3 authenticated: from the signature, or from a form's policy.
    let signedBy: string | null = null;

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
      { secretFor, region: options.region, now: received },
    );
    if (verdict.ok) signedBy = verdict.accessKeyId;

    // The request's log record, written once: when the response ends, before its last bytes
    // reach the client, so that a client that got its answer finds it logged even if the
    // process is killed right after; or when the connection closes first (an aborted request).
    let logged = false;
    const log = () => {
      if (logged) return;
      logged = true;
      const created = creations[0];
      if (target.bucket !== null && options.delivery.isLogged(target.bucket)) {
        const record = describeRequest(
          {
            req,
            status: res.statusCode,
            bucket: target.bucket,
            key: target.key ?? created?.key ?? formKey ?? null,
            rawUrl,
            operation,
            received,
            remoteIp,
            requester: signedBy === null ? null : (options.identityFor(signedBy)?.arn ?? null),
            authType: verdict.authType,
            requestId,
            hostId,
            errorCode,
            output,
            createdSize: created?.size,
            startedAt,
            endedAt: performance.now(),
          },
          options,
        );
        options.delivery.add(target.bucket, formatAccessLogRecord(record));
      }
    };
    const finished = new Promise<void>((resolve) => res.once('close', resolve)).then(async () => {
      log();
      if (res.statusCode >= 300) return;
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
    });
    const tracked = finished.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);

    const refuse = (refusal: { code: string; status: number; message: string }) => {
      errorCode = refusal.code;
      ctx.status = refusal.status;
      ctx.type = 'application/xml';
      ctx.body = errorXml(refusal.code, refusal.message, requestId, hostId);
    };
    if (!verdict.ok) return refuse(verdict);
    if (
      target.bucket !== null &&
      target.key === null &&
      isPostForm(req.method, req.headers['content-type'])
    ) {
      const { body, form } = await readPostForm(req);
      formKey = form.fields.get('key');
      const policy = verifyPostPolicy(form, {
        bucket: target.bucket,
        secretFor,
        region: options.region,
        now: received,
      });
      if (!policy.ok) {
        signedBy = policy.signedBy ?? null;
        return refuse(policy);
      }
      signedBy = policy.accessKeyId;
      // s3rver reads the form from ctx.req; it has been read once already.
      ctx.req = Object.assign(Readable.from([body]), { headers: req.headers }) as typeof req;
    }
    if (signedBy === null) return refuse(ACCESS_DENIED);
    if (
      target.bucket !== null &&
      options.logBuckets.has(target.bucket) &&
      !READ_METHODS.has(req.method ?? 'GET') &&
      signedBy !== options.logWriter
    ) {
      return refuse(ACCESS_DENIED);
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

/** What S3 answers a request its policies do not allow (an anonymous one, to a private bucket). */
const ACCESS_DENIED = { code: 'AccessDenied', status: 403, message: 'Access Denied' } as const;
const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

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

function creationKind(creation: S3rverCreation): CreatedObject['kind'] {
  const kind = creation.eventName.replace('ObjectCreated:', '');
  return kind === 'Post' || kind === 'Copy' ? kind : 'Put';
}

function errorXml(code: string, message: string, requestId: string, hostId: string): string {
  const escapeXml = (text: string) =>
    text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId><HostId>${hostId}</HostId></Error>`;
}
