import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../shared/redact.ts';

describe('redactSecrets', () => {
  it.each([
    [
      'a presigned URL’s signature and credential',
      'GET /b/k?X-Amz-Credential=AKIAEXAMPLE%2F20261122&X-Amz-Signature=abc123 HTTP/1.1',
      'GET /b/k?X-Amz-Credential=[redacted]&X-Amz-Signature=[redacted] HTTP/1.1',
    ],
    ['a signature cut off before its name', `tail ${'0a'.repeat(32)} end`, 'tail [redacted] end'],
    [
      'an API key in a header',
      `authorization: Bearer umk_${'Ab-_9'.repeat(8)}xyz`,
      'authorization: Bearer umk_[redacted]',
    ],
    ['an API key cut short', 'key=umk_Zq3', 'key=umk_[redacted]'],
  ])('blanks %s', (_, text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });

  it('leaves text without secrets as it is', () => {
    expect(redactSecrets('too few fields: the line ends after field 3')).toBe(
      'too few fields: the line ends after field 3',
    );
  });
});
