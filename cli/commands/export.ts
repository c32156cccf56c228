import { appendFile, open } from 'node:fs/promises';
import Stripe from 'stripe';
import {
  cloudEventsSource,
  type ContributionEvent,
  exportCloudEvents,
  postCloudEvents,
} from '../../shared/billing/cloudevents-export.ts';
import { DynamoDbExportOutbox } from '../../shared/billing/export-outbox.ts';
import { readPeriodFiles } from '../../shared/billing/period-files.ts';
import {
  exportToStripe,
  stripeExportDays,
  type StripeExportResult,
} from '../../shared/billing/stripe-export.ts';
import { createStripeMeters } from '../../shared/billing/stripe-meters.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { type Period, periodDaysUntil } from '../../shared/usage/period.ts';
import { type Command, type CommandIo, parseCommandArgs, UsageError } from '../command.ts';
import { writeExportFiles } from '../export-destination.ts';
import { readPeriodOption } from '../period-option.ts';
import {
  readSettleWindowOption,
  SETTLE_WINDOW_OPTION,
  SETTLE_WINDOW_USAGE,
} from '../settle-window-option.ts';
import { openTarget, type Target, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';

const USAGE = `Usage:
  usage-meter export stripe [--period 2026-11|2026-11-22] [--create-meters] [--json]
  usage-meter export cloudevents [--period 2026-11] (--to FILE | --endpoint URL) [--all] [--json]
  usage-meter export files [--period 2026-11] --to FOLDER|s3://bucket/prefix/

stripe       sends each customer's daily download and upload bytes to the Stripe meters
             s3_download_bytes and s3_upload_bytes (customers update <id> --stripe-customer
             cus_… maps a customer): one event per customer and day with the day's whole
             total, sent again only when the total changed. Days: the period's, default the
             last 35 (all Stripe takes). --create-meters first creates the meters that are
             missing (a day window, summed). STRIPE_API_KEY is the secret key (never printed);
             STRIPE_API_BASE points the SDK elsewhere (a test double, http://127.0.0.1:12111).
cloudevents  sends every customer contribution of the period not acknowledged yet, one
             CloudEvent each (id derived from the customer and the ledger item, so a re-send
             is the same event), appended as JSON Lines to FILE or POSTed in batches to URL
             (application/cloudevents-batch+json; CLOUDEVENTS_TOKEN as a bearer token).
             --all sends the period's contributions again, acknowledged or not.
files        writes the period's totals (usage-<period>.jsonl and .csv, one row per customer)
             and its daily totals as Stripe meter events (stripe-meter-events-<period>.jsonl,
             the S3 usage connector's shape) to a folder or an S3 prefix.
The period defaults to the current UTC month (stripe: the last 35 days).

${SETTLE_WINDOW_USAGE}
${TARGET_USAGE}`;

export const exportCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        ...SETTLE_WINDOW_OPTION,
        period: { type: 'string' },
        to: { type: 'string' },
        endpoint: { type: 'string' },
        all: { type: 'boolean', default: false },
        'create-meters': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: true,
    });
    const [platform, ...extra] = positionals;
    if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
    if (platform !== 'stripe' && platform !== 'cloudevents' && platform !== 'files') {
      throw new UsageError(`export where? stripe, cloudevents or files (got '${platform ?? ''}')`);
    }
    const now = new Date();
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      if (platform === 'stripe') {
        const days =
          values.period === undefined
            ? stripeExportDays(now)
            : periodDaysUntil(readPeriodOption(values.period), now.toISOString().slice(0, 10));
        const settleWindowHours = readSettleWindowOption(values['settle-window'], process.env);
        return await toStripe(target, days, settleWindowHours, values, io);
      }
      const period = readPeriodOption(values.period, now);
      if (platform === 'cloudevents') {
        return await toCloudEvents(target, period, values, io);
      }
      if (values.to === undefined)
        throw new UsageError('files: --to FOLDER or s3://bucket/prefix/');
      const settleWindowHours = readSettleWindowOption(values['settle-window'], process.env);
      return await toFiles(target, period, values.to, { now, settleWindowHours }, io);
    } finally {
      target.close();
    }
  },
};

async function toStripe(
  target: Target,
  days: string[],
  settleWindowHours: number,
  { 'create-meters': createMeters, json }: { 'create-meters': boolean; json: boolean },
  io: CommandIo,
): Promise<number> {
  const key = process.env.STRIPE_API_KEY;
  if (key === undefined || key === '') {
    throw new UsageError('set STRIPE_API_KEY to the Stripe secret key (sk_live_… or sk_test_…)');
  }
  const stripe = new Stripe(key, stripeEndpoint(process.env.STRIPE_API_BASE));
  if (createMeters) {
    const created = await createStripeMeters(stripe.billing.meters);
    io.stderr.write(
      created.length === 0 ? 'meters: all there\n' : `meters created: ${created.join(', ')}\n`,
    );
  }
  const tableName = target.tableName();
  const result = await exportToStripe({
    usage: new DynamoDbUsageStore(target.documents, tableName),
    customers: new DynamoDbCustomerStore(target.documents, tableName),
    outbox: new DynamoDbExportOutbox(target.documents, tableName, 'stripe'),
    stripe: stripe.billing,
    days,
    now: () => new Date(),
    settleWindowHours,
  });
  io.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : describeStripeExport(result));
  return result.failed.length === 0 ? 0 : 1;
}

/** The SDK's options for `STRIPE_API_BASE` (`http://127.0.0.1:12111`), or none for Stripe. */
function stripeEndpoint(base: string | undefined): Stripe.StripeConfig {
  if (base === undefined || base === '') return {};
  const url = new URL(base);
  return {
    host: url.hostname,
    port: url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port),
    protocol: url.protocol === 'http:' ? 'http' : 'https',
  };
}

function describeStripeExport(result: StripeExportResult): string {
  const lines = [
    `sent ${result.sent}${
      result.sentForSettledDays === 0
        ? ''
        : ` (${result.sentForSettledDays} for settled days: late adjustments)`
    }, already delivered ${result.alreadyDelivered}, unchanged ${result.unchanged}, too old ${result.tooOld.length}, failed ${result.failed.length}`,
  ];
  if (result.withoutStripeCustomer.length > 0) {
    lines.push(
      `not sent, no Stripe customer: ${result.withoutStripeCustomer.join(', ')} (customers update <id> --stripe-customer cus_…)`,
    );
  }
  for (const old of result.tooOld) {
    lines.push(
      `too old for Stripe (35 days), bill by hand: ${old.customerId} ${old.day} ${old.meter} ${old.value}`,
    );
  }
  for (const failure of result.failed) {
    lines.push(
      `failed, sent again next run: ${failure.customerId} ${failure.day} ${failure.meter}: ${failure.message}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function toCloudEvents(
  target: Target,
  period: Period,
  values: { to?: string | undefined; endpoint?: string | undefined; all: boolean; json: boolean },
  io: CommandIo,
): Promise<number> {
  if ((values.to === undefined) === (values.endpoint === undefined)) {
    throw new UsageError('cloudevents: give one of --to FILE and --endpoint URL');
  }
  const tableName = target.tableName();
  const deliver =
    values.to === undefined
      ? postCloudEvents(values.endpoint as string, process.env.CLOUDEVENTS_TOKEN)
      : appendLines(values.to);
  const result = await exportCloudEvents({
    usage: new DynamoDbUsageStore(target.documents, tableName),
    period,
    source: cloudEventsSource(tableName),
    deliver,
    now: () => new Date(),
    all: values.all,
  });
  io.stdout.write(
    values.json
      ? `${JSON.stringify(result, null, 2)}\n`
      : `delivered ${result.delivered} events of ${result.customers} customers (already exported ${result.alreadyExported})\n`,
  );
  return 0;
}

/** Appends a batch to a JSON Lines file and syncs it to disk before it counts as delivered. */
function appendLines(path: string) {
  return async (events: ContributionEvent[]) => {
    await appendFile(path, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    const file = await open(path, 'r');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
  };
}

async function toFiles(
  target: Target,
  period: Period,
  to: string,
  clock: { now: Date; settleWindowHours: number },
  io: CommandIo,
): Promise<number> {
  const tableName = target.tableName();
  const files = await readPeriodFiles(
    new DynamoDbUsageStore(target.documents, tableName),
    new DynamoDbCustomerStore(target.documents, tableName),
    period,
    clock,
  );
  const written = await writeExportFiles(to, files, target.s3);
  io.stdout.write(`${written.join('\n')}\n`);
  return 0;
}
