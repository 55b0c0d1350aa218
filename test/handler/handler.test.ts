/**
 * The Lambda handler end to end against loopback stand-ins: real HTTPS controllers with a
 * self-signed certificate, a recording Datadog intake, Secrets Manager mocked at the SDK boundary.
 */
import { X509Certificate } from "node:crypto";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { daysLeft } from "../../handler/expiry";
import { createHandler, type HandlerOptions } from "../../handler/index";
import { VNS3_PATHS } from "../../contract/vns3";
import { PUSH_ALERTS_PATH } from "../../handler/push-status";
import {
  closedPort,
  connectedSubnetsRoute,
  createCertificate,
  ipsecBody,
  lambdaContext,
  scriptedRoute,
  startIntake,
  startSilentListener,
  startTlsRecorder,
  startVns3,
  systemStatusBody,
  type IntakeReply,
  type IntakeStandIn,
  type TestCertificate,
  type Vns3StandIn,
} from "../helpers/stand-ins";

const API_KEY = "FAKEddApiKeyForHandlerTests00001";
const PASSWORD = "pw-Very-Secret-1";
const TOKEN = "tok-Very-Secret-2";
const KEY_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:datadog/api-key-AbCdEf";
const CTRL_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vns3/a-AbCdEf";
const FAST_RETRY = { baseDelayMs: 20, maxDelayMs: 100 };

let certificate: TestCertificate;
let pin: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  certificate = await createCertificate();
  pin = certificate.fingerprint256;
});

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function intake(reply?: (req: import("../helpers/stand-ins").IntakeRequest, n: number) => IntakeReply): Promise<IntakeStandIn> {
  const dd = await startIntake(reply);
  closers.push(dd.close);
  return dd;
}

/**
 * Controller "a": basic auth, four tunnels (one disabled), answering connected_subnets as published:
 * a carried subnet (10.40.0.0/24), one carried by a wider remote_subnet (10.41.1.0/24 in
 * 10.41.0.0/22), an uncarried one (10.50.0.0/24), a local one and a remote_manager one.
 */
async function controllerA(): Promise<Vns3StandIn> {
  const vns3 = await startVns3({
    certificate,
    auth: { basic: { username: "api", password: PASSWORD } },
    routes: {
      "/api/status/ipsec": {
        status: 200,
        body: ipsecBody({
          "1": { description: "Payments primary", connected: true, endpoint_name: "ACME Payments", endpointid: 2, remote_subnet: "10.40.0.0/24" },
          "2": { description: "", connected: false, remote_subnet: "10.41.0.0/22" },
          "3": { description: "Market Feed (Backup) — Zürich", connected: true },
          "4": { description: "Payments DR:", connected: false, endpoint_name: "ACME Payments", endpoint_id: 2, remote_subnet: "10.42.0.0/24", active: false },
        }),
      },
      "/api/status/connected_subnets": connectedSubnetsRoute([
        { network: "10.40.0.0", prefix: 24, origin: "ipsec" },
        { network: "10.41.1.0", prefix: 24, origin: "ipsec" },
        { network: "10.50.0.0", prefix: 24, origin: "ipsec" },
        { network: "172.16.0.0", prefix: 24, origin: "local_no_encryption" },
        { network: "192.168.100.0", prefix: 24, origin: "remote_manager", managerid: 2 },
      ]),
    },
  });
  closers.push(vns3.close);
  return vns3;
}

/**
 * Controller "b": API token, one disconnected tunnel with a non-ASCII description, and a
 * connected_subnets answer in pairs whatever the query says (a controller that ignores
 * extended_output): no origin, so no claim.
 */
async function controllerB(): Promise<Vns3StandIn> {
  const vns3 = await startVns3({
    certificate,
    auth: { token: TOKEN },
    routes: {
      "/api/status/ipsec": { status: 200, body: ipsecBody({ "7": { description: "東京 DC", connected: false, remote_subnet: "10.60.0.0/24" } }) },
      "/api/status/connected_subnets": connectedSubnetsRoute(
        [
          { network: "10.60.0.0", prefix: 24, origin: "ipsec" },
          { network: "10.70.0.0", prefix: 24, origin: "ipsec" },
        ],
        { ignoresExtendedOutput: true },
      ),
    },
  });
  closers.push(vns3.close);
  return vns3;
}

const NO_ORIGIN = "the controller gave no origin (it answered [network, netmask] pairs, ignoring extended_output), so local and remote subnets cannot be told apart";

/**
 * The base checker plus the certificate's days left (`VPN_SIGNALS=expiry`, one gauge per controller
 * that answered over a trusted connection): the other signal groups have their own tests below.
 */
function env(controllers: unknown[], ddUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { VPN_ENVIRONMENT: "Production EU", VNS3_CONTROLLERS: JSON.stringify(controllers), DD_API_KEY: API_KEY, DD_API_URL: ddUrl, VPN_SIGNALS: "expiry", ...extra };
}

function handlerWith(environment: Record<string, string>, lines: string[], options: Partial<HandlerOptions> = {}): ReturnType<typeof createHandler> {
  return createHandler({ env: environment, write: (line) => lines.push(line), retry: FAST_RETRY, secretsClient: new SecretsManagerClient({ region: "eu-west-1" }), ...options });
}

const logRecords = (lines: string[]): Record<string, unknown>[] => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

function expectNoSecrets(texts: string[]): void {
  const secrets = [API_KEY, PASSWORD, TOKEN, Buffer.from(`api:${PASSWORD}`).toString("base64")];
  for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
}

const gauge = (metric: string, value: number, tags: string[]): unknown => ({ metric, type: 3, points: [{ timestamp: expect.any(Number), value }], tags });
const ENV = "vpn_environment:production_eu";

describe("handler", () => {
  it("reports every controller, however it fails, in one Datadog request inside a 3 s budget", async () => {
    const a = await controllerA();
    const b = await controllerB();
    const c = await startVns3({ certificate, auth: { token: "another-token" }, routes: {} });
    const d = await startVns3({ certificate, auth: { token: TOKEN }, routes: { "/api/status/ipsec": { status: 502, body: "<html><h1>502 Bad Gateway</h1></html>", contentType: "text/html" } } });
    const e = await startVns3({ certificate, auth: { token: TOKEN }, routes: { "/api/status/ipsec": { status: 200, body: '{"response": {"1": {"connected": tru' } } });
    const hung = await startSilentListener();
    const refusedPort = await closedPort();
    const impostor = await startTlsRecorder(certificate);
    closers.push(c.close, d.close, e.close, hung.close, impostor.close);
    const dd = await intake();
    const lines: string[] = [];
    const handler = handlerWith(
      env(
        [
          { name: "vns3-a", host: "127.0.0.1", port: a.port, tlsSha256: pin, username: "api", password: PASSWORD },
          { name: "vns3-b", host: "127.0.0.1", port: b.port, tlsSha256: pin.replace(/:/g, "").toLowerCase(), apiToken: TOKEN },
          { name: "vns3-c", host: "127.0.0.1", port: c.port, tlsSha256: pin, apiToken: TOKEN },
          { name: "vns3-d", host: "127.0.0.1", port: d.port, tlsSha256: pin, apiToken: TOKEN },
          { name: "vns3-e", host: "127.0.0.1", port: e.port, tlsSha256: pin, apiToken: TOKEN },
          { name: "vns3-f", host: "127.0.0.1", port: hung.port, tlsSha256: pin, apiToken: TOKEN },
          { name: "vns3-g", host: "127.0.0.1", port: refusedPort, tlsSha256: pin, apiToken: TOKEN },
          { name: "vns3-h", host: "127.0.0.1", port: impostor.port, tlsSha256: "ab".repeat(32), username: "api", password: PASSWORD },
        ],
        dd.url,
      ),
      lines,
    );

    const started = Date.now();
    const result = await handler({}, lambdaContext(3000));
    const elapsed = Date.now() - started;

    // Inside the budget, after waiting for the hung controller up to the read deadline (3000 - 1000 - 250).
    expect(elapsed).toBeLessThan(3000);
    expect(elapsed).toBeGreaterThanOrEqual(1700);
    const subnetStates = [
      { controller: "vns3-a", state: "read", unmatched: 1 },
      { controller: "vns3-b", state: "unknown", reason: NO_ORIGIN },
      { controller: "vns3-c", state: "unknown", reason: "controller not read (auth)" },
      { controller: "vns3-d", state: "unknown", reason: "controller not read (http_error)" },
      { controller: "vns3-e", state: "unknown", reason: "controller not read (bad_response)" },
      { controller: "vns3-f", state: "unknown", reason: "controller not read (timeout)" },
      { controller: "vns3-g", state: "unknown", reason: "controller not read (refused)" },
      { controller: "vns3-h", state: "unknown", reason: "controller not read (tls_pin_mismatch)" },
    ];
    expect(result).toEqual({
      environment: "Production EU",
      controllersUp: 2,
      controllersDown: 6,
      tunnelsUp: 2,
      tunnelsDown: 2,
      tunnelsDisabled: 1,
      unmatchedSubnets: 1,
      subnets: subnetStates,
      datadog: { status: "accepted", requests: 1, attempts: 1 },
      durationMs: expect.any(Number),
    });

    expect(dd.series()).toHaveLength(1);
    const [request] = dd.series();
    expect(request?.headers["dd-api-key"]).toBe(API_KEY);
    // Days left on the stand-ins' certificate at the check's timestamp: sent wherever a pinned
    // connection answered (401, 502 and a bad body included), never after a timeout, a refusal or a pin mismatch.
    const checkedAt = (request?.body as { series: { points: { timestamp: number }[] }[] }).series[0]?.points[0]?.timestamp ?? NaN;
    const certDays = (controller: string) => gauge("vpn.controller.cert_days_left", daysLeft(Date.parse(new X509Certificate(certificate.cert).validTo), checkedAt * 1000), [ENV, `controller:${controller}`]);
    expect(request?.body).toEqual({
      series: [
        gauge("vpn.controller.up", 1, [ENV, "controller:vns3-a"]),
        certDays("vns3-a"),
        gauge("vpn.tunnel.status", 1, [ENV, "controller:vns3-a", "tunnel:payments_primary", "tunnel_id:1", "endpoint:acme_payments"]),
        gauge("vpn.tunnel.status", 0, [ENV, "controller:vns3-a", "tunnel:2", "tunnel_id:2", "endpoint:unnamed"]),
        gauge("vpn.tunnel.status", 1, [ENV, "controller:vns3-a", "tunnel:market_feed_backup_zürich", "tunnel_id:3", "endpoint:unnamed"]),
        // active: false → disabled, no status; "Payments DR:" loses its colon; endpoint_id 2 is endpointid 2: one partner.
        gauge("vpn.tunnel.disabled", 1, [ENV, "controller:vns3-a", "tunnel:payments_dr", "tunnel_id:4", "endpoint:acme_payments"]),
        gauge("vpn.subnet.unmatched", 1, [ENV, "controller:vns3-a"]),
        gauge("vpn.controller.up", 1, [ENV, "controller:vns3-b"]),
        certDays("vns3-b"),
        gauge("vpn.tunnel.status", 0, [ENV, "controller:vns3-b", "tunnel:東京_dc", "tunnel_id:7", "endpoint:unnamed"]),
        // No vpn.subnet.unmatched for vns3-b: its answer had no origins.
        gauge("vpn.controller.up", 0, [ENV, "controller:vns3-c", "reason:auth"]),
        certDays("vns3-c"),
        gauge("vpn.controller.up", 0, [ENV, "controller:vns3-d", "reason:http_error"]),
        certDays("vns3-d"),
        gauge("vpn.controller.up", 0, [ENV, "controller:vns3-e", "reason:bad_response"]),
        certDays("vns3-e"),
        gauge("vpn.controller.up", 0, [ENV, "controller:vns3-f", "reason:timeout"]),
        gauge("vpn.controller.up", 0, [ENV, "controller:vns3-g", "reason:refused"]),
        gauge("vpn.controller.up", 0, [ENV, "controller:vns3-h", "reason:tls_pin_mismatch"]),
        gauge("vpn.checker.duration_ms", expect.any(Number), [ENV]),
      ],
    });
    const timestamps = new Set((request?.body as { series: { points: { timestamp: number }[] }[] }).series.map((s) => s.points[0]?.timestamp));
    expect(timestamps.size).toBe(1);
    expect(Math.abs(([...timestamps][0] ?? 0) - started / 1000)).toBeLessThan(5);

    expect(dd.events().map((r) => r.body)).toEqual([
      {
        title: "VNS3 subnet 10.50.0.0/24 not carried by any tunnel on vns3-a",
        text: "Subnet 10.50.0.0/24 (origin: ipsec) is connected on VNS3 controller vns3-a (environment Production EU), but no IPsec tunnel's remote_subnet carries it.",
        tags: [ENV, "controller:vns3-a"],
        alert_type: "warning",
        aggregation_key: "vns3-unmatched-subnet:vns3-a:10.50.0.0/24",
      },
    ]);

    // What the controllers saw: the right credentials, and nothing at all for the impostor.
    expect(a.requests.map((r) => r.headers.authorization)).toEqual([`Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`, `Basic ${Buffer.from(`api:${PASSWORD}`).toString("base64")}`]);
    expect(b.requests.map((r) => [r.path, r.headers["api-token"]])).toEqual([
      ["/api/status/ipsec", TOKEN],
      ["/api/status/connected_subnets?extended_output=true", TOKEN],
    ]);
    expect(impostor.connections()).toBe(1);
    expect(impostor.received()).toHaveLength(0);
    expect(hung.connections()).toBe(1);

    const records = logRecords(lines);
    expect(records.filter((r) => r.level === "warn").map((r) => [r.msg, r.controller, r.reason])).toEqual([
      ["controller down", "vns3-c", "auth"],
      ["controller down", "vns3-d", "http_error"],
      ["controller down", "vns3-e", "bad_response"],
      ["controller down", "vns3-f", "timeout"],
      ["controller down", "vns3-g", "refused"],
      ["controller down", "vns3-h", "tls_pin_mismatch"],
      ["connected subnets not compared", "vns3-b", NO_ORIGIN],
    ]);
    expect(records.at(-1)).toEqual({
      level: "info",
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      msg: "check complete",
      request_id: "test-request",
      vpn_environment: "Production EU",
      controllers_up: 2,
      controllers_down: 6,
      tunnels_up: 2,
      tunnels_down: 2,
      tunnels_disabled: 1,
      unmatched_subnets: 1,
      subnets: subnetStates,
      shared_descriptions: 0,
      shared_endpoint_names: 0,
      events_sent: 1,
      events_failed: 0,
      events_suppressed: 0,
      series: 20, // 15 status gauges and 5 cert_days_left
      duration_ms: expect.any(Number),
      down: [
        { controller: "vns3-c", reason: "auth" },
        { controller: "vns3-d", reason: "http_error" },
        { controller: "vns3-e", reason: "bad_response" },
        { controller: "vns3-f", reason: "timeout" },
        { controller: "vns3-g", reason: "refused" },
        { controller: "vns3-h", reason: "tls_pin_mismatch" },
      ],
      datadog: { status: "accepted", requests: 1, attempts: 1 },
    });
    expect(lines).toHaveLength(8);
    expectNoSecrets(lines);
  });

  it("retries a Datadog 500 and resolves after the 202: two requests", async () => {
    const a = await controllerA();
    const dd = await intake((req, n) => (req.path === "/api/v2/series" && n === 1 ? { status: 500, body: { errors: ["Internal Server Error"] } } : { status: 202, body: { errors: [] } }));
    const lines: string[] = [];
    const handler = handlerWith(env([{ name: "vns3-a", host: "127.0.0.1", port: a.port, tlsSha256: pin, username: "api", password: PASSWORD }], dd.url), lines);

    const result = await handler({}, lambdaContext(5000));

    expect(result.datadog).toEqual({ status: "accepted", requests: 1, attempts: 2 });
    expect(dd.series()).toHaveLength(2);
    expect(dd.series()[1]?.body).toEqual(dd.series()[0]?.body);
    expect(logRecords(lines).at(-1)).toMatchObject({ msg: "check complete", datadog: { status: "accepted", requests: 1, attempts: 2 } });
  });

  it("reports the previous invocation's delivery attempts from the warm container, and none after a cold start", async () => {
    const a = await controllerA();
    const dd = await intake((req, n) => (req.path === "/api/v2/series" && n === 1 ? { status: 500, body: { errors: ["Internal Server Error"] } } : { status: 202, body: { errors: [] } }));
    const handler = handlerWith(env([{ name: "vns3-a", host: "127.0.0.1", port: a.port, tlsSha256: pin, username: "api", password: PASSWORD }], dd.url), []);

    await handler({}, lambdaContext(5000));
    await handler({}, lambdaContext(5000));

    const health = dd.series().map((r) => (r.body as { series: { metric: string; points: { value: number }[]; tags: string[] }[] }).series.filter((s) => s.metric.startsWith("vpn.checker.")));
    // Requests 1 (500) and 2 (202) are the first invocation's; request 3 is the second's.
    expect(health.map((h) => h.map((s) => s.metric))).toEqual([["vpn.checker.duration_ms"], ["vpn.checker.duration_ms"], ["vpn.checker.duration_ms", "vpn.checker.delivery_attempts"]]);
    expect(health[2]?.[1]).toEqual({ metric: "vpn.checker.delivery_attempts", type: 3, points: [{ timestamp: expect.any(Number), value: 2 }], tags: [ENV] });
  });

  it("does not retry a Datadog 400 and rejects with a message that carries no secret", async () => {
    const a = await controllerA();
    const dd = await intake((req) => (req.path === "/api/v2/series" ? { status: 400, body: { errors: [`Bad payload (key ${API_KEY})`] } } : { status: 202 }));
    const lines: string[] = [];
    const handler = handlerWith(env([{ name: "vns3-a", host: "127.0.0.1", port: a.port, tlsSha256: pin, username: "api", password: PASSWORD }], dd.url), lines);

    const error = (await handler({}, lambdaContext(5000)).catch((e: unknown) => e)) as Error;

    expect(error.message).toBe("Datadog did not accept the series: HTTP 400 (Bad payload (key [REDACTED])) after 1 attempt");
    expect(dd.series()).toHaveLength(1);
    expectNoSecrets([error.message, error.stack ?? "", ...lines]);
    expect(logRecords(lines).at(-1)).toMatchObject({ level: "error", msg: "check failed", datadog: { status: "failed", requests: 1, attempts: 1, http_status: 400 } });
  });

  it("rejects within the budget when Datadog is down", async () => {
    const a = await controllerA();
    const port = await closedPort();
    const lines: string[] = [];
    // Production retry policy: backoff 250 ms doubling, so the budget, not the attempt cap, ends it.
    const handler = handlerWith(env([{ name: "vns3-a", host: "127.0.0.1", port: a.port, tlsSha256: pin, username: "api", password: PASSWORD }], `http://127.0.0.1:${port}`), lines, { retry: undefined });

    const started = Date.now();
    const error = (await handler({}, lambdaContext(2000)).catch((e: unknown) => e)) as Error;

    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2000);
    expect(elapsed).toBeGreaterThan(1000);
    expect(error.message).toMatch(/^Datadog did not accept the series: Datadog unreachable \(ECONNREFUSED\) after [2-5] attempts$/);
    expect(logRecords(lines).at(-1)).toMatchObject({ level: "error", msg: "check failed", controllers_up: 1 });
  });

  it("fails fast on invalid configuration, naming the variable and field", async () => {
    const lines: string[] = [];
    const handler = handlerWith({ VPN_ENVIRONMENT: "p", VNS3_CONTROLLERS: JSON.stringify([{ name: "a", host: "h", port: 0, apiToken: TOKEN }]), DD_API_KEY: API_KEY }, lines);
    await expect(handler({}, lambdaContext(3000))).rejects.toThrow("invalid checker configuration:\n  VNS3_CONTROLLERS[0].port: expected an integer 1-65535");
    expect(logRecords(lines)).toEqual([expect.objectContaining({ level: "error", msg: "check failed" })]);
    expectNoSecrets(lines);
  });
});

describe("handler with Secrets Manager", () => {
  const client = new SecretsManagerClient({ region: "eu-west-1" });
  const sm = mockClient(client);
  beforeEach(() => sm.reset());
  afterAll(() => sm.restore());

  function secretEnv(port: number, ddUrl: string, controllerArn = CTRL_ARN): Record<string, string> {
    return {
      VPN_ENVIRONMENT: "prod",
      VNS3_CONTROLLERS: JSON.stringify([{ name: "vns3-a", host: "127.0.0.1", port, tlsSha256: pin, secretArn: controllerArn }]),
      DD_API_KEY_SECRET_ARN: KEY_ARN,
      DD_API_URL: ddUrl,
      VPN_SIGNALS: "",
    };
  }

  it("reads each secret once for two warm invocations and uses what it read", async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_ARN }).resolves({ SecretString: JSON.stringify({ apiKey: API_KEY }) });
    sm.on(GetSecretValueCommand, { SecretId: CTRL_ARN }).resolves({ SecretString: JSON.stringify({ username: "api", password: PASSWORD }) });
    const a = await controllerA();
    const dd = await intake();
    const lines: string[] = [];
    const handler = handlerWith(secretEnv(a.port, dd.url), lines, { secretsClient: client });

    await handler({}, lambdaContext(5000));
    await handler({}, lambdaContext(5000));

    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: KEY_ARN })).toHaveLength(1);
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: CTRL_ARN })).toHaveLength(1);
    expect(dd.series().map((r) => r.headers["dd-api-key"])).toEqual([API_KEY, API_KEY]);
    expect(a.requests).toHaveLength(4);
    expectNoSecrets(lines);
  });

  it("reads the secrets again once the TTL has passed", async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_ARN }).resolves({ SecretString: API_KEY });
    sm.on(GetSecretValueCommand, { SecretId: CTRL_ARN }).resolves({ SecretString: JSON.stringify({ username: "api", password: PASSWORD }) });
    const a = await controllerA();
    const dd = await intake();
    const handler = handlerWith(secretEnv(a.port, dd.url), [], { secretsClient: client, secretTtlMs: 100 });

    await handler({}, lambdaContext(5000));
    await new Promise((r) => setTimeout(r, 150));
    await handler({}, lambdaContext(5000));

    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: KEY_ARN })).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand, { SecretId: CTRL_ARN })).toHaveLength(2);
  });

  it("sends with the rotated API key from the first check after the secret is read again", async () => {
    // The handler keeps its Datadog sink from check to check: only while the key is the same.
    sm.on(GetSecretValueCommand, { SecretId: KEY_ARN }).resolvesOnce({ SecretString: API_KEY }).resolves({ SecretString: "fedcba9876543210fedcba9876543210" });
    sm.on(GetSecretValueCommand, { SecretId: CTRL_ARN }).resolves({ SecretString: JSON.stringify({ username: "api", password: PASSWORD }) });
    const a = await controllerA();
    const dd = await intake();
    const handler = handlerWith(secretEnv(a.port, dd.url), [], { secretsClient: client, secretTtlMs: 100 });

    await handler({}, lambdaContext(5000));
    await handler({}, lambdaContext(5000));
    await new Promise((r) => setTimeout(r, 150));
    await handler({}, lambdaContext(5000));

    expect(dd.series().map((r) => r.headers["dd-api-key"])).toEqual([API_KEY, API_KEY, "fedcba9876543210fedcba9876543210"]);
  });

  it("reports a controller whose secret has the wrong shape as down (credentials) and still delivers", async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_ARN }).resolves({ SecretString: API_KEY });
    sm.on(GetSecretValueCommand, { SecretId: CTRL_ARN }).resolves({ SecretString: JSON.stringify({ user: "api", pass: PASSWORD }) });
    const a = await controllerA();
    const b = await controllerB();
    const dd = await intake();
    const lines: string[] = [];
    const environment = {
      ...secretEnv(a.port, dd.url),
      VNS3_CONTROLLERS: JSON.stringify([
        { name: "vns3-a", host: "127.0.0.1", port: a.port, tlsSha256: pin, secretArn: CTRL_ARN },
        { name: "vns3-b", host: "127.0.0.1", port: b.port, tlsSha256: pin, apiToken: TOKEN },
      ]),
    };

    const result = await handlerWith(environment, lines, { secretsClient: client })({}, lambdaContext(5000));

    expect(result).toMatchObject({ controllersUp: 1, controllersDown: 1 });
    expect(a.requests).toHaveLength(0);
    const series = (dd.series()[0]?.body as { series: { metric: string; tags: string[] }[] }).series;
    expect(series.filter((s) => s.metric === "vpn.controller.up").map((s) => s.tags)).toEqual([
      ["vpn_environment:prod", "controller:vns3-a", "reason:credentials"],
      ["vpn_environment:prod", "controller:vns3-b"],
    ]);
    const warning = logRecords(lines).find((r) => r.msg === "controller down");
    expect(warning).toMatchObject({
      controller: "vns3-a",
      reason: "credentials",
      detail: `secret ${CTRL_ARN} has the wrong shape (keys: pass, user); expected {"username":"…","password":"…"} or {"apiToken":"…"}`,
    });
    expectNoSecrets(lines);
  });

  it("rejects, without reading any controller, when the API key secret cannot be read", async () => {
    sm.on(GetSecretValueCommand, { SecretId: KEY_ARN }).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const a = await controllerA();
    const dd = await intake();
    const lines: string[] = [];

    await expect(handlerWith(secretEnv(a.port, dd.url), lines, { secretsClient: client })({}, lambdaContext(5000))).rejects.toThrow(
      `Datadog API key unavailable: could not read secret ${KEY_ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`,
    );
    expect(a.requests).toHaveLength(0);
    expect(dd.requests).toHaveLength(0);
    expect(logRecords(lines)).toEqual([expect.objectContaining({ level: "error", msg: "check failed" })]);
  });
});

describe("handler: signals across warm invocations", () => {
  /**
   * One controller scripted over three checks of one warm container (answers as the SDK's stub
   * data, test/helpers/stand-ins.ts):
   * - tunnel 1: counters grow (1000 → 1600), then its SA is replaced mid-life (20756 s left);
   * - tunnel 2: its SA is replaced 100 s before its end (an ordinary rekey);
   * - tunnel 3: traffic stops (500 → 500), then the counter resets under the same SPI;
   * - /api/status/system: a 95% disk on /var/log, then a 404 (older controller), then no diskinfo
   *   and an uptime lower than before (a reboot).
   */
  const ipsec = (t1: [string, string, string], t2: [string, string], t3: string) => ({
    status: 200,
    body: ipsecBody({
      "1": { description: "Payments primary", connected: true, endpoint_name: "ACME", endpointid: 2, tunnel_params: { inbound_spi: t1[0], outbound_spi: t1[1], bytes_in: t1[2], bytes_out: "10", esp_time_remaining: "20756s" } },
      "2": { description: "Feed", connected: true, endpoint_name: "Feed Co", endpointid: 3, tunnel_params: { inbound_spi: t2[0], outbound_spi: t2[1], bytes_in: "5", bytes_out: "5", esp_time_remaining: "100s" } },
      "3": { description: "Backup", connected: true, tunnel_params: { inbound_spi: "0000aaaa", outbound_spi: "0000bbbb", bytes_in: t3, bytes_out: "0", esp_time_remaining: "20000s" } },
    }),
  });
  const disks = (use: string): [string, string, string, string, string, string, string][] => [
    ["/dev/nvme0n1p1", "31571570688", "5974278144", "23986741248", "20%", "/", "13%"],
    ["/dev/nvme1n1", "10737418240", "10200547328", "536870912", use, "/var/log", "41%"],
  ];

  async function scriptedController(): Promise<Vns3StandIn> {
    const vns3 = await startVns3({
      certificate,
      auth: { token: TOKEN },
      routes: {
        "/api/status/ipsec": scriptedRoute([
          ipsec(["64dd6ec8", "e7a4b70c", "1000"], ["11111111", "22222222"], "500"),
          ipsec(["64dd6ec8", "e7a4b70c", "1600"], ["33333333", "44444444"], "500"),
          ipsec(["9a9a9a9a", "8b8b8b8b", "20"], ["33333333", "44444444"], "10"),
        ]),
        "/api/status/connected_subnets": connectedSubnetsRoute([]),
        "/api/status/system": scriptedRoute([
          { status: 200, body: systemStatusBody({ uptime: 263155, diskinfo: disks("95%") }) },
          { status: 404, body: { error: { message: "Not found" } } },
          { status: 200, body: systemStatusBody({ uptime: 42, diskinfo: null }) },
        ]),
      },
    });
    closers.push(vns3.close);
    return vns3;
  }

  type Sent = { metric: string; type: number; points: { value: number }[]; tags: string[]; interval?: number };
  const sentSeries = (dd: IntakeStandIn, i: number): Sent[] => (dd.series()[i]?.body as { series: Sent[] }).series;
  const summarize = (series: Sent[]): string[] =>
    series.filter((s) => s.metric !== "vpn.checker.duration_ms" && s.metric !== "vpn.checker.delivery_attempts").map((s) => `${s.metric} t${s.type} ${s.points[0]?.value} ${s.tags.filter((t) => !t.startsWith("vpn_environment:")).join(",")}`);

  it("sends phases, SA deltas, early re-establishments, health and one reboot event; the controller stays up through a 404", async () => {
    const vns3 = await scriptedController();
    const dd = await intake();
    const lines: string[] = [];
    const handler = handlerWith(env([{ name: "vns3-a", host: "127.0.0.1", port: vns3.port, tlsSha256: pin, apiToken: TOKEN }], dd.url, { VPN_SIGNALS: "traffic,phase,health" }), lines);

    for (let i = 0; i < 3; i += 1) await handler({}, lambdaContext(5000));

    const T1 = "controller:vns3-a,tunnel:payments_primary,tunnel_id:1,endpoint:acme";
    const T2 = "controller:vns3-a,tunnel:feed,tunnel_id:2,endpoint:feed_co";
    const T3 = "controller:vns3-a,tunnel:backup,tunnel_id:3,endpoint:unnamed";
    const phases = (t: string) => [`vpn.tunnel.status t3 1 ${t}`, `vpn.tunnel.phase1 t3 1 ${t}`, `vpn.tunnel.phase2 t3 1 ${t}`];
    // First check after a cold start: no traffic point, no re-establishment point.
    expect(summarize(sentSeries(dd, 0))).toEqual([
      "vpn.controller.up t3 1 controller:vns3-a,vns3_version:4.9.0-20200121",
      "vpn.controller.uptime_seconds t3 263155 controller:vns3-a",
      "vpn.controller.disk_used_pct t3 95 controller:vns3-a",
      "vpn.controller.inode_used_pct t3 41 controller:vns3-a",
      "vpn.controller.memory_used_pct t3 10.6 controller:vns3-a",
      ...phases(T1),
      ...phases(T2),
      ...phases(T3),
      "vpn.subnet.unmatched t3 0 controller:vns3-a",
    ]);
    // Second: growth and a stop; tunnel 2's near-end replacement is a rekey (0); health 404 keeps the
    // controller up with its last version tag.
    expect(summarize(sentSeries(dd, 1))).toEqual([
      "vpn.controller.up t3 1 controller:vns3-a,vns3_version:4.9.0-20200121",
      ...phases(T1),
      `vpn.tunnel.bytes_in t1 600 ${T1}`,
      `vpn.tunnel.bytes_out t1 0 ${T1}`,
      `vpn.tunnel.reestablished t1 0 ${T1}`,
      ...phases(T2),
      `vpn.tunnel.bytes_in t1 5 ${T2}`,
      `vpn.tunnel.bytes_out t1 5 ${T2}`,
      `vpn.tunnel.reestablished t1 0 ${T2}`,
      ...phases(T3),
      `vpn.tunnel.bytes_in t1 0 ${T3}`,
      `vpn.tunnel.bytes_out t1 0 ${T3}`,
      `vpn.tunnel.reestablished t1 0 ${T3}`,
      "vpn.subnet.unmatched t3 0 controller:vns3-a",
    ]);
    // Third: tunnel 1 replaced mid-life (counted, new counters), tunnel 3 reset (delta = new counter),
    // no diskinfo (no disk gauges), uptime went down (one event).
    expect(summarize(sentSeries(dd, 2))).toEqual([
      "vpn.controller.up t3 1 controller:vns3-a,vns3_version:4.9.0-20200121",
      "vpn.controller.uptime_seconds t3 42 controller:vns3-a",
      "vpn.controller.memory_used_pct t3 10.6 controller:vns3-a",
      ...phases(T1),
      `vpn.tunnel.bytes_in t1 20 ${T1}`,
      `vpn.tunnel.bytes_out t1 10 ${T1}`,
      `vpn.tunnel.reestablished t1 1 ${T1}`,
      ...phases(T2),
      `vpn.tunnel.bytes_in t1 0 ${T2}`,
      `vpn.tunnel.bytes_out t1 0 ${T2}`,
      `vpn.tunnel.reestablished t1 0 ${T2}`,
      ...phases(T3),
      `vpn.tunnel.bytes_in t1 10 ${T3}`,
      `vpn.tunnel.bytes_out t1 0 ${T3}`,
      `vpn.tunnel.reestablished t1 0 ${T3}`,
      "vpn.subnet.unmatched t3 0 controller:vns3-a",
    ]);
    expect(sentSeries(dd, 2).filter((s) => s.type === 1).every((s) => s.interval === 60)).toBe(true);
    expect(dd.events().map((e) => (e.body as { title: string; alert_type: string }).title)).toEqual(["controller rebooted"]);
    const records = logRecords(lines);
    expect(records.filter((r) => r.msg === "controller health unreadable").map((r) => [r.controller, r.reason, r.detail])).toEqual([["vns3-a", "http_error", "HTTP 404"]]);
    expect(records.filter((r) => r.msg === "check complete").map((r) => r.health)).toEqual([
      [{ controller: "vns3-a", state: "read" }],
      [{ controller: "vns3-a", state: "unavailable", reason: "http_error: HTTP 404" }],
      [{ controller: "vns3-a", state: "read", rebooted: true }],
    ]);
  });

  it("requests status endpoints only (plus /api/alerts with push on), never GET /api/ipsec (pre-shared keys), and no /api/status/system when health is off", async () => {
    const allowed = ["/api/status/ipsec", "/api/status/connected_subnets?extended_output=true", "/api/status/system"];
    expect(Object.values(VNS3_PATHS).sort()).toEqual([...allowed].sort());
    for (const path of Object.values(VNS3_PATHS)) expect(path.startsWith("/api/status/")).toBe(true);

    const vns3 = await scriptedController();
    const dd = await intake();
    const controllers = [{ name: "vns3-a", host: "127.0.0.1", port: vns3.port, tlsSha256: pin, apiToken: TOKEN }];
    await handlerWith(env(controllers, dd.url, { VPN_SIGNALS: "traffic,phase,health,expiry" }), [])({}, lambdaContext(5000));
    const withHealth = vns3.requests.splice(0).map((r) => `${r.method} ${r.path}`);
    expect(new Set(withHealth)).toEqual(new Set(allowed.map((p) => `GET ${p}`)));
    expect(withHealth).toHaveLength(3);
    expect(withHealth.some((r) => r === "GET /api/ipsec" || r.startsWith("GET /api/ipsec?"))).toBe(false);

    await handlerWith(env(controllers, dd.url, { VPN_SIGNALS: "traffic,phase" }), [])({}, lambdaContext(5000));
    expect(vns3.requests.splice(0).map((r) => `${r.method} ${r.path}`).sort()).toEqual(["GET /api/status/connected_subnets?extended_output=true", "GET /api/status/ipsec"]);

    // Push on adds exactly one path, the alert list (no keys in it), and still never /api/ipsec.
    expect(PUSH_ALERTS_PATH).toBe("/api/alerts");
    await handlerWith(env(controllers, dd.url, { VPN_SIGNALS: "traffic,phase", VPN_PUSH_CHECK_MINUTES: "15" }), [])({}, lambdaContext(5000));
    const withPush = vns3.requests.map((r) => `${r.method} ${r.path}`);
    expect(withPush.sort()).toEqual(["GET /api/alerts", "GET /api/status/connected_subnets?extended_output=true", "GET /api/status/ipsec"]);
    expect(withPush.some((r) => r === "GET /api/ipsec" || r.startsWith("GET /api/ipsec?"))).toBe(false);
  });

  it("reads at most 256 KiB of /api/status/system; a larger answer leaves health unavailable and the controller up", async () => {
    const big = systemStatusBody() as { response: Record<string, unknown> };
    // SystemStatus.data.sysstat rows (the SDK sample's shape), repeated past the cap.
    const sysstat = Array.from({ length: 6000 }, () => ["vnscubed", "600", "1580160301", "all", "%user", "2.16"]);
    const vns3 = await startVns3({
      certificate,
      auth: { token: TOKEN },
      routes: {
        "/api/status/ipsec": { status: 200, body: ipsecBody({ "1": { description: "One", connected: true } }) },
        "/api/status/connected_subnets": connectedSubnetsRoute([]),
        "/api/status/system": { status: 200, body: { response: { ...big.response, data: { sysstat } } } },
      },
    });
    closers.push(vns3.close);
    const dd = await intake();
    const lines: string[] = [];
    await handlerWith(env([{ name: "vns3-a", host: "127.0.0.1", port: vns3.port, tlsSha256: pin, apiToken: TOKEN }], dd.url, { VPN_SIGNALS: "health" }), lines)({}, lambdaContext(5000));
    expect(summarize(sentSeries(dd, 0))).toEqual(["vpn.controller.up t3 1 controller:vns3-a", "vpn.tunnel.status t3 1 controller:vns3-a,tunnel:one,tunnel_id:1,endpoint:unnamed", "vpn.subnet.unmatched t3 0 controller:vns3-a"]);
    expect(logRecords(lines).filter((r) => r.msg === "controller health unreadable").map((r) => [r.reason, r.detail])).toEqual([["bad_response", "body larger than 262144 bytes"]]);
  });

  it("refuses an unknown VPN_SIGNALS group, naming the variable", async () => {
    const dd = await intake();
    const handler = handlerWith(env([{ name: "a", host: "127.0.0.1", port: 1, apiToken: TOKEN }], dd.url, { VPN_SIGNALS: "traffic,helth" }), []);
    await expect(handler({}, lambdaContext(3000))).rejects.toThrow('VPN_SIGNALS: unknown signal group "helth"; expected a comma-separated list of traffic, phase, health, expiry');
  });
});
