/**
 * `vpn-monitor-fleet`: one dashboard over every environment. It has no AWS side; its Datadog
 * provider is the environments' site, and a dashboard can only show its own Datadog org, so
 * environments on different sites cannot share one: {@link fleetGroups} makes one fleet stack per
 * site (`vpn-monitor-fleet-<site>`) when a repository serves several.
 */
import { DashboardJson } from "@cdktf/provider-datadog/lib/dashboard-json";
import { DatadogProvider } from "@cdktf/provider-datadog/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { datadogApiUrl } from "../contract/datadog-sites";
import { FLEET_STACK_ID } from "../contract/names";
import { fleetPlan, type FleetEnvironmentDefinition } from "./fleet-groups";
import { dashboardSearchUrl, environmentDashboardTitle, FLEET_DASHBOARD_TITLE, fleetDashboard } from "./datadog/dashboards";
import type { EnvironmentDefinition } from "../contract/definition/schema";

export { FleetDefinitionError, fleetGroups, fleetPlan, type FleetEnvironmentDefinition, type FleetPlan } from "./fleet-groups";
export { FLEET_STACK_ID };

export interface FleetStackProps {
  /** Every validated environment definition on one Datadog site. */
  readonly environments: readonly FleetEnvironmentDefinition[];
  /** Stack id, from {@link fleetGroups}. @default "vpn-monitor-fleet" */
  readonly stackId?: string;
}

export class FleetStack extends TerraformStack {
  readonly dashboard: DashboardJson;

  constructor(scope: Construct, props: FleetStackProps) {
    const stackId = props.stackId ?? FLEET_STACK_ID;
    super(scope, stackId);
    const plan = fleetPlan(props.environments, stackId);
    this.configureBackend(plan.backend);
    // Credentials come from DD_API_KEY / DD_APP_KEY in the deployer's environment, never from here.
    new DatadogProvider(this, "datadog", { apiUrl: `${datadogApiUrl(plan.site)}/` });

    const environments = [...props.environments]
      .map((env) => env.name)
      .sort()
      .map((name) => ({ name, dashboardLink: dashboardSearchUrl(plan.site, environmentDashboardTitle(name)) }));
    this.dashboard = new DashboardJson(this, "dashboard", { dashboard: JSON.stringify(fleetDashboard(environments, FLEET_DASHBOARD_TITLE)) });
    new TerraformOutput(this, "fleet_dashboard_url", { value: this.dashboard.url });
  }

  private configureBackend(backend: EnvironmentDefinition["backend"]): void {
    if (backend.type !== "s3") {
      // As the environment stacks: relative to cdktf.out/stacks/<stack>, i.e. the project root.
      new LocalBackend(this, { path: `../../../terraform.${this.node.id}.tfstate` });
      return;
    }
    new S3Backend(this, {
      bucket: backend.bucket,
      key: backend.key ?? `vpn-monitor/${this.node.id}.tfstate`,
      region: backend.region!,
      encrypt: true,
      ...(backend.kmsKeyId ? { kmsKeyId: backend.kmsKeyId } : {}),
      ...(backend.dynamodbTable ? { dynamodbTable: backend.dynamodbTable } : {}),
    });
    if (!backend.dynamodbTable) this.addOverride("terraform.backend.s3.use_lockfile", true);
  }
}
