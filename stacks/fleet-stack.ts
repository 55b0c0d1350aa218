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
import { datadogApiUrl, type DatadogSiteName } from "../contract/datadog-sites";
import { dashboardSearchUrl, environmentDashboardTitle, FLEET_DASHBOARD_TITLE, fleetDashboard } from "./datadog/dashboards";
import type { EnvironmentDefinition } from "./environment/schema";

/** Stack id, also the deploy target: `npx cdktf deploy vpn-monitor-fleet`. */
export const FLEET_STACK_ID = "vpn-monitor-fleet";

/** The fleet stacks of a repository: one per Datadog site, named plainly when there is one site. */
export function fleetGroups<T extends FleetEnvironmentDefinition>(environments: readonly T[]): { readonly stackId: string; readonly environments: readonly T[] }[] {
  const bySite = new Map<DatadogSiteName, T[]>();
  for (const env of environments) bySite.set(env.datadog.site, [...(bySite.get(env.datadog.site) ?? []), env]);
  if (bySite.size <= 1) return environments.length === 0 ? [] : [{ stackId: FLEET_STACK_ID, environments }];
  return [...bySite.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([site, members]) => ({ stackId: `${FLEET_STACK_ID}-${site.toLowerCase()}`, environments: members }));
}

/** What the fleet stack reads of each definition. */
export type FleetEnvironmentDefinition = Pick<EnvironmentDefinition, "name" | "datadog" | "backend" | "aws">;

/** Thrown when the environments cannot share one fleet dashboard. */
export class FleetDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FleetDefinitionError";
  }
}

/** The site and state location of the fleet stack. */
export interface FleetPlan {
  readonly site: DatadogSiteName;
  readonly backend: EnvironmentDefinition["backend"];
}

/**
 * Where the fleet stack lives: the one Datadog site all environments use (mixed sites are refused,
 * naming each environment's site), and the state backend of the first environment by name (same
 * bucket, region and lock table; key `vpn-monitor/fleet.tfstate`), or local state.
 */
export function fleetPlan(environments: readonly FleetEnvironmentDefinition[], stackId: string = FLEET_STACK_ID): FleetPlan {
  if (environments.length === 0) throw new FleetDefinitionError(`${FLEET_STACK_ID}: needs at least one environment`);
  const sorted = [...environments].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const sites = new Set(sorted.map((env) => env.datadog.site));
  if (sites.size > 1) {
    const bySite = sorted.map((env) => `${env.name}: ${env.datadog.site}`).join(", ");
    throw new FleetDefinitionError(
      `${FLEET_STACK_ID}: every environment's datadog.site must be the same, because one dashboard shows one Datadog org; found ${bySite}`,
    );
  }
  const first = sorted[0]!;
  const backend: EnvironmentDefinition["backend"] =
    first.backend.type === "s3"
      ? {
          type: "s3",
          bucket: first.backend.bucket,
          key: `vpn-monitor/${stackId.replace(/^vpn-monitor-/, "")}.tfstate`,
          region: first.backend.region ?? first.aws.region,
          ...(first.backend.kmsKeyId === undefined ? {} : { kmsKeyId: first.backend.kmsKeyId }),
          ...(first.backend.dynamodbTable === undefined ? {} : { dynamodbTable: first.backend.dynamodbTable }),
        }
      : { type: "local" };
  return { site: first.datadog.site, backend };
}

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
