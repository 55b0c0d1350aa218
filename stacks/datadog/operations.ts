/**
 * Maintenance windows and the availability SLO as plain data: downtime scopes, the SLO's uptime
 * query, and how a window becomes an SLO status correction. Pure, so the exact strings are tested
 * without synthesizing; the constructs only wire them up.
 */
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import { maintenanceScopeTag, type MaintenanceWindow } from "../environment/operations-schema";
import { fromWallTime, parseWallTime } from "./time-zones";

/** `vpn_environment:<name>`: the tag every monitor of the environment carries and every series is sent with. */
export function environmentTag(environment: string): string {
  return `${TAG_KEYS.environment}:${environment}`;
}

/**
 * A tag as a term of Datadog's search syntax (the downtime scope): characters the syntax reserves
 * are escaped with a backslash. Normalized tag values can still hold `:` and `/`.
 */
function scopeTerm(tag: string): string {
  const colon = tag.indexOf(":");
  const value = tag.slice(colon + 1).replace(/([:/\\"()[\]{}*?~!^+=<>&|]|^-)/g, "\\$1");
  return `${tag.slice(0, colon)}:${value}`;
}

/** The downtime's scope: the environment, and the window's partner, tunnel or controller when given. */
export function maintenanceScope(environment: string, window: Pick<MaintenanceWindow, "partner" | "tunnel" | "controller">): string {
  const scoped = maintenanceScopeTag(window);
  return [environmentTag(environment), ...(scoped === undefined ? [] : [scoped])].map(scopeTerm).join(" AND ");
}

/** The text Datadog shows with the downtime. */
export function maintenanceMessage(environment: string, window: Pick<MaintenanceWindow, "name" | "partner" | "tunnel" | "controller">): string {
  const scoped = maintenanceScopeTag(window);
  return `Maintenance window "${window.name}" of VPN environment ${environment}${scoped === undefined ? "" : ` (${scoped})`}, managed by cdktf.`;
}

/**
 * The SLO's uptime query: the lowest status over every enabled tunnel of the environment. A
 * minute is up when it is 1, i.e. every tunnel that reported was connected.
 */
export function availabilityQuery(environment: string): string {
  return `min:${METRICS.tunnelStatus}{${environmentTag(environment)}}`;
}

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
