/**
 * Rewrites test/fixtures/datadog-cassettes/*.json: small excerpts of the HTTP traffic that
 * Datadog's own test suites recorded against the real API, for the oracle test
 * (test/stacks/cassette-oracle.test.ts, docs/datadog-oracle.md).
 *
 * Sources, read from bare git clones with `git show <commit>:<path>` (nothing is fetched here):
 * - DataDog/terraform-provider-datadog at the tag the cdktf bindings pin (v3.82.0, the
 *   `@cdktf/provider-datadog` 12.x package.json "version" of the provider): go-vcr cassettes
 *   `datadog/tests/cassettes/<TestName>.yaml` (interactions with request and response bodies).
 * - DataDog/datadog-api-client-typescript: Polly recordings `cassettes/**\/recording.har`, for what
 *   the provider's cassettes do not show.
 *
 * Only the chosen interactions are kept, and in their responses only what the oracle compares:
 * who created an object (`creator`, `included`, `relationships`, `author_*`, `modifier`) is dropped.
 *
 * Usage: npx tsx scripts/refresh-datadog-cassettes.ts <provider.git> <typescript-client.git>
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

export const PROVIDER = { repo: "DataDog/terraform-provider-datadog", ref: "v3.82.0", commit: "cc0b64ae7e48d2e0f3c5c13b15ae1a65473865de" } as const;
export const TS_CLIENT = { repo: "DataDog/datadog-api-client-typescript", ref: "master", commit: "a6d174205b047bd01a9df066deae5d7fee9c436c" } as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Keys that name people or accounts, never compared: dropped from every kept response. */
const DROPPED = ["creator", "included", "relationships", "author_handle", "author_name", "modifier", "org_id"];

interface Pick {
  /** Resource kind: the fixture file name. */
  readonly kind: string;
  readonly source: "provider" | "ts-client";
  /** Cassette path inside the repository. */
  readonly path: string;
  readonly method: string;
  /** The request URL ends with this (query string excluded). */
  readonly urlEnds: string;
  /** Which matching interaction, 0 = first. */
  readonly nth?: number;
  /** What this recording shows, written into the fixture. */
  readonly shows: string;
}

const cassette = (name: string) => `datadog/tests/cassettes/${name}.yaml`;

const PICKS: readonly Pick[] = [
  { kind: "monitor", source: "provider", path: cassette("TestAccDatadogMonitor_LogMultiAlert"), method: "POST", urlEnds: "/api/v1/monitor", shows: "on_missing_data set: no no_data_timeframe sent, notify_no_data and require_full_window still sent" },
  { kind: "monitor", source: "provider", path: cassette("TestAccDatadogMonitor_RestrictedRoles"), method: "POST", urlEnds: "/api/v1/monitor", shows: "minimal monitor: defaults include_tags, new_host_delay, notify_no_data, require_full_window; priority null; tags []" },
  { kind: "monitor", source: "provider", path: cassette("TestAccDatadogMonitor_SchedulingOptions"), method: "POST", urlEnds: "/api/v1/monitor", shows: "type metric alert comes back as query alert" },
  { kind: "monitor", source: "provider", path: cassette("TestAccDatadogMonitor_Basic"), method: "POST", urlEnds: "/api/v1/monitor", shows: "priority a number, thresholds numbers, renotify_statuses; notify_no_data false: no no_data_timeframe in the create body" },
  { kind: "downtime-schedule", source: "provider", path: cassette("TestAccDowntimeScheduleBasicRecurring"), method: "POST", urlEnds: "/api/v2/downtime", shows: "recurring schedule with monitor_tags, start as local wall time with seconds" },
  { kind: "downtime-schedule", source: "provider", path: cassette("TestAccDowntimeScheduleChanged"), method: "POST", urlEnds: "/api/v2/downtime", shows: "one-time schedule; notify_end_* not sent: the API fills them" },
  { kind: "downtime-schedule", source: "provider", path: cassette("TestAccDowntimeScheduleChanged"), method: "PATCH", urlEnds: "", shows: "a recurrence start of null: the API fills the current time" },
  { kind: "slo", source: "provider", path: cassette("TestAccDatadogServiceLevelObjective_TimeSlice"), method: "POST", urlEnds: "/api/v1/slo", shows: "time-slice SLO request and the API's answer" },
  { kind: "slo-correction", source: "provider", path: cassette("TestAccDatadogSloCorrection_Recurring"), method: "POST", urlEnds: "/api/v1/slo/correction", shows: "recurring correction: rrule and duration" },
  {
    kind: "slo-correction",
    source: "ts-client",
    path: "cassettes/v1/Service-Level-Objective-Corrections_2301830752/Create-an-SLO-correction-with-rrule-returns-OK-response_3003320282/recording.har",
    method: "POST",
    urlEnds: "/api/v1/slo/correction",
    shows: "a bare FREQ= rule (no RRULE: prefix) is accepted and kept",
  },
  { kind: "webhook", source: "provider", path: cassette("TestAccDatadogWebhook_Basic"), method: "POST", urlEnds: "/configuration/webhooks", nth: 0, shows: "no encode_as, no payload: the API fills both" },
  { kind: "webhook", source: "provider", path: cassette("TestAccDatadogWebhook_Basic"), method: "POST", urlEnds: "/configuration/webhooks", nth: 1, shows: "encode_as json" },
  { kind: "webhook", source: "provider", path: cassette("TestAccDatadogWebhook_Basic"), method: "PUT", urlEnds: "", nth: 0, shows: "payload a JSON string" },
  { kind: "webhook-custom-variable", source: "provider", path: cassette("TestAccDatadogWebhookCustomVariable_Basic"), method: "POST", urlEnds: "/configuration/custom-variables", shows: "is_secret false: the value comes back" },
  { kind: "webhook-custom-variable", source: "provider", path: cassette("TestAccDatadogWebhookCustomVariable_Basic"), method: "PUT", urlEnds: "", shows: "is_secret true: the value does not come back" },
  { kind: "dashboard-json", source: "provider", path: cassette("TestAccDatadogDashboardJSONNoDiff"), method: "POST", urlEnds: "/api/v1/dashboard", shows: "the body of the provider's no-diff test: description, notify_list, template_variables sent" },
  {
    kind: "dashboard-json",
    source: "ts-client",
    path: "cassettes/v1/Dashboards_1335235736/Create-a-new-dashboard-returns-OK-response_4257835906/recording.har",
    method: "POST",
    urlEnds: "/api/v1/dashboard",
    shows: "description, notify_list, template_variables not sent: the API fills them with null",
  },
  {
    kind: "dashboard-json",
    source: "ts-client",
    path: "cassettes/v1/Dashboards_1335235736/Create-a-geomap-widget-using-an-event_list-request_2520848468/recording.har",
    method: "POST",
    urlEnds: "/api/v1/dashboard",
    shows: "tags [] and reflow_type accepted",
  },
  {
    kind: "dashboard-json",
    source: "ts-client",
    path: "cassettes/v1/Dashboards_1335235736/Create-a-new-dashboard-with-template-variable-defaults-returns-OK-response_2788860418/recording.har",
    method: "POST",
    urlEnds: "/api/v1/dashboard",
    shows: "a template variable with defaults (a list), echoed",
  },
  {
    kind: "dashboard-widgets",
    source: "ts-client",
    path: "cassettes/v1/Dashboards_1335235736/Create-a-new-dashboard-with-query_table-widget_4214442429/recording.har",
    method: "POST",
    urlEnds: "/api/v1/dashboard",
    shows: "query_table request sort (count, order_by)",
  },
  ...[
    "Create-a-new-dashboard-with-a-timeseries-widget-using-formulas-and-functions-metrics-query_683231166",
    "Create-a-new-dashboard-with-query_table-widget-and-text-formatting_4219356046",
  ].map(
    (name): Pick => ({
      kind: "dashboard-widgets",
      source: "ts-client",
      path: `cassettes/v1/Dashboards_1335235736/${name}/recording.har`,
      method: "POST",
      urlEnds: "/api/v1/dashboard",
      shows: "formula-and-function requests the API accepted and echoed",
    }),
  ),
  ...["TestAccDatadogDashboardNote", "TestAccDatadogDashboardJSONBasicScreenboard", "TestAccDatadogDashboardQueryTable", "TestAccDatadogDashboardSunburst", "TestAccDatadogDashboardQueryTableFormula", "TestAccDatadogDashboardManageStatus", "TestAccDatadogDashboardSLO", "TestAccDatadogDashboardTimeseries", "TestAccDatadogDashboardJSONBasicTimeboard"].map(
    (name): Pick => ({ kind: "dashboard-widgets", source: "provider", path: cassette(name), method: "POST", urlEnds: "/api/v1/dashboard", shows: "widget definitions the API accepted and echoed" }),
  ),
];

interface Interaction {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly request: Json;
  readonly response: Json;
  /** The go-vcr interaction id, or the HAR entry index. */
  readonly index: number;
}

function gitShow(gitDir: string, commit: string, file: string): string {
  return execFileSync("git", [`--git-dir=${gitDir}`, "show", `${commit}:${file}`], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

const parseBody = (text: string | undefined): Json => (text === undefined || text.trim() === "" ? null : (JSON.parse(text) as Json));

function interactions(gitDir: string, pick: Pick): Interaction[] {
  const commit = pick.source === "provider" ? PROVIDER.commit : TS_CLIENT.commit;
  const text = gitShow(gitDir, commit, pick.path);
  if (pick.source === "provider") {
    const doc = parse(text) as { interactions: { id?: number; request: { method: string; url: string; body?: string }; response: { code: number; body?: string } }[] };
    return doc.interactions.map((i, n) => ({ method: i.request.method, url: i.request.url, status: i.response.code, request: parseBody(i.request.body), response: parseBody(i.response.body), index: i.id ?? n }));
  }
  const har = JSON.parse(text) as { log: { entries: { request: { method: string; url: string; postData?: { text?: string } }; response: { status: number; content?: { text?: string } } }[] } };
  return har.log.entries.map((e, n) => ({ method: e.request.method, url: e.request.url, status: e.response.status, request: parseBody(e.request.postData?.text), response: parseBody(e.response.content?.text), index: n }));
}

function strip(value: Json): Json {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !DROPPED.includes(key)).map(([key, item]) => [key, strip(item)]));
}

/** Widget types our dashboards use (stacks/datadog/dashboards.ts): the widget fixture keeps only these. */
export const WIDGET_TYPES = ["group", "query_table", "manage_status", "slo", "timeseries", "note"];

/** Dashboards keep only the definitions of the widget types we use, for the widget fixture. */
function widgetsOnly(body: Json): Json {
  const widgets = (body as { widgets?: { definition: { type: string } & Json }[] } | null)?.widgets ?? [];
  return widgets.map((w) => w.definition).filter((d) => WIDGET_TYPES.includes(d.type));
}

function main(providerGit: string, tsClientGit: string): void {
  const byKind = new Map<string, unknown[]>();
  for (const pick of PICKS) {
    const matching = interactions(pick.source === "provider" ? providerGit : tsClientGit, pick).filter(
      (i) => i.method === pick.method && new URL(i.url).pathname.endsWith(pick.urlEnds) && i.status < 300,
    );
    const chosen = matching[pick.nth ?? 0];
    if (chosen === undefined) throw new Error(`${pick.path}: no ${pick.method} …${pick.urlEnds} interaction #${pick.nth ?? 0}`);
    const source = pick.source === "provider" ? PROVIDER : TS_CLIENT;
    const widgets = pick.kind === "dashboard-widgets";
    const entry = {
      repo: source.repo,
      commit: source.commit,
      path: pick.path,
      interaction: chosen.index,
      shows: pick.shows,
      method: chosen.method,
      url: new URL(chosen.url).pathname,
      status: chosen.status,
      request: widgets ? widgetsOnly(chosen.request) : chosen.request,
      response: widgets ? widgetsOnly(chosen.response) : strip(chosen.response),
    };
    byKind.set(pick.kind, [...(byKind.get(pick.kind) ?? []), entry]);
  }
  const dir = path.join(__dirname, "..", "test", "fixtures", "datadog-cassettes");
  mkdirSync(dir, { recursive: true });
  for (const [kind, recordings] of byKind) {
    const fixture = {
      "//": `Excerpts of Datadog API traffic recorded by Datadog's test suites (see each recording's repo, commit, path and interaction). Written by scripts/refresh-datadog-cassettes.ts; responses without ${DROPPED.join(", ")}.`,
      recordings,
    };
    writeFileSync(path.join(dir, `${kind}.json`), `${JSON.stringify(fixture, null, 2)}\n`);
  }
}

if (require.main === module) {
  const [providerGit, tsClientGit] = process.argv.slice(2);
  if (providerGit === undefined || tsClientGit === undefined) {
    console.error("usage: npx tsx scripts/refresh-datadog-cassettes.ts <terraform-provider-datadog.git> <datadog-api-client-typescript.git>");
    process.exit(2);
  }
  main(providerGit, tsClientGit);
}
