/**
 * The recorded-traffic oracle: holds a request body against the bodies Datadog's real API accepted
 * in the recordings of test/fixtures/datadog-cassettes/ (docs/datadog-oracle.md), and predicts what
 * the API answers, following what those recordings show it does to a body.
 *
 * A body is compared path by path (`options.thresholds.critical`, `widgets[].definition.type`):
 * - every path must occur in some accepted request of the same kind, or be explained (why the
 *   recordings cannot show it, and which document allows it);
 * - a path's JSON type (number, string, boolean, array, object, null) must be one the API took there;
 * - at enum paths, the value must be one the API took, or an explained extra value;
 * - at format paths (times, durations, rules), the value's shape must be one the API took, or match
 *   the explained pattern.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { Body, ResourceKind } from "./provider-bodies";

export interface Recording {
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly interaction: number;
  readonly shows: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly request: unknown;
  readonly response: unknown;
}

export type FixtureName = ResourceKind | "dashboard-widgets";

export function recordings(name: FixtureName): readonly Recording[] {
  const file = path.join(__dirname, "..", "fixtures", "datadog-cassettes", `${name}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { recordings: Recording[] }).recordings;
}

/** Where a recording comes from, for messages: `TestAccDatadogMonitor_Basic.yaml#2`. */
export const cite = (r: Recording): string => `${path.basename(r.path === "" ? r.repo : r.path.endsWith("recording.har") ? path.dirname(r.path) : r.path)}#${r.interaction}`;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

export type JsonType = "null" | "boolean" | "number" | "string" | "array" | "object";
export const jsonType = (v: unknown): JsonType => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "object" ? "object" : (typeof v as JsonType));

/** Every path of a body with its value; array items share the path `x[]`. */
export function leaves(value: unknown, at = "", out: [string, unknown][] = []): [string, unknown][] {
  if (at !== "") out.push([at, value]);
  if (Array.isArray(value)) for (const item of value) leaves(item, `${at}[]`, out);
  else if (isPlainObject(value)) for (const [key, item] of Object.entries(value)) leaves(item, at === "" ? key : `${at}.${key}`, out);
  return out;
}

/** A value's shape: digits as 9 (`2042-07-13T01:02:03` → `9999-99-99T99:99:99`, `1d` → `9d`). */
export const shapeOf = (value: unknown): string => String(value).replace(/\d+/g, (d) => "9".repeat(Math.min(d.length, 4)));

/** What the recordings show at one path. */
interface Seen {
  readonly types: Set<JsonType>;
  readonly values: Set<string>;
  readonly shapes: Set<string>;
}

export interface Explanation {
  /** Why no recording shows it, and the document that allows it. */
  readonly why: string;
  /** For an extra enum or format value: what it must satisfy. Without it, any value of the path's type. */
  readonly accepts?: (value: unknown) => boolean;
}

export interface OracleRules {
  /** Paths whose values form an enum: compared by value. */
  readonly enums?: readonly string[];
  /** Paths whose values have a format: compared by shape. */
  readonly formats?: readonly string[];
  /** Paths, enum values (`path=value`) or shapes (`path~shape`) the recordings do not show, explained. */
  readonly explained?: Readonly<Record<string, Explanation>>;
}

export class AcceptedBodies {
  private readonly seen = new Map<string, Seen>();
  /** Explanations some checked body needed, so that none outlives its use. */
  readonly usedExplanations = new Set<string>();

  constructor(
    private readonly label: string,
    bodies: readonly unknown[],
    private readonly rules: OracleRules = {},
  ) {
    for (const body of bodies) this.add(body);
  }

  private add(body: unknown): void {
    for (const [at, value] of leaves(body)) {
      const seen = this.seen.get(at) ?? { types: new Set(), values: new Set(), shapes: new Set() };
      seen.types.add(jsonType(value));
      if (!isPlainObject(value) && !Array.isArray(value)) {
        seen.values.add(JSON.stringify(value));
        seen.shapes.add(shapeOf(value));
      }
      this.seen.set(at, seen);
    }
  }

  /** The paths the recordings show. */
  get paths(): readonly string[] {
    return [...this.seen.keys()];
  }

  typesAt(at: string): readonly JsonType[] {
    return [...(this.seen.get(at)?.types ?? [])];
  }

  valuesAt(at: string): readonly unknown[] {
    return [...(this.seen.get(at)?.values ?? [])].map((v) => JSON.parse(v) as unknown);
  }

  /** One line per disagreement between `body` and what the API accepted; empty when none. */
  check(body: unknown, prefix = "$"): string[] {
    const problems: string[] = [];
    const explained = this.rules.explained ?? {};
    for (const [at, value] of leaves(body)) {
      const where = `${prefix}.${at}`;
      const seen = this.seen.get(at);
      if (seen === undefined) {
        if (explained[at] === undefined) problems.push(`${where}: no request the API accepted has this field (${this.label})`);
        else this.usedExplanations.add(at);
        continue;
      }
      const type = jsonType(value);
      if (!seen.types.has(type)) {
        problems.push(`${where}: is ${type} ${JSON.stringify(value)}, the API took ${[...seen.types].join(" or ")} here`);
        continue;
      }
      if (type === "object" || type === "array") continue;
      if (this.rules.enums?.includes(at) && !seen.values.has(JSON.stringify(value))) {
        const key = `${at}=${String(value)}`;
        const extra = explained[key];
        if (extra === undefined || (extra.accepts !== undefined && !extra.accepts(value))) {
          problems.push(`${where}: is ${JSON.stringify(value)}, the API took only ${[...seen.values].join(", ")}`);
        } else this.usedExplanations.add(key);
      }
      if (this.rules.formats?.includes(at) && !seen.shapes.has(shapeOf(value))) {
        const extra = explained[`${at}~`];
        if (extra === undefined || (extra.accepts !== undefined && !extra.accepts(value))) {
          problems.push(`${where}: ${JSON.stringify(value)} has the shape ${shapeOf(value)}, the API took only ${[...seen.shapes].join(", ")}`);
        } else this.usedExplanations.add(`${at}~`);
      }
    }
    return problems;
  }
}

// --- what the API answers -----------------------------------------------------------------------

/** One thing a response must show. `set`: an array compared without order. `absent`: the field is not in it. */
export interface Expectation {
  readonly at: string;
  readonly equals?: unknown;
  readonly set?: readonly unknown[];
  readonly absent?: true;
  readonly shape?: string;
}

/** The value at a path such as `data.attributes.schedule.recurrences[0].start`. */
export function valueAt(value: unknown, at: string): unknown {
  let current: unknown = value;
  for (const part of at.split(".")) {
    const index = /^(\w+)\[(\d+)\]$/.exec(part);
    if (index !== null) current = (current as Record<string, unknown[]> | undefined)?.[index[1]!]?.[Number(index[2])];
    else current = isPlainObject(current) ? current[part] : undefined;
  }
  return current;
}

function has(value: unknown, at: string): boolean {
  const parts = at.split(".");
  const parent = parts.length === 1 ? value : valueAt(value, parts.slice(0, -1).join("."));
  return isPlainObject(parent) && parts[parts.length - 1]! in parent;
}

/** Widget ids the API adds are not part of what was sent. */
function withoutWidgetIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutWidgetIds);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([k, v]) => !(k === "id" && typeof v === "number")).map(([k, v]) => [k, withoutWidgetIds(v)]));
}

/** Checks a response against expectations; one line per failure. */
export function unmet(response: unknown, expectations: readonly Expectation[]): string[] {
  const problems: string[] = [];
  for (const e of expectations) {
    const actual = valueAt(response, e.at);
    if (e.absent) {
      if (has(response, e.at)) problems.push(`${e.at}: expected absent, is ${JSON.stringify(actual)}`);
    } else if (e.set !== undefined) {
      const sorted = (xs: readonly unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
      if (!Array.isArray(actual) || JSON.stringify(sorted(actual)) !== JSON.stringify(sorted(e.set))) problems.push(`${e.at}: expected the set ${JSON.stringify(e.set)}, is ${JSON.stringify(actual)}`);
    } else if (e.shape !== undefined) {
      if (typeof actual !== "string" || shapeOf(actual) !== e.shape) problems.push(`${e.at}: expected the shape ${e.shape}, is ${JSON.stringify(actual)}`);
    } else if (!has(response, e.at) || JSON.stringify(withoutWidgetIds(actual)) !== JSON.stringify(e.equals)) {
      problems.push(`${e.at}: expected ${JSON.stringify(e.equals)}, is ${has(response, e.at) ? JSON.stringify(actual) : "absent"}`);
    }
  }
  return problems;
}

const body = (v: unknown): Body => (isPlainObject(v) ? v : {});

/** The default states and end types the v2 downtime API fills (TestAccDowntimeScheduleChanged.yaml#0). */
export const DOWNTIME_DEFAULT_NOTIFY_END_STATES = ["alert", "no data", "warn"];
export const DOWNTIME_DEFAULT_NOTIFY_END_TYPES = ["expired"];

/**
 * What the API answers to a request, as far as the recordings show it (each rule cites the
 * recording that shows it); `cassette-oracle.test.ts` first proves the rules on every recording.
 */
export function expectedResponse(kind: ResourceKind, request: unknown): Expectation[] {
  const sent = body(request);
  const same = (prefix: string, from: Body, keys: readonly string[]): Expectation[] =>
    keys.filter((k) => k in from).map((k) => ({ at: `${prefix}${k}`, equals: from[k] }));
  switch (kind) {
    case "monitor": {
      const options = body(sent["options"]);
      return [
        // TestAccDatadogMonitor_SchedulingOptions.yaml#2: "metric alert" is the provider's alias of "query alert".
        { at: "type", equals: sent["type"] === "metric alert" ? "query alert" : sent["type"] },
        // draft_status is not in the v3.82.0 recordings' answers: not compared.
        ...same("", sent, ["name", "message", "priority", "restricted_roles"]),
        { at: "tags", set: (sent["tags"] as unknown[]) ?? [] },
        ...same("options.", options, Object.keys(options).filter((k) => k !== "thresholds")),
        ...Object.entries(body(options["thresholds"])).map(([k, v]) => ({ at: `options.thresholds.${k}`, equals: v })),
        // Every recorded answer: notify_audit filled false, silenced {}.
        { at: "options.notify_audit", equals: options["notify_audit"] ?? false },
        { at: "options.silenced", equals: {} },
        ...("no_data_timeframe" in options ? [] : [{ at: "options.no_data_timeframe", absent: true as const }]),
      ];
    }
    case "downtime-schedule": {
      const attributes = body(body(sent["data"])["attributes"]);
      const schedule = body(attributes["schedule"]);
      const recurrences = Array.isArray(schedule["recurrences"]) ? (schedule["recurrences"] as Body[]) : undefined;
      return [
        ...same("data.attributes.", attributes, ["scope", "display_timezone", "monitor_identifier", "mute_first_recovery_notification"]),
        { at: "data.attributes.message", equals: attributes["message"] ?? null },
        // TestAccDowntimeScheduleChanged.yaml#0: unset, the API fills these (in any order).
        { at: "data.attributes.notify_end_states", set: (attributes["notify_end_states"] as unknown[]) ?? DOWNTIME_DEFAULT_NOTIFY_END_STATES },
        { at: "data.attributes.notify_end_types", set: (attributes["notify_end_types"] as unknown[]) ?? DOWNTIME_DEFAULT_NOTIFY_END_TYPES },
        ...(recurrences === undefined
          ? [
              // TestAccDowntimeScheduleChanged.yaml#0: "2050-01-02T03:04:05Z" comes back as "…+00:00".
              ...(typeof schedule["start"] === "string" ? [{ at: "data.attributes.schedule.start", equals: schedule["start"].replace(/Z$/, "+00:00") }] : []),
            ]
          : [
              ...same("data.attributes.schedule.", schedule, ["timezone"]),
              ...recurrences.flatMap((r, i) => [
                { at: `data.attributes.schedule.recurrences[${i}].duration`, equals: r["duration"] },
                { at: `data.attributes.schedule.recurrences[${i}].rrule`, equals: r["rrule"] },
                // TestAccDowntimeScheduleChanged.yaml#3: a null start becomes the time of the call, as wall time.
                r["start"] === null
                  ? { at: `data.attributes.schedule.recurrences[${i}].start`, shape: "9999-99-99T99:99:99" }
                  : { at: `data.attributes.schedule.recurrences[${i}].start`, equals: r["start"] },
              ]),
            ]),
      ];
    }
    case "slo": {
      // TestAccDatadogServiceLevelObjective_TimeSlice.yaml#0: the answer is a one-item `data` list.
      return [
        ...same("data[0].", sent, ["name", "type", "description", "sli_specification", "timeframe", "target_threshold", "warning_threshold"]),
        ...(Array.isArray(sent["tags"]) ? [{ at: "data[0].tags", set: sent["tags"] as unknown[] }] : []),
        ...((sent["thresholds"] as Body[] | undefined) ?? []).flatMap((t, i) => same(`data[0].thresholds[${i}].`, t, ["timeframe", "target", "warning"])),
      ];
    }
    case "slo-correction": {
      const attributes = body(body(sent["data"])["attributes"]);
      return [
        { at: "data.type", equals: "correction" },
        ...same("data.attributes.", attributes, Object.keys(attributes)),
        ...["end", "rrule", "duration"].filter((k) => !(k in attributes)).map((k) => ({ at: `data.attributes.${k}`, equals: null })),
      ];
    }
    case "webhook":
      return [
        ...same("", sent, ["name", "url", "custom_headers", "payload"]),
        // TestAccDatadogWebhook_Basic.yaml#0: without encode_as the API takes "json".
        { at: "encode_as", equals: sent["encode_as"] ?? "json" },
      ];
    case "webhook-custom-variable":
      return [
        ...same("", sent, ["name", "is_secret"]),
        // TestAccDatadogWebhookCustomVariable_Basic.yaml#8: a secret's value never comes back.
        sent["is_secret"] === true ? { at: "value", absent: true } : { at: "value", equals: sent["value"] },
      ];
    case "dashboard-json":
      return [
        ...same("", sent, Object.keys(sent).filter((k) => k !== "id")),
        // Create-a-new-dashboard-returns-OK-response (TypeScript client): not sent, these come back null.
        ...["description", "notify_list", "template_variables"].filter((k) => !(k in sent)).map((k) => ({ at: k, equals: null })),
      ];
  }
}

/**
 * The dashboard the API answers, as the recordings show it: what was sent, plus `null` for the
 * description, notify list and template variables that were not.
 */
export function answeredDashboard(sent: Readonly<Body>): Body {
  return { description: null, notify_list: null, template_variables: null, ...JSON.parse(JSON.stringify(sent)) };
}

/**
 * The values of one enum of `@datadog/datadog-api-client` (`OnMissingDataOption`, …), read from the
 * `enumsMap` literal of the generated ObjectSerializer.js: the client's published list of what the
 * API takes, for values no recording shows.
 */
export function clientEnum(version: "v1" | "v2", name: string): readonly (string | number)[] {
  const file = require.resolve(`@datadog/datadog-api-client/dist/packages/datadog-api-client-${version}/models/ObjectSerializer.js`);
  const source = readFileSync(file, "utf8");
  const start = source.indexOf("const enumsMap = ");
  const end = source.indexOf("const typeMap", start);
  if (start < 0 || end < 0) throw new Error("@datadog/datadog-api-client: enumsMap not found in ObjectSerializer.js (the package layout changed)");
  const table = new Function(`return (${source.slice(start + "const enumsMap = ".length, end).trim().replace(/;$/, "")});`)() as Record<string, (string | number)[]>;
  const values = table[name];
  if (values === undefined) throw new Error(`@datadog/datadog-api-client ${version}: no enum ${name}`);
  return values;
}
