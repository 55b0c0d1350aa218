/**
 * The operations part of an environment definition: `maintenance:` windows and the availability
 * `slo:`. Exported as zod schemas for `contract/definition/schema.ts` to plug in, plus the one
 * cross-field check ({@link operationsIssues}) that needs the controllers. Like the schema, this
 * module imports neither cdktf nor any provider, so the CLIs stay light.
 */
import { RRule } from "rrule";
import { z } from "zod";
import { TAG_KEYS } from "../metrics";
import { MAX_TAG_LENGTH, normalizeTagValue } from "../tags";
import { didYouMean } from "./did-you-mean";

// --- Durations -------------------------------------------------------------------------------

/** `2h`, `90m`, `1h30m`, `1d`, `1w2d`: units in descending order, each at most once. */
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/;

/** Minutes in a duration such as `1h30m`, or undefined when it is not one (negative ones are not). */
export function parseDurationMinutes(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null || text.trim() === "") return undefined;
  const [w, d, h, m] = match.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return ((w! * 7 + d!) * 24 + h!) * 60 + m!;
}

/**
 * The duration as Datadog's downtime API takes it: "an integer and one of m, h, d or w"
 * (terraform-provider-datadog docs/resources/downtime_schedule.md), so `1h30m` becomes `90m`.
 */
export function downtimeDuration(minutes: number): string {
  if (minutes % (7 * 24 * 60) === 0) return `${minutes / (7 * 24 * 60)}w`;
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

// --- Recurrence rules ------------------------------------------------------------------------

/** RFC 5545 RRULE parts. */
const RRULE_PARTS = [
  "FREQ",
  "INTERVAL",
  "COUNT",
  "UNTIL",
  "WKST",
  "BYSETPOS",
  "BYMONTH",
  "BYMONTHDAY",
  "BYYEARDAY",
  "BYWEEKNO",
  "BYDAY",
  "BYHOUR",
  "BYMINUTE",
  "BYSECOND",
] as const;
/** Datadog takes the first occurrence and the length from its own fields, never from the rule. */
const RRULE_PARTS_DATADOG_REFUSES = ["DTSTART", "DTEND", "DURATION"] as const;
/** RFC 5545 §3.3.10's ranges of the numeric BY parts; `nonZero`: negative counts from the end, 0 is invalid. */
const RRULE_RANGES: Readonly<Record<string, { min: number; max: number; nonZero?: boolean }>> = {
  bysecond: { min: 0, max: 60 },
  byminute: { min: 0, max: 59 },
  byhour: { min: 0, max: 23 },
  bymonthday: { min: -31, max: 31, nonZero: true },
  byyearday: { min: -366, max: 366, nonZero: true },
  byweekno: { min: -53, max: 53, nonZero: true },
  bymonth: { min: 1, max: 12 },
  bysetpos: { min: -366, max: 366, nonZero: true },
};
const FREQUENCIES = ["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY"] as const;
/**
 * RFC 5545 frequencies Datadog's v2 downtime schedules do not take: recurrences are hourly or
 * coarser (docs/stacks.md, "Maintenance windows"; a minute-long window every minute would also
 * mute the checker's every check).
 */
const FREQUENCIES_DATADOG_REFUSES = ["MINUTELY", "SECONDLY"] as const;
const FREQUENCIES_ACCEPTED = FREQUENCIES.filter((f) => !(FREQUENCIES_DATADOG_REFUSES as readonly string[]).includes(f));

/**
 * Why an RRULE is unusable, or undefined when it is fine. The `rrule` package parses leniently
 * (an unknown FREQ or BYDAY value parses to nothing), so the parts are checked here first and the
 * package then proves the rule yields occurrences.
 */
export function rruleProblem(text: string): string | undefined {
  const rule = text.trim().replace(/^RRULE:/i, "").toUpperCase();
  if (rule === "") return "is empty: expected an RFC 5545 rule such as FREQ=WEEKLY;BYDAY=SU";
  const seen = new Set<string>();
  for (const part of rule.split(";")) {
    const [key = "", value, ...rest] = part.split("=");
    const name = key.toUpperCase();
    if ((RRULE_PARTS_DATADOG_REFUSES as readonly string[]).includes(name)) {
      return `must not set ${name}: use the entry's start and duration (Datadog refuses ${RRULE_PARTS_DATADOG_REFUSES.join(", ")} in a rule)`;
    }
    if (!(RRULE_PARTS as readonly string[]).includes(name) || value === undefined || value === "" || rest.length > 0) {
      return `does not parse at "${part}": expected KEY=VALUE parts of RFC 5545 (${RRULE_PARTS.join(", ")})`;
    }
    if (seen.has(name)) return `sets ${name} twice`;
    seen.add(name);
  }
  if (!seen.has("FREQ")) return "has no FREQ: expected e.g. FREQ=WEEKLY;BYDAY=SU";
  try {
    const options = RRule.parseString(rule);
    if (options.freq === undefined) return `has an unknown FREQ: expected one of ${FREQUENCIES_ACCEPTED.join(", ")}`;
    const freq = FREQUENCIES[options.freq];
    if ((FREQUENCIES_DATADOG_REFUSES as readonly string[]).includes(freq ?? "")) {
      return `has FREQ=${freq}, which Datadog's downtime schedules do not take: expected one of ${FREQUENCIES_ACCEPTED.join(", ")}`;
    }
    const weekdays = options.byweekday;
    if (Array.isArray(weekdays) && weekdays.some((day) => day === null || day === undefined)) {
      return "has an unknown BYDAY value: expected MO, TU, WE, TH, FR, SA or SU, optionally with an ordinal (1SU, -1FR)";
    }
    for (const [key, value] of Object.entries(options)) {
      if (key === "freq" || key === "wkst" || key === "byweekday" || key === "until" || key === "dtstart") continue;
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v !== "number" || !Number.isInteger(v))) return `sets ${key.toUpperCase()} to a value that is not an integer`;
      const range = RRULE_RANGES[key];
      const outside = range && (values as number[]).find((v) => v < range.min || v > range.max || (range.nonZero === true && v === 0));
      if (range && outside !== undefined) {
        return `sets ${key.toUpperCase()}=${outside}, which no date has: expected ${range.nonZero ? `${range.min} to -1 or 1 to ${range.max}` : `${range.min} to ${range.max}`} (RFC 5545)`;
      }
    }
    if (options.interval !== undefined && options.interval < 1) return "has an INTERVAL below 1";
    // Look for a first occurrence within 30 years only: an impossible rule (BYMONTH=2;BYMONTHDAY=31)
    // would otherwise be searched for a long time.
    const from = new Date(Date.UTC(2000, 0, 1));
    const horizon = new Date(Date.UTC(2030, 0, 1));
    const until = options.until instanceof Date && options.until < horizon ? options.until : horizon;
    const first = new RRule({ ...options, dtstart: from, until }).all((_, i) => i < 1);
    if (first.length === 0) return "yields no occurrence";
  } catch (error) {
    return `does not parse: ${(error as Error).message}`;
  }
  return undefined;
}

// --- Time zones and local date-times ---------------------------------------------------------

/** The IANA name Intl resolves `zone` to, or undefined when it is not an IANA zone (offsets are not). */
export function resolveTimeZone(zone: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** `2024-06-02T01:00` or `2024-06-02T01:00:00`, without offset: Datadog reads it in the window's time zone. */
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** `YYYY-MM-DDTHH:MM:SS` for a valid local date-time, or undefined. */
export function parseLocalDateTime(text: string): string | undefined {
  const match = LOCAL_DATE_TIME.exec(text.trim());
  if (match === null) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? "0"));
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  const valid =
    date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day && hour! < 24 && minute! < 60 && second! < 60;
  return valid ? date.toISOString().slice(0, 19) : undefined;
}

// --- Schemas ---------------------------------------------------------------------------------

/** The tag a scoped window matches, and the key it goes under in the downtime scope. */
export const MAINTENANCE_SCOPES = {
  partner: TAG_KEYS.endpoint,
  tunnel: TAG_KEYS.tunnel,
  controller: TAG_KEYS.controller,
} as const;
export type MaintenanceScopeField = keyof typeof MAINTENANCE_SCOPES;
const SCOPE_FIELDS = Object.keys(MAINTENANCE_SCOPES) as MaintenanceScopeField[];

/**
 * A partner or tunnel name, normalized exactly as the checker tags it (contract/tags.ts), so that
 * `partner: "ACME Corp."` matches the tag `endpoint:acme_corp.`.
 */
function checkerTagValue(key: string) {
  return z
    .string({ message: "must be a string" })
    .transform((value, ctx) => {
      const normalized = normalizeTagValue(value, MAX_TAG_LENGTH - key.length - 1);
      if (normalized === "") {
        ctx.addIssue({ code: "custom", message: `normalizes to an empty ${key} tag: expected a name with letters or digits` });
        return z.NEVER;
      }
      return normalized;
    });
}

export const maintenanceWindowSchema = z
  .strictObject({
    /** Shown in Datadog's downtime message and the alert preview; unique within the environment. */
    name: z
      .string({ message: "is required" })
      .trim()
      .min(1, { message: "is required" })
      .max(100, { message: "is longer than 100 characters" }),
    /** RFC 5545 recurrence, e.g. `FREQ=WEEKLY;BYDAY=SU`; no DTSTART, DTEND or DURATION. */
    rrule: z
      .string({ message: "is required (an RFC 5545 rule such as FREQ=WEEKLY;BYDAY=SU)" })
      .superRefine((rule, ctx) => {
        const problem = rruleProblem(rule);
        if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
      })
      .transform((rule) => rule.trim().replace(/^RRULE:/i, "").toUpperCase()),
    /** Local date-time of the first occurrence in `timezone`, e.g. `2024-06-02T01:00`. */
    start: z.string({ message: "is required (a local date-time such as 2024-06-02T01:00)" }).transform((text, ctx) => {
      const parsed = parseLocalDateTime(text);
      if (parsed === undefined) {
        ctx.addIssue({ code: "custom", message: "is not a local date-time YYYY-MM-DDTHH:MM[:SS] without offset (the time zone is its own field)" });
        return z.NEVER;
      }
      return parsed;
    }),
    /** Length of each occurrence: `2h`, `90m`, `1h30m`, `1d`. */
    duration: z.string({ message: "is required (e.g. 2h, 90m or 1h30m)" }).transform((text, ctx) => {
      if (/^\s*-/.test(text)) {
        ctx.addIssue({ code: "custom", message: "must be longer than zero (it is negative)" });
        return z.NEVER;
      }
      const minutes = parseDurationMinutes(text);
      if (minutes === undefined) {
        ctx.addIssue({ code: "custom", message: "is not a duration: expected e.g. 2h, 90m or 1h30m (units w, d, h, m)" });
        return z.NEVER;
      }
      if (minutes <= 0) {
        ctx.addIssue({ code: "custom", message: "must be longer than zero" });
        return z.NEVER;
      }
      return minutes;
    }),
    /** IANA time zone the rule and start are read in, e.g. `Europe/Berlin`. */
    timezone: z.string({ message: "is required (an IANA time zone such as Europe/Berlin)" }).transform((zone, ctx) => {
      const resolved = resolveTimeZone(zone.trim());
      if (resolved === undefined) {
        ctx.addIssue({ code: "custom", message: "is not an IANA time zone: expected e.g. Europe/Berlin, America/New_York or UTC" });
        return z.NEVER;
      }
      return resolved;
    }),
    /** Mute only this partner's alerts (the checker's `endpoint` tag). @default the whole environment */
    partner: checkerTagValue(TAG_KEYS.endpoint).optional(),
    /** Mute only this tunnel's alerts (the checker's `tunnel` tag). @default the whole environment */
    tunnel: checkerTagValue(TAG_KEYS.tunnel).optional(),
    /** Mute only this controller's alerts; must name one of `controllers`. @default the whole environment */
    controller: z.string({ message: "must be a string" }).optional(),
  })
  .superRefine((entry, ctx) => {
    const set = SCOPE_FIELDS.filter((field) => entry[field] !== undefined);
    if (set.length > 1) {
      ctx.addIssue({
        code: "custom",
        path: [set[1]!],
        message: `cannot be set together with ${set[0]}: set at most one of ${SCOPE_FIELDS.join(", ")}`,
      });
    }
  })
  .transform(({ duration, ...entry }) => ({ ...entry, durationMinutes: duration }));

/** `maintenance:` — recurring windows in which this environment's monitors are muted. @default [] */
export const maintenanceSchema = z.array(maintenanceWindowSchema, { message: "must be a list of maintenance windows" }).default([]);

/** Timeframes an SLO threshold accepts (`SLOTimeframe` in Datadog's v1 API, without `custom`). */
export const SLO_TIMEFRAMES = ["7d", "30d", "90d"] as const;

const sloTarget = (field: string) =>
  z
    .number({ message: "must be a number" })
    .gt(0, { message: `must be above 0 and below 100 (a percentage, e.g. 99.9)` })
    .lt(100, { message: `must be above 0 and below 100 (a percentage, e.g. 99.9)` })
    .refine((value) => Math.round(value * 1000) === value * 1000, {
      message: `has more than three decimals (Datadog shows ${field} to 0.001)`,
    });

export const sloSchema = z
  .strictObject({
    /** Percentage of minutes with every tunnel up. @default 99.9 */
    target: sloTarget("target").default(99.9),
    /** Rolling window. @default 30d */
    timeframe: z.enum(SLO_TIMEFRAMES, { message: `must be one of ${SLO_TIMEFRAMES.join(", ")}` }).default("30d"),
    /** Warning percentage, above the target. @default none */
    warning: sloTarget("warning").optional(),
  })
  .superRefine((slo, ctx) => {
    if (slo.warning !== undefined && slo.warning <= slo.target) {
      ctx.addIssue({ code: "custom", path: ["warning"], message: `must be above target (${slo.target}): Datadog warns before the target is missed` });
    }
  });

/** `slo:` with its defaults; plug in as `slo: sloDefinitionSchema`. */
export const sloDefinitionSchema = sloSchema.prefault({});

/**
 * `ticketing.fallbackNotify`: Datadog @-handles notified beside the ticket webhook in every monitor
 * message (`@slack-network-ops`, `@pagerduty-network`, `@ops@example.com`). Datadog retries a webhook
 * only on 5xx, so a 4xx (an expired ticketing token) loses the ticket; these still hear of the alert.
 * @default none
 */
export const fallbackNotifySchema = z
  .array(
    z.string({ message: "must be a string" }).regex(/^@[A-Za-z0-9][A-Za-z0-9_.+\-@/]{0,199}$/, {
      message: "is not a Datadog notification handle: expected @ and a handle such as @slack-network-ops, @pagerduty-network or @ops@example.com",
    }),
    { message: "must be a list of Datadog @-handles" },
  )
  .min(1, { message: "is empty: list at least one @-handle, or leave the field out" })
  .max(10, { message: "lists more than 10 handles" })
  .refine((handles) => new Set(handles).size === handles.length, { message: "lists a handle twice" })
  .optional();

/**
 * `datadog.organization`: a short slug naming the Datadog organization on the site (`acme`), used in
 * fleet stack names (`vpn-monitor-fleet-eu-acme`) and deploy targets. @default none: the site's one organization
 */
export const datadogOrganizationSchema = z
  .string({ message: "must be a string" })
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
    message: "must be lowercase letters, digits and hyphens (2-32), starting with a letter and not ending with a hyphen: it becomes part of the fleet stack name",
  })
  .optional();

export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
export type MaintenanceWindowInput = z.input<typeof maintenanceWindowSchema>;
export type SloDefinition = z.output<typeof sloSchema>;

/** What a window mutes beyond the environment: one tag, or nothing. */
export function maintenanceScopeTag(window: Pick<MaintenanceWindow, MaintenanceScopeField>): string | undefined {
  for (const field of SCOPE_FIELDS) {
    const value = window[field];
    if (value !== undefined) return `${MAINTENANCE_SCOPES[field]}:${value}`;
  }
  return undefined;
}

/** A problem found by {@link operationsIssues}, with its path from the definition's root. */
export interface OperationsIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Checks that need the rest of the definition: a window's controller must be one of the
 * environment's, and window names are unique. Call it from the environment schema's superRefine
 * and add each issue with `ctx.addIssue({ code: "custom", path: [...issue.path], message })`.
 */
export function operationsIssues(env: {
  readonly controllers: readonly { readonly name: string }[];
  readonly maintenance: readonly Pick<MaintenanceWindow, "name" | MaintenanceScopeField>[];
  /** The tunnel monitor's grouping, after aliases. @default not checked */
  readonly monitor?: { readonly mode: "simple" | "partner" | "tunnel" };
}): OperationsIssue[] {
  const issues: OperationsIssue[] = [];
  const controllers = env.controllers.map((c) => c.name);
  const names = new Map<string, number>();
  env.maintenance.forEach((window, i) => {
    const mode = env.monitor?.mode;
    for (const field of ["partner", "tunnel"] as const) {
      if (window[field] === undefined || mode === undefined || mode === field) continue;
      issues.push({
        path: ["maintenance", i, field],
        message:
          `mutes nothing in monitor.mode ${mode}: Datadog applies a downtime's scope to the groups of the monitors it selects, and ` +
          `only ${field} mode groups the tunnel alert by ${MAINTENANCE_SCOPES[field]} (the controller monitor is grouped by controller); ` +
          `expected monitor.mode: ${field}, or a window without ${field} (the whole environment) or with controller`,
      });
    }
    if (window.controller !== undefined && !controllers.includes(window.controller)) {
      const hint = didYouMean(window.controller, controllers);
      issues.push({
        path: ["maintenance", i, "controller"],
        message: `is not a controller of this environment: expected one of ${controllers.join(", ")}${hint ? ` (did you mean "${hint}"?)` : ""}`,
      });
    }
    const first = names.get(window.name);
    if (first !== undefined) issues.push({ path: ["maintenance", i, "name"], message: `repeats maintenance[${first}].name` });
    else names.set(window.name, i);
  });
  return issues;
}
