/**
 * The synthesized datadog_monitor resources of an environment, attribute by attribute, in every
 * mode. Attribute names and values follow the datadog_monitor resource of
 * DataDog/terraform-provider-datadog (docs/resources/monitor.md): `on_missing_data` conflicts with
 * `notify_no_data` and `no_data_timeframe`, so neither may appear beside it.
 */
import { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { Testing, TerraformStack } from "cdktf";
import { EnvironmentMonitors } from "../../../../stacks/constructs/monitors";
import { dashboardLink } from "../../../../stacks/constructs/monitors/queries";
import type { EnvironmentInput } from "../../../../contract/definition/schema";
import { addressOf, baseDefinition, resourcesOf, synthEnvironment, type SynthesizedStack } from "../../../helpers/synth";

const TUNNELS = "VPN tunnel down: acme-prod";
const CONTROLLERS = "VNS3 controller unreadable: acme-prod";
const CHECKER = "VPN checker silent: acme-prod";

function monitors(monitor: EnvironmentInput["monitor"]): { stack: SynthesizedStack; byName: Map<string, Record<string, unknown>> } {
  const stack = synthEnvironment(baseDefinition(monitor === undefined ? {} : { monitor }));
  // The signal groups' monitors have their own tests (signal-monitors.test.ts).
  const own = resourcesOf(stack, "datadog_monitor").filter((m) => !(m.tags as string[]).some((t) => t.startsWith("signal:")));
  return { stack, byName: new Map(own.map((m) => [m.name as string, m])) };
}

/** What every monitor of acme-prod carries, whatever the mode. */
const common = (stack: SynthesizedStack) => ({
  type: "query alert",
  require_full_window: false,
  include_tags: true,
  tags: ["vpn_environment:acme-prod", "managed-by:cdktf"],
  // After the webhook they mention, and after the check run at deploy that proved the checker posts.
  depends_on: [addressOf(stack, "datadog_webhook"), addressOf(stack, "aws_lambda_invocation")],
});

describe.each<[string, EnvironmentInput["monitor"], string]>([
  ["simple (the default)", undefined, "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme-prod} < 1"],
  ["partner", { mode: "partner" }, "min(last_5m):avg:vpn.tunnel.status{vpn_environment:acme-prod} by {endpoint} < 1"],
  ["tunnel", { mode: "tunnel" }, "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme-prod} by {tunnel} < 1"],
  ["multi, read as tunnel", { mode: "multi" }, "min(last_5m):min:vpn.tunnel.status{vpn_environment:acme-prod} by {tunnel} < 1"],
])("in %s mode", (_mode, monitor, tunnelQuery) => {
  const { stack, byName } = monitors(monitor);

  it("creates exactly three monitors", () => {
    expect([...byName.keys()].sort()).toEqual([CHECKER, CONTROLLERS, TUNNELS].sort());
  });

  it("alerts on tunnels and never notifies when a tunnel group stops reporting", () => {
    const { message, ...rest } = byName.get(TUNNELS)!;
    expect(rest).toEqual({ ...common(stack), name: TUNNELS, query: tunnelQuery, monitor_thresholds: { critical: "1" }, on_missing_data: "show_no_data" });
    expect(message).not.toContain("{{#is_no_data}}");
    expect((message as string).endsWith("\n\n@webhook-vpn-tickets-acme-prod")).toBe(true);
  });

  it("alerts per controller and never notifies when a controller stops reporting", () => {
    const { message, ...rest } = byName.get(CONTROLLERS)!;
    expect(rest).toEqual({
      ...common(stack),
      name: CONTROLLERS,
      query: "min(last_5m):min:vpn.controller.up{vpn_environment:acme-prod} by {controller} < 1",
      monitor_thresholds: { critical: "1" },
      on_missing_data: "show_no_data",
    });
    expect(message).toContain("{{controller.name}}");
    expect(message).not.toContain("{{#is_no_data}}");
  });

  it("pages once, ungrouped, when no point of the scheduled checker arrived for 5 minutes", () => {
    const { message, ...rest } = byName.get(CHECKER)!;
    expect(rest).toEqual({
      ...common(stack),
      name: CHECKER,
      query: "sum(last_5m):default_zero(sum:vpn.checker.duration_ms{vpn_environment:acme-prod}.rollup(count, 60)) < 1",
      monitor_thresholds: { critical: "1" },
      on_missing_data: "show_and_notify_no_data",
    });
    expect(message).toContain("{{#is_alert}}\nThe VPN tunnel checker of environment acme-prod has posted nothing for 5 minutes");
    expect(message).toContain("vpn-monitor-acme-prod-checker");
  });

  it("sets no legacy no-data option and no new-group delay on any monitor", () => {
    for (const m of byName.values()) {
      for (const legacy of ["notify_no_data", "no_data_timeframe", "new_group_delay", "group_retention_duration", "restricted_roles", "priority", "renotify_interval"]) {
        expect({ name: m.name, has: legacy in m }).toEqual({ name: m.name, has: false });
      }
    }
  });
});

describe("the first post at deploy", () => {
  const { stack } = monitors(undefined);

  it("runs the checker once, and again whenever the function changes, before any monitor is created", () => {
    expect(resourcesOf(stack, "aws_lambda_invocation")).toEqual([
      {
        function_name: `\${${addressOf(stack, "aws_lambda_function")}.function_name}`,
        input: JSON.stringify({ source: "vpn-monitor.deploy", "detail-type": "First post after deploy" }),
        triggers: { last_modified: `\${${addressOf(stack, "aws_lambda_function")}.last_modified}` },
      },
    ]);
  });
});

describe("options from the definition", () => {
  const roles = ["5b9c1a6e-0f3d-11ee-9f0b-da7ad0900002", "00000000-0000-1111-0000-000000000000"];
  const { byName } = monitors({ mode: "partner", windowMinutes: 15, priority: 2, renotifyIntervalMinutes: 60, message: "@slack-netops", restrictedRoles: roles });

  it("apply priority and restricted roles to every monitor", () => {
    for (const m of byName.values()) expect({ name: m.name, priority: m.priority, restricted_roles: m.restricted_roles }).toEqual({ name: m.name, priority: "2", restricted_roles: roles });
  });

  it("re-notify only in the state each monitor notifies for", () => {
    expect([TUNNELS, CONTROLLERS, CHECKER].map((name) => [name, byName.get(name)!.renotify_interval, byName.get(name)!.renotify_statuses])).toEqual([
      [TUNNELS, 60, ["alert"]],
      [CONTROLLERS, 60, ["alert"]],
      [CHECKER, 60, ["alert", "no data"]],
    ]);
  });

  it("use the window in every query and end every message with the extra text and the webhook", () => {
    expect(byName.get(TUNNELS)!.query).toBe("min(last_15m):avg:vpn.tunnel.status{vpn_environment:acme-prod} by {endpoint} < 1");
    expect(byName.get(CONTROLLERS)!.query).toBe("min(last_15m):min:vpn.controller.up{vpn_environment:acme-prod} by {controller} < 1");
    expect(byName.get(CHECKER)!.query).toBe("sum(last_5m):default_zero(sum:vpn.checker.duration_ms{vpn_environment:acme-prod}.rollup(count, 60)) < 1");
    for (const m of byName.values()) expect((m.message as string).endsWith("\n\n@slack-netops\n\n@webhook-vpn-tickets-acme-prod")).toBe(true);
  });

  it("name the partner in the partner alert", () => {
    expect(byName.get(TUNNELS)!.message).toContain("Partner {{endpoint.name}} in VPN environment acme-prod has tunnels down");
  });
});

describe("the dashboard link", () => {
  function build(dashboardUrl: string): SynthesizedStack {
    const stack = new TerraformStack(Testing.app(), "linked");
    const webhook = new Webhook(stack, "webhook", { name: "tickets", url: "https://t.example.com/h", payload: "{}" });
    new EnvironmentMonitors(stack, "monitors", {
      environment: "acme-prod",
      names: { tunnel: TUNNELS, controller: CONTROLLERS, checker: CHECKER },
      mode: "tunnel",
      webhook,
      webhookName: "tickets",
      dashboardUrl,
      checkerFunctionName: "vpn-monitor-acme-prod-checker",
    });
    return JSON.parse(Testing.synth(stack)) as SynthesizedStack;
  }

  it("is in every message, before the webhook mention", () => {
    const stack = build("https://app.datadoghq.eu/dashboard/abc-def-ghi/vpn-acme-prod");
    const messages = resourcesOf(stack, "datadog_monitor").map((m) => m.message as string);
    expect(messages).toHaveLength(3);
    for (const message of messages) expect(message.endsWith("\n\nDashboard: https://app.datadoghq.eu/dashboard/abc-def-ghi/vpn-acme-prod\n\n@webhook-tickets")).toBe(true);
  });

  it("may be a reference to a dashboard's url in the same stack", () => {
    const stack = build(dashboardLink("EU", "${datadog_dashboard.environment.url}"));
    for (const m of resourcesOf(stack, "datadog_monitor")) expect(m.message).toContain("\n\nDashboard: https://app.datadoghq.eu${datadog_dashboard.environment.url}\n\n");
  });

  it("must be a full https URL", () => {
    expect(() => build("/dashboard/abc")).toThrow('linked/monitors: dashboardUrl must be a full https:// URL (use dashboardLink(site, dashboard.url)), got "/dashboard/abc"');
  });
});
