/**
 * `ticketing.fallbackNotify`: a second route for every alert, because Datadog retries a webhook
 * only on 5xx and a 4xx (an expired ticketing token) would lose the ticket without a word.
 */
import { validateEnvironment } from "../../../stacks/environment/load";
import { baseDefinition, resourcesOf, synthEnvironment } from "../../helpers/synth";

const FILE = "environments/acme-prod.yaml";
/** Invalid values go in as the file would hold them: the schema, not the type, must refuse them. */
const ticketing = (fallbackNotify: unknown) => baseDefinition({ ticketing: { webhookUrl: "https://tickets.example.com/api/datadog", fallbackNotify: fallbackNotify as string[] } });

function problems(input: unknown): string[] {
  const result = validateEnvironment(FILE, input);
  return result.ok ? [] : result.problems;
}

describe("ticketing.fallbackNotify", () => {
  it("accepts Datadog handles and leaves the field out by default", () => {
    expect(problems(ticketing(["@slack-network-ops", "@pagerduty-network", "@ops@example.com"]))).toEqual([]);
    const result = validateEnvironment(FILE, baseDefinition());
    expect(result.ok && result.definition.ticketing.fallbackNotify).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ["a handle without @", ["slack-network-ops"], '.fallbackNotify[0] "slack-network-ops" is not a Datadog notification handle: expected @ and a handle such as @slack-network-ops, @pagerduty-network or @ops@example.com'],
    ["a handle with a space", ["@slack network"], '.fallbackNotify[0] "@slack network" is not a Datadog notification handle: expected @ and a handle such as @slack-network-ops, @pagerduty-network or @ops@example.com'],
    ["an empty list", [], ".fallbackNotify is empty: list at least one @-handle, or leave the field out"],
    ["a repeated handle", ["@slack-a", "@slack-a"], ".fallbackNotify lists a handle twice"],
  ])("refuses %s", (_, value, message) => {
    expect(problems(ticketing(value))).toEqual([`${FILE}: ticketing${message}`]);
  });

  it("ends every monitor message with the webhook and then each fallback handle", () => {
    const stack = synthEnvironment(ticketing(["@slack-network-ops", "@pagerduty-network"]));
    const lastLines = resourcesOf(stack, "datadog_monitor").map((m) => (m.message as string).split("\n").at(-1));

    // The three base monitors and the six of the default signal groups (health: 3, expiry: 2, re-establishments: 1).
    expect(lastLines).toEqual(Array(9).fill("@webhook-vpn-tickets-acme-prod @slack-network-ops @pagerduty-network"));
  });
});
