import { randomUUID } from 'node:crypto';
import type { CustomerStore } from '../customers/customer-store.ts';
import { forEachConcurrently } from '../concurrency.ts';
import { addDays } from '../usage/period.ts';
import { settlementOf } from '../usage/settlement.ts';
import type { UsageStore } from '../usage/usage-store.ts';
import type { DynamoDbExportOutbox, OutboxEntry } from './export-outbox.ts';
import {
  dailyEventIdentifier,
  dailyMeterEvent,
  type MeterAdmin,
  meterProblems,
  STRIPE_METERS,
} from './stripe-meters.ts';

/** What the export sends with: the SDK's `stripe.billing.meterEvents`. */
export interface MeterEventSender {
  create(params: {
    event_name: string;
    identifier: string;
    timestamp: number;
    payload: { stripe_customer_id: string; value: string };
  }): Promise<unknown>;
}

export interface StripeExportRequest {
  usage: UsageStore;
  customers: CustomerStore;
  outbox: DynamoDbExportOutbox;
  /** The SDK's `stripe.billing`. */
  stripe: { meterEvents: MeterEventSender; meters: MeterAdmin };
  /** The UTC days to export, `yyyy-mm-dd`. */
  days: readonly string[];
  now: () => Date;
  /** How long after its end a day is open: what is sent for a settled day is a late adjustment. */
  settleWindowHours: number;
  /** Customers sent to at once; each customer's events of a meter go one at a time. */
  concurrency?: number;
}

export interface StripeExportResult {
  /** Events Stripe accepted in this run. */
  sent: number;
  /** Of those, the totals of days that had settled: late adjustments. */
  sentForSettledDays: number;
  /** Events Stripe already had (sent before a crash, or by a run that died): now marked. */
  alreadyDelivered: number;
  /** Customer-day-meters whose total Stripe has already acknowledged. */
  unchanged: number;
  /** Customer-days older than Stripe takes (35 days): not sent, to be billed by hand. */
  tooOld: Array<{ customerId: string; day: string; meter: string; value: number }>;
  /** Customers with usage in the days but no Stripe customer id. */
  withoutStripeCustomer: string[];
  /** Sends that failed: left `sent` in the outbox, sent again by the next run. */
  failed: Array<{ customerId: string; day: string; meter: string; message: string }>;
}

/** The days Stripe still takes meter events for, today first: the export's default. */
export function stripeExportDays(now: Date): string[] {
  const today = now.toISOString().slice(0, 10);
  return Array.from({ length: 35 }, (_, i) => addDays(today, -i));
}

/** Stripe takes meter events of the past 35 days; an hour of margin for a slow run. */
const STRIPE_MAX_AGE_MS = 35 * 86_400_000 - 3_600_000;
const LEASE_SECONDS = 15 * 60;

/** The export cannot run: another is running, or Stripe's meters would bill wrongly. */
export class ExportRefusedError extends Error {}

/**
 * Sends each customer's daily download and upload bytes to Stripe's meters: one event per
 * customer, day and meter carrying the day's whole total, with an identifier that changes
 * only when the total does (the meters keep the latest event of a day). The outbox says what
 * Stripe acknowledged: a total already acknowledged is not sent again; one sent but not
 * acknowledged (a crash) is sent again with the same identifier, and Stripe's "already
 * exists" answer counts as delivered. One run at a time (a lease in the table), so that an
 * older total can never be sent after a newer one.
 */
export async function exportToStripe(request: StripeExportRequest): Promise<StripeExportResult> {
  const owner = randomUUID();
  if (!(await request.outbox.takeLease(owner, request.now(), LEASE_SECONDS))) {
    throw new ExportRefusedError('another Stripe export is running; try again when it is done');
  }
  try {
    const problems = await meterProblems(request.stripe.meters);
    if (problems.length > 0) throw new ExportRefusedError(problems.join('\n'));
    return await runExport(request);
  } finally {
    await request.outbox.releaseLease(owner);
  }
}

async function runExport(request: StripeExportRequest): Promise<StripeExportResult> {
  const result: StripeExportResult = {
    sent: 0,
    sentForSettledDays: 0,
    alreadyDelivered: 0,
    unchanged: 0,
    tooOld: [],
    withoutStripeCustomer: [],
    failed: [],
  };
  const billingIds = new Map(
    (await request.customers.listCustomers()).map((c) => [c.customerId, c.stripeCustomerId]),
  );
  const unmapped = new Set<string>();
  // Each customer's events of one meter, oldest day first: Stripe takes one call at a time.
  const lanes = new Map<string, OutboxEntry[]>();
  const oldest = request.now().getTime() - STRIPE_MAX_AGE_MS;
  for (const day of [...request.days].sort()) {
    const outbox = await request.outbox.listDay(day);
    for (const totals of await request.usage.listTotals({ kind: 'day', value: day })) {
      const billingId = billingIds.get(totals.customerId);
      for (const meter of STRIPE_METERS) {
        const value = totals[meter.counter];
        if (value === 0) continue;
        if (billingId === undefined) {
          unmapped.add(totals.customerId);
          continue;
        }
        const identifier = dailyEventIdentifier(meter.eventName, billingId, day, value);
        const total = { customerId: totals.customerId, day, meter: meter.eventName, value };
        const previous = outbox.get(`${totals.customerId} ${meter.eventName}`);
        if (previous?.identifier === identifier && previous.status !== 'sent') {
          if (previous.status === 'acknowledged') result.unchanged++;
          else result.tooOld.push(total);
          continue;
        }
        const entry: OutboxEntry = {
          ...total,
          billingId,
          identifier,
          status: 'sent',
          sentAt: request.now().toISOString(),
        };
        if (Date.parse(`${day}T00:00:00Z`) < oldest) {
          await request.outbox.record({
            ...entry,
            status: 'refused',
            refusal: 'older than the 35 days Stripe takes meter events for',
          });
          result.tooOld.push(total);
          continue;
        }
        const lane = `${totals.customerId} ${meter.eventName}`;
        const queued = lanes.get(lane);
        if (queued === undefined) lanes.set(lane, [entry]);
        else queued.push(entry);
      }
    }
  }
  result.withoutStripeCustomer = [...unmapped].sort();
  await forEachConcurrently(lanes.values(), request.concurrency ?? 4, async (entries) => {
    for (const entry of entries) await send(request, entry, result);
  });
  return result;
}

async function send(
  request: StripeExportRequest,
  entry: OutboxEntry,
  result: StripeExportResult,
): Promise<void> {
  // Recorded before the call, acknowledged after it: a crash between leaves it `sent`.
  await request.outbox.record(entry);
  try {
    await request.stripe.meterEvents.create(
      dailyMeterEvent(entry.meter, entry.billingId, entry.day, entry.value),
    );
    result.sent++;
    const day = { kind: 'day', value: entry.day } as const;
    if (settlementOf(day, request.now(), request.settleWindowHours).status === 'settled') {
      result.sentForSettledDays++;
    }
  } catch (error) {
    if (!isAlreadyDelivered(error)) {
      result.failed.push({
        customerId: entry.customerId,
        day: entry.day,
        meter: entry.meter,
        message: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    result.alreadyDelivered++;
  }
  await request.outbox.acknowledge(entry, request.now());
}

/**
 * Stripe's answer to an identifier it has seen in the past 24 hours: 400, "An event already
 * exists with identifier …", `stripe-should-retry: false`. The identifier names this very
 * total, so Stripe holding it means the total was delivered.
 */
function isAlreadyDelivered(error: unknown): boolean {
  const { statusCode, message } = error as { statusCode?: unknown; message?: unknown };
  return (
    statusCode === 400 &&
    typeof message === 'string' &&
    message.startsWith('An event already exists with identifier')
  );
}
