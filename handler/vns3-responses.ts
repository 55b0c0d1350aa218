/**
 * Parsing of VNS3 API answers into the core's types. Pure. Anything that is not the expected JSON
 * is a failed read (`bad_response`): a proxy or a rebooting controller can answer with anything.
 */
// Namespace import: lets esbuild drop the unused parts of zod (85 KB instead of 450 KB bundled).
import * as z from "zod";
import type { ConnectedSubnet, Tunnel } from "./core";

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
  remote_subnet: optionalText,
});

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

/**
 * Parse the body of GET /api/status/ipsec. @throws BadResponseError
 * @param options.details also return `phase1`/`phase2` (the CLI's table). @default false
 */
export function parseIpsecStatus(body: unknown, options: { readonly details?: boolean } = {}): Tunnel[] {
  const result = ipsecSchema.safeParse(body);
  if (!result.success) throw new BadResponseError(describeIssue(result.error));
  return Object.entries(result.data.response).map(([id, t]) => ({
    id,
    description: t.description ?? "",
    connected: t.connected,
    ...(t.endpoint_name !== undefined && t.endpoint_name !== "" ? { endpointName: t.endpoint_name } : {}),
    ...(t.remote_subnet !== undefined && t.remote_subnet !== "" ? { remoteSubnet: t.remote_subnet } : {}),
    ...(options.details ? { ...phase(t.tunnel_params, "phase1"), ...phase(t.tunnel_params, "phase2") } : {}),
  }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const CIDR = /^[0-9a-f:.]+\/\d{1,3}$/i;

/**
 * Parse the body of GET /api/status/connected_subnets. Tolerant of the shapes seen in the field:
 * `{response: [...]}`, `{response: {<key>: {...}}}` or the bare array/object; each item has
 * `network` (or is keyed by it) and `origin`. Items without both are skipped rather than guessed
 * (a guess would raise false "unmatched subnet" events).
 * @throws BadResponseError when the container is neither an array nor an object, or holds items
 *   none of which is a subnet.
 */
export function parseConnectedSubnets(body: unknown): ConnectedSubnet[] {
  const container = isObject(body) && "response" in body ? body.response : body;
  let entries: [string | undefined, unknown][];
  if (Array.isArray(container)) entries = container.map((item) => [undefined, item]);
  else if (isObject(container)) entries = Object.entries(container);
  else throw new BadResponseError("unexpected body: expected an array or an object of subnets");

  const subnets: ConnectedSubnet[] = [];
  for (const [key, item] of entries) {
    if (!isObject(item)) continue;
    const network = typeof item.network === "string" ? item.network : key !== undefined && CIDR.test(key) ? key : undefined;
    if (network === undefined || typeof item.origin !== "string") continue;
    subnets.push({ network, origin: item.origin });
  }
  if (entries.length > 0 && subnets.length === 0) {
    throw new BadResponseError("unexpected body: no item has a network and an origin");
  }
  return subnets;
}
