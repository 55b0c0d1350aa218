/**
 * What the signal monitors (stacks/constructs/monitors/signal-queries.ts) would open right now,
 * from the series one check produced: the ones a single check can tell, controller disk, inodes
 * and memory, and certificate and credential days left, each per controller at its level
 * (warning or critical) and with the maintenance window that would mute it. Pure, like
 * alert-preview.ts beside it.
 *
 * Not previewed, because one check cannot tell them: traffic silence (N minutes without an inbound
 * byte) and re-establishments (K within an hour). `npm run check` shows their raw values in its
 * table.
 */
import { METRICS, TAG_KEYS } from "../../contract/metrics";
import type { MaintenanceWindow } from "../../contract/definition/operations-schema";
import type { SignalsDefinition } from "../../contract/definition/signals-schema";
import { environmentTag } from "../datadog/operations";
import { MISSING_GROUP_VALUE, mutingWindow, type PreviewSeries } from "./alert-preview";

/** What the signal preview needs of a definition. */
export interface SignalPreviewInput {
  readonly definition: {
    readonly name: string;
    readonly signals: Pick<SignalsDefinition, "health" | "expiry">;
    /** @default [] */
    readonly maintenance?: readonly MaintenanceWindow[];
  };
  readonly series: readonly PreviewSeries[];
  readonly now: Date;
}

export type SignalPreviewMonitor = "disk" | "inodes" | "memory" | "certificate" | "credential";

/** One alert a signal monitor would open. */
export interface SignalPreviewAlert {
  readonly monitor: SignalPreviewMonitor;
  /** `controller:<name>`, the monitor's group. */
  readonly group: string;
  readonly level: "warning" | "critical";
  /** The value this check sent (percent or days). */
  readonly value: number;
  /** @default not muted */
  readonly mutedBy?: string;
}

interface Rule {
  readonly monitor: SignalPreviewMonitor;
  readonly metric: string;
  readonly level: (value: number) => SignalPreviewAlert["level"] | undefined;
}

function rules(signals: SignalPreviewInput["definition"]["signals"]): Rule[] {
  const percent = (warning: number) => (v: number) => (v >= 100 ? "critical" : v >= warning ? "warning" : undefined);
  const days = (v: number) => (v <= signals.expiry.criticalDays ? "critical" : v <= signals.expiry.warningDays ? "warning" : undefined);
  return [
    ...(signals.health.enabled
      ? [
          { monitor: "disk", metric: METRICS.controllerDiskUsed, level: percent(signals.health.diskUsedPct) },
          { monitor: "inodes", metric: METRICS.controllerInodeUsed, level: percent(signals.health.inodeUsedPct) },
          { monitor: "memory", metric: METRICS.controllerMemoryUsed, level: percent(signals.health.memoryUsedPct) },
        ]
      : []),
    ...(signals.expiry.enabled
      ? [
          { monitor: "certificate", metric: METRICS.controllerCertDaysLeft, level: days },
          { monitor: "credential", metric: METRICS.controllerCredentialDaysLeft, level: days },
        ]
      : []),
  ] as Rule[];
}

/** The signal alerts that would open now, in monitor order, then by controller. */
export function previewSignalAlerts(input: SignalPreviewInput): SignalPreviewAlert[] {
  const env = environmentTag(input.definition.name);
  const windows = input.definition.maintenance ?? [];
  const all = rules(input.definition.signals);
  const alerts: SignalPreviewAlert[] = [];
  for (const rule of all) {
    // Per controller the monitor's space aggregation: `max` for percentages, `min` for days left.
    const worst = new Map<string, number>();
    for (const s of input.series) {
      if (s.metric !== rule.metric || !Number.isFinite(s.value)) continue;
      const prefix = `${TAG_KEYS.controller}:`;
      const group = s.tags.find((t) => t.startsWith(prefix)) ?? `${prefix}${MISSING_GROUP_VALUE}`;
      const before = worst.get(group);
      const days = rule.monitor === "certificate" || rule.monitor === "credential";
      worst.set(group, before === undefined ? s.value : days ? Math.min(before, s.value) : Math.max(before, s.value));
    }
    for (const [group, value] of [...worst].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const level = rule.level(value);
      if (level === undefined) continue;
      const mutedBy = mutingWindow(windows, [env, group], input.now);
      alerts.push({ monitor: rule.monitor, group, level, value, ...(mutedBy === undefined ? {} : { mutedBy }) });
    }
  }
  return alerts;
}

/** Lines for the terminal, e.g. `disk        controller:vns3-a  warning: 95`. */
export function formatSignalAlertPreview(alerts: readonly SignalPreviewAlert[]): string[] {
  return alerts.map((a) => {
    const unit = a.monitor === "certificate" || a.monitor === "credential" ? " days left" : "%";
    return `${a.monitor.padEnd(11)} ${a.group}  ${a.level}: ${a.value}${unit}${a.mutedBy === undefined ? "" : `  (muted by maintenance "${a.mutedBy}")`}`;
  });
}
