/** S3 refuses presigned URLs that live longer than 7 days (SigV4 query signing limit). */
export const MAX_LINK_LIFETIME_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LINK_LIFETIME_SECONDS = 15 * 60;

export interface ExpiryRequest {
  /** The lifetime asked for (or the default), already checked against the operator's maximum. */
  seconds: number;
  now: Date;
  /**
   * When the signing credentials expire (a Lambda role's session does): a link signed
   * with them stops working then, whatever its X-Amz-Expires says.
   */
  credentialsExpiration?: Date;
}

export type Expiry =
  { ok: true; expiresIn: number; expiresAt: Date } | { ok: false; problem: string };

/**
 * The effective lifetime of a link: the seconds asked for, cut short to when the signing
 * credentials expire — the caller is told the effective `expiresAt` rather than a time the
 * link will not reach. The range is checked once, where the request is validated
 * (`validateLinkRequest`) and the maximum configured (`loadIssueLinkConfig`).
 */
export function resolveLinkExpiry(request: ExpiryRequest): Expiry {
  let expiresIn = request.seconds;
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
