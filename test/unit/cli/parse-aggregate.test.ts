import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateFiles } from '../../../cli/aggregate-files.ts';
import { aggregateInThreads } from '../../../cli/aggregate-in-threads.ts';
import { main } from '../../../cli/main.ts';
import { formatAccessLogRecord } from '../../../shared/access-log/index.ts';
import { CORPUS_DIR } from '../../helpers/corpus.ts';
import { captureIo } from '../../helpers/capture-io.ts';
import { makeRecord, presignedUri } from '../../helpers/records.ts';

const PATH = '/usage-meter-content/a.bin';
let dir: string;
let logFile: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usage-meter-cli-'));
  logFile = join(dir, 'access.log');
  const lines = [
    makeRecord({ bytesSent: 1000, requestUri: presignedUri('GET', PATH, 'acme', 'L1') }),
    makeRecord({
      httpStatus: 206,
      bytesSent: 24,
      requestUri: presignedUri('GET', PATH, 'acme', 'L1'),
    }),
    makeRecord({
      operation: 'REST.PUT.OBJECT',
      bytesSent: null,
      objectSize: 500,
      requestUri: presignedUri('PUT', PATH, 'globex'),
    }),
    makeRecord({
      httpStatus: 403,
      errorCode: 'SignatureDoesNotMatch',
      requestUri: presignedUri('GET', PATH, 'globex'),
    }),
    makeRecord({
      operation: 'REST.HEAD.OBJECT',
      bytesSent: null,
      requestUri: presignedUri('HEAD', PATH, 'acme'),
    }),
    makeRecord({ bytesSent: 3, requestUri: `GET ${PATH} HTTP/1.1` }),
  ].map((record) => formatAccessLogRecord(record));
  await writeFile(logFile, `${lines.join('\n')}\nnot a log line\n\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('usage-meter parse', () => {
  it('prints one JSON line per non-empty line: a record or an error, and the rejected count on stderr', async () => {
    const io = captureIo();
    expect(
      await main(
        ['parse', join(CORPUS_DIR, 'logs', 'icodeforlove-s3-access-log-parser-test.log')],
        io,
      ),
    ).toBe(0);
    const entries = io
      .out()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((e) => [e.line, 'record' in e, e.error ?? null])).toEqual([
      [1, true, null],
      [2, true, null],
      [3, true, null],
      [4, false, 'the time field is not bracketed: +0000]'],
      [5, false, 'too few fields: the line ends after field 2, at least 17 expected'],
    ]);
    expect(entries[0]?.record).toMatchObject({
      bucket: 'mybucket-2',
      time: '2014-02-06T00:00:38Z',
      requestUri: 'GET /mybucket-%20file?versioning HTTP/1.1',
      httpStatus: 200,
      bytesSent: 113,
      objectSize: null,
      referrer: null,
      userAgent: 'S3Console/0.4',
      hostId: null,
    });
    expect(Object.keys(entries[0]?.record as object)).toEqual(
      expect.arrayContaining([
        'bucketOwner',
        'requestId',
        'operation',
        'key',
        'errorCode',
        'totalTime',
        'turnAroundTime',
        'versionId',
        'signatureVersion',
        'cipherSuite',
        'authType',
        'hostHeader',
        'tlsVersion',
        'accessPointArn',
        'aclRequired',
        'sourceRegion',
      ]),
    );
    expect(io.err()).toBe('3 records, 2 rejected lines\n');
  });

  it('reads stdin for -', async () => {
    const io = captureIo('bad line\n');
    expect(await main(['parse', '-'], io)).toBe(0);
    expect(JSON.parse(io.out())).toEqual({
      line: 1,
      error: expect.stringContaining('too few fields'),
    });
  });

  it('names the file of each line when given several files', async () => {
    const io = captureIo();
    await main(['parse', logFile, logFile], io);
    const files = io
      .out()
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { file: string }).file);
    expect(new Set(files)).toEqual(new Set([logFile]));
    expect(files).toHaveLength(14);
  });

  it('names every file it cannot read and exits 2', async () => {
    const io = captureIo();
    expect(await main(['parse', '/nonexistent/a.log', logFile, '/nonexistent/b.log'], io)).toBe(2);
    expect(io.err()).toContain('cannot read: /nonexistent/a.log, /nonexistent/b.log');
  });
});

describe('usage-meter aggregate', () => {
  const acme = {
    downloadBytes: 1024,
    downloadRequests: 2,
    uploadBytes: 0,
    uploadRequests: 0,
    errorRequests: 0,
    otherRequests: 1,
  };
  const globex = {
    downloadBytes: 0,
    downloadRequests: 0,
    uploadBytes: 500,
    uploadRequests: 1,
    errorRequests: 1,
    otherRequests: 0,
  };
  const untracked = {
    downloadBytes: 3,
    downloadRequests: 1,
    uploadBytes: 0,
    uploadRequests: 0,
    errorRequests: 0,
    otherRequests: 0,
  };

  it('prints per-customer totals, untracked and rejected lines as JSON', async () => {
    const io = captureIo();
    expect(await main(['aggregate', '--json', logFile], io)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({
      customers: { acme, globex },
      untracked,
      rejectedLines: 1,
      records: 6,
    });
  });

  it('prints CSV with the untracked row last', async () => {
    const io = captureIo();
    await main(['aggregate', '--csv', logFile], io);
    expect(io.out()).toBe(
      [
        'customer,downloadBytes,downloadRequests,uploadBytes,uploadRequests,errorRequests,otherRequests',
        'acme,1024,2,0,0,0,1',
        'globex,0,0,500,1,1,0',
        '(untracked),3,1,0,0,0,0',
        '',
      ].join('\n'),
    );
  });

  it('prints a table by default', async () => {
    const io = captureIo();
    await main(['aggregate', logFile], io);
    expect(io.out()).toMatch(/^customer +downloadBytes +downloadRequests/);
    expect(io.out()).toMatch(/^acme +1024 +2 +0 +0 +0 +1$/m);
    expect(io.out()).toContain('records: 6, rejected lines: 1');
  });

  it('reads a gzip file by its bytes, whatever its name, as the same log', async () => {
    const zipped = join(dir, 'access.log.1');
    await writeFile(zipped, gzipSync(await readFile(logFile)));
    const plain = captureIo();
    await main(['aggregate', '--json', logFile], plain);
    const io = captureIo();
    expect(await main(['aggregate', '--json', zipped], io)).toBe(0);
    const { rejectionSamples, ...totals } = JSON.parse(plain.out()) as {
      rejectionSamples: Array<{ file: string }>;
    };
    expect(JSON.parse(io.out())).toEqual({
      ...totals,
      rejectionSamples: rejectionSamples.map((sample) => ({ ...sample, file: zipped })),
    });
    const parsed = captureIo();
    await main(['parse', zipped], parsed);
    expect(parsed.out().split('\n').filter(Boolean)).toHaveLength(7);
  });

  it('refuses --json with --csv', async () => {
    const io = captureIo();
    expect(await main(['aggregate', '--json', '--csv', logFile], io)).toBe(2);
    expect(io.err()).toContain('choose one of --json and --csv');
  });

  it('names every --signer that is not a signer ARN, with the one a role ARN means', async () => {
    const io = captureIo();
    const args = ['--signer', 'arn:aws:iam::123456789012:role/links', '--signer', 'links'];
    expect(await main(['aggregate', ...args, logFile], io)).toBe(2);
    expect(io.err()).toContain(
      "got 'arn:aws:iam::123456789012:role/links' (did you mean arn:aws:sts::123456789012:assumed-role/links?), 'links'",
    );
    expect(io.out()).toBe('');
  });

  it('shows its progress on a terminal only, and prints the same results either way', async () => {
    const big = join(dir, 'big.log');
    const line = (i: number) =>
      formatAccessLogRecord(
        makeRecord({
          requestId: `BIG${String(i).padStart(13, '0')}`,
          bytesSent: 10,
          requestUri: presignedUri('GET', PATH, 'acme'),
        }),
      );
    const text = `${Array.from({ length: 25_000 }, (_, i) => line(i)).join('\n')}\n`;
    await writeFile(big, text);
    const piped = captureIo();
    expect(await main(['aggregate', '--json', big], piped)).toBe(0);
    const terminal = captureIo();
    (terminal.stderr as { isTTY?: boolean }).isTTY = true;
    expect(await main(['aggregate', '--json', big], terminal)).toBe(0);

    expect(terminal.out()).toBe(piped.out());
    expect(JSON.parse(terminal.out())).toMatchObject({
      customers: { acme: { downloadBytes: 250_000, downloadRequests: 25_000 } },
    });
    const size = (Buffer.byteLength(text) / 1024 ** 2).toFixed(1);
    // The first redraw (at 10,000 lines) always shows; the last is the whole file.
    expect(terminal.err()).toContain(`\rread `);
    expect(terminal.err()).toContain(`, 10000 lines\x1b[K`);
    expect(terminal.err()).toMatch(
      new RegExp(`\\rread ${size} MiB of ${size} MiB, 25000 lines\\x1b\\[K\\n$`),
    );
    expect(piped.err()).not.toContain('\r');
    expect(piped.err()).not.toContain('lines');
  });

  it('counts the same with threads as with one, twins and rejections across files included', async () => {
    // Lines of many lengths (so every thread has a share), records S3 delivered twice (one
    // right after itself, others far apart, one across files), and lines that are not
    // records, in two files.
    const line = (i: number, customer: string, bytes: number) =>
      formatAccessLogRecord(
        makeRecord({
          requestId: `TW${String(i).padStart(14, '0')}`,
          key: `data/${'k'.repeat(i % 7)}.bin`,
          bytesSent: bytes,
          requestUri: presignedUri('GET', `${PATH}${'p'.repeat(i % 5)}`, customer, `L${i % 3}`),
        }),
      );
    const first = Array.from({ length: 400 }, (_, i) => line(i, i % 2 ? 'acme' : 'globex', i));
    const second = Array.from({ length: 300 }, (_, i) => line(1000 + i, 'acme', 7));
    first.splice(150, 0, 'not a log line');
    first.splice(100, 0, first[99] as string);
    first.push(first[3] as string, first[4] as string, 'x'.repeat(33));
    second.push(first[10] as string, 'bad');
    const a = join(dir, 'threads-a.log');
    const b = join(dir, 'threads-b.log');
    await writeFile(a, `${first.join('\n')}\n`);
    await writeFile(b, `${second.join('\n')}\n`);

    const run = async (threads: string) => {
      const io = captureIo();
      expect(await main(['aggregate', '--json', '--threads', threads, a, b], io)).toBe(0);
      return JSON.parse(io.out()) as Record<string, unknown>;
    };
    const one = await run('1');
    // Bytes i of the 400 first lines: odd i for acme, even for globex; 300 × 7 more for acme.
    expect(one).toMatchObject({
      customers: {
        acme: { downloadBytes: 40_000 + 2_100, downloadRequests: 500 },
        globex: { downloadBytes: 39_800, downloadRequests: 200 },
      },
      records: 700,
      duplicateRecords: 4,
      rejectedLines: 3,
      rejectionSamples: [
        { file: a, line: 152, reason: expect.any(String) },
        { file: a, line: 405, reason: expect.any(String) },
        { file: b, line: 302, reason: expect.any(String) },
      ],
    });
    expect(await run('2')).toEqual(one);
    expect(await run('3')).toEqual(one);
  });

  it('counts the same with threads as with one on small, empty and CRLF files', async () => {
    const line = (i: number) =>
      formatAccessLogRecord(
        makeRecord({
          requestId: `SM${String(i).padStart(14, '0')}`,
          bytesSent: 100 + i,
          requestUri: presignedUri('GET', PATH, i % 2 ? 'acme' : 'globex'),
        }),
      );
    const crlf = join(dir, 'crlf.log');
    const tiny = join(dir, 'tiny.log');
    const empty = join(dir, 'empty.log');
    // CRLF, a repeat, a bad line, and no newline at the end.
    await writeFile(crlf, [line(0), line(1), line(0), 'bad', line(2)].join('\r\n'));
    await writeFile(tiny, `${line(3)}\n`);
    await writeFile(empty, '');
    const run = async (threads: string) => {
      const io = captureIo();
      const code = await main(['aggregate', '--json', '--threads', threads, crlf, empty, tiny], io);
      expect(code).toBe(0);
      return JSON.parse(io.out()) as Record<string, unknown>;
    };
    const one = await run('1');
    expect(one).toMatchObject({
      customers: {
        acme: { downloadBytes: 101 + 103, downloadRequests: 2 },
        globex: { downloadBytes: 100 + 102, downloadRequests: 2 },
      },
      records: 4,
      duplicateRecords: 1,
      rejectedLines: 1,
      rejectionSamples: [{ file: crlf, line: 4, reason: expect.any(String) }],
    });
    for (const threads of ['2', '3', '7']) expect(await run(threads)).toEqual(one);
  });

  it('refuses a --threads that is not a count of threads', async () => {
    const io = captureIo();
    expect(await main(['aggregate', '--threads', '0', '--threads', 'x', logFile], io)).toBe(2);
    expect(io.err()).toContain('--threads must be a whole number from 1 to 32; got x');
  });
});

describe('aggregateInThreads', () => {
  it('counts what one thread counts when threads claim many small pieces of each file', async () => {
    // Pieces far smaller than a file, some smaller than a line: twins in one piece, in two
    // pieces of one thread or of two, and across files; rejected lines in many pieces (their
    // numbers count the lines of every piece before them); CRLF, empty lines, a last line
    // without a newline, an empty file.
    const line = (i: number, customer: string) =>
      formatAccessLogRecord(
        makeRecord({
          requestId: `PC${String(i).padStart(14, '0')}`,
          key: `data/${'k'.repeat(i % 11)}.bin`,
          bytesSent: 10 + i,
          requestUri: presignedUri('GET', PATH, customer, `L${i % 4}`),
        }),
      );
    const first = Array.from({ length: 90 }, (_, i) => line(i, i % 3 ? 'acme' : 'globex'));
    first.splice(40, 0, first[39] as string, 'bad one', '');
    first.splice(70, 0, first[2] as string, 'x'.repeat(2000));
    const second = Array.from({ length: 30 }, (_, i) => line(500 + i, 'acme'));
    second.splice(12, 0, first[60] as string, 'bad two');
    const a = join(dir, 'pieces-a.log');
    const b = join(dir, 'pieces-b.log');
    const empty = join(dir, 'pieces-empty.log');
    await writeFile(a, `${first.join('\r\n')}\r\n`);
    await writeFile(b, second.join('\n'));
    await writeFile(empty, '');
    const paths = [a, empty, b];
    const one = (await aggregateFiles({ paths, signers: [] }, () => {})).totals;
    expect(one).toMatchObject({ records: 120, duplicates: 3, rejected: 3 });
    expect(one.samples.map(({ input, line }) => [input, line])).toEqual([
      [0, 42],
      [0, 72],
      [2, 14],
    ]);
    for (const pieceBytes of [300, 1500, 1 << 20]) {
      for (const threads of [2, 3]) {
        const counted = await aggregateInThreads(paths, [], threads, () => {}, { pieceBytes });
        expect({ pieceBytes, threads, counted }).toEqual({ pieceBytes, threads, counted: one });
      }
    }
  });

  it('reads the files again in one thread when a thread runs out of heap', async () => {
    const log = join(dir, 'heap.log');
    const lines = Array.from({ length: 50 }, (_, i) =>
      formatAccessLogRecord(
        makeRecord({
          requestId: `HEAP${String(i).padStart(12, '0')}`,
          bytesSent: i,
          requestUri: presignedUri('GET', PATH, 'acme'),
        }),
      ),
    );
    await writeFile(log, `${lines.join('\n')}\n`);
    const read = (heapMb?: { young: number; old: number }) =>
      aggregateInThreads([log], [], 2, () => {}, { heapMb });
    const threadFolders = () =>
      readdirSync(tmpdir()).filter((name) => name.startsWith('usage-meter-threads-'));
    const before = threadFolders();
    const fine = await read();
    // A heap too small to start a thread in.
    const starved = await read({ young: 1, old: 1 });
    expect(starved).toEqual(fine);
    // The threads' spill folder is gone, though the starved threads never cleaned up.
    expect(threadFolders()).toEqual(before);
    expect(fine.customers.get('acme')).toMatchObject({ downloadBytes: 1225, downloadRequests: 50 });
  });
});
