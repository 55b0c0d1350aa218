/**
 * The pure core of the checker: what the controllers answered → the metric series and events to
 * send, plus a summary. No I/O, no clock: everything comes in as arguments.
 */
import { createHash } from "node:crypto";
import { METRICS, type DownReason } from "../contract/metrics";
import { normalizeTagValue, tag } from "./tags";

export { DOWN_REASONS, METRICS, type DownReason } from "../contract/metrics";

/** Datadog v2 intake type of a gauge. */
export const GAUGE_TYPE = 3;

/** Most unmatched-subnet events sent per invocation; the gauge still counts all of them. */
export const DEFAULT_MAX_EVENTS = 25;

/** One IPsec tunnel as the controller reported it. */
export interface Tunnel {
  /** Tunnel id (the key in /api/status/ipsec). */
  readonly id: string;
  /** Free-text description; may be empty. */
  readonly description: string;
  /** Whether a phase-2 security association exists. */
  readonly connected: boolean;
  /** Name of the remote endpoint, when reported. */
  readonly endpointName?: string;
  /** Remote subnet the tunnel carries, when reported. */
  readonly remoteSubnet?: string;
  /** IKE phase 1 / phase 2 state from `tunnel_params`: only with `tunnelDetails` (the CLI's table); never tagged or sent. */
  readonly phase1?: string;
  readonly phase2?: string;
}

/** One entry of /api/status/connected_subnets. */
export interface ConnectedSubnet {
  /** CIDR, e.g. "10.40.0.0/24". */
  readonly network: string;
  /** Where the controller learned it, e.g. "local_overlay", "remote_manager", "ipsec". */
  readonly origin: string;
}

/** Result of reading connected subnets (a failure here never hides tunnel statuses). */
export type SubnetsReading =
  | { readonly ok: true; readonly subnets: readonly ConnectedSubnet[] }
  | { readonly ok: false; readonly reason: DownReason; readonly detail: string };

/** What one controller answered. `detail` is a short human text that never contains a secret. */
export type ControllerReading =
  | {
      readonly controller: string;
      readonly up: true;
      readonly tunnels: readonly Tunnel[];
      readonly subnets: SubnetsReading;
      /** Time spent reading, for logs. */
      readonly durationMs?: number;
    }
  | {
      readonly controller: string;
      readonly up: false;
      readonly reason: DownReason;
      readonly detail: string;
      /** Time spent reading, for logs. */
      readonly durationMs?: number;
    };

/** One point of a series. */
export interface MetricPoint {
  /** Unix seconds. */
  readonly timestamp: number;
  readonly value: number;
}

/** One gauge series in the Datadog v2 intake shape. */
export interface MetricSeries {
  readonly metric: string;
  readonly type: typeof GAUGE_TYPE;
  readonly points: readonly MetricPoint[];
  readonly tags: readonly string[];
}

/** A Datadog event in the v1 events intake shape (subset we use). */
export interface CheckEvent {
  readonly title: string;
  readonly text: string;
  readonly tags: readonly string[];
  readonly alertType: "warning";
  /** Groups repeats of the same finding (one per controller + subnet). */
  readonly aggregationKey: string;
  readonly controller: string;
  readonly subnet: string;
}

/** Counts for the summary log line and the handler's return value. */
export interface CheckSummary {
  readonly controllersUp: number;
  readonly controllersDown: number;
  readonly tunnelsUp: number;
  readonly tunnelsDown: number;
  /** Unmatched subnets over all controllers whose subnets could be read. */
  readonly unmatchedSubnets: number;
  /** Unmatched subnets left without an event because of the per-invocation cap. */
  readonly eventsSuppressed: number;
  /** The controllers that are down, with their reason. */
  readonly down: readonly { readonly controller: string; readonly reason: DownReason }[];
}

/** Everything one check produces. */
export interface CheckReport {
  readonly series: readonly MetricSeries[];
  readonly events: readonly CheckEvent[];
  readonly summary: CheckSummary;
}

/** Input of {@link buildCheckReport}. */
export interface BuildReportInput {
  /** Value of the vpn_environment tag (normalized here). */
  readonly environment: string;
  /** One reading per controller, in configuration order. */
  readonly readings: readonly ControllerReading[];
  /** Unix seconds stamped on every point. */
  readonly timestamp: number;
  /** Cap on events. @default 25 */
  readonly maxEvents?: number;
}

/** The `tunnel` tag value: normalized description, or the tunnel id when that comes out empty. */
export function tunnelTagValue(tunnel: Pick<Tunnel, "id" | "description">): string {
  const max = 200 - "tunnel:".length;
  // "unnamed" only if the id itself normalizes to nothing (ids are integers in practice).
  return normalizeTagValue(tunnel.description, max) || normalizeTagValue(tunnel.id, max) || "unnamed";
}

/** Tags of one tunnel's `vpn.tunnel.status` series. */
export function tunnelTags(environment: string, controller: string, tunnel: Tunnel): string[] {
  const tags = [
    tag("vpn_environment", environment),
    tag("controller", controller),
    `tunnel:${tunnelTagValue(tunnel)}`,
    tag("tunnel_id", tunnel.id),
  ];
  const endpoint = tunnel.endpointName === undefined ? "" : normalizeTagValue(tunnel.endpointName, 200 - "endpoint:".length);
  if (endpoint !== "") tags.push(`endpoint:${endpoint}`);
  return tags;
}

/** Whether a connected subnet is one the tunnels are expected to carry (original checker's rule). */
export function isRemoteSubnet(subnet: ConnectedSubnet): boolean {
  return !subnet.origin.startsWith("local_") && subnet.origin !== "remote_manager";
}

function canonicalNetwork(network: string): string {
  return network.trim().toLowerCase();
}

/**
 * Subnets the controller knows (origin neither `local_*` nor `remote_manager`) that no tunnel's
 * `remote_subnet` carries. Compared as trimmed, lowercased strings; duplicates reported once.
 */
export function unmatchedSubnets(tunnels: readonly Tunnel[], subnets: readonly ConnectedSubnet[]): ConnectedSubnet[] {
  const carried = new Set(tunnels.flatMap((t) => (t.remoteSubnet === undefined ? [] : [canonicalNetwork(t.remoteSubnet)])));
  const seen = new Set<string>();
  const out: ConnectedSubnet[] = [];
  for (const subnet of subnets) {
    const key = canonicalNetwork(subnet.network);
    if (key === "" || !isRemoteSubnet(subnet) || carried.has(key) || seen.has(key)) continue;
    seen.add(key);
    out.push(subnet);
  }
  return out;
}

/** Tunnel ids are usually integers: order them numerically when they are, for stable output. */
function compareTunnelIds(a: Tunnel, b: Tunnel): number {
  const na = Number(a.id);
  const nb = Number(b.id);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function gauge(metric: string, value: number, timestamp: number, tags: readonly string[]): MetricSeries {
  return { metric, type: GAUGE_TYPE, points: [{ timestamp, value }], tags };
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Datadog caps aggregation keys at 100 characters: hash the long ones so they stay distinct. */
function aggregationKey(controller: string, network: string): string {
  const key = `vns3-unmatched-subnet:${normalizeTagValue(controller)}:${canonicalNetwork(network)}`;
  return key.length <= 100 ? key : `vns3-unmatched-subnet:${createHash("sha256").update(key).digest("hex").slice(0, 64)}`;
}

function unmatchedEvent(environment: string, controller: string, subnet: ConnectedSubnet): CheckEvent {
  const network = subnet.network.trim();
  return {
    title: truncate(`VNS3 subnet ${network} not carried by any tunnel on ${controller}`, 100),
    text: truncate(
      `Subnet ${network} (origin: ${subnet.origin}) is connected on VNS3 controller ${controller} ` +
        `(environment ${environment}), but no IPsec tunnel's remote_subnet carries it.`,
      4000,
    ),
    tags: [tag("vpn_environment", environment), tag("controller", controller)],
    alertType: "warning",
    aggregationKey: aggregationKey(controller, network),
    controller,
    subnet: network,
  };
}

/**
 * Turn controller readings into series, events and a summary.
 * - `vpn.controller.up` per controller: 1, or 0 with `reason:<kind>`.
 * - `vpn.tunnel.status` per tunnel of an up controller: 1 connected, 0 not.
 * - `vpn.subnet.unmatched` per up controller whose subnets were read (absent when that read failed:
 *   a 0 would claim "all carried" without knowing).
 * - one warning event per unmatched subnet, at most `maxEvents`.
 */
export function buildCheckReport(input: BuildReportInput): CheckReport {
  const { environment, readings, timestamp } = input;
  const maxEvents = input.maxEvents ?? DEFAULT_MAX_EVENTS;
  const series: MetricSeries[] = [];
  const allEvents: CheckEvent[] = [];
  let tunnelsUp = 0;
  let tunnelsDown = 0;
  const down: { controller: string; reason: DownReason }[] = [];

  for (const reading of readings) {
    const base = [tag("vpn_environment", environment), tag("controller", reading.controller)];
    if (!reading.up) {
      down.push({ controller: reading.controller, reason: reading.reason });
      series.push(gauge(METRICS.controllerUp, 0, timestamp, [...base, `reason:${reading.reason}`]));
      continue;
    }
    series.push(gauge(METRICS.controllerUp, 1, timestamp, base));
    for (const tunnel of [...reading.tunnels].sort(compareTunnelIds)) {
      if (tunnel.connected) tunnelsUp += 1;
      else tunnelsDown += 1;
      series.push(gauge(METRICS.tunnelStatus, tunnel.connected ? 1 : 0, timestamp, tunnelTags(environment, reading.controller, tunnel)));
    }
    if (reading.subnets.ok) {
      const unmatched = unmatchedSubnets(reading.tunnels, reading.subnets.subnets);
      series.push(gauge(METRICS.subnetUnmatched, unmatched.length, timestamp, base));
      for (const subnet of unmatched) allEvents.push(unmatchedEvent(environment, reading.controller, subnet));
    }
  }

  const events = allEvents.slice(0, Math.max(0, maxEvents));
  return {
    series,
    events,
    summary: {
      controllersUp: readings.length - down.length,
      controllersDown: down.length,
      tunnelsUp,
      tunnelsDown,
      unmatchedSubnets: allEvents.length,
      eventsSuppressed: allEvents.length - events.length,
      down,
    },
  };
}
