import { describe, expect, it } from 'vitest';
import {
  ACCESS_LOG_FIELDS,
  formatAccessLogRecord,
  parseLine,
  parseLogTime,
} from '../../../shared/access-log/index.ts';
import { readCorpus } from '../../helpers/corpus.ts';
import { makeRecord } from '../../helpers/records.ts';

const corpus = readCorpus();

describe('parseLine on the corpus of real-world lines', () => {
  it('has the corpus to read', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(49);
  });

  const valid = corpus.filter((c) => !c.expected._expectError);
  it.each(valid.map((c) => [`${c.file}:${c.line}`, c] as const))(
    'reads %s with every expected value',
    (_, c) => {
      const result = parseLine(c.text);
      if (!result.ok) throw new Error(`rejected: ${result.reason}`);
      const actual = Object.fromEntries(
        ACCESS_LOG_FIELDS.map(({ name }) => [name, result.record[name]]),
      );
      const expected = Object.fromEntries(
        ACCESS_LOG_FIELDS.map(({ name }) => [name, c.expected[name]]),
      );
      expect(actual).toEqual(expected);
      expect(result.fieldCount).toBe(c.expected._fieldCount);
      expect(result.record.extraFields).toEqual(c.expected._extraFields ?? []);
    },
  );

  const invalid = corpus.filter((c) => c.expected._expectError);
  it.each(invalid.map((c) => [`${c.file}:${c.line}`, c] as const))('rejects %s', (_, c) => {
    expect(parseLine(c.text)).toEqual({ ok: false, reason: expect.any(String) });
  });
});

describe('parseLine on format quirks', () => {
  const line = formatAccessLogRecord(makeRecord());

  it('reads the current 27-field format, keeping the source region', () => {
    const result = parseLine(line);
    expect(result).toMatchObject({
      ok: true,
      fieldCount: 27,
      record: { sourceRegion: 'us-east-1' },
    });
  });

  it('keeps unknown trailing fields of a future format', () => {
    expect(parseLine(`${line} new-field-28 new-field-29`)).toMatchObject({
      ok: true,
      fieldCount: 29,
      record: { sourceRegion: 'us-east-1', extraFields: ['new-field-28', 'new-field-29'] },
    });
  });

  it('reads numbers beyond 2^31 exactly', () => {
    const big = formatAccessLogRecord(
      makeRecord({ bytesSent: 10679416372, objectSize: 422868123111 }),
    );
    expect(parseLine(big)).toMatchObject({
      ok: true,
      record: { bytesSent: 10679416372, objectSize: 422868123111 },
    });
  });

  it('converts a time with an offset to UTC, across a day and year boundary', () => {
    const shifted = line.replace(/\[[^\]]+\]/, '[31/Dec/2026:23:30:00 -0130]');
    expect(parseLine(shifted)).toMatchObject({
      ok: true,
      record: { time: '2027-01-01T01:00:00Z' },
    });
  });

  it('reads a quoted dash as null in the Request-URI, Referer and User-Agent', () => {
    const dashes = formatAccessLogRecord(makeRecord({ referrer: null, userAgent: null })).replace(
      /"GET [^"]*"/,
      '"-"',
    );
    expect(parseLine(dashes)).toMatchObject({
      ok: true,
      record: { requestUri: null, referrer: null, userAgent: null },
    });
  });

  it('reads an empty quoted User-Agent as an empty string', () => {
    expect(parseLine(formatAccessLogRecord(makeRecord({ userAgent: '' })))).toMatchObject({
      ok: true,
      record: { userAgent: '', versionId: null },
    });
  });

  it('tolerates runs of spaces between fields and trailing spaces', () => {
    const spaced = `${line.replace(' 200 ', '   200  ').replace(' REST.GET.OBJECT ', '  REST.GET.OBJECT ')}   `;
    const result = parseLine(spaced);
    expect(result).toMatchObject({
      ok: true,
      fieldCount: 27,
      record: { httpStatus: 200, operation: 'REST.GET.OBJECT' },
    });
  });

  it.each([
    [
      'the time is not bracketed',
      line.replace(/\[([^\]]+)\]/, '$1'),
      /time field is not bracketed/,
    ],
    ['the month is not English', line.replace(/\/Nov\//, '/Noe/'), /time field is not/],
    // The Request-URI then seems to run on to a later quote; the fields after it do not fit.
    ['the status is not numeric', line.replace(' 200 ', ' OK '), /Referer is neither quoted nor -/],
    [
      'Bytes Sent is not numeric',
      line.replace(' 200 - 1024 ', ' 200 - 1k '),
      /Bytes Sent is not a number: 1k/,
    ],
    [
      'the User-Agent quote is not closed',
      line.replace('"curl/8.5.0"', '"curl/8.5.0'),
      /User-Agent has no closing quote/,
    ],
    [
      'the authentication type is unknown',
      line.replace(' QueryString ', ' Cookie '),
      /authentication type/,
    ],
    [
      'there are only 16 fields',
      line.split(' "curl')[0] ?? '',
      /Referer has no closing quote before the User-Agent/,
    ],
    ['there are only 9 fields', line.split(' 200 ')[0] ?? '', /Request-URI has no closing quote/],
    [
      'there are only 5 fields',
      line.split(' 3E57')[0] ?? '',
      /too few fields: the line ends after field 5,/,
    ],
  ])('rejects a line where %s', (_, text, reason) => {
    const result = parseLine(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('never shifts fields of a line cut short: a cut line is rejected or keeps each field in place', () => {
    const original = parseLine(line);
    if (!original.ok) throw new Error('fixture does not parse');
    for (let cut = 0; cut < line.length; cut++) {
      const result = parseLine(line.slice(0, cut));
      if (!result.ok) continue;
      for (const { name } of ACCESS_LOG_FIELDS) {
        const value = result.record[name];
        const whole = original.record[name];
        // A field is whole, missing (the line ended before it) or cut (the last one read).
        const inPlace =
          value === null ||
          value === whole ||
          (typeof value === 'string' && String(whole).startsWith(value));
        expect(inPlace, `cut at ${cut}: ${name} = ${String(value)}`).toBe(true);
      }
    }
  });
});

describe('parseLogTime', () => {
  it.each([
    ['06/Feb/2019:00:00:38 +0000', '2019-02-06T00:00:38Z'],
    ['10/Feb/2012:16:42:07 -0500', '2012-02-10T21:42:07Z'],
    ['01/Mar/2024:01:00:00 +0200', '2024-02-29T23:00:00Z'],
  ])('reads %s as %s', (text, iso) => {
    expect(parseLogTime(text)).toBe(iso);
  });

  it.each(['06/Feb/2019:00:00:38', '6/Feb/2019:00:00:38 +0000', '06/feb/2019:00:00:38 +0000', '-'])(
    'refuses %s',
    (text) => {
      expect(parseLogTime(text)).toBeUndefined();
    },
  );

  it('refuses a time with anything but a digit where a digit goes, wherever it is', () => {
    const time = '06/Feb/2019:00:00:38 +0000';
    const digitsAt = [...time].flatMap((c, i) => (c >= '0' && c <= '9' ? [i] : []));
    expect(digitsAt).toHaveLength(16);
    for (const at of digitsAt) {
      for (const other of ['x', ' ', '/', ':', '\u0660']) {
        expect(parseLogTime(time.slice(0, at) + other + time.slice(at + 1))).toBeUndefined();
      }
    }
  });

  // The last calendar day read is remembered: a day that does not exist must never be
  // taken for it, whatever was read just before.
  it.each([
    ['08/Nov/2026:00:00:00 +0000', '40/Oct/2026:00:00:00 +0000'],
    ['01/Jan/2027:00:00:00 +0000', '33/Dec/2026:00:00:00 +0000'],
    ['30/Nov/2026:00:00:00 +0000', '31/Nov/2026:00:00:00 +0000'],
    ['01/Mar/2026:00:00:00 +0000', '29/Feb/2026:00:00:00 +0000'],
    ['06/Feb/2019:00:00:38 +0000', '00/Feb/2019:00:00:38 +0000'],
  ])('after %s, refuses %s', (real, unreal) => {
    expect(parseLogTime(real)).toBeDefined();
    expect(parseLogTime(unreal)).toBeUndefined();
    const record = formatAccessLogRecord(makeRecord());
    expect(parseLine(record.replace(/\[[^\]]*\]/, `[${real}]`)).ok).toBe(true);
    expect(parseLine(record.replace(/\[[^\]]*\]/, `[${unreal}]`)).ok).toBe(false);
  });
});

describe('parseLine: every field within what S3 can write', () => {
  const base = formatAccessLogRecord(makeRecord());
  const withTime = (time: string) => base.replace(/\[[^\]]+\]/, `[${time}]`);
  const withNumbers = (bytesSent: string, objectSize = '1024', times = '12 3') =>
    base.replace(' 200 - 1024 1024 12 3 ', ` 200 - ${bytesSent} ${objectSize} ${times} `);

  it('reads the largest values S3 can write', () => {
    const most = String(5 * 1024 ** 4);
    expect(parseLine(withNumbers(most, most, '86400000 86400000'))).toMatchObject({
      ok: true,
      record: { bytesSent: 5 * 1024 ** 4, objectSize: 5 * 1024 ** 4, totalTime: 86_400_000 },
    });
  });

  it.each([
    [
      'Bytes Sent of 2^53',
      withNumbers('9007199254740992'),
      /Bytes Sent is beyond what S3 can write/,
    ],
    ['Bytes Sent of 401 digits', withNumbers('9'.repeat(401)), /Bytes Sent is beyond what S3/],
    ['Bytes Sent just over 5 TiB', withNumbers(String(5 * 1024 ** 4 + 1)), /Bytes Sent is beyond/],
    ['an Infinity-like Object Size', withNumbers('1', 'Infinity'), /Object Size is not a number/],
    ['a negative Bytes Sent', withNumbers('-5'), /Bytes Sent is not a number/],
    ['a fractional Bytes Sent', withNumbers('1.5'), /Bytes Sent is not a number/],
    ['an exponent', withNumbers('1e3'), /Bytes Sent is not a number/],
    ['a Total Time over a day', withNumbers('1', '1', '86400001 3'), /Total Time is beyond/],
    ['a status of 999', base.replace(' 200 ', ' 999 '), /the status is beyond what S3/],
    ['day 32', withTime('32/Oct/2026:10:00:00 +0000'), /time field is not/],
    ['day 0', withTime('00/Oct/2026:10:00:00 +0000'), /time field is not/],
    ['31 November', withTime('31/Nov/2026:10:00:00 +0000'), /time field is not/],
    ['29 February of 2026', withTime('29/Feb/2026:10:00:00 +0000'), /time field is not/],
    ['29 February of 2100', withTime('29/Feb/2100:10:00:00 +0000'), /time field is not/],
    ['25:61:61', withTime('22/Nov/2026:25:61:61 +0000'), /time field is not/],
    ['minute 60', withTime('22/Nov/2026:10:60:00 +0000'), /time field is not/],
    ['an offset of +9999', withTime('22/Nov/2026:10:00:00 +9999'), /time field is not/],
    ['an offset beyond +14:00', withTime('22/Nov/2026:10:00:00 +1401'), /time field is not/],
    ['an offset with 60 minutes', withTime('22/Nov/2026:10:00:00 -0060'), /time field is not/],
  ])('rejects %s', (_, text, reason) => {
    const result = parseLine(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it.each([
    ['29 February of a leap year', '29/Feb/2028:10:00:00 +0000', '2028-02-29T10:00:00Z'],
    ['29 February of 2000', '29/Feb/2000:23:59:59 +0000', '2000-02-29T23:59:59Z'],
    ['the widest offsets', '01/Jan/2027:00:30:00 +1400', '2026-12-31T10:30:00Z'],
    ['a western offset', '31/Dec/2026:20:00:00 -1200', '2027-01-01T08:00:00Z'],
  ])('reads %s', (_, time, iso) => {
    expect(parseLine(withTime(time))).toMatchObject({ ok: true, record: { time: iso } });
  });
});

describe('parseLine: record shapes that broke other parsers', () => {
  const base = formatAccessLogRecord(makeRecord());

  it('reads a Requester with spaces: a CloudFront origin access identity', () => {
    const oai = 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2ABCDEF123456';
    const result = parseLine(base.replace(/ arn:aws:sts::\S+ /, ` ${oai} `));
    expect(result).toMatchObject({
      ok: true,
      fieldCount: 27,
      record: { requester: oai, requestId: '3E57427F3EXAMPLE', operation: 'REST.GET.OBJECT' },
    });
  });

  it.each([
    ['a four-part operation', { operation: 'S3.COMPUTE.OBJECT.CHECKSUM' }],
    ['a request id with hyphens', { requestId: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890' }],
    ['a Host Header with a port', { hostHeader: 'bucket.s3.us-east-1.amazonaws.com:443' }],
  ] as const)('reads %s', (_, changes) => {
    const result = parseLine(formatAccessLogRecord(makeRecord(changes)));
    expect(result).toMatchObject({ ok: true, fieldCount: 27, record: changes });
  });
});
