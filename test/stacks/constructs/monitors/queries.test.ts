/**
 * The monitors' queries and messages as exact strings, in every mode. Datadog's query syntax
 * (`min(last_5m):min:<metric>{<scope>} by {<tag>} < 1`) and template variables (`{{tag.name}}`,
 * `{{eval "…"}}`, `{{#is_alert}}` blocks) follow Datadog's monitor and notification-variable docs.
 */
import {
  checkerMonitorMessage,
  checkerMonitorQuery,
  CHECKER_SILENCE_MINUTES,
  controllerMonitorMessage,
  controllerMonitorQuery,
  dashboardLink,
  ON_MISSING_DATA,
  tunnelMonitorMessage,
  tunnelMonitorQuery,
  windowExpression,
  type MonitorSettings,
} from "../../../../stacks/constructs/monitors/queries";
import { SHOW_AND_NOTIFY_NO_DATA, SHOW_NO_DATA } from "@datadog/datadog-api-client/dist/packages/datadog-api-client-v1/models/OnMissingDataOption";
import { defaultTicketPayload } from "../../../../stacks/constructs/ticket-webhook";
import type { MonitorMode } from "../../../../contract/definition/schema";
import { resourceNames } from "../../../../contract/names";

const settings = (mode: MonitorMode, windowMinutes = 5): MonitorSettings => ({ environment: "acme-prod", mode, windowMinutes });
const extras = { webhookName: "tickets" };

describe("evaluation windows", () => {
  it.each([
    [1, "last_1m"],
    [5, "last_5m"],
    [30, "last_30m"],
    [60, "last_1h"],
    [120, "last_2h"],
    [240, "last_4h"],
    [480, "last_8h"],
    [1440, "last_1d"],
    [2880, "last_2d"],
  ])("writes %i minutes as %s", (minutes, expression) => {
    expect(windowExpression(minutes)).toBe(expression);
  });
});

describe("queries", () => {
  it.each<[MonitorMode, string]>([
    ["simple", "min(last_10m):min:vpn.tunnel.status{vpn_environment:acme-prod} < 1"],
    ["partner", "min(last_10m):avg:vpn.tunnel.status{vpn_environment:acme-prod} by {endpoint} < 1"],
    ["tunnel", "min(last_10m):min:vpn.tunnel.status{vpn_environment:acme-prod} by {tunnel} < 1"],
  ])("tunnels in %s mode: %s", (mode, query) => {
    expect(tunnelMonitorQuery(settings(mode, 10))).toBe(query);
  });

  it("controllers are grouped by controller in every mode", () => {
    for (const mode of ["simple", "partner", "tunnel"] as const) {
      expect(controllerMonitorQuery(settings(mode, 10))).toBe("min(last_10m):min:vpn.controller.up{vpn_environment:acme-prod} by {controller} < 1");
    }
  });

  it("the checker heartbeat counts the scheduled checker's points over 5 minutes, whatever the tunnel window, zero when none came", () => {
    expect(CHECKER_SILENCE_MINUTES).toBe(5);
    const query = "sum(last_5m):default_zero(sum:vpn.checker.duration_ms{vpn_environment:acme-prod}.rollup(count, 60)) < 1";
    expect(checkerMonitorQuery(settings("tunnel", 15))).toBe(query);
    expect(checkerMonitorQuery(settings("simple", 240))).toBe(query);
    expect(resourceNames({ name: "acme-prod", ticketing: {} }).checkerMonitor).toBe("VPN checker silent: acme-prod");
  });
});

describe("messages", () => {
  it("simple mode: one alert for the environment, no missing-data block", () => {
    expect(tunnelMonitorMessage(settings("simple"), extras)).toBe(
      [
        "{{#is_alert}}",
        "A tunnel in VPN environment acme-prod is down: vpn.tunnel.status was 0 in the last 5 minutes.",
        "Check the VNS3 controller's IPsec status page and the partner endpoint.",
        "{{/is_alert}}",
        "{{#is_recovery}}",
        "Every tunnel in VPN environment acme-prod is connected again.",
        "{{/is_recovery}}",
        "",
        "@webhook-tickets",
      ].join("\n"),
    );
  });

  it("tunnel mode names the tunnel", () => {
    expect(tunnelMonitorMessage(settings("tunnel"), extras)).toBe(
      [
        "{{#is_alert}}",
        "Tunnel {{tunnel.name}} in VPN environment acme-prod is down: vpn.tunnel.status was 0 in the last 5 minutes.",
        "Check the VNS3 controller's IPsec status page and the partner endpoint.",
        "{{/is_alert}}",
        "{{#is_recovery}}",
        "Tunnel {{tunnel.name}} in VPN environment acme-prod is connected again.",
        "{{/is_recovery}}",
        "",
        "@webhook-tickets",
      ].join("\n"),
    );
  });

  it("partner mode names the partner and the share of its tunnels down, and points to the dashboard for which ones", () => {
    expect(tunnelMonitorMessage(settings("partner", 15), { ...extras, dashboardUrl: "https://app.datadoghq.eu/dashboard/abc-def-ghi" })).toBe(
      [
        "{{#is_alert}}",
        'Partner {{endpoint.name}} in VPN environment acme-prod has tunnels down: {{eval "round((1-value)*100)"}}% of its tunnels were at 0 (vpn.tunnel.status) at the worst point of the last 15 minutes.',
        "The dashboard's tunnel grid shows which ones. Check the partner endpoint and the VNS3 controller's IPsec status page.",
        "{{/is_alert}}",
        "{{#is_recovery}}",
        "Every tunnel to partner {{endpoint.name}} in VPN environment acme-prod is connected again.",
        "{{/is_recovery}}",
        "",
        "Dashboard: https://app.datadoghq.eu/dashboard/abc-def-ghi",
        "",
        "@webhook-tickets",
      ].join("\n"),
    );
  });

  it("the controller message names the controller and the closed set of reasons", () => {
    expect(controllerMonitorMessage(settings("simple"), extras)).toBe(
      [
        "{{#is_alert}}",
        "The checker cannot read VNS3 controller {{controller.name}} in VPN environment acme-prod; its tunnels are unmonitored. The reason tag and the checker's log say why (refused, timeout, tls_pin_mismatch, tls_error, auth, http_error, bad_response, dns, credentials, network).",
        "{{/is_alert}}",
        "{{#is_recovery}}",
        "VNS3 controller {{controller.name}} in VPN environment acme-prod is readable again.",
        "{{/is_recovery}}",
        "",
        "@webhook-tickets",
      ].join("\n"),
    );
  });

  it("the checker message says the same for an alert (no point counted) and for missing data, and names the function", () => {
    const silent = [
      "The VPN tunnel checker of environment acme-prod has posted nothing for 5 minutes (no vpn.checker.duration_ms point), so no tunnel is monitored.",
      "Check the Lambda function vpn-monitor-acme-prod-checker: its CloudWatch logs, its every-minute schedule, the Datadog API key secret, and its route to Datadog.",
    ];
    expect(checkerMonitorMessage(settings("tunnel"), { ...extras, checkerFunctionName: "vpn-monitor-acme-prod-checker" })).toBe(
      [
        "{{#is_alert}}",
        ...silent,
        "{{/is_alert}}",
        "{{#is_no_data}}",
        ...silent,
        "{{/is_no_data}}",
        "{{#is_recovery}}",
        "The VPN tunnel checker of environment acme-prod is posting again.",
        "{{/is_recovery}}",
        "",
        "@webhook-tickets",
      ].join("\n"),
    );
  });

  it("notifies the fallback handles beside the webhook, on the same last line", () => {
    const message = controllerMonitorMessage(settings("simple"), { webhookName: "tickets", fallbackNotify: ["@slack-network-ops", "@pagerduty-network"] });
    expect(message.split("\n").at(-1)).toBe("@webhook-tickets @slack-network-ops @pagerduty-network");
  });

  it("ends with the dashboard link, then the extra text, then the webhook mention", () => {
    const message = tunnelMonitorMessage(settings("tunnel"), { webhookName: "tickets", dashboardUrl: "https://app.datadoghq.com/dashboard/x", extraMessage: "@slack-netops" });

    expect(message.endsWith("{{/is_recovery}}\n\nDashboard: https://app.datadoghq.com/dashboard/x\n\n@slack-netops\n\n@webhook-tickets")).toBe(true);
  });
});

describe("missing-data options", () => {
  it("are values of Datadog's OnMissingDataOption (the API client's v1 model)", () => {
    expect(ON_MISSING_DATA).toEqual({ silent: SHOW_NO_DATA, page: SHOW_AND_NOTIFY_NO_DATA });
  });
});

describe("the dashboard link", () => {
  it("puts the dashboard's path on the site's app host", () => {
    expect(dashboardLink("EU", "/dashboard/abc-def-ghi/vpn-acme-prod")).toBe("https://app.datadoghq.eu/dashboard/abc-def-ghi/vpn-acme-prod");
    expect(dashboardLink("AP2", "dashboard/abc")).toBe("https://ap2.datadoghq.com/dashboard/abc");
    // A reference to datadog_dashboard.url, which starts with "/" (the provider's recorded API
    // answers: "url":"/dashboard/pvm-4mv-gqv/…"), is appended as it is.
    expect(dashboardLink("US1", "${datadog_dashboard.board.url}")).toBe("https://app.datadoghq.com${datadog_dashboard.board.url}");
  });
});

describe("the default ticket payload", () => {
  it("is valid JSON built from Datadog's webhook variables", () => {
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
