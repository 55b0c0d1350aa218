/**
 * VNS3 API client: one GET per call over its own TLS connection, bounded by an AbortSignal.
 *
 * TLS pinning: when `tlsSha256` is set we connect with CA verification off FOR THIS SOCKET ONLY,
 * wait for the handshake, compare the peer certificate's SHA-256 fingerprint, and only then hand
 * the socket to the HTTP request. Nothing (not a header, let alone credentials) is written before
 * the fingerprint matched. Without a pin, normal CA + hostname verification applies.
 */
import * as https from "node:https";
import type { IncomingMessage } from "node:http";
import * as tls from "node:tls";
import type { ControllerConfig } from "./config";
import { fingerprintsMatch } from "../contract/fingerprint";
import { VNS3_PATHS } from "../contract/vns3";
import type { ControllerReading, DownReason, SubnetsReading } from "./core";
import { Deadline, DeadlineExceededError, systemClock, type Clock } from "./deadline";
import { BadResponseError, parseConnectedSubnets, parseIpsecStatus } from "./vns3-responses";

/** Resolved credentials for one controller. */
export type Vns3Credentials =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "token"; readonly apiToken: string };

/** Where to connect. */
export interface Vns3Target {
  readonly host: string;
  readonly port: number;
  /** Pinned fingerprint, 64 lowercase hex digits without colons. */
  readonly tlsSha256?: string;
}

/** A failed read with its bounded reason. `message` never contains a secret. */
export class Vns3ReadError extends Error {
  constructor(
    readonly reason: DownReason,
    message: string,
  ) {
    super(message);
    this.name = "Vns3ReadError";
  }
}

/** Options of one GET. */
export interface Vns3GetOptions {
  /** Aborts the whole exchange (connect, handshake, response). */
  readonly signal: AbortSignal;
  /** Extra trust anchors for CA verification when no pin is set (private CA). @default Node's bundle */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Largest body accepted. @default 8 MiB */
  readonly maxBodyBytes?: number;
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

function authHeaders(credentials: Vns3Credentials): Record<string, string> {
  return credentials.kind === "basic"
    ? { Authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, "utf8").toString("base64")}` }
    : { "api-token": credentials.apiToken };
}

type Phase = "connect" | "tls handshake" | "response";

function timeoutError(phase: Phase): Vns3ReadError {
  return new Vns3ReadError("timeout", `no answer within the time budget (during ${phase})`);
}

/**
 * TLS contexts, built once per trust configuration and shared by every connection. Without one,
 * each tls.connect builds its own context and re-parses the CA bundle: at 20 controllers that was
 * most of a check's CPU time.
 */
const secureContexts = new Map<Vns3GetOptions["ca"] | undefined, tls.SecureContext>();
function secureContextFor(ca: Vns3GetOptions["ca"] | undefined): tls.SecureContext {
  let context = secureContexts.get(ca);
  if (context === undefined) {
    context = tls.createSecureContext(ca !== undefined ? { ca: ca as string | Buffer | (string | Buffer)[] } : {});
    secureContexts.set(ca, context);
  }
  return context;
}

/** Open a TLS socket and, when pinned, verify the fingerprint before resolving. */
function connect(target: Vns3Target, options: Vns3GetOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const pinned = target.tlsSha256 !== undefined;
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      // With a pin, the fingerprint is the trust decision; the self-signed chain cannot verify.
      // Scoped to this one socket: process-wide TLS settings are never touched.
      rejectUnauthorized: !pinned,
      secureContext: secureContextFor(pinned ? undefined : options.ca),
      ALPNProtocols: ["http/1.1"],
    });
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    let phase: Phase = "connect";
    const onAbort = (): void => finish(timeoutError(phase));
    if (options.signal.aborted) {
      finish(timeoutError(phase));
      return;
    }
    options.signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      phase = "tls handshake";
    });
    // Stays attached after the handshake: an error between now and the request taking the socket
    // over must not become an unhandled 'error' event. Later calls to finish() are no-ops.
    socket.on("error", (error) => finish(error));
    socket.once("secureConnect", () => {
      if (pinned) {
        // The X509Certificate form computes only the fingerprint; getPeerCertificate() would
        // decode every field of the certificate into an object first.
        const actual = socket.getPeerX509Certificate()?.fingerprint256 ?? "";
        if (!fingerprintsMatch(target.tlsSha256 ?? "", actual)) {
          finish(new Vns3ReadError("tls_pin_mismatch", `certificate SHA-256 ${actual || "(none)"} does not match tlsSha256 ${target.tlsSha256}`));
          return;
        }
      }
      finish(undefined);
    });
  });
}

/**
 * GET `path` on the controller and return the parsed JSON body.
 * @throws Vns3ReadError (auth, http_error, bad_response, timeout, tls_pin_mismatch) or a Node
 *   socket/TLS error (classify it with {@link classifyReadError}).
 */
export async function vns3GetJson(target: Vns3Target, credentials: Vns3Credentials, path: string, options: Vns3GetOptions): Promise<unknown> {
  const socket = await connect(target, options);
  try {
    return await new Promise<unknown>((resolve, reject) => {
      let settled = false;
      const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
      const finish = (error: Error | undefined, value?: unknown): void => {
        if (settled) return;
        settled = true;
        options.signal.removeEventListener("abort", onAbort);
        if (error) {
          request.destroy();
          reject(error);
        } else resolve(value);
      };
      const onAbort = (): void => finish(timeoutError("response"));
      const request = https.request({
        host: target.host,
        port: target.port,
        path,
        method: "GET",
        headers: { Accept: "application/json", Connection: "close", ...authHeaders(credentials) },
        // The already verified socket: no agent, no second handshake, no pooling across controllers.
        createConnection: () => socket,
      });
      options.signal.addEventListener("abort", onAbort, { once: true });
      request.on("error", (error) => finish(error));
      request.on("response", (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        if (status === 401 || status === 403) {
          response.resume();
          finish(new Vns3ReadError("auth", `HTTP ${status}: credentials rejected`));
          return;
        }
        if (status < 200 || status > 299) {
          response.resume();
          finish(new Vns3ReadError("http_error", `HTTP ${status}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBody) finish(new Vns3ReadError("bad_response", `body larger than ${maxBody} bytes`));
          else chunks.push(chunk);
        });
        response.on("error", (error) => finish(error));
        response.on("aborted", () => finish(new Vns3ReadError("network", "connection closed mid-response")));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            finish(undefined, JSON.parse(text));
          } catch {
            finish(new Vns3ReadError("bad_response", `HTTP ${status} body is not JSON (${size} bytes)`));
          }
        });
      });
      if (options.signal.aborted) onAbort();
      else request.end();
    });
  } finally {
    socket.destroy();
  }
}

const TLS_CODES = new Set([
  "EPROTO",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
]);

/** Map any failure of a read to a bounded reason and a short detail without secrets. */
export function classifyReadError(error: unknown): { reason: DownReason; detail: string } {
  if (error instanceof Vns3ReadError) return { reason: error.reason, detail: error.message };
  if (error instanceof BadResponseError) return { reason: "bad_response", detail: error.message };
  if (error instanceof DeadlineExceededError) return { reason: "timeout", detail: error.message };
  const err = error as { code?: unknown; message?: unknown; name?: unknown } | undefined;
  const code = typeof err?.code === "string" ? err.code : "";
  const message = typeof err?.message === "string" ? err.message : String(error);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  if (err?.name === "AbortError" || err?.name === "TimeoutError" || code === "ETIMEDOUT") return { reason: "timeout", detail };
  if (code === "ECONNREFUSED") return { reason: "refused", detail };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NODATA" || code === "EAI_NONAME") return { reason: "dns", detail };
  if (TLS_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code.startsWith("CERT_")) return { reason: "tls_error", detail };
  return { reason: "network", detail };
}

/** Reads one controller: tunnel status first, then connected subnets (whose failure is separate). */
export interface Vns3Reader {
  read(controller: ControllerConfig, credentials: Vns3Credentials, deadline: Deadline): Promise<ControllerReading>;
}

/** Options of {@link createVns3Reader}. */
export interface Vns3ReaderOptions {
  /** Upper bound for one request, whatever the remaining budget. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Extra trust anchors for unpinned controllers. @default Node's bundle */
  readonly ca?: Vns3GetOptions["ca"];
  /** Largest body accepted. @default 8 MiB */
  readonly maxBodyBytes?: number;
  /** Time source for durations. @default systemClock */
  readonly clock?: Clock;
  /** Also return each tunnel's phase1/phase2 (`npm run check` shows them). @default false */
  readonly tunnelDetails?: boolean;
}

/** The real reader, over HTTPS. */
export function createVns3Reader(options: Vns3ReaderOptions = {}): Vns3Reader {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const clock = options.clock ?? systemClock;
  const get = (target: Vns3Target, credentials: Vns3Credentials, path: string, deadline: Deadline): Promise<unknown> =>
    deadline.cappedAt(requestTimeoutMs).run((signal) =>
      vns3GetJson(target, credentials, path, {
        signal,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      }),
    );
  // Controllers whose last read in this container succeeded. Their two reads go out together;
  // any other controller is read tunnels first, so that credentials that a controller refuses are
  // tried once per check, not twice (repeated failed logins can lock the API user).
  const knownGood = new Set<string>();
  const readSubnets = async (target: Vns3Target, credentials: Vns3Credentials, deadline: Deadline): Promise<SubnetsReading> => {
    try {
      return { ok: true, subnets: parseConnectedSubnets(await get(target, credentials, VNS3_PATHS.connectedSubnets, deadline)) };
    } catch (error) {
      return { ok: false, ...classifyReadError(error) };
    }
  };
  return {
    async read(controller, credentials, deadline) {
      const started = clock.now();
      const target: Vns3Target = { host: controller.host, port: controller.port, ...(controller.tlsSha256 !== undefined ? { tlsSha256: controller.tlsSha256 } : {}) };
      const earlySubnets = knownGood.has(controller.name) ? readSubnets(target, credentials, deadline) : undefined;
      let tunnels;
      try {
        tunnels = parseIpsecStatus(await get(target, credentials, VNS3_PATHS.ipsecStatus, deadline), { details: options.tunnelDetails === true });
      } catch (error) {
        knownGood.delete(controller.name);
        await earlySubnets; // settle it: never leave a request running past the read
        return { controller: controller.name, up: false, ...classifyReadError(error), durationMs: clock.now() - started };
      }
      knownGood.add(controller.name);
      const subnets = await (earlySubnets ?? readSubnets(target, credentials, deadline));
      return { controller: controller.name, up: true, tunnels, subnets, durationMs: clock.now() - started };
    },
  };
}
