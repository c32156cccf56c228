import { createHash } from 'node:crypto';
import type { UsageCounters } from '../usage/usage-counters.ts';

/** A Stripe meter the export feeds with one counter of the daily totals. */
export interface StripeMeter {
  eventName: string;
  displayName: string;
  counter: keyof UsageCounters;
}

/** The meters `usage-meter export stripe` sends to (and `--create-meters` creates). */
export const STRIPE_METERS: readonly StripeMeter[] = [
  { eventName: 's3_download_bytes', displayName: 'S3 bytes downloaded', counter: 'downloadBytes' },
  { eventName: 's3_upload_bytes', displayName: 'S3 bytes uploaded', counter: 'uploadBytes' },
];

/**
 * How the meters are created: each keeps a customer's latest event of a UTC day
 * (`event_time_window: day`) and sums the days over the billing period, so that sending a
 * day's whole total again replaces it instead of adding to it.
 */
export function meterCreateParams(meter: StripeMeter) {
  return {
    display_name: meter.displayName,
    event_name: meter.eventName,
    event_time_window: 'day' as const,
    default_aggregation: { formula: 'sum' as const },
    customer_mapping: { type: 'by_id' as const, event_payload_key: 'stripe_customer_id' },
    value_settings: { event_payload_key: 'value' },
  };
}

/**
 * The identifier of a customer-day's total on a meter: the same whenever that total is sent
 * (so a re-send after a crash is recognised), another once the total grows. 48 characters,
 * within Stripe's 100.
 */
export function dailyEventIdentifier(
  eventName: string,
  stripeCustomerId: string,
  day: string,
  value: number,
): string {
  const digest = createHash('sha256')
    .update(`${eventName}\n${stripeCustomerId}\n${day}\n${value}`)
    .digest('base64url');
  return `s3um-${day}-${digest.slice(0, 32)}`;
}

/** A meter as Stripe lists it (the fields the export relies on). */
export interface ListedMeter {
  event_name: string;
  status: string;
  event_time_window?: string | null;
  default_aggregation: { formula: string };
}

/** What the export needs of the SDK's `stripe.billing.meters`. */
export interface MeterAdmin {
  list(params: { status: 'active'; limit: number }): AsyncIterable<ListedMeter>;
  create(params: ReturnType<typeof meterCreateParams>): Promise<unknown>;
}

/**
 * Why the account's meters cannot take the export, one line each; empty when they can. A
 * meter that sums every event (no daily window) would add a day's total each time it is
 * sent, billing it again and again: the export refuses to feed one.
 */
export async function meterProblems(meters: MeterAdmin): Promise<string[]> {
  const active = await activeMeters(meters);
  return STRIPE_METERS.flatMap((wanted) => {
    const meter = active.get(wanted.eventName);
    if (meter === undefined) {
      return [`no active meter for event_name ${wanted.eventName} (--create-meters creates it)`];
    }
    if (meter.event_time_window !== 'day' || meter.default_aggregation.formula !== 'sum') {
      return [
        `meter ${wanted.eventName} must keep the latest event of each day and sum the days (event_time_window day, formula sum); it has ${meter.event_time_window ?? 'no'} window and formula ${meter.default_aggregation.formula}`,
      ];
    }
    return [];
  });
}

/** Creates the meters that do not exist yet; the event names it created. */
export async function createStripeMeters(meters: MeterAdmin): Promise<string[]> {
  const existing = await activeMeters(meters);
  const created: string[] = [];
  for (const meter of STRIPE_METERS.filter((m) => !existing.has(m.eventName))) {
    await meters.create(meterCreateParams(meter));
    created.push(meter.eventName);
  }
  return created;
}

/** The account's active meters by event name, every page of them. */
async function activeMeters(meters: MeterAdmin): Promise<Map<string, ListedMeter>> {
  const active = new Map<string, ListedMeter>();
  for await (const meter of meters.list({ status: 'active', limit: 100 })) {
    active.set(meter.event_name, meter);
  }
  return active;
}

/** The meter event of a customer-day's whole total, as the API takes it. */
export function dailyMeterEvent(
  eventName: string,
  stripeCustomerId: string,
  day: string,
  value: number,
) {
  return {
    event_name: eventName,
    identifier: dailyEventIdentifier(eventName, stripeCustomerId, day, value),
    timestamp: Date.parse(`${day}T00:00:00Z`) / 1000,
    payload: { stripe_customer_id: stripeCustomerId, value: String(value) },
  };
}
