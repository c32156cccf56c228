import { randomBytes } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeterLogsHandler } from '../../functions/meter-logs/meter-logs.ts';
import { createMeterLogsDeps } from '../../functions/meter-logs/meter-logs-deps.ts';
import { cliOn } from '../helpers/cli.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { logCreatedEvent, logLine } from '../helpers/log-objects.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { seedCustomers } from '../helpers/seed.ts';
import { createTestTable } from '../helpers/table.ts';

const BUCKET = 'shared-test-bucket';
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let cli: ReturnType<typeof cliOn>;

const download = (customer: string, bytes: number, requestId: string, day = '2026-10-10') =>
  logLine({ customer, bytes, requestId, time: `${day}T10:00:00Z` });

/** Puts log objects under a new prefix; meters those named in `meter` (a thrown open fails one). */
async function deliver(
  objects: Record<string, { lines: string[]; metering: 'metered' | 'unmetered' | 'failed' }>,
): Promise<string> {
  const prefix = `audit-${randomBytes(4).toString('hex')}/`;
  const deps = createMeterLogsDeps({
    config: { tableName: table.tableName, logPrefix: prefix, signers: [SIGNER_ROLE] },
    s3,
    documents: table.documents,
    logger: new Logger({ logLevel: 'SILENT' }),
  });
  for (const [name, { lines, metering }] of Object.entries(objects)) {
    const key = `${prefix}${name}`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: lines.join('\n') }));
    if (metering === 'unmetered') continue;
    const handler = createMeterLogsHandler(
      metering === 'failed'
        ? { ...deps, open: () => Promise.reject(new Error('SlowDown: forced')) }
        : deps,
    );
    const run = handler(logCreatedEvent(BUCKET, key));
    if (metering === 'failed') await expect(run).rejects.toThrow('SlowDown');
    else await run;
  }
  return prefix;
}

const audit = (prefix: string, ...more: string[]) =>
  cli(
    'audit',
    '--period',
    '2026-10',
    '--log-bucket',
    BUCKET,
    '--prefix',
    prefix,
    '--signer',
    SIGNER_ROLE,
    ...more,
  );

beforeAll(async () => {
  table = await createTestTable();
  s3 = s3ClientFor(sharedStack());
  cli = cliOn(table.tableName);
  await seedCustomers(table, ['acme', 'bob']);
});

afterAll(() => {
  s3?.destroy();
  table?.destroy();
});

describe('usage-meter audit', () => {
  it('finds and explains an unmetered object, a failed one and a cross-object duplicate', async () => {
    const prefix = await deliver({
      '2026-10-10-11-00-00-AAAAAAAAAAAAAAAA': {
        lines: [download('acme', 100, 'R1'), download('bob', 50, 'R2'), 'not a log line'],
        metering: 'metered',
      },
      // A later delivery repeats R1 beside a new request: the metering counts R1 again.
      '2026-10-10-12-00-00-BBBBBBBBBBBBBBBB': {
        lines: [download('acme', 100, 'R1'), download('acme', 7, 'R3')],
        metering: 'metered',
      },
      '2026-10-10-13-00-00-CCCCCCCCCCCCCCCC': {
        lines: [download('bob', 30, 'R4')],
        metering: 'unmetered',
      },
      // Delivered on 1 November, two days late at most: still October's.
      '2026-11-01-01-00-00-DDDDDDDDDDDDDDDD': {
        lines: [download('acme', 5, 'R5', '2026-10-31')],
        metering: 'failed',
      },
    });
    const result = await audit(prefix);
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      'acme downloadBytes: stored 207, logs 112 (+95: unmetered -5, cross-object duplicates +100)\n' +
        'bob downloadBytes: stored 50, logs 80 (-30: unmetered -30)\n' +
        'bob downloadRequests: stored 1, logs 2 (-1: unmetered -1)\n' +
        `unmetered: ${BUCKET}/${prefix}2026-10-10-13-00-00-CCCCCCCCCCCCCCCC\n` +
        `unmetered: ${BUCKET}/${prefix}2026-11-01-01-00-00-DDDDDDDDDDDDDDDD\n` +
        '4 log objects (7 lines, 1 rejected, 0 repeated within an object, 0 copies of another) ' +
        'for 2026-10: 2 accounts differ\n',
    );

    const json = JSON.parse((await audit(prefix, '--json')).out) as {
      clean: boolean;
      accounts: Array<{ account: string; recomputed: { downloadBytes: number } }>;
    };
    expect(json.clean).toBe(false);
    expect(json.accounts.map((a) => [a.account, a.recomputed.downloadBytes])).toEqual([
      ['acme', 112],
      ['bob', 80],
    ]);
  });

  it('passes when every total equals its logs, copies and repeats included', async () => {
    // A table of its own: the audit compares the period's totals of the whole table.
    table.destroy();
    table = await createTestTable();
    cli = cliOn(table.tableName);
    await seedCustomers(table, ['clean']);
    const lines = [
      download('clean', 10, 'C1'),
      download('clean', 10, 'C1'),
      download('clean', 3, 'C2'),
    ];
    const prefix = await deliver({
      '2026-10-05-08-00-00-EEEEEEEEEEEEEEEE': { lines, metering: 'metered' },
      '2026-10-05-09-00-00-FFFFFFFFFFFFFFFF': { lines, metering: 'metered' },
    });
    const result = await audit(prefix);
    expect(result).toEqual({
      code: 0,
      out:
        '2 log objects (6 lines, 0 rejected, 2 repeated within an object, 1 copies of another) ' +
        'for 2026-10: every stored total equals the logs\n',
      err: '',
    });
  });

  it('prints the same check as Athena SQL for periods beyond one machine', async () => {
    const result = await audit('logs/', '--athena');
    expect(result.code).toBe(0);
    expect(result.out).toContain(`LOCATION 's3://${BUCKET}/logs/'`);
    expect(result.out).toContain(`requester LIKE '${SIGNER_ROLE}/%'`);
    expect(result.out).toContain("BETWEEN date '2026-10-01' AND date '2026-10-31'");
  });
});
