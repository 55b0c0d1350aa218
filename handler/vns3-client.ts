/**
 * VNS3 API client: GETs over pinned TLS connections that stay open across warm invocations,
 * every exchange bounded by an AbortSignal.
 *
 * Trust. When `tlsSha256` is set, a connection is opened with CA verification off FOR THAT SOCKET
 * ONLY, the peer certificate's SHA-256 fingerprint is compared once the handshake is done, and only
 * a matching socket is handed to HTTP: nothing (not a header, let alone credentials) is written
 * before. Without a pin, normal CA + hostname verification applies.
 *
 * Reuse. Each controller has its own keep-alive agent ({@link ControllerAgent}) whose only source
 * of sockets is that check: a pooled socket is always one whose pin matched when it was opened.
 * Idle sockets are unref'd (a frozen or finishing Lambda is never held open by them) and retired
 * after {@link MAX_IDLE_MS} or the controller's own Keep-Alive hint. A GET that fails on a reused
 * socket before any answer arrived (the controller closed it while idle) is sent once more over a
 * fresh pinned connection, under the same deadline; only that second outcome is reported.
 *
 * Resumption. TLS sessions are kept per controller, and only from FULL handshakes whose pin matched:
 * a resumed handshake presents no certificate to compare (Node exposes none), so a ticket it brings
 * is never stored (whoever holds the server's ticket keys could otherwise renew its acceptance
 * forever without the certificate). A full handshake is forced at least every
 * {@link FULL_HANDSHAKE_EVERY_MS}, so a rotated certificate, and its days left, are seen within
 * minutes (docs/checker.md "Expiry, rotation and reading rules").
 */
import { PUSH_ALERTS_PATH, pushAlertsReader } from "./push-status";
import * as https from "node:https";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { JSONParser } from "@streamparser/json";
import type { ControllerConfig } from "./config";
import { fingerprintsMatch } from "../contract/fingerprint";
import { VNS3_PATHS } from "../contract/vns3";
import type { ControllerReading, DownReason, SubnetsReading, SystemReading } from "./core";
import { AnswerScan } from "./answer-scan";
import type { ControllerExpiryFacts } from "./expiry";
import { Deadline, DeadlineExceededError, systemClock, type Clock } from "./deadline";
import { BadResponseError, connectedSubnetsReader, containerMismatch, ipsecStatusReader, readParsedBody, systemStatusReader, type ResponseReader } from "./vns3-responses";

/** Resolved credentials for one controller. */
export type Vns3Credentials =
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  | { readonly kind: "token"; readonly apiToken: string };

/** Where to connect. */
export interface Vns3Target {
  readonly host: string;
  readonly port: number;
  /** Pinned fingerprint, 64 lowercase hex digits without colons. */
  readonly tlsSha256?: string | undefined;
  /** The next certificate's fingerprint during a rotation: accepted as well as `tlsSha256`. */
  readonly tlsSha256Next?: string | undefined;
}

/** The certificate seen in the last full, trusted handshake with a controller. */
export interface SeenCertificate {
  /** SHA-256 fingerprint, canonical form (AA:BB:…). */
  readonly fingerprint256: string;
  /** End of validity (`valid_to`), Unix milliseconds. */
  readonly notAfterMs: number;
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
  readonly ca?: string | Buffer | readonly (string | Buffer)[] | undefined;
  /** Largest body accepted, in bytes. @default 8 MiB */
  readonly maxBodyBytes?: number | undefined;
  /** Connections of this controller to reuse. @default a one-off pool, closed after the GET */
  readonly connections?: Vns3Connections;
}

const DEFAULT_MAX_BODY = 8 * 1024 * 1024;

/**
 * Answers up to this size are collected and parsed whole (`JSON.parse`, the fastest parser there
 * is); larger ones are parsed as their bytes arrive, entry by entry, so that neither the body nor
 * its whole parsed tree is ever held. Four controllers answering 5 MB each otherwise hold four
 * bodies, their text and their trees at once (docs/performance.md "Memory"). Streaming costs about
 * six times the CPU per byte, so answers of ordinary size (50 tunnels are ~60 KB) never pay it.
 */
export const STREAM_PARSE_FROM_BYTES = 1024 * 1024;

/**
 * Longest a connection may sit idle and still be reused. Below the 350 s after which an AWS NAT
 * gateway forgets an idle flow (a reused socket behind it would then hang rather than fail fast),
 * and above the one-minute schedule, so a warm container reuses its connections check after check.
 * Measured against the wall clock, because a frozen Lambda runs no timers.
 */
export const MAX_IDLE_MS = 150_000;

/**
 * Longest a controller's TLS session is resumed after the full handshake that made it; then the
 * next connection does a full handshake and compares the certificate again. Four minutes: a
 * rotated certificate is seen within five checks, and a warm container with keep-alive pays about
 * one extra full handshake per controller every few minutes.
 */
export const FULL_HANDSHAKE_EVERY_MS = 240_000;

/** The headers that authenticate a request to the controller's API (basic auth or an API token). */
export function vns3AuthHeaders(credentials: Vns3Credentials): Record<string, string> {
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

/** What one GET tells the agent about the connection it may open: the abort signal and the phase reached. */
interface ConnectAttempt {
  readonly signal: AbortSignal;
  phase: Phase;
}

/** Request option key under which a GET hands its {@link ConnectAttempt} to the agent. */
const ATTEMPT_OPTION = "vns3Attempt";

/**
 * Keep-alive agent of one controller. Its only way to get a socket is {@link openPinned}: a socket it
 * pools is one whose certificate matched the pin when it was opened.
 */
class ControllerAgent extends https.Agent {
  /** TLS session of the last full handshake whose pin matched (pinned targets only). */
  private session: Buffer | undefined;
  /** Wall-clock time of the full handshake that {@link session} comes from. */
  private sessionFrom = 0;
  /** What the last full, trusted handshake presented. */
  certificate: SeenCertificate | undefined;
  /** Wall-clock time after which an idle socket is not reused. */
  private readonly idleUntil = new WeakMap<Duplex, number>();
  /**
   * Wall-clock time of the full handshake a socket's trust rests on (its own, or the one of the
   * session it resumed). A kept connection in use every minute never idles out: this age retires
   * it, so a rotated certificate is seen within FULL_HANDSHAKE_EVERY_MS on kept connections too.
   */
  private readonly trustedSince = new WeakMap<Duplex, number>();
  /** Keep-Alive `timeout=` the controller announced on a socket, in ms. */
  readonly keepAliveHintMs = new WeakMap<Duplex, number>();

  constructor(
    private readonly target: Vns3Target,
    private readonly secureContext: tls.SecureContext,
    private readonly clock: Clock,
  ) {
    // lifo: the most recently used socket is the least likely to have been closed by the controller.
    super({ keepAlive: true, scheduling: "lifo", maxCachedSessions: 0 });
    this.on("free", (socket: Duplex) => {
      const hint = this.keepAliveHintMs.get(socket);
      // Retire a second before the controller's announced timeout, as Node's own agent does.
      const budget = hint === undefined ? MAX_IDLE_MS : Math.min(MAX_IDLE_MS, hint - 1_000);
      this.idleUntil.set(socket, this.clock.now() + budget);
    });
  }

  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const attempt = (options as Record<string, unknown>)[ATTEMPT_OPTION] as ConnectAttempt | undefined;
    if (attempt === undefined || callback === undefined) throw new Error("internal: a VNS3 connection is opened only for a GET");
    const offeredFrom = this.sessionFrom;
    const fresh = this.clock.now() - offeredFrom < FULL_HANDSHAKE_EVERY_MS;
    const sessions: SessionStore = {
      offered: fresh ? this.session : undefined,
      keep: (session) => {
        this.session = session;
        this.sessionFrom = this.clock.now();
      },
      seen: (certificate) => (this.certificate = certificate),
    };
    openPinned(this.target, this.secureContext, attempt, sessions).then(
      (socket) => {
        this.trustedSince.set(socket, socket.isSessionReused() ? offeredFrom : this.clock.now());
        callback(null, socket);
      },
      (error: Error) => {
        // A failed handshake may be the stored session's fault: the next connection starts afresh.
        this.session = undefined;
        callback(error, undefined as unknown as Duplex);
      },
    );
    return undefined;
  }

  private idleSockets(): Duplex[] {
    return Object.values(this.freeSockets).flatMap((sockets) => sockets ?? []);
  }

  /** Pooled sockets that are waiting for a request. */
  idleCount(): number {
    return this.idleSockets().filter((socket) => !socket.destroyed).length;
  }

  /**
   * Close idle sockets past their idle budget or whose trust is older than FULL_HANDSHAKE_EVERY_MS,
   * or all of them. 'agentRemove' takes them out of the pool at once.
   */
  retireIdle(all = false): void {
    const now = this.clock.now();
    for (const socket of this.idleSockets()) {
      const stale = now >= (this.idleUntil.get(socket) ?? 0) || now - (this.trustedSince.get(socket) ?? 0) >= FULL_HANDSHAKE_EVERY_MS;
      if (all || socket.destroyed || stale) {
        socket.emit("agentRemove");
        socket.destroy();
      }
    }
  }

  /** Close every connection and forget the TLS session. */
  close(): void {
    this.session = undefined;
    this.certificate = undefined;
    this.destroy();
  }
}

/** What one connection may resume, and where it reports a full, trusted handshake. */
interface SessionStore {
  /** The session to offer: only one from a full pinned handshake, and only while fresh. */
  readonly offered: Buffer | undefined;
  /** Called with a ticket of a full handshake whose pin matched (never one of a resumed handshake). */
  keep(session: Buffer): void;
  /** Called with the certificate of a full handshake that was trusted. */
  seen(certificate: SeenCertificate): void;
}

/** Whether a fingerprint is the pinned one or, during a rotation, the next one. */
function pinAccepts(target: Vns3Target, actual: string): boolean {
  return fingerprintsMatch(target.tlsSha256 ?? "", actual) || (target.tlsSha256Next !== undefined && fingerprintsMatch(target.tlsSha256Next, actual));
}

/**
 * Open a TLS socket and, when pinned, verify the fingerprint before resolving. A session is offered
 * only from `sessions.offered` (the controller's own, from a full pinned handshake) and a ticket is
 * passed to `sessions.keep` only from a full handshake known to be pinned.
 */
function openPinned(target: Vns3Target, secureContext: tls.SecureContext, attempt: ConnectAttempt, sessions: SessionStore): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const pinned = target.tlsSha256 !== undefined;
    const session = pinned ? sessions.offered : undefined;
    const socket = tls.connect({
      host: target.host,
      port: target.port,
      // With a pin, the fingerprint is the trust decision; the self-signed chain cannot verify.
      // Scoped to this one socket: process-wide TLS settings are never touched.
      rejectUnauthorized: !pinned,
      secureContext,
      ALPNProtocols: ["http/1.1"],
      ...(session !== undefined ? { session } : {}),
    });
    // Set once a FULL handshake's certificate matched the pin: only then is a ticket kept.
    let keepTickets = false;
    let pendingSession: Buffer | undefined;
    if (pinned) {
      // TLS 1.3 tickets can arrive before or after 'secureConnect': hold one until the pin is known.
      socket.on("session", (ticket: Buffer) => {
        if (keepTickets) sessions.keep(ticket);
        else pendingSession = ticket;
      });
    }
    let settled = false;
    const finish = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      attempt.signal.removeEventListener("abort", onAbort);
      if (error) {
        socket.destroy();
        reject(error);
      } else resolve(socket);
    };
    const onAbort = (): void => finish(timeoutError(attempt.phase));
    attempt.phase = "connect";
    if (attempt.signal.aborted) {
      finish(timeoutError(attempt.phase));
      return;
    }
    attempt.signal.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => {
      attempt.phase = "tls handshake";
    });
    // Stays attached after the handshake: an error between now and the request taking the socket
    // over must not become an unhandled 'error' event. Later calls to finish() are no-ops.
    socket.on("error", (error) => finish(error));
    socket.once("secureConnect", () => {
      // The X509Certificate form decodes only what is asked; getPeerCertificate() would decode
      // every field of the certificate into an object first.
      const certificate = socket.getPeerX509Certificate();
      const resumed = socket.isSessionReused();
      if (pinned) {
        const actual = certificate?.fingerprint256;
        // A resumed session shows no certificate: it is accepted only because the one session this
        // socket could have resumed came from a full handshake of this controller whose pin matched.
        const trusted = actual !== undefined ? pinAccepts(target, actual) : resumed && session !== undefined;
        if (!trusted) {
          const expected = target.tlsSha256Next === undefined ? `tlsSha256 ${target.tlsSha256}` : `tlsSha256 ${target.tlsSha256} or tlsSha256Next ${target.tlsSha256Next}`;
          finish(new Vns3ReadError("tls_pin_mismatch", `certificate SHA-256 ${actual ?? "(none)"} does not match ${expected}`));
          return;
        }
        if (!resumed) {
          keepTickets = true;
          if (pendingSession !== undefined) sessions.keep(pendingSession);
        }
      }
      if (certificate !== undefined && !resumed) {
        const notAfterMs = Date.parse(certificate.validTo);
        if (Number.isFinite(notAfterMs)) sessions.seen({ fingerprint256: certificate.fingerprint256, notAfterMs });
      }
      attempt.phase = "response";
      finish(undefined);
    });
  });
}

/**
 * A controller's reusable connections (one keep-alive pool, one TLS session store). Shared by
 * every GET to that controller; {@link createVns3Reader} keeps one per controller per container.
 */
export class Vns3Connections {
  /** @internal */
  readonly agent: ControllerAgent;

  /**
   * @param target the controller; its pin is fixed for the life of the pool.
   * @param ca extra trust anchors when unpinned. @default Node's bundle
   * @param clock wall clock for idle ages. @default systemClock
   */
  constructor(target: Vns3Target, ca?: Vns3GetOptions["ca"], clock: Clock = systemClock) {
    this.agent = new ControllerAgent(target, secureContextFor(target.tlsSha256 !== undefined ? undefined : ca), clock);
  }

  /** Idle verified connections ready for a request (after retiring stale ones). */
  idle(): number {
    this.agent.retireIdle();
    return this.agent.idleCount();
  }

  /** Close every connection, idle or not. */
  close(): void {
    this.agent.close();
  }
}

/** Failure of a GET on a reused socket before any answer: the controller had closed it while idle. */
class StaleConnectionError extends Error {
  constructor(readonly cause: Error) {
    super(`reused connection closed by the controller: ${cause.message}`);
    this.name = "StaleConnectionError";
  }
}

const STALE_CODES = new Set(["ECONNRESET", "EPIPE", "ECONNABORTED", "ERR_STREAM_DESTROYED", "ERR_STREAM_WRITE_AFTER_END"]);

/**
 * An answer's body on its way to a {@link ResponseReader}: bytes collected and parsed whole while
 * small; from {@link STREAM_PARSE_FROM_BYTES} on (or at once when Content-Length says it will get
 * there), fed to a streaming parser that hands over each entry of `response` as soon as it is
 * complete and keeps nothing of it (`keepStack: false`). Every chunk goes through one
 * {@link AnswerScan} first, so both ways of reading follow the same rules (nesting depth, UTF-8, a
 * byte-order mark, one `response`, no repeated tunnel id) and give the same result.
 */
class AnswerBody<T> {
  private size = 0;
  private chunks: Buffer[] = [];
  private parser: JSONParser | undefined;
  private readonly scan = new AnswerScan();
  /** Ids seen by the streaming parser (an object `response` only): a repeat is refused. */
  private readonly ids = new Set<string>();

  /**
   * @param declared the answer's Content-Length, when it gave one
   * @param maxBytes the body cap
   * @param streamFromBytes size from which the body is streamed (tests lower it) @default STREAM_PARSE_FROM_BYTES
   */
  constructor(
    private readonly reader: ResponseReader<T>,
    private readonly status: number,
    private readonly declared: number | undefined,
    private readonly maxBytes: number,
    private readonly streamFromBytes: number = STREAM_PARSE_FROM_BYTES,
  ) {
    if (declared !== undefined && declared > maxBytes) throw new Vns3ReadError("bad_response", `body larger than ${maxBytes} bytes`);
    if (declared !== undefined && declared > streamFromBytes) this.startStreaming();
  }

  /** @throws Vns3ReadError (over the cap or the declared length, not JSON) or BadResponseError (not the expected shape) */
  push(chunk: Buffer): void {
    if (this.size + chunk.length > this.maxBytes) throw this.abandon(`body larger than ${this.maxBytes} bytes`);
    if (this.declared !== undefined && this.declared > 0 && this.size + chunk.length > this.declared) {
      throw this.abandon(`body longer than its Content-Length (${this.declared} bytes)`);
    }
    this.size += chunk.length;
    this.scan.push(chunk);
    if (this.parser !== undefined) return this.write(chunk);
    this.chunks.push(chunk);
    if (this.size > this.streamFromBytes) {
      this.startStreaming();
      const pending = this.chunks;
      this.chunks = [];
      for (const part of pending) this.write(part);
    }
  }

  /** The reader's result once the whole body is in. @throws Vns3ReadError or BadResponseError */
  end(): T {
    const shape = this.scan.end();
    if (this.parser === undefined) {
      const text = Buffer.concat(this.chunks, this.size).subarray(this.scan.bom).toString("utf8");
      this.chunks = [];
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw this.notJson();
      }
      // JSON.parse keeps the last of repeated keys: fewer tunnels than written means a repeat.
      const response = (value as { response?: unknown } | null)?.response;
      if (shape.type === "object" && typeof response === "object" && response !== null && Object.keys(response).length < shape.members) throw repeatedId();
      return readParsedBody(value, this.reader);
    }
    if (!this.parser.isEnded) {
      try {
        this.parser.end();
      } catch {
        throw this.notJson();
      }
    }
    // The same judgement as readParsedBody's: `response` must be the reader's container.
    if (shape.type !== this.reader.container) throw containerMismatch(this.reader);
    return this.reader.finish();
  }

  /** Drop what was collected: the read has failed. */
  private abandon(message: string): Vns3ReadError {
    this.chunks = [];
    this.parser = undefined;
    return new Vns3ReadError("bad_response", message);
  }

  private startStreaming(): void {
    const parser = new JSONParser({ paths: ["$.response.*"], keepStack: false });
    parser.onValue = ({ value, key, parent }) => {
      if ((this.reader.container === "array") !== Array.isArray(parent)) throw containerMismatch(this.reader);
      const id = String(key);
      if (this.reader.container === "object") {
        if (this.ids.has(id)) throw repeatedId();
        this.ids.add(id);
      }
      this.reader.entry(id, value);
    };
    this.parser = parser;
  }

  private write(chunk: Buffer): void {
    try {
      (this.parser as JSONParser).write(chunk);
    } catch (error) {
      if (error instanceof BadResponseError) throw error;
      throw this.notJson();
    }
  }

  private notJson(): Vns3ReadError {
    return new Vns3ReadError("bad_response", `HTTP ${this.status} body is not JSON (${this.size} bytes)`);
  }
}

function repeatedId(): BadResponseError {
  return new BadResponseError("unexpected body at response: a tunnel id appears more than once");
}

/**
 * Read a body given as chunks the way a GET reads its answer (tests hold the whole-body and the
 * streaming reader together with this, by lowering `streamFromBytes`).
 * @throws Vns3ReadError or BadResponseError
 */
export function readAnswerChunks<T>(chunks: readonly Buffer[], reader: ResponseReader<T>, options: { readonly streamFromBytes?: number | undefined; readonly declared?: number | undefined } = {}): T {
  const body = new AnswerBody(reader, 200, options.declared, Number.MAX_SAFE_INTEGER, options.streamFromBytes);
  for (const chunk of chunks) body.push(chunk);
  return body.end();
}

/** One GET over the pool's agent: a pooled socket if one is idle, else a fresh pinned connection. */
function exchange<T>(connections: Vns3Connections, target: Vns3Target, credentials: Vns3Credentials, path: string, reader: ResponseReader<T>, options: Vns3GetOptions): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let answered = false;
    const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const attempt: ConnectAttempt = { signal: options.signal, phase: "connect" };
    const finish = (error: Error | undefined, value?: T): void => {
      if (settled) return;
      settled = true;
      options.signal.removeEventListener("abort", onAbort);
      if (error) {
        // The socket is not returned to the pool: what follows on it is unknown.
        request.destroy();
        reject(error);
      } else resolve(value as T);
    };
    const onAbort = (): void => finish(timeoutError(attempt.phase));
    const request = https.request({
      host: target.host,
      port: target.port,
      path,
      method: "GET",
      headers: { Accept: "application/json", ...vns3AuthHeaders(credentials) },
      agent: connections.agent,
      [ATTEMPT_OPTION]: attempt,
    } as https.RequestOptions);
    options.signal.addEventListener("abort", onAbort, { once: true });
    request.on("socket", () => {
      if (request.reusedSocket) attempt.phase = "response";
    });
    request.on("error", (error: Error & { code?: string }) => {
      if (request.reusedSocket && !answered && !(error instanceof Vns3ReadError) && (STALE_CODES.has(error.code ?? "") || error.message === "socket hang up")) {
        finish(new StaleConnectionError(error));
      } else finish(error);
    });
    request.on("response", (response: IncomingMessage) => {
      answered = true;
      const status = response.statusCode ?? 0;
      const hint = /(?:^|,)\s*timeout=(\d+)/i.exec(String(response.headers["keep-alive"] ?? ""))?.[1];
      if (hint !== undefined) connections.agent.keepAliveHintMs.set(response.socket, Number(hint) * 1000);
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
      const declared = Number(response.headers["content-length"]);
      let body: AnswerBody<T>;
      try {
        body = new AnswerBody(reader, status, Number.isFinite(declared) ? declared : undefined, maxBody);
      } catch (error) {
        finish(error as Error);
        return;
      }
      response.on("data", (chunk: Buffer) => {
        if (settled) return;
        try {
          body.push(chunk);
        } catch (error) {
          finish(error as Error);
        }
      });
      response.on("error", (error) => finish(error));
      response.on("aborted", () => finish(new Vns3ReadError("network", "connection closed mid-response")));
      response.on("end", () => {
        if (settled) return;
        let value: T;
        try {
          value = body.end();
        } catch (error) {
          finish(error as Error);
          return;
        }
        finish(undefined, value);
      });
    });
    if (options.signal.aborted) onAbort();
    else request.end();
  });
}

/**
 * GET `path` on the controller and return what `newReader()` made of its `response` entries (a new
 * reader per attempt). With `options.connections`, an idle pinned connection is reused when there
 * is one; a reused connection the controller had closed is replaced once by a fresh pinned
 * connection (these are idempotent GETs).
 * @throws Vns3ReadError (auth, http_error, bad_response, timeout, tls_pin_mismatch) or a Node
 *   socket/TLS error (classify it with {@link classifyReadError}).
 */
export async function vns3Get<T>(target: Vns3Target, credentials: Vns3Credentials, path: string, newReader: () => ResponseReader<T>, options: Vns3GetOptions): Promise<T> {
  const connections = options.connections ?? new Vns3Connections(target, options.ca);
  try {
    connections.agent.retireIdle();
    try {
      return await exchange(connections, target, credentials, path, newReader(), options);
    } catch (error) {
      if (!(error instanceof StaleConnectionError)) throw error;
      // Every idle socket of this controller is suspect now (it restarted, or dropped them all).
      connections.agent.retireIdle(true);
      return await exchange(connections, target, credentials, path, newReader(), options);
    }
  } finally {
    if (options.connections === undefined) connections.close();
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

/** What a check needs beyond tunnel status and subnets (its enabled signal groups). */
export interface ReadWants {
  /** Keep the signal fields of `tunnel_params` (phase or traffic on). @default false */
  readonly tunnelParams?: boolean;
  /** Also GET /api/status/system, best effort (health on). @default false */
  readonly system?: boolean;
}

/** Reads one controller: tunnel status first, then connected subnets (whose failure is separate). */
export interface Vns3Reader {
  read(controller: ControllerConfig, credentials: Vns3Credentials, deadline: Deadline, want?: ReadWants): Promise<ControllerReading>;
  /**
   * `GET /api/alerts` over the same pinned connections: 1 when `environment`'s alert exists and is
   * enabled, else 0 (handler/push-status.ts). Throws on any failure; the caller treats it as best effort.
   */
  readPushAlerts?(controller: ControllerConfig, credentials: Vns3Credentials, deadline: Deadline, environment: string): Promise<0 | 1>;
  /** Close every kept connection (a CLI or test that is done). Idle ones never hold the process open anyway. */
  close?(): void;
}

/** Options of {@link createVns3Reader}. */
export interface Vns3ReaderOptions {
  /** Upper bound for one request, whatever the remaining budget. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** Extra trust anchors for unpinned controllers. @default Node's bundle */
  readonly ca?: Vns3GetOptions["ca"] | undefined;
  /** Largest body accepted, in bytes. @default 8 MiB */
  readonly maxBodyBytes?: number | undefined;
  /** Time source for durations and idle ages. @default systemClock */
  readonly clock?: Clock;
  /** Also return each tunnel's phase1/phase2 (`npm run check` shows them). @default false */
  readonly tunnelDetails?: boolean;
}

/** Largest /api/status/system answer read (the SDK's sample is about 2 KB). */
export const MAX_SYSTEM_BODY_BYTES = 256 * 1024;

/** Largest /api/alerts answer read: a handful of alerts of a few hundred bytes each in practice. */
export const MAX_ALERTS_BODY_BYTES = 256 * 1024;

/** The reading's `expiry` facts: the certificate seen and the definition's credential date, when known. */
function expiryFactsOf(controller: ControllerConfig, certificate: SeenCertificate | undefined): { expiry?: ControllerExpiryFacts } {
  const facts: ControllerExpiryFacts = {
    ...(certificate !== undefined ? { certificateNotAfterMs: certificate.notAfterMs } : {}),
    ...(controller.credentialExpires !== undefined ? { credentialExpires: controller.credentialExpires } : {}),
  };
  return Object.keys(facts).length === 0 ? {} : { expiry: facts };
}

/** The pool key: a pin or trust change (configuration update) never reuses a connection opened under the old one. */
function connectionKey(target: Vns3Target): string {
  return JSON.stringify([target.host, target.port, target.tlsSha256 ?? null, target.tlsSha256Next ?? null]);
}

/** The real reader, over HTTPS, keeping each controller's pinned connections across checks. */
export function createVns3Reader(options: Vns3ReaderOptions = {}): Vns3Reader {
  const requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  const clock = options.clock ?? systemClock;
  const details = options.tunnelDetails === true;
  const pools = new Map<string, Vns3Connections>();
  const connectionsOf = (target: Vns3Target): Vns3Connections => {
    const key = connectionKey(target);
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = new Vns3Connections(target, options.ca, clock);
      pools.set(key, pool);
    }
    return pool;
  };
  const get = <T>(target: Vns3Target, credentials: Vns3Credentials, path: string, newReader: () => ResponseReader<T>, deadline: Deadline, maxBodyBytes = options.maxBodyBytes): Promise<T> =>
    deadline.cappedAt(requestTimeoutMs).run((signal) =>
      vns3Get(target, credentials, path, newReader, {
        signal,
        connections: connectionsOf(target),
        ca: options.ca,
        maxBodyBytes,
      }),
    );
  // Controllers whose last read in this container succeeded. Their two reads go out together (over
  // two kept connections once both exist); any other controller is read tunnels first, so that
  // credentials that a controller refuses are tried once per check, not twice (repeated failed
  // logins can lock the API user), and the subnet read reuses the tunnel read's connection.
  const knownGood = new Set<string>();
  const readSubnets = async (target: Vns3Target, credentials: Vns3Credentials, deadline: Deadline): Promise<SubnetsReading> => {
    try {
      return { ok: true, subnets: await get(target, credentials, VNS3_PATHS.connectedSubnets, connectedSubnetsReader, deadline) };
    } catch (error) {
      return { ok: false, ...classifyReadError(error) };
    }
  };
  const readSystem = async (target: Vns3Target, credentials: Vns3Credentials, deadline: Deadline): Promise<SystemReading> => {
    try {
      // A few KB in practice: a cap far below the status answers' keeps a runaway answer cheap.
      return { ok: true, status: await get(target, credentials, VNS3_PATHS.systemStatus, systemStatusReader, deadline, Math.min(MAX_SYSTEM_BODY_BYTES, options.maxBodyBytes ?? MAX_SYSTEM_BODY_BYTES)) };
    } catch (error) {
      return { ok: false, ...classifyReadError(error) };
    }
  };
  return {
    async read(controller, credentials, deadline, want = {}) {
      const started = clock.now();
      const target: Vns3Target = { host: controller.host, port: controller.port, tlsSha256: controller.tlsSha256, tlsSha256Next: controller.tlsSha256Next };
      const known = knownGood.has(controller.name);
      const earlySubnets = known ? readSubnets(target, credentials, deadline) : undefined;
      const earlySystem = known && want.system === true ? readSystem(target, credentials, deadline) : undefined;
      let tunnels;
      try {
        tunnels = await get(target, credentials, VNS3_PATHS.ipsecStatus, () => ipsecStatusReader({ details, params: want.tunnelParams === true }), deadline);
      } catch (error) {
        knownGood.delete(controller.name);
        await Promise.all([earlySubnets, earlySystem]); // settle them: never leave a request running past the read
        const failure = classifyReadError(error);
        // An HTTP answer came over a trusted connection: its certificate is the controller's (a 401 included).
        const answered = failure.reason === "auth" || failure.reason === "http_error" || failure.reason === "bad_response";
        return { controller: controller.name, up: false, ...failure, ...expiryFactsOf(controller, answered ? connectionsOf(target).agent.certificate : undefined), durationMs: clock.now() - started };
      }
      knownGood.add(controller.name);
      const [subnets, system] = await Promise.all([earlySubnets ?? readSubnets(target, credentials, deadline), want.system === true ? (earlySystem ?? readSystem(target, credentials, deadline)) : undefined]);
      return { controller: controller.name, up: true, tunnels, subnets, ...(system !== undefined ? { system } : {}), ...expiryFactsOf(controller, connectionsOf(target).agent.certificate), durationMs: clock.now() - started };
    },
    readPushAlerts(controller, credentials, deadline, environment) {
      const target: Vns3Target = { host: controller.host, port: controller.port, tlsSha256: controller.tlsSha256, tlsSha256Next: controller.tlsSha256Next };
      return get(target, credentials, PUSH_ALERTS_PATH, () => pushAlertsReader(environment), deadline, Math.min(MAX_ALERTS_BODY_BYTES, options.maxBodyBytes ?? MAX_ALERTS_BODY_BYTES));
    },
    close() {
      for (const pool of pools.values()) pool.close();
      pools.clear();
    },
  };
}
