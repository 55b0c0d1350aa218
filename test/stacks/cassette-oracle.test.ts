/**
 * Our Datadog resources against what the real Datadog API accepted and answered, as Datadog's own
 * test suites recorded it (test/fixtures/datadog-cassettes/, docs/datadog-oracle.md). Offline.
 *
 * 1. The oracle's rules about the API's answers hold on every recording.
 * 2. test/helpers/provider-bodies.ts reproduces the provider's recorded requests from the
 *    Terraform configurations of its acceptance tests (datadog/tests/*_test.go, v3.82.0).
 * 3. Our synthesized resources, mapped the same way, use only fields, types, enum values and
 *    formats the API took (or that a named document allows), pass the client's models, and get
 *    back what they sent.
 * 4. The oracle rejects wrong bodies.
 */
import { readFileSync } from "node:fs";
import { Testing } from "cdktf";
import { parseEnvironmentText } from "../../stacks/environment/load";
import { FleetStack, type FleetEnvironmentDefinition } from "../../stacks/fleet-stack";
import type { EnvironmentInput } from "../../contract/definition/schema";
import {
  AcceptedBodies,
  answeredDashboard,
  cite,
  clientEnum,
  expectedResponse,
  recordings,
  unmet,
  valueAt,
  type Explanation,
  type OracleRules,
  type Recording,
} from "../helpers/cassette-oracle";
import { validateAgainstModel } from "../helpers/datadog-models";
import { MONITOR_SCHEMA_DEFAULTS, prepDashboard, providerRequests, type Body, type ProviderRequest, type ResourceKind } from "../helpers/provider-bodies";
import { baseDefinition, synthEnvironment } from "../helpers/synth";
import { fixtureEnvironment } from "../helpers/fixture-environments";

const KINDS: readonly ResourceKind[] = ["monitor", "downtime-schedule", "slo", "slo-correction", "webhook", "webhook-custom-variable", "dashboard-json"];

/** An enum value no recording shows, allowed by the client's enum. */
const inClientEnum = (version: "v1" | "v2", name: string): Explanation => ({
  why: `@datadog/datadog-api-client ${version} enum ${name}`,
  accepts: (value) => clientEnum(version, name).includes(value as string | number),
});

/** RFC 5545 recurrence rule parts. The downtime model (DowntimeScheduleRecurrenceCreateUpdateRequest) excludes DTSTART, DTEND, DURATION. */
const RRULE_PARTS = ["FREQ", "UNTIL", "COUNT", "INTERVAL", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST"];
const ruleParts = (rule: unknown): [string, string][] => String(rule).replace(/^RRULE:/, "").split(";").map((p) => p.split("=") as [string, string]);

/**
 * Per kind: enum and format paths, and what our bodies use that no recording shows, each with the
 * document that allows it. Nothing else may differ from the recordings.
 */
const RULES: Readonly<Record<ResourceKind, OracleRules>> = {
  monitor: {
    enums: ["type", "draft_status", "options.on_missing_data", "options.renotify_statuses[]"],
    explained: {
      "options.on_missing_data=show_and_notify_no_data": inClientEnum("v1", "OnMissingDataOption"),
      "options.renotify_statuses[]=no data": inClientEnum("v1", "MonitorRenotifyStatusType"),
    },
  },
  "downtime-schedule": {
    enums: ["data.type", "data.attributes.notify_end_states[]", "data.attributes.notify_end_types[]"],
    formats: ["data.attributes.schedule.recurrences[].start", "data.attributes.schedule.recurrences[].duration", "data.attributes.schedule.recurrences[].rrule"],
    explained: {
      // The API's own default includes it (TestAccDowntimeScheduleChanged.yaml#0 answer).
      "data.attributes.notify_end_states[]=no data": inClientEnum("v2", "DowntimeNotifyEndStateTypes"),
      "data.attributes.schedule.recurrences[].duration~": {
        why: "DowntimeScheduleRecurrenceCreateUpdateRequest.duration: 'Must begin with an integer and end with one of m, h, d, or w'",
        accepts: (value) => /^\d+[mhdw]$/.test(String(value)),
      },
      "data.attributes.schedule.recurrences[].rrule~": {
        why: "DowntimeScheduleRecurrenceCreateUpdateRequest.rrule: RFC 5545 parts without DTSTART, DTEND, DURATION; the v2 API takes hourly or coarser rules (docs/stacks.md, issue 17)",
        accepts: (value) =>
          ruleParts(value).every(([key, v]) => RRULE_PARTS.includes(key) && v !== undefined && v !== "") &&
          ruleParts(value).some(([key, v]) => key === "FREQ" && ["HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"].includes(v)),
      },
    },
  },
  slo: {
    enums: ["type", "sli_specification.time_slice.comparator", "sli_specification.time_slice.query_interval_seconds", "sli_specification.time_slice.query.queries[].data_source", "thresholds[].timeframe", "timeframe"],
    explained: {
      "sli_specification.time_slice.comparator=>=": inClientEnum("v1", "SLOTimeSliceComparator"),
      "sli_specification.time_slice.query_interval_seconds=60": inClientEnum("v1", "SLOTimeSliceInterval"),
      "thresholds[].timeframe=30d": inClientEnum("v1", "SLOTimeframe"),
      "thresholds[].timeframe=90d": inClientEnum("v1", "SLOTimeframe"),
      "timeframe=30d": inClientEnum("v1", "SLOTimeframe"),
      "timeframe=90d": inClientEnum("v1", "SLOTimeframe"),
    },
  },
  "slo-correction": {
    enums: ["data.type", "data.attributes.category"],
    formats: ["data.attributes.rrule"],
    explained: {
      "data.attributes.rrule~": {
        why: "terraform-provider-datadog docs/resources/slo_correction.md: 'The supported rules for SLO corrections are FREQ, INTERVAL, COUNT, and UNTIL'",
        accepts: (value) => ruleParts(value).every(([key]) => ["FREQ", "INTERVAL", "COUNT", "UNTIL"].includes(key)),
      },
    },
  },
  webhook: { enums: ["encode_as"] },
  "webhook-custom-variable": {},
  "dashboard-json": {
    enums: ["layout_type", "reflow_type"],
  },
};

/** Widget definitions: enum paths per widget type (the part after `type:`). */
const WIDGET_RULES: OracleRules = {
  enums: [
    "type",
    "layout_type",
    "manage_status:summary_type",
    "manage_status:display_format",
    "manage_status:sort",
    "slo:view_type",
    "slo:view_mode",
    "slo:time_windows[]",
    "timeseries:requests[].display_type",
    "timeseries:requests[].response_format",
    "query_table:requests[].response_format",
    "query_table:requests[].queries[].aggregator",
    "query_table:requests[].queries[].data_source",
    "query_table:requests[].formulas[].conditional_formats[].comparator",
    "query_table:requests[].formulas[].conditional_formats[].palette",
    "query_table:requests[].sort.order_by[].type",
    "query_table:requests[].sort.order_by[].order",
  ],
  explained: {
    "query_table:requests[].formulas[].alias": { why: "@datadog/datadog-api-client v1 WidgetFormula.alias (a string)" },
    "query_table:requests[].formulas[].conditional_formats[].comparator=>": inClientEnum("v1", "WidgetComparator"),
    "query_table:requests[].formulas[].conditional_formats[].comparator=<=": inClientEnum("v1", "WidgetComparator"),
    "query_table:requests[].formulas[].conditional_formats[].palette=white_on_yellow": inClientEnum("v1", "WidgetPalette"),
    "query_table:requests[].formulas[].conditional_formats[].palette=white_on_gray": inClientEnum("v1", "WidgetPalette"),
    "query_table:requests[].queries[].aggregator=last": inClientEnum("v1", "FormulaAndFunctionMetricAggregation"),
    "query_table:requests[].sort.order_by[].order=asc": inClientEnum("v1", "WidgetSort"),
    "manage_status:summary_type=groups": inClientEnum("v1", "WidgetSummaryType"),
    "slo:time_windows[]=previous_month": inClientEnum("v1", "WidgetTimeWindows"),
    "slo:time_windows[]=30d": inClientEnum("v1", "WidgetTimeWindows"),
  },
};

const accepted = (kind: ResourceKind) => new AcceptedBodies(kind, recordings(kind).map((r) => r.request), RULES[kind]);

/**
 * A widget definition as a flat body whose keys carry the widget type (`slo:view_mode`), so that
 * each type is compared with its own kind; a group's children are compared on their own.
 */
function widgetBodies(definitions: readonly unknown[]): Body[] {
  const out: Body[] = [];
  for (const definition of definitions as Body[]) {
    const { widgets, ...rest } = definition;
    const typed = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k === "type" || k === "layout_type" ? k : `${String(definition["type"])}:${k}`, v]));
    out.push(widgets === undefined ? typed : { ...typed, widgets: (widgets as Body[]).map(() => ({ definition: {} })) });
    if (Array.isArray(widgets)) out.push(...widgetBodies((widgets as Body[]).map((w) => w["definition"])));
  }
  return out;
}
const acceptedWidgets = () => new AcceptedBodies("dashboard widgets", widgetBodies(recordings("dashboard-widgets").flatMap((r) => r.request as unknown[])), WIDGET_RULES);

/** The resources of the example environments (the tests' copies), as the provider would send them. */
function exampleRequests(name: string): Map<string, ProviderRequest> {
  const file = fixtureEnvironment(`${name}.yaml`);
  const parsed = parseEnvironmentText(file, readFileSync(file, "utf8"));
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return providerRequests(synthEnvironment(parsed.data as EnvironmentInput));
}

const fleetEnvironment = (name: string): FleetEnvironmentDefinition => ({ name, datadog: { site: "EU" }, backend: { type: "local" }, aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d", subnetIds: ["subnet-0a1b2c3d"], tags: {} } });

/** The fleet overview of two environments, as the provider would send it: its one dashboard. */
function fleetRequests(): Map<string, ProviderRequest> {
  return providerRequests(JSON.parse(Testing.synth(new FleetStack(Testing.app(), { environments: [fleetEnvironment("alpha"), fleetEnvironment("beta")] }))) as Parameters<typeof providerRequests>[0]);
}

const FLEET_LABEL = "the fleet overview of two environments";
const STACKS: readonly [string, Map<string, ProviderRequest>][] = [
  ["example-multi", exampleRequests("example-multi")],
  ["example-simple", exampleRequests("example-simple")],
  ["a tunnel-mode definition with a 90-day SLO", providerRequests(synthEnvironment(baseDefinition({ monitor: { mode: "tunnel", renotifyIntervalMinutes: 60 }, slo: { target: 99.5, timeframe: "90d", warning: 99.8 } })))],
  [FLEET_LABEL, fleetRequests()],
];
const ALL = STACKS.flatMap(([label, requests]) => [...requests].map(([address, request]) => [label, address, request] as const));
const byKind = (kind: ResourceKind) => ALL.filter(([, , r]) => r.kind === kind);

describe("the oracle's rules about the API's answers", () => {
  const all: [string, ResourceKind, Recording][] = KINDS.flatMap((kind) => recordings(kind).map((r) => [cite(r), kind, r] as [string, ResourceKind, Recording]));

  it.each(all)("hold on %s (%s)", (_name, kind, recording) => {
    expect(recording.status).toBeLessThan(300);
    expect(unmet(recording.response, expectedResponse(kind, recording.request))).toEqual([]);
  });

  it("every fixture names its repository, commit and cassette, and keeps no creator", () => {
    for (const kind of [...KINDS, "dashboard-widgets" as const]) {
      for (const r of recordings(kind)) {
        expect(r.repo).toMatch(/^DataDog\/(terraform-provider-datadog|datadog-api-client-typescript)$/);
        expect(r.commit).toMatch(/^[0-9a-f]{40}$/);
        expect(r.path).toMatch(/^(datadog\/tests\/cassettes\/\w+\.yaml|cassettes\/v[12]\/.+\/recording\.har)$/);
        expect(JSON.stringify(r.response)).not.toMatch(/"(creator|author_handle|author_name|included)"/);
      }
    }
  });

  it("a dashboard's widgets come back as they were sent (plus ids)", () => {
    for (const r of recordings("dashboard-widgets")) expect(withoutIds(r.response)).toEqual(withoutIds(r.request));
    for (const r of recordings("dashboard-json")) {
      const sent = (r.request as Body)["widgets"] as unknown[];
      const back = ((r.response as Body)["widgets"] as Body[]).map(({ id: _id, ...rest }) => rest);
      expect(back).toEqual(sent.map((w) => withoutIds(w)));
    }
  });

  it("name what the API does to a body, exactly", () => {
    const [schedulingOptions] = recordings("monitor").filter((r) => r.path.endsWith("TestAccDatadogMonitor_SchedulingOptions.yaml"));
    expect((schedulingOptions!.request as Body)["type"]).toBe("metric alert");
    expect((schedulingOptions!.response as Body)["type"]).toBe("query alert");
    const [oneTime, patched] = recordings("downtime-schedule").filter((r) => r.path.endsWith("TestAccDowntimeScheduleChanged.yaml"));
    expect(unmet(oneTime!.response, [{ at: "data.attributes.schedule.start", equals: "2050-01-02T03:04:05+00:00" }, { at: "data.attributes.notify_end_states", set: ["alert", "no data", "warn"] }])).toEqual([]);
    expect(unmet(patched!.response, [{ at: "data.attributes.schedule.recurrences[0].start", equals: "2023-07-26T18:37:31" }])).toEqual([]);
    const [plain] = recordings("webhook");
    expect((plain!.request as Body)["encode_as"]).toBeUndefined();
    expect((plain!.response as Body)["encode_as"]).toBe("json");
  });
});

describe("provider-bodies.ts reproduces the provider's recorded requests", () => {
  /** A recorded request, with the test's unique name put back as a placeholder. */
  const recorded = (kind: ResourceKind, cassette: string, nth = 0): Body => recordings(kind).filter((r) => r.path.endsWith(`${cassette}.yaml`))[nth]!.request as Body;
  const build = (type: string, config: Record<string, unknown>) => [...providerRequests({ resource: { [type]: { it: config } } }).values()][0]!.body;
  /** Sets (Terraform `TypeSet`) come in hash order; compared sorted. */
  const sortSets = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, v: unknown) => (["tags", "monitor_tags", "notify_end_states", "notify_end_types"].includes(key) && Array.isArray(v) ? [...v].sort() : v));

  it("datadog_monitor (testAccCheckDatadogMonitorConfigRestrictedRoles)", () => {
    const body = recorded("monitor", "TestAccDatadogMonitor_RestrictedRoles");
    const config = {
      name: body["name"],
      type: "query alert",
      message: "some message Notify: @hipchat-channel",
      query: "avg(last_1h):avg:aws.ec2.cpu{environment:foo,host:foo} by {host} > 2",
      monitor_thresholds: { critical: "2.0" },
      restricted_roles: body["restricted_roles"],
    };
    expect(build("datadog_monitor", config)).toEqual(body);
  });

  it("datadog_downtime_schedule (testAccCheckDatadogDowntimeScheduleRecurring)", () => {
    const body = recorded("downtime-schedule", "TestAccDowntimeScheduleBasicRecurring");
    const config = {
      scope: (body["data"] as { attributes: Body }).attributes["scope"],
      monitor_identifier: { monitor_tags: ["cat:hat"] },
      recurring_schedule: {
        recurrence: [
          { start: "2042-07-13T01:02:03", duration: "1d", rrule: "FREQ=DAILY;INTERVAL=1" },
          { start: "2042-07-15T01:02:03", duration: "1w", rrule: "FREQ=DAILY;INTERVAL=12" },
          { start: "2042-07-17T01:02:03", duration: "1m", rrule: "FREQ=DAILY;INTERVAL=123" },
        ],
        timezone: "America/New_York",
      },
      display_timezone: "America/New_York",
      message: "Message about the downtime",
      mute_first_recovery_notification: true,
      notify_end_states: ["warn", "alert"],
      notify_end_types: ["expired"],
    };
    expect(sortSets(build("datadog_downtime_schedule", config))).toEqual(sortSets(body));
  });

  it("datadog_service_level_objective (testAccCheckDatadogServiceLevelObjectiveTimeSliceConfig): query_interval_seconds defaults to 300", () => {
    const body = recorded("slo", "TestAccDatadogServiceLevelObjective_TimeSlice");
    const config = {
      name: body["name"],
      type: "time_slice",
      description: "some description about foo SLO",
      sli_specification: {
        time_slice: {
          query: {
            formula: { formula_expression: "(query1-query2)/query1" },
            query: [
              { metric_query: { name: "query1", query: "sum:trace.grpc.server.hits{service:monitor-history-reader}" } },
              { metric_query: { name: "query2", data_source: "metrics", query: "sum:trace.grpc.server.errors{service:monitor-history-reader}" } },
            ],
          },
          comparator: ">",
          threshold: 0.99,
        },
      },
      thresholds: [{ timeframe: "7d", target: 99, warning: 99.5 }],
      timeframe: "7d",
      target_threshold: 99,
      warning_threshold: 99.5,
      tags: ["foo:bar", "baz"],
    };
    expect(sortSets(build("datadog_service_level_objective", config))).toEqual(sortSets(body));
  });

  it("datadog_slo_correction (testAccCheckDatadogSloCorrectionConfigRecurring)", () => {
    const body = recorded("slo-correction", "TestAccDatadogSloCorrection_Recurring");
    const attributes = (body["data"] as { attributes: Body }).attributes;
    const config = { category: "Scheduled Maintenance", description: attributes["description"], slo_id: attributes["slo_id"], start: 1735707000, timezone: "UTC", rrule: "RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5", duration: 3600 };
    expect(build("datadog_slo_correction", config)).toEqual(body);
  });

  it("datadog_webhook with and without encode_as (testAccCheckDatadogWebhookBasicConfig)", () => {
    const withEncoding = recorded("webhook", "TestAccDatadogWebhook_Basic", 1);
    const without = recorded("webhook", "TestAccDatadogWebhook_Basic", 0);
    expect(build("datadog_webhook", { name: withEncoding["name"], url: "http://example.com", encode_as: "json", custom_headers: '{"test":"test"}' })).toEqual(withEncoding);
    expect(build("datadog_webhook", { name: without["name"], url: "http://example.com", custom_headers: '{"test":"test"}' })).toEqual(without);
  });

  it("datadog_webhook_custom_variable (testAccCheckDatadogWebhookCustomVariableBasicConfig)", () => {
    const body = recorded("webhook-custom-variable", "TestAccDatadogWebhookCustomVariable_Basic");
    expect(build("datadog_webhook_custom_variable", { name: body["name"], value: "test-value", is_secret: false })).toEqual(body);
  });

  it("datadog_dashboard_json: the string, as it is (testAccCheckDatadogDashboardJSONNoDiff)", () => {
    const body = recorded("dashboard-json", "TestAccDatadogDashboardJSONNoDiff");
    expect(build("datadog_dashboard_json", { dashboard: JSON.stringify(body) })).toEqual(body);
  });
});

describe("our synthesized resources against the recordings", () => {
  it("cover every kind the stacks make, with nothing unmapped", () => {
    const kinds = new Set(ALL.map(([, , r]) => r.kind));
    expect([...kinds].sort()).toEqual([...KINDS].sort());
    expect(ALL.flatMap(([label, address, r]) => r.unmapped.map((key) => `${label} ${address}: ${key}`))).toEqual([]);
  });

  it.each(KINDS)("%s: only fields, types, enum values and formats the API took, or explained, and every explanation needed", (kind) => {
    const oracle = accepted(kind);
    const problems = byKind(kind).flatMap(([label, address, r]) => {
      const body = kind === "dashboard-json" ? { ...r.body, widgets: [] } : r.body;
      return oracle.check(body).map((p) => `${label} ${address}: ${p}`);
    });
    expect(problems).toEqual([]);
    expect([...oracle.usedExplanations].sort()).toEqual(Object.keys(RULES[kind].explained ?? {}).sort());
  });

  it("dashboard widgets: only fields, types and enum values the API took, or explained, and every explanation needed", () => {
    const oracle = acceptedWidgets();
    const dashboards = byKind("dashboard-json");
    expect(dashboards).toHaveLength(STACKS.length);
    const problems = dashboards.flatMap(([label, address, r]) =>
      widgetBodies(((r.body["widgets"] as Body[]) ?? []).map((w) => w["definition"])).flatMap((w) => oracle.check(w).map((p) => `${label} ${address}: ${p}`)),
    );
    expect(problems).toEqual([]);
    expect([...oracle.usedExplanations].sort()).toEqual(Object.keys(WIDGET_RULES.explained ?? {}).sort());
  });

  it("the fleet stack is in the oracle: one dashboard-json, with widgets and its template variable", () => {
    const fleet = STACKS.find(([label]) => label === FLEET_LABEL)![1];
    const [dashboard, ...others] = [...fleet.values()];
    expect({ kind: dashboard?.kind, others: others.length }).toEqual({ kind: "dashboard-json", others: 0 });
    expect(widgetBodies(((dashboard!.body["widgets"] as Body[]) ?? []).map((w) => w["definition"])).length).toBeGreaterThan(0);
    // `defaults`, not the deprecated `default` (Datadog dashboards API, template_variables).
    expect(dashboard!.body["template_variables"]).toEqual([expect.objectContaining({ defaults: ["*"] })]);
    expect(JSON.stringify(dashboard!.body["template_variables"])).not.toContain('"default"');
  });

  it("every body passes @datadog/datadog-api-client's request models", () => {
    // The provider sends `priority: null` and `restricted_roles: null` when unset, and the API takes
    // them (monitor.json); the client's models do not mark them nullable, so nulls the recordings
    // show accepted are left out before the model check.
    const problems = ALL.flatMap(([label, address, r]) =>
      validateAgainstModel(r.version, r.model, withoutAcceptedNulls(r.body, accepted(r.kind))).map((p) => `${label} ${address}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it("monitors: the provider's defaults are the ones we mean, and nothing it would add is left to chance", () => {
    for (const [label, address, r] of byKind("monitor")) {
      const options = r.body["options"] as Body;
      const where = `${label} ${address}`;
      expect({ where, type: r.body["type"] }).toEqual({ where, type: "query alert" });
      // Set by us, against the provider's default of true: a lone 0 must alert.
      expect({ where, require_full_window: options["require_full_window"] }).toEqual({ where, require_full_window: false });
      expect({ where, include_tags: options["include_tags"] }).toEqual({ where, include_tags: MONITOR_SCHEMA_DEFAULTS.include_tags });
      // on_missing_data is set: the provider leaves no_data_timeframe out, and sends notify_no_data false.
      expect({ where, on_missing_data: typeof options["on_missing_data"], no_data_timeframe: "no_data_timeframe" in options, notify_no_data: options["notify_no_data"] }).toEqual({
        where,
        on_missing_data: "string",
        no_data_timeframe: false,
        notify_no_data: false,
      });
      expect({ where, new_host_delay: options["new_host_delay"] }).toEqual({ where, new_host_delay: 300 });
      // The re-establishment ticket always carries its own low priority (signals.traffic.reestablished.priority).
      const ownPriority = address.includes("reestablished");
      expect({ where, priority: typeof r.body["priority"] }).toEqual({ where, priority: label === "a tunnel-mode definition with a 90-day SLO" && !ownPriority ? "object" : "number" });
      expect({ where, tags: r.body["tags"] }).toEqual({ where, tags: [...(r.body["tags"] as string[])].sort() });
    }
  });

  it("every resource gets back what it sent", () => {
    const problems = ALL.flatMap(([label, address, r]) => {
      // What the recordings say comes back, for each field we sent (the SLO's answer is a `data` list).
      return expectedResponse(r.kind, r.body).flatMap((e) => {
        const sentAt = r.kind === "slo" ? e.at.replace(/^data\[0\]\./, "") : e.at;
        const sent = valueAt(r.body, sentAt);
        if (sent === undefined) return [];
        // A secret variable's value is not read back: the provider keeps the configured one (next test).
        if (e.absent) return [];
        const back = e.set ?? e.equals;
        const same = e.set !== undefined ? JSON.stringify([...(sent as unknown[])].sort()) === JSON.stringify([...e.set].sort()) : JSON.stringify(back) === JSON.stringify(sent);
        return same ? [] : [`${label} ${address}: ${e.at} would come back as ${JSON.stringify(back)}, sent ${JSON.stringify(sent)}`];
      });
    });
    expect(problems).toEqual([]);
  });

  it("a secret webhook variable's value is never read back, so the provider keeps the configured one", () => {
    const variables = byKind("webhook-custom-variable");
    expect(variables.length).toBeGreaterThan(0);
    for (const [, , r] of variables) {
      expect(r.body["is_secret"]).toBe(true);
      expect(expectedResponse(r.kind, r.body)).toContainEqual({ at: "value", absent: true });
      expect(r.body["value"]).toMatch(/^\$\{var\.webhook_secret_[A-Z0-9_]+\}$/);
    }
  });

  it("maintenance windows: the recurrence start comes back unchanged (a local wall time with seconds, no offset)", () => {
    const schedules = byKind("downtime-schedule");
    expect(schedules.length).toBeGreaterThan(0);
    for (const [label, address, r] of schedules) {
      const recurrences = ((r.body["data"] as { attributes: { schedule: { recurrences: Body[] } } }).attributes.schedule.recurrences);
      for (const recurrence of recurrences) expect({ where: `${label} ${address}`, start: recurrence["start"] }).toEqual({ where: `${label} ${address}`, start: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/) });
    }
  });
});

/** A copy without the numeric `id`s the API gives widgets. */
function withoutIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => (typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as Body)["id"] === "number" ? (({ id: _id, ...rest }) => rest)(v as Body) : v));
}

/** A copy without the top-level and nested `null`s at paths where the recordings show the API took null. */
function withoutAcceptedNulls(body: Body, oracle: AcceptedBodies): Body {
  const strip = (value: unknown, at: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => strip(item, `${at}[]`));
    if (typeof value !== "object" || value === null) return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, item]) => !(item === null && oracle.typesAt(at === "" ? key : `${at}.${key}`).includes("null")))
        .map(([key, item]) => [key, strip(item, at === "" ? key : `${at}.${key}`)]),
    );
  };
  return strip(body, "") as Body;
}

describe("the oracle rejects wrong bodies", () => {
  const ourMonitor = () => JSON.parse(JSON.stringify(byKind("monitor")[0]![2].body)) as Body & { options: Body };
  const ourDowntime = () => JSON.parse(JSON.stringify(byKind("downtime-schedule")[0]![2].body)) as { data: { attributes: Body & { schedule: { recurrences: Body[] } } } };

  it("require_full_window as a string", () => {
    const body = ourMonitor();
    body.options["require_full_window"] = "false";
    expect(accepted("monitor").check(body)).toEqual(['$.options.require_full_window: is string "false", the API took boolean here']);
    expect(validateAgainstModel("v1", "Monitor", body)[0]).toBe('$.options.require_full_window: is "false", expected a boolean');
  });

  it("an unknown field, and a field the client knows but no recording shows", () => {
    const body = ourMonitor();
    body.options["notify_when"] = "always";
    body.options["enable_samples"] = true;
    expect(accepted("monitor").check(body)).toEqual([
      "$.options.notify_when: no request the API accepted has this field (monitor)",
      "$.options.enable_samples: no request the API accepted has this field (monitor)",
    ]);
  });

  it("a monitor type the API did not take, and priority as a string", () => {
    const body = ourMonitor();
    body["type"] = "metric";
    body["priority"] = "1";
    expect(accepted("monitor").check(body)).toEqual(['$.type: is "metric", the API took only "log alert", "query alert", "metric alert"', '$.priority: is string "1", the API took null or number here']);
  });

  it("downtime: an end state outside the enum, a start with an offset, a duration in words, a minutely rule", () => {
    const body = ourDowntime();
    body.data.attributes["notify_end_states"] = ["alert", "finished"];
    body.data.attributes.schedule.recurrences[0]!["start"] = "2026-01-04T01:00:00Z";
    body.data.attributes.schedule.recurrences[0]!["duration"] = "2 hours";
    body.data.attributes.schedule.recurrences[0]!["rrule"] = "FREQ=MINUTELY;INTERVAL=5";
    expect(accepted("downtime-schedule").check(body)).toEqual([
      '$.data.attributes.notify_end_states[]: is "finished", the API took only "alert", "warn"',
      '$.data.attributes.schedule.recurrences[].duration: "2 hours" has the shape 9 hours, the API took only 9d, 9w, 9m',
      '$.data.attributes.schedule.recurrences[].rrule: "FREQ=MINUTELY;INTERVAL=5" has the shape FREQ=MINUTELY;INTERVAL=9, the API took only FREQ=DAILY;INTERVAL=9, FREQ=DAILY;INTERVAL=99, FREQ=DAILY;INTERVAL=999',
      '$.data.attributes.schedule.recurrences[].start: "2026-01-04T01:00:00Z" has the shape 9999-99-99T99:99:99Z, the API took only 9999-99-99T99:99:99, null',
    ]);
  });

  it("SLO: an interval outside the client's enum; correction: a rule part corrections do not take", () => {
    const slo = JSON.parse(JSON.stringify(byKind("slo")[0]![2].body)) as { sli_specification: { time_slice: Body } };
    slo.sli_specification.time_slice["query_interval_seconds"] = 120;
    expect(accepted("slo").check(slo)).toEqual(["$.sli_specification.time_slice.query_interval_seconds: is 120, the API took only 300"]);
    const correction = JSON.parse(JSON.stringify(byKind("slo-correction")[0]![2].body)) as { data: { attributes: Body } };
    correction.data.attributes["rrule"] = "FREQ=WEEKLY;BYDAY=SU";
    expect(accepted("slo-correction").check(correction)).toEqual([
      '$.data.attributes.rrule: "FREQ=WEEKLY;BYDAY=SU" has the shape FREQ=WEEKLY;BYDAY=SU, the API took only RRULE:FREQ=DAILY;INTERVAL=99;COUNT=9, FREQ=DAILY;INTERVAL=99;COUNT=9',
    ]);
  });

  it("webhook encode_as outside what the API took, a custom variable's is_secret as a string, a widget field no recording shows", () => {
    expect(accepted("webhook").check({ name: "n", url: "https://x.example", encode_as: "xml" })).toEqual(['$.encode_as: is "xml", the API took only "json"']);
    expect(accepted("webhook-custom-variable").check({ name: "N", value: "v", is_secret: "true" })).toEqual(['$.is_secret: is string "true", the API took boolean here']);
    expect(acceptedWidgets().check(widgetBodies([{ type: "slo", slo_id: "x", view_type: "detail", show_error_budget: "yes", refresh: 5 }])[0])).toEqual([
      '$.slo:show_error_budget: is string "yes", the API took boolean here',
      "$.slo:refresh: no request the API accepted has this field (dashboard widgets)",
    ]);
  });

  it("the answer rules fail a response the API would not give", () => {
    const [recording] = recordings("monitor").filter((r) => r.path.endsWith("TestAccDatadogMonitor_SchedulingOptions.yaml"));
    const altered = { ...(recording!.response as Body), type: "metric alert" };
    expect(unmet(altered, expectedResponse("monitor", recording!.request))).toEqual(['type: expected "query alert", is "metric alert"']);
  });
});

describe("the dashboard no-diff model (prepResource over config and answer)", () => {
  const diff = (sent: Body) => {
    const config = prepDashboard(sent);
    const state = prepDashboard(answeredDashboard(sent));
    return [...new Set([...Object.keys(config), ...Object.keys(state)])].filter((k) => JSON.stringify(config[k]) !== JSON.stringify(state[k])).sort();
  };

  it("finds no change for the provider's own no-diff dashboard", () => {
    const [noDiff] = recordings("dashboard-json").filter((r) => r.path.endsWith("TestAccDatadogDashboardJSONNoDiff.yaml"));
    expect(diff(noDiff!.request as Body)).toEqual([]);
    // And the recorded answer itself, through prepResource, equals the configuration through it.
    expect(prepDashboard(noDiff!.response as Body)).toEqual(prepDashboard(noDiff!.request as Body));
  });

  it("finds no change for any dashboard we synthesize (every environment's and the fleet's): notify_list, template_variables and description are sent as the API fills them", () => {
    const dashboards = byKind("dashboard-json");
    expect(dashboards.map(([label]) => label)).toEqual(STACKS.map(([label]) => label));
    for (const [label, address, r] of dashboards) {
      expect({ where: `${label} ${address}`, changed: diff(r.body) }).toEqual({ where: `${label} ${address}`, changed: [] });
      expect({ where: `${label} ${address}`, notify_list: r.body["notify_list"] }).toEqual({ where: `${label} ${address}`, notify_list: [] });
      expect(Array.isArray(r.body["template_variables"])).toBe(true);
    }
  });

  it("finds the change on every plan that a dashboard without description, notify_list and template_variables shows", () => {
    expect(diff({ title: "t", layout_type: "ordered", widgets: [] })).toEqual(["description", "notify_list", "template_variables"]);
    expect(diff({ title: "t", layout_type: "ordered", widgets: [], description: "d", notify_list: [], template_variables: [] })).toEqual([]);
  });
});
