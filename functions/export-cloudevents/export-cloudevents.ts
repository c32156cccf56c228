import type { Logger } from '@aws-lambda-powertools/logger';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import {
  CLOUDEVENTS_BATCH,
  type ContributionEvent,
  contributionEvent,
} from '../../shared/billing/cloudevents-export.ts';
import { contributionOfItem } from '../../shared/usage/dynamodb-usage-store.ts';

export interface ExportCloudEventsDeps {
  /** Delivers one batch; undefined when no endpoint is configured. */
  deliver: ((events: ContributionEvent[]) => Promise<void>) | undefined;
  /** The events' `source`: the same as `usage-meter export cloudevents` gives them. */
  source: string;
  logger: Logger;
}

/**
 * Sends each customer contribution the metering writes, as it is written: the table's stream
 * (filtered to new contribution items) hands the function batches, and each becomes the same
 * CloudEvent `usage-meter export cloudevents` would send, so the platform drops a repeat. A
 * failed delivery fails the invocation: Lambda sends the batch again (halving it to isolate a
 * bad record), then to the failure queue, from which nothing is lost (the command re-sends a
 * period).
 */
export function createExportCloudEventsHandler(deps: ExportCloudEventsDeps) {
  return async (event: DynamoDBStreamEvent): Promise<void> => {
    if (deps.deliver === undefined) {
      deps.logger.warn('no CLOUDEVENTS_ENDPOINT: contributions not sent', {
        records: event.Records.length,
      });
      return;
    }
    const events: ContributionEvent[] = [];
    for (const record of event.Records) {
      const image = record.dynamodb?.NewImage;
      if (record.eventName !== 'INSERT' || image === undefined) continue;
      const contribution = contributionOfItem(unmarshall(image as Record<string, AttributeValue>));
      if (contribution !== undefined) events.push(contributionEvent(contribution, deps.source));
    }
    for (let start = 0; start < events.length; start += CLOUDEVENTS_BATCH) {
      await deps.deliver(events.slice(start, start + CLOUDEVENTS_BATCH));
    }
    deps.logger.info('sent CloudEvents', { events: events.length, records: event.Records.length });
  };
}
