/**
 * The monitors of the checker's signal groups (traffic silence, re-establishments, controller
 * disk, inodes and memory, certificate and credential expiry): one `datadog_monitor` per spec of
 * signal-queries.ts, with the environment's common options, so maintenance windows (which select
 * monitors by the `vpn_environment` tag) mute them like the others.
 */
import { Monitor } from "@cdktf/provider-datadog/lib/monitor";
import type { Webhook } from "@cdktf/provider-datadog/lib/webhook";
import { Construct } from "constructs";
import { TAG_KEYS } from "../../../contract/metrics";
import type { MonitorMode } from "../../../contract/definition/schema";
import type { SignalsDefinition } from "../../../contract/definition/signals-schema";
import { signalMonitorSpecs, type SignalMonitorKind } from "./signal-queries";

export interface SignalMonitorsProps {
  /** Environment name: every query is scoped to, and every monitor tagged, `vpn_environment:<name>`. */
  readonly environment: string;
  /** The definition's monitor mode: the silence monitor's default grouping. @default "simple" */
  readonly mode?: MonitorMode;
  /** The definition's `signals:` section, defaults applied. */
  readonly signals: SignalsDefinition;
  /** Datadog priority for monitors whose signal fixes none. @default none */
  readonly priority?: number | undefined;
  /** Extra text or @-mentions for every message. @default none */
  readonly extraMessage?: string | undefined;
  /** `ticketing.fallbackNotify`: @-handles notified beside the webhook. @default none */
  readonly fallbackNotify?: readonly string[] | undefined;
  /** Datadog role ids that alone may edit, delete or mute the monitors. @default none */
  readonly restrictedRoles?: readonly string[] | undefined;
  /** The ticket webhook; the monitors depend on it (Datadog rejects a mention of a missing one). */
  readonly webhook: Webhook;
  /** Mentioned as `@webhook-<name>`. */
  readonly webhookName: string;
  /** Full https URL of the environment's dashboard, linked from every message. @default no link */
  readonly dashboardUrl?: string | undefined;
}

export class SignalMonitors extends Construct {
  /** The monitors created, by kind; a group that is off has none. */
  readonly monitors: ReadonlyMap<SignalMonitorKind, Monitor>;

  constructor(scope: Construct, id: string, props: SignalMonitorsProps) {
    super(scope, id);
    if (props.dashboardUrl !== undefined && !props.dashboardUrl.startsWith("https://")) {
      throw new Error(`${this.node.path}: dashboardUrl must be a full https:// URL (use dashboardLink(site, dashboard.url)), got ${JSON.stringify(props.dashboardUrl)}`);
    }
    const specs = signalMonitorSpecs(
      { environment: props.environment, mode: props.mode ?? "simple", signals: props.signals },
      { webhookName: props.webhookName, dashboardUrl: props.dashboardUrl, extraMessage: props.extraMessage, fallbackNotify: props.fallbackNotify },
    );
    const monitors = new Map<SignalMonitorKind, Monitor>();
    for (const spec of specs) {
      const priority = spec.priority ?? props.priority;
      monitors.set(
        spec.kind,
        new Monitor(this, spec.kind, {
          type: "query alert",
          name: spec.name,
          query: spec.query,
          message: spec.message,
          monitorThresholds: spec.thresholds,
          requireFullWindow: spec.requireFullWindow,
          onMissingData: spec.onMissingData,
          includeTags: true,
          tags: [`${TAG_KEYS.environment}:${props.environment}`, "managed-by:cdktf", `signal:${spec.kind}`],
          dependsOn: [props.webhook],
          ...(spec.newGroupDelaySeconds !== undefined ? { newGroupDelay: spec.newGroupDelaySeconds } : {}),
          ...(priority !== undefined ? { priority: String(priority) } : {}),
          ...(props.restrictedRoles !== undefined ? { restrictedRoles: [...props.restrictedRoles] } : {}),
        }),
      );
    }
    this.monitors = monitors;
  }
}
