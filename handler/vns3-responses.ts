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
import type { ConnectedSubnet, SystemStatus, Tunnel, TunnelParams } from "./core";
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
/** @internal exported for the test that holds {@link usualTunnel} to it */
export const tunnelSchema = z.object({
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

type TunnelFields = z.output<typeof tunnelSchema>;

/** `optionalText` without zod: the text, undefined when absent, or NOT_TEXT for anything else. */
function plainText(value: unknown): string | undefined | typeof NOT_TEXT {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return undefined;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : NOT_TEXT;
}
const NOT_TEXT = Symbol("not text");

/**
 * What `tunnelSchema.safeParse` returns for an entry of the usual shape, worked out directly (zod
 * was a tenth of reading an answer, a thousand times per check); undefined for anything else, which
 * then goes through zod for the same result or the same error message.
 */
export function usualTunnel(value: unknown): TunnelFields | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const c = v.connected;
  const connected = c === true || c === 1 || c === "true" ? true : c === false || c === 0 || c === "false" ? false : undefined;
  if (connected === undefined) return undefined;
  const description = plainText(v.description);
  const endpointName = plainText(v.endpoint_name);
  const endpointIdText = plainText(v.endpoint_id);
  const endpointid = plainText(v.endpointid);
  const remoteSubnet = plainText(v.remote_subnet);
  if (description === NOT_TEXT || endpointName === NOT_TEXT || endpointIdText === NOT_TEXT || endpointid === NOT_TEXT || remoteSubnet === NOT_TEXT) return undefined;
  return { connected, description, endpoint_name: endpointName, endpoint_id: endpointIdText, endpointid, remote_subnet: remoteSubnet, active: v.active, enabled: v.enabled, tunnel_params: v.tunnel_params };
}

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
function phase(params: unknown, key: "phase1" | "phase2"): string | undefined {
  const value = typeof params === "object" && params !== null ? (params as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

/** `endpoint_id`, else `endpointid`: the first that is given and not empty. */
function endpointId(endpointIdText: string | undefined, endpointid: string | undefined): string | undefined {
  return endpointIdText !== undefined && endpointIdText !== "" ? endpointIdText : endpointid !== undefined && endpointid !== "" ? endpointid : undefined;
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

/** Longest SPI kept (they are 8 hex digits; anything longer is cut, never stored whole). */
const MAX_SPI_LENGTH = 16;
/** Largest byte counter believed: beyond 2^53 a number is no longer exact. */
const MAX_COUNTER = Number.MAX_SAFE_INTEGER;

/** A decimal counter string (`"0"`, `"123456"`), or nothing for anything else. */
function counter(value: unknown): number | undefined {
  if (typeof value !== "string" || !/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= MAX_COUNTER ? n : undefined;
}

/** `"20756s"` (IpsecTunnelParams.esp_time_remaining) → 20756; a bare integer is read as seconds too. */
function secondsLeft(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^(\d{1,10})s?$/.exec(value.trim()) : undefined;
  return match ? Number(match[1]) : undefined;
}

function spi(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" && value !== "None" ? value.slice(0, MAX_SPI_LENGTH).toLowerCase() : undefined;
}

/**
 * The signal fields of `tunnel_params` (schema `IpsecTunnelParams`: every field a string, e.g.
 * `"phase1": "up"`, `"bytes_in": "0"`, `"inbound_spi": "64dd6ec8"`, `"esp_time_remaining": "20756s"`
 * in the SDK's `IpsecStatusResponse`). Lenient: an odd field is left out, never a failed read.
 */
export function tunnelParamsOf(params: unknown): TunnelParams {
  const p = isObject(params) ? params : {};
  const out: { -readonly [K in keyof TunnelParams]: TunnelParams[K] } = {
    phase1Up: p.phase1 === "up",
    phase2Up: p.phase2 === "up",
  };
  const inbound = spi(p.inbound_spi);
  const outbound = spi(p.outbound_spi);
  const bytesIn = counter(p.bytes_in);
  const bytesOut = counter(p.bytes_out);
  const esp = secondsLeft(p.esp_time_remaining);
  if (inbound !== undefined) out.inboundSpi = inbound;
  if (outbound !== undefined) out.outboundSpi = outbound;
  if (bytesIn !== undefined) out.bytesIn = bytesIn;
  if (bytesOut !== undefined) out.bytesOut = bytesOut;
  if (esp !== undefined) out.espSecondsLeft = esp;
  return out;
}

/** Options of {@link ipsecStatusReader}. */
export interface IpsecReaderOptions {
  /** Also keep `phase1`/`phase2` as text (the CLI's table). @default false */
  readonly details?: boolean;
  /** Also keep the signal fields of `tunnel_params` (phase, traffic, SA tracking). @default false */
  readonly params?: boolean;
}

/**
 * Reader of GET /api/status/ipsec: `{response: {<tunnel id>: tunnel}}`. Keeps only what the
 * checker uses; the other fields are dropped with the raw entry.
 */
export function ipsecStatusReader(options: IpsecReaderOptions = {}): ResponseReader<Tunnel[]> {
  const tunnels: Tunnel[] = [];
  return {
    container: "object",
    entry(id, value) {
      let t = usualTunnel(value);
      if (t === undefined) {
        const result = tunnelSchema.safeParse(value);
        if (!result.success) throw new BadResponseError(describeIssue(result.error, `response.${boundedKey(id)}`));
        t = result.data;
      }
      // Built by assignment, not spreads (a thousand tunnels per check), in the same key order.
      const tunnel: { -readonly [K in keyof Tunnel]: Tunnel[K] } = { id, description: t.description ?? "", connected: t.connected };
      // `active: false` or `enabled: false`: an administrator turned the tunnel off on purpose.
      if (isOff(t.active) || isOff(t.enabled)) tunnel.enabled = false;
      if (t.endpoint_name !== undefined && t.endpoint_name !== "") tunnel.endpointName = t.endpoint_name;
      tunnel.endpointId = endpointId(t.endpoint_id, t.endpointid);
      if (t.remote_subnet !== undefined && t.remote_subnet !== "") tunnel.remoteSubnet = t.remote_subnet;
      if (options.details) {
        const phase1 = phase(t.tunnel_params, "phase1");
        const phase2 = phase(t.tunnel_params, "phase2");
        if (phase1 !== undefined) tunnel.phase1 = phase1;
        if (phase2 !== undefined) tunnel.phase2 = phase2;
      }
      if (options.params) tunnel.params = tunnelParamsOf(t.tunnel_params);
      tunnels.push(tunnel);
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
export function parseIpsecStatus(body: unknown, options: IpsecReaderOptions = {}): Tunnel[] {
  return readParsedBody(body, ipsecStatusReader(options));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : undefined;
}

function withMask(address: string | undefined, mask: string | undefined) {
  return address !== undefined && mask !== undefined ? parseNetwork(address, mask) : undefined;
}

/** One item of the verbose answer: `network` (address only) with `cidr_mask` or `netmask`, else `subnet`. */
function verboseItem(item: Record<string, unknown>): ConnectedSubnet | undefined {
  const address = text(item.network);
  const subnet = text(item.subnet);
  // The first that parses, in this order: `network` as CIDR, `network` with `cidr_mask`, with
  // `netmask`, then `subnet` as CIDR. A bare address is never read as a /32 here: without a mask,
  // `subnet` is the next best source. (A thousand items per check: no candidate lists built.)
  const network =
    (address !== undefined && address.includes("/") ? parseNetwork(address) : undefined) ??
    withMask(address, text(item.cidr_mask)) ??
    withMask(address, text(item.netmask)) ??
    (subnet !== undefined && subnet.includes("/") ? parseNetwork(subnet) : undefined);
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

/** Most `diskinfo` rows looked at (a controller has a handful of mounts). */
export const MAX_DISK_ROWS = 64;
/** Longest `vns3_version` text looked at. */
const MAX_VERSION_INPUT = 200;
/** Longest version kept for the tag. */
export const MAX_VERSION_LENGTH = 40;

/** `"20%"` → 20; anything that is not a 0-100 percentage → nothing. */
function percent(value: unknown): number | undefined {
  const match = typeof value === "string" ? /^\s*(\d{1,3}(?:\.\d+)?)\s*%\s*$/.exec(value) : undefined;
  const n = match ? Number(match[1]) : undefined;
  return n !== undefined && n <= 100 ? n : undefined;
}

function byteCount(value: unknown): number | undefined {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : counter(value);
}

/**
 * `vns3_version` as a bounded tag value: the version token (`"Cohesive Networks VNS3
 * 4.9.0-20200121"` → `4.9.0-20200121`, `"4.8.4-20191220"` as is), else nothing. A version is
 * digits and dots with an optional build suffix; free text is never tagged (series count).
 */
export function versionOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /\d+(?:\.\d+){1,3}(?:-[0-9A-Za-z]+)?/.exec(value.slice(0, MAX_VERSION_INPUT));
  return match ? match[0].slice(0, MAX_VERSION_LENGTH).toLowerCase() : undefined;
}

/**
 * Reader of GET /api/status/system (operation `getSystemStatus`, schema `SystemStatus` in
 * Cohesive's OpenAPI description; sample `SystemAdminApiData.SystemStatus` in the SDK's stub data):
 * - `uptime`: integer seconds (263155 in the sample);
 * - `diskinfo`: rows of strings `[device, size, used, avail, "use%", mount, "inode%"]`
 *   (`["/dev/nvme0n1p1", "31571570688", "5974278144", "23986741248", "20%", "/", "13%"]`): the
 *   highest `use%` and `inode%` over the rows are kept;
 * - `meminfo`: byte counts as strings in the order `free -b` prints them: total, used, free, shared,
 *   buffers, cached, used without buffers/cache, free with buffers/cache (in the sample
 *   4446773248 − 241074176 − 3327860736 = 877838336 and 3817754624 + 241074176 + 3327860736 =
 *   7386689536). Memory in use is the seventh over the first (page cache is not pressure), else
 *   used − buffers − cached over total;
 * - `vns3_version`: text (see {@link versionOf}).
 * Each field is optional: a missing or odd one is left out, and an answer with none of them is a
 * `bad_response` (not the system status at all).
 */
export function systemStatusReader(): ResponseReader<SystemStatus> {
  const status: { -readonly [K in keyof SystemStatus]: SystemStatus[K] } = {};
  return {
    container: "object",
    entry(key, value) {
      if (key === "uptime") {
        const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
        if (Number.isSafeInteger(n) && n >= 0) status.uptimeSeconds = n;
      } else if (key === "diskinfo" && Array.isArray(value)) {
        let disk: number | undefined;
        let inode: number | undefined;
        for (const row of value.slice(0, MAX_DISK_ROWS)) {
          if (!Array.isArray(row)) continue;
          const use = percent(row[4]);
          const inodes = percent(row[6]);
          if (use !== undefined) disk = Math.max(disk ?? 0, use);
          if (inodes !== undefined) inode = Math.max(inode ?? 0, inodes);
        }
        if (disk !== undefined) status.diskUsedPct = disk;
        if (inode !== undefined) status.inodeUsedPct = inode;
      } else if (key === "meminfo" && Array.isArray(value)) {
        const [total, used, , , buffers, cached, usedNoCache] = value.slice(0, 8).map(byteCount);
        const inUse = usedNoCache ?? (used !== undefined && buffers !== undefined && cached !== undefined ? used - buffers - cached : used);
        if (total !== undefined && total > 0 && inUse !== undefined && inUse >= 0 && inUse <= total) {
          status.memoryUsedPct = Math.round((inUse / total) * 1000) / 10;
        }
      } else if (key === "vns3_version") {
        const version = versionOf(value);
        if (version !== undefined) status.vns3Version = version;
      }
    },
    finish() {
      if (Object.keys(status).length === 0) throw new BadResponseError("unexpected body at response: no uptime, diskinfo, meminfo or vns3_version");
      return status;
    },
  };
}

/** Parse the body of GET /api/status/system (see {@link systemStatusReader}). @throws BadResponseError */
export function parseSystemStatus(body: unknown): SystemStatus {
  return readParsedBody(body, systemStatusReader());
}
