/**
 * The definition's `signals:` section: which of the checker's signal groups are on
 * (contract/signals.ts), and the thresholds of the monitors that read them
 * (stacks/constructs/monitors/signal-monitors.ts, docs/stacks.md "Signal monitors"). Every group
 * defaults to on; the traffic-silence monitor is opt-in, because many tunnels are idle by design.
 */
import { z } from "zod";
import { TAG_KEYS } from "../metrics";
import { MAX_TAG_LENGTH, normalizeTagValue } from "../tags";

/**
 * Windows the silence monitor accepts, in minutes: Datadog's preset metric-monitor windows from 10
 * minutes up (a shorter one cannot tell an idle minute from a silent tunnel), and 20, the issue's
 * "no inbound traffic for twenty minutes", which public monitor definitions use as `last_20m`.
 */
export const SILENCE_WINDOWS_MINUTES = [10, 15, 20, 30, 60, 120, 240, 1440] as const;

/** Documented defaults of every threshold (docs/stacks.md). */
export const SIGNAL_DEFAULTS = {
  silenceMinutes: 20,
  reestablishedPerHour: 3,
  reestablishedPriority: 4,
  diskUsedPct: 90,
  inodeUsedPct: 90,
  memoryUsedPct: 90,
  expiryWarningDays: 30,
  expiryCriticalDays: 7,
} as const;

const enabled = z.boolean({ message: "must be true or false" }).default(true);

const wholeNumber = (what: string, min: number, max: number) =>
  z
    .number({ message: `must be a number (expected ${what}, ${min}-${max})` })
    .int({ message: `must be a whole number (expected ${what}, ${min}-${max})` })
    .min(min, { message: `must be at least ${min} (expected ${what}, ${min}-${max})` })
    .max(max, { message: `must be at most ${max} (expected ${what}, ${min}-${max})` });

const percent = (fallback: number) => wholeNumber("a percentage", 1, 100).default(fallback);

/** A tunnel or partner name, normalized as the checker tags it (contract/tags.ts). */
function checkerTag(key: string) {
  return z.string({ message: `must be a string (a ${key} tag value)` }).transform((value, ctx) => {
    const normalized = normalizeTagValue(value, MAX_TAG_LENGTH - key.length - 1);
    if (normalized === "") {
      ctx.addIssue({ code: "custom", message: `normalizes to an empty ${key} tag: expected a name with letters or digits` });
      return z.NEVER;
    }
    return normalized;
  });
}

const tagList = (key: string) =>
  z
    .array(checkerTag(key), { message: `must be a list of ${key} tag values` })
    .min(1, { message: `needs at least one ${key} (leave the field out to watch every one)` })
    .refine((values) => new Set(values).size === values.length, { message: `lists a ${key} twice (after normalization as the checker tags it)` });

/**
 * Traffic silence: a tunnel connected for the whole window with no inbound bytes. Present = on.
 * Grouped per tunnel or per partner; watches every tunnel, or only the listed tunnels or partners.
 */
const silenceSchema = z
  .strictObject({
    /** Minutes connected without an inbound byte before it alerts. @default 20 */
    minutes: z
      .number({ message: `must be a number of minutes (expected one of ${SILENCE_WINDOWS_MINUTES.join(", ")})` })
      .refine((m) => (SILENCE_WINDOWS_MINUTES as readonly number[]).includes(m), {
        message: `is not a window the silence monitor accepts (expected one of ${SILENCE_WINDOWS_MINUTES.join(", ")})`,
      })
      .default(SIGNAL_DEFAULTS.silenceMinutes),
    /**
     * `tunnel`: one alert per silent tunnel; `partner`: one per partner whose tunnels are all
     * connected and together carried nothing. @default `partner` in monitor mode partner, else `tunnel`
     */
    by: z.enum(["tunnel", "partner"], { message: 'must be "tunnel" or "partner"' }).optional(),
    /** Watch only these tunnels (`tunnel` tag values). @default every tunnel */
    tunnels: tagList(TAG_KEYS.tunnel).optional(),
    /** Watch only these partners (`endpoint` tag values). @default every partner */
    partners: tagList(TAG_KEYS.endpoint).optional(),
  })
  .superRefine((silence, ctx) => {
    if (silence.tunnels !== undefined && silence.partners !== undefined) {
      ctx.addIssue({ code: "custom", path: ["partners"], message: "cannot be set together with tunnels: list tunnels or partners, not both" });
    }
  });

const trafficSchema = z.strictObject({
  /** Send `vpn.tunnel.bytes_in`, `bytes_out`, `reestablished`, and create their monitors. @default true */
  enabled,
  /** The traffic-silence monitor, opt-in. @default none */
  silence: silenceSchema.optional(),
  /** Re-establishments: a low-priority ticket per tunnel, never a page. */
  reestablished: z
    .strictObject({
      /** Re-establishments within one hour that open a ticket. @default 3 */
      perHour: wholeNumber("re-establishments per hour", 1, 60).default(SIGNAL_DEFAULTS.reestablishedPerHour),
      /** Datadog priority of the ticket: 4 or 5, low, as it never pages. @default 4 */
      priority: z
        .number({ message: "must be 4 or 5 (a low-priority ticket)" })
        .refine((p) => p === 4 || p === 5, { message: "must be 4 or 5 (a low-priority ticket: re-establishments never page)" })
        .default(SIGNAL_DEFAULTS.reestablishedPriority),
    })
    .prefault({}),
});

const phaseSchema = z.strictObject({
  /** Send `vpn.tunnel.phase1`, `phase2` (dashboard only; the tunnel monitor already pages). @default true */
  enabled,
});

const healthSchema = z.strictObject({
  /** Send `vpn.controller.uptime_seconds`, `disk_used_pct`, `inode_used_pct`, `memory_used_pct`. @default true */
  enabled,
  /** Warning ticket when a mount's disk use reaches this percentage. @default 90 */
  diskUsedPct: percent(SIGNAL_DEFAULTS.diskUsedPct),
  /** Warning ticket when a mount's inode use reaches this percentage. @default 90 */
  inodeUsedPct: percent(SIGNAL_DEFAULTS.inodeUsedPct),
  /** Warning ticket when memory in use reaches this percentage. @default 90 */
  memoryUsedPct: percent(SIGNAL_DEFAULTS.memoryUsedPct),
});

const expirySchema = z
  .strictObject({
    /** Send `vpn.controller.cert_days_left`, `credential_days_left`. @default true */
    enabled,
    /** Days left at which the ticket opens as a warning. @default 30 */
    warningDays: wholeNumber("days", 2, 365).default(SIGNAL_DEFAULTS.expiryWarningDays),
    /** Days left at which it turns critical. @default 7 */
    criticalDays: wholeNumber("days", 1, 364).default(SIGNAL_DEFAULTS.expiryCriticalDays),
  })
  .superRefine((expiry, ctx) => {
    if (expiry.criticalDays >= expiry.warningDays) {
      ctx.addIssue({ code: "custom", path: ["criticalDays"], message: `must be below warningDays (${expiry.warningDays}): the warning comes first` });
    }
  });

export const signalsSchema = z
  .strictObject({
    /** `vpn.tunnel.bytes_in`, `bytes_out`, `reestablished`. */
    traffic: trafficSchema.prefault({}),
    /** `vpn.tunnel.phase1`, `phase2`. */
    phase: phaseSchema.prefault({}),
    /** `vpn.controller.uptime_seconds`, `disk_used_pct`, `inode_used_pct`, `memory_used_pct`. */
    health: healthSchema.prefault({}),
    /** `vpn.controller.cert_days_left`, `credential_days_left`. */
    expiry: expirySchema.prefault({}),
  })
  .prefault({});

/** The validated `signals:` section, defaults applied. */
export type SignalsDefinition = z.output<typeof signalsSchema>;
/** The traffic-silence settings, when on. */
export type SilenceDefinition = z.output<typeof silenceSchema>;
