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

const tunnelSchema = z.looseObject({
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
});

/** Only an explicit false (or the 0 / "false" older firmware writes) turns a tunnel off. */
function isOff(value: unknown): boolean {
  return value === false || value === 0 || value === "false";
}

const ipsecSchema = z.looseObject({ response: z.record(z.string(), tunnelSchema) });

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join(".") || "(root)";
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
 * Parse the body of GET /api/status/ipsec. @throws BadResponseError
 * @param options.details also return `phase1`/`phase2` (the CLI's table). @default false
 */
export function parseIpsecStatus(body: unknown, options: { readonly details?: boolean } = {}): Tunnel[] {
  const result = ipsecSchema.safeParse(body);
  if (!result.success) throw new BadResponseError(describeIssue(result.error));
  return Object.entries(result.data.response).map(([id, t]) => {
    const endpoint = endpointId(t.endpoint_id, t.endpointid);
    return {
      id,
      description: t.description ?? "",
      connected: t.connected,
      // `active: false` or `enabled: false`: an administrator turned the tunnel off on purpose.
      ...(isOff(t.active) || isOff(t.enabled) ? { enabled: false } : {}),
      ...(t.endpoint_name !== undefined && t.endpoint_name !== "" ? { endpointName: t.endpoint_name } : {}),
      endpointId: endpoint,
      ...(t.remote_subnet !== undefined && t.remote_subnet !== "" ? { remoteSubnet: t.remote_subnet } : {}),
      ...(options.details ? { ...phase(t.tunnel_params, "phase1"), ...phase(t.tunnel_params, "phase2") } : {}),
    };
  });
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
 * Parse the body of GET /api/status/connected_subnets: `{response: [...]}` whose items are either
 * `[network, netmask]` pairs (the default answer) or objects with `subnet`, `network`, `cidr_mask`,
 * `netmask`, `managerid` and `origin` (with `?extended_output=true`). Every subnet comes back as
 * canonical CIDR (`10.0.1.0/24`); `origin` only when the controller gave one. Items that are not an
 * IPv4 subnet are skipped rather than guessed (a guess would raise false "unmatched" events).
 * @throws BadResponseError when `response` is not an array, or holds items none of which is a subnet.
 */
export function parseConnectedSubnets(body: unknown): ConnectedSubnet[] {
  const items = isObject(body) ? body.response : undefined;
  if (!Array.isArray(items)) throw new BadResponseError("unexpected body at response: expected an array of subnets");
  const subnets: ConnectedSubnet[] = [];
  for (const item of items) {
    const subnet = Array.isArray(item) ? pairItem(item) : isObject(item) ? verboseItem(item) : undefined;
    if (subnet !== undefined) subnets.push(subnet);
  }
  if (items.length > 0 && subnets.length === 0) {
    throw new BadResponseError("unexpected body at response: no item is a [network, netmask] pair or a subnet object");
  }
  return subnets;
}
