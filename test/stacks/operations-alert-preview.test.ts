import { formatAlertPreview, isWindowActive, previewAlerts, unmonitoredSeries, type PreviewMode, type PreviewSeries } from "../../stacks/operations/alert-preview";
import { maintenanceSchema, type MaintenanceWindowInput } from "../../contract/definition/operations-schema";

/** Series in the shape the checker's core builds them (handler/core.ts tunnelTags, controller gauges). */
const tunnel = (name: string, endpoint: string | undefined, value: number): PreviewSeries => ({
  metric: "vpn.tunnel.status",
  value,
  tags: ["vpn_environment:acme-prod", "controller:vns3-a", `tunnel:${name}`, "tunnel_id:1", ...(endpoint === undefined ? [] : [`endpoint:${endpoint}`])],
});
const controller = (name: string, value: number, reason?: string): PreviewSeries => ({
  metric: "vpn.controller.up",
  value,
  tags: ["vpn_environment:acme-prod", `controller:${name}`, ...(reason === undefined ? [] : [`reason:${reason}`])],
});

const series = [
  tunnel("to-acme-1", "acme", 0),
  tunnel("to-acme-2", "acme", 0),
  tunnel("to-globex", "globex", 1),
  tunnel("to-initech", undefined, 0),
  { metric: "vpn.tunnel.disabled", value: 1, tags: ["vpn_environment:acme-prod", "tunnel:old"] },
  controller("vns3-a", 1),
  controller("vns3-b", 0, "timeout"),
];

// Sunday 2024-06-02, 01:30 in Berlin (CEST) = 2024-06-01T23:30Z.
const sundayNight = new Date("2024-06-01T23:30:00Z");
const sunday: MaintenanceWindowInput = { name: "Sunday patching", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2024-06-02T01:00", duration: "2h", timezone: "Europe/Berlin" };
const windows = (inputs: MaintenanceWindowInput[]) => maintenanceSchema.parse(inputs);
const definition = (mode: PreviewMode, maintenance: MaintenanceWindowInput[] = []) => ({ name: "acme-prod", monitor: { mode }, maintenance: windows(maintenance) });

describe("alert preview", () => {
  it("opens one tunnel alert for the environment in simple mode", () => {
    expect(previewAlerts({ definition: definition("simple"), series, now: sundayNight })).toEqual([
      { monitor: "tunnels", group: "vpn_environment:acme-prod", down: ["to-acme-1", "to-acme-2", "to-initech"] },
      { monitor: "controllers", group: "controller:vns3-b", down: ["timeout"] },
    ]);
  });

  it("opens one alert per partner with a 0 in partner mode, and none for a tunnel without an endpoint tag, as Datadog evaluates no such series", () => {
    expect(previewAlerts({ definition: definition("partner"), series, now: sundayNight }).filter((a) => a.monitor === "tunnels")).toEqual([
      { monitor: "tunnels", group: "endpoint:acme", down: ["to-acme-1", "to-acme-2"] },
    ]);
    expect(unmonitoredSeries({ definition: definition("partner"), series })).toEqual(["tunnel:to-initech (no endpoint tag)"]);
  });

  it("groups a tunnel the controller names no endpoint for under the checker's fallback endpoint, unnamed", () => {
    const withFallback = series.map((s) => (s.tags.includes("tunnel:to-initech") ? { ...s, tags: [...s.tags, "endpoint:unnamed"] } : s));

    expect(previewAlerts({ definition: definition("partner"), series: withFallback, now: sundayNight }).filter((a) => a.monitor === "tunnels")).toEqual([
      { monitor: "tunnels", group: "endpoint:acme", down: ["to-acme-1", "to-acme-2"] },
      { monitor: "tunnels", group: "endpoint:unnamed", down: ["to-initech"] },
    ]);
    expect(unmonitoredSeries({ definition: definition("partner"), series: withFallback })).toEqual([]);
  });

  it("counts every series as monitored in simple mode, and a controller series without its tag as unmonitored", () => {
    expect(unmonitoredSeries({ definition: definition("simple"), series })).toEqual([]);
    expect(unmonitoredSeries({ definition: definition("tunnel"), series: [...series, { metric: "vpn.controller.up", value: 0, tags: ["vpn_environment:acme-prod"] }] })).toEqual([
      "controller:N/A (no controller tag)",
    ]);
  });

  it.each<PreviewMode>(["tunnel", "multi"])("opens one alert per tunnel with a 0 in %s mode", (mode) => {
    expect(previewAlerts({ definition: definition(mode), series, now: sundayNight }).map((a) => a.group)).toEqual([
      "tunnel:to-acme-1",
      "tunnel:to-acme-2",
      "tunnel:to-initech",
      "controller:vns3-b",
    ]);
  });

  it("mutes every group while an unscoped window's occurrence lasts, in the window's time zone", () => {
    const alerts = previewAlerts({ definition: definition("partner", [sunday]), series, now: sundayNight });

    expect(alerts.map((a) => [a.group, a.mutedBy])).toEqual([
      ["endpoint:acme", "Sunday patching"],
      ["controller:vns3-b", "Sunday patching"],
    ]);
  });

  it("mutes only the groups that carry a scoped window's tag", () => {
    const maintenance = [{ ...sunday, name: "ACME", partner: "ACME" }, { ...sunday, name: "B", controller: "vns3-b" }];

    expect(previewAlerts({ definition: definition("partner", maintenance), series, now: sundayNight }).map((a) => [a.group, a.mutedBy])).toEqual([
      ["endpoint:acme", "ACME"],
      ["controller:vns3-b", "B"],
    ]);
    // A simple-mode group carries no endpoint tag, so a partner window cannot mute it.
    expect(previewAlerts({ definition: definition("simple", maintenance), series, now: sundayNight })[0]).toEqual({
      monitor: "tunnels",
      group: "vpn_environment:acme-prod",
      down: ["to-acme-1", "to-acme-2", "to-initech"],
    });
  });

  it.each([
    ["just before the start", "2024-06-01T22:59:59Z", false],
    ["at the start", "2024-06-01T23:00:00Z", true],
    ["just before the end", "2024-06-02T00:59:59Z", true],
    ["at the end", "2024-06-02T01:00:00Z", false],
    ["a week later, in winter time too", "2024-12-08T00:30:00Z", true],
    ["on a Saturday", "2024-06-08T00:30:00Z", false],
  ])("knows whether the window is active %s", (_, now, active) => {
    expect(isWindowActive(windows([sunday])[0]!, new Date(now))).toBe(active);
  });

  it("is never active before the first occurrence", () => {
    expect(isWindowActive(windows([{ ...sunday, start: "2030-01-06T01:00" }])[0]!, sundayNight)).toBe(false);
  });

  it("prints one line per alert, or that none would open", () => {
    const alerts = previewAlerts({ definition: definition("partner", [{ ...sunday, partner: "acme" }]), series, now: sundayNight });

    expect(formatAlertPreview(alerts)).toEqual([
      'tunnels     endpoint:acme  down: to-acme-1, to-acme-2  (muted by maintenance "Sunday patching")',
      "controllers controller:vns3-b  down: timeout",
    ]);
    expect(formatAlertPreview([])).toEqual(["No alert would open now."]);
  });
});
