import { randomBytes } from "node:crypto";
import * as http from "node:http";
import { gunzipSync } from "node:zlib";
import { MetricsApi } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/apis/MetricsApi";
import { createConfiguration } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration";
import { BaseServerConfiguration } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/servers";
import { ResponseContext, type RequestContext } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-common/http/http";
import type { MetricIntakeType } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-v2/models/MetricIntakeType";
import type { CheckEvent, MetricSeries } from "../../handler/core";
import { DATADOG_KEEP_IDLE_MS, type HttpSend } from "../../handler/datadog-http";
import { controllerSeriesFirst, createDatadogSink, DEFAULT_RETRY_POLICY, DeliveryError, MAX_ERROR_SUMMARY_LENGTH, retryDelayMs, SeriesEncoder, seriesJsonBytes, splitSeries } from "../../handler/datadog-sink";
import { Deadline } from "../../handler/deadline";
import { closedPort, startIntake, type IntakeReply, type IntakeStandIn } from "../helpers/stand-ins";

const API_KEY = "FAKEddApiKeyForSinkTests00000001";
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100 };

function series(n: number, tagLength = 10): MetricSeries[] {
  return Array.from({ length: n }, (_, i) => ({
    metric: "vpn.tunnel.status",
    type: 3 as const,
    points: [{ timestamp: 1_700_000_000, value: i % 2 }],
    tags: [`tunnel_id:${i}`, `tunnel:${"x".repeat(tagLength)}`],
  }));
}

const EVENT: CheckEvent = {
  title: "VNS3 subnet 10.50.0.0/24 not carried by any tunnel on vns3-a",
  text: "Subnet 10.50.0.0/24 …",
  tags: ["vpn_environment:prod", "controller:vns3-a"],
  alertType: "warning",
  aggregationKey: "vns3-unmatched-subnet:vns3-a:10.50.0.0/24",
  controller: "vns3-a",
  subnet: "10.50.0.0/24",
};

describe("splitSeries", () => {
  it("keeps everything in one payload under the limit", () => {
    expect(splitSeries(series(1000))).toHaveLength(1);
  });

  it("splits conservatively past the limit, every payload within it", () => {
    const all = series(2000, 190); // ~300 bytes each: ~600 KB in total
    const batches = splitSeries(all);
    expect(batches.length).toBe(2);
    expect(batches.flat()).toEqual(all);
    for (const batch of batches) expect(Buffer.byteLength(JSON.stringify({ series: batch }))).toBeLessThanOrEqual(450_000);
  });

  it("measures a series' JSON exactly without building it, whatever its characters", () => {
    const odd: MetricSeries[] = [
      { metric: "vpn.tunnel.status", type: 3, points: [{ timestamp: 1_700_000_000, value: 0 }], tags: [] },
      { metric: "vpn.checker.duration_ms", type: 3, points: [{ timestamp: 1_700_000_000, value: 1234.5 }, { timestamp: 1_700_000_060, value: -1 }], tags: ["vpn_environment:acme", "tunnel:zürich-börse-東京"] },
      { metric: "vpn.tunnel.status", type: 3, points: [{ timestamp: 1_700_000_000, value: 1 }], tags: ['quote:"x"', "back:\\slash", "ctl:\u0001\n", "emoji:🚀", "lone:\ud800"] },
    ];
    for (const s of [...odd, ...series(5, 190)]) expect(seriesJsonBytes(s)).toBe(Buffer.byteLength(JSON.stringify(s)));
  });

  it("fills each payload up to the limit and no further", () => {
    // Every series the same size (the same id length), so a payload holds a known number of them.
    const all = series(400, 190).map((s) => ({ ...s, tags: ["tunnel_id:100", ...s.tags.slice(1)] }));
    const limit = Buffer.byteLength(JSON.stringify({ series: all.slice(0, 100) }));
    expect(splitSeries(all, limit).map((b) => b.length)).toEqual([100, 100, 100, 100]);
    expect(splitSeries(all, limit - 1).map((b) => b.length)).toEqual([99, 99, 99, 99, 4]);
  });

  it("measures a count series with its interval exactly", () => {
    const counted: MetricSeries = { metric: "vpn.tunnel.bytes_in", type: 1, points: [{ timestamp: 1_700_000_000, value: 123456 }], tags: ["tunnel_id:1"], interval: 60 };
    expect(seriesJsonBytes(counted)).toBe(Buffer.byteLength(JSON.stringify(counted)));
  });

  it("puts the controller series first, each group in its own order", () => {
    const up = (c: string): MetricSeries => ({ metric: "vpn.controller.up", type: 3, points: [{ timestamp: 1, value: 1 }], tags: [`controller:${c}`] });
    const [t1, t2] = series(2);
    expect(controllerSeriesFirst([up("a"), t1!, up("b"), t2!]).map((x) => `${x.metric} ${x.tags.join(",")}`)).toEqual([
      "vpn.controller.up controller:a",
      "vpn.controller.up controller:b",
      "vpn.tunnel.status tunnel_id:0,tunnel:xxxxxxxxxx",
      "vpn.tunnel.status tunnel_id:1,tunnel:xxxxxxxxxx",
    ]);
  });

  it("lets a single oversized series travel alone rather than drop it", () => {
    expect(splitSeries(series(3, 100), 150).map((b) => b.length)).toEqual([1, 1, 1]);
  });
});

/** Series of every shape the core makes, and some it never does: escapes, non-ASCII, several points, NaN. */
function awkwardSeries(): MetricSeries[] {
  const shared = ["vpn_environment:acme", "controller:vns3-a", "tunnel:zürich-börse-東京", "tunnel_id:7", "endpoint:partner-7"];
  return [
    { metric: "vpn.controller.up", type: 3, points: [{ timestamp: 1_700_000_000, value: 1 }], tags: ["vpn_environment:acme", "controller:vns3-a", "vns3_version:4.9.0-20200121"] },
    { metric: "vpn.tunnel.status", type: 3, points: [{ timestamp: 1_700_000_000, value: 0 }], tags: shared },
    { metric: "vpn.tunnel.bytes_in", type: 1, points: [{ timestamp: 1_700_000_000, value: 123456 }], tags: shared, interval: 60 },
    { metric: "vpn.tunnel.reestablished", type: 1, points: [{ timestamp: 1_700_000_000, value: 0 }], tags: shared, interval: 60 },
    { metric: "vpn.checker.duration_ms", type: 3, points: [{ timestamp: 1_700_000_000, value: 1234.5 }, { timestamp: 1_700_000_060, value: -0 }, { timestamp: 1_700_000_120, value: Number.NaN }], tags: [] },
    { metric: "vpn.tunnel.status", type: 3, points: [{ timestamp: 1_700_000_000, value: 1e21 }], tags: ['quote:"x"', "back:\\slash", "ctl:\u0001\n", "emoji:🚀", "lone:\ud800"] },
  ];
}

/** What the client's own `MetricsApi.submitMetrics` would put on the wire (its request context, captured unsent). */
async function clientRequest(series: readonly MetricSeries[], apiUrl: string): Promise<RequestContext> {
  let captured: RequestContext | undefined;
  const configuration = createConfiguration({
    authMethods: { apiKeyAuth: API_KEY },
    baseServer: new BaseServerConfiguration(apiUrl, {}),
    httpApi: {
      send: async (request: RequestContext) => {
        captured = request;
        return new ResponseContext(202, { "content-type": "application/json" }, { text: async () => '{"errors":[]}', binary: async () => Buffer.from('{"errors":[]}') });
      },
    },
  });
  await new MetricsApi(configuration).submitMetrics({
    body: { series: series.map((s) => ({ metric: s.metric, type: s.type as MetricIntakeType, points: s.points.map((p) => ({ ...p })), tags: [...s.tags], ...(s.interval !== undefined ? { interval: s.interval } : {}) })) },
    contentEncoding: "gzip",
  });
  return captured!;
}

describe("SeriesEncoder", () => {
  it("writes byte for byte the JSON the client's serializer writes, and measures it exactly", async () => {
    const all = awkwardSeries();
    const reference = await clientRequest(all, "http://127.0.0.1:9");
    const encoder = new SeriesEncoder();
    expect(encoder.payload(all).toString("utf8")).toBe(reference.getBody());
    for (const s of all) expect(encoder.bytes(s)).toBe(Buffer.byteLength(encoder.json(s)));
  });

  it("writes all series in one pass when they fit, to the byte, and gives up past the limit", () => {
    const all = [...awkwardSeries(), ...series(50, 190)];
    const exact = Buffer.byteLength(JSON.stringify({ series: all }));
    const whole = new SeriesEncoder().payloadWithin(all, exact);
    expect(whole?.toString("utf8")).toBe(new SeriesEncoder().payload(all).toString("utf8"));
    expect(whole).toHaveLength(exact);
    expect(new SeriesEncoder().payloadWithin(all, exact - 1)).toBeUndefined();
    expect(new SeriesEncoder().payloadWithin(all.slice(0, 1), Buffer.byteLength(JSON.stringify({ series: all.slice(0, 1) })))).toBeDefined();
  });

  it("writes what the client writes when series share frozen points and tags arrays, as the core's do", async () => {
    // The encoder keeps bytes per shared (frozen) points array and per run of series sharing a tags
    // array: three frozen arrays taking turns, a tags array with three types, and a frozen array
    // holding a point that is not frozen (written anew each time) must all come out as the client's.
    const frozen = (timestamp: number, value: number) => Object.freeze([Object.freeze({ timestamp, value })]);
    const [one, zero, later] = [frozen(1_700_000_000, 1), frozen(1_700_000_000, 0), frozen(1_700_000_060, 1)];
    const open = Object.freeze([{ timestamp: 1_700_000_000, value: 5 }]);
    const tags = ["vpn_environment:acme", "controller:vns3-a", "tunnel:zürich", "tunnel_id:7", "endpoint:partner-7"];
    // Frozen, as the core keeps a tunnel's tags from check to check: its ends outlive one encoder.
    const other = Object.freeze(["vpn_environment:acme", "controller:vns3-b", "tunnel:東京", "tunnel_id:8", "endpoint:partner-8"]);
    const all: MetricSeries[] = [
      { metric: "vpn.tunnel.status", type: 3, points: one, tags },
      { metric: "vpn.tunnel.phase1", type: 3, points: zero, tags },
      { metric: "vpn.tunnel.bytes_in", type: 1, points: open, tags, interval: 60 },
      { metric: "vpn.tunnel.reestablished", type: 1, points: later, tags, interval: 60 },
      { metric: "vpn.tunnel.rate", type: 2 as 3, points: one, tags }, // a rate: a third type on one tags array
      { metric: "vpn.tunnel.status", type: 3, points: zero, tags },
      { metric: "vpn.tunnel.status", type: 3, points: later, tags: other },
      { metric: "vpn.tunnel.phase1", type: 3, points: one, tags: other },
      { metric: "vpn.tunnel.bytes_in", type: 1, points: open, tags: other, interval: 60 },
    ];
    const encoder = new SeriesEncoder();
    expect(encoder.payload(all).toString("utf8")).toBe((await clientRequest(all, "http://127.0.0.1:9")).getBody());
    (open[0] as { value: number }).value = 6; // its point is not frozen: the same encoder must see the change
    const reference = (await clientRequest(all, "http://127.0.0.1:9")).getBody();
    expect(encoder.payload(all).toString("utf8")).toBe(reference);
    expect(encoder.payloadWithin(all, 1_000_000)?.toString("utf8")).toBe(reference);
    expect(all.map((s) => encoder.json(s)).join(",")).toBe((JSON.parse(reference as string) as { series: unknown[] }).series.map((s) => JSON.stringify(s)).join(","));
    // The next check's encoders meet the frozen array again, with its types in another order.
    const again: MetricSeries[] = [
      { metric: "vpn.tunnel.rate", type: 2 as 3, points: one, tags: other },
      { metric: "vpn.tunnel.bytes_in", type: 1, points: open, tags: other, interval: 60 },
      { metric: "vpn.tunnel.status", type: 3, points: zero, tags: other },
    ];
    expect(new SeriesEncoder().payload(again).toString("utf8")).toBe((await clientRequest(again, "http://127.0.0.1:9")).getBody());
    expect(new SeriesEncoder().payloadWithin(all, 1_000_000)?.toString("utf8")).toBe(reference);
    // An array that is not frozen may change between checks: never written from what an earlier encoder saw.
    tags[2] = "tunnel:genève";
    expect(new SeriesEncoder().payload(all).toString("utf8")).toBe((await clientRequest(all, "http://127.0.0.1:9")).getBody());
  });

  it("refuses a type the client's MetricIntakeType enum does not have, as the client does", () => {
    expect(() => new SeriesEncoder().json({ metric: "m", type: 7 as 3, points: [], tags: [] })).toThrow("unknown enum value '7'");
  });
});

describe("Datadog sink on the wire", () => {
  it("sends the very request MetricsApi.submitMetrics builds: path, headers and (gunzipped) body bytes", async () => {
    const seen: { method?: string; url?: string; headers?: http.IncomingHttpHeaders; body?: Buffer } = {};
    // Answers as Datadog's v2 series intake documents: 202 {"errors": []}.
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(202, { "content-type": "application/json" }).end('{"errors":[]}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const all = awkwardSeries();
      const reference = await clientRequest(all, apiUrl);
      await createDatadogSink({ apiKey: API_KEY, apiUrl }).submitSeries(all, Deadline.after(2000));
      expect(seen.method).toBe("POST");
      expect(`${apiUrl}${seen.url}`).toBe(reference.getUrl());
      const expectedHeaders = Object.fromEntries(Object.entries(reference.getHeaders()).map(([k, v]) => [k.toLowerCase(), v]));
      const transportHeaders = new Set(["host", "connection", "content-length", "accept-language", "sec-fetch-mode", "accept-encoding"]);
      expect(Object.fromEntries(Object.entries(seen.headers!).filter(([k]) => !transportHeaders.has(k)))).toEqual(expectedHeaders);
      expect(gunzipSync(seen.body!).toString("utf8")).toBe(reference.getBody());
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("retryDelayMs", () => {
  const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };

  it("backs off exponentially with jitter between half and full step, capped", () => {
    expect(retryDelayMs(1, undefined, policy, () => 0)).toBe(50);
    expect(retryDelayMs(1, undefined, policy, () => 1)).toBe(100);
    expect(retryDelayMs(3, undefined, policy, () => 1)).toBe(400);
    expect(retryDelayMs(10, undefined, policy, () => 1)).toBe(1000);
  });

  it("honours x-ratelimit-reset and Retry-After (seconds or date)", () => {
    expect(retryDelayMs(1, { "x-ratelimit-reset": "3" }, policy, () => 0)).toBe(3000);
    expect(retryDelayMs(1, { "retry-after": "2" }, policy, () => 0)).toBe(2000);
    expect(retryDelayMs(1, { "retry-after": new Date(1_000_000 + 4000).toUTCString() }, policy, () => 0, 1_000_000)).toBe(4000);
  });
});

describe("Datadog sink against an intake stand-in", () => {
  let intake: IntakeStandIn | undefined;
  afterEach(async () => {
    await intake?.close();
    intake = undefined;
  });

  async function start(reply?: (req: import("../helpers/stand-ins").IntakeRequest, n: number) => IntakeReply): Promise<IntakeStandIn> {
    intake = await startIntake(reply);
    return intake;
  }

  it("submits all series in one gzip request with the API key only", async () => {
    const dd = await start();
    const sink = createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY });

    const delivery = await sink.submitSeries(series(3), Deadline.after(2000));

    expect(delivery).toEqual({ status: "accepted", requests: 1, attempts: 1 });
    expect(dd.requests).toHaveLength(1);
    const [request] = dd.series();
    expect(request?.method).toBe("POST");
    expect(request?.headers["content-encoding"]).toBe("gzip");
    expect(request?.headers["dd-api-key"]).toBe(API_KEY);
    expect(request?.headers["dd-application-key"]).toBeUndefined();
    expect(request?.body).toEqual({ series: series(3) });
  });

  it("retries a 500 and resolves on the following 202", async () => {
    const dd = await start((_req, n) => (n === 1 ? { status: 500, body: { errors: ["Internal"] } } : { status: 202, body: { errors: [] } }));
    const delivery = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY }).submitSeries(series(2), Deadline.after(2000));
    expect(delivery).toEqual({ status: "accepted", requests: 1, attempts: 2 });
    expect(dd.series()).toHaveLength(2);
    expect(dd.series()[1]?.body).toEqual(dd.series()[0]?.body);
  });

  it("does not retry a 400 and rejects with a message free of the key", async () => {
    const dd = await start(() => ({ status: 400, body: { errors: [`Invalid payload for key ${API_KEY}`] } }));
    const error = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY })
      .submitSeries(series(1), Deadline.after(2000))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toBe("Datadog did not accept the series: HTTP 400 (Invalid payload for key [REDACTED]) after 1 attempt");
    expect((error as DeliveryError).status).toBe(400);
    expect(dd.series()).toHaveLength(1);
  });

  it("scrubs the key from an error body before cutting it, so no prefix survives at the cut", async () => {
    // The key starts 7 characters before the cut (299 kept + "…"): cutting first would keep "FAKEddA".
    const padding = "x".repeat(MAX_ERROR_SUMMARY_LENGTH - 9);
    const dd = await start(() => ({ status: 400, body: { errors: [`${padding} ${API_KEY} rejected`] } }));
    const error = (await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY })
      .submitSeries(series(1), Deadline.after(2000))
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toBe(`Datadog did not accept the series: HTTP 400 (${padding} [REDACT…) after 1 attempt`);
    expect(error.message).not.toContain(API_KEY.slice(0, 4));
  });

  it("removes a partial echo of the key that ends at the cut", async () => {
    const padding = "x".repeat(MAX_ERROR_SUMMARY_LENGTH - 9);
    const dd = await start(() => ({ status: 400, body: { errors: [`${padding}${API_KEY.slice(0, 20)}`] } }));
    const error = (await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY })
      .submitSeries(series(1), Deadline.after(2000))
      .catch((e: unknown) => e)) as DeliveryError;
    expect(error.message).toBe(`Datadog did not accept the series: HTTP 400 (${padding}[REDACTED]…) after 1 attempt`);
  });

  it("does not retry a 403 (bad API key)", async () => {
    const dd = await start(() => ({ status: 403, body: { errors: ["Forbidden"] } }));
    await expect(createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY }).submitSeries(series(1), Deadline.after(2000))).rejects.toThrow(
      "Datadog did not accept the series: HTTP 403 (Forbidden) after 1 attempt",
    );
    expect(dd.series()).toHaveLength(1);
  });

  it("waits as long as x-ratelimit-reset asks on a 429, capped to the remaining budget", async () => {
    const dd = await start((_req, n) => (n === 1 ? { status: 429, body: { errors: ["Rate limited"] }, headers: { "x-ratelimit-reset": "60" } } : { status: 202 }));
    const started = Date.now();
    const delivery = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: { ...FAST_RETRY, minAttemptMs: 300 } }).submitSeries(series(1), Deadline.after(1200));
    const elapsed = Date.now() - started;
    expect(delivery.attempts).toBe(2);
    // The hint (60 s) was cut to what the budget allowed: ~1200 - 300 ms.
    expect(elapsed).toBeGreaterThanOrEqual(850);
    expect(elapsed).toBeLessThan(1200);
  });

  it("gives up within the budget when Datadog is unreachable", async () => {
    const port = await closedPort();
    const started = Date.now();
    const error = await createDatadogSink({ apiKey: API_KEY, apiUrl: `http://127.0.0.1:${port}`, retry: FAST_RETRY })
      .submitSeries(series(1), Deadline.after(800))
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(800);
    expect((error as DeliveryError).message).toMatch(/^Datadog did not accept the series: Datadog unreachable \(ECONNREFUSED\) after 5 attempts$/);
    expect((error as DeliveryError).stats).toEqual({ requests: 1, attempts: 5 });
  });

  it("keeps retrying 503s only while the budget allows", async () => {
    const dd = await start(() => ({ status: 503, body: { errors: ["Unavailable"] } }));
    const started = Date.now();
    await expect(
      createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 200, minAttemptMs: 100 } }).submitSeries(series(1), Deadline.after(700)),
    ).rejects.toThrow(/^Datadog did not accept the series: HTTP 503 \(Unavailable\) after \d+ attempts$/);
    expect(Date.now() - started).toBeLessThan(700);
    expect(dd.series().length).toBeGreaterThan(2);
    expect(dd.series().length).toBeLessThan(50);
  });

  it("without compression, splits past the payload limit: two requests for two payloads", async () => {
    const dd = await start();
    const all = series(2000, 190);
    const delivery = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, compress: false }).submitSeries(all, Deadline.after(5000));
    expect(delivery).toEqual({ status: "accepted", requests: 2, attempts: 2 });
    expect(dd.series().flatMap((r) => (r.body as { series: unknown[] }).series)).toEqual(all);
    for (const r of dd.series()) expect(r.wireBytes).toBeLessThan(500_000);
  });

  it("with gzip, sends 600 KB of series JSON in one request (Datadog's limits: 500 KB compressed, 5 MB decompressed)", async () => {
    const dd = await start();
    const all = series(2000, 190);
    const delivery = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url }).submitSeries(all, Deadline.after(5000));
    expect(delivery).toEqual({ status: "accepted", requests: 1, attempts: 1 });
    expect((dd.series()[0]?.body as { series: unknown[] }).series).toEqual(all);
    expect(dd.series()[0]?.wireBytes).toBeLessThan(500_000);
  });

  it("splits again, before sending, a payload whose gzip would be over 500 KB", async () => {
    const dd = await start();
    // Random hex compresses about 2 to 1: 1.3 MB of it is ~650 KB of gzip.
    const all: MetricSeries[] = Array.from({ length: 6000 }, (_, i) => ({
      metric: "vpn.tunnel.status",
      type: 3,
      points: [{ timestamp: 1_700_000_000, value: 1 }],
      tags: [`tunnel_id:${i}`, `tunnel:${randomBytes(95).toString("hex")}`],
    }));
    const delivery = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url }).submitSeries(all, Deadline.after(10_000));
    expect(delivery.status).toBe("accepted");
    expect(delivery.requests).toBe(dd.series().length);
    expect(dd.series().length).toBeGreaterThanOrEqual(3);
    expect(dd.series().flatMap((r) => (r.body as { series: unknown[] }).series)).toEqual(all);
    for (const r of dd.series()) expect(r.wireBytes).toBeLessThanOrEqual(500_000);
  });

  it("sends every controller gauge in the first request and still tries the other batches after one fails", async () => {
    // The second of three requests is refused: the first and third must still arrive.
    const dd = await start((_req, n) => (n === 2 ? { status: 400, body: { errors: ["Payload too large"] } } : { status: 202, body: { errors: [] } }));
    const tunnels = series(2000, 190);
    const controllers: MetricSeries[] = Array.from({ length: 24 }, (_, i) => ({ metric: "vpn.controller.up", type: 3, points: [{ timestamp: 1_700_000_000, value: 1 }], tags: [`controller:c${i}`] }));
    // Controllers last in the input (as if their tunnels came first): the sink moves them to the front.
    const all = [...tunnels.slice(0, 1000), ...controllers, ...tunnels.slice(1000)];
    const sink = createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: { ...FAST_RETRY, maxAttempts: 1 }, maxPayloadBytes: 250_000, compress: false });

    const error = await sink.submitSeries(all, Deadline.after(5000)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).message).toBe("1 of 3 series requests failed; first: Datadog did not accept the series: HTTP 400 (Payload too large) after 2 attempts");
    expect((error as DeliveryError).stats).toEqual({ requests: 3, attempts: 3 });
    const bodies = dd.series().map((r) => (r.body as { series: MetricSeries[] }).series);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]!.slice(0, 24)).toEqual(controllers);
    expect(bodies.flat().filter((x) => x.metric === "vpn.controller.up")).toHaveLength(24);
  });

  it("sends a count with type 1 and its interval, a gauge with type 3", async () => {
    const dd = await start();
    const counted: MetricSeries = { metric: "vpn.tunnel.bytes_in", type: 1, points: [{ timestamp: 1_700_000_000, value: 4096 }], tags: ["tunnel_id:1"], interval: 60 };
    await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url }).submitSeries([...series(1), counted], Deadline.after(2000));
    expect((dd.series()[0]?.body as { series: unknown[] }).series).toEqual([...series(1), counted]);
  });

  it("reads at most MAX_RESPONSE_BODY_BYTES of an answer and drops the connection instead of reading the rest", async () => {
    // A 400 whose body never ends: the sink must answer from the first 64 KiB, and the server
    // stops being read (its writes back up once the socket buffers are full, then the socket closes).
    let written = 0;
    let closed!: () => void;
    const socketClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = http.createServer((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.write('{"errors":["');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      res.on("close", closed);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const error = await createDatadogSink({ apiKey: API_KEY, apiUrl, retry: FAST_RETRY }).submitEvent(EVENT, Deadline.after(5000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).status).toBe(400);
      expect((error as DeliveryError).message.length).toBeLessThanOrEqual(MAX_ERROR_SUMMARY_LENGTH + 200);
      await socketClosed;
      // Far less than an endless body: what the loopback socket buffers held when it was dropped.
      expect(written).toBeLessThan(32 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  /** An intake that answers 202 and counts the connections it accepted; `afterIdle` moves Date.now past the keep-alive time. */
  async function countingIntake(): Promise<{ url: string; connections: () => number; afterIdle: () => void; close: () => Promise<void> }> {
    let connections = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(202, { "content-type": "application/json" }).end('{"errors":[]}'));
    });
    server.on("connection", () => (connections += 1));
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const later = (): number => Date.now() + DATADOG_KEEP_IDLE_MS + 1;
    return {
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      connections: () => connections,
      afterIdle: () => {
        const at = later();
        jest.spyOn(Date, "now").mockImplementation(() => at);
      },
      close: async () => {
        jest.restoreAllMocks();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      },
    };
  }

  it("reuses its connection to Datadog for a check that follows within 4 s, and opens a new one after longer", async () => {
    // A connection idle for longer may have been closed by Datadog while the Lambda was frozen.
    const dd = await countingIntake();
    try {
      const sink = createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url, retry: FAST_RETRY });
      await sink.submitSeries(series(1), Deadline.after(2000));
      await sink.submitSeries(series(1), Deadline.after(2000));
      expect(dd.connections()).toBe(1);
      dd.afterIdle();
      await sink.submitSeries(series(1), Deadline.after(2000));
      expect(dd.connections()).toBe(2);
    } finally {
      await dd.close();
    }
  });

  it("fails a request Node refuses to send (an API key it cannot put in a header) without the key, and leaves nothing counted in flight", async () => {
    const dd = await countingIntake();
    try {
      await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url }).submitSeries(series(1), Deadline.after(2000));
      const badKey = "FAKEkeyWith\nNewline0000000000000";
      const error = await createDatadogSink({ apiKey: badKey, apiUrl: dd.url, retry: { ...FAST_RETRY, maxAttempts: 1 } }).submitSeries(series(1), Deadline.after(2000)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as DeliveryError).message).not.toContain("FAKEkeyWith");
      // Had the refused request stayed counted in flight, the idle connection would be reused here.
      dd.afterIdle();
      await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url }).submitSeries(series(1), Deadline.after(2000));
      expect(dd.connections()).toBe(2);
    } finally {
      await dd.close();
    }
  });

  it("posts an event to /api/v1/events with the API key only", async () => {
    const dd = await start();
    const stats = await createDatadogSink({ apiKey: API_KEY, apiUrl: dd.url }).submitEvent(EVENT, Deadline.after(2000));
    expect(stats).toEqual({ requests: 1, attempts: 1 });
    const [request] = dd.events();
    expect(request?.headers["dd-api-key"]).toBe(API_KEY);
    expect(request?.headers["dd-application-key"]).toBeUndefined();
    expect(request?.body).toEqual({
      title: EVENT.title,
      text: EVENT.text,
      tags: ["vpn_environment:prod", "controller:vns3-a"],
      alert_type: "warning",
      aggregation_key: "vns3-unmatched-subnet:vns3-a:10.50.0.0/24",
    });
  });

  it("uses https://api.<site> when no API URL is given", async () => {
    const urls: string[] = [];
    const send: HttpSend = async (url) => {
      urls.push(url);
      return { status: 202, headers: { "content-type": "application/json" }, body: Buffer.from('{"errors":[]}') };
    };
    await createDatadogSink({ apiKey: API_KEY, site: "datadoghq.eu", send }).submitSeries(series(1), Deadline.after(1000));
    await createDatadogSink({ apiKey: API_KEY, site: "us5.datadoghq.com", send }).submitEvent(EVENT, Deadline.after(1000));
    expect(urls).toEqual(["https://api.datadoghq.eu/api/v2/series", "https://api.us5.datadoghq.com/api/v1/events"]);
  });
});
