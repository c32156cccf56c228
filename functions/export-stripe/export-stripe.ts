import type { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDbExportOutbox } from '../../shared/billing/export-outbox.ts';
import {
  exportToStripe,
  type StripeExportRequest,
  stripeExportDays,
} from '../../shared/billing/stripe-export.ts';
import type { CustomerStore } from '../../shared/customers/customer-store.ts';
import type { UsageStore } from '../../shared/usage/usage-store.ts';

export interface ExportStripeDeps {
  usage: UsageStore;
  customers: CustomerStore;
  outbox: DynamoDbExportOutbox;
  /** The SDK's `stripe.billing`, made once from the secret; undefined when none is set. */
  stripe: (() => Promise<StripeExportRequest['stripe']>) | undefined;
  settleWindowHours: number;
  logger: Logger;
  now: () => Date;
}

/**
 * The scheduled Stripe export: sends the last 35 days' changed daily totals (what Stripe
 * still takes) through the outbox. A run that fails some sends logs them and throws, for the
 * error alarm; the next run sends them again with the same identifiers.
 */
export function createExportStripeHandler(deps: ExportStripeDeps) {
  return async (): Promise<void> => {
    if (deps.stripe === undefined) {
      deps.logger.info('no Stripe secret (STRIPE_SECRET_ARN): nothing to export');
      return;
    }
    const result = await exportToStripe({
      usage: deps.usage,
      customers: deps.customers,
      outbox: deps.outbox,
      stripe: await deps.stripe(),
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
      throw new Error(`${failed.length} Stripe events failed; the next run sends them again`);
    }
  };
}
