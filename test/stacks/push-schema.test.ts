/** The definition's `push:` section: off by default, events from VNS3's published list, every error with file and field. */
import { validateEnvironment } from "../../stacks/environment/load";
import { DEFAULT_PUSH_EVENTS, pushResourceName } from "../../contract/definition/push-schema";
import { baseDefinition } from "../helpers/synth";

const FILE = "environments/acme-prod.yaml";
const base = baseDefinition();

function validate(push: unknown) {
  return validateEnvironment(FILE, { ...base, push });
}

describe("push definition", () => {
  it("is off with the default events and a 15-minute check when left out", () => {
    const result = validateEnvironment(FILE, base);

    expect(result.ok && result.definition.push).toEqual({ enabled: false, events: [...DEFAULT_PUSH_EVENTS], checkEveryMinutes: 15 });
  });

  it("keeps the events an operator lists", () => {
    const result = validate({ enabled: true, events: ["bgp_session_down", "bgp_session_up"] });

    expect(result.ok && result.definition.push).toEqual({ enabled: true, events: ["bgp_session_down", "bgp_session_up"], checkEveryMinutes: 15 });
  });

  it.each<[string, unknown, string]>([
    [
      "an event VNS3 does not publish",
      { enabled: true, events: ["tunnel_flap"] },
      'push.events[0] "tunnel_flap" must be one of VNS3\'s alert events (tunnel_up, tunnel_down, process_change, user_password_change, controller_reboot, controller_reset_defaults, system_general, clientpack_up, clientpack_down, bgp_session_up, bgp_session_down, wg_tunnel_up, wg_tunnel_down, fwset_dns_update)',
    ],
    ["a repeated event", { enabled: true, events: ["tunnel_up", "tunnel_up"] }, 'push.events[1] "tunnel_up" repeats events[0] (tunnel_up)'],
    ["an empty event list", { enabled: true, events: [] }, "push.events"],
    ["a text switch", { enabled: "yes" }, 'push.enabled "yes" must be true or false'],
    ["a check interval of 0", { enabled: true, checkEveryMinutes: 0 }, "push.checkEveryMinutes 0 must be at least 1 minute"],
    ["an unknown field", { enabled: true, webhook: "x" }, "push.webhook is not a known field (expected one of enabled, events, checkEveryMinutes)"],
  ])("refuses %s, naming the file and field", (_, push, expected) => {
    const result = validate(push);

    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`${FILE}: ${expected}`);
  });

  it("names the webhook and the alert for the environment", () => {
    expect(pushResourceName("acme-prod")).toBe("vpn-monitor-acme-prod");
  });
});
