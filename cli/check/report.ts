/**
 * The text `npm run check` prints: one table per controller (its tunnels as the controller
 * reported them), a summary, then exactly what goes, or would go, to Datadog. Pure: data in,
 * lines out. Everything a controller sent (ids, descriptions, endpoint names, subnets, error
 * details) goes through {@link terminalSafe} before it is printed.
 */
import type { CheckEvent, ControllerReading, MetricSeries, Tunnel } from "../../handler/core";
import { normalizeTagValue, tag } from "../../handler/tags";
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import type { ControllerConfig } from "../../handler/config";
import { terminalSafe } from "../shared/terminal-text";

/** Longest description or endpoint name shown in a table cell. */
const MAX_CELL = 60;

/**
 * What is known of a controller's connected subnets. `unknown` whenever they were not read or
 * carry no origin: the output then says why, never "0 unmatched".
 */
export type SubnetState =
  | { readonly controller: string; readonly state: "read"; readonly unmatched: number }
  | { readonly controller: string; readonly state: "unknown"; readonly reason: string };

/** Tunnels whose descriptions give the same `tunnel` tag (one monitor group would hide the other). */
export interface SharedDescription {
  readonly tag: string;
  readonly tunnels: readonly { readonly controller: string; readonly id: string }[];
}

/** The counts of a check the summary needs (a subset of the checker's `CheckSummary`). */
export interface SummaryCounts {
  readonly controllersUp: number;
  readonly tunnelsUp: number;
  readonly tunnelsDown: number;
}

/**
 * Subnet states from what a check already produced, for as long as the checker's summary does not
 * carry them: the `vpn.subnet.unmatched` point sent for a controller is its count; a controller
 * not read, a failed subnet read, or no point sent, is `unknown` with the reason.
 */
export function subnetStatesFromCheck(readings: readonly ControllerReading[], series: readonly MetricSeries[]): SubnetState[] {
  return readings.map((reading): SubnetState => {
    if (!reading.up) return { controller: reading.controller, state: "unknown", reason: `controller not read (${reading.reason})` };
    if (!reading.subnets.ok) return { controller: reading.controller, state: "unknown", reason: `${reading.subnets.reason}: ${reading.subnets.detail}` };
    const controllerTag = tag(TAG_KEYS.controller, reading.controller);
    const point = series.find((s) => s.metric === METRICS.subnetUnmatched && s.tags.includes(controllerTag))?.points[0];
    if (point === undefined) return { controller: reading.controller, state: "unknown", reason: `the checker sent no ${METRICS.subnetUnmatched} for it` };
    return { controller: reading.controller, state: "read", unmatched: point.value };
  });
}

/** A description as Datadog normalizes it for a tag (the id when nothing is left), before any suffix. */
function normalizedDescription(tunnel: Tunnel): string {
  return normalizeTagValue(tunnel.description) || normalizeTagValue(tunnel.id);
}

/**
 * Tunnels, over all controllers read, whose descriptions normalize alike: their `tunnel` tags
 * would merge (or need a suffix to stay apart), so the operator should hear about it.
 */
export function sharedDescriptionsFromReadings(readings: readonly ControllerReading[], tagOf: (tunnel: Tunnel) => string = normalizedDescription): SharedDescription[] {
  const byTag = new Map<string, { controller: string; id: string }[]>();
  for (const reading of readings) {
    if (!reading.up) continue;
    for (const tunnel of reading.tunnels) {
      const tag = tagOf(tunnel);
      byTag.set(tag, [...(byTag.get(tag) ?? []), { controller: reading.controller, id: tunnel.id }]);
    }
  }
  return [...byTag].filter(([, tunnels]) => tunnels.length > 1).map(([tag, tunnels]) => ({ tag, tunnels }));
}

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
  const listed = events.filter((e) => e.controller === state.controller).map((e) => terminalSafe(e.subnet, 50));
  const more = state.unmatched > listed.length ? `, ${state.unmatched - listed.length} more not listed` : "";
  return `  Connected subnets: ${state.unmatched} not carried by any tunnel${listed.length > 0 ? ` (${listed.join(", ")}${more})` : ""}`;
}

/** One controller: a header line, its state, its tunnel table (or why it could not be read), its subnets. */
export function controllerSection(
  controller: ControllerConfig,
  reading: ControllerReading | undefined,
  credentialSource: string | undefined,
  subnets: SubnetState | undefined,
  events: readonly CheckEvent[] = [],
): string[] {
  const header = `Controller ${controller.name}  ${controller.host}:${controller.port}${credentialSource !== undefined ? `  credentials: ${credentialSource}` : ""}`;
  if (reading === undefined) return [header, "  not read"];
  const took = reading.durationMs !== undefined ? ` in ${reading.durationMs} ms` : "";
  if (!reading.up) return [header, `  DOWN (${reading.reason})${took}: ${terminalSafe(reading.detail)}`];
  const lines = [header, `  up: ${reading.tunnels.length} tunnel${reading.tunnels.length === 1 ? "" : "s"}, read${took}`];
  if (reading.tunnels.length > 0) {
    const rows = [["TUNNEL", "DESCRIPTION", "STATUS", "ENDPOINT", "REMOTE SUBNET", "PHASE 1", "PHASE 2"]];
    for (const t of [...reading.tunnels].sort(byId)) {
      rows.push([cell(t.id), cell(t.description), t.connected ? "connected" : "DOWN", cell(t.endpointName), cell(t.remoteSubnet), cell(t.phase1), cell(t.phase2)]);
    }
    lines.push(...table(rows));
  }
  lines.push(subnetLine(subnets, events));
  return lines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** The summary and the warnings of a check, from the shapes the checker's summary carries. */
export function summarySection(input: {
  readonly controllers: number;
  readonly counts: SummaryCounts;
  readonly subnets: readonly SubnetState[];
  readonly sharedDescriptions: readonly SharedDescription[];
}): { lines: string[]; warnings: string[] } {
  const { counts, subnets } = input;
  const known = subnets.filter((s): s is Extract<SubnetState, { state: "read" }> => s.state === "read");
  const unknown = subnets.filter((s): s is Extract<SubnetState, { state: "unknown" }> => s.state === "unknown");
  const total = known.reduce((sum, s) => sum + s.unmatched, 0);
  const subnetPart =
    unknown.length === 0
      ? plural(total, "unmatched subnet")
      : known.length === 0
        ? "unmatched subnets unknown"
        : `${plural(total, "unmatched subnet")} on ${known.map((s) => s.controller).join(", ")}, unknown on ${unknown.map((s) => s.controller).join(", ")}`;
  const lines = [`Summary: ${counts.controllersUp} of ${input.controllers} controllers read; ${plural(counts.tunnelsUp, "tunnel")} connected, ${counts.tunnelsDown} down; ${subnetPart}`];
  for (const s of unknown) lines.push(`  subnets of ${s.controller} unknown: ${terminalSafe(s.reason)}`);
  const warnings = input.sharedDescriptions.map((shared) => {
    const tunnels = shared.tunnels.map((t) => `${t.controller} tunnel ${terminalSafe(t.id, 40)}`).join(", ");
    return `${plural(shared.tunnels.length, "tunnel")} share the description ${terminalSafe(shared.tag, 100)} (${tunnels}): give each its own description on the controller, so their alerts and dashboards tell them apart`;
  });
  return { lines, warnings };
}

/** The series and events as Datadog receives them: one line each. */
export function datadogSection(series: readonly MetricSeries[], events: readonly CheckEvent[]): string[] {
  const lines: string[] = [];
  const timestamp = series[0]?.points[0]?.timestamp;
  lines.push(`  POST /api/v2/series: ${series.length} gauge series (type 3)${timestamp !== undefined ? `, all at timestamp ${timestamp}` : ""}`);
  const rows = [["METRIC", "VALUE", "TAGS"]];
  for (const s of series) rows.push([s.metric, s.points.map((p) => String(p.value)).join(","), terminalSafe(s.tags.join(","), 600)]);
  lines.push(...table(rows, "    "));
  if (events.length === 0) {
    lines.push("  POST /api/v1/events: none");
  } else {
    lines.push(`  POST /api/v1/events: ${plural(events.length, "event")} (alert_type warning)`);
    for (const e of events) lines.push(`    ${terminalSafe(e.title)}  [${terminalSafe(e.tags.join(","), 400)}] aggregation_key ${terminalSafe(e.aggregationKey, 100)}`);
  }
  return lines;
}
