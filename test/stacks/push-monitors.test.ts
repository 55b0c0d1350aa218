/**
 * The push path's event monitors in the synthesized stack: only with push on, the BGP page per
 * controller, the informational reboot alert, nothing for tunnel events; every body valid against
 * @datadog/datadog-api-client's models (test/helpers/datadog-models.ts).
 */
import { datadogModelProblems, validateSynthesizedDatadog } from "../helpers/datadog-models";
import { baseDefinition, synthEnvironment } from "../helpers/synth";
import { pushTunnelEventsQuery } from "../../stacks/constructs/push-monitors";

type Resource = Record<string, unknown>;
const monitorsOf = (stack: ReturnType<typeof synthEnvironment>): Resource[] => Object.values(stack.resource.datadog_monitor ?? {});
const eventMonitors = (stack: ReturnType<typeof synthEnvironment>) => monitorsOf(stack).filter((m) => m.type === "event-v2 alert");

describe("push monitors", () => {
  it("are not created while push is off", () => {
    const stack = synthEnvironment(baseDefinition());

    expect(eventMonitors(stack)).toEqual([]);
  });

  it("page once per controller for a BGP session down and recover when the window holds none", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));

    const bgp = eventMonitors(stack).find((m) => m.name === "VNS3 BGP session down: acme-prod");
    expect(bgp).toMatchObject({
      type: "event-v2 alert",
      query: 'events("tags:vpn_environment:acme-prod event:bgp_session_down").rollup("count").by("controller").last("5m") > 0',
      monitor_thresholds: { critical: "0" },
      notify_no_data: false,
      tags: ["vpn_environment:acme-prod", "managed-by:cdktf"],
    });
    expect(String(bgp?.message)).toContain("@webhook-vpn-tickets-acme-prod");
    expect(String(bgp?.message)).toContain("{{controller.name}}");
  });

  it("make the reboot alert informational: it mentions nobody", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));

    const reboot = eventMonitors(stack).find((m) => m.name === "VNS3 controller rebooted: acme-prod");
    expect(reboot?.query).toBe('events("tags:vpn_environment:acme-prod event:controller_reboot").rollup("count").by("controller").last("5m") > 0');
    expect(String(reboot?.message)).not.toContain("@");
    expect(reboot?.priority).toBe("5");
  });

  it("make no monitor for tunnel events, nor for an event the controllers do not push", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true, events: ["tunnel_down", "tunnel_up", "bgp_session_down"] } }));

    expect(eventMonitors(stack).map((m) => m.name)).toEqual(["VNS3 BGP session down: acme-prod"]);
    expect(pushTunnelEventsQuery("acme-prod")).toBe("tags:vpn_environment:acme-prod (event:tunnel_down OR event:tunnel_up)");
  });

  it("are valid against the Datadog API client's monitor model", () => {
    const stack = synthEnvironment(baseDefinition({ push: { enabled: true } }));

    const checked = validateSynthesizedDatadog(stack as unknown as Record<string, unknown>).filter((r) => r.address.includes("push-monitors") || r.address.includes("push_monitors"));
    expect(checked.map((r) => r.model)).toEqual(["v1.Monitor", "v1.Monitor"]);
    expect(datadogModelProblems(stack as unknown as Record<string, unknown>)).toEqual([]);
  });
});
