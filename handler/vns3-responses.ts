/**
 * Parsing of VNS3 API answers into the core's types. Pure. Anything that is not the expected JSON
 * is a failed read (`bad_response`): a proxy or a rebooting controller can answer with anything.
 *
 * Shapes follow Cohesive's OpenAPI description of the VNS3 API (cohesive/cohesivenet-client-go,
 * cohesivenet/api/openapi.yaml: `getIpsecStatus` → `RuntimeStatus_ipsec_value`,
 * `getConnectedSubnets` → `ConnectedSubnetsDetail`) and the test data of Cohesive's Python SDK
 * (cohesive/python-cohesivenet-sdk, tests/vns3/stub_data.py).
 */
// Namespace import: lets esbuild drop the unused parts of zod (85 KB instead of 450 KB bundled).
import * as z from "zod";
import type { ConnectedSubnet, Tunnel } from "./core";
import { formatNetwork, parseNetwork } from "./networks";

/** A body that is not the expected shape. The message names a path, never a value. */
export class BadResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadResponseError";
  }
}

// `connected` is documented as a boolean; older firmware has been seen answering 0/1 or strings.
const connectedSchema = z.union([
  z.boolean(),
  z.literal(0).transform(() => false),
  z.literal(1).transform(() => true),
  z.enum(["true", "false"]).transform((v) => v === "true"),
]);

const optionalText = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)));

// A plain (stripping) object: fields the checker does not read are not even copied.
const tunnelSchema = z.object({
  connected: connectedSchema,
  description: optionalText,
  endpoint_name: optionalText,
  // The OpenAPI description lists both spellings (integers); the status answer uses `endpointid`.
  endpoint_id: optionalText,
  endpointid: optionalText,
  remote_subnet: optionalText,
  // Read leniently below: an odd value must not make a whole controller unreadable.
  active: z.unknown().optional(),
  enabled: z.unknown().optional(),
  // Only phase1/phase2, for the CLI's table (see phase()).
  tunnel_params: z.unknown().optional(),
});

/** Only an explicit false (or the 0 / "false" older firmware writes) turns a tunnel off. */
function isOff(value: unknown): boolean {
  return value === false || value === 0 || value === "false";
}

/** A key from the controller, cut for an error message: it is untrusted and may be megabytes long. */
function boundedKey(key: string): string {
  return key.length <= 40 ? key : `${key.slice(0, 40)}…`;
}

function describeIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path.map(String) ?? [])].join(".");
  return `unexpected body at ${path}: ${issue?.message ?? "invalid"}`;
}

/** A `tunnel_params` phase as text, or nothing (details are display-only: never fail a read over them). */
function phase(params: unknown, key: "phase1" | "phase2"): { [K in typeof key]?: string } {
  const value = typeof params === "object" && params !== null ? (params as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" || typeof value === "number" ? { [key]: String(value) } : {};
}

function endpointId(...candidates: (string | undefined)[]): string | undefined {
  return candidates.find((c) => c !== undefined && c !== "");
}

/**
 * Turns the entries of an answer's `response` into the core's values, one entry at a time. The
 * client feeds it either every entry of a parsed body or, for a large body, each entry as it
 * streams in (handler/vns3-client.ts): the raw entry is garbage as soon as `entry` returns.
 */
export interface ResponseReader<T> {
  /** What `response` must be: an object keyed by id (`/status/ipsec`) or an array (`/status/connected_subnets`). */
  readonly container: "object" | "array";
  /** One entry of `response` (`key` is the tunnel id, or the array index as text). @throws BadResponseError */
  entry(key: string, value: unknown): void;
  /** Everything read. @throws BadResponseError */
  finish(): T;
}

/**
 * Reader of GET /api/status/ipsec: `{response: {<tunnel id>: tunnel}}`. Keeps only what the
 * checker uses; `tunnel_params` and the other fields are dropped with the raw entry.
 * @param options.details also keep `phase1`/`phase2` (the CLI's table). @default false
 */
export function ipsecStatusReader(options: { readonly details?: boolean } = {}): ResponseReader<Tunnel[]> {
  const tunnels: Tunnel[] = [];
  return {
    container: "object",
    entry(id, value) {
      const result = tunnelSchema.safeParse(value);
      if (!result.success) throw new BadResponseError(describeIssue(result.error, `response.${boundedKey(id)}`));
      const t = result.data;
      const endpoint = endpointId(t.endpoint_id, t.endpointid);
      tunnels.push({
        id,
        description: t.description ?? "",
        connected: t.connected,
        // `active: false` or `enabled: false`: an administrator turned the tunnel off on purpose.
        ...(isOff(t.active) || isOff(t.enabled) ? { enabled: false } : {}),
        ...(t.endpoint_name !== undefined && t.endpoint_name !== "" ? { endpointName: t.endpoint_name } : {}),
        endpointId: endpoint,
        ...(t.remote_subnet !== undefined && t.remote_subnet !== "" ? { remoteSubnet: t.remote_subnet } : {}),
        ...(options.details ? { ...phase(t.tunnel_params, "phase1"), ...phase(t.tunnel_params, "phase2") } : {}),
      });
    },
    finish: () => tunnels,
  };
}

/** The error for a `response` that is not the container `reader` expects. */
export function containerMismatch(reader: Pick<ResponseReader<unknown>, "container">): BadResponseError {
  return new BadResponseError(`unexpected body at response: expected ${reader.container === "array" ? "an array of subnets" : "an object of tunnels keyed by id"}`);
}

/** Feed every entry of an already parsed body to `reader`. @throws BadResponseError */
export function readParsedBody<T>(body: unknown, reader: ResponseReader<T>): T {
  const response = isObject(body) ? body.response : undefined;
  const isArray = Array.isArray(response);
  if (reader.container === "array" ? !isArray : !isObject(response)) throw containerMismatch(reader);
  if (isArray) (response as unknown[]).forEach((item, i) => reader.entry(String(i), item));
  else for (const [key, value] of Object.entries(response as Record<string, unknown>)) reader.entry(key, value);
  return reader.finish();
}

/**
 * Parse the body of GET /api/status/ipsec. @throws BadResponseError
 * @param options.details also return `phase1`/`phase2` (the CLI's table). @default false
 */
export function parseIpsecStatus(body: unknown, options: { readonly details?: boolean } = {}): Tunnel[] {
  return readParsedBody(body, ipsecStatusReader(options));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

/** One item of the verbose answer: `network` (address only) with `cidr_mask` or `netmask`, else `subnet`. */
function verboseItem(item: Record<string, unknown>): ConnectedSubnet | undefined {
  const address = text(item.network);
  const subnet = text(item.subnet);
  // A bare address is never read as a /32 here: without a mask, `subnet` is the next best source.
  const candidates: [string, string | undefined][] = [];
  if (address !== undefined && address.includes("/")) candidates.push([address, undefined]);
  for (const mask of [text(item.cidr_mask), text(item.netmask)]) if (address !== undefined && mask !== undefined) candidates.push([address, mask]);
  if (subnet !== undefined && subnet.includes("/")) candidates.push([subnet, undefined]);
  let network;
  for (const [a, m] of candidates) if ((network = parseNetwork(a, m)) !== undefined) break;
  if (network === undefined) return undefined;
  const origin = text(item.origin);
  return origin !== undefined && origin !== "" ? { network: formatNetwork(network), origin } : { network: formatNetwork(network) };
}

/** One item of the default answer: `[network address, dotted netmask]`. No origin. */
function pairItem(item: readonly unknown[]): ConnectedSubnet | undefined {
  if (item.length !== 2 || typeof item[0] !== "string" || typeof item[1] !== "string") return undefined;
  const network = parseNetwork(item[0], item[1]);
  return network === undefined ? undefined : { network: formatNetwork(network) };
}

/**
 * Reader of GET /api/status/connected_subnets: `{response: [...]}` whose items are either
 * `[network, netmask]` pairs (the default answer) or objects with `subnet`, `network`, `cidr_mask`,
 * `netmask`, `managerid` and `origin` (with `?extended_output=true`). Every subnet comes back as
 * canonical CIDR (`10.0.1.0/24`); `origin` only when the controller gave one. Items that are not an
 * IPv4 subnet are skipped rather than guessed (a guess would raise false "unmatched" events).
 * `finish` throws BadResponseError when there were items and none of them is a subnet.
 */
export function connectedSubnetsReader(): ResponseReader<ConnectedSubnet[]> {
  const subnets: ConnectedSubnet[] = [];
  let items = 0;
  return {
    container: "array",
    entry(_index, item) {
      items += 1;
      const subnet = Array.isArray(item) ? pairItem(item) : isObject(item) ? verboseItem(item) : undefined;
      if (subnet !== undefined) subnets.push(subnet);
    },
    finish() {
      if (items > 0 && subnets.length === 0) {
        throw new BadResponseError("unexpected body at response: no item is a [network, netmask] pair or a subnet object");
      }
      return subnets;
    },
  };
}

/** Parse the body of GET /api/status/connected_subnets (see {@link connectedSubnetsReader}). @throws BadResponseError */
export function parseConnectedSubnets(body: unknown): ConnectedSubnet[] {
  return readParsedBody(body, connectedSubnetsReader());
}
