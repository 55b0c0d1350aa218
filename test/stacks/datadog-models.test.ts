import { readFileSync } from "node:fs";
import { environmentDashboard } from "../../stacks/datadog/dashboards";
import { parseEnvironmentText } from "../../stacks/environment/load";
import type { EnvironmentInput } from "../../contract/definition/schema";
import { synthEnvironment } from "../helpers/synth";
import { datadogModelProblems, validateAgainstModel, validateSynthesizedDatadog } from "../helpers/datadog-models";
import { fixtureEnvironment } from "../helpers/fixture-environments";

/** A valid dashboard body to break one field at a time. */
const dashboard = () => JSON.parse(JSON.stringify(environmentDashboard({ environment: "acme-prod" }))) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A cdk.tf.json with one resource. */
const stackWith = (type: string, config: Record<string, unknown>) => ({ resource: { [type]: { it: config } } });

/** A monitor as the Datadog provider's schema names its attributes (docs/resources/monitor.md). */
const monitor = (changes: Record<string, unknown> = {}) => ({
  name: "VPN tunnel down: acme-prod",
  type: "query alert",
  query: "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme-prod} by {endpoint} < 1",
  message: "{{#is_alert}}{{endpoint.name}} is down{{/is_alert}} @webhook-vpn-tickets-acme-prod",
  monitor_thresholds: { critical: "1" },
  require_full_window: false,
  notify_no_data: true,
  no_data_timeframe: 10,
  include_tags: true,
  priority: "2",
  tags: ["vpn_environment:acme-prod"],
  ...changes,
});

describe("Datadog model validation", () => {
  it("accepts the environment dashboard body", () => {
    expect(validateAgainstModel("v1", "Dashboard", dashboard())).toEqual([]);
  });

  it("fails an unknown widget type, naming the path and the known types", () => {
    const body = dashboard();
    body.widgets[0].definition.widgets[0].definition.type = "tunnel_grid";

    const problems = validateAgainstModel("v1", "Dashboard", body);

    expect(problems[0]).toMatch(/^\$\.widgets\[0\]\.definition\.widgets\[0\]\.definition\.type: is "tunnel_grid", which no member of WidgetDefinition accepts \(known: alert_graph, .*query_table, timeseries, toplist/);
    // The client itself does not throw here: it leaves the union unparsed, which also fails.
    expect(problems).toContain(`$.widgets[0].definition: the client's ObjectSerializer left it unparsed (${JSON.stringify(body.widgets[0].definition).slice(0, 57)}…)`);
  });

  it("fails an enum value outside the enum", () => {
    const body = dashboard();
    body.widgets[1].definition.widgets[0].definition.requests[0].formulas[0].conditional_formats[0].palette = "purple";

    expect(validateAgainstModel("v1", "Dashboard", body)[0]).toBe(
      '$.widgets[1].definition.widgets[0].definition.requests[0].formulas[0].conditional_formats[0].palette: is "purple", expected one of WidgetPalette ("blue", "custom_bg", "custom_image", "custom_text", "gray_on_white", "grey", "green", "orange", "red", "red_on_white", "white_on_gray", "white_on_green", "green_on_white", "white_on_red", "white_on_yellow", "yellow_on_white", "black_on_light_yellow", "black_on_light_green", "black_on_light_red")',
    );
  });

  it("fails an unknown field, a missing required field and a wrong type", () => {
    const body = dashboard();
    delete body.title;
    body.layout = "ordered";
    body.widgets[2].definition.widgets[0].definition.show_legend = "no";

    expect(validateAgainstModel("v1", "Dashboard", body).slice(0, 3)).toEqual([
      expect.stringMatching(/^\$\.widgets\[2\]\.definition\.widgets\[0\]\.definition\.show_legend: is "no", expected a boolean$/),
      expect.stringMatching(/^\$\.layout: is not a field of Dashboard \(fields: author_handle, /),
      "$.title: is required by Dashboard",
    ]);
  });

  it("proves the client's ObjectSerializer alone would only mark an unknown enum as unparsed", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ObjectSerializer } = require("@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/ObjectSerializer.js");

    const parsed = ObjectSerializer.deserialize({ title: "t", layout_type: "grid", widgets: [] }, "Dashboard", "");

    expect(parsed._unparsed).toBe(true);
    expect(parsed.layoutType.constructor.name).toBe("UnparsedObject");
    expect(validateAgainstModel("v1", "Dashboard", { title: "t", layout_type: "grid", widgets: [] })).toEqual([
      '$.layout_type: is "grid", expected one of DashboardLayoutType ("ordered", "free")',
      "$.layoutType: the client's ObjectSerializer left it unparsed (\"grid\")",
    ]);
  });

  it("maps a monitor's Terraform attributes to the API's options and accepts a valid one", () => {
    const monitors = validateSynthesizedDatadog(
      stackWith("datadog_monitor", monitor({ on_missing_data: "show_and_notify_no_data", group_retention_duration: "2d", new_group_delay: 60, restricted_roles: ["00000000-0000-1111-0000-000000000000"] })),
    );

    expect(monitors).toEqual([{ address: "datadog_monitor.it", model: "v1.Monitor", problems: [] }]);
  });

  it.each([
    [{ on_missing_data: "maybe" }, '$.options.on_missing_data: is "maybe", expected one of OnMissingDataOption ("default", "show_no_data", "show_and_notify_no_data", "resolve")'],
    [{ type: "metric" }, '$.type: is "metric", expected one of MonitorType'],
    [{ renotify_statuses: ["alert", "page"] }, '$.options.renotify_statuses[1]: is "page", expected one of MonitorRenotifyStatusType ("alert", "warn", "no data")'],
    [{ new_group_delay: "60" }, '$.options.new_group_delay: is "60", expected a number'],
    [{ priority: "high" }, '$.priority: is "high", expected a number'],
    [{ notify_when: "always" }, "notify_when: Terraform attribute the validator does not map to the API yet (extend test/helpers/datadog-models.ts)"],
  ])("fails a monitor with %j", (changes, problem) => {
    const [result] = validateSynthesizedDatadog(stackWith("datadog_monitor", monitor(changes)));

    expect(result!.problems[0]!.startsWith(problem)).toBe(true);
  });

  it("fails a downtime schedule with an invalid notify_end_types value", () => {
    const problems = datadogModelProblems(
      stackWith("datadog_downtime_schedule", {
        scope: "vpn_environment:acme-prod",
        monitor_identifier: { monitor_tags: ["vpn_environment:acme-prod"] },
        recurring_schedule: { timezone: "UTC", recurrence: [{ rrule: "FREQ=DAILY", duration: "1h", start: "2024-06-01T00:00:00" }] },
        notify_end_types: ["finished"],
      }),
    );

    expect(problems[0]).toBe(
      'datadog_downtime_schedule.it (v2.DowntimeCreateRequest) $.data.attributes.notify_end_types[0]: is "finished", expected one of DowntimeNotifyEndStateActions ("canceled", "expired")',
    );
  });

  it("fails an SLO with a timeframe outside the enum", () => {
    const problems = datadogModelProblems(
      stackWith("datadog_service_level_objective", { name: "s", type: "time_slice", thresholds: [{ timeframe: "1y", target: 99.9 }] }),
    );

    expect(problems).toContain('datadog_service_level_objective.it (v1.ServiceLevelObjectiveRequest) $.thresholds[0].timeframe: is "1y", expected one of SLOTimeframe ("7d", "30d", "90d", "custom")');
  });

  it("accepts Terraform references where the API takes a scalar", () => {
    expect(
      datadogModelProblems(
        stackWith("datadog_downtime_schedule", {
          scope: "vpn_environment:acme-prod",
          monitor_identifier: { monitor_id: "${datadog_monitor.monitors_tunnels.id}" },
          one_time_schedule: { start: "2024-06-01T00:00:00Z" },
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    // Simple mode, no maintenance, the default SLO: 3 monitors and the 6 of the default signal
    // groups (re-establishments, disk, inodes, memory, certificate, credential), 1 dashboard, 1 SLO.
    ["example-simple.yaml", { "v1.Monitor": 9, "v1.Dashboard": 1, "v1.ServiceLevelObjectiveRequest": 1 }],
    // Partner mode with one weekly window: the downtime and its SLO correction on top.
    ["example-multi.yaml", { "v1.Monitor": 9, "v1.Dashboard": 1, "v1.ServiceLevelObjectiveRequest": 1, "v2.DowntimeCreateRequest": 1, "v1.SLOCorrectionCreateRequest": 1 }],
  ])("validates every Datadog resource the stack of %s synthesizes against the published models", (file, expectedModels) => {
    const text = readFileSync(fixtureEnvironment(file), "utf8");
    const parsed = parseEnvironmentText(file, text);
    if (!parsed.ok) throw new Error(parsed.problems.join("\n"));

    const results = validateSynthesizedDatadog(synthEnvironment(parsed.data as EnvironmentInput) as unknown as Record<string, unknown>);

    const models: Record<string, number> = {};
    for (const r of results) models[r.model] = (models[r.model] ?? 0) + 1;
    expect(models).toEqual(expectedModels);
    expect(results.flatMap((r) => r.problems.map((p) => `${r.address}: ${p}`))).toEqual([]);
  });
});
