/**
 * The Datadog side as plain data: monitor queries, messages and the ticket payload. Pure, so the
 * exact strings are tested without synthesizing, and the constructs only wire them up.
 */
import { METRICS } from "../contract/metrics";
import type { EnvironmentDefinition } from "./environment/schema";

/** `last_5m`, `last_1h`, `last_1d`: the evaluation window as Datadog writes it. */
export function windowExpression(minutes: number): string {
  if (minutes % 1440 === 0) return `last_${minutes / 1440}d`;
  if (minutes % 60 === 0) return `last_${minutes / 60}h`;
  return `last_${minutes}m`;
}

/**
 * Alerts when any point in the window is 0: `min` over time of the `min` across tunnels. In multi
 * mode the group `by {tunnel}` makes one alert (and one ticket) per tunnel.
 */
export function tunnelMonitorQuery(env: Pick<EnvironmentDefinition, "name" | "monitor">): string {
  const groupBy = env.monitor.mode === "multi" ? " by {tunnel}" : "";
  return `min(${windowExpression(env.monitor.windowMinutes)}):min:${METRICS.tunnelStatus}{vpn_environment:${env.name}}${groupBy} < 1`;
}

/** Per controller: a controller the checker cannot read, or a checker that stopped posting. */
export function controllerMonitorQuery(env: Pick<EnvironmentDefinition, "name" | "monitor">): string {
  return `min(${windowExpression(env.monitor.windowMinutes)}):min:${METRICS.controllerUp}{vpn_environment:${env.name}} by {controller} < 1`;
}

/** No data for twice the window pages: a checker that stops posting must not go quiet. */
export function noDataTimeframeMinutes(env: Pick<EnvironmentDefinition, "monitor">): number {
  return env.monitor.windowMinutes * 2;
}

function withExtras(lines: readonly string[], env: Pick<EnvironmentDefinition, "monitor">, webhook: string): string {
  return [...lines, ...(env.monitor.message ? ["", env.monitor.message] : []), "", `@webhook-${webhook}`].join("\n");
}

export function tunnelMonitorMessage(env: Pick<EnvironmentDefinition, "name" | "monitor">, webhook: string): string {
  const subject = env.monitor.mode === "multi" ? "Tunnel {{tunnel.name}}" : "A tunnel";
  return withExtras(
    [
      "{{#is_alert}}",
      `${subject} in VPN environment ${env.name} is down: vpn.tunnel.status was 0 in the last ${env.monitor.windowMinutes} minutes.`,
      "Check the VNS3 controller's IPsec status page and the partner endpoint.",
      "{{/is_alert}}",
      "{{#is_recovery}}",
      `${subject} in VPN environment ${env.name} is connected again.`,
      "{{/is_recovery}}",
      "{{#is_no_data}}",
      `No tunnel status from VPN environment ${env.name} for ${noDataTimeframeMinutes(env)} minutes: the checker Lambda is not reporting. Check its CloudWatch logs.`,
      "{{/is_no_data}}",
    ],
    env,
    webhook,
  );
}

export function controllerMonitorMessage(env: Pick<EnvironmentDefinition, "name" | "monitor">, webhook: string): string {
  return withExtras(
    [
      "{{#is_alert}}",
      `The checker cannot read VNS3 controller {{controller.name}} in VPN environment ${env.name}; its tunnels are unmonitored. The checker's log names the reason (reason tag: refused, timeout, tls_pin_mismatch, auth, …).`,
      "{{/is_alert}}",
      "{{#is_recovery}}",
      `VNS3 controller {{controller.name}} in VPN environment ${env.name} is readable again.`,
      "{{/is_recovery}}",
      "{{#is_no_data}}",
      `No controller status from VPN environment ${env.name} for ${noDataTimeframeMinutes(env)} minutes: the checker Lambda is not running or cannot reach Datadog.`,
      "{{/is_no_data}}",
    ],
    env,
    webhook,
  );
}

/**
 * The ticket body Datadog posts. `$ALERT_CYCLE_KEY` stays the same for one alert's lifetime, so the
 * ticketing system can de-duplicate on it and close the ticket on the recovery transition.
 */
export function defaultTicketPayload(environment: string): string {
  return JSON.stringify(
    {
      alert_id: "$ALERT_ID",
      dedup_key: "$ALERT_CYCLE_KEY",
      transition: "$ALERT_TRANSITION",
      title: "$EVENT_TITLE",
      scope: "$ALERT_SCOPE",
      link: "$LINK",
      vpn_environment: environment,
    },
    null,
    2,
  );
}
