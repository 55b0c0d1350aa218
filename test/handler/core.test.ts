import { buildCheckReport, DOWN_REASONS, tunnelTagValue, unmatchedSubnets, type ControllerReading, type SubnetsReading, type Tunnel } from "../../handler/core";

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
        tags: ["vpn_environment:production", "controller:vns3-a", "tunnel:market_feed_backup", "tunnel_id:2"],
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
    expect(report.summary).toEqual({ controllersUp: 1, controllersDown: 0, tunnelsUp: 1, tunnelsDown: 1, unmatchedSubnets: 0, eventsSuppressed: 0, down: [] });
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
  ];

  it("ignores local_* and remote_manager origins and subnets a tunnel carries", () => {
    const result = unmatchedSubnets(tunnels, [
      { network: "172.16.0.0/24", origin: "local_overlay" },
      { network: "172.17.0.0/24", origin: "local_vlan" },
      { network: "192.168.0.0/24", origin: "remote_manager" },
      { network: "10.40.0.0/24", origin: "ipsec" },
      { network: "10.41.0.0/24", origin: "ipsec" },
      { network: "10.42.0.0/24", origin: "ipsec" },
      { network: "10.43.0.0/24", origin: "bgp" },
    ]);
    expect(result).toEqual([
      { network: "10.42.0.0/24", origin: "ipsec" },
      { network: "10.43.0.0/24", origin: "bgp" },
    ]);
  });

  it("reports a subnet listed twice only once", () => {
    expect(
      unmatchedSubnets(tunnels, [
        { network: "10.42.0.0/24", origin: "ipsec" },
        { network: "10.42.0.0/24 ", origin: "bgp" },
      ]),
    ).toEqual([{ network: "10.42.0.0/24", origin: "ipsec" }]);
  });
});
