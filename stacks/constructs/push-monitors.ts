/**
 * Event monitors over what the controllers push (docs/push.md), only for an environment with
 * `push.enabled`. Datadog's "event-v2 alert" monitor type (its API client's MonitorType; query
 * `events(<search>).rollup("count").by(<facet>).last(<window>) <op> <n>`, MonitorsApi createMonitor
 * docs, "Event V2 Alert Query").
 *
 * - BGP session down pages, one alert per controller: the event carries no peer, so a controller
 *   is the finest group the query can hold, and several down events of one session inside the
 *   window stay one alert. An event monitor counts events in its window: it recovers when
 *   `last(5m)` holds no more `bgp_session_down`, five minutes after the last one, not when
 *   `bgp_session_up` arrives. The message asks the responder to look for `bgp_session_up`.
 * - A controller reboot is informational: an alert in Datadog that mentions nobody.
 * - Tunnel down and up events do not page (the poll pages for a tunnel that stays down); they are
 *   for the dashboard's event overlay ({@link pushTunnelEventsQuery}) beside `vpn.tunnel.reestablished`.
 */
import { Monitor } from "@cdktf/provider-datadog/lib/monitor";
import type { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { Construct } from "constructs";
import { TAG_KEYS } from "../../contract/metrics";
import { pushMonitorNames } from "../../contract/push";

/** Minutes of events one evaluation counts. */
export const PUSH_EVENT_WINDOW_MINUTES = 5;

/** The event search of one event name in one environment. */
export function pushEventSearch(environment: string, events: readonly string[]): string {
  const names = events.map((e) => `${TAG_KEYS.event}:${e}`);
  return `tags:${TAG_KEYS.environment}:${environment} ${names.length === 1 ? names[0] : `(${names.join(" OR ")})`}`;
}

/** The BGP monitor's query. */
export function bgpSessionDownQuery(environment: string): string {
  return `events("${pushEventSearch(environment, ["bgp_session_down"])}").rollup("count").by("${TAG_KEYS.controller}").last("${PUSH_EVENT_WINDOW_MINUTES}m") > 0`;
}

/** The reboot monitor's query. */
export function controllerRebootQuery(environment: string): string {
  return `events("${pushEventSearch(environment, ["controller_reboot"])}").rollup("count").by("${TAG_KEYS.controller}").last("${PUSH_EVENT_WINDOW_MINUTES}m") > 0`;
}

/** The dashboard's event overlay of pushed tunnel drops and recoveries (for the flap view). */
export function pushTunnelEventsQuery(environment: string): string {
  return pushEventSearch(environment, ["tunnel_down", "tunnel_up"]);
}

export interface PushMonitorsProps {
  /** Environment name: queries and tags are scoped to `vpn_environment:<name>`. */
  readonly environment: string;
  /** The ticket webhook (the BGP monitor mentions it, so it must exist first). */
  readonly webhook: Webhook;
  /** The ticket webhook's name, mentioned as `@webhook-<name>`. */
  readonly webhookName: string;
  /** The events the controllers push (`push.events`): a monitor for an event never pushed is not made. */
  readonly events: readonly string[];
  /** Datadog priority of the BGP page, 1 to 5. @default none */
  readonly priority?: number | undefined;
  /** Datadog role ids that alone may edit the monitors. @default none */
  readonly restrictedRoles?: readonly string[] | undefined;
}

export class PushMonitors extends Construct {
  /** Pages once per controller whose BGP session went down; undefined when bgp_session_down is not pushed. */
  readonly bgpSessionDown: Monitor | undefined;
  /** Informational; undefined when controller_reboot is not pushed. */
  readonly controllerReboot: Monitor | undefined;

  constructor(scope: Construct, id: string, props: PushMonitorsProps) {
    super(scope, id);
    const names = pushMonitorNames(props.environment);
    const common = {
      type: "event-v2 alert",
      includeTags: true,
      // Maintenance windows select this environment's monitors by this tag.
      tags: [`${TAG_KEYS.environment}:${props.environment}`, "managed-by:cdktf"],
      monitorThresholds: { critical: "0" },
      // No events is the normal state: never a no-data alert.
      notifyNoData: false,
      ...(props.restrictedRoles !== undefined ? { restrictedRoles: [...props.restrictedRoles] } : {}),
    };
    this.bgpSessionDown = props.events.includes("bgp_session_down")
      ? new Monitor(this, "bgp-session-down", {
          ...common,
          name: names.bgpSessionDown,
          query: bgpSessionDownQuery(props.environment),
          message: [
            `{{#is_alert}}VNS3 controller {{${TAG_KEYS.controller}.name}} (${props.environment}) reported a BGP session down: routes learned over it are gone although the tunnel may still show connected.`,
            "Look in the event stream for its bgp_session_up; this alert closes by itself five minutes after the last bgp_session_down, not when the session returns.{{/is_alert}}",
            `{{#is_recovery}}No bgp_session_down from {{${TAG_KEYS.controller}.name}} for ${PUSH_EVENT_WINDOW_MINUTES} minutes.{{/is_recovery}}`,
            `@webhook-${props.webhookName}`,
          ].join("\n"),
          dependsOn: [props.webhook],
          ...(props.priority !== undefined ? { priority: String(props.priority) } : {}),
        })
      : undefined;
    this.controllerReboot = props.events.includes("controller_reboot")
      ? new Monitor(this, "controller-reboot", {
          ...common,
          name: names.controllerReboot,
          query: controllerRebootQuery(props.environment),
          // Informational: mentions nobody (a reboot that leaves a tunnel down pages through the poll).
          message: `{{#is_alert}}VNS3 controller {{${TAG_KEYS.controller}.name}} (${props.environment}) rebooted. For information: the poll pages if a tunnel stays down.{{/is_alert}}`,
          priority: "5",
        })
      : undefined;
  }
}
