// serverless.yml's CloudWatch dashboard of the metering: the metrics meterLogs emits in
// embedded metric format (functions/meter-logs/metering-metrics.ts), one widget a question.
'use strict';

const SERVICE = ['service', 'meter-logs'];

const widget = (y, title, stat, metrics, extra = {}) => ({
  type: 'metric',
  x: (y % 2) * 12,
  y: Math.floor(y / 2) * 6,
  width: 12,
  height: 6,
  properties: {
    title,
    stat,
    period: 300,
    region: '${AWS::Region}',
    view: 'timeSeries',
    ...extra,
    metrics,
  },
});

module.exports = {
  /** The dashboard's body: a Fn::Sub, so the region is the stack's. */
  async body({ resolveVariable }) {
    const threshold = Number(await resolveVariable('param:deliveryLagAlarmSeconds'));
    const namespace = `s3-usage-meter/${await resolveVariable('sls:stage')}`;
    const metric = (name, label) => [namespace, name, ...SERVICE, { label }];
    const body = {
      widgets: [
        widget(0, 'Access log lines', 'Sum', [
          metric('LogLines', 'lines'),
          metric('Records', 'records'),
          metric('RejectedLines', 'rejected (not billed)'),
          metric('DuplicateLines', 'repeated lines skipped'),
        ]),
        widget(1, 'Bytes metered', 'Sum', [
          metric('AttributedBytes', 'billed to customers'),
          metric('UntrackedBytes', 'untracked (billed to nobody)'),
        ]),
        widget(
          2,
          'Log delivery lag (seconds, oldest request of each object)',
          'Maximum',
          [metric('DeliveryLag', 'maximum')],
          { annotations: { horizontal: [{ label: 'alarm', value: threshold }] } },
        ),
        widget(3, 'Log objects', 'Sum', [
          metric('LogObjects', 'metered'),
          metric('DuplicateLogObjects', 'copies of a metered object, skipped'),
        ]),
      ],
    };
    return { 'Fn::Sub': JSON.stringify(body) };
  },
};
