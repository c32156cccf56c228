import { type Command, type CommandIo, UsageError } from './command.ts';
import { aggregateCommand } from './commands/aggregate.ts';
import { auditCommand } from './commands/audit.ts';
import { customersCommand } from './commands/customers.ts';
import { demoCommand } from './commands/demo.ts';
import { devCommand } from './commands/dev.ts';
import { keysCommand } from './commands/keys.ts';
import { linkCommand } from './commands/link.ts';
import { parseCommand } from './commands/parse.ts';
import { reconcileCommand } from './commands/reconcile.ts';
import { reportCommand } from './commands/report.ts';
import { verifyCommand } from './commands/verify.ts';

const COMMANDS: readonly Command[] = [
  parseCommand,
  aggregateCommand,
  customersCommand,
  keysCommand,
  linkCommand,
  reconcileCommand,
  reportCommand,
  verifyCommand,
  auditCommand,
  devCommand,
  demoCommand,
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
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    io.stderr.write(`usage-meter: unknown command '${name}'\n\n${overview()}\n`);
    return 2;
  }
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
    io.stderr.write(`usage-meter ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}
