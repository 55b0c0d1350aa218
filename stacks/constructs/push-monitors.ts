/**
 * Event monitors over what the controllers push (docs/push.md), only for an environment with
 * `push.enabled`. Datadog's "event-v2 alert" monitor type (its API client's MonitorType).
 *
 * - BGP session down pages once per controller and recovers when `bgp_session_up` arrives. An event
 *   monitor only counts events in a window, so the state is a formula over two counts in the last
 *   {@link BGP_STATE_WINDOW} (Monitor API `options.variables`, MonitorFormulaAndFunctionEventQueryDefinition,
 *   data source `events`, aggregation `count`, grouped by controller): `2 * down - bgp`, where `bgp`
 *   counts downs and ups, is downs minus ups = sessions down now minus sessions down one window ago.
 *   Above 0 pages; the up brings it back to 0 and the alert recovers. `bgp` holds every event `down`
 *   holds, so a group never has a down count without the other (a group missing from one query of a
 *   formula is not documented to count as 0). What a window cannot hold is in docs/push.md.
 *   Without `bgp_session_up` pushed it falls back to counting downs in the last
 *   {@link PUSH_EVENT_WINDOW_MINUTES} minutes (recovers five minutes after the last down).
 *   The events carry no BGP peer: a controller is the finest group.
 * - A controller reboot is informational: an alert in Datadog that mentions nobody.
 * - Tunnel down and up events do not page (the poll pages for a tunnel that stays down); they are
 *   for the dashboard's event overlay ({@link pushTunnelEventsQuery}) beside `vpn.tunnel.reestablished`.
 */
import { Monitor, type MonitorVariablesEventQuery } from "@cdktf/provider-datadog/lib/monitor";
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

/**
 * How far back the BGP state reaches: a session down longer than this shows recovered, and one down
 * at this age delays the next page (docs/push.md). Event monitors evaluate at most 48 hours.
 */
export const BGP_STATE_WINDOW = "1d";

/** The BGP monitor's formula query over {@link bgpSessionVariables}: downs minus ups in the window. */
export function bgpSessionStateQuery(): string {
  return `formula("2 * down - bgp").last("${BGP_STATE_WINDOW}") > 0`;
}

/** The two event counts of {@link bgpSessionStateQuery}, per controller (Terraform `variables.event_query`). */
export function bgpSessionVariables(environment: string): MonitorVariablesEventQuery[] {
  const count = (name: string, events: readonly string[]): MonitorVariablesEventQuery => ({
    name,
    dataSource: "events",
    compute: [{ aggregation: "count" }],
    search: { query: pushEventSearch(environment, events) },
    groupBy: [{ facet: TAG_KEYS.controller }],
  });
  return [count("down", ["bgp_session_down"]), count("bgp", ["bgp_session_down", "bgp_session_up"])];
}

/** The BGP monitor's query when bgp_session_up is not pushed: downs in the last five minutes. */
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
  /** `ticketing.fallbackNotify`: @-handles notified beside the webhook on the BGP page. @default none */
  readonly fallbackNotify?: readonly string[] | undefined;
  /** The events the controllers push (`push.events`): a monitor for an event never pushed is not made. */
  readonly events: readonly string[];
  /** Datadog priority of the BGP page, 1 to 5. @default none */
  readonly priority?: number | undefined;
  /** Datadog role ids that alone may edit the monitors. @default none */
  readonly restrictedRoles?: readonly string[] | undefined;
}

export class PushMonitors extends Construct {
  /** Pages once per controller whose BGP session went down, recovers on bgp_session_up; undefined when bgp_session_down is not pushed. */
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
    const recoversOnUp = props.events.includes("bgp_session_up");
    const controller = `{{${TAG_KEYS.controller}.name}}`;
    this.bgpSessionDown = props.events.includes("bgp_session_down")
      ? new Monitor(this, "bgp-session-down", {
          ...common,
          name: names.bgpSessionDown,
          ...(recoversOnUp
            ? { query: bgpSessionStateQuery(), variables: { eventQuery: bgpSessionVariables(props.environment) } }
            : { query: bgpSessionDownQuery(props.environment) }),
          message: [
            `{{#is_alert}}VNS3 controller ${controller} (${props.environment}) reported a BGP session down: routes learned over it are gone although the tunnel may still show connected.`,
            recoversOnUp
              ? `This alert recovers when the controller sends bgp_session_up. A session down for more than ${BGP_STATE_WINDOW} shows recovered without it: check the controller's BGP status before closing.{{/is_alert}}`
              : "bgp_session_up is not pushed (push.events): this alert closes by itself five minutes after the last bgp_session_down, not when the session returns.{{/is_alert}}",
            recoversOnUp
              ? `{{#is_recovery}}BGP on ${controller} (${props.environment}) is up again: bgp_session_up arrived (or the down is older than ${BGP_STATE_WINDOW}).{{/is_recovery}}`
              : `{{#is_recovery}}No bgp_session_down from ${controller} for ${PUSH_EVENT_WINDOW_MINUTES} minutes.{{/is_recovery}}`,
            [`@webhook-${props.webhookName}`, ...(props.fallbackNotify ?? [])].join(" "),
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
