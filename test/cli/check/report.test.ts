import { signalsSchema } from "../../../contract/definition/signals-schema";
/** What `npm run check` prints, from the checker's own summary and series (pure). */
import { alertPreviewSection, controllerSection, datadogSection, healthLine, summarySection, type SummaryInput } from "../../../cli/check/report";
import type { ControllerReading, MetricSeries } from "../../../handler/core";
import { maintenanceSchema } from "../../../contract/definition/operations-schema";

const ESC = String.fromCharCode(27);
const SHARED_TAIL = ". Give each its own description on the controller, so alerts, dashboards and maintenance windows name them plainly";

const summary = (patch: Partial<SummaryInput>): SummaryInput => ({
  controllersUp: 2,
  tunnelsUp: 3,
  tunnelsDown: 1,
  tunnelsDisabled: 0,
  subnets: [],
  sharedDescriptions: [],
  sharedEndpointNames: [],
  ...patch,
});

/** A series in the shape handler/core.ts builds it. */
const gauge = (metric: string, value: number, tags: string[]): MetricSeries => ({ metric, type: 3, points: [{ timestamp: 1_768_113_000, value }], tags });

describe("summarySection", () => {
  it("counts unmatched subnets when every controller's subnets were read, and the disabled tunnels", () => {
    const out = summarySection({
      controllers: 2,
      summary: summary({ tunnelsDisabled: 2, subnets: [{ controller: "a", state: "read", unmatched: 1 }, { controller: "b", state: "read", unmatched: 0 }] }),
      series: [],
      readings: [],
    });

    expect(out).toEqual({ lines: ["Summary: 2 of 2 controllers read; 3 tunnels connected, 1 down, 2 disabled; 1 unmatched subnet"], warnings: [] });
  });

  it("says unknown, and why, for a controller whose subnets were not compared, never 0", () => {
    const out = summarySection({
      controllers: 2,
      summary: summary({
        subnets: [
          { controller: "a", state: "read", unmatched: 0 },
          { controller: "b", state: "unknown", reason: `no origin${ESC}[2J` },
        ],
      }),
      series: [],
      readings: [],
    });

    expect(out.lines).toEqual([
      "Summary: 2 of 2 controllers read; 3 tunnels connected, 1 down, 0 disabled; 0 unmatched subnets on a, unknown on b",
      "  subnets of b unknown: no origin\\e[2J",
    ]);
  });

  it("says unknown for the whole environment when no controller's subnets were compared", () => {
    const out = summarySection({ controllers: 1, summary: summary({ controllersUp: 1, tunnelsUp: 1, tunnelsDown: 0, subnets: [{ controller: "a", state: "unknown", reason: "not read (bad_response: x)" }] }), series: [], readings: [] });

    expect(out.lines[0]).toBe("Summary: 1 of 1 controllers read; 1 tunnel connected, 0 down, 0 disabled; unmatched subnets unknown");
  });

  it("warns once per shared description with the suffixed tags the checker sent, escaping what the controllers sent", () => {
    const id = `9${ESC}[2J`;
    const out = summarySection({
      controllers: 2,
      summary: summary({ sharedDescriptions: [{ tag: "payments", tunnels: [{ controller: "a", id: "4" }, { controller: "b", id }] }] }),
      series: [
        gauge("vpn.tunnel.status", 1, ["vpn_environment:lab", "controller:a", "tunnel:payments-a-4", "tunnel_id:4"]),
        // The checker tags an id that normalizing changes with a hash of it (handler/tags.ts idTagValue).
        gauge("vpn.tunnel.disabled", 1, ["vpn_environment:lab", "controller:b", "tunnel:payments-b-9_2j-324f8f0a", "tunnel_id:9_2j-324f8f0a"]),
      ],
      readings: [],
    });

    expect(out.warnings).toEqual([`2 tunnels share the description payments (a tunnel 4, b tunnel 9\\e[2J), so each is tagged with a suffix: tunnel:payments-a-4, tunnel:payments-b-9_2j-324f8f0a${SHARED_TAIL}`]);
  });

  it("warns about an endpoint name that stands for several partners, with the tags of their tunnels", () => {
    const readings: ControllerReading[] = [
      {
        controller: "a",
        up: true,
        tunnels: [
          { id: "1", description: "x", connected: true, endpointName: "Initech", endpointId: "4" },
          { id: "2", description: "y", connected: false, endpointName: "initech", endpointId: "5" },
        ],
        subnets: { ok: true, subnets: [] },
      },
    ];
    const out = summarySection({
      controllers: 1,
      summary: summary({ sharedEndpointNames: [{ tag: "initech", endpoints: [{ controller: "a", endpointId: "4" }, { controller: "a", endpointId: "5" }] }] }),
      series: [
        gauge("vpn.tunnel.status", 1, ["vpn_environment:lab", "controller:a", "tunnel:x", "tunnel_id:1", "endpoint:initech-a-4"]),
        gauge("vpn.tunnel.status", 0, ["vpn_environment:lab", "controller:a", "tunnel:y", "tunnel_id:2", "endpoint:initech-a-5"]),
      ],
      readings,
    });

    expect(out.warnings).toEqual([
      "2 partner endpoints share the name initech (a endpoint 4, a endpoint 5), so each is tagged with a suffix: endpoint:initech-a-4, endpoint:initech-a-5. " +
        "Give each partner its own endpoint name on the controller, so partner alerts and maintenance windows name them plainly",
    ]);
  });
});

describe("controllerSection", () => {
  it("shows a disabled tunnel as disabled, whatever its connected flag says", () => {
    const reading: ControllerReading = {
      controller: "a",
      up: true,
      tunnels: [
        { id: "2", description: "Off", connected: false, enabled: false },
        { id: "3", description: "Off but up", connected: true, enabled: false },
        { id: "1", description: "On", connected: false },
      ],
      subnets: { ok: true, subnets: [] },
    };

    expect(controllerSection({ name: "a", host: "10.0.1.10", port: 8000, credentials: { kind: "token", apiToken: "t" } }, reading, undefined, { controller: "a", state: "read", unmatched: 0 })).toEqual([
      "Controller a  10.0.1.10:8000",
      "  up: 3 tunnels, read",
      "  TUNNEL  DESCRIPTION  STATUS    ENDPOINT  REMOTE SUBNET  PHASE 1  PHASE 2",
      "  1       On           DOWN      -         -              -        -",
      "  2       Off          disabled  -         -              -        -",
      "  3       Off but up   disabled  -         -              -        -",
      "  Connected subnets: 0 not carried by any tunnel",
    ]);
  });
});

describe("alertPreviewSection", () => {
  const now = new Date("2026-01-11T06:30:00Z");
  const definition = (mode: "simple" | "partner" | "tunnel") => ({
    name: "lab",
    monitor: { mode, windowMinutes: 10 },
    maintenance: maintenanceSchema.parse([{ name: "acme window", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2026-01-04T01:00", duration: "2h", timezone: "America/New_York", partner: "acme" }]),
  });
  const series = [
    gauge("vpn.tunnel.status", 0, ["vpn_environment:lab", "controller:a", "tunnel:to-acme", "tunnel_id:1", "endpoint:acme"]),
    gauge("vpn.tunnel.status", 0, ["vpn_environment:lab", "controller:a", `tunnel:evil${ESC}]0;x`, "tunnel_id:2", `endpoint:evil${ESC}[2J`]),
    gauge("vpn.tunnel.status", 1, ["vpn_environment:lab", "controller:a", "tunnel:fine", "tunnel_id:3", "endpoint:acme"]),
    gauge("vpn.tunnel.disabled", 1, ["vpn_environment:lab", "controller:a", "tunnel:off", "tunnel_id:4", "endpoint:acme"]),
    gauge("vpn.controller.up", 0, ["vpn_environment:lab", "controller:b", "reason:timeout"]),
  ];

  it("groups per partner in partner mode, names the window that mutes a group, and escapes every tag value", () => {
    expect(alertPreviewSection(definition("partner"), series, now)).toEqual([
      "Alerts the monitors would open if these values held for 10 minutes (mode partner: one alert (one ticket) per partner endpoint, naming the partner, however many of its tunnels are down), maintenance as of 2026-01-11T06:30:00.000Z:",
      '  tunnels     endpoint:acme  down: to-acme  (muted by maintenance "acme window")',
      "  tunnels     endpoint:evil\\e[2J  down: evil\\e]0;x",
      "  controllers controller:b  down: timeout",
    ]);
  });

  it("opens one alert for the environment in simple mode, which a partner's window does not mute", () => {
    expect(alertPreviewSection(definition("simple"), series, now).slice(1)).toEqual(["  tunnels     vpn_environment:lab  down: evil\\e]0;x, to-acme", "  controllers controller:b  down: timeout"]);
  });

  it("says so when nothing would open", () => {
    expect(alertPreviewSection(definition("tunnel"), [series[2] as MetricSeries], now).slice(1)).toEqual(["  No alert would open now."]);
  });
});

describe("alertPreviewSection with the signal monitors", () => {
  const now = new Date("2026-01-11T06:30:00Z");
  const definition = {
    name: "lab",
    monitor: { mode: "partner" as const, windowMinutes: 5 },
    maintenance: [],
    signals: signalsSchema.parse({}),
  };

  it("adds a controller's full disk and a certificate five days from expiry, escaped, after the tunnel alerts", () => {
    const series = [
      gauge("vpn.tunnel.status", 0, ["vpn_environment:lab", "controller:a", "tunnel:to-acme", "tunnel_id:1", "endpoint:acme"]),
      gauge("vpn.controller.disk_used_pct", 95, ["vpn_environment:lab", `controller:a${ESC}[2J`]),
      gauge("vpn.controller.cert_days_left", 5, ["vpn_environment:lab", "controller:b"]),
      gauge("vpn.controller.memory_used_pct", 40, ["vpn_environment:lab", "controller:b"]),
    ];
    expect(alertPreviewSection(definition, series, now).slice(1)).toEqual([
      "  tunnels     endpoint:acme  down: to-acme",
      "  disk        controller:a\\e[2J  warning: 95%",
      "  certificate controller:b  critical: 5 days left",
    ]);
  });

  it("shows only the signal alerts when no tunnel alert would open", () => {
    const series = [gauge("vpn.controller.inode_used_pct", 91, ["vpn_environment:lab", "controller:a"])];
    expect(alertPreviewSection(definition, series, now).slice(1)).toEqual(["  inodes      controller:a  warning: 91%"]);
  });

  it("names a tunnel series that lacks the group-by tag as not monitored, instead of an N/A group", () => {
    const series = [gauge("vpn.tunnel.status", 0, ["vpn_environment:lab", "controller:a", "tunnel:lost", "tunnel_id:9"])];
    expect(alertPreviewSection(definition, series, now).slice(1)).toEqual(["  No alert would open now.", "  not monitored in mode partner: tunnel:lost (no endpoint tag)"]);
  });
});

describe("signals in the printout", () => {
  it("shows a reboot and escapes the version text; says why health is unavailable; nothing when health is off", () => {
    expect(healthLine({ controller: "a", state: "read", status: { uptimeSeconds: 42, diskUsedPct: 95, vns3Version: `6.0.1${ESC}[2J` }, rebooted: true })).toBe(
      "  Health: uptime 42 s (0.0 days), disk 95%, inodes unknown, memory unknown, VNS3 6.0.1\\e[2J; REBOOTED since the previous check",
    );
    expect(healthLine({ controller: "a", state: "unavailable", reason: `bad_response: x${ESC}]0;t` })).toBe("  Health: unavailable (bad_response: x\\e]0;t); the controller still counts as up");
    expect(healthLine({ controller: "a", state: "off" })).toBeUndefined();
  });

  it("shows byte deltas and re-establishments the checker sent, else the SA counters", () => {
    const reading: ControllerReading = {
      controller: "a",
      up: true,
      tunnels: [
        { id: "1", description: "One", connected: true, phase1: "up", phase2: "up", params: { phase1Up: true, phase2Up: true, bytesIn: 5000, bytesOut: 70 } },
        { id: "2", description: "Two", connected: true, phase1: "up", phase2: "up", params: { phase1Up: true, phase2Up: true, bytesIn: 9, bytesOut: 8 } },
      ],
      subnets: { ok: true, subnets: [] },
    };
    const lines = controllerSection({ name: "a", host: "h", port: 8000, credentials: { kind: "token", apiToken: "t" } }, reading, undefined, { controller: "a", state: "read", unmatched: 0 }, [], {
      tunnels: [{ controller: "a", id: "1", phase1: 1, phase2: 1, bytesIn: 300, bytesOut: 0, reestablished: 1 }],
    });
    expect(lines.slice(2, 5)).toEqual([
      "  TUNNEL  DESCRIPTION  STATUS     ENDPOINT  REMOTE SUBNET  PHASE 1  PHASE 2  BYTES IN  BYTES OUT  RE-ESTABLISHED",
      "  1       One          connected  -         -              up       up       300       0          1",
      "  2       Two          connected  -         -              up       up       9 (SA)    8 (SA)     -",
    ]);
  });

  it("names counts and gauges in the Datadog section", () => {
    const series: MetricSeries[] = [
      { metric: "vpn.controller.up", type: 3, points: [{ timestamp: 1, value: 1 }], tags: [] },
      { metric: "vpn.tunnel.bytes_in", type: 1, points: [{ timestamp: 1, value: 5 }], tags: [], interval: 60 },
    ];
    expect(datadogSection(series, [])[0]).toBe("  POST /api/v2/series: 2 series (1 gauges type 3, 1 counts type 1), all at timestamp 1");
  });
});
