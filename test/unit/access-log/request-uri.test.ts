import { describe, expect, it } from 'vitest';
import { parseQueryParameters, splitRequestUri } from '../../../shared/access-log/index.ts';

describe('splitRequestUri', () => {
  it.each([
    ['GET /b/k?x=1 HTTP/1.1', { method: 'GET', target: '/b/k?x=1', httpVersion: 'HTTP/1.1' }],
    ['OPTIONS * HTTP/2.0', { method: 'OPTIONS', target: '*', httpVersion: 'HTTP/2.0' }],
    ['GET /a b"c HTTP/1.0', { method: 'GET', target: '/a b"c', httpVersion: 'HTTP/1.0' }],
    ['GET /no-version', { method: 'GET', target: '/no-version', httpVersion: null }],
  ])('splits %s', (uri, expected) => {
    expect(splitRequestUri(uri)).toEqual(expected);
  });

  it('returns null when there is no method and target', () => {
    expect(splitRequestUri('garbage')).toBeNull();
  });
});

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
