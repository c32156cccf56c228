/** A billing period: a UTC month `2026-11` or a UTC day `2026-11-22`. */
export type Period = { kind: 'month' | 'day'; value: string };

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Reads a period, or undefined when it is neither a month nor a real day. */
export function parsePeriod(text: string): Period | undefined {
  if (MONTH.test(text)) return { kind: 'month', value: text };
  if (DAY.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text)) {
    return { kind: 'day', value: text };
  }
  return undefined;
}

/** The first and last UTC day of a period, `yyyy-mm-dd`. */
export function periodDays(period: Period): { first: string; last: string } {
  if (period.kind === 'day') return { first: period.value, last: period.value };
  const [year, month] = period.value.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
  return { first: `${period.value}-01`, last };
}

/** The days of a period up to `today` (`yyyy-mm-dd`), oldest first: those that can have usage. */
export function periodDaysUntil(period: Period, today: string): string[] {
  const { first, last } = periodDays(period);
  const days: string[] = [];
  for (let day = first; day <= last && day <= today; day = addDays(day, 1)) days.push(day);
  return days;
}

/** The day `days` after `day` (UTC), `yyyy-mm-dd`. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
