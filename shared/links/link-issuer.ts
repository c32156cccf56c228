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

/** Issues a tracked link for an active customer: the port the link API's handler calls. */
export interface LinkIssuer {
  /**
   * Checks the key against the customer's prefixes (403), a GET's object (404), signs and
   * records the link, and returns it with its URL.
   */
  issue(customer: Customer, request: LinkRequest): Promise<IssuedLink>;
}

/**
 * Issues tracked links: checks that the key is one the customer may use (downloads under
 * its key prefixes or upload prefix, uploads only under its upload prefix), that a GET's
 * object exists, signs, and records the link before returning it. The caller has checked
 * that the customer is active (authenticateCaller), and the request (validateLinkRequest).
 */
export function createLinkIssuer(deps: LinkIssuerDeps): LinkIssuer {
  return {
    async issue(customer: Customer, request: LinkRequest): Promise<IssuedLink> {
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
        seconds: request.expiresIn ?? deps.defaultExpiresIn,
        ...(credentialsExpiration === undefined ? {} : { credentialsExpiration }),
      });
      // The lifetime was validated with the request: only expired credentials remain.
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

function pick<T extends object, K extends keyof T>(value: T, name: K): Partial<Pick<T, K>> {
  return value[name] === undefined ? {} : ({ [name]: value[name] } as Pick<T, K>);
}
