import { MAX_OFFSET_MINUTES, MONTH_ABBREVIATIONS } from './constants.ts';
import { DASH, isDigit, SPACE } from './line-grammar.ts';

// Month abbreviations by their three character codes packed into one number (no substring),
// in month order: searched in place, faster than a map for twelve.
const monthKey = (a: number, b: number, c: number) => (a << 16) | (b << 8) | c;
const MONTH_KEYS = Int32Array.from(MONTH_ABBREVIATIONS, (m) =>
  monthKey(m.charCodeAt(0), m.charCodeAt(1), m.charCodeAt(2)),
);

/**
 * Converts the Time field's text (without brackets) to ISO 8601 UTC to the second, or
 * undefined when it is not `dd/Mon/yyyy:HH:MM:SS ±hhmm`.
 */
export function parseLogTime(text: string): string | undefined {
  if (text.length !== 26) return undefined;
  const seconds = logTimeSeconds(text, 0);
  return Number.isNaN(seconds) ? undefined : isoSeconds(seconds);
}

/**
 * The time field's text at `at` (`dd/Mon/yyyy:HH:MM:SS ±hhmm`) as seconds since the epoch,
 * or NaN when it is not a real calendar day, clock time and time zone offset.
 */
export function logTimeSeconds(line: string, at: number): number {
  const sign = line.charCodeAt(at + 21);
  if (
    line.charCodeAt(at + 2) !== 47 ||
    line.charCodeAt(at + 6) !== 47 ||
    line.charCodeAt(at + 11) !== 58 ||
    line.charCodeAt(at + 14) !== 58 ||
    line.charCodeAt(at + 17) !== 58 ||
    line.charCodeAt(at + 20) !== SPACE ||
    (sign !== 43 && sign !== DASH)
  ) {
    return Number.NaN;
  }
  const month = MONTH_KEYS.indexOf(
    monthKey(line.charCodeAt(at + 3), line.charCodeAt(at + 4), line.charCodeAt(at + 5)),
  );
  if (month === -1) return Number.NaN;
  const year = digits(line, at + 7, 4);
  const day = digits(line, at, 2);
  const hours = digits(line, at + 12, 2);
  const minutes = digits(line, at + 15, 2);
  const seconds = digits(line, at + 18, 2);
  const offsetHours = digits(line, at + 22, 2);
  const offsetMinutes = digits(line, at + 24, 2);
  // Each is -1 when one of its characters is not a digit.
  if ((year | day | hours | minutes | seconds | offsetHours | offsetMinutes) < 0) return Number.NaN;
  if (hours > 23 || minutes > 59 || seconds > 59) return Number.NaN;
  if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > MAX_OFFSET_MINUTES) {
    return Number.NaN;
  }
  // Packed so that every two-digit day has a key of its own (00 to 99, real or not): a day
  // past the month's end must never share the key of a real day of the next month.
  const date = (year * 12 + month) * 100 + day;
  if (date !== lastDate) {
    if (day < 1 || day > daysInMonth(year, month)) return Number.NaN;
    lastDays = daysFromCivil(year, month + 1, day);
    lastDate = date;
  }
  const offset = (sign === DASH ? -1 : 1) * (offsetHours * 60 + offsetMinutes);
  return lastDays * 86_400 + hours * 3600 + minutes * 60 + seconds - offset * 60;
}

// The last real calendar day read (year, month and day packed), and its days since
// 1970-01-01: a log's lines come day after day.
let lastDate = -1;
let lastDays = 0;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month !== 1) return DAYS_IN_MONTH[month] as number;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (any year, unlike Date.UTC's 0–99). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The texts of 00 to 59. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
/** The day last written, as days since 1970-01-01, and its date (`2026-11-01T`). */
let writtenDay = Number.NaN;
let writtenDate = '';

/**
 * Whole seconds since the epoch (as `logTimeSeconds` gives them) in ISO 8601 UTC, as
 * parseLine writes a record's time. Times come day after day, so the date of the last day
 * is kept and only the time of day is written: a `Date` and its ISO text took 0.5 µs,
 * twice per link a log holds.
 */
export function isoSeconds(seconds: number): string {
  const whole = Math.floor(seconds);
  const day = Math.floor(whole / 86_400);
  if (day !== writtenDay) {
    const iso = new Date(day * 86_400_000).toISOString();
    // A year outside 0000–9999 is written with a sign and six digits: left to Date.
    if (iso.length !== 24) return `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
    writtenDay = day;
    writtenDate = iso.slice(0, 11);
  }
  const time = whole - day * 86_400;
  const minutes = Math.floor(time / 60);
  return `${writtenDate}${TWO_DIGITS[Math.floor(minutes / 60)]}:${TWO_DIGITS[minutes % 60]}:${TWO_DIGITS[time % 60]}Z`;
}

/** The number the `count` digits at `at` write, or -1 when one is not a digit. */
function digits(line: string, at: number, count: number): number {
  let value = 0;
  for (let i = 0; i < count; i++) {
    const code = line.charCodeAt(at + i);
    if (!isDigit(code)) return -1;
    value = value * 10 + code - 48;
  }
  return value;
}
