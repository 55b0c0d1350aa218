/**
 * Datadog delivery: series as the client's v2 `MetricsApi.submitMetrics` sends them (its server
 * configuration, headers, auth and response processor; the JSON written by {@link SeriesEncoder},
 * byte for byte the client serializer's), events through POST /api/v1/events on the same client
 * configuration and transport. API key only.
 *
 * Only the parts of @datadog/datadog-api-client we use are imported, by deep path, so the bundle
 * carries the v2 metrics API and the common runtime instead of the whole 10 MB client. Events do
 * not go through the generated v1 EventsApi: it would pull in the whole v1 model serializer
 * (~0.7 MB minified) for one small JSON POST. The request is built with the same server
 * configuration, auth method and transport, so site, DD_API_URL, retries and timeouts apply alike.
 *
 * The client neither retries by default nor times out, so the transport is our own HttpLibrary:
 * each attempt is bounded by the invocation's Deadline, 429 / 5xx / network errors are retried
 * with capped exponential backoff and jitter (x-ratelimit-reset / Retry-After honoured but capped
 * to the remaining budget), other 4xx are not.
 */
import { gzipSync, deflateSync } from "node:zlib";
import { MetricsApiResponseProcessor } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/MetricsApi";
import { applySecurityAuthentication, createConfiguration, type Configuration } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration";
import { BaseServerConfiguration } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/servers";
import { HttpMethod, ResponseContext, type HttpLibrary, type RequestContext } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/http/http";
import { ApiException } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/exception";
import type { CheckEvent, MetricPoint, MetricSeries } from "./core";
import { Deadline, sleep } from "./deadline";
import { sendOverNodeHttp, type HttpSend } from "./datadog-http";

/** What one delivery cost. */
export interface DeliveryStats {
  /** HTTP requests the checker asked for (one per payload). */
  readonly requests: number;
  /** HTTP attempts made, retries included. */
  readonly attempts: number;
}

/** Outcome of delivering the series. */
export interface SeriesDelivery extends DeliveryStats {
  /** "accepted" by Datadog, or "dry_run" when nothing was sent. */
  readonly status: "accepted" | "dry_run";
}

/** Where a check's output goes. Implementations: Datadog ({@link createDatadogSink}), dry run. */
export interface MetricsSink {
  /** Deliver all series; resolves once accepted. @throws DeliveryError */
  submitSeries(series: readonly MetricSeries[], deadline: Deadline): Promise<SeriesDelivery>;
  /** Deliver one event. @throws DeliveryError */
  submitEvent(event: CheckEvent, deadline: Deadline): Promise<DeliveryStats>;
}

/** Datadog did not accept a delivery. The message never contains the API key. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    /** Last HTTP status seen, if any. */
    readonly status: number | undefined,
    /** Requests and attempts spent. */
    readonly stats: DeliveryStats,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

/** Retry and timeout policy of Datadog calls. */
export interface RetryPolicy {
  /** Attempts per request, first one included. @default 5 */
  readonly maxAttempts: number;
  /** First backoff delay. @default 250 */
  readonly baseDelayMs: number;
  /** Largest backoff delay (server hints may exceed it, up to the budget). @default 4000 */
  readonly maxDelayMs: number;
  /** Upper bound of one attempt, so a stalled attempt leaves time for another. @default 10000 */
  readonly attemptTimeoutMs: number;
  /** No new attempt is started with less time than this left. @default 300 */
  readonly minAttemptMs: number;
}

/** Defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 4000,
  attemptTimeoutMs: 10_000,
  minAttemptMs: 300,
};

/**
 * Largest uncompressed JSON per series request. Datadog takes 500 KB per request (5 MB once
 * decompressed); staying under 450 000 bytes BEFORE compression satisfies both whatever the
 * compression ratio, without compressing twice to find out.
 */
export const MAX_SERIES_PAYLOAD_BYTES = 450_000;

/**
 * With gzip: the first split is on uncompressed JSON, well under Datadog's 5 MB decompressed limit
 * (5,242,880 bytes) so that one request's JSON and its copies stay small in memory; a payload
 * whose gzip exceeds {@link MAX_COMPRESSED_SERIES_BYTES} is split again at
 * {@link MAX_SERIES_PAYLOAD_BYTES} before it is sent. Series JSON compresses about 20 to 1, so 20
 * controllers × 50 tunnels with every signal (~6,100 series, ~1.3 MB) stay one request.
 */
export const MAX_UNCOMPRESSED_SERIES_BYTES = 2_000_000;
/**
 * zlib level 1: series JSON is so repetitive that the fastest level still compresses it ~32 to 1
 * (1,000 tunnels with every signal: 1.36 MB to 43 KB, against 37.6 KB at the default level 6) in
 * a third of the time (1.2 ms against 4 ms on the benchmark machine), and that time is spent on
 * the check's critical path, between the last controller answer and the Datadog request.
 */
const COMPRESSION = { level: 1 } as const;

/** Largest gzip body sent: under Datadog's 500 KB (512,000 bytes) per request. */
export const MAX_COMPRESSED_SERIES_BYTES = 500_000;

/** Bytes of `value` as a JSON string, quotes included, without building the JSON. */
function jsonStringBytes(value: string): number {
  // Tags and metric names never need escaping (handler/tags.ts); anything else is measured as written.
  return NEEDS_JSON_ESCAPE.test(value) ? Buffer.byteLength(JSON.stringify(value)) : Buffer.byteLength(value) + 2;
}
// eslint-disable-next-line no-control-regex -- the characters JSON.stringify escapes
const NEEDS_JSON_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

const SERIES_FIXED_BYTES = Buffer.byteLength(JSON.stringify({ metric: "", type: 3, points: [], tags: [] }));
const POINT_FIXED_BYTES = Buffer.byteLength(JSON.stringify({ timestamp: 0, value: 0 })) - 2;
const INTERVAL_FIXED_BYTES = Buffer.byteLength(',"interval":');

/** Bytes of `JSON.stringify(tags)`. */
function tagsJsonBytes(tags: readonly string[]): number {
  let bytes = 2 + Math.max(0, tags.length - 1);
  for (const tag of tags) bytes += jsonStringBytes(tag);
  return bytes;
}

/** Bytes of `JSON.stringify(points)`. */
function pointsJsonBytes(points: readonly MetricPoint[]): number {
  let bytes = 2 + Math.max(0, points.length - 1);
  for (const point of points) bytes += POINT_FIXED_BYTES + jsonNumber(point.timestamp).length + jsonNumber(point.value).length;
  return bytes;
}

/** A number as JSON.stringify writes it (finite numbers as Number#toString does, the others as null). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

/**
 * Exact length of `JSON.stringify(series)` in bytes, computed from its parts: splitting a
 * check's series must not first build the JSON of all of them (6.7 MB of text for 17,400 tunnels,
 * garbage the moment it is measured).
 */
export function seriesJsonBytes(series: MetricSeries): number {
  return new SeriesEncoder().bytes(series);
}

/**
 * Sizes and JSON of series, as the client's `ObjectSerializer` writes a `MetricPayload` (members in
 * the order of the `MetricSeries` and `MetricPoint` attribute maps: interval, metric, points, tags,
 * type; timestamp, value), without its per-value type dispatch and copies of every series.
 *
 * One encoder per delivery: the core gives every series of a tunnel the same tags array (five or
 * so in a row per tunnel with every signal on), so the tags' JSON and its size are worked out
 * once per run of series sharing an array, not once per series. Only the last array is
 * remembered by the encoder (a map of all of them held 13 MB through the send at 17,400 tunnels);
 * a frozen array, which the core keeps from check to check, has its JSON ends kept beside it
 * (a WeakMap) for as long as it lives. The core keeps none for descriptions over 200 characters.
 */
export class SeriesEncoder {
  private bytesOf: readonly string[] | undefined;
  private lastTagsBytes = 0;
  private tailsFor: readonly string[] | undefined;
  /** The ends of series with the tags `tailsFor`. */
  private tailEnds: TailEnds | undefined;
  /** Two frozen points arrays (shared by many series) and their JSON. */
  private readonly sharedPoints: (readonly MetricPoint[] | undefined)[] = [undefined, undefined];
  private readonly sharedPointsJson: (Buffer | undefined)[] = [undefined, undefined];
  private nextSharedSlot = 0;
  /** Per interval (none for gauges) and metric name: a few dozen at most. */
  private readonly heads = new Map<number | undefined, Map<string, Buffer>>();
  private readonly metricByteCounts = new Map<string, number>();

  /** Bytes of `JSON.stringify(series)` (the serializer's JSON has the same members, so the same size). */
  bytes(series: MetricSeries): number {
    if (series.tags !== this.bytesOf) {
      this.bytesOf = series.tags;
      this.lastTagsBytes = tagsJsonBytes(series.tags);
    }
    let bytes = SERIES_FIXED_BYTES + this.metricBytes(series.metric) - 2 + String(series.type).length - 1 + pointsJsonBytes(series.points) - 2 + this.lastTagsBytes - 2;
    if (series.interval !== undefined) bytes += INTERVAL_FIXED_BYTES + jsonNumber(series.interval).length;
    return bytes;
  }

  private metricBytes(metric: string): number {
    let bytes = this.metricByteCounts.get(metric);
    if (bytes === undefined) this.metricByteCounts.set(metric, (bytes = jsonStringBytes(metric)));
    return bytes;
  }

  /**
   * `{"series":[…]}` of all the series when it is at most `maxBytes` long, in one pass (the usual
   * case: one request per check); undefined as soon as it would be longer.
   */
  payloadWithin(series: readonly MetricSeries[], maxBytes: number): Buffer | undefined {
    const body = Buffer.allocUnsafe(maxBytes);
    let at = body.write('{"series":[', 0, "latin1");
    const end = maxBytes - 2; // room for the closing "]}"
    for (let i = 0; i < series.length; i += 1) {
      if (i > 0) {
        if (at >= end) return undefined;
        body[at++] = 0x2c; // ,
      }
      at = this.write(series[i] as MetricSeries, body, at, end);
      if (at < 0) return undefined;
    }
    at += body.write("]}", at, "latin1");
    return body.subarray(0, at);
  }

  /** The JSON of one series, byte for byte what the client would send. */
  json(series: MetricSeries): string {
    const body = Buffer.allocUnsafe(this.bytes(series));
    const end = this.write(series, body, 0, body.length);
    if (end !== body.length) throw new Error(`internal: series JSON measured as ${body.length} bytes is longer`);
    return body.toString("utf8");
  }

  /**
   * Write the JSON of one series at `at`, ending before `end`: the new offset, or -1 when it does
   * not fit. Three copies of bytes encoded once (what comes before the points, per metric; the
   * points, per shared array, else ASCII text; what follows them, per tags array and type) instead
   * of a string built and encoded per series: a thousand tunnels make some six thousand per check.
   */
  private write(series: MetricSeries, body: Buffer, at: number, end: number): number {
    const head = this.headOf(series.metric, series.interval);
    const tail = this.tailOf(series.tags, series.type);
    const points = this.pointsOf(series.points);
    if (at + head.length + points.length + tail.length > end) return -1;
    body.set(head, at);
    at += head.length;
    at += typeof points === "string" ? (body as unknown as FastLatin1Write).latin1Write(points, at) : (body.set(points, at), points.length);
    body.set(tail, at);
    return at + tail.length;
  }

  /**
   * The points' JSON: bytes kept for the two arrays most series share (the core's frozen 0 and 1
   * points of the check's timestamp), text for the others (counters: their own value each).
   */
  private pointsOf(points: readonly MetricPoint[]): Buffer | string {
    if (points === this.sharedPoints[0]) return this.sharedPointsJson[0] as Buffer;
    if (points === this.sharedPoints[1]) return this.sharedPointsJson[1] as Buffer;
    const json = pointsJson(points);
    if (Object.isFrozen(points) && points.every(Object.isFrozen)) {
      // The older of the two slots makes room.
      this.sharedPoints[this.nextSharedSlot] = points;
      this.sharedPointsJson[this.nextSharedSlot] = Buffer.from(json, "latin1");
      this.nextSharedSlot = 1 - this.nextSharedSlot;
    }
    return json;
  }

  /** `{"interval":…,"metric":…,"points":[` (interval only when the series has one), per metric. */
  private headOf(metric: string, interval: number | undefined): Buffer {
    let forInterval = this.heads.get(interval);
    if (forInterval === undefined) this.heads.set(interval, (forInterval = new Map()));
    let head = forInterval.get(metric);
    if (head === undefined) {
      const intervalJson = interval !== undefined ? `"interval":${jsonNumber(interval)},` : "";
      forInterval.set(metric, (head = Buffer.from(`{${intervalJson}"metric":${JSON.stringify(metric)},"points":[`, "utf8")));
    }
    return head;
  }

  /** `],"tags":[…],"type":…}` of the current run of series sharing a tags array (a gauge's and a count's at most). */
  private tailOf(tags: readonly string[], type: number): Buffer {
    if (tags !== this.tailsFor) {
      this.tailsFor = tags;
      // A frozen array is the core's, kept from check to check while the tunnel's tags stay the
      // same: its ends are worked out once for the life of the array, not once per check.
      let ends = Object.isFrozen(tags) ? keptTails.get(tags) : undefined;
      if (ends === undefined) {
        ends = { json: JSON.stringify(tags), types: [-1, -1], tails: [undefined, undefined] };
        if (Object.isFrozen(tags)) keptTails.set(tags, ends);
      }
      this.tailEnds = ends;
    }
    const ends = this.tailEnds as TailEnds;
    if (type === ends.types[0]) return ends.tails[0] as Buffer;
    if (type === ends.types[1]) return ends.tails[1] as Buffer;
    const slot = ends.types[0] === -1 ? 0 : 1;
    ends.types[slot] = type;
    return (ends.tails[slot] = Buffer.from(`],"tags":${ends.json},"type":${assertIntakeType(type)}}`, "utf8"));
  }

  /**
   * `{"series":[…]}` of a batch, as `MetricsApi.submitMetrics` would serialize it, written straight
   * into a buffer of its exact size: converting a 1.4 MB string (1,000 tunnels) cost more than
   * building it.
   */
  payload(batch: readonly MetricSeries[]): Buffer {
    let size = PAYLOAD_ENVELOPE_BYTES + Math.max(0, batch.length - 1);
    for (const s of batch) size += this.bytes(s);
    const body = Buffer.allocUnsafe(size);
    let at = body.write('{"series":[', 0, "latin1");
    for (let i = 0; i < batch.length; i += 1) {
      if (i > 0) body[at++] = 0x2c; // ,
      at = this.write(batch[i] as MetricSeries, body, at, size - 2);
      // bytes() and write() describe the same JSON; a mismatch would send a cut or padded body.
      if (at < 0) break;
    }
    if (at >= 0) at += body.write("]}", at, "latin1");
    if (at !== size) throw new Error(`internal: series payload of ${at < 0 ? "more" : at} bytes measured as ${size}`);
    return body;
  }
}

/**
 * Buffer's latin1 writer, which `Buffer#write` calls once it has checked its arguments (in every
 * Node release, not in @types/node): two thousand short writes per check skip that step.
 */
interface FastLatin1Write {
  latin1Write(text: string, offset: number): number;
}

/** The points' JSON without brackets; ASCII only (numbers as JSON.stringify writes them). */
function pointsJson(points: readonly MetricPoint[]): string {
  let json = "";
  for (const point of points) json += `${json === "" ? "" : ","}{"timestamp":${jsonNumber(point.timestamp)},"value":${jsonNumber(point.value)}}`;
  return json;
}

/** A tags array's JSON and the ends of series carrying it, for two types (-1: none yet). */
interface TailEnds {
  readonly json: string;
  readonly types: number[];
  readonly tails: (Buffer | undefined)[];
}

/** Per frozen tags array (the core keeps one per tunnel across checks), its ends: they live as long as the array. */
const keptTails = new WeakMap<readonly string[], TailEnds>();

const PAYLOAD_ENVELOPE_BYTES = Buffer.byteLength('{"series":[]}');

/** The client refuses a type outside its `MetricIntakeType` enum: so does this encoder. */
function assertIntakeType(type: number): number {
  if (!INTAKE_TYPES.has(type)) throw new TypeError(`unknown enum value '${type}'`);
  return type;
}
/** `MetricIntakeType`: unspecified, count, rate, gauge, unspecified legacy. */
const INTAKE_TYPES: ReadonlySet<number> = new Set([0, 1, 2, 3, 15]);

/**
 * The controller series first (`vpn.controller.*`, in their order), then the rest: when a check
 * needs several requests, the first carries every controller's `vpn.controller.up`.
 */
export function controllerSeriesFirst(series: readonly MetricSeries[]): MetricSeries[] {
  const controller: MetricSeries[] = [];
  const rest: MetricSeries[] = [];
  for (const s of series) (s.metric.startsWith(CONTROLLER_PREFIX) ? controller : rest).push(s);
  return controller.concat(rest);
}
const CONTROLLER_PREFIX = "vpn.controller.";

/** Most bytes of a Datadog answer read (its errors fit in far less; a 200 MB body must not be buffered). */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

/**
 * Split series into payloads whose JSON (`{"series":[…]}`) stays under `maxBytes`. A series larger
 * than the limit on its own (impossible with 200-character tags) travels alone.
 */
export function splitSeries(series: readonly MetricSeries[], maxBytes: number = MAX_SERIES_PAYLOAD_BYTES, encoder: SeriesEncoder = new SeriesEncoder()): MetricSeries[][] {
  const envelope = PAYLOAD_ENVELOPE_BYTES;
  const batches: MetricSeries[][] = [];
  let current: MetricSeries[] = [];
  let size = envelope;
  for (const s of series) {
    const bytes = encoder.bytes(s) + (current.length > 0 ? 1 : 0);
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = envelope + bytes - 1; // first of its batch: no separator
    } else size += bytes;
    current.push(s);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Delay before the retry following attempt number `attempt` (1-based), from hints or backoff. */
export function retryDelayMs(attempt: number, headers: Readonly<Record<string, string>> | undefined, policy: RetryPolicy, random: () => number = Math.random, now: number = Date.now()): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // "Equal jitter": at least half the step, so retries from many checkers spread out but still back off.
  const backoff = exponential / 2 + random() * (exponential / 2);
  return Math.max(backoff, serverHintMs(headers, now) ?? 0);
}

/** Wait asked for by Datadog: `x-ratelimit-reset` (seconds) or `Retry-After` (seconds or HTTP date). */
function serverHintMs(headers: Readonly<Record<string, string>> | undefined, now: number): number | undefined {
  if (headers === undefined) return undefined;
  const reset = headers["x-ratelimit-reset"];
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset.trim())) return Number(reset) * 1000;
  const retryAfter = headers["retry-after"];
  if (retryAfter === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(retryAfter.trim())) return Number(retryAfter) * 1000;
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

interface MutableStats {
  requests: number;
  attempts: number;
  lastStatus?: number;
  lastNetworkError?: string;
}

/** Network-level failure after all attempts (no HTTP answer to hand to the client). */
class TransportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TransportError";
  }
}

/** A compressed payload over the intake's limit: never sent, split smaller by the caller. */
class PayloadTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`compressed payload of ${bytes} bytes over ${MAX_COMPRESSED_SERIES_BYTES}`);
    this.name = "PayloadTooLargeError";
  }
}

function describeNetworkError(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
  if (e?.name === "DeadlineExceededError" || e?.name === "TimeoutError" || e?.name === "AbortError") return "timed out";
  const code = e?.cause?.code ?? e?.code;
  if (typeof code === "string") return code;
  const message = e?.cause?.message ?? e?.message;
  return typeof message === "string" ? message : "network error";
}

/** The client's HttpLibrary, on Node's http (handler/datadog-http.ts), bounded by one Deadline, with retries. */
class DeadlineHttpLibrary implements HttpLibrary {
  constructor(
    private readonly deadline: Deadline,
    private readonly policy: RetryPolicy,
    private readonly stats: MutableStats,
    private readonly exchange: HttpSend,
    private readonly random: () => number,
  ) {}

  async send(request: RequestContext): Promise<ResponseContext> {
    const headers: Record<string, string> = { ...request.getHeaders() };
    let body = request.getBody();
    if (typeof body === "string" || Buffer.isBuffer(body)) {
      const encoding = headers["Content-Encoding"];
      if (encoding === "gzip") body = gzipSync(body, COMPRESSION);
      else if (encoding === "deflate") body = deflateSync(body, COMPRESSION);
      else if (encoding !== undefined) throw new TransportError(`unsupported Content-Encoding ${encoding}`);
      if (encoding !== undefined && (body as Buffer).length > MAX_COMPRESSED_SERIES_BYTES) throw new PayloadTooLargeError((body as Buffer).length);
    }
    this.stats.requests += 1;
    const payload = body as string | Buffer | undefined;
    let lastResponse: ResponseContext | undefined;
    let lastError: unknown;
    for (let attempt = 1; ; attempt += 1) {
      this.stats.attempts += 1;
      lastResponse = undefined;
      try {
        const response = await this.deadline
          .cappedAt(this.policy.attemptTimeoutMs)
          .run((signal) => this.attempt(request, headers, payload, signal), request.getHttpConfig().signal as AbortSignal | undefined);
        this.stats.lastStatus = response.httpStatusCode;
        if (!isRetryableStatus(response.httpStatusCode)) return response;
        lastResponse = response;
      } catch (error) {
        lastError = error;
        this.stats.lastNetworkError = describeNetworkError(error);
      }
      if (attempt >= this.policy.maxAttempts) break;
      const room = this.deadline.remainingMs() - this.policy.minAttemptMs;
      if (room <= 0) break;
      const delay = Math.min(retryDelayMs(attempt, lastResponse?.headers, this.policy, this.random), room);
      await sleep(delay);
    }
    // A final 429/5xx goes back to the client, which turns it into an ApiException with the status.
    if (lastResponse !== undefined) return lastResponse;
    throw new TransportError(`Datadog unreachable (${describeNetworkError(lastError)})`);
  }

  private async attempt(request: RequestContext, headers: Record<string, string>, body: string | Buffer | undefined, signal: AbortSignal): Promise<ResponseContext> {
    // The whole body is read inside the attempt's time budget: a stalled body is a failed attempt.
    const answer = await this.exchange(request.getUrl(), { method: request.getHttpMethod(), headers, body, signal, maxBodyBytes: MAX_RESPONSE_BODY_BYTES });
    return new ResponseContext(answer.status, { ...answer.headers }, {
      text: async () => answer.body.toString("utf8"),
      binary: async () => answer.body,
    });
  }
}

/** Options of {@link createDatadogSink}. */
export interface DatadogSinkOptions {
  /** Datadog API key (sent as DD-API-KEY, nothing else). */
  readonly apiKey: string;
  /** Datadog site. @default "datadoghq.com" */
  readonly site?: string;
  /** Base URL replacing https://api.<site> (proxy, PrivateLink, tests). */
  readonly apiUrl?: string | undefined;
  /** Retry policy. @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Compress series payloads with gzip. @default true */
  readonly compress?: boolean;
  /**
   * Largest uncompressed JSON per series request without compression, and the size a payload whose
   * gzip is over the limit is split to. @default MAX_SERIES_PAYLOAD_BYTES
   */
  readonly maxPayloadBytes?: number;
  /** Largest uncompressed JSON per series request with compression. @default MAX_UNCOMPRESSED_SERIES_BYTES */
  readonly maxUncompressedBytes?: number;
  /** The HTTP exchange. @default sendOverNodeHttp */
  readonly send?: HttpSend;
  /** Jitter source. @default Math.random */
  readonly random?: () => number;
}

/** Strip the API key from any text we did not write ourselves (error bodies). */
function scrub(text: string, apiKey: string): string {
  return apiKey.length >= 4 ? text.split(apiKey).join("[REDACTED]") : text;
}

/** Longest error-body summary kept in a message, in characters. */
export const MAX_ERROR_SUMMARY_LENGTH = 300;

/**
 * A short, one-line description of an error body: Datadog's `errors` list when there is one.
 * The key is scrubbed from the WHOLE text before it is cut: cutting first could leave a prefix of
 * the key at the cut, which no later scrub would recognize.
 */
function summarizeErrorBody(body: unknown, apiKey: string): string {
  let value = body;
  if (typeof value === "string") {
    // For statuses it does not model, the client wraps the raw text: 'Unknown API Status Code!\nBody: "…"'.
    const text = value.replace(/^Unknown API Status Code!\s*Body:\s*"([\s\S]*)"$/, "$1");
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
  }
  const errors = (value as { errors?: unknown } | undefined)?.errors;
  const text = Array.isArray(errors) ? errors.map(String).join("; ") : typeof value === "string" ? value : JSON.stringify(value ?? "");
  const oneLine = scrub(text, apiKey).replace(/\s+/g, " ").trim();
  if (oneLine.length <= MAX_ERROR_SUMMARY_LENGTH) return oneLine;
  return `${withoutKeyPrefixAtEnd(oneLine.slice(0, MAX_ERROR_SUMMARY_LENGTH - 1), apiKey)}…`;
}

/** Defence in depth: a cut text that ends with the start of the key (a partial echo) loses it. */
function withoutKeyPrefixAtEnd(text: string, apiKey: string): string {
  for (let length = Math.min(apiKey.length - 1, text.length); length >= 4; length -= 1) {
    if (text.endsWith(apiKey.slice(0, length))) return `${text.slice(0, text.length - length)}[REDACTED]`;
  }
  return text;
}

function toDeliveryError(what: string, error: unknown, stats: MutableStats, apiKey: string): DeliveryError {
  const spent = { requests: stats.requests, attempts: stats.attempts };
  const tries = `after ${stats.attempts} attempt${stats.attempts === 1 ? "" : "s"}`;
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code;
    const detail = summarizeErrorBody((error as ApiException<unknown>).body, apiKey);
    return new DeliveryError(scrub(`Datadog did not accept the ${what}: HTTP ${code}${detail ? ` (${detail})` : ""} ${tries}`, apiKey), code, spent);
  }
  if (error instanceof TransportError) {
    return new DeliveryError(scrub(`Datadog did not accept the ${what}: ${error.message} ${tries}`, apiKey), stats.lastStatus, spent);
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DeliveryError(scrub(`Datadog did not accept the ${what}: ${message} ${tries}`, apiKey), stats.lastStatus, spent);
}

const metricsResponses = new MetricsApiResponseProcessor();

/**
 * POST one series payload as `MetricsApi.submitMetrics` does (same server, headers, auth and
 * answer handling: the client's own response processor), with the body already serialized: the
 * client's generic serializer walked every value of every series with a type lookup and made two
 * copies of the payload's objects, a third of a check's CPU at 1,000 tunnels.
 */
async function postSeries(configuration: Configuration, transport: HttpLibrary, body: Buffer, compress: boolean): Promise<void> {
  const request = configuration.getServer("v2.MetricsApi.submitMetrics").makeRequestContext("/api/v2/series", HttpMethod.POST);
  request.setHeaderParam("Accept", "application/json");
  request.setHttpConfig(configuration.httpConfig);
  if (configuration.isIaC) request.setHeaderParam("X-Datadog-Managed-By", "iac");
  if (compress) request.setHeaderParam("Content-Encoding", "gzip");
  request.setHeaderParam("Content-Type", "application/json");
  request.setBody(body);
  applySecurityAuthentication(configuration, request, ["apiKeyAuth"]);
  await metricsResponses.submitMetrics(await transport.send(request));
}

/** Stands in for the configuration's transport, which the sink never uses (each call brings its own). */
const UNUSED_HTTP_LIBRARY: HttpLibrary = {
  send: () => Promise.reject(new Error("internal: Datadog requests go through the call's own transport")),
};

/** A sink that delivers to Datadog. Keep one while its options stay the same (the Lambda keeps one per API key). */
export function createDatadogSink(options: DatadogSinkOptions): MetricsSink {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const send = options.send ?? sendOverNodeHttp;
  const random = options.random ?? Math.random;
  const compress = options.compress ?? true;
  const maxPayloadBytes = options.maxPayloadBytes ?? MAX_SERIES_PAYLOAD_BYTES;
  const firstSplitBytes = compress ? Math.max(maxPayloadBytes, options.maxUncompressedBytes ?? MAX_UNCOMPRESSED_SERIES_BYTES) : maxPayloadBytes;

  // One configuration (servers, site, auth) for the sink's life: the client's factory builds an
  // object of some three hundred operation flags each time (a third of a millisecond). Requests go
  // out through a transport per call, bound to that call's deadline and stats, never through the
  // configuration's own `httpApi`.
  const configuration = createConfiguration({
    authMethods: { apiKeyAuth: options.apiKey },
    httpApi: UNUSED_HTTP_LIBRARY,
    ...(options.apiUrl !== undefined ? { baseServer: new BaseServerConfiguration(options.apiUrl, {}) } : {}),
  });
  if (options.apiUrl === undefined) configuration.setServerVariables({ site: options.site ?? "datadoghq.com" });
  const transport = (deadline: Deadline, stats: MutableStats): HttpLibrary => new DeadlineHttpLibrary(deadline, policy, stats, send, random);

  return {
    async submitSeries(series, deadline) {
      const stats: MutableStats = { requests: 0, attempts: 0 };
      // One request keeps the core's order (what `npm run check` prints); several put the controllers first.
      const encoder = new SeriesEncoder();
      // All in one request when they fit, in the core's order (what `npm run check` prints);
      // else several, the controllers' series first.
      const whole = series.length > 0 ? encoder.payloadWithin(series, firstSplitBytes) : undefined;
      const batches = whole !== undefined ? [series as MetricSeries[]] : splitSeries(controllerSeriesFirst(series), firstSplitBytes, encoder);
      // Every batch is tried: one refused request must not drop the others' points.
      let firstError: DeliveryError | undefined;
      let failed = 0;
      let sent = 0;
      for (let i = 0; i < batches.length; i += 1) {
        const batch = batches[i] as MetricSeries[];
        try {
          await postSeries(configuration, transport(deadline, stats), i === 0 && whole !== undefined && batches.length === 1 ? whole : encoder.payload(batch), compress);
          sent += 1;
        } catch (error) {
          if (error instanceof PayloadTooLargeError && batch.length > 1) {
            // Compressed worse than series JSON does: split this one at the conservative size, in place.
            const smaller = splitSeries(batch, maxPayloadBytes, encoder);
            batches.splice(i, 1, ...(smaller.length > 1 ? smaller : [batch.slice(0, batch.length / 2), batch.slice(batch.length / 2)]));
            i -= 1;
            continue;
          }
          failed += 1;
          firstError ??= toDeliveryError("series", error, stats, options.apiKey);
        }
      }
      if (firstError !== undefined) {
        const spent = { requests: stats.requests, attempts: stats.attempts };
        if (failed + sent === 1) throw new DeliveryError(firstError.message, firstError.status, spent);
        throw new DeliveryError(`${failed} of ${failed + sent} series requests failed; first: ${firstError.message}`, firstError.status, spent);
      }
      return { status: "accepted", requests: stats.requests, attempts: stats.attempts };
    },

    async submitEvent(event, deadline) {
      const stats: MutableStats = { requests: 0, attempts: 0 };
      const request = configuration.getServer("v1.EventsApi.createEvent").makeRequestContext("/api/v1/events", HttpMethod.POST);
      request.setHeaderParam("Accept", "application/json");
      request.setHeaderParam("Content-Type", "application/json");
      request.setBody(
        JSON.stringify({
          title: event.title,
          text: event.text,
          tags: event.tags,
          alert_type: event.alertType,
          aggregation_key: event.aggregationKey,
        }),
      );
      request.setHttpConfig(configuration.httpConfig);
      applySecurityAuthentication(configuration, request, ["apiKeyAuth"]);
      let response: ResponseContext;
      try {
        response = await transport(deadline, stats).send(request);
      } catch (error) {
        throw toDeliveryError("event", error, stats, options.apiKey);
      }
      if (response.httpStatusCode < 200 || response.httpStatusCode > 299) {
        let body: unknown;
        try {
          body = JSON.parse(await response.body.text());
        } catch {
          body = "";
        }
        throw toDeliveryError("event", new ApiException(response.httpStatusCode, body), stats, options.apiKey);
      }
      return { requests: stats.requests, attempts: stats.attempts };
    },
  };
}

/** A sink that records instead of sending: dry runs, the CLI, benchmarks, tests. */
export class RecordingSink implements MetricsSink {
  /** Every series submitted, in order. */
  readonly series: MetricSeries[] = [];
  /** Every event submitted, in order. */
  readonly events: CheckEvent[] = [];

  async submitSeries(series: readonly MetricSeries[]): Promise<SeriesDelivery> {
    this.series.push(...series);
    return { status: "dry_run", requests: 0, attempts: 0 };
  }

  async submitEvent(event: CheckEvent): Promise<DeliveryStats> {
    this.events.push(event);
    return { requests: 0, attempts: 0 };
  }
}

/** A dry-run sink (alias of `new RecordingSink()`). */
export function createDryRunSink(): RecordingSink {
  return new RecordingSink();
}
