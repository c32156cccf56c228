import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ConfigError, type FieldProblem } from '../errors.ts';

/**
 * Reads the access key of the dedicated signing user from its secret: JSON with
 * `accessKeyId` and `secretAccessKey`. A bad secret names every bad field and never echoes
 * a value, since the values are the credential.
 */
export function parseSigningKeys(secret: string | undefined): AwsCredentialIdentity {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret ?? '');
  } catch {
    throw new ConfigError([
      { field: 'signing secret', problem: 'must be JSON: {"accessKeyId":…,"secretAccessKey":…}' },
    ]);
  }
  const fields = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<
    string,
    unknown
  >;
  const problems: FieldProblem[] = [];
  const read = (field: string): string => {
    const value = fields[field];
    if (typeof value === 'string' && /^\S+$/.test(value)) return value;
    problems.push({ field: `signing secret ${field}`, problem: 'must be a non-empty string' });
    return '';
  };
  const accessKeyId = read('accessKeyId');
  const secretAccessKey = read('secretAccessKey');
  // Temporary keys (ASIA…) need a session token and die like the role's: no gain.
  if (accessKeyId.startsWith('ASIA')) {
    problems.push({
      field: 'signing secret accessKeyId',
      problem: "must be an IAM user's long-term key (AKIA…), not a temporary one (ASIA…)",
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { accessKeyId, secretAccessKey };
}

/**
 * Credentials from the signing user's secret, read at the first link and then kept for the
 * life of the execution environment. They have no expiration, so links signed with them
 * live as long as they ask (up to S3's 7 days) instead of dying with the Lambda role's
 * session. A failed read is not kept: the next link tries again.
 */
export function signingKeysFromSecret(
  readSecret: () => Promise<string | undefined>,
): AwsCredentialIdentityProvider {
  let keys: Promise<AwsCredentialIdentity> | undefined;
  return () => {
    keys ??= readSecret()
      .then(parseSigningKeys)
      .catch((error: unknown) => {
        keys = undefined;
        throw error;
      });
    return keys;
  };
}
