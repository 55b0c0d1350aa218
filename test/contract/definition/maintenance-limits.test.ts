/**
 * What Datadog refuses or ignores in maintenance windows is refused when the definition is
 * validated, naming the file and field: recurring SLO corrections past Datadog's per-SLO limits
 * (2 daily, 3 weekly, 5 monthly), a scoped window the monitor mode makes mute nothing, and a start
 * that is not in the future when the window is added.
 */
import { validateEnvironment } from "../../../stacks/environment/load";
import type { EnvironmentInput } from "../../../contract/definition/schema";
import { baseDefinition } from "../../helpers/synth";

const FILE = "environments/acme-prod.yaml";
type WindowInput = NonNullable<EnvironmentInput["maintenance"]>[number];

/** A weekly window on its start's weekday (2024-06-02 is a Sunday), so it becomes a correction. */
const weekly = (i: number): WindowInput => ({ name: `weekly ${i}`, rrule: "FREQ=WEEKLY", start: "2024-06-02T01:00", duration: "1h", timezone: "UTC" });
const daily = (i: number): WindowInput => ({ name: `daily ${i}`, rrule: "FREQ=DAILY", start: "2024-06-02T03:00", duration: "30m", timezone: "UTC" });
const monthly = (i: number): WindowInput => ({ name: `monthly ${i}`, rrule: "FREQ=MONTHLY", start: "2024-06-01T22:00", duration: "1h", timezone: "UTC" });

function problems(input: EnvironmentInput, options: Parameters<typeof validateEnvironment>[2] = {}): string[] {
  const result = validateEnvironment(FILE, input, options);
  return result.ok ? [] : result.problems;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("recurring SLO corrections per SLO", () => {
  it.each([
    ["daily", daily, 2],
    ["weekly", weekly, 3],
    ["monthly", monthly, 5],
  ] as const)("accepts exactly the limit of %s windows", (_, make, limit) => {
    expect(problems(baseDefinition({ maintenance: range(limit).map(make) }))).toEqual([]);
  });

  it.each([
    ["daily", daily, 2, "3rd", "maintenance[0], maintenance[1]"],
    ["weekly", weekly, 3, "4th", "maintenance[0], maintenance[1], maintenance[2]"],
    ["monthly", monthly, 5, "6th", "maintenance[0], maintenance[1], maintenance[2], maintenance[3], maintenance[4]"],
  ] as const)("refuses one %s window past the limit at its rrule", (freq, make, limit, nth, earlier) => {
    expect(problems(baseDefinition({ maintenance: range(limit + 1).map(make) }))).toEqual([
      `${FILE}: maintenance[${limit}].rrule "FREQ=${freq.toUpperCase()}" is the ${nth} ${freq} window that becomes an SLO correction; ` +
        `Datadog accepts at most ${limit} ${freq} recurring corrections per SLO (${earlier} already are): merge windows that share a rule, or remove one`,
    ]);
  });

  it("counts each frequency on its own and leaves out windows no correction can express", () => {
    const noCorrection: WindowInput = { ...weekly(9), rrule: "FREQ=WEEKLY;BYDAY=MO,TH" };

    expect(problems(baseDefinition({ maintenance: [...range(3).map(weekly), noCorrection, ...range(2).map(daily)] }))).toEqual([]);
  });
});

describe("a scoped window must mute something", () => {
  const partnerWindow: WindowInput = { ...weekly(0), partner: "acme" };
  const tunnelWindow: WindowInput = { ...weekly(0), tunnel: "to-acme" };

  it.each([
    ["simple", "partner", partnerWindow],
    ["tunnel", "partner", partnerWindow],
    ["simple", "tunnel", tunnelWindow],
    ["partner", "tunnel", tunnelWindow],
  ] as const)("refuses in %s mode a window scoped by %s", (mode, field, window) => {
    const tag = field === "partner" ? "endpoint" : "tunnel";
    expect(problems(baseDefinition({ monitor: { mode }, maintenance: [window] }))).toEqual([
      `${FILE}: maintenance[0].${field} "${field === "partner" ? "acme" : "to-acme"}" mutes nothing in monitor.mode ${mode}: Datadog applies a downtime's scope ` +
        `to the groups of the monitors it selects, and only ${field} mode groups the tunnel alert by ${tag} (the controller monitor is grouped by controller); ` +
        `expected monitor.mode: ${field}, or a window without ${field} (the whole environment) or with controller`,
    ]);
  });

  it("accepts each scope in the mode that groups by it, a controller window in any mode, and the multi alias of tunnel", () => {
    expect(problems(baseDefinition({ monitor: { mode: "partner" }, maintenance: [partnerWindow] }))).toEqual([]);
    expect(problems(baseDefinition({ monitor: { mode: "multi" }, maintenance: [tunnelWindow] }))).toEqual([]);
    expect(problems(baseDefinition({ monitor: { mode: "simple" }, maintenance: [{ ...weekly(0), controller: "vns3-a" }] }))).toEqual([]);
  });
});

describe("a window's start when it is added", () => {
  /** Sunday 2 June 2024, 00:30 UTC: half an hour before the weekly window's first start. */
  const beforeFirst = new Date("2024-06-02T00:30:00Z");
  /** Wednesday 12 June 2024, 10:00 UTC: after two occurrences. */
  const later = new Date("2024-06-12T10:00:00Z");
  const window: WindowInput = { ...weekly(0), timezone: "Europe/Berlin" };

  it("accepts a start in the future", () => {
    // 01:00 in Berlin (UTC+2 in June) is 23:00 UTC the day before: judge just before it.
    expect(problems(baseDefinition({ maintenance: [window] }), { now: new Date("2024-06-01T22:59:00Z") })).toEqual([]);
  });

  it("refuses a start in the past, reading it in the window's time zone and proposing the next occurrence", () => {
    expect(problems(baseDefinition({ maintenance: [window] }), { now: beforeFirst })).toEqual([
      `${FILE}: maintenance[0].start "2024-06-02T01:00" is not in the future (now is 2024-06-02T02:30 in Europe/Berlin): Datadog may refuse a ` +
        `recurrence that starts in the past or move it forward, which Terraform reports as an inconsistent result after apply; ` +
        `expected e.g. the next occurrence, "2024-06-09T01:00"`,
    ]);
    expect(problems(baseDefinition({ maintenance: [window] }), { now: later })[0]).toMatch(/expected e\.g\. the next occurrence, "2024-06-16T01:00"$/);
  });

  it("does not judge a window the environment already has in Datadog, nor any start without a time to judge it at", () => {
    const deployed = (environment: string) => new Set(environment === "acme-prod" ? ["weekly 0"] : []);

    expect(problems(baseDefinition({ maintenance: [window] }), { now: later, deployedWindows: deployed })).toEqual([]);
    expect(problems(baseDefinition({ maintenance: [window] }))).toEqual([]);
  });
});
