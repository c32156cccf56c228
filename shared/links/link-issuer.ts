import { AppError, ForbiddenError, NotFoundError } from '../errors.ts';
import { type Customer, mayDownload, mayUpload } from '../customers/customer.ts';
import { resolveLinkExpiry } from './link-expiry.ts';
import type { LinkRecord, LinkRegistry } from './link-registry.ts';
import type { LinkRequest } from './link-request.ts';
import type { LinkSigner } from './link-signer.ts';
import type { ObjectLookup } from './object-lookup.ts';

export interface LinkIssuerDeps {
  bucket: string;
  defaultExpiresIn: number;
  maxExpiresIn: number;
  linkRetentionDays: number;
  signer: LinkSigner;
  registry: LinkRegistry;
  objects: ObjectLookup;
  /** When the signing credentials expire, when they do (temporary credentials). */
  credentialsExpiration: () => Promise<Date | undefined>;
  now: () => Date;
  newLinkId: () => string;
}

/** An issued link: its record, and the URL (and form fields, for POST) to hand out. */
export interface IssuedLink extends LinkRecord {
  url: string;
  fields?: Record<string, string>;
  /** Seconds from issue to expiry. */
  expiresIn: number;
}

/**
 * Issues tracked links for a customer: checks that the key is one the customer may use
 * (downloads under its key prefixes or upload prefix, uploads only under its upload
 * prefix), that a GET's object exists, signs, and records the link before returning it.
 */
export function createLinkIssuer(deps: LinkIssuerDeps) {
  return {
    async issue(customer: Customer, request: LinkRequest): Promise<IssuedLink> {
      if (customer.status !== 'active') {
        throw new ForbiddenError(`customer ${customer.customerId} is ${customer.status}`);
      }
      const allowed =
        request.method === 'GET'
          ? mayDownload(customer, request.key)
          : mayUpload(customer, request.key);
      if (!allowed) {
        throw new ForbiddenError(
          request.method === 'GET'
            ? `key is outside the prefixes customer ${customer.customerId} may download from`
            : `uploads of customer ${customer.customerId} must go under ${customer.uploadPrefix}`,
        );
      }
      const now = deps.now();
      const credentialsExpiration = await deps.credentialsExpiration();
      const expiry = resolveLinkExpiry({
        now,
        maxSeconds: deps.maxExpiresIn,
        defaultSeconds: deps.defaultExpiresIn,
        ...(request.expiresIn === undefined ? {} : { requestedSeconds: request.expiresIn }),
        ...(credentialsExpiration === undefined ? {} : { credentialsExpiration }),
      });
      // The request was validated against the same maximum: only expired credentials remain.
      if (!expiry.ok) throw new AppError(expiry.problem, { status: 500, expose: false });
      if (request.method === 'GET' && !(await deps.objects.exists(deps.bucket, request.key))) {
        throw new NotFoundError(`no object ${request.key}`);
      }

      const identity = { customerId: customer.customerId, linkId: deps.newLinkId() };
      const target = { bucket: deps.bucket, key: request.key, expiresIn: expiry.expiresIn };
      const signed = { ...identity, ...target, signingDate: now };
      let url: string;
      let fields: Record<string, string> | undefined;
      let expiresAt = expiry.expiresAt;
      const { method, key, expiresIn: _, ...options } = request;
      if (request.method === 'GET') {
        url = await deps.signer.signGet({ ...signed, ...pick(request, 'filename') });
      } else if (request.method === 'PUT') {
        url = await deps.signer.signPut({
          ...signed,
          ...pick(request, 'contentType'),
          ...pick(request, 'contentLength'),
        });
      } else {
        const post = await deps.signer.signPost({
          ...identity,
          ...target,
          maxBytes: request.maxBytes,
          ...pick(request, 'contentType'),
        });
        ({ url, fields } = post);
        expiresAt = post.expiresAt;
      }
      const link: LinkRecord = {
        ...identity,
        bucket: deps.bucket,
        key,
        method,
        issuedAt: now.toISOString(),
        expiresAt: expiresAt.toISOString(),
        ...options,
      };
      await deps.registry.record(link, deps.linkRetentionDays);
      return {
        ...link,
        url,
        ...(fields === undefined ? {} : { fields }),
        expiresIn: expiry.expiresIn,
      };
    },
  };
}

export type LinkIssuer = ReturnType<typeof createLinkIssuer>;

function pick<T extends object, K extends keyof T>(value: T, name: K): Partial<Pick<T, K>> {
  return value[name] === undefined ? {} : ({ [name]: value[name] } as Pick<T, K>);
}
