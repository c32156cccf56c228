import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseQueryParameters } from '../../shared/access-log/index.ts';
import { encodeRfc3986, safeDecode } from './url-encoding.ts';

/** The parts of an HTTP request that its SigV4 signature covers. */
export interface SignedRequest {
  method: string;
  /** The request-target exactly as received: path and raw query string. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface VerifyOptions {
  /** Secret access key of an access key id, or undefined when the key is unknown. */
  secretFor: (accessKeyId: string) => string | undefined;
  /** The region the endpoint serves; a signature scoped to another region is refused. */
  region: string;
  now: Date;
}

export type AuthType = 'QueryString' | 'AuthHeader';

/** How the request was signed (null: anonymous) and whether S3 would accept it. */
export type Verdict = { authType: AuthType | null } & (
  | { ok: true; accessKeyId: string | null }
  | { ok: false; status: 400 | 403; code: string; message: string }
);

export type Refusal = { ok: false; status: 400 | 403; code: string; message: string };
export type Acceptance = { ok: true; accessKeyId: string };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 3600;
// S3 refuses header-signed requests whose clock is more than 15 minutes off.
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
const PRESIGN_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

/**
 * Checks a request's AWS Signature Version 4 as S3 does, for presigned URLs (query
 * parameters) and for the Authorization header. Every query parameter except
 * `X-Amz-Signature` is covered, so a changed, removed or added parameter — `x-` ones
 * included — no longer matches. Payload hashes are taken as declared, not recomputed.
 */
export function verifySigV4Request(request: SignedRequest, options: VerifyOptions): Verdict {
  const query = [...parseQueryParameters(request.url)].flatMap(([name, values]) =>
    values.map((value): [string, string] => [name, value]),
  );
  const byName = new Map(query.map(([name, value]) => [name, value]));
  const authorization = headerValue(request.headers, 'authorization');
  const authType =
    byName.has('X-Amz-Algorithm') || byName.has('Signature') || byName.has('X-Amz-Signature')
      ? 'QueryString'
      : authorization !== undefined
        ? 'AuthHeader'
        : null;
  if (authType === null) return { authType, ok: true, accessKeyId: null };
  const result =
    checkMechanism(byName, authorization) ??
    (authType === 'QueryString'
      ? verifyPresigned(request, query, byName, options)
      : verifyHeader(request, query, authorization ?? '', options));
  return { authType, ...result };
}

/** Refuses SigV2 (S3 accepts only SigV4 in current regions) and two mechanisms at once. */
function checkMechanism(
  byName: Map<string, string>,
  authorization: string | undefined,
): Refusal | undefined {
  if (
    byName.has('AWSAccessKeyId') ||
    byName.has('Signature') ||
    authorization?.startsWith('AWS ')
  ) {
    return refuse(
      400,
      'InvalidRequest',
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  if (byName.has('X-Amz-Algorithm') && authorization !== undefined) {
    return refuse(
      400,
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
    );
  }
  return undefined;
}

function verifyPresigned(
  request: SignedRequest,
  query: Array<[string, string]>,
  byName: Map<string, string>,
  options: VerifyOptions,
): Refusal | Acceptance {
  const missing = PRESIGN_PARAMS.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    return refuse(
      400,
      'AuthorizationQueryParametersError',
      `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters; missing: ${missing.join(', ')}.`,
    );
  }
  const param = (name: (typeof PRESIGN_PARAMS)[number]) => byName.get(name) ?? '';
  if (param('X-Amz-Algorithm') !== ALGORITHM) {
    return refuse(
      400,
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  const signedAt = parseAmzDate(param('X-Amz-Date'));
  if (signedAt === undefined) {
    return refuse(
      400,
      'AuthorizationQueryParametersError',
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    );
  }
  const expires = Number(param('X-Amz-Expires'));
  if (!/^\d+$/.test(param('X-Amz-Expires')) || expires > MAX_PRESIGNED_EXPIRY_SECONDS) {
    return refuse(
      400,
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be a whole number of seconds from 0 to 604800 (a week)',
    );
  }
  const scope = parseCredential(param('X-Amz-Credential'), options.region);
  if (!scope.ok) return scope;
  const secret = options.secretFor(scope.accessKeyId);
  if (secret === undefined) return unknownAccessKey();
  if (options.now.getTime() < signedAt.getTime() - MAX_CLOCK_SKEW_MS) {
    return refuse(403, 'AccessDenied', 'Request is not valid yet');
  }
  if (options.now.getTime() > signedAt.getTime() + expires * 1000) {
    return refuse(403, 'AccessDenied', 'Request has expired');
  }
  const signedHeaders = param('X-Amz-SignedHeaders').split(';');
  const unsigned = Object.keys(request.headers).filter(
    (name) => name.startsWith('x-amz-') && !signedHeaders.includes(name),
  );
  if (unsigned.length > 0) {
    return refuse(
      403,
      'AccessDenied',
      `There were headers present in the request which were not signed: ${unsigned.join(', ')}`,
    );
  }
  const expected = computeSignature({
    request,
    query: query.filter(([name]) => name !== 'X-Amz-Signature'),
    signedHeaders,
    payloadHash: byName.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    amzDate: param('X-Amz-Date'),
    scope: scope.scope,
    secret,
  });
  if (!sameSignature(expected, param('X-Amz-Signature'))) return signatureMismatch();
  return { ok: true, accessKeyId: scope.accessKeyId };
}

function verifyHeader(
  request: SignedRequest,
  query: Array<[string, string]>,
  authorization: string,
  options: VerifyOptions,
): Refusal | Acceptance {
  const match =
    /^AWS4-HMAC-SHA256 +Credential=([^,]+), *SignedHeaders=([^,]+), *Signature=([0-9a-f]+)$/.exec(
      authorization.trim(),
    );
  if (match === null) {
    return refuse(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; it requires Credential, SignedHeaders and Signature.',
    );
  }
  const [, credential = '', signedHeaderList = '', signature = ''] = match;
  const scope = parseCredential(credential, options.region);
  if (!scope.ok) return scope;
  const secret = options.secretFor(scope.accessKeyId);
  if (secret === undefined) return unknownAccessKey();
  const amzDate = headerValue(request.headers, 'x-amz-date') ?? '';
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    return refuse(403, 'AccessDenied', 'AWS authentication requires a valid x-amz-date header');
  }
  if (Math.abs(options.now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    return refuse(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
    );
  }
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    return refuse(
      400,
      'InvalidRequest',
      'Missing required header for this request: x-amz-content-sha256',
    );
  }
  const expected = computeSignature({
    request,
    query,
    signedHeaders: signedHeaderList.split(';'),
    payloadHash,
    amzDate,
    scope: scope.scope,
    secret,
  });
  if (!sameSignature(expected, signature)) return signatureMismatch();
  return { ok: true, accessKeyId: scope.accessKeyId };
}

interface SignatureInput {
  request: SignedRequest;
  query: Array<[string, string]>;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
  secret: string;
}

/** The signature S3 expects, per the SigV4 canonical request and string to sign. */
function computeSignature(input: SignatureInput): string {
  const { request, query, signedHeaders, payloadHash, amzDate, scope, secret } = input;
  const canonicalQuery = query
    .map(([name, value]) => [encodeRfc3986(name), encodeRfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => compareCodeUnits(a, b) || compareCodeUnits(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const canonicalHeaders = signedHeaders
    .map(
      (name) =>
        `${name}:${(headerValue(request.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
  const stringToSign = [
    ALGORITHM,
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest).digest('hex'),
  ].join('\n');
  return signWithScope(secret, scope, stringToSign);
}

/** HMAC of `stringToSign` with the SigV4 signing key of `scope` (`date/region/service/aws4_request`). */
export function signWithScope(secret: string, scope: string, stringToSign: string): string {
  const [date = '', region = '', service = ''] = scope.split('/');
  let key: Buffer = Buffer.from(`AWS4${secret}`);
  for (const part of [date, region, service, 'aws4_request']) key = hmac(key, part);
  return hmac(key, stringToSign).toString('hex');
}

export function parseCredential(
  credential: string,
  region: string,
): { ok: true; accessKeyId: string; scope: string } | Refusal {
  const parts = credential.split('/');
  const [accessKeyId = '', date = '', scopeRegion = '', service = '', terminator = ''] = parts;
  if (
    parts.length !== 5 ||
    !/^\d{8}$/.test(date) ||
    service !== 's3' ||
    terminator !== 'aws4_request'
  ) {
    return refuse(
      400,
      'AuthorizationQueryParametersError',
      'Error parsing the Credential; it must be <access key id>/<yyyyMMdd>/<region>/s3/aws4_request.',
    );
  }
  if (scopeRegion !== region) {
    return refuse(
      400,
      'AuthorizationQueryParametersError',
      `Error parsing the Credential; the region '${scopeRegion}' is wrong; expecting '${region}'`,
    );
  }
  return { ok: true, accessKeyId, scope: parts.slice(1).join('/') };
}

/** S3 signs the path with each segment decoded and re-encoded once (RFC 3986). */
function canonicalPath(url: string): string {
  const path = url.split('?', 1)[0] || '/';
  return path
    .split('/')
    .map((segment) => encodeRfc3986(safeDecode(segment)))
    .join('/');
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [, y = 0, mo = 1, d, h, mi, s] = match.map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function hmac(key: Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(provided);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function refuse(status: 400 | 403, code: string, message: string): Refusal {
  return { ok: false, status, code, message };
}

export function unknownAccessKey(): Refusal {
  return refuse(
    403,
    'InvalidAccessKeyId',
    'The AWS Access Key Id you provided does not exist in our records.',
  );
}

export function signatureMismatch(): Refusal {
  return refuse(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );
}
