/**
 * The signal groups' datadog_monitor resources as synthesized from a definition's `signals:`
 * section, attribute by attribute, in every alert mode, and validated against the v1 `Monitor`
 * model of @datadog/datadog-api-client (test/helpers/datadog-models.ts).
 */
import type { EnvironmentInput } from "../../../../contract/definition/schema";
import { datadogModelProblems } from "../../../helpers/datadog-models";
import { addressOf, baseDefinition, resourcesOf, synthEnvironment, type SynthesizedStack } from "../../../helpers/synth";

const SILENCE = "VPN tunnel connected but silent: acme-prod";
const REESTABLISHED = "VPN tunnel re-established repeatedly: acme-prod";
const DISK = "VNS3 controller disk filling: acme-prod";
const INODES = "VNS3 controller inodes filling: acme-prod";
const MEMORY = "VNS3 controller memory pressure: acme-prod";
const CERTIFICATE = "VNS3 controller certificate expiring: acme-prod";
const CREDENTIAL = "VNS3 controller API credential expiring: acme-prod";

type Signals = EnvironmentInput["signals"];

function signalMonitors(signals: Signals, monitor?: EnvironmentInput["monitor"]): { stack: SynthesizedStack; byName: Map<string, Record<string, unknown>> } {
  const stack = synthEnvironment(baseDefinition({ ...(signals === undefined ? {} : { signals }), ...(monitor === undefined ? {} : { monitor }) }));
  const own = resourcesOf(stack, "datadog_monitor").filter((m) => (m.tags as string[]).some((t) => t.startsWith("signal:")));
  return { stack, byName: new Map(own.map((m) => [m.name as string, m])) };
}

const common = (stack: SynthesizedStack, kind: string) => ({
  type: "query alert",
  include_tags: true,
  on_missing_data: "show_no_data",
  tags: ["vpn_environment:acme-prod", "managed-by:cdktf", `signal:${kind}`],
  depends_on: [addressOf(stack, "datadog_webhook")],
});

const DASHBOARD_LINK = "\n\nDashboard: https://app.datadoghq.eu${datadog_dashboard_json.dashboard_9E73CAB7.url}\n\n@webhook-vpn-tickets-acme-prod";

describe.each<[string, EnvironmentInput["monitor"], string]>([
  ["simple (the default)", undefined, "tunnel"],
  ["partner", { mode: "partner" }, "endpoint"],
  ["tunnel", { mode: "tunnel" }, "tunnel"],
])("with every group on, in %s mode", (_mode, monitor, silenceGroup) => {
  const { stack, byName } = signalMonitors({ traffic: { silence: {} } }, monitor);

  it("creates the seven signal monitors", () => {
    expect([...byName.keys()].sort()).toEqual([CERTIFICATE, CREDENTIAL, DISK, INODES, MEMORY, REESTABLISHED, SILENCE].sort());
  });

  it("alerts for silence only while connected, over a full window, skipping new groups for one window", () => {
    const { message, ...rest } = byName.get(SILENCE)!;
    const by = ` by {${silenceGroup}}`;
    expect(rest).toEqual({
      ...common(stack, "silence"),
      name: SILENCE,
      query: `max(last_20m):( sum:vpn.tunnel.bytes_in{vpn_environment:acme-prod}${by}.as_count() + 1 - min:vpn.tunnel.status{vpn_environment:acme-prod}${by} ) <= 0`,
      monitor_thresholds: { critical: "0" },
      require_full_window: true,
      new_group_delay: 1200,
    });
    expect(message).toContain(`${silenceGroup === "endpoint" ? "Partner {{endpoint.name}}" : "Tunnel {{tunnel.name}}"} in VPN environment acme-prod has been connected for 20 minutes without one inbound byte`);
    expect((message as string).endsWith(DASHBOARD_LINK)).toBe(true);
  });

  it("opens one low-priority ticket per tunnel re-established 3 times in an hour, whatever the mode", () => {
    const { message, ...rest } = byName.get(REESTABLISHED)!;
    expect(rest).toEqual({
      ...common(stack, "reestablished"),
      name: REESTABLISHED,
      query: "sum(last_1h):sum:vpn.tunnel.reestablished{vpn_environment:acme-prod} by {tunnel}.as_count() >= 3",
      monitor_thresholds: { critical: "3" },
      require_full_window: false,
      priority: "4",
    });
    expect(message).toContain("{{#is_alert}}\nLow priority, no page: tunnel {{tunnel.name}}");
  });

  it.each([
    [DISK, "disk", "vpn.controller.disk_used_pct"],
    [INODES, "inodes", "vpn.controller.inode_used_pct"],
    [MEMORY, "memory", "vpn.controller.memory_used_pct"],
  ])("warns per controller at 90%% for %s", (name, kind, metric) => {
    const { message, ...rest } = byName.get(name)!;
    expect(rest).toEqual({
      ...common(stack, kind),
      name,
      query: `min(last_5m):max:${metric}{vpn_environment:acme-prod} by {controller} >= 100`,
      monitor_thresholds: { critical: "100", warning: "90" },
      require_full_window: false,
    });
    expect(message).toContain("{{#is_warning}}\nVNS3 controller {{controller.name}} in VPN environment acme-prod:");
    expect((message as string).endsWith(DASHBOARD_LINK)).toBe(true);
  });

  it.each([
    [CERTIFICATE, "certificate", "vpn.controller.cert_days_left"],
    [CREDENTIAL, "credential", "vpn.controller.credential_days_left"],
  ])("warns at 30 days and turns critical at 7 for %s", (name, kind, metric) => {
    const { message, ...rest } = byName.get(name)!;
    expect(rest).toEqual({
      ...common(stack, kind),
      name,
      query: `min(last_1h):min:${metric}{vpn_environment:acme-prod} by {controller} <= 7`,
      monitor_thresholds: { critical: "7", warning: "30" },
      require_full_window: false,
    });
    expect(message).toMatch(/\{\{#is_warning\}\}[\s\S]*\{\{#is_alert\}\}[\s\S]*\{\{#is_recovery\}\}/);
    expect(message).not.toContain("{{#is_no_data}}");
  });

  it("validates every monitor body against the API client's models", () => {
    expect(datadogModelProblems(stack as unknown as Record<string, unknown>)).toEqual([]);
  });
});

describe("defaults and switches", () => {
  it("create no silence monitor unless the definition opts in", () => {
    const { byName } = signalMonitors(undefined);
    expect([...byName.keys()].sort()).toEqual([CERTIFICATE, CREDENTIAL, DISK, INODES, MEMORY, REESTABLISHED].sort());
  });

  it.each<[string, Signals, string[]]>([
    ["traffic", { traffic: { enabled: false, silence: {} } }, [SILENCE, REESTABLISHED]],
    ["health", { health: { enabled: false }, traffic: { silence: {} } }, [DISK, INODES, MEMORY]],
    ["expiry", { expiry: { enabled: false }, traffic: { silence: {} } }, [CERTIFICATE, CREDENTIAL]],
    ["phase", { phase: { enabled: false }, traffic: { silence: {} } }, []],
  ])("remove the monitors of %s when it is switched off", (_group, signals, removed) => {
    const all = [CERTIFICATE, CREDENTIAL, DISK, INODES, MEMORY, REESTABLISHED, SILENCE];
    expect([...signalMonitors(signals).byName.keys()].sort()).toEqual(all.filter((n) => !removed.includes(n)).sort());
  });

  it("create no signal monitor at all with every group off", () => {
    const off = { enabled: false };
    expect(signalMonitors({ traffic: off, phase: off, health: off, expiry: off }).byName.size).toBe(0);
  });
});

describe("thresholds from the definition", () => {
  const { byName } = signalMonitors(
    {
      traffic: { silence: { minutes: 60, by: "partner", partners: ["ACME Corp.", "globex"] }, reestablished: { perHour: 5, priority: 5 } },
      health: { diskUsedPct: 80, inodeUsedPct: 85, memoryUsedPct: 95 },
      expiry: { warningDays: 45, criticalDays: 14 },
    },
    { mode: "tunnel", priority: 2, restrictedRoles: ["5b9c1a6e-0f3d-11ee-9f0b-da7ad0900002"], message: "@slack-netops" },
  );

  it("scope silence to the listed partners, normalized as the checker tags them, grouped as asked", () => {
    expect(byName.get(SILENCE)!.query).toBe(
      "max(last_1h):( sum:vpn.tunnel.bytes_in{vpn_environment:acme-prod AND (endpoint:acme_corp. OR endpoint:globex)} by {endpoint}.as_count() + 1 - min:vpn.tunnel.status{vpn_environment:acme-prod AND (endpoint:acme_corp. OR endpoint:globex)} by {endpoint} ) <= 0",
    );
    expect(byName.get(SILENCE)!.new_group_delay).toBe(3600);
  });

  it("count re-establishments against perHour, at the ticket's own priority", () => {
    expect([byName.get(REESTABLISHED)!.query, byName.get(REESTABLISHED)!.monitor_thresholds, byName.get(REESTABLISHED)!.priority]).toEqual([
      "sum(last_1h):sum:vpn.tunnel.reestablished{vpn_environment:acme-prod} by {tunnel}.as_count() >= 5",
      { critical: "5" },
      "5",
    ]);
  });

  it("put each health and expiry threshold on its monitor", () => {
    expect([DISK, INODES, MEMORY, CERTIFICATE, CREDENTIAL].map((n) => byName.get(n)!.monitor_thresholds)).toEqual([
      { critical: "100", warning: "80" },
      { critical: "100", warning: "85" },
      { critical: "100", warning: "95" },
      { critical: "14", warning: "45" },
      { critical: "14", warning: "45" },
    ]);
    expect(byName.get(CERTIFICATE)!.query).toBe("min(last_1h):min:vpn.controller.cert_days_left{vpn_environment:acme-prod} by {controller} <= 14");
  });

  it("apply the definition's priority (but not over the re-establishment ticket's), roles and extra text", () => {
    expect([...byName.values()].map((m) => [m.name, m.priority, m.restricted_roles])).toEqual(
      [...byName.values()].map((m) => [m.name, m.name === REESTABLISHED ? "5" : "2", ["5b9c1a6e-0f3d-11ee-9f0b-da7ad0900002"]]),
    );
    for (const m of byName.values()) expect((m.message as string).endsWith("\n\n@slack-netops\n\n@webhook-vpn-tickets-acme-prod")).toBe(true);
  });

  it("scope silence to listed tunnels with one tunnel as a plain tag", () => {
    const { byName: one } = signalMonitors({ traffic: { silence: { minutes: 10, tunnels: ["To Acme 1"] } } });
    expect(one.get(SILENCE)!.query).toBe(
      "max(last_10m):( sum:vpn.tunnel.bytes_in{vpn_environment:acme-prod AND tunnel:to_acme_1} by {tunnel}.as_count() + 1 - min:vpn.tunnel.status{vpn_environment:acme-prod AND tunnel:to_acme_1} by {tunnel} ) <= 0",
    );
  });
});
