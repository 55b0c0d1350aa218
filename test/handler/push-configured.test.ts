/**
 * The checker's watch on the push path, over loopback: a pinned VNS3 stand-in answering the status
 * endpoints and `GET /api/alerts` as Cohesive's OpenAPI description publishes it (schema
 * `AlertsListResponse`: `{"response": [Alert]}`; the Alert fields as in python-cohesivenet-sdk
 * tests/vns3/stub_data.py `Alert`), read by the real reader through runCheck with a warm state.
 */
import { createCheckState, runCheck, type CheckState } from "../../handler/check";
import { ConfigError, parseCheckerConfig } from "../../handler/config";
import { RecordingSink } from "../../handler/datadog-sink";
import { Deadline } from "../../handler/deadline";
import { MemoryLogger } from "../../handler/log";
import { createVns3Reader, type Vns3Reader } from "../../handler/vns3-client";
import { connectedSubnetsRoute, createCertificate, ipsecBody, startVns3, type TestCertificate, type Vns3Answer, type Vns3StandIn } from "../helpers/stand-ins";

const TOKEN = "tok-Push-Status-Test-1";
const START = Date.UTC(2026, 11, 2, 12, 0, 0);

/** One alert as GET /api/alerts lists it (stub_data.py `Alert`'s fields). */
function alert(id: number, name: string, enabled: boolean): Record<string, unknown> {
  return {
    id,
    name,
    url: "https://example.invalid/hook",
    webhook_id: 1,
    events: ["tunnel_down", "tunnel_up"],
    custom_properties: [],
    enabled,
    created_at: "2026-12-01T10:00:00.000Z",
    updated_at: "2026-12-01T10:00:00.000Z",
  };
}

let certificate: TestCertificate;
let vns3: Vns3StandIn;
let alerts: Vns3Answer;
let reader: Vns3Reader;
let now = START;
const clock = { now: () => now };

beforeAll(async () => {
  certificate = await createCertificate();
  vns3 = await startVns3({
    certificate,
    auth: { token: TOKEN },
    routes: {
      "/api/status/ipsec": { status: 200, body: ipsecBody({ "1": { description: "One", connected: true, remote_subnet: "10.40.0.0/24" } }) },
      "/api/status/connected_subnets": connectedSubnetsRoute([{ network: "10.40.0.0", prefix: 24, origin: "ipsec" }]),
      "/api/alerts": () => alerts,
    },
  });
  reader = createVns3Reader();
});
afterAll(async () => {
  reader.close?.();
  await vns3.close();
});

function env(push: Record<string, string> = { VPN_PUSH_CHECK_MINUTES: "15" }): Record<string, string> {
  return {
    VPN_ENVIRONMENT: "acme-prod",
    VNS3_CONTROLLERS: JSON.stringify([{ name: "vns3-a", host: "127.0.0.1", port: vns3.port, tlsSha256: certificate.fingerprint256, apiToken: TOKEN }]),
    DD_API_KEY: "FAKEddApiKeyForPushTests000001",
    VPN_SIGNALS: "traffic,phase",
    ...push,
  };
}

/** One check at `at`: the push gauges sent (value and tags), the controller's up gauge, the paths requested. */
async function check(at: number, state: CheckState, variables = env()): Promise<{ pushConfigured: [number, readonly string[]][]; up: number[]; paths: string[]; logger: MemoryLogger }> {
  now = at;
  vns3.requests.splice(0);
  const sink = new RecordingSink();
  const logger = new MemoryLogger();
  await runCheck(parseCheckerConfig(variables), { reader, credentials: { resolve: async () => ({ kind: "token", apiToken: TOKEN }) }, sink, clock, logger, state }, Deadline.after(10_000, clock));
  return {
    pushConfigured: sink.series.filter((s) => s.metric === "vpn.controller.push_configured").map((s) => [s.points[0]!.value, s.tags]),
    up: sink.series.filter((s) => s.metric === "vpn.controller.up").map((s) => s.points[0]!.value),
    paths: vns3.requests.map((r) => `${r.method} ${r.path}`).sort(),
    logger,
  };
}

const TAGS = ["vpn_environment:acme-prod", "controller:vns3-a"];
const STATUS_PATHS = ["GET /api/status/connected_subnets?extended_output=true", "GET /api/status/ipsec"];

describe("vpn.controller.push_configured", () => {
  it("is 1 with the environment's alert enabled, repeats between due reads, 0 once it is disabled or removed", async () => {
    const state = createCheckState();
    alerts = { status: 200, body: { response: [alert(1, "someone-else", true), alert(2, "vpn-monitor-acme-prod", true)] } };
    const first = await check(START, state);
    expect(first.pushConfigured).toEqual([[1, TAGS]]);
    expect(first.up).toEqual([1]);
    // Status endpoints plus /api/alerts only; never GET /api/ipsec (it carries pre-shared keys).
    expect(first.paths).toEqual([...STATUS_PATHS, "GET /api/alerts"].sort());
    expect(first.paths.some((p) => p === "GET /api/ipsec" || p.startsWith("GET /api/ipsec?"))).toBe(false);

    alerts = { status: 200, body: { response: [alert(2, "vpn-monitor-acme-prod", false)] } };
    const between = await check(START + 14 * 60_000, state);
    expect(between.paths).toEqual(STATUS_PATHS);
    expect(between.pushConfigured).toEqual([[1, TAGS]]);

    const disabled = await check(START + 15 * 60_000, state);
    expect(disabled.paths).toEqual([...STATUS_PATHS, "GET /api/alerts"].sort());
    expect(disabled.pushConfigured).toEqual([[0, TAGS]]);

    alerts = { status: 200, body: { response: [alert(2, "vpn-monitor-acme-prod", true)] } };
    expect((await check(START + 30 * 60_000, state)).pushConfigured).toEqual([[1, TAGS]]);
    alerts = { status: 200, body: { response: [alert(1, "someone-else", true)] } };
    const removed = await check(START + 45 * 60_000, state);
    expect(removed.pushConfigured).toEqual([[0, TAGS]]);
    expect(removed.up).toEqual([1]);
  });

  it("a failed alerts read sends nothing, keeps the controller up and is read again on the next check", async () => {
    const state = createCheckState();
    alerts = { status: 500, body: { error: { name: "InternalServerError", message: "Internal error" } } };
    const failed = await check(START, state);
    expect(failed.pushConfigured).toEqual([]);
    expect(failed.up).toEqual([1]);
    expect(failed.logger.lines.filter((l) => l.msg === "controller alerts unreadable").map((l) => [l.fields.controller, l.fields.reason, l.fields.detail])).toEqual([["vns3-a", "http_error", "HTTP 500"]]);

    alerts = { status: 200, body: { response: [alert(2, "vpn-monitor-acme-prod", true)] } };
    const next = await check(START + 60_000, state);
    expect(next.paths).toContain("GET /api/alerts");
    expect(next.pushConfigured).toEqual([[1, TAGS]]);
  });

  it("an alerts read that never answers ends with the read deadline: the controller stays up, nothing is sent for push", async () => {
    const hanging = await startVns3({
      certificate,
      auth: { token: TOKEN },
      routes: {
        "/api/status/ipsec": { status: 200, body: ipsecBody({ "1": { description: "One", connected: true } }) },
        "/api/status/connected_subnets": connectedSubnetsRoute([]),
        "/api/alerts": "hang",
      },
    });
    const quick = createVns3Reader({ requestTimeoutMs: 300 });
    try {
      const variables = { ...env(), VNS3_CONTROLLERS: JSON.stringify([{ name: "vns3-a", host: "127.0.0.1", port: hanging.port, tlsSha256: certificate.fingerprint256, apiToken: TOKEN }]) };
      const sink = new RecordingSink();
      const logger = new MemoryLogger();
      const result = await runCheck(parseCheckerConfig(variables), { reader: quick, credentials: { resolve: async () => ({ kind: "token", apiToken: TOKEN }) }, sink, logger, state: createCheckState() }, Deadline.after(5_000));
      expect(result.delivery.series.status).toBe("dry_run");
      expect(sink.series.filter((s) => s.metric === "vpn.controller.up").map((s) => [s.points[0]!.value, s.tags])).toEqual([[1, TAGS]]);
      expect(sink.series.filter((s) => s.metric === "vpn.controller.push_configured")).toEqual([]);
      expect(logger.lines.filter((l) => l.msg === "controller alerts unreadable").map((l) => [l.fields.controller, l.fields.reason])).toEqual([["vns3-a", "timeout"]]);
    } finally {
      quick.close?.();
      await hanging.close();
    }
  });

  it("is absent with push off, and /api/alerts is never requested", async () => {
    alerts = { status: 200, body: { response: [alert(2, "vpn-monitor-acme-prod", true)] } };
    const off = await check(START, createCheckState(), env({}));
    expect(off.pushConfigured).toEqual([]);
    expect(off.paths).toEqual(STATUS_PATHS);
  });

  it("VPN_PUSH_CHECK_MINUTES must be a whole number of minutes 1-60", () => {
    expect(parseCheckerConfig(env({ VPN_PUSH_CHECK_MINUTES: "60" })).pushCheckEveryMinutes).toBe(60);
    expect(parseCheckerConfig(env({})).pushCheckEveryMinutes).toBeUndefined();
    for (const bad of ["0", "61", "1.5", "15m", "-3"]) {
      expect(() => parseCheckerConfig(env({ VPN_PUSH_CHECK_MINUTES: bad }))).toThrow(ConfigError);
      expect(() => parseCheckerConfig(env({ VPN_PUSH_CHECK_MINUTES: bad }))).toThrow("VPN_PUSH_CHECK_MINUTES: expected a whole number of minutes 1-60 (push.checkEveryMinutes), or unset when push is off");
    }
  });
});
