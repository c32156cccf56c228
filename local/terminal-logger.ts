import { Logger, type LogItem } from '@aws-lambda-powertools/logger';

// What every line has, or what only a machine reads: left out of the terminal line.
const LEFT_OUT = new Set(['level', 'message', 'timestamp', 'service', 'sampling_rate', 'digest']);
// As Powertools prints them: warnings and errors to stderr, the rest to stdout.
const TO_STDERR = new Set(['WARN', 'ERROR', 'CRITICAL']);

/**
 * The local stack's logger for a person at a terminal: the same calls and levels as the
 * Lambdas' JSON logger, printed as one short line each (`10:20:03 INFO log object metered
 * logObject=… lines=42 …`) instead of a long JSON object.
 */
export class TerminalLogger extends Logger {
  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const attributes = log.getAttributes();
    const time = text(attributes.timestamp).slice(11, 19);
    const fields = Object.entries(attributes)
      .filter(([key, value]) => !LEFT_OUT.has(key) && !isEmpty(value))
      .map(([key, value]) => `${key}=${text(value)}`);
    const level = String(attributes.level);
    const line = [time, level, text(attributes.message), ...fields].join(' ');
    (TO_STDERR.has(level) ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
}
