/** What `npm run check` prints, from the shapes the checker's summary carries (pure). */
import { summarySection, subnetStatesFromCheck } from "../../../cli/check/report";
import type { ControllerReading, MetricSeries } from "../../../handler/core";

const WARNING_TAIL = ": give each its own description on the controller, so their alerts and dashboards tell them apart";

describe("summarySection", () => {
  const counts = { controllersUp: 2, tunnelsUp: 3, tunnelsDown: 1 };

  it("counts unmatched subnets when every controller's subnets were read", () => {
    const out = summarySection({ controllers: 2, counts, subnets: [{ controller: "a", state: "read", unmatched: 1 }, { controller: "b", state: "read", unmatched: 0 }], sharedDescriptions: [] });

    expect(out).toEqual({ lines: ["Summary: 2 of 2 controllers read; 3 tunnels connected, 1 down; 1 unmatched subnet"], warnings: [] });
  });

  it("says unknown, and why, for a controller whose subnets were not read, never 0", () => {
    const out = summarySection({
      controllers: 2,
      counts,
      subnets: [
        { controller: "a", state: "read", unmatched: 0 },
        { controller: "b", state: "unknown", reason: "no origin in the answer (older controller)" },
      ],
      sharedDescriptions: [],
    });

    expect(out.lines).toEqual([
      "Summary: 2 of 2 controllers read; 3 tunnels connected, 1 down; 0 unmatched subnets on a, unknown on b",
      "  subnets of b unknown: no origin in the answer (older controller)",
    ]);
  });

  it("says unknown for the whole environment when no controller's subnets were read", () => {
    const out = summarySection({ controllers: 1, counts: { controllersUp: 1, tunnelsUp: 1, tunnelsDown: 0 }, subnets: [{ controller: "a", state: "unknown", reason: "bad_response: x" }], sharedDescriptions: [] });

    expect(out.lines[0]).toBe("Summary: 1 of 1 controllers read; 1 tunnel connected, 0 down; unmatched subnets unknown");
  });

  it("warns once per shared description, escaping what the controllers sent", () => {
    const out = summarySection({
      controllers: 2,
      counts,
      subnets: [],
      sharedDescriptions: [{ tag: "payments", tunnels: [{ controller: "a", id: "4" }, { controller: "b", id: `9${String.fromCharCode(27)}[2J` }] }],
    });

    expect(out.warnings).toEqual([`2 tunnels share the description payments (a tunnel 4, b tunnel 9\\e[2J)${WARNING_TAIL}`]);
  });
});

describe("subnetStatesFromCheck", () => {
  const point = (controller: string, value: number): MetricSeries => ({ metric: "vpn.subnet.unmatched", type: 3, points: [{ timestamp: 1, value }], tags: ["vpn_environment:lab", `controller:${controller}`] });

  it("reads the count from the point sent, and unknown with the reason otherwise", () => {
    const readings: ControllerReading[] = [
      { controller: "a", up: true, tunnels: [], subnets: { ok: true, subnets: [] } },
      { controller: "b", up: true, tunnels: [], subnets: { ok: false, reason: "bad_response", detail: "no item has a network and an origin" } },
      { controller: "c", up: false, reason: "timeout", detail: "no answer" },
      { controller: "d", up: true, tunnels: [], subnets: { ok: true, subnets: [] } },
    ];

    expect(subnetStatesFromCheck(readings, [point("a", 2)])).toEqual([
      { controller: "a", state: "read", unmatched: 2 },
      { controller: "b", state: "unknown", reason: "bad_response: no item has a network and an origin" },
      { controller: "c", state: "unknown", reason: "controller not read (timeout)" },
      { controller: "d", state: "unknown", reason: "the checker sent no vpn.subnet.unmatched for it" },
    ]);
  });
});
