import { type Command, type CommandIo, UsageError } from './command.ts';
import { didYouMean } from './did-you-mean.ts';

/**
 * The commands, each loaded only when it runs: `usage-meter --help` or `report` never loads the
 * local stack's emulators (s3rver is a development dependency), nor the other commands.
 */
const COMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => Promise<Command> }> = [
  {
    name: 'parse',
    summary: 'print access log lines as JSON Lines records',
    load: async () => (await import('./commands/parse.ts')).parseCommand,
  },
  {
    name: 'aggregate',
    summary: 'per-customer download/upload totals of access log files',
    load: async () => (await import('./commands/aggregate.ts')).aggregateCommand,
  },
  {
    name: 'customers',
    summary: 'create, update, list and disable customers',
    load: async () => (await import('./commands/customers.ts')).customersCommand,
  },
  {
    name: 'keys',
    summary: 'create, list, revoke and rotate API keys',
    load: async () => (await import('./commands/keys.ts')).keysCommand,
  },
  {
    name: 'link',
    summary: 'issue a tracked presigned link for a customer',
    load: async () => (await import('./commands/link.ts')).linkCommand,
  },
  {
    name: 'reconcile',
    summary: 'meter every log object that has not been metered yet',
    load: async () => (await import('./commands/reconcile.ts')).reconcileCommand,
  },
  {
    name: 'report',
    summary: 'per-customer totals of a month or a day, as billing reads them',
    load: async () => (await import('./commands/report.ts')).reportCommand,
  },
  {
    name: 'verify',
    summary: 'check that a period’s totals equal their ledger and every log object was metered',
    load: async () => (await import('./commands/verify.ts')).verifyCommand,
  },
  {
    name: 'audit',
    summary: 'recompute a period from the raw logs and explain every difference',
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
  {
    name: 'export',
    summary: 'send the totals on to billing: Stripe meters, CloudEvents, or files',
    load: async () => (await import('./commands/export.ts')).exportCommand,
  },
  {
    name: 'dev',
    summary: 'run the local AWS stack (DynamoDB Local, S3 with access logging) until Ctrl-C',
    load: async () => (await import('./commands/dev.ts')).devCommand,
  },
  {
    name: 'demo',
    summary: 'walk through the whole pipeline once and check the totals (npm run demo)',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage-meter — meter S3 downloads and uploads per customer from S3 server access logs',
    '',
    'Usage: usage-meter <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'usage-meter <command> --help' for a command's options.",
  ].join('\n');
}

/** Runs the CLI with the arguments after the program name; resolves with the exit code. */
export async function main(
  args: string[],
  io: CommandIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${overview()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    const guess = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.stderr.write(
      guess === undefined
        ? `usage-meter: unknown command '${name}'\n\n${overview()}\n`
        : `usage-meter: unknown command '${name}'. Did you mean '${guess}'?\n` +
            `Run 'usage-meter --help' for the commands.\n`,
    );
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`usage-meter ${name}: ${error.message}\n\n${command.usage}\n`);
      return 2;
    }
    io.stderr.write(`usage-meter ${name}: ${describeFailure(error as Error)}\n`);
    return 1;
  }
}

/** A failure's message; for a service nobody answers at, what to check. */
function describeFailure(
  error: Error & { code?: string; address?: string; port?: number },
): string {
  if (error.code === 'ECONNREFUSED' && error.address !== undefined) {
    return `nothing answers at ${error.address}:${error.port ?? ''} (connection refused): is the stack running, and is that its endpoint?`;
  }
  return error.message;
}
