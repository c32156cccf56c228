import { type Period, parsePeriod } from '../shared/usage/period.ts';
import { UsageError } from './command.ts';

/** The --period option: a UTC month or day, or a usage error that says which forms work. */
export function readPeriodOption(text: string | undefined): Period {
  const period = text === undefined ? undefined : parsePeriod(text);
  if (period === undefined) {
    throw new UsageError(
      `--period must be a month (2026-11) or a day (2026-11-22), got '${text ?? ''}'`,
    );
  }
  return period;
}
