import { describe, expect, it } from 'vitest';
import { parseQueryParameters } from '../../../shared/access-log/index.ts';

describe('parseQueryParameters', () => {
  it('decodes names and values and keeps every value of a repeated name', () => {
    const params = parseQueryParameters(
      '/b/k?x-customer-id=acme&a=1&a=2&flag&sp=a%20b+c&bad=%E0%A4%A',
    );
    expect([...params]).toEqual([
      ['x-customer-id', ['acme']],
      ['a', ['1', '2']],
      ['flag', ['']],
      ['sp', ['a b c']],
      ['bad', ['%E0%A4%A']],
    ]);
  });

  it('returns no parameters for a target without a query', () => {
    expect(parseQueryParameters('/b/k').size).toBe(0);
  });
});
