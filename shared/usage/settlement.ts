import type { Period } from './period.ts';

/**
 * How long after a period ends its usage may still change. S3 delivers most access logs
 * within hours but promises no bound, so a day or a month stays open for this long after
 * its end before billing takes it as final.
 */
export const DEFAULT_SETTLE_WINDOW_HOURS = 48;
/** At most 90 days: a longer window would hold a month open past the next month's bill. */
export const MAX_SETTLE_WINDOW_HOURS = 90 * 24;

/** Whether a period's usage may still change, and from when on it is final. */
export interface Settlement {
  status: 'open' | 'settled';
  /** ISO 8601: the period's end plus the settle window. */
  settlesAt: string;
}

/** The instant a period ends: the next UTC day's or month's first millisecond. */
export function periodEnd(period: Period): Date {
  if (period.kind === 'day') return new Date(Date.parse(`${period.value}T00:00:00Z`) + 86_400_000);
  const [year, month] = period.value.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month, 1));
}

/** A period is open until `windowHours` after its end, then settled. */
export function settlementOf(period: Period, now: Date, windowHours: number): Settlement {
  const settlesAt = new Date(periodEnd(period).getTime() + windowHours * 3_600_000);
  return {
    status: now.getTime() >= settlesAt.getTime() ? 'settled' : 'open',
    settlesAt: settlesAt.toISOString(),
  };
}
