// The scale model of docs/scaling.md: what metering costs and where it saturates for a SaaS
// of a given size. `node --import tsx scripts/scale-model.ts [--name=value ...]` prints the
// tables of docs/scaling.md; every input below can be changed on the command line.
import { parseArgs } from 'node:util';

/** The SaaS, the traffic and the prices the model is computed for (defaults: docs/scaling.md). */
export const DEFAULT_INPUTS = {
  /** Requests through tracked links a month. */
  trackedRequestsPerMonth: 1e9,
  /** Other requests in the logs (operators, SDKs, failures), as a share of tracked ones. */
  untrackedShare: 0.1,
  /** The biggest customer's share of the tracked requests. */
  hotCustomerShare: 0.3,
  /** Customers who share the rest. */
  customers: 2000,
  /** Log objects S3 delivers a minute (on average; the peak hour is `peakFactor` times). */
  logObjectsPerMinute: 30,
  peakFactor: 2,
  /**
   * Log objects metered together, as one unit of the ledger: 1 is this design (a ledger item
   * per object and account-day); more is the SQS-batched design docs/scaling.md weighs.
   */
  objectsPerBatch: 1,
  /** A presigned request's log line with a session token. */
  bytesPerLine: 1600,
  /** Requests that use a link no earlier request of the object used. */
  newLinkShare: 0.75,
  /** The metering function: memory, and what it reads and writes at (measured by npm run bench). */
  lambdaMemoryGb: 0.256,
  meteringMiBPerSecond: 90,
  dynamoDbLatencySeconds: 0.01,
  transactionsInFlight: 8,
  /** Prices, us-east-1, as published (USD). */
  pricePerMillionWriteUnits: 0.625,
  pricePerGbSecondArm: 0.0000133334,
  pricePerMillionInvocations: 0.2,
  pricePerThousandGets: 0.0004,
  pricePerGbMonthDynamoDb: 0.25,
  /** DynamoDB's limits: write units a second per partition (also per item), a new on-demand table's. */
  partitionWriteUnitsPerSecond: 1000,
  newTableWriteUnitsPerSecond: 4000,
  /** Bytes of one ledger item (key, log object name, counters). */
  bytesPerLedgerItem: 250,
};

export type Inputs = typeof DEFAULT_INPUTS;

const SECONDS_PER_MONTH = 30 * 86_400;
const ACTIONS_PER_TRANSACTION = 100;

/** The model: per log object, per month, and each limit with the share of it used. */
export function scaleModel(inputs: Inputs = DEFAULT_INPUTS) {
  const objectsPerMonth = inputs.logObjectsPerMinute * 60 * 24 * 30;
  // The unit metered at once: one log object, or a batch of them.
  const unitsPerMonth = objectsPerMonth / inputs.objectsPerBatch;
  const unitsPerSecond = unitsPerMonth / SECONDS_PER_MONTH;
  const tracked = inputs.trackedRequestsPerMonth / unitsPerMonth;
  const lines = tracked * (1 + inputs.untrackedShare);
  // The other customers' requests fall at random: the expected number with one at least.
  const others = tracked * (1 - inputs.hotCustomerShare);
  const customers = 1 + inputs.customers * (1 - Math.pow(1 - 1 / inputs.customers, others));
  // One contribution per customer and per untracked reason (about three), one day each.
  const contributions = customers + 3;
  const totalsActions = 3 * contributions;
  const links = tracked * inputs.newLinkShare;
  const linkTransactions = Math.ceil(links / (ACTIONS_PER_TRANSACTION - 1));
  const transactions = Math.ceil(totalsActions / ACTIONS_PER_TRANSACTION) + linkTransactions;
  // A content claim and a summary per log object.
  const writeRequests = 2 * inputs.objectsPerBatch + transactions;
  const transactionalItems = totalsActions + links + linkTransactions;
  // 2 units an item in a transaction; the claim and the summary 1 each; 1 an index entry
  // (a customer's daily and monthly totals are in GSI1).
  const indexWrites = 2 * customers;
  const writeUnits = 2 * inputs.objectsPerBatch + 2 * transactionalItems + indexWrites;
  const objectMiB = (lines * inputs.bytesPerLine) / 2 ** 20;
  const seconds =
    objectMiB / inputs.meteringMiBPerSecond +
    ((writeRequests + linkTransactions) * inputs.dynamoDbLatencySeconds) /
      Math.min(inputs.transactionsInFlight, transactions) +
    0.05;
  const gbSeconds = seconds * inputs.lambdaMemoryGb;

  const month = {
    objects: objectsPerMonth,
    invocations: unitsPerMonth,
    writeUnits: writeUnits * unitsPerMonth,
    gbSeconds: gbSeconds * unitsPerMonth,
    ledgerGb: (contributions * unitsPerMonth * inputs.bytesPerLedgerItem) / 1e9,
  };
  const cost = {
    dynamoDbWrites: (month.writeUnits / 1e6) * inputs.pricePerMillionWriteUnits,
    lambda:
      month.gbSeconds * inputs.pricePerGbSecondArm +
      (month.invocations / 1e6) * inputs.pricePerMillionInvocations,
    s3Gets: (month.objects / 1000) * inputs.pricePerThousandGets,
    ledgerStorage: month.ledgerGb * inputs.pricePerGbMonthDynamoDb,
  };
  const total = cost.dynamoDbWrites + cost.lambda + cost.s3Gets + cost.ledgerStorage;
  const peak = unitsPerSecond * inputs.peakFactor;
  const limits = [
    {
      limit: "the hot customer's monthly total (one item)",
      load: peak * 2,
      ceiling: inputs.partitionWriteUnitsPerSecond,
      unit: 'write units/s',
    },
    {
      limit: "the hot customer's partition (ledger, daily and monthly items)",
      load: peak * 6,
      ceiling: inputs.partitionWriteUnitsPerSecond,
      unit: 'write units/s',
    },
    {
      limit: 'the GSI1 partition USAGE#M#<month> (every monthly total)',
      load: peak * customers,
      ceiling: inputs.partitionWriteUnitsPerSecond,
      unit: 'write units/s',
    },
    {
      limit: 'the whole table, against a new on-demand table',
      load: peak * writeUnits,
      ceiling: inputs.newTableWriteUnitsPerSecond,
      unit: 'write units/s',
    },
    {
      limit: "Lambda's asynchronous queue: functions running at once",
      load: peak * seconds,
      ceiling: 1000,
      unit: 'concurrent executions',
    },
  ];
  return {
    objectsPerBatch: inputs.objectsPerBatch,
    perUnit: {
      lines,
      mib: objectMiB,
      customers,
      contributions,
      links,
      writeRequests,
      writeUnits,
      seconds,
    },
    month,
    cost,
    total,
    perMillionRequests: total / (inputs.trackedRequestsPerMonth / 1e6),
    limits,
  };
}

/** The model as the Markdown tables of docs/scaling.md. */
export function formatModel(model: ReturnType<typeof scaleModel>): string {
  const n = (value: number, digits = 0) =>
    value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const usd = (value: number) => `$${n(value, 2)}`;
  const { perUnit: o, month, cost } = model;
  return [
    `| per ${model.objectsPerBatch === 1 ? 'log object' : `batch of ${n(model.objectsPerBatch)} log objects`} | |`,
    '| --- | --- |',
    `| lines (tracked and untracked) | ${n(o.lines)} |`,
    `| size | ${n(o.mib, 2)} MiB |`,
    `| customers in it | ${n(o.customers)} |`,
    `| contributions (account-days) | ${n(o.contributions)} |`,
    `| links | ${n(o.links)} |`,
    `| write requests | ${n(o.writeRequests)} |`,
    `| write units (with index entries) | ${n(o.writeUnits)} |`,
    `| metering time | ${n(o.seconds, 2)} s |`,
    '',
    '| a month | amount | cost |',
    '| --- | --- | --- |',
    `| log objects (S3 GETs) | ${n(month.objects)} | ${usd(cost.s3Gets)} |`,
    `| DynamoDB write units | ${n(month.writeUnits / 1e6, 1)} million | ${usd(cost.dynamoDbWrites)} |`,
    `| Lambda | ${n(month.gbSeconds)} GB-s, ${n(month.invocations)} invocations | ${usd(cost.lambda)} |`,
    `| ledger storage added | ${n(month.ledgerGb, 1)} GB (a month's worth, kept) | ${usd(cost.ledgerStorage)} |`,
    `| **total** | | **${usd(model.total)}** (${usd(model.perMillionRequests)} per million tracked requests) |`,
    '',
    '| limit (at the peak hour) | load | ceiling | used |',
    '| --- | --- | --- | --- |',
    ...model.limits.map(
      (l) =>
        `| ${l.limit} | ${n(l.load, 1)} ${l.unit} | ${n(l.ceiling)} | ${n((100 * l.load) / l.ceiling, 1)}% |`,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: Object.fromEntries(
      Object.keys(DEFAULT_INPUTS).map((name) => [name, { type: 'string' as const }]),
    ),
  });
  const inputs = { ...DEFAULT_INPUTS };
  for (const [name, value] of Object.entries(values)) {
    const number = Number(value);
    if (!Number.isFinite(number)) throw new Error(`--${name} must be a number, got ${value}`);
    inputs[name as keyof Inputs] = number;
  }
  console.log(formatModel(scaleModel(inputs)));
}
