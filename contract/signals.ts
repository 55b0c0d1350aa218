/**
 * The checker's signal groups beyond `vpn.tunnel.status`: each can be switched off in a
 * definition's `signals:` section (cost, or a controller that lacks the data). The stack passes the
 * enabled groups to the checker as `VPN_SIGNALS`; monitors and dashboard widgets of a group that is
 * off are not created.
 */
import { METRICS } from "./metrics";

export const SIGNAL_GROUPS = ["traffic", "phase", "health", "expiry"] as const;
export type SignalGroup = (typeof SIGNAL_GROUPS)[number];

/** What each group sends. */
export const SIGNAL_GROUP_METRICS: Readonly<Record<SignalGroup, readonly string[]>> = {
  /** SA tracking from `tunnel_params`: byte deltas and unexpected re-establishments. */
  traffic: [METRICS.tunnelBytesIn, METRICS.tunnelBytesOut, METRICS.tunnelReestablished],
  /** IKE phase 1 and IPsec phase 2 state from `tunnel_params`. */
  phase: [METRICS.tunnelPhase1, METRICS.tunnelPhase2],
  /** `/api/status/system`: uptime (and the reboot event), disk, inodes, memory, `vns3_version` tag. */
  health: [METRICS.controllerUptime, METRICS.controllerDiskUsed, METRICS.controllerInodeUsed, METRICS.controllerMemoryUsed],
  /** Days left on the pinned certificate and on the definition's `credentialExpires`. */
  expiry: [METRICS.controllerCertDaysLeft, METRICS.controllerCredentialDaysLeft],
};

/** `VPN_SIGNALS` value: the enabled groups, comma-separated, in {@link SIGNAL_GROUPS} order. */
export function formatSignalGroups(enabled: ReadonlySet<SignalGroup>): string {
  return SIGNAL_GROUPS.filter((g) => enabled.has(g)).join(",");
}

/**
 * Parses `VPN_SIGNALS`. Unset means every group (local runs); an empty string means none. Returns
 * the unknown names so the checker's config parser can report them with the variable name.
 */
export function parseSignalGroups(value: string | undefined): { readonly groups: ReadonlySet<SignalGroup>; readonly unknown: readonly string[] } {
  if (value === undefined) return { groups: new Set(SIGNAL_GROUPS), unknown: [] };
  const names = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const known = (n: string): n is SignalGroup => (SIGNAL_GROUPS as readonly string[]).includes(n);
  return { groups: new Set(names.filter(known)), unknown: names.filter((n) => !known(n)) };
}
