import {
  type Acceptance,
  parseAmzDate,
  parseCredential,
  type Refusal,
  refuse,
  sameSignature,
  signatureMismatch,
  signWithScope,
  unknownAccessKey,
} from './sigv4-verifier.ts';

/** A browser upload form as received: its text fields (names as sent) and the file's size. */
export interface PostForm {
  fields: ReadonlyMap<string, string>;
  fileSize: number;
}

export interface PostPolicyOptions {
  /** The bucket the form was posted to. */
  bucket: string;
  secretFor: (accessKeyId: string) => string | undefined;
  region: string;
  now: Date;
}

type Condition = Record<string, unknown> | unknown[];

/** Fields a policy need not mention (AWS: "Creating a POST policy"). */
const UNCONDITIONED = new Set(['x-amz-signature', 'file', 'policy']);

/**
 * Checks a SigV4-signed POST policy as S3 does: the signature over the base64 policy, the
 * expiration, every condition (exact match, `eq`, `starts-with`, `content-length-range`
 * against the file's size) and that no form field goes unmentioned. Field names are
 * compared case-insensitively, as S3 does.
 */
export function verifyPostPolicy(
  form: PostForm,
  options: PostPolicyOptions,
): (Refusal & { signedBy?: string }) | Acceptance {
  const fields = new Map([...form.fields].map(([name, value]) => [name.toLowerCase(), value]));
  const policyText = fields.get('policy');
  const signature = fields.get('x-amz-signature');
  const credential = fields.get('x-amz-credential');
  if (policyText === undefined || signature === undefined || credential === undefined) {
    return refuse(403, 'AccessDenied', 'Access Denied');
  }
  if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') {
    return refuse(400, 'InvalidRequest', 'The algorithm must be AWS4-HMAC-SHA256.');
  }
  const scope = parseCredential(credential, options.region);
  if (!scope.ok) return scope;
  const secret = options.secretFor(scope.accessKeyId);
  if (secret === undefined) return unknownAccessKey();
  if (!sameSignature(signWithScope(secret, scope.scope, policyText), signature)) {
    return signatureMismatch();
  }
  // Authenticated from here on: a refusal is logged with the signer as Requester, as S3 does.
  const verdict = checkPolicy(form, fields, policyText, options);
  return verdict.ok
    ? { ok: true, accessKeyId: scope.accessKeyId }
    : { ...verdict, signedBy: scope.accessKeyId };
}

function checkPolicy(
  form: PostForm,
  fields: ReadonlyMap<string, string>,
  policyText: string,
  options: PostPolicyOptions,
): Refusal | { ok: true } {
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as typeof policy;
  } catch {
    return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  const expiration =
    typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : Number.NaN;
  if (Number.isNaN(expiration)) {
    return refuse(400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing expiration.');
  }
  if (expiration < options.now.getTime()) {
    return denied('Policy expired.');
  }
  const amzDate = parseAmzDate(fields.get('x-amz-date') ?? '');
  if (amzDate === undefined) return denied('Policy Condition failed: x-amz-date');

  const conditions = Array.isArray(policy.conditions) ? (policy.conditions as Condition[]) : [];
  const mentioned = new Set<string>();
  const actual = (name: string) =>
    name === 'bucket' ? (fields.get('bucket') ?? options.bucket) : (fields.get(name) ?? '');
  for (const condition of conditions) {
    if (!Array.isArray(condition)) {
      for (const [name, value] of Object.entries(condition)) {
        mentioned.add(name.toLowerCase());
        if (actual(name.toLowerCase()) !== value) {
          return denied(`Policy Condition failed: ["eq", "$${name}", ${JSON.stringify(value)}]`);
        }
      }
      continue;
    }
    const [operator, subject, expected] = condition as [unknown, unknown, unknown];
    if (operator === 'content-length-range') {
      const [min, max] = [Number(subject), Number(expected)];
      if (form.fileSize > max) {
        return refuse(
          400,
          'EntityTooLarge',
          'Your proposed upload exceeds the maximum allowed size',
        );
      }
      if (form.fileSize < min) {
        return refuse(
          400,
          'EntityTooSmall',
          'Your proposed upload is smaller than the minimum allowed size',
        );
      }
      continue;
    }
    const name = String(subject).replace(/^\$/, '').toLowerCase();
    mentioned.add(name);
    const value = actual(name);
    const holds =
      operator === 'eq'
        ? value === expected
        : operator === 'starts-with' && value.startsWith(String(expected));
    if (!holds) {
      return denied(`Policy Condition failed: ${JSON.stringify(condition)}`);
    }
  }
  const extra = [...fields.keys()].filter(
    (name) => !UNCONDITIONED.has(name) && !name.startsWith('x-ignore-') && !mentioned.has(name),
  );
  if (extra.length > 0) return denied(`Extra input fields: ${extra.join(', ')}`);
  return { ok: true };
}

function denied(reason: string): Refusal {
  return refuse(403, 'AccessDenied', `Invalid according to Policy: ${reason}`);
}
