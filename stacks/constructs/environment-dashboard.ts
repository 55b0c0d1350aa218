/**
 * One Datadog dashboard per environment, deployed as the API's own JSON (`datadog_dashboard_json`)
 * so that the body can be validated against Datadog's published model before any deploy.
 */
import { DashboardJson } from "@cdktf/provider-datadog/lib/dashboard-json";
import { Construct } from "constructs";
import type { SignalGroup } from "../../contract/signals";
import { environmentDashboard } from "../datadog/dashboards";
import type { SignalWidgetThresholds } from "../datadog/signal-widgets";

export interface EnvironmentDashboardProps {
  /** Value of the `vpn_environment` tag; the dashboard is titled with it. */
  readonly environment: string;
  /** The availability SLO's id, for its widget. @default no SLO widget */
  readonly sloId?: string;
  /** The SLO's timeframe, shown first. @default 30d */
  readonly sloTimeframe?: "7d" | "30d" | "90d";
  /** Signal groups that are on: each gets its widgets. @default none */
  readonly signalGroups?: ReadonlySet<SignalGroup>;
  /** Warning thresholds the health columns colour by. @default 90 each */
  readonly healthThresholds?: SignalWidgetThresholds;
  /** The pushed tunnel events' search, overlaid on the re-establishment graph. @default none (push off) */
  readonly pushTunnelEvents?: string;
}

export class EnvironmentDashboard extends Construct {
  readonly dashboard: DashboardJson;

  constructor(scope: Construct, id: string, props: EnvironmentDashboardProps) {
    super(scope, id);
    this.dashboard = new DashboardJson(this, "dashboard", {
      dashboard: JSON.stringify(
        environmentDashboard({
          environment: props.environment,
          ...(props.sloId === undefined ? {} : { sloId: props.sloId }),
          ...(props.sloTimeframe === undefined ? {} : { sloTimeframe: props.sloTimeframe }),
          ...(props.signalGroups === undefined
            ? {}
            : {
                signals: {
                  enabled: props.signalGroups,
                  ...(props.healthThresholds === undefined ? {} : { thresholds: props.healthThresholds }),
                  ...(props.pushTunnelEvents === undefined ? {} : { pushTunnelEvents: props.pushTunnelEvents }),
                },
              }),
        }),
      ),
    });
  }

  /**
   * The dashboard's URL for monitor messages: the resource's `url` attribute, a path such as
   * `/dashboard/abc-def-ghi/…` (a Terraform reference, known after apply). Prefix it with
   * `datadogAppUrl(site)` from contract/datadog-sites.ts for an absolute link.
   */
  get url(): string {
    return this.dashboard.url;
  }
}
