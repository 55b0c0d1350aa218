/**
 * The checker's tag assignment. The rules of a single tag value live in contract/tags.ts, shared
 * with the stacks and CLIs, and are re-exported here for the checker's modules.
 *
 * This module makes the `tunnel` and `endpoint` tag values unique within an environment
 * ({@link assignTunnelTags}, {@link assignEndpointTags}); the stacks and CLIs use the same pure
 * functions ({@link tunnelNameTag}, {@link endpointNameTag}) to match a name from a definition.
 */
import { createHash } from "node:crypto";
import { TAG_KEYS } from "../contract/metrics";
import { normalizeTagValue, codePointLength, maxValueLength, TRAILING, cutValue } from "../contract/tags";
export { MAX_TAG_LENGTH, MAX_TAG_INPUT_LENGTH, MAX_CACHED_INPUT_LENGTH, MAX_CACHED_ENTRIES, normalizeTagValue, normalizationCacheSize, codePointLength, compactString, maxValueLength, tag } from "../contract/tags";

const TUNNEL_MAX = maxValueLength(TAG_KEYS.tunnel);
const ENDPOINT_MAX = maxValueLength(TAG_KEYS.endpoint);

/**
 * The `tunnel` tag a tunnel with this description gets when no other tunnel of the environment
 * shares it: its normalized description. "" when the description normalizes to nothing (the
 * checker then uses the tunnel id). Use it to match a tunnel name from a definition (maintenance
 * windows, CLI filters) against what the checker sends.
 */
export function tunnelNameTag(description: string): string {
  return normalizeTagValue(description, TUNNEL_MAX);
}

/**
 * The `endpoint` tag of a partner with this endpoint name when the name is unambiguous in the
 * environment: its normalized name. "" when it normalizes to nothing (no `endpoint` tag is sent).
 */
export function endpointNameTag(endpointName: string): string {
  return normalizeTagValue(endpointName, ENDPOINT_MAX);
}

/**
 * A value made unique by a suffix `-<controller>-<id>` (both normalized): it depends only on the
 * tunnel (or endpoint) itself, so it stays the same however other tunnels come and go, and it
 * is unique because controller names are distinct after normalization (handler/config.ts) and
 * ids are unique per controller. The base is cut, never the suffix, to fit in `max`.
 */
export function suffixedTagValue(base: string, controller: string, id: string, max: number): string {
  // Bounded parts: a long controller name or id must still leave room for the base.
  const suffix = `-${normalizeTagValue(controller, Math.floor(max / 4))}-${idTagValue(id, Math.floor(max / 4))}`.replace(TRAILING, "");
  const room = max - codePointLength(suffix);
  const head = cutValue(base, room);
  return `${head}${suffix}`;
}

/**
 * A controller-given id as a tag value, distinct for distinct ids: the normalized id when
 * normalizing keeps it as it is (integer ids, always in practice), else the normalized id and the
 * first 8 hex digits of its SHA-256, so ids that differ only in case or punctuation (`A` and `a`,
 * `x y` and `x_y`) never share a tag.
 */
export function idTagValue(id: string, max: number): string {
  const normalized = normalizeTagValue(id, max);
  if (normalized === id) return normalized;
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 8);
  return `${cutValue(normalized, max - hash.length - 1)}-${hash}`.replace(/^-/, "");
}

/** The `tunnel_id` tag of a tunnel (see {@link idTagValue}). */
export function tunnelIdTag(id: string): string {
  return `${TAG_KEYS.tunnelId}:${idTagValue(id, maxValueLength(TAG_KEYS.tunnelId))}`;
}

/** One tunnel as {@link assignTunnelTags} sees it. */
export interface TunnelTagInput {
  readonly controller: string;
  readonly id: string;
  readonly description: string;
}

/** A tag value that several tunnels (or partners) would have shared, and who shared it. */
export interface SharedTunnelTag {
  /** The value they would have shared (normalized description, or id for an empty one). */
  readonly tag: string;
  readonly tunnels: readonly { readonly controller: string; readonly id: string }[];
}

/** Result of {@link assignTunnelTags}: one value per input, in input order, and the collisions. */
export interface TunnelTagAssignment {
  readonly values: readonly string[];
  readonly shared: readonly SharedTunnelTag[];
}

/** The `tunnel` value before uniqueness: normalized description, or the id when that is empty. */
export function baseTunnelTagValue(tunnel: Pick<TunnelTagInput, "id" | "description">): string {
  // "unnamed" only if the id itself normalizes to nothing (ids are integers in practice).
  return tunnelNameTag(tunnel.description) || idTagValue(tunnel.id, TUNNEL_MAX) || "unnamed";
}

/**
 * Make values unique: every member of a group that shares a value gets its suffix; a unique value
 * stays as it is. Repeats until no two values collide (a suffixed value can meet an unsuffixed
 * one, e.g. a description that already reads like "x-vns3-a-1"); each round suffixes at least one
 * more member, so it ends.
 */
function uniqueValues(bases: readonly string[], suffixed: (index: number) => string): { values: string[]; groups: Map<string, number[]> } {
  const values = [...bases];
  const done = new Array<boolean>(values.length).fill(false);
  const firstGroups = new Map<string, number[]>();
  for (let round = 0; ; round += 1) {
    const byValue = new Map<string, number[]>();
    values.forEach((value, i) => {
      const list = byValue.get(value);
      if (list === undefined) byValue.set(value, [i]);
      else list.push(i);
    });
    let changed = false;
    for (const [value, members] of byValue) {
      if (members.length < 2) continue;
      if (round === 0) firstGroups.set(value, members);
      for (const i of members) {
        if (done[i]) continue;
        values[i] = suffixed(i);
        done[i] = true;
        changed = true;
      }
    }
    if (!changed) return { values, groups: firstGroups };
  }
}

/**
 * The `tunnel` tag value of every tunnel of an environment, unique within it. A tunnel whose
 * normalized description no other tunnel shares is tagged with it; tunnels that share one (on one
 * controller or several) are each tagged `<description>-<controller>-<tunnel id>`.
 */
export function assignTunnelTags(tunnels: readonly TunnelTagInput[]): TunnelTagAssignment {
  const bases = tunnels.map(baseTunnelTagValue);
  const { values, groups } = uniqueValues(bases, (i) => {
    const t = tunnels[i] as TunnelTagInput;
    return suffixedTagValue(bases[i] as string, t.controller, t.id, TUNNEL_MAX);
  });
  const shared = [...groups].map(([value, members]) => ({
    tag: value,
    tunnels: members.map((i) => ({ controller: (tunnels[i] as TunnelTagInput).controller, id: (tunnels[i] as TunnelTagInput).id })),
  }));
  return { values, shared };
}

/** One tunnel's endpoint as {@link assignEndpointTags} sees it. */
export interface EndpointTagInput {
  readonly controller: string;
  /** Endpoint name as the controller reported it; absent or empty means no `endpoint` tag. */
  readonly endpointName?: string | undefined;
  /** `endpoint_id` / `endpointid`, when reported. */
  readonly endpointId?: string | undefined;
}

/** An endpoint name that stands for more than one partner, and the endpoints that carry it. */
export interface SharedEndpointTag {
  readonly tag: string;
  readonly endpoints: readonly { readonly controller: string; readonly endpointId: string }[];
}

/** Result of {@link assignEndpointTags}: a value per input ("" = no tag), in input order. */
export interface EndpointTagAssignment {
  readonly values: readonly string[];
  readonly shared: readonly SharedEndpointTag[];
}

/**
 * The `endpoint` tag value of every tunnel, unique per partner within the environment.
 *
 * One partner: one normalized endpoint name, wherever it appears. The same name on the two
 * controllers of an HA pair (or on several tunnels to one endpoint) is one partner, one tag. But
 * when one controller has two different endpoints (different ids) whose names normalize alike,
 * the name no longer identifies a partner, and every endpoint carrying it, on every controller, is
 * tagged `<name>-<controller>-<endpoint id>` (which endpoint of controller A pairs with which of B
 * cannot be known, so none is guessed). An endpoint without an id counts as identified by its name.
 */
export function assignEndpointTags(inputs: readonly EndpointTagInput[]): EndpointTagAssignment {
  const bases = inputs.map((e) => (e.endpointName === undefined ? "" : endpointNameTag(e.endpointName)));
  const identity = (e: EndpointTagInput): string => e.endpointId ?? `name:${e.endpointName ?? ""}`;
  // Per base value: the distinct endpoints on each controller.
  const perName = new Map<string, Map<string, Set<string>>>();
  inputs.forEach((e, i) => {
    const base = bases[i] as string;
    if (base === "") return;
    let controllers = perName.get(base);
    if (controllers === undefined) perName.set(base, (controllers = new Map()));
    let ids = controllers.get(e.controller);
    if (ids === undefined) controllers.set(e.controller, (ids = new Set()));
    ids.add(identity(e));
  });
  const ambiguous = new Set([...perName].filter(([, controllers]) => [...controllers.values()].some((ids) => ids.size > 1)).map(([name]) => name));
  const values = inputs.map((e, i) => {
    const base = bases[i] as string;
    return ambiguous.has(base) ? suffixedTagValue(base, e.controller, e.endpointId ?? e.endpointName ?? "", ENDPOINT_MAX) : base;
  });
  const shared: SharedEndpointTag[] = [...ambiguous].map((name) => {
    const seen = new Set<string>();
    const endpoints: { controller: string; endpointId: string }[] = [];
    inputs.forEach((e, i) => {
      if (bases[i] !== name) return;
      const endpointId = e.endpointId ?? "";
      const key = `${e.controller}\u0000${endpointId}\u0000${identity(e)}`;
      if (seen.has(key)) return;
      seen.add(key);
      endpoints.push({ controller: e.controller, endpointId });
    });
    return { tag: name, endpoints };
  });
  // Two partners' suffixed values cannot meet (distinct controller/id), but a suffixed value can
  // equal another partner's plain name: then that plain name is suffixed too.
  const plain = new Map<string, number[]>();
  values.forEach((v, i) => {
    if (v === "" || ambiguous.has(bases[i] as string)) return;
    const list = plain.get(v);
    if (list === undefined) plain.set(v, [i]);
    else list.push(i);
  });
  const suffixedSet = new Set(values.filter((_, i) => ambiguous.has(bases[i] as string)));
  for (const [v, members] of plain) {
    if (!suffixedSet.has(v)) continue;
    for (const i of members) {
      const e = inputs[i] as EndpointTagInput;
      values[i] = suffixedTagValue(v, e.controller, e.endpointId ?? e.endpointName ?? "", ENDPOINT_MAX);
    }
  }
  return { values, shared };
}
