/**
 * The two Datadog monitors of an environment: any tunnel at 0 in the window, and any controller
 * the checker could not read (which also pages when the checker stops posting).
 */
import { Monitor } from "@cdktf/provider-datadog/lib/monitor";
import type { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { Construct } from "constructs";
import type { EnvironmentDefinition } from "../environment/schema";
import {
  controllerMonitorMessage,
  controllerMonitorQuery,
  noDataTimeframeMinutes,
  tunnelMonitorMessage,
  tunnelMonitorQuery,
} from "../monitoring";
import type { ResourceNames } from "../../contract/names";

export interface TunnelMonitorsProps {
  readonly env: EnvironmentDefinition;
  readonly names: ResourceNames;
  /** The ticket webhook, mentioned as `@webhook-<name>`; Datadog rejects a mention of one that does not exist yet. */
  readonly webhook: Webhook;
  readonly webhookName: string;
}

export class TunnelMonitors extends Construct {
  readonly tunnelMonitor: Monitor;
  readonly controllerMonitor: Monitor;

  constructor(scope: Construct, id: string, props: TunnelMonitorsProps) {
    super(scope, id);
    const { env, names } = props;
    const common = {
      type: "query alert",
      monitorThresholds: { critical: "1" },
      // The provider defaults this to true, which waits for a full window of data and can miss a
      // lone 0: a tunnel that flaps once must still alert.
      requireFullWindow: false,
      notifyNoData: true,
      noDataTimeframe: noDataTimeframeMinutes(env),
      includeTags: true,
      tags: [`vpn_environment:${env.name}`, "managed-by:cdktf"],
      dependsOn: [props.webhook],
      ...(env.monitor.priority !== undefined ? { priority: String(env.monitor.priority) } : {}),
      ...(env.monitor.renotifyIntervalMinutes !== undefined
        ? { renotifyInterval: env.monitor.renotifyIntervalMinutes, renotifyStatuses: ["alert", "no data"] }
        : {}),
    };

    this.tunnelMonitor = new Monitor(this, "tunnels", {
      ...common,
      name: names.tunnelMonitor,
      query: tunnelMonitorQuery(env),
      message: tunnelMonitorMessage(env, props.webhookName),
    });

    this.controllerMonitor = new Monitor(this, "controllers", {
      ...common,
      name: names.controllerMonitor,
      query: controllerMonitorQuery(env),
      message: controllerMonitorMessage(env, props.webhookName),
    });
  }
}
