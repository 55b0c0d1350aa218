/** One controller's plan (cli/alerts/plan.ts): only the environment's resources, header values never shown. */
import { desiredAlert, desiredWebhook, eventTemplate, type Vns3Alert, type Vns3Webhook } from "../../../cli/alerts/desired";
import { describePlan, planController } from "../../../cli/alerts/plan";

const input = { environment: "lab", controller: "vns3-a", apiUrl: "https://api.datadoghq.eu", apiKey: "key-1", events: ["bgp_session_down", "bgp_session_up"] as const };
const wanted = { webhook: desiredWebhook({ ...input, events: [...input.events] }), alert: desiredAlert({ ...input, events: [...input.events] }) };
const existingWebhook = (changes: Partial<Vns3Webhook> = {}): Vns3Webhook => ({ id: 7, ...wanted.webhook, ...changes });
const existingAlert = (changes: Partial<Vns3Alert> = {}): Vns3Alert => ({ id: 8, webhook_id: 7, ...wanted.alert, ...changes });

describe("push plan", () => {
  it("creates both on a controller that has only someone else's", () => {
    const plan = planController([{ id: 1, name: "Test Slack" }], [{ id: 2, name: "Slack Tunnel Alerts", webhook_id: 1 }], wanted);

    expect(describePlan("vpn-monitor-lab", plan)).toEqual(["webhook vpn-monitor-lab: create", "alert vpn-monitor-lab: create"]);
  });

  it("names the fields that differ and masks header values", () => {
    const plan = planController([existingWebhook({ url: "https://api.datadoghq.com/api/v1/events", headers: [{ name: "DD-API-KEY", value: "old" }, { name: "X-Extra", value: "v" }] })], [existingAlert({ enabled: false })], wanted);

    expect(describePlan("vpn-monitor-lab", plan)).toEqual([
      "webhook vpn-monitor-lab: change (id 7): url, header Content-Type: added, header DD-API-KEY: changed, header x-extra: removed",
      "alert vpn-monitor-lab: change (id 8): enabled",
    ]);
  });

  it("re-points an alert whose webhook is gone, and leaves a matching one as it is", () => {
    expect(describePlan("vpn-monitor-lab", planController([], [existingAlert()], wanted))).toEqual(["webhook vpn-monitor-lab: create", "alert vpn-monitor-lab: change (id 8): webhook_id"]);
    expect(describePlan("vpn-monitor-lab", planController([existingWebhook()], [existingAlert({ events: ["bgp_session_up", "bgp_session_down"] })], wanted))).toEqual([
      "webhook vpn-monitor-lab: leave (id 7, as wanted)",
      "alert vpn-monitor-lab: leave (id 8, as wanted)",
    ]);
  });

  it("warns about a second resource with the environment's name and leaves it alone", () => {
    const plan = planController([existingWebhook(), existingWebhook({ id: 9 })], [existingAlert()], wanted);

    expect(plan.duplicates).toEqual(["webhook 9"]);
    expect(describePlan("vpn-monitor-lab", plan)[2]).toBe("warning: another webhook 9 is also named vpn-monitor-lab; left alone");
  });

  it("templates a valid Datadog event body whose fixed tags are normalized like the checker's", () => {
    const body = JSON.parse(eventTemplate("lab", "VNS3 A")) as { tags: string[]; aggregation_key: string };

    expect(body.tags).toEqual(["vpn_environment:lab", "controller:vns3_a", "event:%{event_name}", "tunnel:%{tunnel_description}"]);
    expect(body.aggregation_key).toBe("vns3:lab:VNS3 A:%{tunnel_description}");
  });
});
