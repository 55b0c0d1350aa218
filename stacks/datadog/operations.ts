/**
 * Maintenance windows and the availability SLO as plain data: downtime scopes, the SLO's uptime
 * query (how a window becomes an SLO status correction is contract/definition/slo-corrections.ts). Pure, so the exact strings are tested
 * without synthesizing; the constructs only wire them up.
 */
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import { maintenanceScopeTag, type MaintenanceWindow } from "../../contract/definition/operations-schema";

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

