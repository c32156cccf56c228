const SIGNING_PARAMETERS =
  /(X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|AWSAccessKeyId)=[^&\s"]*/gi;
// A signature cut off before its parameter name is still 64 hex digits (or a long token).
const LONG_SECRET_LIKE = /[0-9a-f]{32,}|[A-Za-z0-9+/=%]{80,}/g;
// The link API's keys (api-key.ts), whole or cut short.
const API_KEY = /umk_[A-Za-z0-9_-]+/g;

/**
 * Text from a log line with what could authenticate a request blanked out: a rejected
 * line may hold a presigned URL or an API key, and logs must never carry a usable
 * signature or key.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(SIGNING_PARAMETERS, '$1=[redacted]')
    .replace(API_KEY, 'umk_[redacted]')
    .replace(LONG_SECRET_LIKE, '[redacted]');
}
