import { isValidCustomerId } from '../customers/customer-id.ts';

/**
 * Why a request is billed to nobody. Every request is either a customer's or untracked with
 * exactly one of these, so attributed plus untracked is every request of the logs.
 */
export const UNTRACKED_REASONS = [
  /** No credentials at all (Requester `-`, nothing signed). */
  'unsigned',
  /** Credentials that S3 refused: a bad, expired or unknown signature (Requester `-`). */
  'auth-failed',
  /** Authenticated, but by an identity that is not one of the stack's signers. */
  'foreign-signer',
  /** Our signer, but not a presigned SigV4 URL (an Authorization header, SigV2). */
  'not-presigned',
  /** A presigned URL of ours without exactly one well-formed `x-customer-id` (or form key). */
  'no-customer',
  /** A well-formed customer id, or an upload key, that no customer of the table owns. */
  'unknown-customer',
] as const;
export type UntrackedReason = (typeof UNTRACKED_REASONS)[number];

/** What attribution needs to know beyond the log line itself. */
export interface AttributionRules {
  /** Whether S3's logged Requester is one of the stack's own signer identities. */
  isSigner(requester: string): boolean;
  /** Whether a customer with this id exists. */
  isCustomer(customerId: string): boolean;
  /** The customer whose upload prefix holds this (decoded) key, or null. */
  uploadOwner(key: string): string | null;
}

/** The two shapes of signer identity the stack has. */
const ROLE = /^arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[\w+=,.@-]{1,64}$/;
const USER = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]{1,64}$/;

/** How a signer identity is written, for messages that refuse another. */
export const SIGNER_ARN_SHAPE =
  'a role (arn:aws:sts::<account>:assumed-role/<name>) or user (arn:aws:iam::<account>:user/<name>) ARN';

/** Whether `arn` can name a signer: a role (any of its sessions) or an IAM user. */
export function isSignerArn(arn: string): boolean {
  return ROLE.test(arn) || USER.test(arn);
}

/** The near misses whose meaning is clear: a role's IAM ARN, and one session of a role. */
const IAM_ROLE = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const ROLE_SESSION = /^(arn:aws[a-z-]*:sts::\d{12}:assumed-role\/[\w+=,.@-]{1,64})\/[\w+=,.@-]+$/;

/**
 * The signer ARN that a refused `arn` most likely meant, or undefined. S3 logs a role's
 * requests under its sessions (`arn:aws:sts::<account>:assumed-role/<name>/<session>`, the
 * role's path dropped), so a role is given in that form without the session; its IAM ARN
 * (`arn:aws:iam::<account>:role/<path>/<name>`), the one the console shows, matches nothing
 * in a log.
 */
export function intendedSignerArn(arn: string): string | undefined {
  const role = IAM_ROLE.exec(arn);
  if (role !== null) return `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}`;
  return ROLE_SESSION.exec(arn)?.[1];
}

/**
 * Matches a logged Requester against the signer identities. A role is given as
 * `arn:aws:sts::<account>:assumed-role/<role name>` and matches every session of it
 * (`…/<role name>/<session>`: Lambda names a session after the function instance); a user
 * ARN matches itself only.
 */
export function createSignerMatcher(signers: readonly string[]): (requester: string) => boolean {
  const exact = new Set(signers.filter((arn) => USER.test(arn)));
  const sessionsOf = signers.filter((arn) => ROLE.test(arn)).map((arn) => `${arn}/`);
  return (requester) =>
    exact.has(requester) ||
    sessionsOf.some(
      (prefix) =>
        requester.startsWith(prefix) &&
        requester.length > prefix.length &&
        !requester.includes('/', prefix.length),
    );
}

/**
 * The rules over a list of customers (as stored: every customer has its upload prefix) and
 * the stack's signer identities.
 */
export function createAttributionRules(options: {
  signers: readonly string[];
  customers: Iterable<{ customerId: string; uploadPrefix: string }>;
}): AttributionRules {
  const customers = [...options.customers];
  const ids = new Set(customers.map((c) => c.customerId));
  // Upload prefixes never nest (customers refuses it), so at most one matches; longest first
  // keeps the answer right for tables written before that rule.
  const prefixes = customers
    .filter((c) => c.uploadPrefix !== '')
    .sort((a, b) => b.uploadPrefix.length - a.uploadPrefix.length);
  return {
    isSigner: createSignerMatcher(options.signers),
    isCustomer: (id) => ids.has(id),
    uploadOwner: (key) => prefixes.find((c) => key.startsWith(c.uploadPrefix))?.customerId ?? null,
  };
}

const DEFAULT_UPLOAD_KEY = /^uploads\/([^/]+)\/./;

/**
 * Rules for reading log files with no table at hand (`usage-meter aggregate`): every
 * well-formed customer id counts as a customer, form uploads are attributed by the default
 * layout `uploads/<customerId>/`, and the requester is checked only when signers are given.
 */
export function createOfflineAttributionRules(signers: readonly string[]): AttributionRules {
  const isSigner = signers.length === 0 ? () => true : createSignerMatcher(signers);
  return {
    isSigner,
    isCustomer: isValidCustomerId,
    uploadOwner: (key) => {
      const id = DEFAULT_UPLOAD_KEY.exec(key)?.[1];
      return id !== undefined && isValidCustomerId(id) ? id : null;
    },
  };
}
