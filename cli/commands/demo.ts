import { runWalkthrough } from '../../local/demo-walkthrough.ts';
import { COUNTER_NAMES } from '../../shared/usage/usage-counters.ts';
import { type Command, parseCommandArgs } from '../command.ts';
import { formatTable } from '../format-table.ts';

const USAGE = `Usage: usage-meter demo

A one-shot walkthrough of the whole pipeline on a fresh in-memory local stack (any free
ports): three customers, links issued through the HTTP API, downloads whole and by range,
a tampered and an expired link, an upload, a URL the operator presigned itself; the access
logs delivered and metered. Prints the metered totals next to what the clients counted,
customers and what must bill nobody alike; exit code 0 only if they agree.`;

export const demoCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    parseCommandArgs({ args, options: {} });
    const result = await runWalkthrough({ say: (line) => io.stdout.write(`• ${line}\n`) });
    const rows = [
      ...result.customers,
      ...result.untracked.map((u) => ({ ...u, customerId: `(untracked: ${u.reason})` })),
    ].flatMap(({ customerId, expected, metered }) => [
      [customerId, 'metered', ...COUNTER_NAMES.map((n) => String(metered[n]))],
      ['', 'clients counted', ...COUNTER_NAMES.map((n) => String(expected[n]))],
    ]);
    io.stdout.write(`\n${formatTable(['CUSTOMER', '', ...COUNTER_NAMES], rows)}\n`);
    io.stdout.write(
      result.agree
        ? 'The metered totals equal what the clients sent and received.\n'
        : 'MISMATCH: the metered totals differ from what the clients counted.\n',
    );
    return result.agree ? 0 : 1;
  },
};
