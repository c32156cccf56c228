import { describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FIELDS,
  type AccessLogRecord,
  formatAccessLogRecord,
  formatLogTime,
} from '../../../shared/access-log/index.ts';
import { readCorpus } from '../../helpers/corpus.ts';

function recordFrom(expected: Record<string, unknown>): AccessLogRecord {
  const record = Object.fromEntries(
    ACCESS_LOG_FIELDS.map(({ name }) => [name, expected[name] ?? null]),
  ) as Omit<AccessLogRecord, 'extraFields'>;
  return { ...record, extraFields: (expected._extraFields as string[] | undefined) ?? [] };
}

// AWS's own documentation examples are written exactly as S3 writes records (UTC, single
// spaces, quoted "-" Referer), so formatting their expected values must give the line back.
const awsDocLines = readCorpus().filter(
  (c) => c.file.startsWith('aws-docs-') && !c.text.endsWith(' ') && !c.expected._expectError,
);

describe('formatAccessLogRecord', () => {
  it('has AWS documentation examples of 18, 24 and 26 fields to reproduce', () => {
    expect(awsDocLines.map((c) => c.expected._fieldCount)).toEqual(
      expect.arrayContaining([18, 24, 26]),
    );
  });

  it.each(awsDocLines.map((c) => [`${c.file}:${c.line}`, c] as const))(
    'writes %s exactly as AWS published it',
    (_, c) => {
      expect(
        formatAccessLogRecord(recordFrom(c.expected), { fieldCount: c.expected._fieldCount ?? 27 }),
      ).toBe(c.text);
    },
  );

  const base = recordFrom(
    readCorpus().find((c) => c.file === 'aws-docs-2023-example-26fields')?.expected ?? {},
  );

  it('writes 27 fields by default, the last being the source region', () => {
    const line = formatAccessLogRecord({ ...base, sourceRegion: 'eu-west-1' });
    expect(line.endsWith(' Yes eu-west-1')).toBe(true);
  });

  it('writes a missing Referer and User-Agent as a quoted dash and a missing Request-URI as a bare dash', () => {
    const line = formatAccessLogRecord(
      { ...base, requestUri: null, referrer: null, userAgent: null },
      { fieldCount: 17 },
    );
    expect(line).toBe(
      '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be DOC-EXAMPLE-BUCKET1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - - 200 - 113 - 7 - "-" "-"',
    );
  });

  it('writes quotes inside quoted fields verbatim, as S3 does', () => {
    const line = formatAccessLogRecord(
      { ...base, requestUri: 'GET /a?filename="x.json" HTTP/1.1', userAgent: '"quoted" agent' },
      { fieldCount: 17 },
    );
    expect(line).toContain(' "GET /a?filename="x.json" HTTP/1.1" ');
    expect(line.endsWith(' ""quoted" agent"')).toBe(true);
  });

  it('appends unknown trailing fields after the 27th', () => {
    const line = formatAccessLogRecord({
      ...base,
      sourceRegion: 'us-east-1',
      extraFields: ['f28', 'f29'],
    });
    expect(line.split(' ').slice(-3)).toEqual(['us-east-1', 'f28', 'f29']);
  });

  it.each([16, 28, 20.5])('refuses a field count of %s', (fieldCount) => {
    expect(() => formatAccessLogRecord(base, { fieldCount })).toThrow(/from 17 to 27/);
  });
});

describe('formatLogTime', () => {
  it.each([
    ['2019-02-06T00:00:38Z', '[06/Feb/2019:00:00:38 +0000]'],
    ['2026-12-31T23:59:59Z', '[31/Dec/2026:23:59:59 +0000]'],
    ['2021-02-09T14:48:42+02:00', '[09/Feb/2021:12:48:42 +0000]'],
  ])('writes %s as %s', (iso, expected) => {
    expect(formatLogTime(iso)).toBe(expected);
  });

  it('refuses text that is not a time', () => {
    expect(() => formatLogTime('yesterday')).toThrow(/not an ISO 8601 time/);
  });
});
