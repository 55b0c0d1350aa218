/**
 * The `signals:` section: documented defaults, and every error naming the file and the field and
 * saying what was expected (contract/definition/signals-schema.ts).
 */
import { validateEnvironment } from "../../../stacks/environment/load";
import type { EnvironmentInput } from "../../../contract/definition/schema";
import { baseDefinition } from "../../helpers/synth";

const FILE = "environments/acme-prod.yaml";

function problems(signals: unknown): string[] {
  const result = validateEnvironment(FILE, { ...baseDefinition(), signals });
  return result.ok ? [] : result.problems;
}

function parsed(signals: EnvironmentInput["signals"]) {
  const result = validateEnvironment(FILE, baseDefinition({ signals }));
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.definition.signals;
}

describe("signals: defaults", () => {
  it("turn every group on with the documented thresholds and no silence monitor", () => {
    expect(parsed(undefined)).toEqual({
      traffic: { enabled: true, reestablished: { perHour: 3, priority: 4 } },
      phase: { enabled: true },
      health: { enabled: true, diskUsedPct: 90, inodeUsedPct: 90, memoryUsedPct: 90 },
      expiry: { enabled: true, warningDays: 30, criticalDays: 7 },
    });
  });

  it("give an opted-in silence monitor 20 minutes and every tunnel", () => {
    expect(parsed({ traffic: { silence: {} } }).traffic.silence).toEqual({ minutes: 20 });
  });

  it("normalize listed tunnels as the checker tags them", () => {
    expect(parsed({ traffic: { silence: { tunnels: ["To Acme #1", "backup"] } } }).traffic.silence!.tunnels).toEqual(["to_acme_1", "backup"]);
  });
});

describe("signals: errors name the field", () => {
  it.each<[string, unknown, string]>([
    ["a silence window Datadog does not take", { traffic: { silence: { minutes: 25 } } }, "signals.traffic.silence.minutes 25 is not a window the silence monitor accepts (expected one of 10, 15, 20, 30, 60, 120, 240, 1440)"],
    ["an unknown grouping", { traffic: { silence: { by: "controller" } } }, 'signals.traffic.silence.by "controller" must be "tunnel" or "partner"'],
    ["tunnels and partners together", { traffic: { silence: { tunnels: ["a"], partners: ["b"] } } }, "signals.traffic.silence.partners cannot be set together with tunnels: list tunnels or partners, not both"],
    ["an empty tunnel list", { traffic: { silence: { tunnels: [] } } }, "signals.traffic.silence.tunnels needs at least one tunnel (leave the field out to watch every one)"],
    ["a tunnel listed twice once normalized", { traffic: { silence: { tunnels: ["To Acme", "to acme"] } } }, "lists a tunnel twice (after normalization as the checker tags it)"],
    ["a tunnel name without letters or digits", { traffic: { silence: { tunnels: ["!!"] } } }, "signals.traffic.silence.tunnels[0] \"!!\" normalizes to an empty tunnel tag: expected a name with letters or digits"],
    ["a re-establishment ticket that would page", { traffic: { reestablished: { priority: 1 } } }, "signals.traffic.reestablished.priority 1 must be 4 or 5 (a low-priority ticket: re-establishments never page)"],
    ["a fractional re-establishment count", { traffic: { reestablished: { perHour: 2.5 } } }, "signals.traffic.reestablished.perHour 2.5 must be a whole number (expected re-establishments per hour, 1-60)"],
    ["a percentage above 100", { health: { diskUsedPct: 120 } }, "signals.health.diskUsedPct 120 must be at most 100 (expected a percentage, 1-100)"],
    ["a switch that is not a boolean", { health: { enabled: "no" } }, 'signals.health.enabled "no" must be true or false'],
    ["a critical expiry not below the warning", { expiry: { warningDays: 10, criticalDays: 10 } }, "signals.expiry.criticalDays 10 must be below warningDays (10): the warning comes first"],
    ["an unknown field", { phase: { enabled: true, threshold: 1 } }, "signals.phase.threshold is not a known field"],
  ])("for %s", (_what, signals, expected) => {
    const found = problems(signals);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`${FILE}: `);
    expect(found[0]).toContain(expected);
  });
});
