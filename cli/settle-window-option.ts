import {
  DEFAULT_SETTLE_WINDOW_HOURS,
  MAX_SETTLE_WINDOW_HOURS,
} from '../shared/usage/settlement.ts';
import { UsageError } from './command.ts';

/** `--settle-window <hours>`: how long after its end a period's usage may still change. */
export const SETTLE_WINDOW_OPTION = { 'settle-window': { type: 'string' } } as const;

export const SETTLE_WINDOW_USAGE = `  --settle-window <hours>    a day or month is open until this long after its end, then
                             settled; what is metered later is a late adjustment (default:
                             $SETTLE_WINDOW_HOURS, else ${DEFAULT_SETTLE_WINDOW_HOURS}, as the link API's)`;

/** The option's hours, or $SETTLE_WINDOW_HOURS, or the default. */
export function readSettleWindowOption(text: string | undefined, env: NodeJS.ProcessEnv): number {
  const given = text ?? env.SETTLE_WINDOW_HOURS;
  if (given === undefined || given === '') return DEFAULT_SETTLE_WINDOW_HOURS;
  const hours = /^\d+$/.test(given) ? Number(given) : Number.NaN;
  if (!(hours <= MAX_SETTLE_WINDOW_HOURS)) {
    const source = text === undefined ? 'SETTLE_WINDOW_HOURS' : '--settle-window';
    throw new UsageError(
      `${source} must be a whole number of hours from 0 to ${MAX_SETTLE_WINDOW_HOURS}, got '${given}'`,
    );
  }
  return hours;
}
