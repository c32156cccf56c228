import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { BuildMiddleware, MiddlewareStack } from '@smithy/types';

/** Who a link bills and which link it is: both travel as signed query parameters. */
export interface LinkIdentity {
  customerId: string;
  linkId: string;
}

export interface SignGetRequest extends LinkIdentity {
  bucket: string;
  key: string;
  expiresIn: number;
  /** Offer the download under this name (Content-Disposition: attachment). */
  filename?: string;
  signingDate?: Date;
}

export interface SignPutRequest extends LinkIdentity {
  bucket: string;
  key: string;
  expiresIn: number;
  /** Signed: the upload must send exactly this Content-Type. */
  contentType?: string;
  /** Signed: the upload must be exactly this many bytes. */
  contentLength?: number;
  signingDate?: Date;
}

export interface SignPostRequest extends LinkIdentity {
  bucket: string;
  key: string;
  expiresIn: number;
  /** The policy refuses a file larger than this (`content-length-range`). */
  maxBytes: number;
  /** Signed: the form must send exactly this Content-Type. */
  contentType?: string;
}

/** A browser upload form: post `fields` and then `file` to `url`, as multipart/form-data. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
  /** When the policy expires, as it says. */
  expiresAt: Date;
}

/** Signs tracked presigned URLs and upload forms. */
export interface LinkSigner {
  signGet(request: SignGetRequest): Promise<string>;
  signPut(request: SignPutRequest): Promise<string>;
  signPost(request: SignPostRequest): Promise<PresignedPost>;
}

const TRACKING_STEP = { step: 'build', name: 'addTrackingParameters', override: true } as const;

/**
 * What the signing client must be created with. By default the SDK (since 3.729) puts the
 * CRC32 of the command's body into a presigned PUT — the body is empty when presigning, so
 * S3 would refuse every real upload as a checksum mismatch — and asks downloads for
 * checksums. Links leave checksums to the uploader.
 */
export const SIGNING_CLIENT_CONFIG = {
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

/**
 * Presigns S3 URLs that carry `x-customer-id` and `x-link-id`. The parameters are added by a
 * `build`-step middleware on the command's own stack, so they are part of the request before
 * it is signed: S3 ignores `x-` parameters when serving but logs them, and refuses the URL
 * (403) if anyone edits, removes or adds one.
 *
 * @example
 * const signer = createLinkSigner(new S3Client({ ...SIGNING_CLIENT_CONFIG }));
 * const url = await signer.signGet({ bucket, key, customerId: 'acme', linkId, expiresIn: 900 });
 */
export function createLinkSigner(client: S3Client): LinkSigner {
  return {
    async signGet(request) {
      const command = new GetObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        ...(request.filename === undefined
          ? {}
          : { ResponseContentDisposition: attachmentDisposition(request.filename) }),
      });
      addTrackingParameters(command.middlewareStack, request);
      return getSignedUrl(client, command, signingOptions(request));
    },
    async signPut(request) {
      const command = new PutObjectCommand({
        Bucket: request.bucket,
        Key: request.key,
        ...(request.contentType === undefined ? {} : { ContentType: request.contentType }),
        ...(request.contentLength === undefined ? {} : { ContentLength: request.contentLength }),
      });
      addTrackingParameters(command.middlewareStack, request);
      // The presigner leaves these headers unsigned unless asked; signed, S3 refuses an
      // upload of another type or size with 403 SignatureDoesNotMatch.
      const signableHeaders = new Set<string>();
      if (request.contentType !== undefined) signableHeaders.add('content-type');
      if (request.contentLength !== undefined) signableHeaders.add('content-length');
      const url = await getSignedUrl(client, command, {
        ...signingOptions(request),
        signableHeaders,
      });
      if (url.includes('x-amz-checksum-')) {
        throw new Error(
          'the S3 client signs a checksum of an empty body into upload links: create it with SIGNING_CLIENT_CONFIG',
        );
      }
      return url;
    },
    async signPost(request) {
      // A POST has no query string to carry the ids, so its log line names no customer: the
      // metering attributes it by the customer's upload prefix in the key instead. The ids
      // still go into the policy as object metadata, so the object tells which link made it.
      const post = await createPresignedPost(client, {
        Bucket: request.bucket,
        Key: request.key,
        Expires: request.expiresIn,
        Conditions: [['content-length-range', 0, request.maxBytes]],
        Fields: {
          'x-amz-meta-customer-id': request.customerId,
          'x-amz-meta-link-id': request.linkId,
          ...(request.contentType === undefined ? {} : { 'Content-Type': request.contentType }),
        },
      });
      const policy = JSON.parse(
        Buffer.from(post.fields.Policy ?? '', 'base64').toString('utf8'),
      ) as { expiration: string };
      return { url: post.url, fields: post.fields, expiresAt: new Date(policy.expiration) };
    },
  };
}

function addTrackingParameters<Input extends object, Output extends object>(
  stack: MiddlewareStack<Input, Output>,
  identity: LinkIdentity,
): void {
  const middleware: BuildMiddleware<Input, Output> = (next) => (args) => {
    const request = args.request as { query?: Record<string, string | string[] | null> };
    request.query = {
      ...request.query,
      'x-customer-id': identity.customerId,
      'x-link-id': identity.linkId,
    };
    return next(args);
  };
  stack.add(middleware, TRACKING_STEP);
}

function signingOptions(request: { expiresIn: number; signingDate?: Date }) {
  return {
    expiresIn: request.expiresIn,
    ...(request.signingDate === undefined ? {} : { signingDate: request.signingDate }),
  };
}

/**
 * `attachment; filename="…"` with an ASCII fallback and the exact name in RFC 5987 form
 * (`filename*=UTF-8''…`), so any file name survives every browser.
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
