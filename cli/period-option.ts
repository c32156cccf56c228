import { type Period, parsePeriod } from '../shared/usage/period.ts';
import { UsageError } from './command.ts';

/**
 * The --period option: a UTC month or day (default: the current UTC month), or a usage error
 * that says which forms work.
 */
export function readPeriodOption(text: string | undefined, now = new Date()): Period {
  if (text === undefined) return { kind: 'month', value: now.toISOString().slice(0, 7) };
  const period = parsePeriod(text);
  if (period === undefined) {
    throw new UsageError(`--period must be a month (2026-11) or a day (2026-11-22), got '${text}'`);
  }
  return period;
}
