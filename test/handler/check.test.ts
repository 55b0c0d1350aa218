import { createCheckState, defaultDatadogReserveMs, runCheck, type CheckDeps } from "../../handler/check";
import type { CheckerConfig, ControllerConfig } from "../../handler/config";
import type { CheckEvent, ControllerReading, MetricSeries } from "../../handler/core";
import { DeliveryError, RecordingSink, type MetricsSink } from "../../handler/datadog-sink";
import { Deadline } from "../../handler/deadline";
import { MemoryLogger } from "../../handler/log";
import type { CredentialsResolver } from "../../handler/secrets";
import type { Vns3Credentials, Vns3Reader } from "../../handler/vns3-client";

const NOW = 1_700_000_000_123;
const clock = { now: () => NOW };

const controllers: ControllerConfig[] = [
  { name: "a", host: "10.0.0.1", port: 8000, credentials: { kind: "token", apiToken: "tok-a" } },
  { name: "b", host: "10.0.0.2", port: 8000, credentials: { kind: "secret", secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:b" } },
];
const config: CheckerConfig = { environment: "prod", controllers, datadog: { site: "datadoghq.com", apiKey: { kind: "inline", apiKey: "k" } } };

function fakeReader(readings: Record<string, ControllerReading | Error>): Vns3Reader & { seen: { name: string; credentials: Vns3Credentials }[] } {
  const seen: { name: string; credentials: Vns3Credentials }[] = [];
  return {
    seen,
    async read(controller, credentials) {
      seen.push({ name: controller.name, credentials });
      const r = readings[controller.name];
      if (r instanceof Error) throw r;
      if (r === undefined) throw new Error(`no reading for ${controller.name}`);
      return r;
    },
  };
}

function resolver(fail: Record<string, Error> = {}): CredentialsResolver & { invalidated: string[] } {
  const invalidated: string[] = [];
  return {
    invalidated,
    async resolve(controller) {
      const error = fail[controller.name];
      if (error) throw error;
      return { kind: "token", apiToken: `tok-${controller.name}` };
    },
    invalidate(controller) {
      invalidated.push(controller.name);
    },
  };
}

const upReading = (controller: string): ControllerReading => ({
  controller,
  up: true,
  tunnels: [{ id: "1", description: "Primary", connected: true, remoteSubnet: "10.1.0.0/24" }],
  subnets: { ok: true, subnets: [{ network: "10.9.0.0/24", origin: "ipsec" }] },
});

describe("runCheck", () => {
  it("records series and events in a dry run and logs one summary line", async () => {
    const sink = new RecordingSink();
    const logger = new MemoryLogger();
    const deps: CheckDeps = { reader: fakeReader({ a: upReading("a"), b: upReading("b") }), credentials: resolver(), sink, clock, logger };

    const result = await runCheck(config, deps, Deadline.after(10_000, clock));

    expect(sink.series).toEqual(result.series);
    expect(sink.series.map((s) => `${s.metric} ${s.tags.join(",")} ${s.points[0]?.value}`)).toEqual([
      "vpn.controller.up vpn_environment:prod,controller:a 1",
      // Both controllers have a tunnel described "Primary": each gets its -<controller>-<id> suffix.
      "vpn.tunnel.status vpn_environment:prod,controller:a,tunnel:primary-a-1,tunnel_id:1,endpoint:unnamed 1",
      "vpn.subnet.unmatched vpn_environment:prod,controller:a 1",
      "vpn.controller.up vpn_environment:prod,controller:b 1",
      "vpn.tunnel.status vpn_environment:prod,controller:b,tunnel:primary-b-1,tunnel_id:1,endpoint:unnamed 1",
      "vpn.subnet.unmatched vpn_environment:prod,controller:b 1",
    ]);
    expect(sink.series.every((s) => s.points[0]?.timestamp === 1_700_000_000)).toBe(true);
    expect(sink.events.map((e) => `${e.controller} ${e.subnet}`)).toEqual(["a 10.9.0.0/24", "b 10.9.0.0/24"]);
    expect(result.delivery).toEqual({ series: { status: "dry_run", requests: 0, attempts: 0 }, events: { sent: 2, failed: 0 } });
    expect(logger.lines).toEqual([
      {
        level: "warn",
        msg: "shared names tagged with a suffix",
        fields: {
          vpn_environment: "prod",
          shared_descriptions: [
            {
              tag: "primary",
              tunnels: [
                { controller: "a", id: "1" },
                { controller: "b", id: "1" },
              ],
            },
          ],
          shared_endpoint_names: [],
        },
      },
      {
        level: "info",
        msg: "check complete",
        fields: {
          vpn_environment: "prod",
          controllers_up: 2,
          controllers_down: 0,
          tunnels_up: 2,
          tunnels_down: 0,
          tunnels_disabled: 0,
          unmatched_subnets: 2,
          subnets: [
            { controller: "a", state: "read", unmatched: 1 },
            { controller: "b", state: "read", unmatched: 1 },
          ],
          shared_descriptions: 1,
          shared_endpoint_names: 0,
          reestablished: 0,
          health: [
            { controller: "a", state: "unavailable", reason: "not read" },
            { controller: "b", state: "unavailable", reason: "not read" },
          ],
          events_sent: 2,
          events_failed: 0,
          events_suppressed: 0,
          series: 6,
          duration_ms: 0,
          down: [],
          datadog: { status: "dry_run", requests: 0, attempts: 0 },
        },
      },
    ]);
  });

  it("says unknown, never 0, when no controller's subnets could be compared, and logs why", async () => {
    const pairsOnly: ControllerReading = { controller: "a", up: true, tunnels: [{ id: "1", description: "A", connected: true }], subnets: { ok: true, subnets: [{ network: "10.9.0.0/24" }] } };
    const logger = new MemoryLogger();

    const result = await runCheck(config, { reader: fakeReader({ a: pairsOnly, b: { controller: "b", up: false, reason: "refused", detail: "ECONNREFUSED" } }), credentials: resolver(), sink: new RecordingSink(), clock, logger }, Deadline.after(10_000, clock));

    const reason = "the controller gave no origin (it answered [network, netmask] pairs, ignoring extended_output), so local and remote subnets cannot be told apart";
    expect(result.summary.subnets).toEqual([
      { controller: "a", state: "unknown", reason },
      { controller: "b", state: "unknown", reason: "controller not read (refused)" },
    ]);
    expect(result.series.map((s) => s.metric)).not.toContain("vpn.subnet.unmatched");
    expect(logger.lines.find((l) => l.msg === "connected subnets not compared")).toEqual({ level: "warn", msg: "connected subnets not compared", fields: { vpn_environment: "prod", controller: "a", reason } });
    expect(logger.lines.at(-1)?.fields).toMatchObject({ unmatched_subnets: "unknown", subnets: [{ controller: "a", state: "unknown", reason }, { controller: "b", state: "unknown", reason: "controller not read (refused)" }] });
  });

  it("sends the previous check's delivery attempts from the container's state, failed deliveries included", async () => {
    const state = createCheckState();
    const attempts = [3, 5, 1];
    const sent: MetricSeries[][] = [];
    const sink: MetricsSink = {
      async submitSeries(series) {
        sent.push([...series]);
        const n = attempts[sent.length - 1] ?? 1;
        if (n === 5) throw new DeliveryError("Datadog did not accept the series: HTTP 503 after 5 attempts", 503, { requests: 1, attempts: 5 });
        return { status: "accepted", requests: 1, attempts: n };
      },
      submitEvent: async () => ({ requests: 1, attempts: 1 }),
    };
    const deps: CheckDeps = { reader: fakeReader({ a: upReading("a"), b: upReading("b") }), credentials: resolver(), sink, clock, state };

    await runCheck(config, deps, Deadline.after(10_000, clock));
    await expect(runCheck(config, deps, Deadline.after(10_000, clock))).rejects.toThrow(DeliveryError);
    await runCheck(config, deps, Deadline.after(10_000, clock));

    const attemptsSent = sent.map((series) => series.find((s) => s.metric === "vpn.checker.delivery_attempts"));
    expect(attemptsSent.map((s) => s?.points[0]?.value)).toEqual([undefined, 3, 5]);
    expect(attemptsSent[1]?.tags).toEqual(["vpn_environment:prod"]);
    expect(state.lastDeliveryAttempts).toBe(1);
  });

  it("sends the health gauges only for a caller with a warm-container state, unless told otherwise", async () => {
    const run = async (deps: Partial<CheckDeps>, options = {}): Promise<string[]> => {
      const sink = new RecordingSink();
      await runCheck(config, { reader: fakeReader({ a: upReading("a"), b: upReading("b") }), credentials: resolver(), sink, clock, ...deps }, Deadline.after(10_000, clock), options);
      return sink.series.filter((s) => s.metric.startsWith("vpn.checker.")).map((s) => `${s.metric} ${s.tags.join(",")} ${s.points[0]?.value}`);
    };
    const warm = { lastDeliveryAttempts: 2, lastTunnels: new Map(), memory: new Map() };
    expect(await run({ state: warm })).toEqual(["vpn.checker.duration_ms vpn_environment:prod 0", "vpn.checker.delivery_attempts vpn_environment:prod 2"]);
    expect(await run({ state: { lastDeliveryAttempts: 2, lastTunnels: new Map(), memory: new Map() } }, { health: false })).toEqual([]);
    expect(await run({})).toEqual([]);
    expect(await run({}, { health: true })).toEqual(["vpn.checker.duration_ms vpn_environment:prod 0"]);
  });

  it("keeps a shared description's suffix while the other controller is down, from the container's state", async () => {
    const state = createCheckState();
    const sink = new RecordingSink();
    await runCheck(config, { reader: fakeReader({ a: upReading("a"), b: upReading("b") }), credentials: resolver(), sink, clock, state }, Deadline.after(10_000, clock));
    sink.series.length = 0;

    await runCheck(config, { reader: fakeReader({ a: upReading("a"), b: { controller: "b", up: false, reason: "timeout", detail: "" } }), credentials: resolver(), sink, clock, state }, Deadline.after(10_000, clock));

    expect(sink.series.filter((s) => s.metric === "vpn.tunnel.status").map((s) => s.tags[2])).toEqual(["tunnel:primary-a-1"]);
    // Without the state, the same check tags it plainly: the memory is what keeps the group.
    const fresh = new RecordingSink();
    await runCheck(config, { reader: fakeReader({ a: upReading("a"), b: { controller: "b", up: false, reason: "timeout", detail: "" } }), credentials: resolver(), sink: fresh, clock }, Deadline.after(10_000, clock));
    expect(fresh.series.filter((s) => s.metric === "vpn.tunnel.status").map((s) => s.tags[2])).toEqual(["tunnel:primary"]);
  });

  it("reports a controller whose credentials cannot be resolved as down with reason credentials, and reads the others", async () => {
    const reader = fakeReader({ a: upReading("a") });
    const sink = new RecordingSink();
    const logger = new MemoryLogger();
    const error = new Error("secret arn:…:b has the wrong shape (keys: user); expected …");

    const result = await runCheck(config, { reader, credentials: resolver({ b: error }), sink, clock, logger }, Deadline.after(10_000, clock));

    expect(reader.seen.map((s) => s.name)).toEqual(["a"]);
    expect(result.readings[1]).toEqual({ controller: "b", up: false, reason: "credentials", detail: error.message, durationMs: 0 });
    expect(sink.series.find((s) => s.tags.includes("controller:b"))).toEqual({
      metric: "vpn.controller.up",
      type: 3,
      points: [{ timestamp: 1_700_000_000, value: 0 }],
      tags: ["vpn_environment:prod", "controller:b", "reason:credentials"],
    });
    expect(logger.lines[0]).toEqual({
      level: "warn",
      msg: "controller down",
      fields: { vpn_environment: "prod", controller: "b", reason: "credentials", detail: error.message, duration_ms: 0 },
    });
  });

  it("invalidates the credentials of a controller that answered 401/403, so a rotated secret is re-read", async () => {
    const credentials = resolver();
    await runCheck(
      config,
      { reader: fakeReader({ a: upReading("a"), b: { controller: "b", up: false, reason: "auth", detail: "HTTP 401" } }), credentials, sink: new RecordingSink(), clock },
      Deadline.after(10_000, clock),
    );
    expect(credentials.invalidated).toEqual(["b"]);
  });

  it("turns a reader that throws into a down reading instead of failing the check", async () => {
    const result = await runCheck(
      config,
      { reader: fakeReader({ a: upReading("a"), b: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) }), credentials: resolver(), sink: new RecordingSink(), clock },
      Deadline.after(10_000, clock),
    );
    expect(result.readings[1]).toEqual({ controller: "b", up: false, reason: "network", detail: "read ECONNRESET", durationMs: 0 });
  });

  it("delivers the series even when every event fails, and logs each failure", async () => {
    const delivered: MetricSeries[][] = [];
    const sink: MetricsSink = {
      async submitSeries(series) {
        delivered.push([...series]);
        return { status: "accepted", requests: 1, attempts: 1 };
      },
      async submitEvent(event: CheckEvent) {
        throw new DeliveryError(`Datadog did not accept the event: HTTP 500 after 1 attempt (${event.subnet})`, 500, { requests: 1, attempts: 1 });
      },
    };
    const logger = new MemoryLogger();

    const result = await runCheck(config, { reader: fakeReader({ a: upReading("a"), b: upReading("b") }), credentials: resolver(), sink, clock, logger }, Deadline.after(10_000, clock));

    expect(delivered).toHaveLength(1);
    expect(result.delivery.events).toEqual({ sent: 0, failed: 2 });
    expect(logger.lines.filter((l) => l.msg === "event not delivered").map((l) => l.fields)).toEqual([
      { controller: "a", subnet: "10.9.0.0/24", error: "Datadog did not accept the event: HTTP 500 after 1 attempt (10.9.0.0/24)" },
      { controller: "b", subnet: "10.9.0.0/24", error: "Datadog did not accept the event: HTTP 500 after 1 attempt (10.9.0.0/24)" },
    ]);
    expect(logger.lines.at(-1)).toMatchObject({ level: "info", msg: "check complete", fields: { events_sent: 0, events_failed: 2 } });
  });

  it("rejects with the delivery error after logging a failed summary", async () => {
    const failure = new DeliveryError("Datadog did not accept the series: HTTP 400 (bad) after 1 attempt", 400, { requests: 1, attempts: 1 });
    const sink: MetricsSink = {
      submitSeries: () => Promise.reject(failure),
      submitEvent: async () => ({ requests: 1, attempts: 1 }),
    };
    const logger = new MemoryLogger();

    await expect(runCheck(config, { reader: fakeReader({ a: upReading("a"), b: upReading("b") }), credentials: resolver(), sink, clock, logger }, Deadline.after(10_000, clock))).rejects.toBe(failure);
    expect(logger.lines.at(-1)).toMatchObject({
      level: "error",
      msg: "check failed",
      fields: { datadog: { status: "failed", requests: 1, attempts: 1, http_status: 400, error: failure.message } },
    });
  });

  it("gives controller reads the budget minus the Datadog reserve and the final margin", async () => {
    const deadlines: number[] = [];
    const reader: Vns3Reader = {
      async read(controller, _c, deadline) {
        deadlines.push(deadline.remainingMs());
        return upReading(controller.name);
      },
    };
    let sendBudget = 0;
    const sink: MetricsSink = {
      async submitSeries(_s, deadline) {
        sendBudget = deadline.remainingMs();
        return { status: "accepted", requests: 1, attempts: 1 };
      },
      submitEvent: async () => ({ requests: 1, attempts: 1 }),
    };
    await runCheck(config, { reader, credentials: resolver(), sink, clock }, Deadline.after(3000, clock));
    expect(deadlines).toEqual([1750, 1750]);
    expect(sendBudget).toBe(2750);
  });

  it("reserves 30% of the budget for Datadog, between 1 and 10 seconds", () => {
    expect(defaultDatadogReserveMs(3000)).toBe(1000);
    expect(defaultDatadogReserveMs(10_000)).toBe(3000);
    expect(defaultDatadogReserveMs(60_000)).toBe(10_000);
  });
});
