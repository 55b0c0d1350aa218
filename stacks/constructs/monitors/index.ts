/**
 * The Datadog monitors of one environment: tunnels down (grouped by the definition's mode), each
 * controller the checker cannot read, and the checker itself gone silent. Each condition pages
 * once; see queries.ts for the rule and docs/stacks.md for the missing-data options and why.
 */
import { Monitor, type MonitorConfig } from "@cdktf/provider-datadog/lib/monitor";
import type { ITerraformDependable } from "cdktf";
import type { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { Construct } from "constructs";
import { TAG_KEYS } from "../../../contract/metrics";
import type { MonitorMode } from "../../../contract/definition/schema";
import {
  CHECKER_MONITOR_THRESHOLD,
  checkerMonitorMessage,
  checkerMonitorQuery,
  controllerMonitorMessage,
  controllerMonitorQuery,
  ON_MISSING_DATA,
  tunnelMonitorMessage,
  tunnelMonitorQuery,
  type MessageExtras,
  type MonitorSettings,
} from "./queries";

/** Datadog monitor names of an environment (contract/names.ts). */
export interface MonitorNames {
  readonly tunnel: string;
  readonly controller: string;
  readonly checker: string;
}

export interface EnvironmentMonitorsProps {
  /** Environment name: every query is scoped to, and every monitor tagged, `vpn_environment:<name>`. */
  readonly environment: string;
  /** Monitor names. */
  readonly names: MonitorNames;
  /** How tunnel alerts are grouped. @default "simple" */
  readonly mode?: MonitorMode;
  /** Evaluation window in minutes. @default 5 */
  readonly windowMinutes?: number;
  /** Datadog priority, 1 (highest) to 5. @default none */
  readonly priority?: number | undefined;
  /** Minutes between re-notifications while a condition lasts. @default no re-notification */
  readonly renotifyIntervalMinutes?: number | undefined;
  /** Extra text or @-mentions for every message. @default none */
  readonly extraMessage?: string | undefined;
  /** Datadog role ids that alone may edit, delete or mute the monitors. @default none (no restriction) */
  readonly restrictedRoles?: readonly string[] | undefined;
  /** The ticket webhook; Datadog rejects a mention of one that does not exist yet, so the monitors depend on it. */
  readonly webhook: Webhook;
  /** The webhook's name, mentioned as `@webhook-<name>`. */
  readonly webhookName: string;
  /**
   * Full https URL of the environment's dashboard, linked from every message: a literal, or
   * `dashboardLink(site, dashboard.url)` for a dashboard in the same stack. @default no link
   */
  readonly dashboardUrl?: string | undefined;
  /** The checker Lambda's name, which the silent-checker message tells the operator to look at. */
  readonly checkerFunctionName: string;
  /** `ticketing.fallbackNotify`: @-handles notified beside the webhook in every message. @default none */
  readonly fallbackNotify?: readonly string[] | undefined;
  /**
   * What proves the checker can post (the first check run at deploy, `CheckerFirstPost`): the
   * monitors are created only after it, so none is relied on before a first point arrived. @default none
   */
  readonly afterFirstPost?: ITerraformDependable | undefined;
}

export class EnvironmentMonitors extends Construct {
  /** Tunnels down: one alert, or one per partner or per tunnel. */
  readonly tunnelMonitor: Monitor;
  /** One alert per controller the checker cannot read. */
  readonly controllerMonitor: Monitor;
  /** The checker's heartbeat: pages once when the whole environment goes silent. */
  readonly checkerMonitor: Monitor;

  constructor(scope: Construct, id: string, props: EnvironmentMonitorsProps) {
    super(scope, id);
    if (props.dashboardUrl !== undefined && !props.dashboardUrl.startsWith("https://")) {
      throw new Error(`${this.node.path}: dashboardUrl must be a full https:// URL (use dashboardLink(site, dashboard.url)), got ${JSON.stringify(props.dashboardUrl)}`);
    }
    const settings: MonitorSettings = { environment: props.environment, mode: props.mode ?? "simple", windowMinutes: props.windowMinutes ?? 5 };
    const extras: MessageExtras = {
      webhookName: props.webhookName,
      dashboardUrl: props.dashboardUrl,
      extraMessage: props.extraMessage,
      fallbackNotify: props.fallbackNotify,
    };

    const common = (...renotifyStatuses: ("alert" | "no data")[]): Omit<MonitorConfig, "name" | "query" | "message"> => ({
      type: "query alert",
      // The provider defaults this to true, which waits for a full window of data and can miss a
      // lone 0: a tunnel that flaps once must still alert.
      requireFullWindow: false,
      includeTags: true,
      // Maintenance windows select this environment's monitors by this tag.
      tags: [`${TAG_KEYS.environment}:${props.environment}`, "managed-by:cdktf"],
      dependsOn: [props.webhook, ...(props.afterFirstPost !== undefined ? [props.afterFirstPost] : [])],
      ...(props.priority !== undefined ? { priority: String(props.priority) } : {}),
      // Re-notify only in the state this monitor notifies for: a silent NO DATA must stay silent.
      ...(props.renotifyIntervalMinutes !== undefined ? { renotifyInterval: props.renotifyIntervalMinutes, renotifyStatuses: renotifyStatuses } : {}),
      ...(props.restrictedRoles !== undefined ? { restrictedRoles: [...props.restrictedRoles] } : {}),
    });

    this.tunnelMonitor = new Monitor(this, "tunnels", {
      ...common("alert"),
      name: props.names.tunnel,
      query: tunnelMonitorQuery(settings),
      message: tunnelMonitorMessage(settings, extras),
      monitorThresholds: { critical: "1" },
      // A tunnel, partner or whole environment without data shows NO DATA and notifies nobody: a
      // renamed, removed or disabled tunnel needs no action, and a silent checker pages once, below.
      onMissingData: ON_MISSING_DATA.silent,
    });

    this.controllerMonitor = new Monitor(this, "controllers", {
      ...common("alert"),
      name: props.names.controller,
      query: controllerMonitorQuery(settings),
      message: controllerMonitorMessage(settings, extras),
      monitorThresholds: { critical: "1" },
      // A controller removed from the definition stops reporting: silent, like a removed tunnel.
      onMissingData: ON_MISSING_DATA.silent,
    });

    this.checkerMonitor = new Monitor(this, "checker", {
      // Alerts through its threshold (no point in the window); NO DATA only if the count itself
      // stops, which pages too.
      ...common("alert", "no data"),
      name: props.names.checker,
      query: checkerMonitorQuery(settings),
      message: checkerMonitorMessage(settings, { ...extras, checkerFunctionName: props.checkerFunctionName }),
      monitorThresholds: { critical: CHECKER_MONITOR_THRESHOLD },
      onMissingData: ON_MISSING_DATA.page,
    });
  }
}
