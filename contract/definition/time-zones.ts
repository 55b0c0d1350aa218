/**
 * Wall-clock time in an IANA zone ↔ instants, without a time-zone library: Intl gives a zone's
 * offset at an instant, and two passes settle the offset around DST changes. "Wall" dates are Date
 * objects whose UTC fields hold the local wall-clock time (the `rrule` package's floating dates).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** The wall-clock time in `timeZone` at `instant`, as a floating date. */
export function toWallTime(instant: Date, timeZone: string): Date {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(instant).map((p) => [p.type, p.value]));
  return new Date(
    Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)),
  );
}

/** Offset of `timeZone` from UTC at `instant`, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  return toWallTime(instant, timeZone).getTime() - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a floating wall-clock time names in `timeZone`. A wall time skipped by a DST change
 * lands after the gap; an ambiguous one (the repeated hour) takes the later, standard-time reading.
 */
export function fromWallTime(wall: Date, timeZone: string): Date {
  const guess = new Date(wall.getTime() - offsetAt(wall, timeZone));
  return new Date(wall.getTime() - offsetAt(guess, timeZone));
}

/** `2024-06-02T01:00:00` (a window's start) as a floating date. */
export function parseWallTime(localDateTime: string): Date {
  return new Date(`${localDateTime}Z`);
}
