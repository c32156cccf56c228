/** S3 refuses presigned URLs that live longer than 7 days (SigV4 query signing limit). */
export const MAX_LINK_LIFETIME_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LINK_LIFETIME_SECONDS = 15 * 60;

export interface ExpiryRequest {
  /** Lifetime the caller asked for, in seconds; the default when absent. */
  requestedSeconds?: number;
  now: Date;
  /** The operator's ceiling (at most 7 days). */
  maxSeconds: number;
  defaultSeconds?: number;
  /**
   * When the signing credentials expire (a Lambda role's session does): a link signed
   * with them stops working then, whatever its X-Amz-Expires says.
   */
  credentialsExpiration?: Date;
}

export type Expiry =
  { ok: true; expiresIn: number; expiresAt: Date } | { ok: false; problem: string };

/**
 * The effective lifetime of a link: the requested (or default) number of seconds, refused
 * above the operator's maximum, and cut short to when the signing credentials expire —
 * the caller is told the effective `expiresAt` rather than a time the link will not reach.
 */
export function resolveLinkExpiry(request: ExpiryRequest): Expiry {
  const max = Math.min(request.maxSeconds, MAX_LINK_LIFETIME_SECONDS);
  const requested =
    request.requestedSeconds ??
    Math.min(request.defaultSeconds ?? DEFAULT_LINK_LIFETIME_SECONDS, max);
  if (!Number.isInteger(requested) || requested < 1 || requested > max) {
    return { ok: false, problem: `expiresIn must be a whole number of seconds from 1 to ${max}` };
  }
  let expiresIn = requested;
  if (request.credentialsExpiration !== undefined) {
    const left = Math.floor(
      (request.credentialsExpiration.getTime() - request.now.getTime()) / 1000,
    );
    if (left < 1) return { ok: false, problem: 'the signing credentials have expired' };
    expiresIn = Math.min(expiresIn, left);
  }
  // X-Amz-Date has whole seconds: the link expires at the signing second plus expiresIn.
  const signedAt = Math.floor(request.now.getTime() / 1000) * 1000;
  return { ok: true, expiresIn, expiresAt: new Date(signedAt + expiresIn * 1000) };
}
