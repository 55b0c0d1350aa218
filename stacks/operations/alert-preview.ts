/**
 * What the environment's monitors would open right now, from the series one check produced, and
 * which maintenance window would mute each alert. Pure: `npm run check` passes the series and the
 * clock in and prints the result beside the tunnel table.
 *
 * Grouping follows the monitors: `simple` one group for the environment, `partner` one per
 * `endpoint` tag, `tunnel` (and its alias `multi`) one per `tunnel` tag; the controller monitor one
 * per `controller`. A window without scope mutes every group; a scoped window mutes a group only
 * when the group's own tags carry the scope's tag, as Datadog matches a downtime's group scope
 * against monitor groups (so a partner window does not mute a simple-mode or tunnel-mode group).
 */
import { RRule } from "rrule";
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import { maintenanceScopeTag, type MaintenanceWindow } from "../../contract/definition/operations-schema";
import { environmentTag } from "../datadog/operations";
import { fromWallTime, parseWallTime, toWallTime } from "../../contract/definition/time-zones";

/** Monitor modes, including the `multi` alias of `tunnel`. */
export type PreviewMode = "simple" | "partner" | "tunnel" | "multi";

/** One series as the checker produced it (tags as `key:value`). */
export interface PreviewSeries {
  readonly metric: string;
  readonly value: number;
  readonly tags: readonly string[];
}

export interface AlertPreviewInput {
  readonly definition: {
    readonly name: string;
    readonly monitor: { readonly mode: PreviewMode };
    /** @default [] */
    readonly maintenance?: readonly MaintenanceWindow[];
  };
  readonly series: readonly PreviewSeries[];
  readonly now: Date;
}

/** One alert a monitor would open. */
export interface PreviewAlert {
  readonly monitor: "tunnels" | "controllers";
  /** The group as Datadog names it: `endpoint:acme`, `tunnel:to-acme`, `controller:vns3-a`, or `vpn_environment:<name>` in simple mode. */
  readonly group: string;
  /** What is down in the group: tunnel names, or the controller's reason. */
  readonly down: readonly string[];
  /** Name of the first maintenance window (definition order) that mutes it now. @default not muted */
  readonly mutedBy?: string;
}

/**
 * Group value Datadog's dashboards show for series without a group-by tag. A grouped monitor does
 * not evaluate such a series at all (Datadog's no-data troubleshooting guide, "Tags contain N/A
 * values"; *Configure Monitors*, alert grouping), so the preview opens no group under this value: it
 * lists those series in {@link unmonitoredSeries} instead. The checker sends `endpoint:` with
 * `endpointFallbackTagValue` (contract/metrics.ts) for a tunnel without an endpoint name, so in
 * partner mode that tunnel's group is `endpoint:endpoint-<id>`, or `endpoint:unnamed` without an id.
 */
export const MISSING_GROUP_VALUE = "N/A";

function tagValue(tags: readonly string[], key: string): string | undefined {
  const prefix = `${key}:`;
  const found = tags.find((t) => t.startsWith(prefix));
  return found === undefined ? undefined : found.slice(prefix.length);
}

/** Whether one of the window's occurrences covers `now` (rule read in the window's time zone). */
export function isWindowActive(window: Pick<MaintenanceWindow, "rrule" | "start" | "timezone" | "durationMinutes">, now: Date): boolean {
  const rule = new RRule({ ...RRule.parseString(window.rrule), dtstart: parseWallTime(window.start) });
  const latest = rule.before(toWallTime(now, window.timezone), true);
  if (latest === null) return false;
  const start = fromWallTime(latest, window.timezone).getTime();
  return start <= now.getTime() && now.getTime() < start + window.durationMinutes * 60_000;
}

/** The first window (definition order) that mutes a group with these tags at `now`, if any. */
export function mutingWindow(windows: readonly MaintenanceWindow[], groupTags: readonly string[], now: Date): string | undefined {
  return windows.find((window) => {
    const scoped = maintenanceScopeTag(window);
    return (scoped === undefined || groupTags.includes(scoped)) && isWindowActive(window, now);
  })?.name;
}

function tunnelGroupKey(mode: PreviewMode): string | undefined {
  if (mode === "partner") return TAG_KEYS.endpoint;
  if (mode === "tunnel" || mode === "multi") return TAG_KEYS.tunnel;
  return undefined;
}

/** The alerts the environment's monitors would open now, tunnels first, each sorted by group. */
export function previewAlerts(input: AlertPreviewInput): PreviewAlert[] {
  const { definition, series, now } = input;
  const windows = definition.maintenance ?? [];
  const env = environmentTag(definition.name);
  const groups = new Map<string, { monitor: PreviewAlert["monitor"]; tags: string[]; down: string[] }>();
  const add = (monitor: PreviewAlert["monitor"], tags: string[], what: string) => {
    const key = `${monitor}\u0000${tags[tags.length - 1]}`;
    const group = groups.get(key) ?? { monitor, tags, down: [] };
    if (!group.down.includes(what)) group.down.push(what);
    groups.set(key, group);
  };

  const groupKey = tunnelGroupKey(definition.monitor.mode);
  for (const s of series) {
    if (!(s.value < 1)) continue;
    if (s.metric === METRICS.tunnelStatus) {
      const tunnel = tagValue(s.tags, TAG_KEYS.tunnel) ?? MISSING_GROUP_VALUE;
      if (groupKey === undefined) {
        add("tunnels", [env], tunnel);
        continue;
      }
      // Datadog's rule: a series without the group-by tag is in no group and never alerts.
      const groupValue = tagValue(s.tags, groupKey);
      if (groupValue !== undefined) add("tunnels", [env, `${groupKey}:${groupValue}`], tunnel);
    } else if (s.metric === METRICS.controllerUp) {
      const controller = tagValue(s.tags, TAG_KEYS.controller);
      if (controller !== undefined) add("controllers", [env, `${TAG_KEYS.controller}:${controller}`], tagValue(s.tags, TAG_KEYS.reason) ?? "down");
    }
  }

  return [...groups.values()]
    .map((g) => {
      const mutedBy = mutingWindow(windows, g.tags, now);
      return { monitor: g.monitor, group: g.tags[g.tags.length - 1]!, down: [...g.down].sort(), ...(mutedBy === undefined ? {} : { mutedBy }) };
    })
    .sort((a, b) => (a.monitor !== b.monitor ? (a.monitor === "tunnels" ? -1 : 1) : a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

/**
 * Tunnel and controller series that no grouped monitor evaluates, because they lack its group-by
 * tag (in partner mode `endpoint`, in tunnel mode `tunnel`; the controller monitor `controller`),
 * whatever their value: named by their `tunnel` or `controller` tag, or N/A. With the checker's
 * fallback endpoint this is empty for series the checker produced.
 */
export function unmonitoredSeries(input: Pick<AlertPreviewInput, "definition" | "series">): string[] {
  const groupKey = tunnelGroupKey(input.definition.monitor.mode);
  const names = input.series.flatMap((s) => {
    if (s.metric === METRICS.tunnelStatus && groupKey !== undefined && tagValue(s.tags, groupKey) === undefined) {
      return [`tunnel:${tagValue(s.tags, TAG_KEYS.tunnel) ?? MISSING_GROUP_VALUE} (no ${groupKey} tag)`];
    }
    if (s.metric === METRICS.controllerUp && tagValue(s.tags, TAG_KEYS.controller) === undefined) return [`controller:${MISSING_GROUP_VALUE} (no ${TAG_KEYS.controller} tag)`];
    return [];
  });
  return [...new Set(names)].sort();
}

/** Lines for the terminal, e.g. `tunnels  endpoint:acme  down: to-acme-1, to-acme-2  (muted by "Sunday patching")`. */
export function formatAlertPreview(alerts: readonly PreviewAlert[]): string[] {
  if (alerts.length === 0) return ["No alert would open now."];
  return alerts.map(
    (a) => `${a.monitor.padEnd(11)} ${a.group}  down: ${a.down.join(", ")}${a.mutedBy === undefined ? "" : `  (muted by maintenance "${a.mutedBy}")`}`,
  );
}
