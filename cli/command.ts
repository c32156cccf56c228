import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Where a command writes; tests pass their own. */
export interface CommandIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One `usage-meter` subcommand (its name and summary are in cli/main.ts's list). */
export interface Command {
  /** Full usage text for `usage-meter <name> --help`. */
  usage: string;
  /** Runs with the arguments after the command name; resolves with the exit code. */
  run(args: string[], io: CommandIo): Promise<number>;
}

/** A mistake in how a command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Node's `parseArgs`, with its errors (unknown option, missing value) turned into usage errors. */
export function parseCommandArgs<T extends ParseArgsConfig>(
  config: T,
): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
