import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MeterResult } from '../../shared/metering/meter-log-object.ts';

/**
 * Adds what metering one log object did to `metrics` (published once per invocation, as
 * CloudWatch embedded metric format lines in the function's log). `deliveredAt`: when S3
 * wrote the log object; the lag is that minus its oldest request's time.
 */
export function addMeteringMetrics(
  metrics: Metrics,
  { summary, attributedBytes, untrackedBytes }: MeterResult,
  deliveredAt: Date | undefined,
): void {
  if (summary.duplicateOf !== undefined) {
    metrics.addMetric('DuplicateLogObjects', MetricUnit.Count, 1);
    return;
  }
  metrics.addMetric('LogObjects', MetricUnit.Count, 1);
  metrics.addMetric('LogLines', MetricUnit.Count, summary.lines);
  metrics.addMetric('Records', MetricUnit.Count, summary.records);
  metrics.addMetric('RejectedLines', MetricUnit.Count, summary.rejected);
  metrics.addMetric('DuplicateLines', MetricUnit.Count, summary.duplicateRecords);
  metrics.addMetric('AttributedBytes', MetricUnit.Bytes, attributedBytes);
  metrics.addMetric('UntrackedBytes', MetricUnit.Bytes, untrackedBytes);
  if (deliveredAt !== undefined && summary.earliestRequestAt !== undefined) {
    const lag = (deliveredAt.getTime() - Date.parse(summary.earliestRequestAt)) / 1000;
    metrics.addMetric('DeliveryLag', MetricUnit.Seconds, Math.max(0, lag));
  }
}
