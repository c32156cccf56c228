import { parseLogStream } from '../../shared/access-log/index.ts';
import { type Command, parseCommandArgs } from '../command.ts';
import { resolveInputs } from '../inputs.ts';
import { BufferedWriter } from '../output.ts';

const USAGE = `Usage: usage-meter parse FILE... (- reads stdin)

Parses S3 server access logs and prints one JSON object per non-empty line (JSON Lines):
  {"line": N, "record": {...}}    the record's fields; - is null, time is ISO 8601 UTC
  {"line": N, "error": "<reason>"}   a line that is not a record
With several files each object also has "file". The count of rejected lines goes to stderr;
the exit code is 0 even when lines are rejected (they are data, not failures).`;

export const parseCommand: Command = {
  usage: USAGE,
  async run(args, io) {
    const paths = parseCommandArgs({
      args,
      options: {},
      strict: true,
      allowPositionals: true,
    }).positionals;
    const inputs = await resolveInputs(paths, io.stdin);
    const out = new BufferedWriter(io.stdout);
    let records = 0;
    let rejected = 0;
    for (const input of inputs) {
      const file = inputs.length > 1 ? { file: input.name } : {};
      for await (const { number, result } of parseLogStream(input.open())) {
        if (result.ok) records++;
        else rejected++;
        const entry = result.ok
          ? { ...file, line: number, record: result.record }
          : { ...file, line: number, error: result.reason };
        await out.write(`${JSON.stringify(entry)}\n`);
      }
    }
    await out.flush();
    io.stderr.write(`${records} records, ${rejected} rejected lines\n`);
    return 0;
  },
};
