import { tmpdir } from 'node:os';
import { AthenaClient } from '@aws-sdk/client-athena';
import {
  createS3LogObjectOpener,
  listLogObjects,
} from '../../shared/access-log/log-object-reader.ts';
import { DynamoDbCustomerStore } from '../../shared/customers/dynamodb-customer-store.ts';
import { athenaAuditQuery } from '../../shared/metering/athena-audit-query.ts';
import { runAthenaStatements } from '../../shared/metering/athena-runner.ts';
import { type AuditLine, auditPeriod } from '../../shared/metering/audit.ts';
import { createAttributionRules } from '../../shared/usage/attribution-rules.ts';
import { DynamoDbUsageStore } from '../../shared/usage/dynamodb-usage-store.ts';
import { COUNTER_NAMES, type UsageCounters } from '../../shared/usage/usage-counters.ts';
import type { PeriodTotals } from '../../shared/usage/usage-store.ts';
import { type Command, type CommandIo, parseCommandArgs, UsageError } from '../command.ts';
import {
  LOG_BUCKET_OPTIONS,
  LOG_BUCKET_USAGE,
  readLogBucketOptions,
} from '../log-bucket-option.ts';
import { readPeriodOption } from '../period-option.ts';
import { readSignerOption, SIGNER_OPTION, SIGNER_USAGE } from '../signer-option.ts';
import { openTarget, TARGET_OPTIONS, TARGET_USAGE } from '../target.ts';
import { mebibytes, ProgressLine } from '../progress-line.ts';

const USAGE = `Usage: usage-meter audit --period 2026-11|2026-11-22 [--log-bucket <name>] [--prefix logs/] [--json] [--athena [--run …]]

Recomputes every account's totals for the period from the raw log objects, independently of
the ledger — one streaming pass over the log objects delivered from the period's first day
to two days after its last, each record counted once whatever object holds it, with the
attribution rule — and compares them with the stored totals. Every difference is explained:
  unmetered                records only in log objects never metered (not yet, or failed)
  cross-object duplicates  one record in several metered log objects, counted by each
  unexplained              what no log object accounts for (a total changed by hand, logs
                           delivered later than two days)
Exit code 1 when any stored total differs from the recomputed one. Memory stays bounded:
records are deduplicated in partitions spilled to a temporary folder.

${LOG_BUCKET_USAGE}
  --json               the whole report as JSON
  --athena             print the same check as Athena SQL over the log bucket, for periods
                       beyond one machine, and read nothing
  --run                with --athena: run it on Athena (AWS credentials as usual) and
                       compare its totals per customer with the stored ones; exit code 1 on
                       any difference
  --athena-database <name>  the Glue database for the table (default: default)
  --athena-output <s3 url>  where Athena writes results, unless the workgroup sets it
  --workgroup <name>        the Athena workgroup (default: the account's primary)
${SIGNER_USAGE}
${TARGET_USAGE}`;

export const auditCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const { values } = parseCommandArgs({
      args,
      options: {
        ...TARGET_OPTIONS,
        ...SIGNER_OPTION,
        period: { type: 'string' },
        ...LOG_BUCKET_OPTIONS,
        json: { type: 'boolean', default: false },
        athena: { type: 'boolean', default: false },
        run: { type: 'boolean', default: false },
        'athena-database': { type: 'string', default: 'default' },
        'athena-output': { type: 'string' },
        workgroup: { type: 'string' },
      },
    });
    const period = readPeriodOption(values.period);
    const { logBucket, logPrefix } = readLogBucketOptions(values, process.env);
    const signers = readSignerOption(values, process.env);
    const query = athenaAuditQuery({ period, logBucket, logPrefix, signers });
    if (values.athena && !values.run) {
      io.stdout.write(`${query.createTable};\n\n${query.totals};\n`);
      return 0;
    }
    if (values.run && !values.athena) throw new UsageError('--run goes with --athena');
    const target = openTarget(values, process.env, (line) => io.stderr.write(line));
    try {
      const tableName = target.tableName();
      const store = new DynamoDbUsageStore(target.documents, tableName);
      if (values.athena) {
        const athena = new AthenaClient({});
        try {
          const rows = await runAthenaStatements(athena, [query.createTable, query.totals], {
            database: values['athena-database'],
            workgroup: values.workgroup,
            outputLocation: values['athena-output'],
          });
          return compareWithAthena(rows, await store.listTotals(period), io);
        } finally {
          athena.destroy();
        }
      }
      const customers = await new DynamoDbCustomerStore(
        target.documents,
        tableName,
      ).listCustomers();
      const stored = new Map<string, UsageCounters>();
      for (const { customerId, period: _, ...counters } of await store.listTotals(period)) {
        stored.set(customerId, counters);
      }
      for (const [reason, counters] of await store.listUntrackedTotals(period)) {
        stored.set(`(untracked: ${reason})`, counters);
      }
      const progress = new ProgressLine(io.stderr);
      const report = await auditPeriod({
        period,
        logBucket,
        logPrefix,
        list: (startAfter) => listLogObjects(target.s3, logBucket, logPrefix, startAfter),
        open: createS3LogObjectOpener(target.s3),
        findSummaries: (logObjects) => store.findSummaries(logObjects),
        rules: createAttributionRules({ signers, customers }),
        stored,
        spillParent: tmpdir(),
        onProgress: (p) => {
          progress.update(`read ${p.objects} log objects, ${mebibytes(p.bytes)}, ${p.lines} lines`);
        },
      });
      progress.break();
      if (values.json) {
        io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return report.clean ? 0 : 1;
      }
      for (const line of report.accounts) io.stdout.write(describeDifferences(line));
      for (const logObject of report.unmeteredObjects) {
        io.stdout.write(`unmetered: ${logObject}\n`);
      }
      io.stdout.write(
        `${report.objects} log objects (${report.lines} lines, ${report.rejectedLines} rejected, ` +
          `${report.repeatedLines} repeated within an object, ${report.duplicateObjects} copies of ` +
          `another) for ${period.value}: ${
            report.clean
              ? 'every stored total equals the logs'
              : `${report.accounts.filter(differs).length} accounts differ`
          }\n`,
      );
      return report.clean ? 0 : 1;
    } finally {
      target.close();
    }
  },
};

/** Athena's rows (header first) beside the stored totals; 1 when any counter differs. */
function compareWithAthena(rows: string[][], stored: PeriodTotals[], io: CommandIo): number {
  const [header = [], ...data] = rows;
  const storedBy = new Map(stored.map((t) => [t.customerId, t]));
  let differing = 0;
  for (const row of data) {
    const customer = row[0] ?? '';
    const totals = storedBy.get(customer);
    for (const [i, name] of header.entries()) {
      const counter = COUNTER_NAMES.find((n) => n.toLowerCase() === name.toLowerCase());
      if (counter === undefined) continue;
      const athenaValue = Number(row[i] ?? 0);
      const storedValue = totals?.[counter] ?? 0;
      if (athenaValue !== storedValue) {
        differing++;
        io.stdout.write(`${customer} ${counter}: stored ${storedValue}, Athena ${athenaValue}\n`);
      }
    }
  }
  io.stdout.write(
    `${data.length} customers in Athena's totals: ${differing === 0 ? 'all equal the stored ones' : `${differing} counters differ`}\n`,
  );
  return differing === 0 ? 0 : 1;
}

function differs(line: AuditLine): boolean {
  return COUNTER_NAMES.some((name) => line.stored[name] !== line.recomputed[name]);
}

/** `acme downloadBytes: stored 300, logs 100 (+200: cross-object duplicates +200)`, per counter. */
function describeDifferences(line: AuditLine): string {
  const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
  return COUNTER_NAMES.filter((name) => line.stored[name] !== line.recomputed[name])
    .map((name) => {
      const causes = [
        ['unmetered', -line.unmetered[name]],
        ['cross-object duplicates', line.crossObjectDuplicates[name]],
        ['unexplained', line.unexplained[name]],
      ] as const;
      const explained = causes
        .filter(([, amount]) => amount !== 0)
        .map(([cause, amount]) => `${cause} ${signed(amount)}`)
        .join(', ');
      return `${line.account} ${name}: stored ${line.stored[name]}, logs ${line.recomputed[name]} (${signed(line.stored[name] - line.recomputed[name])}: ${explained})\n`;
    })
    .join('');
}
