/**
 * The pure core of the checker: what the controllers answered → the metric series and events to
 * send, plus a summary. No I/O, no clock: everything comes in as arguments.
 */
import { createHash } from "node:crypto";
import { COUNT_METRICS, EVENT_TITLES, METRICS, TAG_KEYS, endpointFallbackTagValue, type DownReason } from "../contract/metrics";
import { SIGNAL_GROUPS, type SignalGroup } from "../contract/signals";
import { CHECK_INTERVAL_SECONDS, compareSa, type SaMemory } from "./sa-tracking";
import { expirySeries, type ControllerExpiryFacts } from "./expiry";
import { networkKey, parseNetwork, supernetKey } from "./networks";
import { assignEndpointTags, assignTunnelTags, baseTunnelTagValue, compactString, MAX_CACHED_INPUT_LENGTH, normalizeTagValue, tag, tunnelIdTag, type SharedEndpointTag, type SharedTunnelTag } from "./tags";

export { DOWN_REASONS, METRICS, type DownReason } from "../contract/metrics";
export type { SharedEndpointTag, SharedTunnelTag } from "./tags";

/** Datadog v2 intake type of a gauge. */
export const GAUGE_TYPE = 3;
/** Datadog v2 intake type of a count (COUNT_METRICS). */
export const COUNT_TYPE = 1;

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
  /** False when the controller reports `active: false` or `enabled: false` (turned off on purpose). @default true */
  readonly enabled?: boolean | undefined;
  /** Name of the remote endpoint, when reported. */
  readonly endpointName?: string | undefined;
  /** Id of the remote endpoint (`endpoint_id` or `endpointid`), when reported. */
  readonly endpointId?: string | undefined;
  /** Remote subnet the tunnel carries (CIDR text), when reported. */
  readonly remoteSubnet?: string | undefined;
  /** IKE phase 1 / phase 2 state from `tunnel_params`: only with `tunnelDetails` (the CLI's table); never tagged or sent. */
  readonly phase1?: string | undefined;
  readonly phase2?: string | undefined;
  /** The signal fields of `tunnel_params`, when the check asked for them (phase or traffic on). */
  readonly params?: TunnelParams | undefined;
}

/** The signal fields of one tunnel's `tunnel_params` (schema `IpsecTunnelParams`, all strings there). */
export interface TunnelParams {
  /** `phase1` is `"up"`. */
  readonly phase1Up: boolean;
  /** `phase2` is `"up"`. */
  readonly phase2Up: boolean;
  readonly inboundSpi?: string | undefined;
  readonly outboundSpi?: string | undefined;
  /** Bytes of the current SA (`bytes_in`). */
  readonly bytesIn?: number | undefined;
  readonly bytesOut?: number | undefined;
  /** Seconds the SA has left (`esp_time_remaining`, `"20756s"`). */
  readonly espSecondsLeft?: number | undefined;
}

/** What `/api/status/system` told (handler/vns3-responses.ts); each part only when readable. */
export interface SystemStatus {
  readonly uptimeSeconds?: number;
  /** Highest `use%` over the mounts. */
  readonly diskUsedPct?: number;
  /** Highest `inode%` over the mounts. */
  readonly inodeUsedPct?: number;
  /** Memory in use without buffers and page cache, percent of total. */
  readonly memoryUsedPct?: number;
  /** Normalized version token, e.g. `4.9.0-20200121`. */
  readonly vns3Version?: string;
}

/** Result of the best-effort health read: never turns the controller down. */
export type SystemReading =
  | { readonly ok: true; readonly status: SystemStatus }
  | { readonly ok: false; readonly reason: DownReason; readonly detail: string };

/** One entry of /api/status/connected_subnets. */
export interface ConnectedSubnet {
  /** Canonical CIDR, e.g. "10.40.0.0/24". */
  readonly network: string;
  /**
   * Where the controller learned it: "ipsec", "local_no_encryption", "remote_manager", "ebgp"…
   * Absent in the default `[network, netmask]` answer.
   */
  readonly origin?: string;
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
      /** `/api/status/system`, when the health group is on. */
      readonly system?: SystemReading | undefined;
      /** Certificate and credential end dates (handler/expiry.ts). */
      readonly expiry?: ControllerExpiryFacts;
      /** Time spent reading, for logs. */
      readonly durationMs?: number;
    }
  | {
      readonly controller: string;
      readonly up: false;
      readonly reason: DownReason;
      readonly detail: string;
      /** Certificate (when a trusted connection answered, a 401 included) and credential end dates. */
      readonly expiry?: ControllerExpiryFacts;
      /** Time spent reading, for logs. */
      readonly durationMs?: number;
    };

/** One point of a series. */
export interface MetricPoint {
  /** Unix seconds. */
  readonly timestamp: number;
  readonly value: number;
}

/** One series in the Datadog v2 intake shape: a gauge, or a count (COUNT_METRICS) with its interval. */
export interface MetricSeries {
  readonly metric: string;
  readonly type: typeof GAUGE_TYPE | typeof COUNT_TYPE;
  readonly points: readonly MetricPoint[];
  readonly tags: readonly string[];
  /** Seconds a count covers (one check interval). Counts only. */
  readonly interval?: number;
}

/** A Datadog event in the v1 events intake shape (subset we use). */
export interface CheckEvent {
  readonly title: string;
  readonly text: string;
  readonly tags: readonly string[];
  readonly alertType: "warning" | "info";
  /** Groups repeats of the same finding (one per controller + subnet, or controller + reboot). */
  readonly aggregationKey: string;
  readonly controller: string;
  /** The unmatched subnet; absent on a reboot event. */
  readonly subnet?: string;
}

/**
 * Whether a controller's connected subnets were compared with its tunnels. "unknown" never counts
 * as 0 unmatched: print it as "unknown (<reason>)".
 */
export type SubnetState =
  | { readonly controller: string; readonly state: "read"; readonly unmatched: number }
  | { readonly controller: string; readonly state: "unknown"; readonly reason: string };

/** Per controller: the health read's outcome (`npm run check`'s health line, the summary log). */
export type HealthState =
  | { readonly controller: string; readonly state: "read"; readonly status: SystemStatus; readonly rebooted: boolean }
  | { readonly controller: string; readonly state: "unavailable"; readonly reason: string }
  | { readonly controller: string; readonly state: "off" };

/** Per tunnel of an up controller: the SA signals of this check (`npm run check`'s table). */
export interface TunnelSignals {
  readonly controller: string;
  readonly id: string;
  readonly phase1?: 0 | 1;
  readonly phase2?: 0 | 1;
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  readonly reestablished?: 0 | 1;
}

/** Counts for the summary log line, the handler's return value and `npm run check`. */
export interface CheckSummary {
  readonly controllersUp: number;
  readonly controllersDown: number;
  /** Enabled tunnels that are connected. */
  readonly tunnelsUp: number;
  /** Enabled tunnels that are not connected. */
  readonly tunnelsDown: number;
  /** Tunnels an administrator disabled (`active: false` or `enabled: false`): neither up nor down. */
  readonly tunnelsDisabled: number;
  /** Unmatched subnets over the controllers whose subnet state is "read" (see `subnets`). */
  readonly unmatchedSubnets: number;
  /** Unmatched subnets left without an event because of the per-invocation cap. */
  readonly eventsSuppressed: number;
  /** The controllers that are down, with their reason. */
  readonly down: readonly { readonly controller: string; readonly reason: DownReason }[];
  /** Per controller, in configuration order: subnets compared (with the count) or unknown (with why). */
  readonly subnets: readonly SubnetState[];
  /** Descriptions several tunnels share: each of those tunnels is tagged with a suffix. */
  readonly sharedDescriptions: readonly SharedTunnelTag[];
  /** Endpoint names that stand for more than one partner: each such endpoint is tagged with a suffix. */
  readonly sharedEndpointNames: readonly SharedEndpointTag[];
  /** Per controller, in configuration order: the health read (or "off" / down). */
  readonly health: readonly HealthState[];
  /** Tunnels replaced early in this check (sum of `vpn.tunnel.reestablished`). */
  readonly reestablished: number;
  /** Per tunnel of the up controllers: phase and traffic values sent. */
  readonly tunnelSignals: readonly TunnelSignals[];
}

/** What the container remembers of one controller for the next check (bounded: its current tunnels only). */
export interface ControllerMemory {
  /** Per tunnel id, the SA as last observed. */
  readonly tunnels: ReadonlyMap<string, SaMemory>;
  readonly uptimeSeconds?: number;
  /** Last version read: keeps the `vns3_version` tag steady through a failed health read. */
  readonly vns3Version?: string;
}

/**
 * A check's tag assignment, kept for the next check, which reuses it as it is when the tunnels it
 * was made from are the same (the usual minute: a thousand descriptions normalized, compared and
 * suffixed again for the same result). Not kept when a description is longer than the
 * normalization cache's inputs: such text is not held between checks.
 */
export interface TagMemory {
  /** The environment tag the tag lists begin with. */
  readonly environmentTag: string;
  /** What the assignment was made from, in its order: the up controllers' tunnels, then the down ones' known tunnels. */
  readonly inputs: readonly KnownTunnel[];
  readonly tunnelValues: readonly string[];
  readonly endpointValues: readonly string[];
  readonly sharedDescriptions: readonly SharedTunnelTag[];
  readonly sharedEndpointNames: readonly SharedEndpointTag[];
  /** Per input of an up controller, the (frozen) tags its series carried: shared by the next check's series. */
  readonly tagLists: readonly (readonly string[] | undefined)[];
}

/** Everything one check produces. */
export interface CheckReport {
  readonly series: readonly MetricSeries[];
  readonly events: readonly CheckEvent[];
  readonly summary: CheckSummary;
  /** What to remember for the next check: one entry per controller of this check. */
  readonly memory: ReadonlyMap<string, ControllerMemory>;
  /** This check's tag assignment for the next ({@link BuildReportInput.previousTags}); absent when not kept. */
  readonly tagMemory?: TagMemory;
}

/** A tunnel a controller reported in an earlier check (the tag context of a controller now down). */
export type KnownTunnel = Pick<Tunnel, "id" | "description" | "endpointName" | "endpointId"> & { readonly controller: string };

/** The checker's own health, sent as two gauges tagged only with the environment. */
export interface CheckHealth {
  /** Milliseconds from the start of the check until delivery began. */
  readonly durationMs: number;
  /** Datadog delivery attempts of the previous check in this container; absent after a cold start. */
  readonly previousDeliveryAttempts?: number;
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
  readonly maxEvents?: number | undefined;
  /**
   * Tunnels of controllers that are down now, as last read: they take part in making tags unique
   * (so an up controller's tags do not change while its HA partner is unreadable); no series.
   * @default none
   */
  readonly knownTunnels?: readonly KnownTunnel[];
  /** The checker's health gauges; none are sent without it. @default none */
  readonly health?: CheckHealth;
  /** Enabled signal groups (`VPN_SIGNALS`). @default every group */
  readonly signals?: ReadonlySet<SignalGroup>;
  /** The previous check's {@link CheckReport.memory} in this container. @default none (cold start) */
  readonly previous?: ReadonlyMap<string, ControllerMemory>;
  /** Push on: per readable controller, whether its alert is configured (handler/push-status.ts). @default push off, none sent */
  readonly pushConfigured?: ReadonlyMap<string, 0 | 1>;
  /** The previous check's {@link CheckReport.tagMemory} in this container. @default none: tags assigned afresh */
  readonly previousTags?: TagMemory | undefined;
}

/**
 * The `tunnel` tag value of a tunnel when no other tunnel shares its description: normalized
 * description, or the tunnel id when that comes out empty. {@link buildCheckReport} adds a suffix
 * to descriptions several tunnels share (see assignTunnelTags in handler/tags.ts).
 */
export function tunnelTagValue(tunnel: Pick<Tunnel, "id" | "description">): string {
  return baseTunnelTagValue(tunnel);
}

/**
 * Tags of one tunnel's series, given its (unique) `tunnel` and `endpoint` values.
 * @param base the controller's `[vpn_environment:…, controller:…]`, one array shared by all its tunnels
 */
function tunnelTags(base: readonly string[], tunnel: Pick<Tunnel, "id" | "endpointId" | "description">, tunnelValue: string, endpointValue: string): string[] {
  const tags = base.slice();
  // The tunnel tag is a slice of the whole normalized description. A description too long for
  // the normalization cache is normalized anew each check: copy the tag out of it, or every
  // series keeps that text alive until the send is over (17,400 of them in the memory benchmark).
  // A shorter one's text is held by the cache anyway, and is at most as long as the cached input:
  // copying it (a Buffer round trip per tunnel) would save nothing.
  const tunnelTag = `${TAG_KEYS.tunnel}:${tunnelValue}`;
  tags.push(tunnel.description.length > MAX_CACHED_INPUT_LENGTH ? compactString(tunnelTag) : tunnelTag, tunnelIdTag(tunnel.id));
  // Always an endpoint tag: a grouped monitor ignores a series without its group-by tag (Datadog's
  // no-data troubleshooting: "Tags contain N/A values"), so a nameless endpoint would go unwatched.
  tags.push(endpointValue !== "" ? `${TAG_KEYS.endpoint}:${endpointValue}` : tag(TAG_KEYS.endpoint, endpointFallbackTagValue(tunnel.endpointId)));
  return tags;
}

/**
 * Whether a connected subnet is one the tunnels are expected to carry (the 2017 checker's rule):
 * an origin that is neither `local_*` nor `remote_manager`. Without an origin: unknown (false).
 */
export function isRemoteSubnet(subnet: ConnectedSubnet): boolean {
  return subnet.origin !== undefined && !subnet.origin.startsWith("local_") && subnet.origin !== "remote_manager";
}

/** Why the subnets of a controller that answered cannot be judged, or undefined when they can. */
export function subnetsUnknownReason(subnets: readonly ConnectedSubnet[]): string | undefined {
  return subnets.some((s) => s.origin === undefined)
    ? "the controller gave no origin (it answered [network, netmask] pairs, ignoring extended_output), so local and remote subnets cannot be told apart"
    : undefined;
}

/**
 * Subnets the controller knows (origin neither `local_*` nor `remote_manager`) that no tunnel's
 * `remote_subnet` carries, lazily, each network once. A subnet is carried when a tunnel's remote
 * network contains it (equal address and prefix, or a shorter prefix covering it). Subnets without
 * an origin are never yielded: check {@link subnetsUnknownReason} first.
 */
export function* unmatchedSubnetsOf(tunnels: readonly Pick<Tunnel, "remoteSubnet">[], subnets: readonly ConnectedSubnet[]): Generator<ConnectedSubnet> {
  const carried = new Set<number>();
  const prefixes = new Set<number>();
  for (const t of tunnels) {
    const network = t.remoteSubnet === undefined ? undefined : parseNetwork(t.remoteSubnet);
    if (network === undefined) continue;
    carried.add(networkKey(network));
    prefixes.add(network.prefix);
  }
  const carriedPrefixes = [...prefixes].sort((a, b) => a - b);
  const seen = new Set<number>();
  for (const subnet of subnets) {
    if (!isRemoteSubnet(subnet)) continue;
    const network = parseNetwork(subnet.network);
    if (network === undefined) continue;
    const key = networkKey(network);
    if (seen.has(key)) continue;
    seen.add(key);
    let isCarried = false;
    for (const p of carriedPrefixes) {
      if (p > network.prefix) break;
      if (carried.has(supernetKey(network, p))) {
        isCarried = true;
        break;
      }
    }
    if (isCarried) continue;
    yield subnet;
  }
}

/** {@link unmatchedSubnetsOf} as an array (the CLI's table; the core counts without one). */
export function unmatchedSubnets(tunnels: readonly Pick<Tunnel, "remoteSubnet">[], subnets: readonly ConnectedSubnet[]): ConnectedSubnet[] {
  return [...unmatchedSubnetsOf(tunnels, subnets)];
}

/** Tunnel ids are usually integers: order them numerically when they are, for stable output. */
export function compareTunnelIds(a: Pick<Tunnel, "id">, b: Pick<Tunnel, "id">): number {
  const na = Number(a.id);
  const nb = Number(b.id);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na - nb;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The points of a series: one array per timestamp for the values 0 and 1, which most series carry
 * (status, phases, re-establishments), shared by every series with that value; 17,400 tunnels
 * make 100,000 series, each with its own array and point before. Frozen: a consumer that wrote to
 * one would change every series sharing it.
 */
function pointsOf(timestamp: number, value: number): readonly MetricPoint[] {
  if (timestamp !== shared.timestamp) shared = { timestamp, zero: Object.freeze([Object.freeze({ timestamp, value: 0 })]), one: Object.freeze([Object.freeze({ timestamp, value: 1 })]) };
  // Object.is: -0 is not 0 to a deep equality, so it keeps a point of its own.
  return Object.is(value, 0) ? shared.zero : value === 1 ? shared.one : [{ timestamp, value }];
}
let shared: { readonly timestamp: number; readonly zero: readonly MetricPoint[]; readonly one: readonly MetricPoint[] } = { timestamp: Number.NaN, zero: [], one: [] };

function gauge(metric: string, value: number, timestamp: number, tags: readonly string[]): MetricSeries {
  return { metric, type: GAUGE_TYPE, points: pointsOf(timestamp, value), tags };
}

const COUNTS: ReadonlySet<string> = new Set(COUNT_METRICS);

function count(metric: string, value: number, timestamp: number, tags: readonly string[]): MetricSeries {
  if (!COUNTS.has(metric)) throw new Error(`${metric} is not a count metric`);
  return { metric, type: COUNT_TYPE, points: pointsOf(timestamp, value), tags, interval: CHECK_INTERVAL_SECONDS };
}

function rebootEvent(environment: string, controller: string, before: number, now: number): CheckEvent {
  return {
    title: EVENT_TITLES.controllerRebooted,
    text: truncate(`VNS3 controller ${controller} (environment ${environment}) rebooted: uptime ${now} s, was ${before} s at the previous check.`, 4000),
    tags: [tag(TAG_KEYS.environment, environment), tag(TAG_KEYS.controller, controller)],
    alertType: "info",
    aggregationKey: truncate(`vns3-controller-rebooted:${normalizeTagValue(controller)}`, 100),
    controller,
  };
}

function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** Datadog caps aggregation keys at 100 characters: hash the long ones so they stay distinct. */
function aggregationKey(controller: string, network: string): string {
  const key = `vns3-unmatched-subnet:${normalizeTagValue(controller)}:${network}`;
  return key.length <= 100 ? key : `vns3-unmatched-subnet:${createHash("sha256").update(key).digest("hex").slice(0, 64)}`;
}

function unmatchedEvent(environment: string, controller: string, subnet: ConnectedSubnet): CheckEvent {
  const network = subnet.network;
  return {
    title: truncate(`VNS3 subnet ${network} not carried by any tunnel on ${controller}`, 100),
    text: truncate(
      `Subnet ${network} (origin: ${subnet.origin ?? "unknown"}) is connected on VNS3 controller ${controller} ` +
        `(environment ${environment}), but no IPsec tunnel's remote_subnet carries it.`,
      4000,
    ),
    tags: [tag(TAG_KEYS.environment, environment), tag(TAG_KEYS.controller, controller)],
    alertType: "warning",
    aggregationKey: aggregationKey(controller, network),
    controller,
    subnet: network,
  };
}

/** Whether two assignment inputs are the same tunnel as the tags see it. */
function sameInput(a: KnownTunnel, b: KnownTunnel): boolean {
  return a.controller === b.controller && a.id === b.id && a.description === b.description && a.endpointName === b.endpointName && a.endpointId === b.endpointId;
}

/**
 * Tag values of every tunnel of the up controllers, unique within the environment: the previous
 * check's assignment when it was made from the same tunnels in the same order, else afresh.
 * `index` is a live tunnel's position in `inputs` (its entry in the tag memory).
 */
function assignTags(readings: readonly ControllerReading[], knownTunnels: readonly KnownTunnel[], environmentTag: string, previous: TagMemory | undefined) {
  const inputs: KnownTunnel[] = [];
  const sorted = new Map<string, Tunnel[]>();
  for (const reading of readings) {
    if (!reading.up) continue;
    const tunnels = [...reading.tunnels].sort(compareTunnelIds);
    sorted.set(reading.controller, tunnels);
    for (const t of tunnels) inputs.push({ controller: reading.controller, id: t.id, description: t.description, endpointName: t.endpointName, endpointId: t.endpointId });
  }
  const live = inputs.length;
  const down = new Set(readings.filter((r) => !r.up).map((r) => r.controller));
  inputs.push(...knownTunnels.filter((t) => down.has(t.controller)));
  const reused = previous !== undefined && previous.environmentTag === environmentTag && previous.inputs.length === inputs.length && inputs.every((input, i) => sameInput(input, previous.inputs[i] as KnownTunnel)) ? previous : undefined;
  const tunnelTagsAssigned = reused !== undefined ? { values: reused.tunnelValues, shared: reused.sharedDescriptions } : assignTunnelTags(inputs);
  const endpointTagsAssigned = reused !== undefined ? { values: reused.endpointValues, shared: reused.sharedEndpointNames } : assignEndpointTags(inputs);
  // Values of the live tunnels, keyed by controller and id, in the order they were listed.
  let index = 0;
  const valuesOf = new Map<string, { tunnel: string; endpoint: string; index: number }[]>();
  for (const [controller, tunnels] of sorted) {
    valuesOf.set(
      controller,
      tunnels.map(() => {
        const i = index++;
        return { tunnel: tunnelTagsAssigned.values[i] as string, endpoint: endpointTagsAssigned.values[i] as string, index: i };
      }),
    );
  }
  // Kept for the next check only while every description is short enough to be held.
  const keep = inputs.every((t) => t.description.length <= MAX_CACHED_INPUT_LENGTH);
  const tagLists: (readonly string[] | undefined)[] = keep ? new Array<readonly string[] | undefined>(live).fill(undefined) : [];
  return {
    sorted,
    valuesOf,
    sharedDescriptions: tunnelTagsAssigned.shared,
    sharedEndpointNames: endpointTagsAssigned.shared,
    /** The previous check's tag list of live input `i` when the assignment was reused (kept again), else undefined. */
    reusedList(i: number): readonly string[] | undefined {
      const known = reused?.tagLists[i];
      if (known !== undefined && keep) tagLists[i] = known;
      return known;
    },
    /** `list` as live input `i`'s tags, frozen and kept for the next check when the assignment is kept. */
    remember(i: number, list: string[]): readonly string[] {
      return keep ? (tagLists[i] = Object.freeze(list)) : list;
    },
    memory(): TagMemory | undefined {
      return keep ? { environmentTag, inputs, tunnelValues: tunnelTagsAssigned.values, endpointValues: endpointTagsAssigned.values, sharedDescriptions: tunnelTagsAssigned.shared, sharedEndpointNames: endpointTagsAssigned.shared, tagLists } : undefined;
    },
  };
}

/**
 * Turn controller readings into series, events and a summary.
 * - `vpn.controller.up` per controller: 1, or 0 with `reason:<kind>`.
 * - per tunnel of an up controller: `vpn.tunnel.status` 1 connected / 0 not, or, for a tunnel an
 *   administrator disabled, `vpn.tunnel.disabled` 1 and no status (it never pages).
 * - `vpn.subnet.unmatched` per up controller whose subnets were read WITH their origins; absent
 *   when the read failed or the answer had no origins (a 0 would claim "all carried" unknowingly).
 * - one warning event per unmatched subnet, at most `maxEvents` (the rest are only counted).
 * - the checker's health gauges, when `health` is given.
 * `tunnel` and `endpoint` tag values are unique within the environment (handler/tags.ts).
 */
export function buildCheckReport(input: BuildReportInput): CheckReport {
  const { environment, readings, timestamp } = input;
  const maxEvents = Math.max(0, input.maxEvents ?? DEFAULT_MAX_EVENTS);
  const series: MetricSeries[] = [];
  const events: CheckEvent[] = [];
  let unmatchedTotal = 0;
  let tunnelsUp = 0;
  let tunnelsDown = 0;
  let tunnelsDisabled = 0;
  const down: { controller: string; reason: DownReason }[] = [];
  const subnetStates: SubnetState[] = [];
  const environmentTag = tag(TAG_KEYS.environment, environment);
  const tags = assignTags(readings, input.knownTunnels ?? [], environmentTag, input.previousTags);
  const signals = input.signals ?? new Set(SIGNAL_GROUPS);
  const phaseOn = signals.has("phase");
  const trafficOn = signals.has("traffic");
  const previous = input.previous ?? new Map<string, ControllerMemory>();
  const memory = new Map<string, ControllerMemory>();
  const healthStates: HealthState[] = [];
  const tunnelSignals: TunnelSignals[] = [];
  const rebootEvents: CheckEvent[] = [];
  let reestablishedTotal = 0;

  for (const reading of readings) {
    const base = [environmentTag, tag(TAG_KEYS.controller, reading.controller)];
    const before = previous.get(reading.controller);
    const expiry = expirySeries(reading.expiry, base, timestamp, signals);
    if (!reading.up) {
      down.push({ controller: reading.controller, reason: reading.reason });
      subnetStates.push({ controller: reading.controller, state: "unknown", reason: `controller not read (${reading.reason})` });
      healthStates.push(signals.has("health") ? { controller: reading.controller, state: "unavailable", reason: `controller not read (${reading.reason})` } : { controller: reading.controller, state: "off" });
      series.push(gauge(METRICS.controllerUp, 0, timestamp, [...base, `${TAG_KEYS.reason}:${reading.reason}`]), ...expiry);
      // Kept while it is down: an SA that lived through the outage still counts from where it was.
      if (before !== undefined) memory.set(reading.controller, before);
      continue;
    }
    const system = signals.has("health") ? reading.system : undefined;
    const status = system?.ok === true ? system.status : undefined;
    const version = status?.vns3Version ?? before?.vns3Version;
    series.push(gauge(METRICS.controllerUp, 1, timestamp, version !== undefined ? [...base, tag(TAG_KEYS.vns3Version, version)] : base), ...expiry);
    const pushConfigured = input.pushConfigured?.get(reading.controller);
    if (pushConfigured !== undefined) series.push(gauge(METRICS.controllerPushConfigured, pushConfigured, timestamp, base));
    let rebooted = false;
    if (status !== undefined) {
      if (status.uptimeSeconds !== undefined) {
        series.push(gauge(METRICS.controllerUptime, status.uptimeSeconds, timestamp, base));
        if (before?.uptimeSeconds !== undefined && status.uptimeSeconds < before.uptimeSeconds) {
          rebooted = true;
          rebootEvents.push(rebootEvent(environment, reading.controller, before.uptimeSeconds, status.uptimeSeconds));
        }
      }
      if (status.diskUsedPct !== undefined) series.push(gauge(METRICS.controllerDiskUsed, status.diskUsedPct, timestamp, base));
      if (status.inodeUsedPct !== undefined) series.push(gauge(METRICS.controllerInodeUsed, status.inodeUsedPct, timestamp, base));
      if (status.memoryUsedPct !== undefined) series.push(gauge(METRICS.controllerMemoryUsed, status.memoryUsedPct, timestamp, base));
      healthStates.push({ controller: reading.controller, state: "read", status, rebooted });
    } else if (!signals.has("health")) {
      healthStates.push({ controller: reading.controller, state: "off" });
    } else {
      healthStates.push({ controller: reading.controller, state: "unavailable", reason: system === undefined || system.ok ? "not read" : `${system.reason}: ${system.detail}` });
    }
    const saMemory = new Map<string, SaMemory>();
    const tunnels = tags.sorted.get(reading.controller) ?? [];
    const values = tags.valuesOf.get(reading.controller) ?? [];
    // Once per tunnel, a thousand times per check: a plain loop, no spreads or closures.
    for (let i = 0; i < tunnels.length; i += 1) {
      const tunnel = tunnels[i] as Tunnel;
      const value = values[i];
      const tunnelTagList = value === undefined ? tunnelTags(base, tunnel, baseTunnelTagValue(tunnel), "") : (tags.reusedList(value.index) ?? tags.remember(value.index, tunnelTags(base, tunnel, value.tunnel, value.endpoint)));
      if (tunnel.enabled === false) {
        tunnelsDisabled += 1;
        series.push(gauge(METRICS.tunnelDisabled, 1, timestamp, tunnelTagList));
        continue;
      }
      if (tunnel.connected) tunnelsUp += 1;
      else tunnelsDown += 1;
      series.push(gauge(METRICS.tunnelStatus, tunnel.connected ? 1 : 0, timestamp, tunnelTagList));
      const params = tunnel.params;
      if (params === undefined) continue;
      const sent: { -readonly [K in keyof TunnelSignals]: TunnelSignals[K] } = { controller: reading.controller, id: tunnel.id };
      if (phaseOn) {
        sent.phase1 = params.phase1Up ? 1 : 0;
        sent.phase2 = params.phase2Up ? 1 : 0;
        series.push(gauge(METRICS.tunnelPhase1, sent.phase1, timestamp, tunnelTagList));
        series.push(gauge(METRICS.tunnelPhase2, sent.phase2, timestamp, tunnelTagList));
      }
      if (trafficOn) {
        // What is remembered for the next check is the observation itself, stamped with its time.
        const observed: SaMemory = { inboundSpi: params.inboundSpi, outboundSpi: params.outboundSpi, bytesIn: params.bytesIn, bytesOut: params.bytesOut, espSecondsLeft: params.espSecondsLeft, at: timestamp };
        const change = compareSa(before?.tunnels.get(tunnel.id), observed, timestamp);
        saMemory.set(tunnel.id, observed);
        if (change.bytesIn !== undefined) series.push(count(METRICS.tunnelBytesIn, (sent.bytesIn = change.bytesIn), timestamp, tunnelTagList));
        if (change.bytesOut !== undefined) series.push(count(METRICS.tunnelBytesOut, (sent.bytesOut = change.bytesOut), timestamp, tunnelTagList));
        if (change.reestablished !== undefined) {
          // A 0 on every quiet check: a `sum(last_1h)` monitor then evaluates (and recovers) the group.
          series.push(count(METRICS.tunnelReestablished, (sent.reestablished = change.reestablished), timestamp, tunnelTagList));
          reestablishedTotal += change.reestablished;
        }
      }
      tunnelSignals.push(sent);
    }
    memory.set(reading.controller, {
      tunnels: saMemory,
      ...(status?.uptimeSeconds !== undefined ? { uptimeSeconds: status.uptimeSeconds } : before?.uptimeSeconds !== undefined ? { uptimeSeconds: before.uptimeSeconds } : {}),
      ...(version !== undefined ? { vns3Version: version } : {}),
    });

    if (!reading.subnets.ok) {
      subnetStates.push({ controller: reading.controller, state: "unknown", reason: `not read (${reading.subnets.reason}: ${reading.subnets.detail})` });
      continue;
    }
    const unknown = subnetsUnknownReason(reading.subnets.subnets);
    if (unknown !== undefined) {
      subnetStates.push({ controller: reading.controller, state: "unknown", reason: unknown });
      continue;
    }
    let unmatched = 0;
    for (const subnet of unmatchedSubnetsOf(reading.tunnels, reading.subnets.subnets)) {
      unmatched += 1;
      // Built only while under the cap: the rest are counted, never materialized.
      if (events.length < maxEvents) events.push(unmatchedEvent(environment, reading.controller, subnet));
    }
    unmatchedTotal += unmatched;
    subnetStates.push({ controller: reading.controller, state: "read", unmatched });
    series.push(gauge(METRICS.subnetUnmatched, unmatched, timestamp, base));
  }

  // Reboot events go first: a handful at most (one per controller), never crowded out by the subnet cap.
  events.unshift(...rebootEvents);

  if (input.health !== undefined) {
    series.push(gauge(METRICS.checkDuration, Math.max(0, Math.round(input.health.durationMs)), timestamp, [environmentTag]));
    if (input.health.previousDeliveryAttempts !== undefined) {
      series.push(gauge(METRICS.deliveryAttempts, input.health.previousDeliveryAttempts, timestamp, [environmentTag]));
    }
  }

  const tagMemory = tags.memory();
  return {
    series,
    events,
    summary: {
      controllersUp: readings.length - down.length,
      controllersDown: down.length,
      tunnelsUp,
      tunnelsDown,
      tunnelsDisabled,
      unmatchedSubnets: unmatchedTotal,
      eventsSuppressed: unmatchedTotal - (events.length - rebootEvents.length),
      down,
      subnets: subnetStates,
      sharedDescriptions: tags.sharedDescriptions,
      sharedEndpointNames: tags.sharedEndpointNames,
      health: healthStates,
      reestablished: reestablishedTotal,
      tunnelSignals,
    },
    memory,
    ...(tagMemory !== undefined ? { tagMemory } : {}),
  };
}
