import { createHash } from 'node:crypto';
import type { Period } from '../usage/period.ts';
import { COUNTER_NAMES, emptyCounters, type UsageCounters } from '../usage/usage-counters.ts';
import type { Contribution, UsageStore } from '../usage/usage-store.ts';

/** The platform name of the ledger's marks (`exportedAt:cloudevents`). */
export const CLOUDEVENTS_PLATFORM = 'cloudevents';
/** The CloudEvents `type` of a contribution. */
export const CONTRIBUTION_EVENT_TYPE = 'com.s3-usage-meter.usage.contribution';
/** The most events one delivery carries. */
export const CLOUDEVENTS_BATCH = 100;

/** One ledger contribution as a CloudEvent 1.0 (structured JSON). */
export interface ContributionEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: typeof CONTRIBUTION_EVENT_TYPE;
  /** The customer billed: what OpenMeter and similar platforms attribute usage by. */
  subject: string;
  /** The start of the UTC day the usage is in (the day it is billed in). */
  time: string;
  datacontenttype: 'application/json';
  data: UsageCounters & { day: string; logObject: string; meteredAt: string };
}

/**
 * The event of a contribution. Its id is derived from the customer and the ledger item
 * (day, log object, part), so the same contribution is the same event however often it is
 * sent: sum-of-events platforms drop the repeats.
 */
export function contributionEvent(contribution: Contribution, source: string): ContributionEvent {
  const id = createHash('sha256')
    .update(`${contribution.customerId}\n${contribution.ledgerKey}`)
    .digest('base64url');
  const counters = emptyCounters();
  for (const name of COUNTER_NAMES) counters[name] = contribution[name];
  return {
    specversion: '1.0',
    id,
    source,
    type: CONTRIBUTION_EVENT_TYPE,
    subject: contribution.customerId,
    time: `${contribution.day}T00:00:00Z`,
    datacontenttype: 'application/json',
    data: {
      ...counters,
      day: contribution.day,
      logObject: contribution.logObject,
      meteredAt: contribution.appliedAt,
    },
  };
}

export interface CloudEventsExportRequest {
  usage: UsageStore;
  period: Period;
  /** The events' `source`: names the deployment (its table), so ids are unique per source. */
  source: string;
  /** Delivers one batch; resolves once the receiver holds it (a 2xx, a synced file). */
  deliver: (events: ContributionEvent[]) => Promise<void>;
  now: () => Date;
  /** Send every contribution of the period, acknowledged before or not. */
  all?: boolean;
}

export interface CloudEventsExportResult {
  /** Events delivered and marked in this run. */
  delivered: number;
  /** Contributions the platform had acknowledged before: not sent again. */
  alreadyExported: number;
  customers: number;
}

/**
 * Sends each customer contribution of a period not yet acknowledged, in batches, and marks
 * each on its ledger item once its batch was delivered: a run that dies after a delivery
 * sends that batch again, as the same events.
 */
export async function exportCloudEvents(
  request: CloudEventsExportRequest,
): Promise<CloudEventsExportResult> {
  const result: CloudEventsExportResult = { delivered: 0, alreadyExported: 0, customers: 0 };
  const customers = (await request.usage.listTotals(request.period)).map((t) => t.customerId);
  for (const customerId of customers.sort()) {
    result.customers++;
    const contributions = await request.usage.listContributions(customerId, request.period);
    const pending = contributions.filter(
      (c) => request.all === true || c.exportedAt[CLOUDEVENTS_PLATFORM] === undefined,
    );
    result.alreadyExported += contributions.length - pending.length;
    for (let start = 0; start < pending.length; start += CLOUDEVENTS_BATCH) {
      const batch = pending.slice(start, start + CLOUDEVENTS_BATCH);
      await request.deliver(batch.map((c) => contributionEvent(c, request.source)));
      const at = request.now();
      for (const c of batch) {
        await request.usage.markContributionExported(
          customerId,
          c.ledgerKey,
          CLOUDEVENTS_PLATFORM,
          at,
        );
      }
      result.delivered += batch.length;
    }
  }
  return result;
}

/**
 * Delivers batches by POST to a CloudEvents endpoint (batched JSON, as OpenMeter takes them),
 * with a bearer token when given; anything but a 2xx throws, so the batch is sent again.
 */
export function postCloudEvents(url: string, token?: string) {
  return async (events: ContributionEvent[]): Promise<void> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/cloudevents-batch+json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(events),
    });
    if (!response.ok) {
      throw new Error(`${url} answered ${response.status}: the batch is sent again`);
    }
  };
}

/** The events' `source` for a deployment: its table. */
export const cloudEventsSource = (tableName: string) => `s3-usage-meter/${tableName}`;
