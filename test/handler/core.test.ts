import fc from "fast-check";
import { compareSa, REKEY_MARGIN_SECONDS } from "../../handler/sa-tracking";
import { parseIpsecStatus, parseSystemStatus } from "../../handler/vns3-responses";
import type { ControllerMemory, SystemReading, TunnelParams } from "../../handler/core";
import type { SignalGroup } from "../../contract/signals";
import { buildCheckReport, DOWN_REASONS, tunnelTagValue, unmatchedSubnets, type ControllerReading, type SubnetsReading, type Tunnel } from "../../handler/core";
import { METRICS } from "../../contract/metrics";

const TS = 1_700_000_000;

function up(controller: string, tunnels: Tunnel[], subnets: SubnetsReading = { ok: true, subnets: [] }): ControllerReading {
  return { controller, up: true, tunnels, subnets };
}

describe("buildCheckReport", () => {
  it("produces exactly one gauge per controller, tunnel and subnet count, with exact tags", () => {
    const report = buildCheckReport({
      environment: "Production",
      timestamp: TS,
      readings: [
        up("vns3-a", [
          { id: "4", description: "Payments primary", connected: false, endpointName: "acme-payments", remoteSubnet: "10.40.0.0/24" },
          { id: "2", description: "Market Feed (Backup)", connected: true },
        ]),
      ],
    });
    expect(report.series).toEqual([
      { metric: "vpn.controller.up", type: 3, points: [{ timestamp: TS, value: 1 }], tags: ["vpn_environment:production", "controller:vns3-a"] },
      {
        metric: "vpn.tunnel.status",
        type: 3,
        points: [{ timestamp: TS, value: 1 }],
        tags: ["vpn_environment:production", "controller:vns3-a", "tunnel:market_feed_backup", "tunnel_id:2", "endpoint:unnamed"],
      },
      {
        metric: "vpn.tunnel.status",
        type: 3,
        points: [{ timestamp: TS, value: 0 }],
        tags: ["vpn_environment:production", "controller:vns3-a", "tunnel:payments_primary", "tunnel_id:4", "endpoint:acme-payments"],
      },
      { metric: "vpn.subnet.unmatched", type: 3, points: [{ timestamp: TS, value: 0 }], tags: ["vpn_environment:production", "controller:vns3-a"] },
    ]);
    expect(report.events).toEqual([]);
    expect(report.summary).toEqual({
      controllersUp: 1,
      controllersDown: 0,
      tunnelsUp: 1,
      tunnelsDown: 1,
      tunnelsDisabled: 0,
      unmatchedSubnets: 0,
      eventsSuppressed: 0,
      down: [],
      subnets: [{ controller: "vns3-a", state: "read", unmatched: 0 }],
      sharedDescriptions: [],
      sharedEndpointNames: [],
      health: [{ controller: "vns3-a", state: "unavailable", reason: "not read" }],
      reestablished: 0,
      tunnelSignals: [],
    });
  });

  it("falls back to the tunnel id when the description is empty or normalizes to nothing", () => {
    expect(tunnelTagValue({ id: "7", description: "" })).toBe("7");
    expect(tunnelTagValue({ id: "8", description: " ()! " })).toBe("8");
    expect(tunnelTagValue({ id: "9", description: "Zürich Börse (DR)" })).toBe("zürich_börse_dr");
  });

  it("reports a down controller with its reason and no tunnel series", () => {
    const report = buildCheckReport({
      environment: "prod",
      timestamp: TS,
      readings: [{ controller: "vns3-b", up: false, reason: "tls_pin_mismatch", detail: "fingerprint differs" }],
    });
    expect(report.series).toEqual([
      { metric: "vpn.controller.up", type: 3, points: [{ timestamp: TS, value: 0 }], tags: ["vpn_environment:prod", "controller:vns3-b", "reason:tls_pin_mismatch"] },
    ]);
    expect(report.summary.down).toEqual([{ controller: "vns3-b", reason: "tls_pin_mismatch" }]);
    expect(report.summary.controllersDown).toBe(1);
    expect(report.summary.subnets).toEqual([{ controller: "vns3-b", state: "unknown", reason: "controller not read (tls_pin_mismatch)" }]);
  });

  it.each(DOWN_REASONS.map((r) => [r]))("tags reason %s as a bounded value that needs no normalization", (reason) => {
    const report = buildCheckReport({ environment: "p", timestamp: TS, readings: [{ controller: "c", up: false, reason, detail: "" }] });
    expect(report.series[0]?.tags).toContain(`reason:${reason}`);
    expect(reason).toMatch(/^[a-z_]+$/);
  });

  it("omits the unmatched gauge when the subnets could not be read, and still reports tunnels", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [up("c", [{ id: "1", description: "t", connected: true }], { ok: false, reason: "timeout", detail: "slow" })],
    });
    expect(report.series.map((s) => s.metric)).toEqual(["vpn.controller.up", "vpn.tunnel.status"]);
    expect(report.summary.subnets).toEqual([{ controller: "c", state: "unknown", reason: "not read (timeout: slow)" }]);
    expect(report.summary.unmatchedSubnets).toBe(0);
  });

  it("raises one warning event per unmatched subnet with a stable aggregation key", () => {
    const report = buildCheckReport({
      environment: "Prod EU",
      timestamp: TS,
      readings: [
        up("VNS3 A", [{ id: "1", description: "t", connected: true, remoteSubnet: "10.40.0.0/24" }], {
          ok: true,
          subnets: [
            { network: "10.40.0.0/24", origin: "ipsec" },
            { network: "10.50.0.0/24", origin: "ipsec" },
          ],
        }),
      ],
    });
    expect(report.events).toEqual([
      {
        title: "VNS3 subnet 10.50.0.0/24 not carried by any tunnel on VNS3 A",
        text: "Subnet 10.50.0.0/24 (origin: ipsec) is connected on VNS3 controller VNS3 A (environment Prod EU), but no IPsec tunnel's remote_subnet carries it.",
        tags: ["vpn_environment:prod_eu", "controller:vns3_a"],
        alertType: "warning",
        aggregationKey: "vns3-unmatched-subnet:vns3_a:10.50.0.0/24",
        controller: "VNS3 A",
        subnet: "10.50.0.0/24",
      },
    ]);
    expect(report.series.at(-1)).toEqual({ metric: "vpn.subnet.unmatched", type: 3, points: [{ timestamp: TS, value: 1 }], tags: ["vpn_environment:prod_eu", "controller:vns3_a"] });
    expect(report.summary.unmatchedSubnets).toBe(1);
  });

  it("caps events per invocation but counts every unmatched subnet", () => {
    const subnets = Array.from({ length: 5 }, (_, i) => ({ network: `10.0.${i}.0/24`, origin: "ipsec" }));
    const report = buildCheckReport({ environment: "p", timestamp: TS, maxEvents: 2, readings: [up("c", [], { ok: true, subnets })] });
    expect(report.events.map((e) => e.subnet)).toEqual(["10.0.0.0/24", "10.0.1.0/24"]);
    expect(report.summary).toMatchObject({ unmatchedSubnets: 5, eventsSuppressed: 3 });
    expect(report.series.at(-1)?.points[0]?.value).toBe(5);
  });

  it("hashes aggregation keys that would exceed Datadog's 100 characters", () => {
    const report = buildCheckReport({ environment: "p", timestamp: TS, readings: [up("c".repeat(90), [], { ok: true, subnets: [{ network: "10.9.0.0/16", origin: "ipsec" }] })] });
    const key = report.events[0]?.aggregationKey ?? "";
    expect(key).toMatch(/^vns3-unmatched-subnet:[0-9a-f]{64}$/);
    expect(key.length).toBeLessThanOrEqual(100);
  });

  it("orders tunnels by numeric id so output is stable", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [up("c", ["10", "9", "1"].map((id) => ({ id, description: "", connected: true })), { ok: false, reason: "timeout", detail: "" })],
    });
    expect(report.series.slice(1).map((s) => s.tags[3])).toEqual(["tunnel_id:1", "tunnel_id:9", "tunnel_id:10"]);
  });
});

describe("unmatchedSubnets", () => {
  const tunnels: Tunnel[] = [
    { id: "1", description: "a", connected: true, remoteSubnet: "10.40.0.0/24" },
    { id: "2", description: "b", connected: false, remoteSubnet: " 10.41.0.0/24 " },
    { id: "3", description: "c", connected: true },
    { id: "4", description: "d", connected: true, remoteSubnet: "192.168.8.0/22" },
  ];

  it("ignores local_* and remote_manager origins and subnets a tunnel carries", () => {
    const result = unmatchedSubnets(tunnels, [
      { network: "172.16.0.0/24", origin: "local_no_encryption" },
      { network: "172.17.0.0/24", origin: "local_vlan" },
      { network: "192.168.0.0/24", origin: "remote_manager" },
      { network: "10.40.0.0/24", origin: "ipsec" },
      { network: "10.41.0.0/24", origin: "ipsec" },
      { network: "10.42.0.0/24", origin: "ipsec" },
      { network: "10.43.0.0/24", origin: "ebgp" },
    ]);
    expect(result).toEqual([
      { network: "10.42.0.0/24", origin: "ipsec" },
      { network: "10.43.0.0/24", origin: "ebgp" },
    ]);
  });

  it("compares networks, not strings: a tunnel's wider remote_subnet carries a narrower subnet, a narrower one does not carry a wider", () => {
    expect(
      unmatchedSubnets(tunnels, [
        { network: "192.168.10.0/24", origin: "ipsec" },
        { network: "192.168.8.0/22", origin: "ipsec" },
        { network: "10.40.0.0/23", origin: "ipsec" },
        { network: "10.40.0.0/25", origin: "ipsec" },
      ]),
    ).toEqual([{ network: "10.40.0.0/23", origin: "ipsec" }]);
  });

  it("reports a subnet listed twice only once", () => {
    expect(
      unmatchedSubnets(tunnels, [
        { network: "10.42.0.0/24", origin: "ipsec" },
        { network: "10.42.0.0/24", origin: "ebgp" },
      ]),
    ).toEqual([{ network: "10.42.0.0/24", origin: "ipsec" }]);
  });

  it("never reports a subnet without an origin", () => {
    expect(unmatchedSubnets(tunnels, [{ network: "10.42.0.0/24" }])).toEqual([]);
  });
});

describe("buildCheckReport: connected subnets as published", () => {
  const tunnels: Tunnel[] = [{ id: "1", description: "Payments", connected: true, remoteSubnet: "10.50.0.0/24" }];

  it("counts an uncarried ipsec subnet and never a carried, local or remote_manager one", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [
        up("vns3-a", tunnels, {
          ok: true,
          subnets: [
            { network: "10.50.0.0/24", origin: "ipsec" },
            { network: "10.60.0.0/24", origin: "ipsec" },
            { network: "172.16.0.0/16", origin: "local_no_encryption" },
            { network: "192.168.100.0/22", origin: "remote_manager" },
          ],
        }),
      ],
    });
    expect(report.events.map((e) => e.subnet)).toEqual(["10.60.0.0/24"]);
    expect(report.series.at(-1)).toEqual({ metric: "vpn.subnet.unmatched", type: 3, points: [{ timestamp: TS, value: 1 }], tags: ["vpn_environment:p", "controller:vns3-a"] });
    expect(report.summary.subnets).toEqual([{ controller: "vns3-a", state: "read", unmatched: 1 }]);
  });

  it("makes no claim for a controller that answered pairs without origins: no gauge, no event, state unknown with the reason", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [
        up("old", tunnels, { ok: true, subnets: [{ network: "10.50.0.0/24" }, { network: "10.60.0.0/24" }, { network: "172.16.0.0/16" }] }),
        up("new", tunnels, { ok: true, subnets: [{ network: "10.50.0.0/24", origin: "ipsec" }] }),
      ],
    });
    expect(report.events).toEqual([]);
    expect(report.series.filter((s) => s.metric === "vpn.subnet.unmatched").map((s) => s.tags[1])).toEqual(["controller:new"]);
    expect(report.summary.subnets).toEqual([
      {
        controller: "old",
        state: "unknown",
        reason: "the controller gave no origin (it answered [network, netmask] pairs, ignoring extended_output), so local and remote subnets cannot be told apart",
      },
      { controller: "new", state: "read", unmatched: 0 },
    ]);
  });

  it("builds no more events than the cap while counting every unmatched subnet over all controllers", () => {
    const subnets = Array.from({ length: 40 }, (_, i) => ({ network: `10.1.${i}.0/24`, origin: "ipsec" }));
    const report = buildCheckReport({ environment: "p", timestamp: TS, readings: [up("a", [], { ok: true, subnets }), up("b", [], { ok: true, subnets })] });
    expect(report.events).toHaveLength(25);
    expect(report.events.every((e) => e.controller === "a")).toBe(true);
    expect(report.summary).toMatchObject({ unmatchedSubnets: 80, eventsSuppressed: 55 });
  });
});

describe("buildCheckReport: tunnel states", () => {
  it("sends vpn.tunnel.disabled 1, tagged like the tunnel, and no status for a disabled tunnel", () => {
    // The parser maps active: false and enabled: false to enabled: false (vns3-responses.test.ts).
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [
        up("c", [
          { id: "1", description: "Primary", connected: true },
          { id: "2", description: "Standby", connected: false, enabled: false, endpointName: "Acme", endpointId: "3" },
        ]),
      ],
    });
    expect(report.series.filter((s) => s.metric !== "vpn.controller.up" && s.metric !== "vpn.subnet.unmatched")).toEqual([
      { metric: METRICS.tunnelStatus, type: 3, points: [{ timestamp: TS, value: 1 }], tags: ["vpn_environment:p", "controller:c", "tunnel:primary", "tunnel_id:1", "endpoint:unnamed"] },
      { metric: METRICS.tunnelDisabled, type: 3, points: [{ timestamp: TS, value: 1 }], tags: ["vpn_environment:p", "controller:c", "tunnel:standby", "tunnel_id:2", "endpoint:acme"] },
    ]);
    expect(report.summary).toMatchObject({ tunnelsUp: 1, tunnelsDown: 0, tunnelsDisabled: 1 });
  });
});

describe("buildCheckReport: distinct groups", () => {
  const tunnelValues = (report: ReturnType<typeof buildCheckReport>): (string | undefined)[] => report.series.filter((s) => s.metric === METRICS.tunnelStatus).map((s) => s.tags.find((t) => t.startsWith("tunnel:")));

  it("suffixes two tunnels sharing a description on one controller and reports them", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [
        up("vns3-a", [
          { id: "2", description: "Payments", connected: false },
          { id: "1", description: "Payments", connected: true },
          { id: "3", description: "Feed", connected: true },
        ]),
      ],
    });
    expect(tunnelValues(report)).toEqual(["tunnel:payments-vns3-a-1", "tunnel:payments-vns3-a-2", "tunnel:feed"]);
    expect(report.summary.sharedDescriptions).toEqual([
      {
        tag: "payments",
        tunnels: [
          { controller: "vns3-a", id: "1" },
          { controller: "vns3-a", id: "2" },
        ],
      },
    ]);
  });

  it("suffixes two tunnels sharing a description across two controllers", () => {
    const tunnel: Tunnel = { id: "4", description: "Payments primary", connected: true };
    const report = buildCheckReport({ environment: "p", timestamp: TS, readings: [up("vns3-a", [tunnel]), up("vns3-b", [tunnel])] });
    expect(tunnelValues(report)).toEqual(["tunnel:payments_primary-vns3-a-4", "tunnel:payments_primary-vns3-b-4"]);
    expect(report.summary.sharedDescriptions).toHaveLength(1);
  });

  it("keeps the suffix while the other controller is down, from the tunnels it last reported", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [up("vns3-a", [{ id: "4", description: "Payments primary", connected: false }]), { controller: "vns3-b", up: false, reason: "timeout", detail: "" }],
      knownTunnels: [
        { controller: "vns3-b", id: "4", description: "payments_primary" },
        { controller: "vns3-a", id: "99", description: "payments_primary" }, // up now: its live tunnels count, not this
      ],
    });
    expect(tunnelValues(report)).toEqual(["tunnel:payments_primary-vns3-a-4"]);
  });

  it("tags a description ending in a colon without the colon", () => {
    const report = buildCheckReport({ environment: "p", timestamp: TS, readings: [up("c", [{ id: "1", description: "Payments primary:", connected: true, endpointName: "ACME:" }])] });
    expect(report.series[1]?.tags).toEqual(["vpn_environment:p", "controller:c", "tunnel:payments_primary", "tunnel_id:1", "endpoint:acme"]);
  });

  it("tags one partner alike on two controllers, and suffixes two endpoints of one controller that share a name", () => {
    const report = buildCheckReport({
      environment: "p",
      timestamp: TS,
      readings: [
        up("vns3-a", [
          { id: "1", description: "t1", connected: true, endpointName: "Acme", endpointId: "1" },
          { id: "2", description: "t2", connected: true, endpointName: "Globex", endpointId: "2" },
          { id: "3", description: "t3", connected: true, endpointName: "Globex", endpointId: "3" },
        ]),
        up("vns3-b", [{ id: "1", description: "t4", connected: true, endpointName: "ACME", endpointId: "7" }]),
      ],
    });
    expect(report.series.filter((s) => s.metric === METRICS.tunnelStatus).map((s) => s.tags.find((t) => t.startsWith("endpoint:")))).toEqual([
      "endpoint:acme",
      "endpoint:globex-vns3-a-2",
      "endpoint:globex-vns3-a-3",
      "endpoint:acme",
    ]);
    expect(report.summary.sharedEndpointNames).toEqual([
      {
        tag: "globex",
        endpoints: [
          { controller: "vns3-a", endpointId: "2" },
          { controller: "vns3-a", endpointId: "3" },
        ],
      },
    ]);
  });
});

describe("buildCheckReport: the previous check's tag assignment", () => {
  const tunnelSeries = (report: ReturnType<typeof buildCheckReport>) => report.series.filter((s) => s.metric === METRICS.tunnelStatus);
  // Shared descriptions (suffixed), a down controller's known tunnels and endpoints: every part of the assignment.
  const readings = (description = "Payments"): ControllerReading[] => [
    up("vns3-a", [
      { id: "2", description, connected: false, endpointName: "acme" },
      { id: "1", description: "Payments", connected: true, endpointName: "acme" },
    ]),
    up("vns3-b", [{ id: "1", description: "Feed", connected: true }]),
    { controller: "vns3-c", up: false, reason: "timeout", detail: "no answer", durationMs: 1 },
  ];
  const knownTunnels = [{ controller: "vns3-c", id: "9", description: "feed", endpointId: "3" }];
  const build = (extra: Partial<Parameters<typeof buildCheckReport>[0]> = {}, description?: string) => buildCheckReport({ environment: "p", timestamp: TS, readings: readings(description), knownTunnels, ...extra });

  it("is reused as it is when the tunnels are the same: the same tags, the same (frozen) arrays, nothing else changed", () => {
    const first = build();
    const second = build({ previousTags: first.tagMemory, timestamp: TS + 60 });
    expect(second.series).toEqual(build({ timestamp: TS + 60 }).series);
    expect(second.summary.sharedDescriptions).toEqual(first.summary.sharedDescriptions);
    tunnelSeries(second).forEach((s, i) => {
      expect(s.tags).toBe(tunnelSeries(first)[i]?.tags);
      expect(Object.isFrozen(s.tags)).toBe(true);
    });
    expect(tunnelSeries(second).map((s) => s.tags.find((t) => t.startsWith("tunnel:")))).toEqual(["tunnel:payments-vns3-a-1", "tunnel:payments-vns3-a-2", "tunnel:feed-vns3-b-1"]);
    expect(second.tagMemory?.tagLists[0]).toBe(first.tagMemory?.tagLists[0]);
  });

  it("is made afresh when a description, the environment or the known tunnels differ", () => {
    const first = build();
    const renamed = build({ previousTags: first.tagMemory }, "Payments backup");
    expect(renamed.series).toEqual(build({}, "Payments backup").series);
    expect(tunnelSeries(renamed).map((s) => s.tags.find((t) => t.startsWith("tunnel:")))).toEqual(["tunnel:payments", "tunnel:payments_backup", "tunnel:feed-vns3-b-1"]);
    expect(tunnelSeries(renamed)[0]?.tags).not.toBe(tunnelSeries(first)[0]?.tags);
    const otherEnvironment = buildCheckReport({ environment: "q", timestamp: TS, readings: readings(), knownTunnels, previousTags: first.tagMemory });
    expect(tunnelSeries(otherEnvironment)[0]?.tags[0]).toBe("vpn_environment:q");
    const noneDown = buildCheckReport({ environment: "p", timestamp: TS, readings: readings(), previousTags: first.tagMemory });
    expect(tunnelSeries(noneDown).map((s) => s.tags.find((t) => t.startsWith("tunnel:")))).toEqual(["tunnel:payments-vns3-a-1", "tunnel:payments-vns3-a-2", "tunnel:feed"]);
  });

  it("is not kept when a description is longer than the normalization cache holds", () => {
    expect(build({}, "x".repeat(201)).tagMemory).toBeUndefined();
    expect(build({}, "x".repeat(200)).tagMemory).toBeDefined();
  });
});

describe("buildCheckReport: the checker's health", () => {
  it("sends the check duration and the previous delivery attempts, tagged only with the environment", () => {
    const report = buildCheckReport({ environment: "Prod EU", timestamp: TS, readings: [], health: { durationMs: 412.6, previousDeliveryAttempts: 3 } });
    expect(report.series).toEqual([
      { metric: "vpn.checker.duration_ms", type: 3, points: [{ timestamp: TS, value: 413 }], tags: ["vpn_environment:prod_eu"] },
      { metric: "vpn.checker.delivery_attempts", type: 3, points: [{ timestamp: TS, value: 3 }], tags: ["vpn_environment:prod_eu"] },
    ]);
  });

  it("sends no delivery attempts when there was no previous check (cold start)", () => {
    const report = buildCheckReport({ environment: "p", timestamp: TS, readings: [], health: { durationMs: 5 } });
    expect(report.series.map((s) => s.metric)).toEqual(["vpn.checker.duration_ms"]);
  });
});

// ---- Signals from tunnel_params and /api/status/system (issue 16) ----
// Field values follow Cohesive's python SDK stub data (tests/vns3/stub_data.py, IpsecStatusResponse
// and SystemAdminApiData.SystemStatus), parsed by handler/vns3-responses.ts.

const STUB_TUNNEL_PARAMS = {
  phase2: "up", outbound_spi: "e7a4b70c", inbound_spi: "64dd6ec8", bytes_in: "0", bytes_out: "0", esp_time_remaining: "20756s",
  esp_port: "4500", phase2_algo: "AES 128", phase2_hash: "SHA1", nat_t: "on", dpd: "off", pfs_dh_group: "14", phase1: "up",
  isakmp_port: "4500", isakmp_time_remaining: "1227s", last_dpd: "None", phase1_cipher: "AES 256", phase1_prf: "SHA2_256", phase1_dh_group: "14", ike_version: "IKEv1",
};
const STUB_SYSTEM = {
  response: {
    timestamp: "2020-01-27 21:46:35 +0000", timestamp_i: 1580161595, vns3_version: "Cohesive Networks VNS3 4.9.0-20200121", kernel_version: "Linux 4.4.0-154-generic",
    uptime: 263155, loadavg: ["0.00", "0.05", "0.07", "1/328", "20398"],
    diskinfo: [["/dev/nvme0n1p1", "31571570688", "5974278144", "23986741248", "20%", "/", "13%"]],
    meminfo: ["8264527872", "4446773248", "3817754624", "90910720", "241074176", "3327860736", "877838336", "7386689536"],
    swapinfo: ["1073737728", "0", "1073737728"],
  },
};

describe("tunnel_params and /api/status/system parsing", () => {
  it("reads the SDK's tunnel_params strings: phases, SPIs, counters and esp_time_remaining in seconds", () => {
    const [tunnel] = parseIpsecStatus({ response: { "5": { connected: true, description: "tunnel", tunnel_params: STUB_TUNNEL_PARAMS } } }, { params: true });
    expect(tunnel?.params).toEqual({ phase1Up: true, phase2Up: true, inboundSpi: "64dd6ec8", outboundSpi: "e7a4b70c", bytesIn: 0, bytesOut: 0, espSecondsLeft: 20756 });
  });

  it("leaves out odd tunnel_params fields rather than failing the read", () => {
    const [tunnel] = parseIpsecStatus({ response: { "1": { connected: false, tunnel_params: { phase1: "down", bytes_in: "-4", bytes_out: 12, inbound_spi: "None", esp_time_remaining: "soon" } } } }, { params: true });
    expect(tunnel?.params).toEqual({ phase1Up: false, phase2Up: false });
  });

  it("reads the SDK's system status: uptime seconds, highest use% and inode%, memory without cache, version token", () => {
    expect(parseSystemStatus(STUB_SYSTEM)).toEqual({ uptimeSeconds: 263155, diskUsedPct: 20, inodeUsedPct: 13, memoryUsedPct: 10.6, vns3Version: "4.9.0-20200121" });
  });

  it("takes the highest percentage over the mounts and skips a missing diskinfo", () => {
    const rows = [["/dev/a", "1", "1", "0", "40%", "/", "91%"], ["/dev/b", "1", "1", "0", "95%", "/var/log", "12%"], "junk"];
    expect(parseSystemStatus({ response: { uptime: 10, diskinfo: rows } })).toEqual({ uptimeSeconds: 10, diskUsedPct: 95, inodeUsedPct: 91 });
    expect(parseSystemStatus({ response: { uptime: 10 } })).toEqual({ uptimeSeconds: 10 });
  });

  it("refuses an answer that has none of the fields", () => {
    expect(() => parseSystemStatus({ response: { hello: "world" } })).toThrow("unexpected body at response: no uptime, diskinfo, meminfo or vns3_version");
    expect(() => parseSystemStatus({ response: ["x"] })).toThrow("expected an object");
  });
});

describe("compareSa", () => {
  const prev = { inboundSpi: "aa", outboundSpi: "bb", bytesIn: 1000, bytesOut: 50, espSecondsLeft: 3000, at: TS };
  it("sends nothing after a cold start", () => {
    expect(compareSa(undefined, { inboundSpi: "aa", bytesIn: 5 }, TS)).toEqual({});
  });
  it("gives the growth of the same SA, and 0 when it stopped", () => {
    expect(compareSa(prev, { ...prev, bytesIn: 1500, bytesOut: 50 }, TS + 60)).toEqual({ bytesIn: 500, bytesOut: 0, reestablished: 0 });
  });
  it("takes a counter that went down as a new SA: the delta is the new counter", () => {
    expect(compareSa(prev, { ...prev, bytesIn: 40, bytesOut: 60 }, TS + 60)).toEqual({ bytesIn: 40, bytesOut: 10, reestablished: 0 });
  });
  it("counts an SPI replaced mid-life as re-established, and its counters as new", () => {
    expect(compareSa(prev, { inboundSpi: "cc", outboundSpi: "dd", bytesIn: 70, bytesOut: 80, espSecondsLeft: 28800 }, TS + 60)).toEqual({ bytesIn: 70, bytesOut: 80, reestablished: 1 });
  });
  it("does not count a replacement within two check intervals of the end (an ordinary rekey)", () => {
    const nearEnd = { ...prev, espSecondsLeft: 60 + REKEY_MARGIN_SECONDS };
    expect(compareSa(nearEnd, { inboundSpi: "cc", outboundSpi: "dd", bytesIn: 1, bytesOut: 1, espSecondsLeft: 28800 }, TS + 60)).toEqual({ bytesIn: 1, bytesOut: 1, reestablished: 0 });
    expect(compareSa(nearEnd, { inboundSpi: "cc", outboundSpi: "dd", bytesIn: 1, bytesOut: 1 }, TS + 59)).toMatchObject({ reestablished: 1 });
  });
  it("does not count an SA that came back after the tunnel was seen without one", () => {
    const gone = { bytesIn: 0, bytesOut: 0, at: TS };
    expect(compareSa(gone, { inboundSpi: "cc", outboundSpi: "dd", bytesIn: 9, bytesOut: 0, espSecondsLeft: 28800 }, TS + 60)).toEqual({ bytesIn: 9, bytesOut: 0, reestablished: 0 });
  });
});

describe("compareSa over many checks (property)", () => {
  it("adds up, from the second check on, to exactly the bytes every SA carried, however SAs are replaced", () => {
    const step = fc.record({ grow: fc.nat({ max: 1_000_000 }), newSa: fc.boolean() });
    fc.assert(
      fc.property(fc.nat({ max: 1_000_000 }), fc.array(step, { maxLength: 40 }), (start, steps) => {
        let spi = 0;
        let counter = start;
        let previous: (ReturnType<typeof observe> & { at: number }) | undefined;
        function observe() {
          return { inboundSpi: `in${spi}`, outboundSpi: `out${spi}`, bytesIn: counter, bytesOut: 0, espSecondsLeft: 20756 };
        }
        let at = TS;
        let carried = 0;
        let summed = 0;
        previous = { ...observe(), at };
        for (const { grow, newSa } of steps) {
          at += 60;
          if (newSa) {
            spi += 1;
            counter = grow; // a new SA counts from zero
          } else counter += grow;
          carried += grow;
          const change = compareSa(previous, observe(), at);
          summed += change.bytesIn ?? Number.NaN;
          expect(change.reestablished).toBe(newSa ? 1 : 0);
          previous = { ...observe(), at };
        }
        expect(summed).toBe(carried);
      }),
    );
  });
});

describe("buildCheckReport: signals", () => {
  const params = (p: Partial<TunnelParams>): TunnelParams => ({ phase1Up: true, phase2Up: true, inboundSpi: "aa", outboundSpi: "bb", bytesIn: 100, bytesOut: 10, espSecondsLeft: 20756, ...p });
  const tunnel = (p: Partial<TunnelParams>, extra: Partial<Tunnel> = {}): Tunnel => ({ id: "5", description: "tunnel", connected: true, endpointName: "EndpointB", endpointId: "5", params: params(p), ...extra });
  // Subnets unread: no vpn.subnet.unmatched gauge in the way of these series.
  const reading = (t: Tunnel[], system?: SystemReading): ControllerReading => ({ controller: "c", up: true, tunnels: t, subnets: { ok: false, reason: "http_error", detail: "HTTP 404" }, ...(system ? { system } : {}) });
  const TAGS = ["vpn_environment:p", "controller:c", "tunnel:tunnel", "tunnel_id:5", "endpoint:endpointb"];
  const lines = (series: readonly { metric: string; type: number; points: readonly { value: number }[]; tags: readonly string[] }[]) => series.map((s) => `${s.metric} ${s.type} ${s.points[0]?.value} ${s.tags.join(",")}`);
  const build = (r: ControllerReading, previous?: ReadonlyMap<string, ControllerMemory>, signals?: SignalGroup[], timestamp = TS) =>
    buildCheckReport({ environment: "p", timestamp, readings: [r], ...(previous ? { previous } : {}), ...(signals ? { signals: new Set(signals) } : {}) });

  it("sends phase gauges tagged like the status, and no traffic on a cold start", () => {
    const report = build(reading([tunnel({ phase2Up: false })]));
    expect(lines(report.series)).toEqual([
      "vpn.controller.up 3 1 vpn_environment:p,controller:c",
      `vpn.tunnel.status 3 1 ${TAGS.join(",")}`,
      `vpn.tunnel.phase1 3 1 ${TAGS.join(",")}`,
      `vpn.tunnel.phase2 3 0 ${TAGS.join(",")}`,
    ]);
    expect(report.memory.get("c")?.tunnels.get("5")).toEqual({ inboundSpi: "aa", outboundSpi: "bb", bytesIn: 100, bytesOut: 10, espSecondsLeft: 20756, at: TS });
  });

  it("sends byte deltas and a 0 re-establishment as counts (type 1, interval 60) on the next check", () => {
    const first = build(reading([tunnel({})]));
    const second = build(reading([tunnel({ bytesIn: 400, bytesOut: 10 })]), first.memory, undefined, TS + 60);
    expect(second.series.filter((s) => s.type === 1)).toEqual([
      { metric: METRICS.tunnelBytesIn, type: 1, interval: 60, points: [{ timestamp: TS + 60, value: 300 }], tags: TAGS },
      { metric: METRICS.tunnelBytesOut, type: 1, interval: 60, points: [{ timestamp: TS + 60, value: 0 }], tags: TAGS },
      { metric: METRICS.tunnelReestablished, type: 1, interval: 60, points: [{ timestamp: TS + 60, value: 0 }], tags: TAGS },
    ]);
    expect(second.summary.tunnelSignals).toEqual([{ controller: "c", id: "5", phase1: 1, phase2: 1, bytesIn: 300, bytesOut: 0, reestablished: 0 }]);
  });

  it("counts an SPI replaced mid-life once and sums it in the summary", () => {
    const first = build(reading([tunnel({})]));
    const second = build(reading([tunnel({ inboundSpi: "cc", outboundSpi: "dd", bytesIn: 7, bytesOut: 3 })]), first.memory, undefined, TS + 60);
    expect(lines(second.series.filter((s) => s.type === 1))).toEqual([`vpn.tunnel.bytes_in 1 7 ${TAGS.join(",")}`, `vpn.tunnel.bytes_out 1 3 ${TAGS.join(",")}`, `vpn.tunnel.reestablished 1 1 ${TAGS.join(",")}`]);
    expect(second.summary.reestablished).toBe(1);
  });

  it("sends nothing of a group that is off", () => {
    const first = build(reading([tunnel({})]), undefined, []);
    const second = build(reading([tunnel({ bytesIn: 900 })], { ok: true, status: { uptimeSeconds: 5, diskUsedPct: 95 } }), first.memory, [], TS + 60);
    expect(lines(second.series)).toEqual(["vpn.controller.up 3 1 vpn_environment:p,controller:c", `vpn.tunnel.status 3 1 ${TAGS.join(",")}`]);
    expect(second.summary.health).toEqual([{ controller: "c", state: "off" }]);
    expect(build(reading([tunnel({})]), undefined, ["phase"]).series.map((s) => s.metric)).toEqual(["vpn.controller.up", "vpn.tunnel.status", "vpn.tunnel.phase1", "vpn.tunnel.phase2"]);
  });

  it("sends no phase or traffic for a disabled tunnel, and forgets removed tunnels", () => {
    const first = build(reading([tunnel({}), tunnel({}, { id: "6", description: "other" })]));
    const second = build(reading([tunnel({}, { enabled: false })]), first.memory, undefined, TS + 60);
    expect(second.series.map((s) => s.metric)).toEqual(["vpn.controller.up", "vpn.tunnel.disabled"]);
    expect([...(second.memory.get("c")?.tunnels.keys() ?? [])]).toEqual([]);
  });

  it("sends the health gauges and tags vpn.controller.up with the version", () => {
    const report = build(reading([], { ok: true, status: parseSystemStatus(STUB_SYSTEM) }));
    expect(lines(report.series)).toEqual([
      "vpn.controller.up 3 1 vpn_environment:p,controller:c,vns3_version:4.9.0-20200121",
      "vpn.controller.uptime_seconds 3 263155 vpn_environment:p,controller:c",
      "vpn.controller.disk_used_pct 3 20 vpn_environment:p,controller:c",
      "vpn.controller.inode_used_pct 3 13 vpn_environment:p,controller:c",
      "vpn.controller.memory_used_pct 3 10.6 vpn_environment:p,controller:c",
    ]);
  });

  it("keeps the controller up, and its last version tag, when the health read fails", () => {
    const first = build(reading([], { ok: true, status: { uptimeSeconds: 100, vns3Version: "6.0.2" } }));
    const second = build(reading([], { ok: false, reason: "http_error", detail: "HTTP 404" }), first.memory, undefined, TS + 60);
    expect(lines(second.series)).toEqual(["vpn.controller.up 3 1 vpn_environment:p,controller:c,vns3_version:6.0.2"]);
    expect(second.summary.health).toEqual([{ controller: "c", state: "unavailable", reason: "http_error: HTTP 404" }]);
    expect(second.memory.get("c")).toMatchObject({ uptimeSeconds: 100, vns3Version: "6.0.2" });
  });

  it("sends one reboot event when uptime went down, and none while it grows", () => {
    const first = build(reading([], { ok: true, status: { uptimeSeconds: 263155 } }));
    const growing = build(reading([], { ok: true, status: { uptimeSeconds: 263215 } }), first.memory, undefined, TS + 60);
    expect(growing.events).toEqual([]);
    const rebooted = build(reading([], { ok: true, status: { uptimeSeconds: 42 } }), growing.memory, undefined, TS + 120);
    expect(rebooted.events).toEqual([
      {
        title: "controller rebooted",
        text: "VNS3 controller c (environment p) rebooted: uptime 42 s, was 263215 s at the previous check.",
        tags: ["vpn_environment:p", "controller:c"],
        alertType: "info",
        aggregationKey: "vns3-controller-rebooted:c",
        controller: "c",
      },
    ]);
    expect(rebooted.summary.health).toEqual([{ controller: "c", state: "read", status: { uptimeSeconds: 42 }, rebooted: true }]);
    expect(rebooted.summary.eventsSuppressed).toBe(0);
  });

  it("tags a tunnel without an endpoint name with endpoint-<id>, else unnamed", () => {
    const report = build(reading([tunnel({}, { endpointName: undefined }), tunnel({}, { id: "6", description: "x", endpointName: undefined, endpointId: undefined })]), undefined, []);
    expect(report.series.filter((s) => s.metric === "vpn.tunnel.status").map((s) => s.tags.at(-1))).toEqual(["endpoint:endpoint-5", "endpoint:unnamed"]);
  });
});
