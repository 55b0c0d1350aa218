/**
 * The checker's push-path watch (handler/push-status.ts): which alert counts, when it is read, what
 * is sent; and the reader through the checker's own pinned GET against the loopback controller
 * stand-in (test/helpers/vns3-push-stand-in.ts, answering GET /api/alerts as Cohesive's OpenAPI
 * description's `AlertsListResponse`).
 */
import { vns3Get } from "../../handler/vns3-client";
import { readParsedBody } from "../../handler/vns3-responses";
import { PUSH_ALERTS_PATH, PushStatusSchedule, pushAlertsReader, pushConfiguredSeries } from "../../handler/push-status";
import { createCertificate } from "../helpers/cli-harness";
import { startPushController } from "../helpers/vns3-push-stand-in";

/** The Python SDK's stub_data.py `Alert`, renamed where a test needs it. */
const alert = (name: string, enabled: boolean) => ({ id: 23, webhook_id: 21, name, enabled, url: "https://api.datadoghq.eu/api/v1/events", custom_properties: [], events: ["tunnel_up", "tunnel_down"] });

describe("push alerts reader", () => {
  it.each<[string, unknown[], 0 | 1]>([
    ["the environment's alert, enabled", [alert("Slack Tunnel Alerts", true), alert("vpn-monitor-lab", true)], 1],
    ["the environment's alert, disabled", [alert("vpn-monitor-lab", false)], 0],
    ["only another environment's alert", [alert("vpn-monitor-lab-2", true)], 0],
    ["no alert at all", [], 0],
  ])("reads %s", (_, alerts, expected) => {
    expect(readParsedBody({ response: alerts }, pushAlertsReader("lab"))).toBe(expected);
  });

  it("refuses an answer that is not a list of alerts", () => {
    expect(() => readParsedBody({ response: { "1": alert("vpn-monitor-lab", true) } }, pushAlertsReader("lab"))).toThrow("expected an array of subnets");
    expect(() => readParsedBody({ response: ["vpn-monitor-lab"] }, pushAlertsReader("lab"))).toThrow("unexpected body at response[0]: expected an alert object");
  });
});

describe("push status schedule", () => {
  it("reads at once after a cold start, then every 15 minutes, repeating the last value in between", () => {
    const schedule = new PushStatusSchedule();
    const minute = 60_000;

    expect([schedule.due("vns3-a", 0), schedule.value("vns3-a")]).toEqual([true, undefined]);
    schedule.record("vns3-a", 0, 1);
    expect([schedule.due("vns3-a", 14 * minute), schedule.value("vns3-a")]).toEqual([false, 1]);
    expect(schedule.due("vns3-a", 15 * minute)).toBe(true);
    schedule.record("vns3-a", 15 * minute, 0);
    expect(schedule.value("vns3-a")).toBe(0);
  });

  it("sends nothing after a failed read and tries again next check", () => {
    const schedule = new PushStatusSchedule(5 * 60_000);
    schedule.record("vns3-a", 0, 1);

    schedule.forget("vns3-a");

    expect([schedule.due("vns3-a", 60_000), schedule.value("vns3-a")]).toEqual([true, undefined]);
  });

  it("builds the gauge tagged like vpn.controller.up", () => {
    expect(pushConfiguredSeries("Lab", "VNS3 A", 1, 1_764_000_000)).toEqual({
      metric: "vpn.controller.push_configured",
      type: 3,
      points: [{ timestamp: 1_764_000_000, value: 1 }],
      tags: ["vpn_environment:lab", "controller:vns3_a"],
    });
  });
});

describe("push alerts through the checker's pinned GET", () => {
  it("reads 1, then 0 once the alert is disabled on the controller", async () => {
    // Prepare
    const certificate = await createCertificate();
    const controller = await startPushController({ certificate, password: "pw-Secret-123", alerts: [{ name: "vpn-monitor-lab", url: "x", webhook_id: 9, enabled: true }] });
    const target = { host: "127.0.0.1", port: controller.port, tlsSha256: certificate.fingerprint256 };
    const credentials = { kind: "basic" as const, username: "api", password: "pw-Secret-123" };
    const read = () => vns3Get(target, credentials, PUSH_ALERTS_PATH, () => pushAlertsReader("lab"), { signal: AbortSignal.timeout(5_000) });

    try {
      // Act
      const before = await read();
      (controller.alerts()[0] as { enabled: boolean }).enabled = false;
      const after = await read();

      // Assess
      expect([before, after]).toEqual([1, 0]);
      expect(controller.seen.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/alerts", "GET /api/alerts"]);
    } finally {
      await controller.close();
    }
  });
});
