import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterLogObject } from '../../shared/metering/meter-log-object.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { readPeriodUsage } from '../../shared/usage/period-usage.ts';
import { logLine } from '../helpers/log-objects.ts';
import { customer, testRules } from '../helpers/rules.ts';
import { createTestTable } from '../helpers/table.ts';

let table: Awaited<ReturnType<typeof createTestTable>>;
let store: DynamoDbUsageStore;

/** Meters a log object of acme's downloads (and one unsigned request) at the time `meteredAt`. */
async function meterAt(name: string, meteredAt: string, downloads: Array<[string, number]>) {
  const lines = downloads.map(([time, bytes]) => logLine({ customer: 'acme', bytes, time }));
  lines.push(logLine({ customer: null, bytes: 1, time: downloads[0]?.[0] ?? NOV_10 }));
  const { summary } = await meterLogObject({
    store,
    logObject: `logs-bucket/logs/${name}`,
    open: () => Promise.resolve(lines.map((line) => `${line}\n`)),
    loadRules: () => Promise.resolve(testRules([customer('acme')])),
    now: () => new Date(meteredAt),
  });
  expect(summary.records).toBe(lines.length);
}

const NOV_10 = '2026-11-10T08:00:00Z';
const NOV_30 = '2026-11-30T23:00:00Z';

beforeAll(async () => {
  table = await createTestTable();
  store = new DynamoDbUsageStore(table.documents, table.tableName);
  // With the default window of 48 hours, November 10 settles as the 13th begins and
  // November on December 3rd.
  await meterAt('on-time', '2026-11-10T12:00:00Z', [[NOV_10, 1]]);
  await meterAt('next-morning', '2026-11-11T06:00:00Z', [[NOV_10, 10]]);
  await meterAt('after-the-day-settled', '2026-11-20T00:00:00Z', [[NOV_10, 100]]);
  await meterAt('after-the-month-settled', '2026-12-05T00:00:00Z', [
    [NOV_10, 1000],
    [NOV_30, 10_000],
  ]);
  await meterAt('last-day-in-its-window', '2026-12-02T12:00:00Z', [[NOV_30, 100_000]]);
});

afterAll(() => table?.destroy());

const clock = (now: string) => ({ now: new Date(now), settleWindowHours: 48 });
const lateBytes = (usage: Awaited<ReturnType<typeof readPeriodUsage>>) =>
  usage.lateAdjustments.map(({ logObject, day, downloadBytes }) => [
    logObject.split('/').at(-1),
    day,
    downloadBytes,
  ]);

describe('settled periods and late adjustments', () => {
  it('lists what was metered for a settled month after it settled, and counts it in the totals', async () => {
    const usage = await readPeriodUsage(
      store,
      { kind: 'month', value: '2026-11' },
      clock('2026-12-10T00:00:00Z'),
    );
    expect(usage.settlement).toEqual({ status: 'settled', settlesAt: '2026-12-03T00:00:00.000Z' });
    expect(lateBytes(usage)).toEqual([
      ['after-the-month-settled', '2026-11-10', 1000],
      ['after-the-month-settled', '2026-11-30', 10_000],
    ]);
    expect(usage.customers).toMatchObject([{ customerId: 'acme', downloadBytes: 111_111 }]);
    // The untracked requests bill nobody: never an adjustment, even when late.
    expect(usage.lateAdjustments.every(({ customerId }) => customerId === 'acme')).toBe(true);
    expect(usage.untracked.downloadBytes).toBe(5);
  });

  it('judges each day by its own settlement', async () => {
    const tenth = await readPeriodUsage(
      store,
      { kind: 'day', value: '2026-11-10' },
      clock('2026-12-10T00:00:00Z'),
    );
    expect(tenth.settlement.settlesAt).toBe('2026-11-13T00:00:00.000Z');
    expect(lateBytes(tenth)).toEqual([
      ['after-the-day-settled', '2026-11-10', 100],
      ['after-the-month-settled', '2026-11-10', 1000],
    ]);
    const thirtieth = await readPeriodUsage(
      store,
      { kind: 'day', value: '2026-11-30' },
      clock('2026-12-10T00:00:00Z'),
    );
    expect(lateBytes(thirtieth)).toEqual([['after-the-month-settled', '2026-11-30', 10_000]]);
  });

  it('has no late adjustments while a period is open, and follows the settle window asked for', async () => {
    const open = await readPeriodUsage(
      store,
      { kind: 'month', value: '2026-11' },
      clock('2026-12-02T00:00:00Z'),
    );
    expect(open.settlement.status).toBe('open');
    expect(open.lateAdjustments).toEqual([]);
    // Without a window November settled as it ended: what came in December is late.
    const strict = await readPeriodUsage(
      store,
      { kind: 'month', value: '2026-11' },
      {
        now: new Date('2026-12-10T00:00:00Z'),
        settleWindowHours: 0,
      },
    );
    expect(lateBytes(strict)).toEqual([
      ['last-day-in-its-window', '2026-11-30', 100_000],
      ['after-the-month-settled', '2026-11-10', 1000],
      ['after-the-month-settled', '2026-11-30', 10_000],
    ]);
  });
});
