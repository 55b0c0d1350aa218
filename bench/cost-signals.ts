/**
 * Custom metric timeseries the checker's signal groups add (contract/signals.ts), per tunnel and
 * per controller. A count is billed like a gauge: one custom metric per metric name and tag set,
 * averaged over the month's hours (Datadog's "Custom Metrics Billing" page, which counts COUNT,
 * RATE and GAUGE with the same logic). The tags of these metrics are 1:1 with a tunnel or a
 * controller, so each adds exactly one timeseries per tunnel or controller.
 */
import { SIGNAL_GROUP_METRICS, SIGNAL_GROUPS, type SignalGroup } from "../contract/signals";

/** Which groups are per tunnel, which per controller. */
const PER: Readonly<Record<SignalGroup, "tunnel" | "controller">> = { traffic: "tunnel", phase: "tunnel", health: "controller", expiry: "controller" };

/** Timeseries of one group for T tunnels on C controllers: its metric count times T or C. */
export function signalGroupTimeseries(group: SignalGroup, tunnels: number, controllers: number): number {
  return SIGNAL_GROUP_METRICS[group].length * (PER[group] === "tunnel" ? tunnels : controllers);
}

/**
 * Timeseries of the enabled groups. Upper bounds: `vpn.controller.credential_days_left` comes only
 * from controllers with `credentialExpires`, and a cold start's first check sends no traffic point.
 * The `vns3_version` tag on `vpn.controller.up` adds none in steady state (one more in a month in
 * which a controller is upgraded); the `controller rebooted` event is an event, not a metric.
 */
export function signalTimeseries(tunnels: number, controllers: number, groups: ReadonlySet<SignalGroup> = new Set(SIGNAL_GROUPS)): { readonly perGroup: Readonly<Record<SignalGroup, number>>; readonly total: number } {
  const perGroup = Object.fromEntries(SIGNAL_GROUPS.map((g) => [g, groups.has(g) ? signalGroupTimeseries(g, tunnels, controllers) : 0])) as Record<SignalGroup, number>;
  return { perGroup, total: Object.values(perGroup).reduce((a, b) => a + b, 0) };
}
