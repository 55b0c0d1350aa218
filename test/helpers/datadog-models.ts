/**
 * Offline validation of what Datadog will receive. No Datadog Terraform provider runs here, so
 * each Datadog resource of a synthesized `cdk.tf.json` is converted to the API request the
 * provider would send (mapping per resource type below, each citing the provider function that
 * builds the request in DataDog/terraform-provider-datadog), and that request is checked against
 * Datadog's published request models in `@datadog/datadog-api-client`: the model classes'
 * `attributeTypeMap` (field names, types, `required`) and the `enumsMap` / `oneOfMap` tables of
 * each API version's ObjectSerializer.
 *
 * Two checks run on every body:
 * 1. A strict walk written here: unknown fields, missing required fields, wrong types, enum values
 *    outside the enum, and oneOf unions (widget definitions, query definitions) that match no
 *    member or more than one, each reported with its path.
 * 2. The client's own `ObjectSerializer.deserialize`, as a second opinion. It does NOT throw for
 *    an unknown enum value or a oneOf that matches nothing: it returns an `UnparsedObject` there
 *    and marks the parent `_unparsed = true` (ObjectSerializer.js, `deserialize`). Any
 *    `UnparsedObject` or `_unparsed` in its result is reported as a failure here, as is anything
 *    it throws (missing required property, primitive type mismatch, extra attributes).
 *
 * Terraform references (`${datadog_monitor.x.id}`) are unknown until apply; the walk accepts one
 * wherever a scalar is expected and gives the client a placeholder of the expected type.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

export type ApiVersion = "v1" | "v2";

interface AttributeInfo {
  readonly baseName: string;
  readonly type: string;
  readonly required?: boolean;
}
type ModelClass = { readonly attributeTypeMap: Record<string, AttributeInfo> };

interface ModelTables {
  readonly dir: string;
  readonly enums: Record<string, readonly (string | number)[]>;
  readonly oneOf: Record<string, readonly string[]>;
  readonly serializer: { deserialize(data: unknown, type: string, format?: string): unknown };
}

const tablesCache = new Map<ApiVersion, ModelTables>();

/** Reads one object literal (`const enumsMap = {…};`) out of the generated serializer's source. */
function literal(source: string, name: string, next: string): Record<string, never> {
  const start = source.indexOf(`const ${name} = `);
  const end = source.indexOf(next, start);
  if (start < 0 || end < 0) throw new Error(`@datadog/datadog-api-client: ${name} not found in ObjectSerializer.js (the package layout changed)`);
  const text = source.slice(start + `const ${name} = `.length, end).trim().replace(/;$/, "");
  // The literal holds only string and number arrays (generated code); parse it as JavaScript.
  return new Function(`return (${text});`)() as Record<string, never>;
}

function tables(version: ApiVersion): ModelTables {
  const cached = tablesCache.get(version);
  if (cached !== undefined) return cached;
  const serializerPath = require.resolve(`@datadog/datadog-api-client/dist/packages/datadog-api-client-${version}/models/ObjectSerializer.js`);
  const source = readFileSync(serializerPath, "utf8");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const serializer = require(serializerPath).ObjectSerializer as ModelTables["serializer"];
  const loaded: ModelTables = {
    dir: path.dirname(serializerPath),
    enums: literal(source, "enumsMap", "const typeMap"),
    oneOf: literal(source, "oneOfMap", "class ObjectSerializer"),
    serializer,
  };
  tablesCache.set(version, loaded);
  return loaded;
}

function modelClass(t: ModelTables, type: string): ModelClass | undefined {
  if (!/^\w+$/.test(type)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const model = require(path.join(t.dir, `${type}.js`))[type] as ModelClass | undefined;
    return model?.attributeTypeMap === undefined ? undefined : model;
  } catch {
    return undefined;
  }
}

const ARRAY = /^Array<(.+)>$/;
const TUPLE = /^\[(.+?)(?:, .+)?\]$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const REFERENCE = /^\$\{[^}]+\}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** A placeholder the client's serializer accepts for a Terraform reference of this type. */
function placeholder(t: ModelTables, type: string): unknown {
  if (type === "number") return 1;
  if (type === "boolean") return true;
  if (t.enums[type]) return t.enums[type]![0];
  return "placeholder";
}

/**
 * Walks `value` as `type`; pushes one problem per defect (prefixed with its path). Returns the
 * value with Terraform references replaced by placeholders, for the client's serializer.
 */
function walk(t: ModelTables, value: unknown, type: string, at: string, problems: string[]): unknown {
  if (type === "any") return value;
  if (typeof value === "string" && REFERENCE.test(value) && !ARRAY.test(type) && !MAP.test(type) && !TUPLE.test(type)) {
    if (modelClass(t, type) !== undefined || t.oneOf[type]) problems.push(`${at}: is a Terraform reference where a ${type} object is expected`);
    return placeholder(t, type);
  }
  const array = ARRAY.exec(type) ?? TUPLE.exec(type);
  if (array) {
    if (!Array.isArray(value)) {
      problems.push(`${at}: is ${describe(value)}, expected an array of ${array[1]}`);
      return value;
    }
    return value.map((item, i) => walk(t, item, array[1]!, `${at}[${i}]`, problems));
  }
  const map = MAP.exec(type);
  if (map) {
    if (!isPlainObject(value)) {
      problems.push(`${at}: is ${describe(value)}, expected an object of ${map[1]}`);
      return value;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(t, v, map[1]!, `${at}.${k}`, problems)]));
  }
  if (type === "string" || type === "number" || type === "boolean") {
    const ok = typeof value === type && (type !== "number" || Number.isFinite(value));
    if (!ok) problems.push(`${at}: is ${describe(value)}, expected a ${type}`);
    return value;
  }
  if (type === "Date") {
    if (typeof value !== "string" || Number.isNaN(Date.parse(value))) problems.push(`${at}: is ${describe(value)}, expected an RFC 3339 date-time`);
    return value;
  }
  const allowed = t.enums[type];
  if (allowed) {
    if (!allowed.includes(value as string | number)) {
      problems.push(`${at}: is ${describe(value)}, expected one of ${type} (${allowed.map((v) => JSON.stringify(v)).join(", ")})`);
    }
    return value;
  }
  const members = t.oneOf[type];
  if (members) return walkOneOf(t, value, type, members, at, problems);
  const model = modelClass(t, type);
  if (model === undefined) {
    problems.push(`${at}: the client has no model ${type}`);
    return value;
  }
  if (!isPlainObject(value)) {
    problems.push(`${at}: is ${describe(value)}, expected a ${type} object`);
    return value;
  }
  const attributes = Object.values(model.attributeTypeMap).filter((a) => a.baseName !== "additionalProperties");
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const attribute = attributes.find((a) => a.baseName === key);
    if (attribute === undefined) {
      problems.push(`${at}.${key}: is not a field of ${type} (fields: ${attributes.map((a) => a.baseName).join(", ")})`);
      continue;
    }
    out[key] = walk(t, item, attribute.type, `${at}.${key}`, problems);
  }
  for (const attribute of attributes) {
    if (attribute.required && value[attribute.baseName] === undefined) problems.push(`${at}.${attribute.baseName}: is required by ${type}`);
  }
  return out;
}

/** The `type` discriminator values a oneOf member accepts, when it has one. */
function discriminators(t: ModelTables, member: string): readonly (string | number)[] | undefined {
  const typeAttribute = modelClass(t, member)?.attributeTypeMap["type"];
  return typeAttribute === undefined ? undefined : t.enums[typeAttribute.type];
}

function walkOneOf(t: ModelTables, value: unknown, type: string, members: readonly string[], at: string, problems: string[]): unknown {
  const attempts = members.map((member) => {
    const own: string[] = [];
    const concrete = walk(t, value, member, at, own);
    return { member, problems: own, concrete };
  });
  const matches = attempts.filter((a) => a.problems.length === 0);
  if (matches.length === 1) return matches[0]!.concrete;
  if (matches.length > 1) {
    problems.push(`${at}: matches several members of ${type} (${matches.map((m) => m.member).join(", ")}); the API cannot tell them apart`);
    return value;
  }
  // No member fits: explain with the member the `type` field names, if any.
  const discriminator = isPlainObject(value) ? value["type"] : undefined;
  if (discriminator !== undefined) {
    const named = attempts.filter((a) => discriminators(t, a.member)?.includes(discriminator as string));
    if (named.length === 0) {
      const known = [...new Set(members.flatMap((m) => discriminators(t, m) ?? []))];
      problems.push(`${at}.type: is ${describe(discriminator)}, which no member of ${type} accepts (known: ${known.join(", ")})`);
      return value;
    }
    problems.push(...named.flatMap((a) => a.problems));
    return value;
  }
  problems.push(`${at}: matches no member of ${type} (${members.join(", ")}); closest, ${closest(attempts).member}: ${closest(attempts).problems.join("; ")}`);
  return value;
}

function closest<T extends { readonly problems: readonly string[] }>(attempts: readonly T[]): T {
  return [...attempts].sort((a, b) => a.problems.length - b.problems.length)[0]!;
}

/** Finds what the client's deserializer could not parse: `UnparsedObject`s and `_unparsed` marks. */
function unparsedPaths(value: unknown, at: string, out: string[]): void {
  if (value === null || typeof value !== "object") return;
  const constructorName = (value as object).constructor?.name;
  if (constructorName === "UnparsedObject") {
    out.push(`${at}: the client's ObjectSerializer left it unparsed (${describe((value as { _data?: unknown })._data)})`);
    return;
  }
  const before = out.length;
  for (const [key, item] of Object.entries(value)) {
    if (key === "_unparsed" || key === "additionalProperties") continue;
    unparsedPaths(item, Array.isArray(value) ? `${at}[${key}]` : `${at}.${key}`, out);
  }
  if ((value as { _unparsed?: boolean })._unparsed === true && out.length === before) {
    out.push(`${at}: the client's ObjectSerializer marked it _unparsed`);
  }
  const extra = (value as { additionalProperties?: Record<string, unknown> }).additionalProperties;
  if (extra !== undefined && Object.keys(extra).length > 0) out.push(`${at}: the client's ObjectSerializer found fields it does not know: ${Object.keys(extra).join(", ")}`);
}

/**
 * Validates one request body against a model (`Dashboard`, `Monitor`, `DowntimeCreateRequest`, …).
 * Returns one line per problem, each starting with its path; empty when the body is valid.
 */
export function validateAgainstModel(version: ApiVersion, type: string, body: unknown, at = "$"): string[] {
  const t = tables(version);
  const problems: string[] = [];
  const concrete = walk(t, body, type, at, problems);
  try {
    unparsedPaths(t.serializer.deserialize(concrete, type, ""), at, problems);
  } catch (error) {
    problems.push(`${at}: the client's ObjectSerializer refused it: ${(error as Error).message}`);
  }
  return [...new Set(problems)];
}

// --- Terraform resource → API request ----------------------------------------------------------

type TfConfig = Record<string, unknown>;

/** cdktf writes a single nested block as an object, Terraform JSON also allows a one-item list. */
function one(value: unknown): TfConfig | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return isPlainObject(item) ? item : undefined;
}

function list(value: unknown): TfConfig[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(isPlainObject);
}

/** Keeps only the set keys. */
function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** Terraform meta-arguments and provider-side switches that are never sent to the API. */
const NOT_SENT = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each", "connection", "provisioner", "validate", "force_delete"]);

/** A Terraform number attribute written as a string (`"1"`) is parsed like the provider's json.Number. */
function numberOf(value: unknown): unknown {
  if (typeof value === "string" && !REFERENCE.test(value) && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return value;
}

interface Mapped {
  readonly version: ApiVersion;
  readonly model: string;
  readonly body: unknown;
  /** Terraform attributes the mapping does not know: reported, so a new attribute gets mapped, not ignored. */
  readonly unmapped: readonly string[];
}

function unmappedKeys(config: TfConfig, known: readonly string[]): string[] {
  return Object.keys(config).filter((key) => !NOT_SENT.has(key) && !known.includes(key));
}

/** `datadog_dashboard_json`: the `dashboard` string is the v1 dashboard body, sent as is (resource_datadog_dashboard_json.go, create). */
function mapDashboardJson(config: TfConfig): Mapped {
  let body: unknown;
  try {
    body = JSON.parse(String(config["dashboard"]));
  } catch (error) {
    body = `not JSON: ${(error as Error).message}`;
  }
  return { version: "v1", model: "Dashboard", body, unmapped: unmappedKeys(config, ["dashboard", "dashboard_lists", "url"]) };
}

const MONITOR_TOP_LEVEL = ["name", "type", "query", "message", "tags", "priority", "restricted_roles", "draft_status"];
/** Monitor attributes that go into `options` under the same name (resource_datadog_monitor.go, buildMonitorStruct). */
const MONITOR_OPTIONS = [
  "include_tags",
  "notify_no_data",
  "require_full_window",
  "notify_audit",
  "enable_logs_sample",
  "groupby_simple_monitor",
  "enable_samples",
  "group_retention_duration",
  "escalation_message",
  "new_group_delay",
  "new_host_delay",
  "evaluation_delay",
  "no_data_timeframe",
  "renotify_interval",
  "renotify_occurrences",
  "timeout_h",
  "on_missing_data",
  "notification_preset_name",
  "renotify_statuses",
  "notify_by",
];
const NUMERIC_THRESHOLDS = ["ok", "warning", "unknown", "critical", "warning_recovery", "critical_recovery"];

/**
 * `variables.event_query` → `options.variables[]` (resource_datadog_monitor.go,
 * buildMonitorFormulaAndFunctionEventQuery): the first `compute` block → `compute`; `indexes` always
 * sent (`[]` when unset); `search` → `{query}`; `group_by` always sent (`[]` when unset).
 */
function monitorVariables(config: TfConfig): unknown[] | undefined {
  const variables = one(config["variables"]);
  if (variables === undefined) return undefined;
  return list(variables["event_query"]).map((q) => {
    const compute = one(q["compute"]) ?? {};
    const search = one(q["search"]);
    return defined({
      data_source: q["data_source"],
      name: q["name"],
      compute: defined({ aggregation: compute["aggregation"], interval: compute["interval"], metric: compute["metric"], name: compute["name"] }),
      indexes: q["indexes"] ?? [],
      search: search === undefined ? undefined : { query: search["query"] },
      group_by: list(q["group_by"]).map((g) => defined({ facet: g["facet"], limit: g["limit"], sort: one(g["sort"]), source: g["source"] })),
    });
  });
}

/**
 * `datadog_monitor` → v1 `Monitor` (resource_datadog_monitor.go, buildMonitorStruct):
 * `monitor_thresholds` → `options.thresholds` with numeric strings parsed (json.Number);
 * `monitor_threshold_windows` → `options.threshold_windows`; the option attributes above →
 * `options.<same name>`; `no_data_timeframe` is dropped when `on_missing_data` is set (the
 * provider does not send it then); `priority` (a string in Terraform) → int64.
 */
function mapMonitor(config: TfConfig): Mapped {
  const thresholds = one(config["monitor_thresholds"]);
  const windows = one(config["monitor_threshold_windows"]);
  const options = defined({
    ...Object.fromEntries(MONITOR_OPTIONS.map((key) => [key, config[key]])),
    ...(config["on_missing_data"] !== undefined ? { no_data_timeframe: undefined } : {}),
    thresholds:
      thresholds === undefined
        ? undefined
        : Object.fromEntries(Object.entries(thresholds).map(([k, v]) => [k, NUMERIC_THRESHOLDS.includes(k) ? numberOf(v) : v])),
    threshold_windows: windows,
    variables: monitorVariables(config),
  });
  const body = defined({
    ...Object.fromEntries(MONITOR_TOP_LEVEL.map((key) => [key, config[key]])),
    priority: numberOf(config["priority"]),
    options,
  });
  return {
    version: "v1",
    model: "Monitor",
    body,
    unmapped: [
      ...unmappedKeys(config, [...MONITOR_TOP_LEVEL, ...MONITOR_OPTIONS, "monitor_thresholds", "monitor_threshold_windows", "variables"]),
      // Only event queries are mapped; another kind of variable is reported, not dropped.
      ...Object.keys(one(config["variables"]) ?? {}).filter((key) => key !== "event_query").map((key) => `variables.${key}`),
    ],
  };
}

/**
 * `datadog_service_level_objective` → v1 `ServiceLevelObjectiveRequest`
 * (resource_datadog_service_level_objective.go, buildServiceLevelObjectiveStructs and
 * buildSLOTimeSliceQueryStruct): `query` block → `query`; `sli_specification.time_slice` →
 * `sli_specification.time_slice` with `query.formula[].formula_expression` → `query.formulas[].formula`
 * and `query.query[].metric_query` → `query.queries[]` (`data_source` defaulting to `metrics`).
 */
function mapSlo(config: TfConfig): Mapped {
  const timeSlice = one(one(config["sli_specification"])?.["time_slice"]);
  const sliceQuery = one(timeSlice?.["query"]);
  const sli =
    timeSlice === undefined
      ? undefined
      : {
          time_slice: defined({
            comparator: timeSlice["comparator"],
            threshold: timeSlice["threshold"],
            query_interval_seconds: timeSlice["query_interval_seconds"],
            query: {
              formulas: list(sliceQuery?.["formula"]).map((f) => ({ formula: f["formula_expression"] })),
              queries: list(sliceQuery?.["query"]).map((q) => {
                const metric = one(q["metric_query"]) ?? {};
                return { data_source: metric["data_source"] ?? "metrics", name: metric["name"], query: metric["query"] };
              }),
            },
          }),
        };
  const query = one(config["query"]);
  const body = defined({
    name: config["name"],
    type: config["type"],
    description: config["description"],
    tags: config["tags"],
    monitor_ids: config["monitor_ids"],
    groups: config["groups"],
    query: query === undefined ? undefined : { numerator: query["numerator"], denominator: query["denominator"] },
    sli_specification: sli,
    thresholds: list(config["thresholds"]).map((th) => defined({ timeframe: th["timeframe"], target: th["target"], warning: th["warning"] })),
    timeframe: config["timeframe"],
    target_threshold: config["target_threshold"],
    warning_threshold: config["warning_threshold"],
  });
  const known = ["name", "type", "description", "tags", "monitor_ids", "groups", "query", "sli_specification", "thresholds", "timeframe", "target_threshold", "warning_threshold"];
  return { version: "v1", model: "ServiceLevelObjectiveRequest", body, unmapped: unmappedKeys(config, known) };
}

/** `datadog_slo_correction` → v1 `SLOCorrectionCreateRequest`, `type: correction` (resource_datadog_slo_correction.go, buildDatadogSloCorrection). */
function mapSloCorrection(config: TfConfig): Mapped {
  const known = ["category", "start", "end", "slo_id", "timezone", "description", "rrule", "duration"];
  const attributes = defined(Object.fromEntries(known.map((key) => [key, config[key]])));
  return { version: "v1", model: "SLOCorrectionCreateRequest", body: { data: { type: "correction", attributes } }, unmapped: unmappedKeys(config, known) };
}

/**
 * `datadog_downtime_schedule` → v2 `DowntimeCreateRequest`, `type: downtime`
 * (fwprovider/resource_datadog_downtime_schedule.go, buildDowntimeScheduleCreateRequestBody):
 * `monitor_identifier` → `{monitor_id}` or `{monitor_tags}`; `recurring_schedule` →
 * `schedule: {timezone, recurrences[]}`; `one_time_schedule` → `schedule: {start, end}`.
 */
function mapDowntimeSchedule(config: TfConfig): Mapped {
  const identifier = one(config["monitor_identifier"]);
  const recurring = one(config["recurring_schedule"]);
  const oneTime = one(config["one_time_schedule"]);
  const schedule =
    recurring !== undefined
      ? defined({
          timezone: recurring["timezone"],
          recurrences: list(recurring["recurrence"]).map((r) => defined({ duration: r["duration"], rrule: r["rrule"], start: r["start"] })),
        })
      : oneTime !== undefined
        ? defined({ start: oneTime["start"], end: oneTime["end"] })
        : undefined;
  const attributes = defined({
    display_timezone: config["display_timezone"],
    message: config["message"],
    mute_first_recovery_notification: config["mute_first_recovery_notification"],
    scope: config["scope"],
    notify_end_states: config["notify_end_states"],
    notify_end_types: config["notify_end_types"],
    monitor_identifier:
      identifier === undefined
        ? undefined
        : identifier["monitor_id"] !== undefined
          ? { monitor_id: identifier["monitor_id"] }
          : { monitor_tags: identifier["monitor_tags"] },
    schedule,
  });
  const known = ["display_timezone", "message", "mute_first_recovery_notification", "scope", "notify_end_states", "notify_end_types", "monitor_identifier", "recurring_schedule", "one_time_schedule"];
  return { version: "v2", model: "DowntimeCreateRequest", body: { data: { type: "downtime", attributes } }, unmapped: unmappedKeys(config, known) };
}

/** Resource types this validator maps; every one of them in a stack is validated. */
export const MAPPED_RESOURCE_TYPES: Readonly<Record<string, (config: TfConfig) => Mapped>> = {
  datadog_dashboard_json: mapDashboardJson,
  datadog_monitor: mapMonitor,
  datadog_service_level_objective: mapSlo,
  datadog_slo_correction: mapSloCorrection,
  datadog_downtime_schedule: mapDowntimeSchedule,
};

/** The result for one Terraform resource. */
export interface ResourceValidation {
  /** `datadog_monitor.monitors_tunnels_1A2B3C4D`. */
  readonly address: string;
  readonly model: string;
  readonly problems: readonly string[];
}

/**
 * Validates every mapped Datadog resource of a synthesized stack (`cdk.tf.json` text or its parsed
 * object). Returns one entry per resource, so a test can also assert what was checked.
 */
export function validateSynthesizedDatadog(stack: string | Record<string, unknown>): ResourceValidation[] {
  const parsed = (typeof stack === "string" ? JSON.parse(stack) : stack) as { resource?: Record<string, Record<string, TfConfig>> };
  const results: ResourceValidation[] = [];
  for (const [resourceType, resources] of Object.entries(parsed.resource ?? {})) {
    const map = MAPPED_RESOURCE_TYPES[resourceType];
    if (map === undefined) continue;
    for (const [name, config] of Object.entries(resources)) {
      const mapped = map(config);
      results.push({
        address: `${resourceType}.${name}`,
        model: `${mapped.version}.${mapped.model}`,
        problems: [
          ...mapped.unmapped.map((key) => `${key}: Terraform attribute the validator does not map to the API yet (extend test/helpers/datadog-models.ts)`),
          ...validateAgainstModel(mapped.version, mapped.model, mapped.body),
        ],
      });
    }
  }
  return results;
}

/** Every problem of every resource, as `address: problem` lines (empty when all are valid). */
export function datadogModelProblems(stack: string | Record<string, unknown>): string[] {
  return validateSynthesizedDatadog(stack).flatMap((r) => r.problems.map((p) => `${r.address} (${r.model}) ${p}`));
}
