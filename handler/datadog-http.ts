/**
 * The checker's HTTP exchange with Datadog, over Node's `http`/`https` with keep-alive agents: one
 * POST per check costs half the CPU it did through `fetch` (undici's request and WHATWG stream
 * machinery, ~0.7 ms per POST on the benchmark machine), on the check's critical path.
 *
 * Connections are reused only while fresh: after {@link DATADOG_KEEP_IDLE_MS} without a request,
 * the next one opens a new connection, as `fetch` did (undici's default keep-alive timeout), so a
 * connection Datadog closed while the Lambda was frozen between two checks is never written to.
 */
import * as http from "node:http";
import * as https from "node:https";

/** What one exchange returned: status, lower-case headers, and at most `maxBodyBytes` of the body. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** One request. @throws the network error, or the signal's reason once it aborts */
export type HttpSend = (url: string, init: { readonly method: string; readonly headers: Readonly<Record<string, string>>; readonly body?: string | Buffer | undefined; readonly signal: AbortSignal; readonly maxBodyBytes: number }) => Promise<HttpAnswer>;

/** Longest a connection to Datadog is left idle and still reused (undici's fetch default, 4 s). */
export const DATADOG_KEEP_IDLE_MS = 4_000;

/** Keep-alive agents per protocol, replaced once idle for longer than {@link DATADOG_KEEP_IDLE_MS}. */
class DatadogAgents {
  private agents: { "http:": http.Agent; "https:": https.Agent } | undefined;
  private inFlight = 0;
  private lastActive = 0;

  /** The agent for `protocol`, fresh ones when nothing was sent for too long. */
  take(protocol: string, now: number): http.Agent {
    if (this.agents === undefined || (this.inFlight === 0 && now - this.lastActive > DATADOG_KEEP_IDLE_MS)) {
      this.agents?.["http:"].destroy();
      this.agents?.["https:"].destroy();
      this.agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };
    }
    this.inFlight += 1;
    this.lastActive = now;
    return protocol === "http:" ? this.agents["http:"] : this.agents["https:"];
  }

  release(now: number): void {
    this.inFlight -= 1;
    this.lastActive = now;
  }
}

const agents = new DatadogAgents();

/** A header value as one string (Node gives repeated headers as an array). */
function headerText(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(", ") : (value ?? "");
}

/** The real {@link HttpSend}: a body larger than `maxBodyBytes` is cut there and the connection dropped. */
export const sendOverNodeHttp: HttpSend = (url, init) =>
  new Promise<HttpAnswer>((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") {
      reject(new Error(`unsupported protocol ${target.protocol}`));
      return;
    }
    if (init.signal.aborted) {
      reject(init.signal.reason);
      return;
    }
    const agent = agents.take(target.protocol, Date.now());
    let settled = false;
    const settle = (error: unknown, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      agents.release(Date.now());
      // An aborted exchange fails with why it was aborted (the deadline), as fetch did.
      if (error !== undefined) reject(init.signal.aborted ? init.signal.reason : error);
      else resolve(answer as HttpAnswer);
    };
    const onResponse = (response: http.IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answer = (): HttpAnswer => {
        const answerHeaders: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) answerHeaders[name] = headerText(value);
        return { status: response.statusCode ?? 0, headers: answerHeaders, body: Buffer.concat(chunks, size) };
      };
      response.on("data", (chunk: Buffer) => {
        if (settled) return;
        const room = init.maxBodyBytes - size;
        chunks.push(chunk.length <= room ? chunk : chunk.subarray(0, room));
        size += Math.min(chunk.length, room);
        if (size >= init.maxBodyBytes) {
          // The rest is not read: the connection goes, never back to the pool half read.
          settle(undefined, answer());
          response.destroy();
        }
      });
      response.on("end", () => settle(undefined, answer()));
      response.on("error", (error) => settle(error));
      response.on("aborted", () => settle(new Error("connection closed mid-response")));
    };
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(init.body));
    let request: http.ClientRequest;
    try {
      request = (target.protocol === "http:" ? http.request : https.request)(target, { method: init.method, headers, agent, signal: init.signal }, onResponse);
    } catch (error) {
      // Node refuses a header it cannot send (its message names the header, never the value).
      settle(error);
      return;
    }
    request.on("error", (error) => settle(error));
    request.end(init.body);
  });
