import { Testing } from "cdktf";
import { AvailabilitySlo } from "../../stacks/constructs/availability-slo";
import { EnvironmentDashboard } from "../../stacks/constructs/environment-dashboard";
import { MaintenanceWindows } from "../../stacks/constructs/maintenance-windows";
import { dashboardSearchUrl, environmentDashboardTitle } from "../../stacks/datadog/dashboards";
import { maintenanceScope } from "../../stacks/datadog/operations";
import { sloCorrectionPlan } from "../../contract/definition/slo-corrections";
import { maintenanceSchema, sloDefinitionSchema, type MaintenanceWindowInput } from "../../contract/definition/operations-schema";
import { FleetDefinitionError, fleetGroups, FleetStack, fleetPlan, type FleetEnvironmentDefinition } from "../../stacks/fleet-stack";
import { datadogModelProblems, validateSynthesizedDatadog } from "../helpers/datadog-models";

type Resources = Record<string, Record<string, Record<string, unknown>>>;

const windowsOf = (inputs: MaintenanceWindowInput[]) => maintenanceSchema.parse(inputs);
const sunday: MaintenanceWindowInput = { name: "Sunday patching", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2024-06-02T01:00", duration: "2h", timezone: "Europe/Berlin" };
const acmeMonthly: MaintenanceWindowInput = { name: "ACME monthly", rrule: "FREQ=MONTHLY;BYMONTHDAY=1", start: "2024-06-01T22:00", duration: "1h30m", timezone: "UTC", partner: "ACME Corp" };

/** Composes the operations constructs the way the lead wires them into the environment stack. */
function synthOperations(maintenance: MaintenanceWindowInput[] = [sunday, acmeMonthly], slo: unknown = {}) {
  const windows = windowsOf(maintenance);
  const json = Testing.synthScope((scope) => {
    const availability = new AvailabilitySlo(scope, "availability", { environment: "acme-prod", slo: sloDefinitionSchema.parse(slo), maintenance: windows });
    new MaintenanceWindows(scope, "maintenance", { environment: "acme-prod", windows });
    new EnvironmentDashboard(scope, "dashboard", { environment: "acme-prod", sloId: availability.slo.id, sloTimeframe: "30d" });
  });
  return { json, resources: (JSON.parse(json) as { resource: Resources }).resource };
}

/** Every `query` string in a dashboard body, in order. */
function queriesIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(queriesIn);
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, item]) => (key === "query" && typeof item === "string" ? [item] : queriesIn(item)));
}

const only = (resources: Resources, type: string) => Object.values(resources[type] ?? {});

describe("maintenance windows", () => {
  it("creates one downtime schedule per window that mutes the environment's monitors by tag", () => {
    const { resources } = synthOperations();

    expect(only(resources, "datadog_downtime_schedule")).toEqual([
      {
        scope: "vpn_environment:acme-prod",
        monitor_identifier: { monitor_tags: ["vpn_environment:acme-prod"] },
        recurring_schedule: { timezone: "Europe/Berlin", recurrence: [{ rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2024-06-02T01:00:00", duration: "2h" }] },
        display_timezone: "Europe/Berlin",
        message: 'Maintenance window "Sunday patching" of VPN environment acme-prod, managed by cdktf.',
        mute_first_recovery_notification: false,
        notify_end_states: ["alert", "no data", "warn"],
        notify_end_types: ["expired"],
        lifecycle: { ignore_changes: ["recurring_schedule.recurrence[0].start"] },
      },
      expect.objectContaining({
        scope: "vpn_environment:acme-prod AND endpoint:acme_corp",
        recurring_schedule: { timezone: "UTC", recurrence: [{ rrule: "FREQ=MONTHLY;BYMONTHDAY=1", start: "2024-06-01T22:00:00", duration: "90m" }] },
        message: 'Maintenance window "ACME monthly" of VPN environment acme-prod (endpoint:acme_corp), managed by cdktf.',
      }),
    ]);
  });

  it("escapes characters Datadog's search syntax reserves in a scoped tag", () => {
    const [tunnel, controller] = windowsOf([
      { ...sunday, tunnel: "Berlin/Frankfurt: primary" },
      { ...sunday, controller: "vns3-a" },
    ]);

    expect(maintenanceScope("acme-prod", tunnel!)).toBe("vpn_environment:acme-prod AND tunnel:berlin\\/frankfurt\\:_primary");
    expect(maintenanceScope("acme-prod", controller!)).toBe("vpn_environment:acme-prod AND controller:vns3-a");
  });
});

describe("availability SLO", () => {
  it("is a one-minute time-slice SLO over the lowest tunnel status of the environment", () => {
    const { resources } = synthOperations([], { target: 99.5, timeframe: "7d", warning: 99.8 });

    expect(only(resources, "datadog_service_level_objective")).toEqual([
      {
        name: "VPN availability: acme-prod",
        description: "Share of minutes in which every enabled tunnel of VPN environment acme-prod was connected.",
        type: "time_slice",
        sli_specification: {
          time_slice: {
            comparator: ">=",
            threshold: 1,
            query_interval_seconds: 60,
            query: { formula: { formula_expression: "status" }, query: [{ metric_query: { name: "status", query: "min:vpn.tunnel.status{vpn_environment:acme-prod}" } }] },
          },
        },
        thresholds: [{ timeframe: "7d", target: 99.5, warning: 99.8 }],
        timeframe: "7d",
        target_threshold: 99.5,
        warning_threshold: 99.8,
        tags: ["vpn_environment:acme-prod", "managed-by:cdktf"],
      },
    ]);
    expect(only(resources, "datadog_slo_correction")).toEqual([]);
  });

  it("corrects the SLO for each window a correction can express, from the window's first occurrence", () => {
    const { resources } = synthOperations();

    expect(only(resources, "datadog_slo_correction")).toEqual([
      {
        slo_id: expect.stringMatching(/^\$\{datadog_service_level_objective\.availability_slo_[0-9A-F]+\.id\}$/),
        category: "Scheduled Maintenance",
        description: 'Maintenance window "Sunday patching"',
        // 2024-06-02T01:00 in Berlin (CEST, UTC+2) is 2024-06-01T23:00Z.
        start: Date.UTC(2024, 5, 1, 23, 0) / 1000,
        duration: 7200,
        rrule: "FREQ=WEEKLY",
        timezone: "Europe/Berlin",
      },
    ]);
  });

  it("warns about a window a correction cannot express instead of correcting it wrongly", () => {
    const windows = windowsOf([acmeMonthly]);
    let construct: AvailabilitySlo | undefined;
    const json = Testing.synthScope((s) => {
      construct = new AvailabilitySlo(s, "availability", { environment: "acme-prod", slo: sloDefinitionSchema.parse({}), maintenance: windows });
    });

    expect(sloCorrectionPlan(windows[0]!)).toEqual({
      ok: false,
      reason: "SLO corrections take only FREQ, INTERVAL, COUNT, UNTIL (and a weekly BYDAY equal to the start's weekday); this rule also sets BYMONTHDAY",
    });
    expect(JSON.parse(json).resource.datadog_slo_correction).toBeUndefined();
    expect(construct!.node.metadata.map((m) => [m.type, m.data])).toEqual([
      [
        "@cdktf/warn",
        'maintenance[0] "ACME monthly" counts against the SLO: SLO corrections take only FREQ, INTERVAL, COUNT, UNTIL (and a weekly BYDAY equal to the start\'s weekday); this rule also sets BYMONTHDAY',
      ],
    ]);
  });

  it("keeps a weekly BYDAY that differs from the start's weekday out of corrections", () => {
    const [saturdayStart] = windowsOf([{ ...sunday, start: "2024-06-01T01:00" }]);

    expect(sloCorrectionPlan(saturdayStart!)).toMatchObject({ ok: false });
  });
});

describe("environment dashboard", () => {
  it("writes out every top-level field the API answers with, so a plan after apply shows no change", () => {
    const { resources } = synthOperations();
    const body = JSON.parse(only(resources, "datadog_dashboard_json")[0]!["dashboard"] as string) as Record<string, unknown>;

    // The fields of the API's answer in the provider's TestAccDatadogDashboardJSONNoDiff cassette,
    // less those the provider strips before comparing (id, author_*, created_at, modified_at, url).
    expect(Object.keys(body).sort()).toEqual(["description", "layout_type", "notify_list", "reflow_type", "tags", "template_variables", "title", "widgets"]);
    expect([body.notify_list, body.template_variables, body.tags]).toEqual([[], [], []]);
  });

  it("is titled with the environment and shows the tunnel grid, disabled tunnels, controllers, subnets, SLO and checker health", () => {
    const { resources } = synthOperations();
    const [dashboardResource] = only(resources, "datadog_dashboard_json");
    const body = JSON.parse(dashboardResource!["dashboard"] as string) as { title: string; widgets: { definition: { title: string; widgets: { definition: Record<string, unknown> }[] } }[] };

    expect(body.title).toBe("VPN tunnels: acme-prod");
    expect(body.widgets.map((g) => [g.definition.title, g.definition.widgets.map((w) => w.definition["title"])])).toEqual([
      ["Tunnels", ["Tunnel status (1 connected, 0 down)", "Disabled tunnels (never page)", "Monitors of this environment"]],
      ["Controllers", ["Controllers (1 readable, 0 with the reason)", "Subnets no tunnel carries, per controller"]],
      ["Availability", ["Minutes with every tunnel up"]],
      ["Checker", ["Check duration (ms)", "Datadog delivery attempts of the previous check"]],
    ]);
    expect(queriesIn(body)).toEqual([
      "min:vpn.tunnel.status{vpn_environment:acme-prod} by {tunnel,endpoint,controller}",
      "max:vpn.tunnel.disabled{vpn_environment:acme-prod} by {tunnel,controller}",
      'tag:"vpn_environment:acme-prod"',
      "min:vpn.controller.up{vpn_environment:acme-prod} by {controller,reason}",
      "max:vpn.subnet.unmatched{vpn_environment:acme-prod} by {controller}",
      "max:vpn.checker.duration_ms{vpn_environment:acme-prod}",
      "max:vpn.checker.delivery_attempts{vpn_environment:acme-prod}",
    ]);
    expect(body.widgets[2]!.definition.widgets[0]!.definition["slo_id"]).toMatch(/^\$\{datadog_service_level_objective\.availability_slo_[0-9A-F]+\.id\}$/);
  });

  it("exposes the dashboard's url attribute for monitor messages", () => {
    let url = "";
    Testing.synthScope((scope) => {
      url = new EnvironmentDashboard(scope, "dashboard", { environment: "acme-prod" }).url;
    });

    expect(url).toMatch(/^\$\{TfToken\[TOKEN\.\d+\]\}$/);
  });

  it("passes Datadog's published request models, with every resource checked", () => {
    const { json } = synthOperations();

    expect(validateSynthesizedDatadog(json).map((r) => r.model).sort()).toEqual([
      "v1.Dashboard",
      "v1.SLOCorrectionCreateRequest",
      "v1.ServiceLevelObjectiveRequest",
      "v2.DowntimeCreateRequest",
      "v2.DowntimeCreateRequest",
    ]);
    expect(datadogModelProblems(json)).toEqual([]);
  });
});

const fleetEnv = (name: string, site: "EU" | "US1", backend: FleetEnvironmentDefinition["backend"] = { type: "local" }): FleetEnvironmentDefinition => ({
  name,
  datadog: { site },
  backend,
  aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d", subnetIds: ["subnet-0a1b2c3d"], tags: {} },
});

describe("fleet stack", () => {
  it("refuses environments on different Datadog sites, naming each one's site", () => {
    expect(() => fleetPlan([fleetEnv("zeta", "EU"), fleetEnv("alpha", "US1")])).toThrow(
      new FleetDefinitionError("vpn-monitor-fleet: every environment's datadog.site must be the same, because one dashboard shows one Datadog org; found alpha: US1, zeta: EU"),
    );
  });

  it("makes one fleet stack per Datadog site, named plainly when every environment shares one site", () => {
    const oneSite = fleetGroups([fleetEnv("beta", "EU"), fleetEnv("alpha", "EU")]);
    const twoSites = fleetGroups([fleetEnv("zeta", "EU"), fleetEnv("alpha", "US1"), fleetEnv("beta", "EU")]);

    expect(oneSite.map((g) => [g.stackId, g.environments.map((e) => e.name)])).toEqual([["vpn-monitor-fleet", ["beta", "alpha"]]]);
    expect(twoSites.map((g) => [g.stackId, g.environments.map((e) => e.name)])).toEqual([
      ["vpn-monitor-fleet-eu", ["zeta", "beta"]],
      ["vpn-monitor-fleet-us1", ["alpha"]],
    ]);
    expect(fleetGroups([])).toEqual([]);
  });

  it("keeps a per-site fleet's state under a key of its own, encrypted with the first environment's KMS key", () => {
    const plan = fleetPlan([fleetEnv("alpha", "EU", { type: "s3", bucket: "state-bucket", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/state" })], "vpn-monitor-fleet-eu");

    expect(plan.backend).toEqual({ type: "s3", bucket: "state-bucket", key: "vpn-monitor/fleet-eu.tfstate", region: "eu-west-1", kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:alias/state" });
  });

  it("keeps its state beside the first environment's (by name), under its own key", () => {
    const plan = fleetPlan([
      fleetEnv("zeta", "EU", { type: "local" }),
      fleetEnv("alpha", "EU", { type: "s3", bucket: "state-bucket", dynamodbTable: "locks" }),
    ]);

    expect(plan).toEqual({ site: "EU", backend: { type: "s3", bucket: "state-bucket", key: "vpn-monitor/fleet.tfstate", region: "eu-west-1", dynamodbTable: "locks" } });
  });

  it("synthesizes one dashboard with the environment template variable, the per-environment tables and a link to each dashboard", () => {
    const app = Testing.app();
    const stack = new FleetStack(app, { environments: [fleetEnv("beta", "EU"), fleetEnv("alpha", "EU")] });
    const json = Testing.synth(stack);
    const parsed = JSON.parse(json) as { resource: Resources; provider: Record<string, unknown[]>; terraform: { backend: Record<string, unknown> } };
    const body = JSON.parse(only(parsed.resource, "datadog_dashboard_json")[0]!["dashboard"] as string);

    expect(parsed.provider["datadog"]).toEqual([{ api_url: "https://api.datadoghq.eu/" }]);
    expect(parsed.terraform.backend).toEqual({ local: { path: "../../../terraform.vpn-monitor-fleet.tfstate" } });
    expect(body.title).toBe("VPN tunnels: fleet");
    expect(body.template_variables).toEqual([{ name: "vpn_environment", prefix: "vpn_environment", available_values: ["alpha", "beta"], defaults: ["*"] }]);
    expect(body.notify_list).toEqual([]);
    expect(body.widgets.map((w: { definition: { title?: string } }) => w.definition.title)).toEqual([
      "Tunnels down per environment",
      "Controllers unreadable per environment",
      undefined,
    ]);
    expect(body.widgets[0].definition.requests[0].queries.map((q: { query: string }) => q.query)).toEqual([
      "sum:vpn.tunnel.status{$vpn_environment} by {vpn_environment}",
      "avg:vpn.tunnel.status{$vpn_environment} by {vpn_environment}",
      "min:vpn.tunnel.status{$vpn_environment} by {vpn_environment}",
    ]);
    expect(body.widgets[1].definition.requests[0].queries[0].query).toBe("sum:vpn.controller.up{$vpn_environment} by {vpn_environment}");
    expect(body.widgets[2].definition.content).toBe(
      [
        "**Environment dashboards**",
        "",
        `- [alpha](${dashboardSearchUrl("EU", environmentDashboardTitle("alpha"))})`,
        `- [beta](${dashboardSearchUrl("EU", environmentDashboardTitle("beta"))})`,
      ].join("\n"),
    );
    expect(dashboardSearchUrl("EU", "VPN tunnels: alpha")).toBe("https://app.datadoghq.eu/dashboard/lists?q=VPN%20tunnels%3A%20alpha");
    expect(datadogModelProblems(json)).toEqual([]);
  });
});
