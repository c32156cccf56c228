import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { CustomerStore } from '../customers/customer-store.ts';
import { readPeriodUsage, type PeriodUsage, type SettleClock } from '../usage/period-usage.ts';
import { type Period, periodDaysUntil } from '../usage/period.ts';
import { COUNTER_NAMES } from '../usage/usage-counters.ts';
import type { PeriodTotals, UsageStore } from '../usage/usage-store.ts';
import { dailyMeterEvent, STRIPE_METERS } from './stripe-meters.ts';

/** A file of a period's export: its name and text. */
export interface PeriodFile {
  name: string;
  contentType: string;
  body: string;
}

/**
 * A period's totals as files a data warehouse or a billing platform loads:
 *
 * - `usage-<period>.jsonl` and `.csv`: one row per customer, with the period's state (open or
 *   settled) and the customer's Stripe id when it has one;
 * - `stripe-meter-events-<period>.jsonl`: the daily totals as Stripe meter events, the shape
 *   of Stripe's S3 usage connector, with the identifiers `export stripe` sends (so the two
 *   never count a total twice).
 */
export function periodFiles(
  period: Period,
  usage: PeriodUsage,
  stripeIds: ReadonlyMap<string, string | undefined>,
  dailyTotals: ReadonlyArray<{ day: string; totals: PeriodTotals[] }>,
): PeriodFile[] {
  const { status, settlesAt } = usage.settlement;
  const rows = usage.customers.map(({ customerId, ...counters }) => ({
    period: period.value,
    status,
    settlesAt,
    customerId,
    stripeCustomerId: stripeIds.get(customerId) ?? null,
    ...counters,
  }));
  const header = [
    'period',
    'status',
    'settlesAt',
    'customerId',
    'stripeCustomerId',
    ...COUNTER_NAMES,
  ];
  const csv = [
    header.join(','),
    ...rows.map((row) =>
      [
        row.period,
        row.status,
        row.settlesAt,
        row.customerId,
        row.stripeCustomerId ?? '',
        ...COUNTER_NAMES.map((name) => row[name]),
      ].join(','),
    ),
  ];
  const events = dailyTotals.flatMap(({ day, totals }) =>
    totals.flatMap((total) => {
      const billingId = stripeIds.get(total.customerId);
      if (billingId === undefined) return [];
      return STRIPE_METERS.filter((meter) => total[meter.counter] > 0).map((meter) => {
        const event = dailyMeterEvent(meter.eventName, billingId, day, total[meter.counter]);
        // The connector's files carry the value as a number.
        return { ...event, payload: { ...event.payload, value: total[meter.counter] } };
      });
    }),
  );
  const lines = (items: unknown[]) => items.map((item) => `${JSON.stringify(item)}\n`).join('');
  return [
    { name: `usage-${period.value}.jsonl`, contentType: 'application/x-ndjson', body: lines(rows) },
    { name: `usage-${period.value}.csv`, contentType: 'text/csv', body: `${csv.join('\n')}\n` },
    {
      name: `stripe-meter-events-${period.value}.jsonl`,
      contentType: 'application/x-ndjson',
      body: lines(events),
    },
  ];
}

/** Reads a period from the table (its totals, customers and days so far) as its files. */
export async function readPeriodFiles(
  usage: UsageStore,
  customers: CustomerStore,
  period: Period,
  clock: SettleClock,
): Promise<PeriodFile[]> {
  const totals = await readPeriodUsage(usage, period, clock);
  const stripeIds = new Map(
    (await customers.listCustomers()).map((c) => [c.customerId, c.stripeCustomerId]),
  );
  const daily = [];
  for (const day of periodDaysUntil(period, clock.now.toISOString().slice(0, 10))) {
    daily.push({ day, totals: await usage.listTotals({ kind: 'day', value: day }) });
  }
  return periodFiles(period, totals, stripeIds, daily);
}

/** Puts the files under `prefix` of `bucket` (each replaces the last); the keys written. */
export async function putPeriodFiles(
  s3: S3Client,
  bucket: string,
  prefix: string,
  files: readonly PeriodFile[],
): Promise<string[]> {
  for (const file of files) {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `${prefix}${file.name}`,
        Body: file.body,
        ContentType: file.contentType,
      }),
    );
  }
  return files.map((file) => `${prefix}${file.name}`);
}
