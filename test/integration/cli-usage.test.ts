import { randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeterLogsHandler } from '../../functions/meter-logs/meter-logs.ts';
import { createMeterLogsDeps } from '../../functions/meter-logs/meter-logs-deps.ts';
import { emptyCounters } from '../../shared/usage/usage-counters.ts';
import type { LateContribution } from '../../shared/usage/usage-store.ts';
import { cliOn } from '../helpers/cli.ts';
import { s3ClientFor, sharedStack } from '../helpers/local-stack.ts';
import { logCreatedEvent, logLine } from '../helpers/log-objects.ts';
import { SIGNER_ROLE } from '../helpers/rules.ts';
import { seedCustomers } from '../helpers/seed.ts';
import { createTestTable } from '../helpers/table.ts';

const BUCKET = 'shared-test-bucket';
const PREFIX = `recon-${randomBytes(4).toString('hex')}/`;
let table: Awaited<ReturnType<typeof createTestTable>>;
let s3: S3Client;
let cli: ReturnType<typeof cliOn>;

const LOGS: Record<string, string[]> = {
  '2026-11-20-08-00-00-AAAAAAAAAAAAAAAA': [
    logLine({ customer: 'acme', bytes: 100, time: '2026-11-20T07:59:00Z' }),
    logLine({ customer: null, bytes: 5, time: '2026-11-20T07:59:01Z' }),
  ],
  '2026-11-21-08-00-00-BBBBBBBBBBBBBBBB': [
    logLine({ customer: 'acme', bytes: 20, time: '2026-11-21T07:00:00Z' }),
    logLine({ customer: 'globex', bytes: 3, time: '2026-11-21T07:00:01Z', status: 404 }),
  ],
  '2026-11-22-08-00-00-CCCCCCCCCCCCCCCC': [
    logLine({ customer: 'globex', bytes: 7000, time: '2026-11-22T07:30:00Z' }),
  ],
};

beforeAll(async () => {
  const stack = sharedStack();
  table = await createTestTable();
  s3 = s3ClientFor(stack);
  cli = cliOn(table.tableName);
  await seedCustomers(table, ['acme', 'globex']);
  for (const [name, lines] of Object.entries(LOGS)) {
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `${PREFIX}${name}`,
        Body: `${lines.join('\n')}\n`,
      }),
    );
  }
  // The Lambda has already metered the first one.
  await createMeterLogsHandler(
    createMeterLogsDeps({
      config: { tableName: table.tableName, logPrefix: PREFIX, signers: [SIGNER_ROLE] },
      s3,
      documents: table.documents,
      logger: new Logger({ logLevel: 'SILENT' }),
    }),
  )(logCreatedEvent(BUCKET, `${PREFIX}2026-11-20-08-00-00-AAAAAAAAAAAAAAAA`));
});

afterAll(() => {
  s3?.destroy();
  table?.destroy();
});

describe('usage-meter reconcile, report and verify', () => {
  it('reconciles only what is missing, from a day on, and again finds nothing to do', async () => {
    const since = await cli(
      'reconcile',
      '--log-bucket',
      BUCKET,
      '--prefix',
      PREFIX,
      '--since',
      '2026-11-22',
      '--signer',
      SIGNER_ROLE,
    );
    expect(since).toMatchObject({
      code: 0,
      out: 'listed 1, ignored 0, metered 1, already metered 0, changed 0, failed 0\n',
    });
    const all = await cli(
      'reconcile',
      '--log-bucket',
      BUCKET,
      '--prefix',
      PREFIX,
      '--concurrency',
      '2',
      '--signer',
      SIGNER_ROLE,
    );
    expect(all.out).toBe(
      'listed 3, ignored 0, metered 1, already metered 2, changed 0, failed 0\n',
    );
    const again = await cli(
      'reconcile',
      '--log-bucket',
      BUCKET,
      '--prefix',
      PREFIX,
      '--signer',
      SIGNER_ROLE,
    );
    expect(again.out).toBe(
      'listed 3, ignored 0, metered 0, already metered 3, changed 0, failed 0\n',
    );
  });

  it('reports the totals billing reads, in each format', async () => {
    // The one request signed without a customer: untracked, and why.
    const noCustomer = { ...emptyCounters(), downloadBytes: 5, downloadRequests: 1 };
    // Without a settle window November settled as it ended, before anything here was metered.
    const json = await cli(
      'report',
      '--period',
      '2026-11',
      '--format',
      'json',
      '--settle-window',
      '0',
    );
    const report = JSON.parse(json.out) as Record<string, unknown> & {
      lateAdjustments: LateContribution[];
    };
    const { lateAdjustments, ...rest } = report;
    expect(rest).toEqual({
      period: '2026-11',
      status: 'settled',
      settlesAt: '2026-12-01T00:00:00.000Z',
      customers: [
        {
          customerId: 'acme',
          downloadBytes: 120,
          downloadRequests: 2,
          uploadBytes: 0,
          uploadRequests: 0,
          errorRequests: 0,
          otherRequests: 0,
        },
        {
          customerId: 'globex',
          downloadBytes: 7000,
          downloadRequests: 1,
          uploadBytes: 0,
          uploadRequests: 0,
          errorRequests: 1,
          otherRequests: 0,
        },
      ],
      untracked: noCustomer,
      untrackedByReason: { 'no-customer': noCustomer },
    });
    // So every contribution to a customer is a late adjustment, and they add up to the totals.
    const lateBytes = (customerId: string) =>
      lateAdjustments
        .filter((late) => late.customerId === customerId)
        .reduce((sum, late) => sum + late.downloadBytes, 0);
    expect([lateBytes('acme'), lateBytes('globex')]).toEqual([120, 7000]);
    expect(lateAdjustments.map((late) => late.day).sort()).toEqual([
      '2026-11-20',
      '2026-11-21',
      '2026-11-21',
      '2026-11-22',
    ]);
    const csv = await cli('report', '--period', '2026-11-21', '--format', 'csv');
    expect(csv.out).toBe(
      'customerId,downloadBytes,downloadRequests,uploadBytes,uploadRequests,errorRequests,otherRequests\n' +
        'acme,20,1,0,0,0,0\n' +
        'globex,0,0,0,0,1,0\n',
    );
    expect(await cli('report', '--period', '2099-01')).toEqual({
      code: 0,
      out:
        '2099-01 is open: its usage may still grow until 2099-02-03T00:00:00.000Z\n' +
        'no usage in 2099-01: nothing has been metered for it yet\n',
      err: '',
    });
    const one = await cli(
      'report',
      '--period',
      '2026-11',
      '--customer',
      'globex',
      '--settle-window',
      '0',
    );
    expect(one.out.split('\n').slice(0, 3)).toEqual([
      '2026-11 is settled since 2026-12-01T00:00:00.000Z; 2 late adjustments below',
      expect.stringMatching(/^CUSTOMER +downloadBytes/),
      expect.stringMatching(/^globex +7000 +1 +0 +0 +1 +0$/),
    ]);
    const late = one.out.slice(one.out.indexOf('late adjustments:')).split('\n');
    expect(late[0]).toBe('late adjustments: metered after 2026-11 settled (in the totals above)');
    // In the order they were metered: the first reconcile (--since 2026-11-22) took the 22nd.
    expect(late.slice(2, 5).map((row) => row.split(/ +/).slice(0, 2))).toEqual([
      ['globex', '2026-11-22'],
      ['globex', '2026-11-21'],
      [''],
    ]);
    expect((await cli('report', '--period', 'November')).err).toContain(
      "--period must be a month (2026-11) or a day (2026-11-22), got 'November'",
    );
  });

  it('prints reconcile and verify results as JSON on --json', async () => {
    const reconciled = await cli(
      'reconcile',
      '--log-bucket',
      BUCKET,
      '--prefix',
      PREFIX,
      '--signer',
      SIGNER_ROLE,
      '--json',
    );
    expect(JSON.parse(reconciled.out)).toEqual({
      listed: 3,
      ignored: 0,
      metered: 0,
      alreadyMetered: 3,
      changed: 0,
      failed: 0,
    });
    const verified = await cli(
      'verify',
      '--period',
      '2026-11',
      '--log-bucket',
      BUCKET,
      '--prefix',
      PREFIX,
      '--json',
    );
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.out)).toMatchObject({
      period: '2026-11',
      ok: true,
      ledger: { accounts: 3, differences: [] },
      completeness: { objects: 3, unmetered: [], unreadable: [], duplicates: 0 },
    });
  });

  it('tells who passes --bucket to reconcile that it reads the log bucket', async () => {
    const result = await cli('reconcile', '--bucket', BUCKET, '--signer', SIGNER_ROLE);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'reconcile reads the log bucket: pass --log-bucket <name> (--bucket names the content bucket)',
    );
  });

  it('refuses to reconcile without knowing whose links bill customers', async () => {
    const result = await cli('reconcile', '--log-bucket', BUCKET, '--prefix', PREFIX);
    expect(result.code).toBe(2);
    expect(result.err).toContain('Pass --signer <arn> (repeatable) or set SIGNER_ARNS');
  });

  it('refuses to reconcile a prefix with no log objects at all: a wrong bucket or prefix', async () => {
    const result = await cli(
      'reconcile',
      '--log-bucket',
      BUCKET,
      '--prefix',
      'no-such-prefix/',
      '--signer',
      SIGNER_ROLE,
    );
    expect(result).toMatchObject({
      code: 1,
      out: 'listed 0, ignored 0, metered 0, already metered 0, changed 0, failed 0\n',
    });
    expect(result.err).toContain('no log objects under s3://shared-test-bucket/no-such-prefix/');
  });

  const verify = () =>
    cli('verify', '--period', '2026-11', '--log-bucket', BUCKET, '--prefix', PREFIX);
  const objects = (count: number, tail: string) =>
    `${count} log objects of s3://${BUCKET}/${PREFIX} for 2026-11: ${tail}\n`;

  it('verifies that totals equal their contributions, and finds a total that does not', async () => {
    expect(await verify()).toEqual({
      code: 0,
      out:
        '3 accounts checked for 2026-11: all totals equal their contributions\n' +
        objects(3, 'all metered'),
      err: '',
    });
    await table.documents.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { PK: 'CUSTOMER#acme', SK: 'USAGE#M#2026-11' },
        UpdateExpression: 'ADD downloadBytes :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    expect(await verify()).toEqual({
      code: 1,
      out:
        'acme: downloadBytes total 121 ≠ ledger 120\n' +
        '3 accounts checked for 2026-11: 1 differ\n' +
        objects(3, 'all metered'),
      err: '',
    });
    await table.documents.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { PK: 'CUSTOMER#acme', SK: 'USAGE#M#2026-11' },
        UpdateExpression: 'ADD downloadBytes :minusOne',
        ExpressionAttributeValues: { ':minusOne': -1 },
      }),
    );
  });

  it('fails while a log object of the period is unmetered or unreadable, late deliveries included', async () => {
    const put = (name: string, lines: string[]) =>
      s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: `${PREFIX}${name}`, Body: lines.join('\n') }),
      );
    // Delivered on 2 December: it may hold November's last requests.
    await put('2026-12-02-01-00-00-DDDDDDDDDDDDDDDD', [
      logLine({ customer: 'acme', bytes: 1, time: '2026-11-30T23:59:00Z' }),
    ]);
    await put('2026-11-23-08-00-00-EEEEEEEEEEEEEEEE', ['not a log line']);
    // Delivered in January: another period's.
    await put('2027-01-05-08-00-00-FFFFFFFFFFFFFFFF', ['not a log line either']);
    const before = await verify();
    expect(before.code).toBe(1);
    expect(before.out).toContain(
      `unmetered: ${BUCKET}/${PREFIX}2026-12-02-01-00-00-DDDDDDDDDDDDDDDD (run usage-meter reconcile)\n`,
    );
    expect(before.out).toContain(
      `unmetered: ${BUCKET}/${PREFIX}2026-11-23-08-00-00-EEEEEEEEEEEEEEEE (run usage-meter reconcile)\n`,
    );
    expect(before.out).toContain(objects(5, '2 not counted'));
    expect(before.out).not.toContain('2027-01-05');

    await cli('reconcile', '--log-bucket', BUCKET, '--prefix', PREFIX, '--signer', SIGNER_ROLE);
    const after = await verify();
    expect(after.code).toBe(1);
    expect(after.out).toContain(
      `unreadable: ${BUCKET}/${PREFIX}2026-11-23-08-00-00-EEEEEEEEEEEEEEEE (all 1 lines rejected)\n`,
    );
    expect(after.out).toContain(objects(5, '1 not counted'));
  });
});
