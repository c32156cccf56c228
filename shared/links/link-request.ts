import { hasControlCharacter } from '../control-characters.ts';
import { type FieldProblem, ValidationError } from '../errors.ts';

export const LINK_METHODS = ['GET', 'PUT', 'POST'] as const;
export type LinkMethod = (typeof LINK_METHODS)[number];

/** S3's ceiling for one PUT or POST upload: 5 GiB. */
export const MAX_SINGLE_UPLOAD_BYTES = 5 * 1024 ** 3;

/** A valid `POST /links` body. */
export type LinkRequest =
  | { method: 'GET'; key: string; expiresIn?: number; filename?: string }
  | { method: 'PUT'; key: string; expiresIn?: number; contentType?: string; contentLength?: number }
  | { method: 'POST'; key: string; expiresIn?: number; contentType?: string; maxBytes: number };

type FieldRule = (value: unknown) => string | undefined;

// A Map, not an object: a body's `__proto__` or `constructor` must be an unknown field, not
// a property every object inherits.
const KNOWN_FIELDS = new Map<string, { methods: readonly LinkMethod[]; rule: FieldRule }>([
  ['key', { methods: LINK_METHODS, rule: objectKeyProblem }],
  ['method', { methods: LINK_METHODS, rule: () => undefined }],
  ['expiresIn', { methods: LINK_METHODS, rule: () => undefined }],
  ['filename', { methods: ['GET'], rule: filenameProblem }],
  ['contentType', { methods: ['PUT', 'POST'], rule: contentTypeProblem }],
  [
    'contentLength',
    { methods: ['PUT'], rule: (value) => wholeNumberProblem(value, 0, MAX_SINGLE_UPLOAD_BYTES) },
  ],
  [
    'maxBytes',
    { methods: ['POST'], rule: (value) => wholeNumberProblem(value, 1, MAX_SINGLE_UPLOAD_BYTES) },
  ],
]);

/**
 * Checks a `POST /links` body and names every problem at once: unknown fields, fields that
 * do not apply to the method, and bad values. `maxExpiresIn` is the operator's ceiling.
 */
export function validateLinkRequest(body: unknown, maxExpiresIn: number): LinkRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ field: 'body', problem: 'must be a JSON object' }]);
  }
  const fields = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const own = (name: string) => (Object.hasOwn(fields, name) ? fields[name] : undefined);
  const method = own('method');
  const knownMethod = LINK_METHODS.find((m) => m === method);
  if (knownMethod === undefined) {
    problems.push({ field: 'method', problem: `must be one of ${LINK_METHODS.join(', ')}` });
  }
  if (own('key') === undefined) problems.push({ field: 'key', problem: 'is required' });
  if (knownMethod === 'POST' && own('maxBytes') === undefined) {
    problems.push({ field: 'maxBytes', problem: 'is required for POST links' });
  }
  for (const [field, value] of Object.entries(fields)) {
    const known = KNOWN_FIELDS.get(field);
    if (known === undefined) {
      problems.push({ field, problem: 'is not a known field' });
      continue;
    }
    if (knownMethod !== undefined && !known.methods.includes(knownMethod)) {
      problems.push({ field, problem: `applies only to ${known.methods.join(' and ')} links` });
      continue;
    }
    const problem =
      field === 'expiresIn' ? wholeNumberProblem(value, 1, maxExpiresIn) : known.rule(value);
    if (problem !== undefined) problems.push({ field, problem });
  }
  // S3 replaces `${filename}` in a form's key with the uploaded file's name: the key would no
  // longer be the one the link was issued for.
  const key = own('key');
  if (knownMethod === 'POST' && typeof key === 'string' && key.includes('${filename}')) {
    problems.push({ field: 'key', problem: 'must not contain ${filename} in a POST link' });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return fields as unknown as LinkRequest;
}

function wholeNumberProblem(value: unknown, min: number, max: number): string | undefined {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? undefined
    : `must be a whole number from ${min} to ${max}`;
}

function objectKeyProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return 'must be a non-empty string';
  if (Buffer.byteLength(value) > 1024) return 'must be at most 1024 bytes (S3 limit)';
  if (hasControlCharacter(value)) return 'must not contain control characters';
  // Browsers and curl resolve dot segments before sending, so the signed path would not
  // be the requested one: such a link could never work.
  if (value.split('/').some((segment) => segment === '.' || segment === '..')) {
    return 'must not contain . or .. path segments';
  }
  return undefined;
}

function filenameProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '' || value.length > 255) {
    return 'must be a string of 1 to 255 characters';
  }
  return hasControlCharacter(value) ? 'must not contain control characters' : undefined;
}

const MEDIA_TYPE = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+(?: *;[\x20-\x7e]*)?$/;

function contentTypeProblem(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= 255 && MEDIA_TYPE.test(value)
    ? undefined
    : 'must be a media type such as text/csv';
}
