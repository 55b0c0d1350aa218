/**
 * The text `npm run check` prints: one table per controller (its tunnels as the controller
 * reported them), the checker's own summary, the alerts the monitors would open now, then exactly
 * what goes, or would go, to Datadog. Pure: data in, lines out. Everything a controller sent (ids,
 * descriptions, endpoint names, subnets, error details, and tag values made from them) goes
 * through {@link terminalSafe} before it is printed.
 */
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import type { ControllerConfig } from "../../handler/config";
import type { CheckEvent, CheckSummary, ControllerReading, HealthState, MetricSeries, SubnetState, Tunnel, TunnelSignals } from "../../handler/core";
import { tag, tunnelIdTag } from "../../handler/tags";
import type { EnvironmentDefinition } from "../../contract/definition/schema";
import { formatAlertPreview, previewAlerts, unmonitoredSeries, type PreviewAlert } from "../../stacks/operations/alert-preview";
import { formatSignalAlertPreview, previewSignalAlerts, type SignalPreviewAlert } from "../../stacks/operations/signal-alert-preview";
import { MODE_DESCRIPTIONS } from "../shared/monitor-modes";
import { terminalSafe } from "../shared/terminal-text";

/** Longest description or endpoint name shown in a table cell. */
const MAX_CELL = 60;

/** The part of the checker's `CheckSummary` the printout uses. */
export type SummaryInput = Pick<CheckSummary, "controllersUp" | "tunnelsUp" | "tunnelsDown" | "tunnelsDisabled" | "subnets" | "sharedDescriptions" | "sharedEndpointNames">;

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: readonly (readonly string[])[], indent = "  "): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, Array.from(cell).length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - Array.from(cell).length))).join("  ")}`.trimEnd());
}

/** Tunnel ids are usually integers: numeric order when they are. */
function byId(a: { id: string }, b: { id: string }): number {
  const na = Number(a.id);
  const nb = Number(b.id);
  return Number.isFinite(na) && Number.isFinite(nb) && na !== nb ? na - nb : a.id.localeCompare(b.id);
}

const cell = (text: string | undefined) => (text === undefined || text === "" ? "-" : terminalSafe(text, MAX_CELL));

function subnetLine(state: SubnetState | undefined, events: readonly CheckEvent[]): string {
  if (state === undefined) return "  Connected subnets: unknown (not reported)";
  if (state.state === "unknown") return `  Connected subnets: unknown (${terminalSafe(state.reason)}); no unmatched-subnet check for this controller`;
  const listed = events.filter((e) => e.controller === state.controller && e.subnet !== undefined).map((e) => terminalSafe(e.subnet ?? "", 50));
  const more = state.unmatched > listed.length ? `, ${state.unmatched - listed.length} more not listed` : "";
  return `  Connected subnets: ${state.unmatched} not carried by any tunnel${listed.length > 0 ? ` (${listed.join(", ")}${more})` : ""}`;
}

/** What the STATUS column says: a disabled tunnel is neither up nor down (it never pages). */
function status(tunnel: { connected: boolean; enabled?: boolean | undefined }): string {
  if (tunnel.enabled === false) return "disabled";
  return tunnel.connected ? "connected" : "DOWN";
}

/**
 * Bytes of one direction: the delta since the previous check when the checker has one (a warm
 * container), else the current SA's counter, marked as such (a one-off run has no previous check).
 */
function bytesCell(delta: number | undefined, counter: number | undefined): string {
  if (delta !== undefined) return String(delta);
  return counter !== undefined ? `${counter} (SA)` : "-";
}

function signalCells(t: Tunnel, sent: TunnelSignals | undefined): string[] {
  if (t.params === undefined) return [];
  return [bytesCell(sent?.bytesIn, t.params.bytesIn), bytesCell(sent?.bytesOut, t.params.bytesOut), sent?.reestablished !== undefined ? String(sent.reestablished) : "-"];
}

/** The controller's health line: what /api/status/system said, or why it is not known. */
export function healthLine(health: HealthState | undefined): string | undefined {
  if (health === undefined || health.state === "off") return undefined;
  if (health.state === "unavailable") return `  Health: unavailable (${terminalSafe(health.reason, 200)}); the controller still counts as up`;
  const s = health.status;
  const pct = (v: number | undefined) => (v === undefined ? "unknown" : `${v}%`);
  const uptime = s.uptimeSeconds === undefined ? "unknown" : `${s.uptimeSeconds} s (${(s.uptimeSeconds / 86_400).toFixed(1)} days)`;
  const parts = [`uptime ${uptime}`, `disk ${pct(s.diskUsedPct)}`, `inodes ${pct(s.inodeUsedPct)}`, `memory ${pct(s.memoryUsedPct)}`, `VNS3 ${s.vns3Version === undefined ? "unknown" : terminalSafe(s.vns3Version, 40)}`];
  return `  Health: ${parts.join(", ")}${health.rebooted ? "; REBOOTED since the previous check" : ""}`;
}

/** One controller: a header line, its state, its tunnel table (or why it could not be read), its subnets and health. */
export function controllerSection(
  controller: ControllerConfig,
  reading: ControllerReading | undefined,
  credentialSource: string | undefined,
  subnets: SubnetState | undefined,
  events: readonly CheckEvent[] = [],
  signals: { readonly tunnels?: readonly TunnelSignals[]; readonly health?: HealthState } = {},
): string[] {
  const header = `Controller ${controller.name}  ${controller.host}:${controller.port}${credentialSource !== undefined ? `  credentials: ${credentialSource}` : ""}`;
  if (reading === undefined) return [header, "  not read"];
  const took = reading.durationMs !== undefined ? ` in ${reading.durationMs} ms` : "";
  if (!reading.up) return [header, `  DOWN (${reading.reason})${took}: ${terminalSafe(reading.detail)}`];
  const lines = [header, `  up: ${reading.tunnels.length} tunnel${reading.tunnels.length === 1 ? "" : "s"}, read${took}`];
  if (reading.tunnels.length > 0) {
    const traffic = reading.tunnels.some((t) => t.params !== undefined);
    const rows = [["TUNNEL", "DESCRIPTION", "STATUS", "ENDPOINT", "REMOTE SUBNET", "PHASE 1", "PHASE 2", ...(traffic ? ["BYTES IN", "BYTES OUT", "RE-ESTABLISHED"] : [])]];
    for (const t of [...reading.tunnels].sort(byId)) {
      const sent = signals.tunnels?.find((s) => s.controller === reading.controller && s.id === t.id);
      rows.push([cell(t.id), cell(t.description), status(t), cell(t.endpointName), cell(t.remoteSubnet), cell(t.phase1), cell(t.phase2), ...(traffic ? (t.enabled === false ? ["-", "-", "-"] : signalCells(t, sent)) : [])]);
    }
    lines.push(...table(rows));
  }
  lines.push(subnetLine(subnets, events));
  const health = healthLine(signals.health);
  if (health !== undefined) lines.push(health);
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The value of `key` on the series the checker sent for one tunnel (its status or its disabled point). */
function sentTagValue(series: readonly MetricSeries[], controller: string, tunnelId: string, key: string): string | undefined {
  const controllerTag = tag(TAG_KEYS.controller, controller);
  const idTag = tunnelIdTag(tunnelId);
  const sent = series.find((s) => (s.metric === METRICS.tunnelStatus || s.metric === METRICS.tunnelDisabled) && s.tags.includes(controllerTag) && s.tags.includes(idTag));
  const prefix = `${key}:`;
  return sent?.tags.find((t) => t.startsWith(prefix))?.slice(prefix.length);
}

/** ` tagged a, b.` from the values the checker sent, or nothing when none was found. */
function taggedAs(key: string, values: readonly (string | undefined)[]): string {
  const found = values.filter((v): v is string => v !== undefined).map((v) => terminalSafe(`${key}:${v}`, 120));
  return found.length > 0 ? `, so each is tagged with a suffix: ${found.join(", ")}` : "";
}

/**
 * The summary line (from the checker's own summary), the subnets it could not compare, and the
 * warnings about names several tunnels or partners share (each then tagged with a suffix).
 */
export function summarySection(input: {
  readonly controllers: number;
  readonly summary: SummaryInput;
  /** What the checker sent: the suffixed tag values are read from it. */
  readonly series: readonly MetricSeries[];
  /** The readings, to find a tunnel of each shared endpoint. */
  readonly readings: readonly ControllerReading[];
}): { lines: string[]; warnings: string[] } {
  const { summary, series } = input;
  const known = summary.subnets.filter((s): s is Extract<SubnetState, { state: "read" }> => s.state === "read");
  const unknown = summary.subnets.filter((s): s is Extract<SubnetState, { state: "unknown" }> => s.state === "unknown");
  const total = known.reduce((sum, s) => sum + s.unmatched, 0);
  // Never "0 unmatched" for a controller whose subnets were not compared.
  const subnetPart =
    unknown.length === 0
      ? plural(total, "unmatched subnet")
      : known.length === 0
        ? "unmatched subnets unknown"
        : `${plural(total, "unmatched subnet")} on ${known.map((s) => s.controller).join(", ")}, unknown on ${unknown.map((s) => s.controller).join(", ")}`;
  const tunnels = `${plural(summary.tunnelsUp, "tunnel")} connected, ${summary.tunnelsDown} down, ${summary.tunnelsDisabled} disabled`;
  const lines = [`Summary: ${summary.controllersUp} of ${input.controllers} controllers read; ${tunnels}; ${subnetPart}`];
  for (const s of unknown) lines.push(`  subnets of ${s.controller} unknown: ${terminalSafe(s.reason)}`);

  const warnings: string[] = [];
  for (const shared of summary.sharedDescriptions) {
    const who = shared.tunnels.map((t) => `${t.controller} tunnel ${terminalSafe(t.id, 40)}`).join(", ");
    const sent = taggedAs(TAG_KEYS.tunnel, shared.tunnels.map((t) => sentTagValue(series, t.controller, t.id, TAG_KEYS.tunnel)));
    warnings.push(
      `${plural(shared.tunnels.length, "tunnel")} share the description ${terminalSafe(shared.tag, 100)} (${who})${sent}. ` +
        "Give each its own description on the controller, so alerts, dashboards and maintenance windows name them plainly",
    );
  }
  for (const shared of summary.sharedEndpointNames) {
    const who = shared.endpoints.map((e) => `${e.controller} endpoint ${e.endpointId === "" ? "without id" : terminalSafe(e.endpointId, 40)}`).join(", ");
    const sent = taggedAs(
      TAG_KEYS.endpoint,
      shared.endpoints.map((e) => {
        const reading = input.readings.find((r) => r.controller === e.controller);
        const tunnel = reading?.up ? reading.tunnels.find((t) => (t.endpointId ?? "") === e.endpointId) : undefined;
        return tunnel === undefined ? undefined : sentTagValue(series, e.controller, tunnel.id, TAG_KEYS.endpoint);
      }),
    );
    warnings.push(
      `${plural(shared.endpoints.length, "partner endpoint")} share the name ${terminalSafe(shared.tag, 100)} (${who})${sent}. ` +
        "Give each partner its own endpoint name on the controller, so partner alerts and maintenance windows name them plainly",
    );
  }
  return { lines, warnings };
}

/** What the alert preview needs of a definition. */
export type PreviewDefinition = Pick<EnvironmentDefinition, "name" | "maintenance"> & {
  readonly monitor: Pick<EnvironmentDefinition["monitor"], "mode" | "windowMinutes">;
  /** The signal monitors' thresholds. @default no signal alerts previewed */
  readonly signals?: Pick<EnvironmentDefinition["signals"], "health" | "expiry">;
};

/** An alert with every text from a controller (tag values, reasons) escaped for the terminal. */
function escaped(alert: PreviewAlert): PreviewAlert {
  return {
    ...alert,
    group: terminalSafe(alert.group, 120),
    down: alert.down.map((d) => terminalSafe(d, 120)),
    ...(alert.mutedBy !== undefined ? { mutedBy: terminalSafe(alert.mutedBy, 120) } : {}),
  };
}

function escapedSignal(alert: SignalPreviewAlert): SignalPreviewAlert {
  return { ...alert, group: terminalSafe(alert.group, 120), ...(alert.mutedBy !== undefined ? { mutedBy: terminalSafe(alert.mutedBy, 120) } : {}) };
}

/**
 * The alerts the environment's monitors would open if this check's values held for their window,
 * grouped as its mode groups them, and the maintenance window that would mute each at `now`
 * (stacks/operations/alert-preview.ts).
 */
export function alertPreviewSection(definition: PreviewDefinition, series: readonly MetricSeries[], now: Date): string[] {
  const mode = definition.monitor.mode;
  const latest = series.map((s) => ({ metric: s.metric, value: s.points[s.points.length - 1]?.value ?? Number.NaN, tags: s.tags }));
  const alerts = previewAlerts({ definition, series: latest, now });
  const signalLines =
    definition.signals === undefined
      ? []
      : formatSignalAlertPreview(previewSignalAlerts({ definition: { name: definition.name, signals: definition.signals, maintenance: definition.maintenance }, series: latest, now }).map(escapedSignal));
  // A series without the monitor's group-by tag is never evaluated by Datadog: say so, not silently.
  const unmonitored = unmonitoredSeries({ definition, series: latest }).map((name) => `  not monitored in mode ${mode}: ${terminalSafe(name, 160)}`);
  const lines = alerts.length === 0 && signalLines.length > 0 ? signalLines : [...formatAlertPreview(alerts.map(escaped)), ...signalLines];
  return [
    `Alerts the monitors would open if these values held for ${definition.monitor.windowMinutes} minutes (mode ${mode}: ${MODE_DESCRIPTIONS[mode]}), maintenance as of ${now.toISOString()}:`,
    ...lines.map((line) => `  ${line}`),
    ...unmonitored,
  ];
}

/** The series and events as Datadog receives them: one line each. */
export function datadogSection(series: readonly MetricSeries[], events: readonly CheckEvent[]): string[] {
  const lines: string[] = [];
  const timestamp = series[0]?.points[0]?.timestamp;
  const counts = series.filter((s) => s.type === 1).length;
  const kinds = counts === 0 ? `${series.length} gauge series (type 3)` : `${series.length} series (${series.length - counts} gauges type 3, ${counts} counts type 1)`;
  lines.push(`  POST /api/v2/series: ${kinds}${timestamp !== undefined ? `, all at timestamp ${timestamp}` : ""}`);
  const rows = [["METRIC", "VALUE", "TAGS"]];
  for (const s of series) rows.push([s.metric, s.points.map((p) => String(p.value)).join(","), terminalSafe(s.tags.join(","), 600)]);
  lines.push(...table(rows, "    "));
  if (events.length === 0) {
    lines.push("  POST /api/v1/events: none");
  } else {
    const types = [...new Set(events.map((e) => e.alertType))];
    lines.push(`  POST /api/v1/events: ${plural(events.length, "event")} (alert_type ${types.join(", ")})`);
    for (const e of events) lines.push(`    ${terminalSafe(e.title)}  [${terminalSafe(e.tags.join(","), 400)}] aggregation_key ${terminalSafe(e.aggregationKey, 100)}`);
  }
  return lines;
}
