/**
 * Loopback stand-ins for the checker's integration tests: a VNS3 API over HTTPS with a
 * self-signed certificate, raw TCP/TLS listeners for the failure modes, and a Datadog intake
 * that records (and decompresses) every request. Each test starts what it needs and closes it.
 *
 * Sources: the VNS3 answers follow Cohesive's OpenAPI description (cohesive/cohesivenet-client-go,
 * cohesivenet/api/openapi.yaml) and the Python SDK's test data (cohesive/python-cohesivenet-sdk,
 * tests/vns3/stub_data.py); the intake answers as Datadog's API reference has it for
 * POST /api/v2/series (202 `{"errors": []}`) and POST /api/v1/events.
 */
import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as tls from "node:tls";
import * as zlib from "node:zlib";
import { generate } from "selfsigned";

/** A self-signed certificate and its SHA-256 fingerprint as OpenSSL prints it (AA:BB:…). */
export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
  readonly fingerprint256: string;
}

/** Generate a self-signed EC certificate for 127.0.0.1 / localhost (fast: no RSA key generation). */
export async function createCertificate(): Promise<TestCertificate> {
  const pems = await generate([{ name: "commonName", value: "vns3-stand-in" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "localhost" }, { type: 7, ip: "127.0.0.1" }] }],
  });
  return { key: pems.private, cert: pems.cert, fingerprint256: new X509Certificate(pems.cert).fingerprint256 };
}

function portOf(server: net.Server): number {
  return (server.address() as AddressInfo).port;
}

/** Close a server and every connection it holds, so Jest sees no open handles. */
function closeServer(server: net.Server, sockets: Set<net.Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy();
  if ("closeAllConnections" in server) (server as http.Server).closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function trackSockets(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  return sockets;
}

function listen(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
}

/** A request as the VNS3 stand-in saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** A status and a body (objects are sent as JSON). */
export interface Vns3Answer {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
}

/**
 * How the VNS3 stand-in answers one path: a fixed answer, one chosen from the query string, or
 * never.
 */
export type Vns3Reply = Vns3Answer | ((query: URLSearchParams) => Vns3Answer) | "hang";

/** Options of {@link startVns3}. */
export interface Vns3StandInOptions {
  readonly certificate: TestCertificate;
  /** Accepted credentials; a request without them gets 401. */
  readonly auth: { readonly basic: { readonly username: string; readonly password: string } } | { readonly token: string };
  /** Reply per path; unknown paths get 404. */
  readonly routes: Readonly<Record<string, Vns3Reply>>;
}

/** A running VNS3 API stand-in. */
export interface Vns3StandIn {
  readonly port: number;
  /** Every HTTP request that reached the server, in order. */
  readonly requests: SeenRequest[];
  close(): Promise<void>;
}

/** Start an HTTPS server that behaves like a VNS3 API for the configured routes. */
export async function startVns3(options: Vns3StandInOptions): Promise<Vns3StandIn> {
  const requests: SeenRequest[] = [];
  const server = https.createServer({ key: options.certificate.key, cert: options.certificate.cert }, (req, res) => {
    requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers });
    const authorized =
      "basic" in options.auth
        ? req.headers.authorization === `Basic ${Buffer.from(`${options.auth.basic.username}:${options.auth.basic.password}`).toString("base64")}`
        : req.headers["api-token"] === options.auth.token;
    if (!authorized) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "Authentication failed" } }));
      return;
    }
    const url = new URL(req.url ?? "/", "https://vns3.invalid");
    const route = options.routes[url.pathname];
    if (route === undefined) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "Not found" } }));
      return;
    }
    if (route === "hang") return; // never answer
    const reply = typeof route === "function" ? route(url.searchParams) : route;
    const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" }).end(body);
  });
  const sockets = trackSockets(server);
  await listen(server);
  return { port: portOf(server), requests, close: () => closeServer(server, sockets) };
}

/** A TLS listener that records every decrypted byte it receives (to prove what was, or was not, sent). */
export interface TlsRecorder {
  readonly port: number;
  /** TCP connections accepted. */
  connections(): number;
  /** Decrypted bytes received, over all connections. */
  received(): Buffer;
  close(): Promise<void>;
}

/** Start a bare TLS server with the certificate that never answers but keeps what it receives. */
export async function startTlsRecorder(certificate: TestCertificate): Promise<TlsRecorder> {
  let connections = 0;
  const chunks: Buffer[] = [];
  const server = tls.createServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined);
  });
  server.on("connection", () => (connections += 1));
  server.on("tlsClientError", () => undefined);
  const sockets = trackSockets(server);
  await listen(server);
  return { port: portOf(server), connections: () => connections, received: () => Buffer.concat(chunks), close: () => closeServer(server, sockets) };
}

/** A TCP listener that accepts connections and never says a word (a hung controller). */
export interface SilentListener {
  readonly port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Connections still open (the client should have closed them). */
  openConnections(): number;
  close(): Promise<void>;
}

/** Start a silent TCP listener. */
export async function startSilentListener(): Promise<SilentListener> {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    socket.on("error", () => undefined);
    socket.resume(); // read (and discard) so the client's close is noticed
  });
  const sockets = trackSockets(server);
  await listen(server);
  return { port: portOf(server), connections: () => connections, openConnections: () => sockets.size, close: () => closeServer(server, sockets) };
}

/** A loopback port with nothing listening (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await listen(server);
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A request as the Datadog intake stand-in saw it, body decompressed and parsed. */
export interface IntakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Parsed JSON body (undefined when empty or not JSON). */
  readonly body: unknown;
  /** Size on the wire. */
  readonly wireBytes: number;
}

/** Reply of the intake stand-in: status, JSON body, extra headers. */
export interface IntakeReply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A running Datadog intake stand-in. */
export interface IntakeStandIn {
  /** Base URL for DD_API_URL. */
  readonly url: string;
  readonly requests: IntakeRequest[];
  /** Requests to /api/v2/series. */
  series(): IntakeRequest[];
  /** Requests to /api/v1/events. */
  events(): IntakeRequest[];
  close(): Promise<void>;
}

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding) {
    case undefined:
    case "identity":
      return body;
    case "gzip":
      return zlib.gunzipSync(body);
    case "deflate":
      return zlib.inflateSync(body);
    case "zstd":
    case "zstd1": {
      const zstd = (zlib as unknown as { zstdDecompressSync?: (b: Buffer) => Buffer }).zstdDecompressSync;
      if (zstd === undefined) throw new Error("this Node has no zstd support");
      return zstd(body);
    }
    default:
      throw new Error(`unexpected content-encoding ${encoding}`);
  }
}

/**
 * Start the intake. `reply` decides each answer (default: 202 `{"errors":[]}`); it sees the request
 * count so far per path, to script sequences like "500 then 202".
 */
export async function startIntake(reply: (req: IntakeRequest, countForPath: number) => IntakeReply = () => ({ status: 202, body: { errors: [] } })): Promise<IntakeStandIn> {
  const requests: IntakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const text = decompress(raw, req.headers["content-encoding"]).toString("utf8");
      let body: unknown;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const seen: IntakeRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, wireBytes: raw.length };
      requests.push(seen);
      const answer = reply(seen, requests.filter((r) => r.path === seen.path).length);
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers }).end(JSON.stringify(answer.body ?? {}));
    });
  });
  const sockets = trackSockets(server);
  await listen(server);
  return {
    url: `http://127.0.0.1:${portOf(server)}`,
    requests,
    series: () => requests.filter((r) => r.path === "/api/v2/series"),
    events: () => requests.filter((r) => r.path === "/api/v1/events"),
    close: () => closeServer(server, sockets),
  };
}

/** A Lambda context whose remaining time counts down from `ms` in real time. */
export function lambdaContext(ms: number): { getRemainingTimeInMillis(): number; awsRequestId: string } {
  const end = Date.now() + ms;
  return { getRemainingTimeInMillis: () => Math.max(0, end - Date.now()), awsRequestId: "test-request" };
}

/**
 * One tunnel of GET /api/status/ipsec. Fields as in Cohesive's OpenAPI description
 * (cohesive/cohesivenet-client-go, cohesivenet/api/openapi.yaml, schema `RuntimeStatus_ipsec_value`)
 * and the Python SDK's `IpsecStatusResponse` (cohesive/python-cohesivenet-sdk, tests/vns3/stub_data.py).
 */
export interface StandInTunnel {
  readonly description?: string | null;
  readonly connected: boolean;
  readonly endpoint_name?: string;
  readonly endpointid?: number;
  readonly endpoint_id?: number;
  readonly remote_subnet?: string;
  readonly active?: boolean;
  readonly enabled?: boolean;
  /**
   * Fields of `tunnel_params` over the defaults (schema `IpsecTunnelParams`: every value a string,
   * e.g. `bytes_in: "0"`, `inbound_spi: "64dd6ec8"`, `esp_time_remaining: "20756s"`).
   */
  readonly tunnel_params?: Readonly<Record<string, string>>;
}

/**
 * `tunnel_params` of a tunnel, as the SDK's `IpsecStatusResponse` has them (all strings, seconds
 * with an `s`): phases from `connected`, the sample's SPIs, counters and lifetimes, then `overrides`.
 */
export function tunnelParams(connected: boolean, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    phase2: connected ? "up" : "down",
    outbound_spi: "e7a4b70c",
    inbound_spi: "64dd6ec8",
    bytes_in: "0",
    bytes_out: "0",
    esp_time_remaining: "20756s",
    esp_port: "4500",
    phase2_algo: "AES 128",
    phase2_hash: "SHA1",
    nat_t: "on",
    dpd: "off",
    pfs_dh_group: "14",
    phase1: connected ? "up" : "down",
    isakmp_port: "4500",
    isakmp_time_remaining: "1227s",
    last_dpd: "None",
    phase1_cipher: "AES 256",
    phase1_prf: "SHA2_256",
    phase1_dh_group: "14",
    ike_version: "IKEv1",
    ...overrides,
  };
}

/**
 * The ipsec body of a controller with the given tunnels (VNS3 shape): `local_subnet`, `active: true`
 * and `tunnel_params` added to each, as in the SDK's test data. No endpoint id unless given.
 */
export function ipsecBody(tunnels: Readonly<Record<string, StandInTunnel>>): unknown {
  return {
    response: Object.fromEntries(
      Object.entries(tunnels).map(([id, t]) => [
        id,
        { local_subnet: "172.16.0.0/24", active: true, ...t, tunnel_params: t.tunnel_params === undefined ? { phase1: t.connected ? "up" : "down", phase2: t.connected ? "up" : "down" } : tunnelParams(t.connected, t.tunnel_params) },
      ]),
    ),
  };
}

/** One subnet a controller knows: address, prefix length and origin, as in the verbose answer. */
export interface StandInSubnet {
  /** Network address only, e.g. "10.0.1.0". */
  readonly network: string;
  readonly prefix: number;
  /** "ipsec", "local_no_encryption", "remote_manager" or "ebgp" (the OpenAPI description's list). */
  readonly origin: string;
  /** @default 1 */
  readonly managerid?: number;
}

function dottedNetmask(prefix: number): string {
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return [24, 16, 8, 0].map((shift) => (mask >>> shift) & 255).join(".");
}

/**
 * GET /api/status/connected_subnets as Cohesive's OpenAPI description has it (operation
 * `getConnectedSubnets`, schema `ConnectedSubnetsDetail`): by default `{response: [[network,
 * netmask], …]}` (the Python SDK's `VNS3ConnectedSubnets` is `{"response": [["10.0.1.0",
 * "255.255.255.0"]]}`); with the query parameter `extended_output=true`, objects with `subnet`,
 * `network` (address only), `cidr_mask` (a string), `netmask`, `managerid` and `origin`. The schema
 * types `subnet` only as a string; CIDR text is assumed here. `ignoresExtendedOutput` stands in for
 * a controller that answers pairs whatever the query says.
 */
export function connectedSubnetsRoute(subnets: readonly StandInSubnet[], options: { readonly ignoresExtendedOutput?: boolean } = {}): Vns3Reply {
  return (query) => {
    const verbose = query.get("extended_output") === "true" && options.ignoresExtendedOutput !== true;
    return {
      status: 200,
      body: {
        response: subnets.map((s) =>
          verbose
            ? { subnet: `${s.network}/${s.prefix}`, network: s.network, cidr_mask: String(s.prefix), netmask: dottedNetmask(s.prefix), managerid: s.managerid ?? 1, origin: s.origin }
            : [s.network, dottedNetmask(s.prefix)],
        ),
      },
    };
  };
}

/** One `diskinfo` row: `[device, size, used, avail, "use%", mount, "inode%"]`, all strings. */
export type DiskRow = readonly [string, string, string, string, string, string, string];

/** Options of {@link systemStatusBody}. */
export interface SystemStatusOptions {
  /** `uptime`, integer seconds. @default 263155 (the SDK sample) */
  readonly uptime?: number;
  /** `diskinfo` rows; `null` leaves the field out (a controller without it). @default the sample's one row at 20% / 13% inodes */
  readonly diskinfo?: readonly DiskRow[] | null;
  /** `vns3_version`. @default "Cohesive Networks VNS3 4.9.0-20200121" */
  readonly vns3_version?: string;
}

/**
 * GET /api/status/system as Cohesive's OpenAPI description has it (operation `getSystemStatus`,
 * schema `SystemStatus`: `uptime` an integer, `diskinfo` arrays of strings, `meminfo` strings) with
 * the values of the SDK's `SystemAdminApiData.SystemStatus` (tests/vns3/stub_data.py), where
 * `meminfo` is in `free -b` order: total, used, free, shared, buffers, cached, used without
 * buffers/cache, free with them.
 */
export function systemStatusBody(options: SystemStatusOptions = {}): unknown {
  const diskinfo = options.diskinfo === undefined ? [["/dev/nvme0n1p1", "31571570688", "5974278144", "23986741248", "20%", "/", "13%"]] : options.diskinfo;
  return {
    response: {
      timestamp: "2020-01-27 21:46:35 +0000",
      timestamp_i: 1580161595,
      vns3_version: options.vns3_version ?? "Cohesive Networks VNS3 4.9.0-20200121",
      kernel_version: "Linux 4.4.0-154-generic",
      uptime: options.uptime ?? 263155,
      loadavg: ["0.00", "0.05", "0.07", "1/328", "20398"],
      ...(diskinfo === null ? {} : { diskinfo }),
      meminfo: ["8264527872", "4446773248", "3817754624", "90910720", "241074176", "3327860736", "877838336", "7386689536"],
      swapinfo: ["1073737728", "0", "1073737728"],
    },
  };
}

/**
 * A route that answers the n-th request with `answers[n]` (the last one from then on): a
 * controller scripted across warm invocations (counters that grow, stop, reset; SPIs replaced).
 */
export function scriptedRoute(answers: readonly Vns3Answer[]): Vns3Reply {
  let n = 0;
  return () => answers[Math.min(n++, answers.length - 1)] as Vns3Answer;
}
