import { type ParseArgsConfig, parseArgs } from 'node:util';
import { didYouMean } from './did-you-mean.ts';

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
    const message = (error as Error).message;
    // Node names the option it does not know: suggest the nearest one it does.
    const unknown = /^Unknown option '--([^']+)'/.exec(message)?.[1];
    const guess =
      unknown === undefined ? undefined : didYouMean(unknown, Object.keys(config.options ?? {}));
    throw new UsageError(
      guess === undefined ? message : `unknown option '--${unknown}'. Did you mean '--${guess}'?`,
    );
  }
}
