import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDbExportOutbox } from '../../shared/billing/export-outbox.ts';
import { type PeriodFile, readPeriodFiles } from '../../shared/billing/period-files.ts';
import {
  exportToStripe,
  type StripeExportRequest,
  stripeExportDays,
} from '../../shared/billing/stripe-export.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import type { Period } from '../../shared/usage/period.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';

export interface ExportUsageDeps {
  usage: UsageStore;
  customers: CustomerStore;
  outbox: DynamoDbExportOutbox;
  /** The SDK's `stripe.billing`, made once from the secret; undefined: no Stripe export. */
  stripe: (() => Promise<StripeExportRequest['stripe']>) | undefined;
  /** Writes a month's files where they go; undefined: no file export. */
  putFiles: ((files: readonly PeriodFile[]) => Promise<string[]>) | undefined;
  settleWindowHours: number;
  logger: Logger;
  now: () => Date;
}

/**
 * The scheduled export. To Stripe: the last 35 days' changed daily totals (what Stripe still
 * takes), through the outbox. As files: the previous and the current month, rewritten whole
 * (late logs still change the previous month in its first days). Every configured export
 * runs; a failure of one is logged and thrown at the end, for the error alarm, and the next
 * run is the retry.
 */
export function createExportUsageHandler(deps: ExportUsageDeps) {
  return async (): Promise<void> => {
    const failures: string[] = [];
    if (deps.stripe === undefined && deps.putFiles === undefined) {
      deps.logger.info('no export configured (STRIPE_SECRET_ARN, EXPORT_FILES_BUCKET)');
      return;
    }
    if (deps.stripe !== undefined) {
      await toStripe(deps, deps.stripe).catch((error: unknown) => {
        deps.logger.error('Stripe export failed', { error });
        failures.push(`Stripe: ${(error as Error).message}`);
      });
    }
    if (deps.putFiles !== undefined) {
      await toFiles(deps, deps.putFiles).catch((error: unknown) => {
        deps.logger.error('file export failed', { error });
        failures.push(`files: ${(error as Error).message}`);
      });
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
  };
}

async function toStripe(
  deps: ExportUsageDeps,
  stripe: () => Promise<StripeExportRequest['stripe']>,
): Promise<void> {
  const result = await exportToStripe({
    usage: deps.usage,
    customers: deps.customers,
    outbox: deps.outbox,
    stripe: await stripe(),
    days: stripeExportDays(deps.now()),
    now: deps.now,
    settleWindowHours: deps.settleWindowHours,
  });
  const { tooOld, withoutStripeCustomer, failed, ...counts } = result;
  deps.logger.info('exported to Stripe', {
    ...counts,
    tooOld: tooOld.length,
    withoutStripeCustomer,
  });
  for (const old of tooOld) deps.logger.warn('too old for Stripe: bill by hand', { ...old });
  if (failed.length > 0) {
    deps.logger.error('Stripe refused or failed some events', { failed });
    throw new Error(`${failed.length} events failed; the next run sends them again`);
  }
}

async function toFiles(
  deps: ExportUsageDeps,
  putFiles: (files: readonly PeriodFile[]) => Promise<string[]>,
): Promise<void> {
  const now = deps.now();
  const current = now.toISOString().slice(0, 7);
  const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
    .toISOString()
    .slice(0, 7);
  for (const month of [previous, current]) {
    const period: Period = { kind: 'month', value: month };
    const clock = { now, settleWindowHours: deps.settleWindowHours };
    const written = await putFiles(
      await readPeriodFiles(deps.usage, deps.customers, period, clock),
    );
    deps.logger.info('exported files', { month, written });
  }
}
