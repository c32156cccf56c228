import type { PeriodUsage } from '../usage/period-usage.ts';
import type { Period } from '../usage/period.ts';
import { COUNTER_NAMES } from '../usage/usage-counters.ts';
import type { PeriodTotals } from '../usage/usage-store.ts';
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
