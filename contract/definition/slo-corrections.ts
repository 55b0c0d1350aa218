/**
 * How a maintenance window becomes an SLO status correction. Part of the definition's contract:
 * the schema refuses windows past Datadog's correction limits with it, and the availability SLO
 * construct writes the corrections from it, so both read one rule.
 */
import type { MaintenanceWindow } from "./operations-schema";
import { fromWallTime, parseWallTime } from "./time-zones";

/** Parts an SLO correction's rule may use (terraform-provider-datadog docs/resources/slo_correction.md). */
const CORRECTION_RULE_PARTS = ["FREQ", "INTERVAL", "COUNT", "UNTIL"];
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/** The SLO status correction a window becomes, or why it cannot be one. */
export type SloCorrectionPlan =
  | { readonly ok: true; readonly rrule: string; readonly start: number; readonly durationSeconds: number; readonly timezone: string }
  | { readonly ok: false; readonly reason: string };

/**
 * A maintenance window as an SLO status correction, so the minutes of maintenance do not count
 * against availability (muting a monitor does not change an SLO; corrections do). Corrections take
 * only FREQ, INTERVAL, COUNT and UNTIL: a weekly `BYDAY` of the start's own weekday is dropped as
 * redundant; any other rule cannot be expressed and is reported instead.
 */
export function sloCorrectionPlan(window: Pick<MaintenanceWindow, "rrule" | "start" | "timezone" | "durationMinutes">): SloCorrectionPlan {
  const startWall = parseWallTime(window.start);
  const parts = window.rrule.split(";").map((part) => part.split("=") as [string, string]);
  const startDay = WEEKDAYS[(startWall.getUTCDay() + 6) % 7];
  const kept = parts.filter(([key, value]) => {
    if (CORRECTION_RULE_PARTS.includes(key)) return true;
    return !(key === "BYDAY" && parts.some(([k, v]) => k === "FREQ" && v === "WEEKLY") && value === startDay);
  });
  const unsupported = kept.filter(([key]) => !CORRECTION_RULE_PARTS.includes(key)).map(([key]) => key);
  if (unsupported.length > 0) {
    return {
      ok: false,
      reason: `SLO corrections take only ${CORRECTION_RULE_PARTS.join(", ")} (and a weekly BYDAY equal to the start's weekday); this rule also sets ${unsupported.join(", ")}`,
    };
  }
  return {
    ok: true,
    rrule: kept.map((p) => p.join("=")).join(";"),
    start: Math.floor(fromWallTime(startWall, window.timezone).getTime() / 1000),
    durationSeconds: window.durationMinutes * 60,
    timezone: window.timezone,
  };
}
