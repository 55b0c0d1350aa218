/**
 * `npm run alerts` against loopback stand-ins (test/helpers/vns3-push-stand-in.ts): VNS3
 * controllers implementing the webhook and alert endpoints as Cohesive's OpenAPI description
 * publishes them, pinned by a certificate generated here, and Datadog's events API.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { main } from "../../../cli/alerts/main";
import { cleanEnv, createCertificate, memoryIo, runCli, tempDir, type TestCertificate } from "../../helpers/cli-harness";
import { startDatadogEvents, startPushController, type DatadogEvents, type PushController } from "../../helpers/vns3-push-stand-in";

const PASSWORD = "pw-Secret-123";
const API_KEY = "ddapikey0123456789abcdef";
const NEW_API_KEY = "ddapikeyfedcba9876543210";
const APP_KEY = "ddappkey00112233445566778899";

function environmentYaml(port: number, fingerprint: string, push = "push:\n  enabled: true\n"): string {
  return `name: lab
aws:
  region: eu-west-1
  vpcId: vpc-0a1b2c3d4e5f60718
  subnetIds:
    - subnet-0a1b2c3d4e5f60001
controllers:
  - name: vns3-a
    host: 127.0.0.1
    port: ${port}
    securityGroupId: sg-0a1b2c3d4e5f60101
    tlsSha256: "${fingerprint}"
datadog:
  site: EU
ticketing:
  webhookUrl: https://tickets.example.com/hook
${push}`;
}

/** Someone else's webhook and alert (the Python SDK's stub_data.py `Webhook` and `Alert`, shortened). */
const SLACK_WEBHOOK = { name: "Test Slack", url: "", body: '{"text": "Tunnel %{status}: %{tunnel_description}"}', events: ["tunnel_up", "tunnel_down"] };
const SLACK_ALERT = { name: "Slack Tunnel Alerts", url: "https://hooks.slack.com/services/T0/B0/x", webhook_id: 1, enabled: true, events: ["tunnel_up", "tunnel_down"] };

describe("npm run alerts", () => {
  let cert: TestCertificate;
  let tmp: ReturnType<typeof tempDir>;
  let controller: PushController;
  let datadog: DatadogEvents;

  beforeAll(async () => {
    cert = await createCertificate();
  });
  beforeEach(async () => {
    tmp = tempDir();
    datadog = await startDatadogEvents({ appKey: APP_KEY });
  });
  afterEach(async () => {
    await controller?.close();
    await datadog.close();
    tmp.remove();
  });

  const env = (extra: Record<string, string> = {}) => ({ VNS3_VNS3_A_PASSWORD: PASSWORD, DD_API_KEY: API_KEY, DD_API_URL: datadog.url, ...extra });
  const run = async (args: string[], extra: Record<string, string> = {}) => {
    const io = memoryIo({ env: env(extra) });
    const code = await main(["lab", "--dir", tmp.dir, ...args], io, { pollIntervalMs: 10 });
    return { code, stdout: io.out(), stderr: io.err() };
  };
  const write = (text: string) => fs.writeFileSync(path.join(tmp.dir, "lab.yaml"), text);

  it("sets up, tests and removes the push path through the real entry point, leaving someone else's webhook and alert alone", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD, webhooks: [SLACK_WEBHOOK], alerts: [SLACK_ALERT] });
    write(environmentYaml(controller.port, cert.fingerprint256));
    const processEnv = cleanEnv(env({ DD_APP_KEY: APP_KEY }));
    const theirs = JSON.stringify([controller.webhooks()[0], controller.alerts()[0]]);

    // Act
    const applied = await runCli("cli/alerts/main.ts", ["lab", "--dir", tmp.dir, "--apply", "--test", "--wait", "5"], { env: processEnv });
    const afterApply = { webhooks: controller.webhooks().map((w) => w.name), alerts: controller.alerts().map((a) => [a.name, a.webhook_id, a.enabled, a.events]) };
    const removed = await runCli("cli/alerts/main.ts", ["lab", "--dir", tmp.dir, "--remove"], { env: processEnv });

    // Assess
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    const lines = applied.stdout.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        "  webhook vpn-monitor-lab: create",
        "  alert vpn-monitor-lab: create",
        "  2 other webhook(s) and alert(s) left alone",
        "  applied: webhook id 3, alert id 4",
        "  test alert sent: the controller answered status ok, code 202: Test alert sent",
      ]),
    );
    expect(lines.some((l) => l.startsWith("vns3-a: the test event arrived in Datadog: VNS3 test on vns3-a (lab)"))).toBe(true);
    expect(afterApply).toEqual({
      webhooks: ["Test Slack", "vpn-monitor-lab"],
      alerts: [
        ["Slack Tunnel Alerts", 1, true, ["tunnel_up", "tunnel_down"]],
        ["vpn-monitor-lab", 3, true, ["tunnel_up", "tunnel_down", "bgp_session_up", "bgp_session_down", "controller_reboot"]],
      ],
    });
    expect(datadog.events).toHaveLength(1);
    expect(datadog.events[0]).toMatchObject({
      title: "VNS3 test on vns3-a (lab) ",
      tags: ["vpn_environment:lab", "controller:vns3-a", "event:test", "tunnel:"],
      aggregation_key: "vns3:lab:vns3-a:",
      alert_type: "info",
      apiKey: API_KEY,
    });
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("  alert vpn-monitor-lab: removed (id 4)\n  webhook vpn-monitor-lab: removed (id 3)\n  2 other webhook(s) and alert(s) left alone\n");
    expect(JSON.stringify([...controller.webhooks(), ...controller.alerts()])).toBe(theirs);
    expect(applied.stdout + applied.stderr + removed.stdout + removed.stderr).not.toMatch(new RegExp(`${API_KEY}|${PASSWORD}|${APP_KEY}`));
  });

  it("changes nothing on a second --apply", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD });
    write(environmentYaml(controller.port, cert.fingerprint256));
    await run(["--apply"]);
    const writesBefore = controller.seen.filter((r) => r.method !== "GET").length;

    // Act
    const second = await run(["--apply"]);

    // Assess
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("  webhook vpn-monitor-lab: leave (id 1, as wanted)\n  alert vpn-monitor-lab: leave (id 2, as wanted)\n");
    expect(second.stdout).toContain("  applied: nothing to change\n");
    expect(controller.seen.filter((r) => r.method !== "GET").length).toBe(writesBefore);
  });

  it("updates only the API key header when the key changed, and never prints either key", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD });
    write(environmentYaml(controller.port, cert.fingerprint256));
    await run(["--apply"]);

    // Act
    const plan = await run([], { DD_API_KEY: NEW_API_KEY });
    const applied = await run(["--apply"], { DD_API_KEY: NEW_API_KEY });
    await controller.trigger("bgp_session_down", { tunnel_description: "", default_message: "BGP session to 169.254.0.1 down" });

    // Assess
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("  webhook vpn-monitor-lab: change (id 1): header DD-API-KEY: changed\n  alert vpn-monitor-lab: leave (id 2, as wanted)\n");
    expect(plan.stdout).toContain("  (not applied: run with --apply)\n");
    expect(applied.code).toBe(0);
    const puts = controller.seen.filter((r) => r.method === "PUT");
    expect(puts.map((r) => r.path)).toEqual(["/api/webhook/1"]);
    expect(controller.webhooks()[0]?.headers).toEqual([
      { name: "Content-Type", value: "application/json" },
      { name: "DD-API-KEY", value: NEW_API_KEY },
    ]);
    expect(datadog.events.map((e) => [e.apiKey, e.tags])).toEqual([[NEW_API_KEY, ["vpn_environment:lab", "controller:vns3-a", "event:bgp_session_down", "tunnel:"]]]);
    expect(plan.stdout + applied.stdout + plan.stderr + applied.stderr).not.toMatch(new RegExp(`${API_KEY}|${NEW_API_KEY}`));
  });

  it("tests without an application key: reports the controller's answer and says delivery was not confirmed", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD });
    write(environmentYaml(controller.port, cert.fingerprint256));
    await run(["--apply"]);

    // Act
    const result = await run(["--test"]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  test alert sent: the controller answered status ok, code 202: Test alert sent\n");
    expect(result.stdout).toContain("DD_APP_KEY is not set: not confirming in Datadog that the test events arrived (search the event explorer for tags:vpn_environment:lab).\n");
    expect(controller.seen.filter((r) => r.method === "POST").map((r) => r.path)).toEqual(["/api/webhook", "/api/alert", "/api/alert/2/test"]);
    expect(datadog.events.map((e) => e.tags)).toEqual([["vpn_environment:lab", "controller:vns3-a", "event:test", "tunnel:"]]);
  });

  it("says which VNS3 version is needed when an older controller answers 404", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD, withoutPushEndpoints: true });
    write(environmentYaml(controller.port, cert.fingerprint256));

    // Act
    const result = await run(["--apply"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("error: vns3-a: GET /api/webhooks answered 404: this controller has no such endpoint; VNS3's webhooks and alerts need VNS3 4.9 or later (they appeared in 4.8.4; alerts that name their webhook by id, as these do, need 4.9)\n");
  });

  it("sends nothing to a controller whose certificate does not match the pin", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD });
    write(environmentYaml(controller.port, "AA:".repeat(31) + "AA"));

    // Act
    const result = await run(["--apply"]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: vns3-a: the certificate does not match the pinned tlsSha256 \(it is [0-9A-F:]{95}\); nothing was sent\n$/);
    expect(controller.seen).toEqual([]);
  });

  it("refuses an environment with push off, naming the file and field", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD });
    write(environmentYaml(controller.port, cert.fingerprint256, ""));

    // Act
    const result = await run(["--apply"]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("lab.yaml: push.enabled is false; set push.enabled: true");
    expect(controller.seen).toEqual([]);
  });

  it("refuses --remove with --apply as a usage error", async () => {
    // Prepare
    controller = await startPushController({ certificate: cert, password: PASSWORD });
    write(environmentYaml(controller.port, cert.fingerprint256));

    // Act
    const result = await run(["--remove", "--apply", "--timeot", "3"]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: --remove goes alone: it cannot be combined with --apply or --test\n");
    expect(controller.seen).toEqual([]);
  });
});
