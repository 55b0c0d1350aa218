/**
 * The Datadog monitors of an environment as plain data: queries, messages and the missing-data
 * rule of each. Pure, so the exact strings are tested without synthesizing; the construct beside
 * this file only wires them up.
 *
 * Paging rule (docs/stacks.md, "Monitors"): each condition that needs an operator pages once.
 * A tunnel (or a partner's tunnels) down pages from the tunnel monitor, an unreadable controller
 * from the controller monitor, and a checker that stopped posting from the checker monitor only.
 * No grouped monitor notifies on missing data, so a renamed, removed or disabled tunnel (which
 * sends `vpn.tunnel.disabled` instead of a status) and a removed controller stay silent.
 */
import { DOWN_REASONS, METRICS, TAG_KEYS } from "../../../contract/metrics";
import { datadogAppUrl, type DatadogSiteName } from "../../../contract/datadog-sites";
import type { MonitorMode } from "../../../contract/definition/schema";

/**
 * Datadog's `on_missing_data` values (datadog_monitor in DataDog/terraform-provider-datadog, and
 * Datadog's "Migrating to On Missing Data Configuration" guide, which applies them to metric monitors):
 * `show_no_data` shows NO DATA without notifying, `show_and_notify_no_data` shows it and notifies,
 * using the monitor's own evaluation window as the no-data timeframe.
 */
export const ON_MISSING_DATA = { silent: "show_no_data", page: "show_and_notify_no_data" } as const;
export type OnMissingData = (typeof ON_MISSING_DATA)[keyof typeof ON_MISSING_DATA];

/** What the queries and messages depend on: a narrow view of the definition. */
export interface MonitorSettings {
  /** Environment name: the `vpn_environment` scope of every query. */
  readonly environment: string;
  /** How tunnel alerts are grouped. */
  readonly mode: MonitorMode;
  /** Evaluation window in minutes. */
  readonly windowMinutes: number;
}

/** What every message ends with. */
export interface MessageExtras {
  /** The ticket webhook, mentioned as `@webhook-<name>`. */
  readonly webhookName: string;
  /** Full https URL of the environment's dashboard. @default no link */
  readonly dashboardUrl?: string | undefined;
  /** The definition's extra text or @-mentions. @default none */
  readonly extraMessage?: string | undefined;
  /**
   * `ticketing.fallbackNotify`: handles notified beside the webhook, so an alert still reaches
   * someone when the ticketing system answers 4xx (Datadog retries webhooks on 5xx only). @default none
   */
  readonly fallbackNotify?: readonly string[] | undefined;
}

/** `last_5m`, `last_1h`, `last_1d`: the evaluation window as Datadog writes it. */
export function windowExpression(minutes: number): string {
  if (minutes % 1440 === 0) return `last_${minutes / 1440}d`;
  if (minutes % 60 === 0) return `last_${minutes / 60}h`;
  return `last_${minutes}m`;
}

/** `{vpn_environment:<name>}`: the scope of every query of an environment. */
function scope(environment: string): string {
  return `{${TAG_KEYS.environment}:${environment}}`;
}

/** The tag each mode groups tunnel alerts by; simple mode groups nothing. */
export const TUNNEL_GROUP_BY: Readonly<Record<MonitorMode, string | undefined>> = {
  simple: undefined,
  partner: TAG_KEYS.endpoint,
  tunnel: TAG_KEYS.tunnel,
};

/**
 * Alerts when a tunnel was 0 at any point of the window (`min` over time).
 * - simple and tunnel: `min` across tunnels, so any tunnel at 0 gives 0; tunnel mode groups
 *   `by {tunnel}`, one alert (one ticket) per tunnel.
 * - partner: `avg` across the partner's tunnels, grouped `by {endpoint}`. With values 0 and 1, the
 *   average is below 1 exactly when one of them is 0 (the same trigger as `min`), and the value
 *   tells the message which share of the partner's tunnels was down.
 */
export function tunnelMonitorQuery(settings: MonitorSettings): string {
  const groupBy = TUNNEL_GROUP_BY[settings.mode];
  const spaceAggregation = settings.mode === "partner" ? "avg" : "min";
  return `min(${windowExpression(settings.windowMinutes)}):${spaceAggregation}:${METRICS.tunnelStatus}${scope(settings.environment)}${groupBy ? ` by {${groupBy}}` : ""} < 1`;
}

/** Per controller: one the checker cannot read (it posts `vpn.controller.up` 0 with a reason). */
export function controllerMonitorQuery(settings: Pick<MonitorSettings, "environment" | "windowMinutes">): string {
  return `min(${windowExpression(settings.windowMinutes)}):min:${METRICS.controllerUp}${scope(settings.environment)} by {${TAG_KEYS.controller}} < 1`;
}

/**
 * Minutes without a post from the scheduled checker before its monitor alerts: 5, whatever the
 * tunnel window. The checker runs every minute and one run takes well under a second (median
 * 49-183 ms warm, at most 474 ms on a first run: docs/performance.md), so consecutive points are a
 * minute apart plus the schedule's jitter (under a minute); one missed run leaves a gap under 3
 * minutes, two under 4, so neither alerts. Datadog evaluates metric monitors every minute, so the
 * alert comes 5 to 6 minutes after the last post: the most the page may wait (docs/stacks.md).
 */
export const CHECKER_SILENCE_MINUTES = 5;

/**
 * The checker's heartbeat: ungrouped, the number of `vpn.checker.duration_ms` points in the window.
 * Only the scheduled checker sends that gauge, once per run (a one-off `npm run check --send` does
 * not), `.rollup(count, 60)` counts its points per minute and `default_zero` fills minutes without
 * any with 0, so the monitor compares a number with its threshold instead of relying on a no-data
 * rule, which cannot fire for a series that never reported (Datadog's *Interpolation* functions
 * page, "Default zero"; *Configure Monitors*, missing data). A checker that never posted alerts too.
 */
export function checkerMonitorQuery(settings: Pick<MonitorSettings, "environment">): string {
  return `sum(${windowExpression(CHECKER_SILENCE_MINUTES)}):default_zero(sum:${METRICS.checkDuration}${scope(settings.environment)}.rollup(count, 60)) < 1`;
}

/** The checker monitor's critical threshold, matching `< 1` (no point in the window) in its query. */
export const CHECKER_MONITOR_THRESHOLD = "1";


/**
 * The dashboard link of a monitor message: the site's app URL and the dashboard's path. A
 * `datadog_dashboard`'s `url` attribute is that path, starting with `/` (`/dashboard/<id>/<slug>`
 * in the API answers the provider's tests record), so a reference to it (`${…}`) is appended as is.
 */
export function dashboardLink(site: DatadogSiteName, dashboardPath: string): string {
  const separator = dashboardPath.startsWith("/") || dashboardPath.startsWith("${") ? "" : "/";
  return `${datadogAppUrl(site)}${separator}${dashboardPath}`;
}

/** A monitor message: its lines, then the dashboard link, the definition's extra text and the notification handles. */
export function withExtras(lines: readonly string[], extras: MessageExtras): string {
  return [
    ...lines,
    ...(extras.dashboardUrl ? ["", `Dashboard: ${extras.dashboardUrl}`] : []),
    ...(extras.extraMessage ? ["", extras.extraMessage] : []),
    "",
    [`@webhook-${extras.webhookName}`, ...(extras.fallbackNotify ?? [])].join(" "),
  ].join("\n");
}

/** `{{tunnel.name}}`: a group's tag value in a notification (Datadog's multi-alert tag variables). */
const tagVariable = (key: string) => `{{${key}.name}}`;

export function tunnelMonitorMessage(settings: MonitorSettings, extras: MessageExtras): string {
  const { environment, windowMinutes } = settings;
  const window = `the last ${windowMinutes} minutes`;
  switch (settings.mode) {
    case "partner": {
      const partner = tagVariable(TAG_KEYS.endpoint);
      return withExtras(
        [
          "{{#is_alert}}",
          // {{value}} is the lowest share of the partner's tunnels up in the window; Datadog's
          // template evaluation turns it into the share down. Which tunnels: only tags in the
          // group-by reach a metric monitor's message, so the dashboard's tunnel grid shows them.
          `Partner ${partner} in VPN environment ${environment} has tunnels down: {{eval "round((1-value)*100)"}}% of its tunnels were at 0 (${METRICS.tunnelStatus}) at the worst point of ${window}.`,
          "The dashboard's tunnel grid shows which ones. Check the partner endpoint and the VNS3 controller's IPsec status page.",
          "{{/is_alert}}",
          "{{#is_recovery}}",
          `Every tunnel to partner ${partner} in VPN environment ${environment} is connected again.`,
          "{{/is_recovery}}",
        ],
        extras,
      );
    }
    case "tunnel": {
      const tunnel = tagVariable(TAG_KEYS.tunnel);
      return withExtras(
        [
          "{{#is_alert}}",
          `Tunnel ${tunnel} in VPN environment ${environment} is down: ${METRICS.tunnelStatus} was 0 in ${window}.`,
          "Check the VNS3 controller's IPsec status page and the partner endpoint.",
          "{{/is_alert}}",
          "{{#is_recovery}}",
          `Tunnel ${tunnel} in VPN environment ${environment} is connected again.`,
          "{{/is_recovery}}",
        ],
        extras,
      );
    }
    case "simple":
      return withExtras(
        [
          "{{#is_alert}}",
          `A tunnel in VPN environment ${environment} is down: ${METRICS.tunnelStatus} was 0 in ${window}.`,
          "Check the VNS3 controller's IPsec status page and the partner endpoint.",
          "{{/is_alert}}",
          "{{#is_recovery}}",
          `Every tunnel in VPN environment ${environment} is connected again.`,
          "{{/is_recovery}}",
        ],
        extras,
      );
  }
}

export function controllerMonitorMessage(settings: Pick<MonitorSettings, "environment">, extras: MessageExtras): string {
  const controller = tagVariable(TAG_KEYS.controller);
  return withExtras(
    [
      "{{#is_alert}}",
      `The checker cannot read VNS3 controller ${controller} in VPN environment ${settings.environment}; its tunnels are unmonitored. The ${TAG_KEYS.reason} tag and the checker's log say why (${DOWN_REASONS.join(", ")}).`,
      "{{/is_alert}}",
      "{{#is_recovery}}",
      `VNS3 controller ${controller} in VPN environment ${settings.environment} is readable again.`,
      "{{/is_recovery}}",
    ],
    extras,
  );
}

export function checkerMonitorMessage(settings: Pick<MonitorSettings, "environment">, extras: MessageExtras & { readonly checkerFunctionName: string }): string {
  const silent = [
    `The VPN tunnel checker of environment ${settings.environment} has posted nothing for ${CHECKER_SILENCE_MINUTES} minutes (no ${METRICS.checkDuration} point), so no tunnel is monitored.`,
    `Check the Lambda function ${extras.checkerFunctionName}: its CloudWatch logs, its every-minute schedule, the Datadog API key secret, and its route to Datadog.`,
  ];
  return withExtras(
    ["{{#is_alert}}", ...silent, "{{/is_alert}}", "{{#is_no_data}}", ...silent, "{{/is_no_data}}", "{{#is_recovery}}", `The VPN tunnel checker of environment ${settings.environment} is posting again.`, "{{/is_recovery}}"],
    extras,
  );
}
