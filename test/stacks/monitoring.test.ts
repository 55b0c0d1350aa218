import { controllerMonitorQuery, defaultTicketPayload, noDataTimeframeMinutes, tunnelMonitorMessage, tunnelMonitorQuery, windowExpression } from "../../stacks/monitoring";

const env = (mode: "simple" | "multi", windowMinutes = 5, message?: string) => ({ name: "acme-prod", monitor: { mode, windowMinutes, ...(message ? { message } : {}) } });

describe("monitor queries and messages", () => {
  it.each([
    [1, "last_1m"],
    [5, "last_5m"],
    [30, "last_30m"],
    [60, "last_1h"],
    [120, "last_2h"],
    [240, "last_4h"],
    [1440, "last_1d"],
  ])("writes a %i-minute window as %s", (minutes, expression) => {
    expect(windowExpression(minutes)).toBe(expression);
  });

  it("groups by tunnel only in multi mode, and controllers always", () => {
    expect(tunnelMonitorQuery(env("simple", 10))).toBe("min(last_10m):min:vpn.tunnel.status{vpn_environment:acme-prod} < 1");
    expect(tunnelMonitorQuery(env("multi", 10))).toBe("min(last_10m):min:vpn.tunnel.status{vpn_environment:acme-prod} by {tunnel} < 1");
    expect(controllerMonitorQuery(env("simple", 10))).toBe("min(last_10m):min:vpn.controller.up{vpn_environment:acme-prod} by {controller} < 1");
  });

  it("waits twice the window before paging for missing data", () => {
    expect(noDataTimeframeMinutes(env("simple", 15))).toBe(30);
  });

  it("ends the message with the extra text and then the webhook mention", () => {
    const message = tunnelMonitorMessage(env("multi", 5, "@slack-netops"), "tickets");

    expect(message.startsWith("{{#is_alert}}\nTunnel {{tunnel.name}} in VPN environment acme-prod is down")).toBe(true);
    expect(message.endsWith("{{/is_no_data}}\n\n@slack-netops\n\n@webhook-tickets")).toBe(true);
  });

  it("builds the default ticket payload from Datadog's variables as valid JSON", () => {
    expect(JSON.parse(defaultTicketPayload("acme-prod"))).toEqual({
      alert_id: "$ALERT_ID",
      dedup_key: "$ALERT_CYCLE_KEY",
      transition: "$ALERT_TRANSITION",
      title: "$EVENT_TITLE",
      scope: "$ALERT_SCOPE",
      link: "$LINK",
      vpn_environment: "acme-prod",
    });
  });
});
