import { environmentMonthlyCost } from "../../bench/cost";
import { signalTimeseries } from "../../bench/cost-signals";

describe("signal timeseries in the cost estimate", () => {
  it("counts 3 traffic and 2 phase series per tunnel, 4 health and 2 expiry series per controller", () => {
    expect(signalTimeseries(150, 5)).toEqual({ perGroup: { traffic: 450, phase: 300, health: 20, expiry: 10 }, total: 780 });
  });

  it("counts nothing for a group that is off", () => {
    expect(signalTimeseries(30, 5, new Set(["health"]))).toEqual({ perGroup: { traffic: 0, phase: 0, health: 20, expiry: 0 }, total: 20 });
  });

  it("adds the default groups to the Datadog column of an environment of 5 controllers and 30 tunnels", () => {
    const base = { environments: 1, controllers: 5, tunnels: 30, durationMs: 218, memoryMb: 512 };
    expect(environmentMonthlyCost({ ...base, signalGroups: new Set() }).timeseries).toBe(42);
    expect(environmentMonthlyCost(base).timeseries).toBe(42 + 90 + 60 + 20 + 10);
    expect(environmentMonthlyCost(base).datadogUsd).toBeCloseTo(222 * 0.05, 10);
  });
});
