import { z } from "zod";
import { formatFieldPath } from "../../stacks/environment/load";
import {
  downtimeDuration,
  maintenanceSchema,
  operationsIssues,
  parseDurationMinutes,
  sloDefinitionSchema,
} from "../../contract/definition/operations-schema";

/** The two fields as the environment schema will hold them. */
const operations = z.strictObject({ maintenance: maintenanceSchema, slo: sloDefinitionSchema });

/** Every problem as `field message`, the way the loader prints them after the file name. */
function problems(input: unknown): string[] {
  const result = operations.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => `${formatFieldPath(issue.path)} ${issue.message}`);
}

const sunday = { name: "Sunday patching", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2024-06-02T01:00", duration: "2h", timezone: "Europe/Berlin" };
const withWindow = (changes: Record<string, unknown>) => ({ maintenance: [{ ...sunday, ...changes }] });

describe("maintenance windows", () => {
  it("accepts a window and normalizes start, duration, time zone and rule", () => {
    const parsed = operations.parse(withWindow({ rrule: "rrule:freq=weekly;byday=su", duration: "1h30m", timezone: "US/Pacific" }));

    expect(parsed.maintenance).toEqual([
      { name: "Sunday patching", rrule: "FREQ=WEEKLY;BYDAY=SU", start: "2024-06-02T01:00:00", durationMinutes: 90, timezone: "America/Los_Angeles" },
    ]);
  });

  it("defaults to no windows", () => {
    expect(operations.parse({}).maintenance).toEqual([]);
  });

  it.each([
    ["an unknown zone", "Mars/Olympus_Mons"],
    ["an offset", "+01:00"],
    ["an empty string", ""],
  ])("refuses %s as timezone", (_, timezone) => {
    expect(problems(withWindow({ timezone }))).toEqual([
      "maintenance[0].timezone is not an IANA time zone: expected e.g. Europe/Berlin, America/New_York or UTC",
    ]);
  });

  it.each([
    ["FOO=1", 'does not parse at "FOO=1": expected KEY=VALUE parts of RFC 5545 (FREQ, INTERVAL, COUNT, UNTIL, WKST, BYSETPOS, BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYDAY, BYHOUR, BYMINUTE, BYSECOND)'],
    ["FREQ=WEEKLY;BYDAY", 'does not parse at "BYDAY": expected KEY=VALUE parts of RFC 5545 (FREQ, INTERVAL, COUNT, UNTIL, WKST, BYSETPOS, BYMONTH, BYMONTHDAY, BYYEARDAY, BYWEEKNO, BYDAY, BYHOUR, BYMINUTE, BYSECOND)'],
    ["BYDAY=SU", "has no FREQ: expected e.g. FREQ=WEEKLY;BYDAY=SU"],
    ["FREQ=SOMETIMES", "has an unknown FREQ: expected one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY"],
    ["FREQ=MINUTELY;INTERVAL=30", "has FREQ=MINUTELY, which Datadog's downtime schedules do not take: expected one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY"],
    ["freq=secondly", "has FREQ=SECONDLY, which Datadog's downtime schedules do not take: expected one of YEARLY, MONTHLY, WEEKLY, DAILY, HOURLY"],
    ["FREQ=WEEKLY;BYDAY=XX", "has an unknown BYDAY value: expected MO, TU, WE, TH, FR, SA or SU, optionally with an ordinal (1SU, -1FR)"],
    ["FREQ=MONTHLY;INTERVAL=x", "sets INTERVAL to a value that is not an integer"],
    ["FREQ=DAILY;FREQ=WEEKLY", "sets FREQ twice"],
    ["FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=31", "yields no occurrence"],
    // RFC 5545 §3.3.10 ranges: rrule parses these and would quietly never (or wrongly) match.
    ["FREQ=WEEKLY;BYDAY=SU;BYHOUR=25", "sets BYHOUR=25, which no date has: expected 0 to 23 (RFC 5545)"],
    ["FREQ=DAILY;BYMINUTE=60", "sets BYMINUTE=60, which no date has: expected 0 to 59 (RFC 5545)"],
    ["FREQ=YEARLY;BYMONTH=13", "sets BYMONTH=13, which no date has: expected 1 to 12 (RFC 5545)"],
    ["FREQ=MONTHLY;BYMONTHDAY=0", "sets BYMONTHDAY=0, which no date has: expected -31 to -1 or 1 to 31 (RFC 5545)"],
    ["FREQ=MONTHLY;BYMONTHDAY=-32", "sets BYMONTHDAY=-32, which no date has: expected -31 to -1 or 1 to 31 (RFC 5545)"],
    ["FREQ=DAILY;DTSTART=20240101T000000Z", "must not set DTSTART: use the entry's start and duration (Datadog refuses DTSTART, DTEND, DURATION in a rule)"],
    ["FREQ=DAILY;DURATION=PT1H", "must not set DURATION: use the entry's start and duration (Datadog refuses DTSTART, DTEND, DURATION in a rule)"],
    ["", "is empty: expected an RFC 5545 rule such as FREQ=WEEKLY;BYDAY=SU"],
  ])("refuses the rrule %j", (rrule, message) => {
    expect(problems(withWindow({ rrule }))).toEqual([`maintenance[0].rrule ${message}`]);
  });

  it.each([
    ["0h", "must be longer than zero"],
    ["0m", "must be longer than zero"],
    ["-2h", "must be longer than zero (it is negative)"],
    ["2 hours", "is not a duration: expected e.g. 2h, 90m or 1h30m (units w, d, h, m)"],
    ["30m2h", "is not a duration: expected e.g. 2h, 90m or 1h30m (units w, d, h, m)"],
    ["", "is not a duration: expected e.g. 2h, 90m or 1h30m (units w, d, h, m)"],
  ])("refuses the duration %j", (duration, message) => {
    expect(problems(withWindow({ duration }))).toEqual([`maintenance[0].duration ${message}`]);
  });

  it.each(["2024-02-30T01:00", "2024-06-02T24:00", "2024-06-02T01:00Z", "2024-06-02T01:00+02:00", "2024-06-02"])("refuses the start %j", (start) => {
    expect(problems(withWindow({ start }))).toEqual([
      "maintenance[0].start is not a local date-time YYYY-MM-DDTHH:MM[:SS] without offset (the time zone is its own field)",
    ]);
  });

  it("refuses more than one scope, naming the second field", () => {
    expect(problems(withWindow({ partner: "acme", tunnel: "to-acme" }))).toEqual([
      "maintenance[0].tunnel cannot be set together with partner: set at most one of partner, tunnel, controller",
    ]);
    expect(problems(withWindow({ tunnel: "to-acme", controller: "vns3-a" }))).toEqual([
      "maintenance[0].controller cannot be set together with tunnel: set at most one of partner, tunnel, controller",
    ]);
  });

  it("normalizes partner and tunnel names exactly as the checker tags them", () => {
    const parsed = operations.parse({ maintenance: [{ ...sunday, partner: "ACME Corp. (Zürich)" }, { ...sunday, name: "b", tunnel: "To ACME #2" }] });

    expect(parsed.maintenance[0]!.partner).toBe("acme_corp._zürich");
    expect(parsed.maintenance[1]!.tunnel).toBe("to_acme_2");
  });

  it("refuses a partner name that normalizes to nothing", () => {
    expect(problems(withWindow({ partner: "!!!" }))).toEqual(["maintenance[0].partner normalizes to an empty endpoint tag: expected a name with letters or digits"]);
  });

  it("names every missing field and refuses unknown ones", () => {
    const result = operations.safeParse({ maintenance: [{ scope: "x" }] });

    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [formatFieldPath(i.path), i.code])).toEqual([
      ["maintenance[0].name", "invalid_type"],
      ["maintenance[0].rrule", "invalid_type"],
      ["maintenance[0].start", "invalid_type"],
      ["maintenance[0].duration", "invalid_type"],
      ["maintenance[0].timezone", "invalid_type"],
      ["maintenance[0]", "unrecognized_keys"],
    ]);
  });

  it("reports an unknown controller with a suggestion, and a repeated window name", () => {
    const maintenance = operations.parse({ maintenance: [{ ...sunday, controller: "vns3-primry" }, sunday] }).maintenance;

    expect(operationsIssues({ controllers: [{ name: "vns3-primary" }, { name: "vns3-backup" }], maintenance })).toEqual([
      { path: ["maintenance", 0, "controller"], message: 'is not a controller of this environment: expected one of vns3-primary, vns3-backup (did you mean "vns3-primary"?)' },
      { path: ["maintenance", 1, "name"], message: "repeats maintenance[0].name" },
    ]);
  });

  it("writes durations in the single unit Datadog's downtime API takes", () => {
    expect(["2h", "90m", "1h30m", "1d", "1w", "1d2h"].map((d) => downtimeDuration(parseDurationMinutes(d)!))).toEqual(["2h", "90m", "90m", "1d", "1w", "26h"]);
  });
});

describe("slo", () => {
  it("defaults to 99.9 over 30 days", () => {
    expect(operations.parse({}).slo).toEqual({ target: 99.9, timeframe: "30d" });
  });

  it("accepts an override with a warning above the target", () => {
    expect(operations.parse({ slo: { target: 99.5, timeframe: "7d", warning: 99.8 } }).slo).toEqual({ target: 99.5, timeframe: "7d", warning: 99.8 });
  });

  it.each([
    [{ target: 0 }, "slo.target must be above 0 and below 100 (a percentage, e.g. 99.9)"],
    [{ target: 100 }, "slo.target must be above 0 and below 100 (a percentage, e.g. 99.9)"],
    [{ target: 99.9999 }, "slo.target has more than three decimals (Datadog shows target to 0.001)"],
    [{ target: "99.9" }, "slo.target must be a number"],
    [{ timeframe: "1y" }, "slo.timeframe must be one of 7d, 30d, 90d"],
    [{ timeframe: "custom" }, "slo.timeframe must be one of 7d, 30d, 90d"],
    [{ target: 99.9, warning: 99.9 }, "slo.warning must be above target (99.9): Datadog warns before the target is missed"],
    [{ warning: 100 }, "slo.warning must be above 0 and below 100 (a percentage, e.g. 99.9)"],
  ])("refuses %j", (slo, message) => {
    expect(problems({ slo })).toEqual([message]);
  });

  it("refuses unknown SLO fields", () => {
    expect(problems({ slo: { targt: 99 } })).toEqual(['slo Unrecognized key: "targt"']);
  });
});
