/**
 * The text `npm run check` prints: one table per controller (its tunnels as the controller
 * reported them), then exactly what goes, or would go, to Datadog. Pure: data in, lines out.
 */
import type { CheckEvent, ControllerReading, MetricSeries } from "../../handler/core";
import { unmatchedSubnets } from "../../handler/core";
import type { ControllerConfig } from "../../handler/config";

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

/** One controller: a header line, its state, and its tunnel table (or why it could not be read). */
export function controllerSection(controller: ControllerConfig, reading: ControllerReading | undefined, credentialSource: string | undefined): string[] {
  const header = `Controller ${controller.name}  ${controller.host}:${controller.port}${credentialSource !== undefined ? `  credentials: ${credentialSource}` : ""}`;
  if (reading === undefined) return [header, "  not read"];
  const took = reading.durationMs !== undefined ? ` in ${reading.durationMs} ms` : "";
  if (!reading.up) return [header, `  DOWN (${reading.reason})${took}: ${reading.detail}`];
  const lines = [header, `  up: ${reading.tunnels.length} tunnel${reading.tunnels.length === 1 ? "" : "s"}, read${took}`];
  if (reading.tunnels.length > 0) {
    const rows = [["TUNNEL", "DESCRIPTION", "STATUS", "ENDPOINT", "REMOTE SUBNET", "PHASE 1", "PHASE 2"]];
    for (const t of [...reading.tunnels].sort(byId)) {
      rows.push([t.id, t.description || "-", t.connected ? "connected" : "DOWN", t.endpointName ?? "-", t.remoteSubnet ?? "-", t.phase1 ?? "-", t.phase2 ?? "-"]);
    }
    lines.push(...table(rows));
  }
  if (reading.subnets.ok) {
    const unmatched = unmatchedSubnets(reading.tunnels, reading.subnets.subnets);
    lines.push(
      `  Connected subnets: ${reading.subnets.subnets.length} read, ${unmatched.length} not carried by any tunnel${unmatched.length > 0 ? ` (${unmatched.map((s) => s.network).join(", ")})` : ""}`,
    );
  } else {
    lines.push(`  Connected subnets: not read (${reading.subnets.reason}: ${reading.subnets.detail}); no unmatched-subnet check for this controller`);
  }
  return lines;
}

/** The series and events as Datadog receives them: one line each. */
export function datadogSection(series: readonly MetricSeries[], events: readonly CheckEvent[]): string[] {
  const lines: string[] = [];
  const timestamp = series[0]?.points[0]?.timestamp;
  lines.push(`  POST /api/v2/series: ${series.length} gauge series (type 3)${timestamp !== undefined ? `, all at timestamp ${timestamp}` : ""}`);
  const rows = [["METRIC", "VALUE", "TAGS"]];
  for (const s of series) rows.push([s.metric, s.points.map((p) => String(p.value)).join(","), s.tags.join(",")]);
  lines.push(...table(rows, "    "));
  if (events.length === 0) {
    lines.push("  POST /api/v1/events: none");
  } else {
    lines.push(`  POST /api/v1/events: ${events.length} event${events.length === 1 ? "" : "s"} (alert_type warning)`);
    for (const e of events) lines.push(`    ${e.title}  [${e.tags.join(",")}] aggregation_key ${e.aggregationKey}`);
  }
  return lines;
}
