/**
 * What the Datadog Terraform provider would send: each Datadog resource block of a synthesized
 * `cdk.tf.json` mapped to the API request body the provider's builder makes from it, at the provider
 * version the cdktf bindings pin (DataDog/terraform-provider-datadog v3.82.0, commit
 * cc0b64ae7e48d2e0f3c5c13b15ae1a65473865de). Unlike test/helpers/datadog-models.ts, which maps only
 * what is set so that the client's models can check it, this one also writes what the provider adds
 * on its own: schema defaults it always sends (a monitor's `require_full_window: true`,
 * `include_tags: true`, `notify_no_data: false`, `new_host_delay: 300`, `draft_status`), values it
 * sends as `null` (`priority`, `restricted_roles`), sorting, and attributes it leaves out. The
 * oracle (test/stacks/cassette-oracle.test.ts) holds these bodies against the provider's recorded
 * traffic.
 *
 * Terraform references (`${datadog_service_level_objective.x.id}`) are unknown until apply and stay
 * as they are.
 */

type TfConfig = Readonly<Record<string, unknown>>;
export type Body = Record<string, unknown>;

/** Which API call a resource becomes, with the body. */
export interface ProviderRequest {
  readonly kind: ResourceKind;
  readonly version: "v1" | "v2";
  /** The `@datadog/datadog-api-client` request model of the body. */
  readonly model: string;
  readonly method: "POST";
  readonly path: string;
  readonly body: Body;
  /** Terraform attributes set in the block that this mapping does not know (must be empty). */
  readonly unmapped: readonly string[];
}

export type ResourceKind = "monitor" | "downtime-schedule" | "slo" | "slo-correction" | "webhook" | "webhook-custom-variable" | "dashboard-json";

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A single nested block: cdktf writes an object, Terraform JSON also allows a one-item list. */
function block(value: unknown): TfConfig | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return isPlainObject(item) ? item : undefined;
}

function blocks(value: unknown): TfConfig[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(isPlainObject);
}

/** Keeps the keys whose value is not `undefined` (the builder's `if … ok { Set… }`). */
function defined(entries: Record<string, unknown>): Body {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined));
}

/** SDKv2's `d.GetOk`: unset, `""`, `0`, `false` and empty collections all count as not set. */
function getOk(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

const REFERENCE = /^\$\{[^}]+\}$/;

/** `json.Number(s).Float64()` / `strconv.ParseInt`: a number attribute Terraform holds as a string. */
function parseNumber(value: unknown): unknown {
  if (typeof value === "number") return value;
  if (typeof value === "string" && !REFERENCE.test(value) && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return value;
}

/** Terraform meta-arguments, never sent. */
const META = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each", "provisioner", "connection"]);

function unmapped(config: TfConfig, known: readonly string[]): string[] {
  return Object.keys(config).filter((key) => !META.has(key) && !known.includes(key));
}

const sortedStrings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []).sort();

// --- datadog_monitor ---------------------------------------------------------------------------

/** Schema defaults of datadog/resource_datadog_monitor.go (v3.82.0, resourceDatadogMonitor). */
export const MONITOR_SCHEMA_DEFAULTS = {
  include_tags: true,
  require_full_window: true,
  notify_no_data: false,
  new_host_delay: 300,
  no_data_timeframe: 10,
  draft_status: "published",
} as const;

const MONITOR_THRESHOLD_NUMBERS = ["ok", "warning", "unknown", "critical", "warning_recovery", "critical_recovery"];
const MONITOR_KNOWN = [
  "name", "type", "query", "message", "tags", "priority", "restricted_roles", "draft_status", "monitor_thresholds", "monitor_threshold_windows",
  "include_tags", "notify_no_data", "require_full_window", "new_host_delay", "new_group_delay", "evaluation_delay", "no_data_timeframe",
  "on_missing_data", "renotify_interval", "renotify_occurrences", "renotify_statuses", "notify_audit", "timeout_h", "escalation_message",
  "group_retention_duration", "notify_by", "notification_preset_name",
];

/**
 * `datadog_monitor` → `POST /api/v1/monitor`, as buildMonitorStruct (datadog/resource_datadog_monitor.go)
 * builds it:
 * - `options.thresholds` is always sent (`{}` without `monitor_thresholds`); numeric thresholds are
 *   parsed from Terraform's strings (`json.Number(...).Float64()`).
 * - `include_tags`, and, without a custom schedule, `notify_no_data` and `require_full_window`, are
 *   always sent with their value or schema default (`d.Get`, not `d.GetOk`); so is `new_host_delay`
 *   ("Don't check with GetOk, doesn't work with 0").
 * - `no_data_timeframe` is sent only when `on_missing_data` is unset, and, on create, only when
 *   `notify_no_data` is true: its DiffSuppressFunc ignores it otherwise, so `d.GetOk` sees 0
 *   (TestAccDatadogMonitor_Basic.yaml: the validate call carries it, the create call does not).
 * - `renotify_statuses`, `notify_by` are sent when set; `notify_audit`, `timeout_h`,
 *   `renotify_interval`, `new_group_delay`, `evaluation_delay` only when non-zero (`d.GetOk`).
 * - `priority` is parsed to an integer (`strconv.ParseInt`), or sent as `null` when unset
 *   (`SetPriorityNil`); `restricted_roles` sorted, or `null` when unset; `tags` sorted, `[]` when
 *   unset; `draft_status` its value or "published".
 */
export function monitorRequest(config: TfConfig): ProviderRequest {
  const thresholdsBlock = block(config["monitor_thresholds"]) ?? {};
  const thresholds = Object.fromEntries(
    Object.entries(thresholdsBlock)
      .filter(([, v]) => getOk(v))
      .map(([k, v]) => [k, MONITOR_THRESHOLD_NUMBERS.includes(k) ? parseNumber(v) : v]),
  );
  const windows = block(config["monitor_threshold_windows"]);
  const get = <K extends keyof typeof MONITOR_SCHEMA_DEFAULTS>(key: K): unknown => config[key] ?? MONITOR_SCHEMA_DEFAULTS[key];
  const onMissingData = getOk(config["on_missing_data"]) ? config["on_missing_data"] : undefined;
  const notifyNoData = get("notify_no_data");
  const whenSet = (key: string): unknown => (getOk(config[key]) ? config[key] : undefined);
  const options = defined({
    thresholds,
    include_tags: get("include_tags"),
    notify_no_data: notifyNoData,
    require_full_window: get("require_full_window"),
    threshold_windows: windows === undefined ? undefined : defined({ recovery_window: windows["recovery_window"], trigger_window: windows["trigger_window"] }),
    group_retention_duration: whenSet("group_retention_duration"),
    new_group_delay: whenSet("new_group_delay"),
    new_host_delay: get("new_host_delay"),
    evaluation_delay: whenSet("evaluation_delay"),
    on_missing_data: onMissingData,
    no_data_timeframe: onMissingData === undefined && notifyNoData === true ? get("no_data_timeframe") : undefined,
    renotify_interval: whenSet("renotify_interval"),
    renotify_occurrences: whenSet("renotify_occurrences"),
    renotify_statuses: getOk(config["renotify_statuses"]) ? config["renotify_statuses"] : undefined,
    notify_audit: whenSet("notify_audit"),
    timeout_h: whenSet("timeout_h"),
    escalation_message: whenSet("escalation_message"),
    notify_by: getOk(config["notify_by"]) ? sortedStrings(config["notify_by"]) : undefined,
    notification_preset_name: whenSet("notification_preset_name"),
  });
  const body = {
    name: config["name"],
    type: config["type"],
    query: config["query"],
    message: config["message"] ?? "",
    options,
    draft_status: get("draft_status"),
    priority: getOk(config["priority"]) ? parseNumber(config["priority"]) : null,
    restricted_roles: getOk(config["restricted_roles"]) ? sortedStrings(config["restricted_roles"]) : null,
    tags: sortedStrings(config["tags"]),
  };
  return { kind: "monitor", version: "v1", model: "Monitor", method: "POST", path: "/api/v1/monitor", body, unmapped: unmapped(config, MONITOR_KNOWN) };
}

// --- datadog_downtime_schedule -----------------------------------------------------------------

const DOWNTIME_KNOWN = ["display_timezone", "message", "mute_first_recovery_notification", "scope", "notify_end_states", "notify_end_types", "monitor_identifier", "recurring_schedule", "one_time_schedule"];

/**
 * `datadog_downtime_schedule` → `POST /api/v2/downtime`, as buildDowntimeScheduleCreateRequestBody
 * (datadog/fwprovider/resource_datadog_downtime_schedule.go) builds it:
 * - `display_timezone`, `message`, `mute_first_recovery_notification` when not null; `scope` always.
 * - `notify_end_states` / `notify_end_types` when known: unset, they are Computed and unknown at
 *   create, so not sent (the API fills them: TestAccDowntimeScheduleChanged.yaml).
 * - `monitor_identifier`: `{monitor_id}` if set, else `{monitor_tags}`.
 * - `recurring_schedule` → `schedule: {timezone, recurrences: [{duration, rrule, start}]}`, a start
 *   left out of the configuration being sent as `null`; `one_time_schedule` → `schedule: {start, end}`.
 */
export function downtimeScheduleRequest(config: TfConfig): ProviderRequest {
  const identifier = block(config["monitor_identifier"]) ?? {};
  const recurring = block(config["recurring_schedule"]);
  const oneTime = block(config["one_time_schedule"]);
  const schedule =
    recurring !== undefined
      ? defined({
          timezone: recurring["timezone"],
          recurrences: blocks(recurring["recurrence"]).map((r) => ({ duration: r["duration"], rrule: r["rrule"], start: r["start"] ?? null })),
        })
      : oneTime !== undefined
        ? { start: oneTime["start"] ?? null, end: oneTime["end"] ?? null }
        : undefined;
  const attributes = defined({
    display_timezone: config["display_timezone"],
    message: config["message"],
    mute_first_recovery_notification: config["mute_first_recovery_notification"],
    scope: config["scope"],
    notify_end_states: config["notify_end_states"],
    notify_end_types: config["notify_end_types"],
    monitor_identifier: identifier["monitor_id"] !== undefined ? { monitor_id: parseNumber(identifier["monitor_id"]) } : { monitor_tags: identifier["monitor_tags"] },
    schedule,
  });
  return {
    kind: "downtime-schedule",
    version: "v2",
    model: "DowntimeCreateRequest",
    method: "POST",
    path: "/api/v2/downtime",
    body: { data: { attributes, type: "downtime" } },
    unmapped: unmapped(config, DOWNTIME_KNOWN),
  };
}

// --- datadog_service_level_objective -----------------------------------------------------------

/** `query_interval_seconds` schema default (resource_datadog_service_level_objective.go, v3.82.0). */
export const SLO_DEFAULT_QUERY_INTERVAL_SECONDS = 300;

const SLO_KNOWN = ["name", "type", "description", "sli_specification", "tags", "thresholds", "timeframe", "target_threshold", "warning_threshold", "monitor_ids", "groups", "query"];

/**
 * `datadog_service_level_objective` (time slice) → `POST /api/v1/slo`, as
 * buildServiceLevelObjectiveStructs and buildSLOTimeSliceQueryStruct
 * (datadog/resource_datadog_service_level_objective.go) build it: `sli_specification.time_slice`
 * with `query.formula[].formula_expression` → `query.formulas[].formula`,
 * `query.query[].metric_query` → `query.queries[]` (`data_source` defaulting to "metrics"),
 * `query_interval_seconds` its value or the schema default 300; `description`, `tags`, `thresholds[]` (each
 * `warning` only when set), `timeframe`, `target_threshold`, `warning_threshold` when set.
 */
export function sloRequest(config: TfConfig): ProviderRequest {
  const timeSlice = block(block(config["sli_specification"])?.["time_slice"]);
  const sliceQuery = block(timeSlice?.["query"]);
  const body = defined({
    name: config["name"],
    type: config["type"],
    description: getOk(config["description"]) ? config["description"] : undefined,
    sli_specification:
      timeSlice === undefined
        ? undefined
        : {
            time_slice: defined({
              query: {
                formulas: blocks(sliceQuery?.["formula"]).map((f) => ({ formula: f["formula_expression"] })),
                queries: blocks(sliceQuery?.["query"]).map((q) => {
                  const metric = block(q["metric_query"]) ?? {};
                  return { data_source: metric["data_source"] ?? "metrics", name: metric["name"], query: metric["query"] };
                }),
              },
              comparator: timeSlice["comparator"],
              threshold: timeSlice["threshold"],
              // Schema default 300; sent only when non-zero ("Terraform doesn't have a way to represent an optional int").
              query_interval_seconds: timeSlice["query_interval_seconds"] ?? SLO_DEFAULT_QUERY_INTERVAL_SECONDS,
            }),
          },
    tags: getOk(config["tags"]) ? config["tags"] : undefined,
    thresholds: getOk(config["thresholds"])
      ? blocks(config["thresholds"]).map((t) => defined({ timeframe: t["timeframe"], target: t["target"], warning: getOk(t["warning"]) ? t["warning"] : undefined }))
      : undefined,
    timeframe: getOk(config["timeframe"]) ? config["timeframe"] : undefined,
    target_threshold: getOk(config["target_threshold"]) ? config["target_threshold"] : undefined,
    warning_threshold: getOk(config["warning_threshold"]) ? config["warning_threshold"] : undefined,
  });
  return { kind: "slo", version: "v1", model: "ServiceLevelObjectiveRequest", method: "POST", path: "/api/v1/slo", body, unmapped: unmapped(config, SLO_KNOWN) };
}

// --- datadog_slo_correction --------------------------------------------------------------------

const SLO_CORRECTION_KNOWN = ["category", "start", "end", "slo_id", "timezone", "description", "rrule", "duration"];

/**
 * `datadog_slo_correction` → `POST /api/v1/slo/correction`, as buildDatadogSloCorrection
 * (datadog/resource_datadog_slo_correction.go) builds it: `category`, `start`, `slo_id` always;
 * `end`, `timezone`, `description`, `rrule`, `duration` when set; `type` "correction".
 */
export function sloCorrectionRequest(config: TfConfig): ProviderRequest {
  const whenSet = (key: string): unknown => (getOk(config[key]) ? config[key] : undefined);
  const attributes = defined({
    category: config["category"],
    start: parseNumber(config["start"]),
    end: whenSet("end"),
    slo_id: config["slo_id"],
    timezone: whenSet("timezone"),
    description: whenSet("description"),
    rrule: whenSet("rrule"),
    duration: whenSet("duration"),
  });
  return {
    kind: "slo-correction",
    version: "v1",
    model: "SLOCorrectionCreateRequest",
    method: "POST",
    path: "/api/v1/slo/correction",
    body: { data: { attributes, type: "correction" } },
    unmapped: unmapped(config, SLO_CORRECTION_KNOWN),
  };
}

// --- datadog_webhook, datadog_webhook_custom_variable ------------------------------------------

/**
 * `datadog_webhook` → `POST /api/v1/integration/webhooks/configuration/webhooks`, as
 * buildWebhookRequestBody (datadog/fwprovider/resource_datadog_webhook.go) builds it: `name`,
 * `url`; `payload` when set and not empty; `custom_headers` when set; `encode_as` when set (it is
 * Computed: unset, the API fills "json").
 */
export function webhookRequest(config: TfConfig): ProviderRequest {
  const body = defined({
    name: config["name"],
    url: config["url"],
    payload: getOk(config["payload"]) ? config["payload"] : undefined,
    custom_headers: config["custom_headers"],
    encode_as: config["encode_as"],
  });
  return {
    kind: "webhook",
    version: "v1",
    model: "WebhooksIntegration",
    method: "POST",
    path: "/api/v1/integration/webhooks/configuration/webhooks",
    body,
    unmapped: unmapped(config, ["name", "url", "payload", "custom_headers", "encode_as"]),
  };
}

/**
 * `datadog_webhook_custom_variable` → `POST /api/v1/integration/webhooks/configuration/custom-variables`,
 * as buildWebhookCustomVariableRequestBody (datadog/fwprovider/resource_datadog_webhook_custom_variable.go)
 * builds it: `name`, `value`, `is_secret`, all three always.
 */
export function webhookCustomVariableRequest(config: TfConfig): ProviderRequest {
  return {
    kind: "webhook-custom-variable",
    version: "v1",
    model: "WebhooksIntegrationCustomVariable",
    method: "POST",
    path: "/api/v1/integration/webhooks/configuration/custom-variables",
    body: { name: config["name"], value: config["value"], is_secret: config["is_secret"] ?? false },
    unmapped: unmapped(config, ["name", "value", "is_secret"]),
  };
}

// --- datadog_dashboard_json --------------------------------------------------------------------

/**
 * `datadog_dashboard_json` → `POST /api/v1/dashboard` with the `dashboard` string as the body,
 * unchanged (resourceDatadogDashboardJSONCreate, datadog/resource_datadog_dashboard_json.go, v3.82.0:
 * `utils.SendRequest(…, "POST", path, &dashboard)`).
 */
export function dashboardJsonRequest(config: TfConfig): ProviderRequest {
  return {
    kind: "dashboard-json",
    version: "v1",
    model: "Dashboard",
    method: "POST",
    path: "/api/v1/dashboard",
    body: JSON.parse(String(config["dashboard"])) as Body,
    unmapped: unmapped(config, ["dashboard", "dashboard_lists", "url"]),
  };
}

/** Fields of a dashboard the API computes, dropped from state (computedFields, resource_datadog_dashboard_json.go). */
export const DASHBOARD_COMPUTED_FIELDS = ["id", "author_handle", "author_name", "created_at", "modified_at", "url"];

/**
 * The provider's prepResource (resource_datadog_dashboard_json.go, v3.82.0), which it applies both
 * to the configuration (the attribute's StateFunc) and to the API's answer (read): computed fields
 * and widget ids dropped, `is_read_only: false` added unless `restricted_roles` is a list,
 * `notify_list` sorted. Terraform shows a change whenever the two results differ.
 */
export function prepDashboard(dashboard: Readonly<Body>): Body {
  const copy = JSON.parse(JSON.stringify(dashboard)) as Body;
  for (const field of DASHBOARD_COMPUTED_FIELDS) delete copy[field];
  const dropWidgetIds = (widgets: unknown): void => {
    for (const widget of Array.isArray(widgets) ? widgets : []) {
      if (!isPlainObject(widget)) continue;
      delete widget["id"];
      const definition = widget["definition"];
      if (isPlainObject(definition)) dropWidgetIds(definition["widgets"]);
    }
  };
  dropWidgetIds(copy["widgets"]);
  if (Array.isArray(copy["restricted_roles"])) delete copy["is_read_only"];
  else if (!("is_read_only" in copy)) copy["is_read_only"] = false;
  if (Array.isArray(copy["notify_list"])) (copy["notify_list"] as string[]).sort();
  return copy;
}

// --- all of a stack ----------------------------------------------------------------------------

export const PROVIDER_BUILDERS: Readonly<Record<string, (config: TfConfig) => ProviderRequest>> = {
  datadog_monitor: monitorRequest,
  datadog_downtime_schedule: downtimeScheduleRequest,
  datadog_service_level_objective: sloRequest,
  datadog_slo_correction: sloCorrectionRequest,
  datadog_webhook: webhookRequest,
  datadog_webhook_custom_variable: webhookCustomVariableRequest,
  datadog_dashboard_json: dashboardJsonRequest,
};

/** Every Datadog resource of a synthesized stack as the request the provider would send, keyed by address. */
export function providerRequests(stack: { readonly resource?: Record<string, Record<string, Record<string, unknown>>> }): Map<string, ProviderRequest> {
  const out = new Map<string, ProviderRequest>();
  for (const [type, resources] of Object.entries(stack.resource ?? {})) {
    const build = PROVIDER_BUILDERS[type];
    if (build === undefined) {
      if (type.startsWith("datadog_")) throw new Error(`${type}: no provider body builder in test/helpers/provider-bodies.ts`);
      continue;
    }
    for (const [name, config] of Object.entries(resources)) out.set(`${type}.${name}`, build(config));
  }
  return out;
}
