/**
 * A calendar date as written in a definition (`credentialExpires: 2027-03-31`): one format and one
 * reading for the schema, the checker's configuration and the expiry series.
 */

/** What a date field expects. */
export const CALENDAR_DATE_FORMAT = "a date YYYY-MM-DD (e.g. 2027-03-31)";

/** Unix milliseconds of 00:00 UTC on a `YYYY-MM-DD` date, or undefined when it is not a real date. */
export function utcDayStartMs(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  return back.getUTCFullYear() === year && back.getUTCMonth() === month - 1 && back.getUTCDate() === day ? ms : undefined;
}
