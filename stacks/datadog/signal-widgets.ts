/**
 * The environment dashboard's widgets for the checker's signal groups (contract/signals.ts), as
 * plain v1 dashboard JSON: traffic and re-establishments per tunnel, phase state, and a controller
 * health row with disk, inodes, memory, uptime and days left, with the `controller rebooted` events
 * as an overlay. Only widgets for enabled groups. Pure: no cdktf here.
 */
import { EVENT_TITLES, METRICS, TAG_KEYS } from "../../contract/metrics";
import type { SignalGroup } from "../../contract/signals";

import { group, queryTable, RED_WHEN_DOWN, timeseries as graph, type Widget } from "./widgets";

/** The signal graphs show their legend: one line or bar per tunnel or controller. */
const timeseries = (title: string, query: string, displayType: "line" | "bars", events?: readonly Widget[]): Widget =>
  graph(title, query, displayType, { showLegend: true, ...(events === undefined ? {} : { events }) });

/** What the signal widgets need: the environment and the groups that are on. */
export interface SignalWidgetsInput {
  readonly environment: string;
  readonly enabled: ReadonlySet<SignalGroup>;
  /**
   * With the push path on (docs/push.md): the event search of the controllers' pushed tunnel
   * drops and recoveries, overlaid on the re-establishment graph, so a drop shorter than a check
   * shows beside the SA replacement it caused. @default no overlay
   */
  readonly pushTunnelEvents?: string;
}

/**
 * The event overlay query: the checker's reboot events of this environment, by title and the
 * `vpn_environment` tag it puts on every event (`WidgetEvent.q` in the v1 dashboard model).
 */
export function rebootEventQuery(environment: string): string {
  return `tags:${TAG_KEYS.environment}:${environment} "${EVENT_TITLES.controllerRebooted}"`;
}

const percentFormats = (warning: number) => [
  { comparator: ">=", value: warning, palette: "white_on_yellow" },
  { comparator: "<", value: warning, palette: "white_on_green" },
];
const daysFormats = [
  { comparator: "<=", value: 7, palette: "white_on_red" },
  { comparator: "<=", value: 30, palette: "white_on_yellow" },
  { comparator: ">", value: 30, palette: "white_on_green" },
];

/** Thresholds the health and expiry columns colour by (the monitors' warning thresholds). */
export interface SignalWidgetThresholds {
  readonly diskUsedPct: number;
  readonly inodeUsedPct: number;
  readonly memoryUsedPct: number;
}

/** The signal groups' dashboard groups, in the order traffic, phase, controller health. */
export function signalWidgets(input: SignalWidgetsInput, thresholds: SignalWidgetThresholds = { diskUsedPct: 90, inodeUsedPct: 90, memoryUsedPct: 90 }): Widget[] {
  const scope = `{${TAG_KEYS.environment}:${input.environment}}`;
  const { tunnel, controller } = TAG_KEYS;
  const reboots = [{ q: rebootEventQuery(input.environment), tags_execution: "and" }];
  const widgets: Widget[] = [];
  if (input.enabled.has("traffic")) {
    widgets.push(
      group("Traffic", [
        timeseries("Inbound bytes per tunnel (per check)", `sum:${METRICS.tunnelBytesIn}${scope} by {${tunnel}}.as_count()`, "bars"),
        timeseries("Outbound bytes per tunnel (per check)", `sum:${METRICS.tunnelBytesOut}${scope} by {${tunnel}}.as_count()`, "bars"),
        timeseries(
          input.pushTunnelEvents === undefined ? "Unexpected re-establishments per tunnel" : "Unexpected re-establishments per tunnel, pushed tunnel drops as events",
          `sum:${METRICS.tunnelReestablished}${scope} by {${tunnel}}.as_count()`,
          "bars",
          input.pushTunnelEvents === undefined ? undefined : [{ q: input.pushTunnelEvents, tags_execution: "and" }],
        ),
      ]),
    );
  }
  if (input.enabled.has("phase")) {
    widgets.push(
      group("Phase state", [
        queryTable("IKE phase 1 and IPsec phase 2 (1 up, 0 not), down first", "asc", [
          { name: "phase1", query: `min:${METRICS.tunnelPhase1}${scope} by {${tunnel},${controller}}`, alias: "phase 1", formats: RED_WHEN_DOWN },
          { name: "phase2", query: `min:${METRICS.tunnelPhase2}${scope} by {${tunnel},${controller}}`, alias: "phase 2", formats: RED_WHEN_DOWN },
        ]),
      ]),
    );
  }
  const health = input.enabled.has("health");
  const expiry = input.enabled.has("expiry");
  if (health || expiry) {
    const by = ` by {${controller}}`;
    const columns = [
      ...(health
        ? [
            { name: "disk", query: `max:${METRICS.controllerDiskUsed}${scope}${by}`, alias: "disk %", formats: percentFormats(thresholds.diskUsedPct) },
            { name: "inodes", query: `max:${METRICS.controllerInodeUsed}${scope}${by}`, alias: "inodes %", formats: percentFormats(thresholds.inodeUsedPct) },
            { name: "memory", query: `max:${METRICS.controllerMemoryUsed}${scope}${by}`, alias: "memory %", formats: percentFormats(thresholds.memoryUsedPct) },
            { name: "uptime", query: `min:${METRICS.controllerUptime}${scope}${by}`, alias: "uptime (s)", formats: [] },
          ]
        : []),
      ...(expiry
        ? [
            { name: "cert", query: `min:${METRICS.controllerCertDaysLeft}${scope}${by}`, alias: "certificate days left", formats: daysFormats },
            { name: "credential", query: `min:${METRICS.controllerCredentialDaysLeft}${scope}${by}`, alias: "credential days left", formats: daysFormats },
          ]
        : []),
    ];
    widgets.push(
      group("Controller health", [
        queryTable("Controller health and days left", health ? "desc" : "asc", columns),
        ...(health
          ? [timeseries("Uptime per controller (s), reboots as events", `min:${METRICS.controllerUptime}${scope}${by}`, "line", reboots)]
          : []),
      ]),
    );
  }
  return widgets;
}
