/**
 * Which fleet overview stacks a repository has: one per Datadog organization (a site, or a named
 * organization on it), because one dashboard shows one Datadog org. Pure (no cdktf), so the CLIs can list deploy targets without loading it.
 */
import type { DatadogSiteName } from "../contract/datadog-sites";
import { datadogOrganizationKey, FLEET_STACK_ID } from "../contract/names";
import { isDeployTarget, type EnvironmentDefinition } from "../contract/definition/schema";
import { fleetStateHolder } from "./fleet-state";

/** What the fleet stack reads of each definition. */
export type FleetEnvironmentDefinition = Pick<EnvironmentDefinition, "name" | "datadog" | "backend" | "aws"> & Partial<Pick<EnvironmentDefinition, "deploy">>;

/**
 * The fleet stacks of a repository: one per Datadog organization (site, and `datadog.organization`
 * when named), named plainly when there is one: `vpn-monitor-fleet`, else `vpn-monitor-fleet-<site>`
 * for a site's unnamed organization and `vpn-monitor-fleet-<site>-<organization>` for a named one.
 *
 * Examples (`deploy: false`) never share a deployed overview: where an organization has a deploy
 * target, its overview shows the deploy targets only, and the names come from the deploy targets
 * alone, so deleting the examples later renames nothing and moves no state. An organization with
 * examples only keeps an overview of them (named by its organization), synthesized for the review
 * and never a deploy target (cli/preflight/targets.ts).
 */
export function fleetGroups<T extends FleetEnvironmentDefinition>(environments: readonly T[]): { readonly stackId: string; readonly environments: readonly T[] }[] {
  const deployed = environments.filter(isDeployTarget);
  if (deployed.length === 0 || deployed.length === environments.length) return groupsByOrganization(environments, true);
  const deployedOrganizations = new Set(deployed.map((env) => datadogOrganizationKey(env.datadog)));
  const examplesOnly = environments.filter((env) => !deployedOrganizations.has(datadogOrganizationKey(env.datadog)));
  return [...groupsByOrganization(deployed, true), ...groupsByOrganization(examplesOnly, false)].sort((a, b) => (a.stackId < b.stackId ? -1 : 1));
}

function groupsByOrganization<T extends FleetEnvironmentDefinition>(environments: readonly T[], plainWhenOne: boolean): { readonly stackId: string; readonly environments: readonly T[] }[] {
  const byOrganization = new Map<string, T[]>();
  for (const env of environments) {
    const key = datadogOrganizationKey(env.datadog);
    byOrganization.set(key, [...(byOrganization.get(key) ?? []), env]);
  }
  if (plainWhenOne && byOrganization.size <= 1) return environments.length === 0 ? [] : [{ stackId: FLEET_STACK_ID, environments }];
  return [...byOrganization.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, members]) => ({ stackId: `${FLEET_STACK_ID}-${key.replace("/", "-")}`, environments: members }));
}

/**
 * fleetStateHolder's problem for each fleet overview's group ({@link fleetGroups}: examples never
 * choose a deployed overview's state), with the files to edit.
 */
export function fleetStateProblems<T extends FleetEnvironmentDefinition>(
  loaded: readonly { readonly file: string; readonly definition: T }[],
  labelOf: (file: string) => string,
): string[] {
  const fileOf = new Map(loaded.map((entry) => [entry.definition, entry.file]));
  return fleetGroups(loaded.map((entry) => entry.definition)).flatMap(({ environments }) => {
    const result = fleetStateHolder(environments);
    if (!("problem" in result)) return [];
    const candidates = environments.filter((env) => env.backend.type === "s3" && (env.backend.fleet === true || !result.problem.startsWith("backend.fleet is true")));
    const { site, organization } = environments[0]!.datadog;
    const where = organization === undefined ? `Datadog site ${site}` : `Datadog organization ${organization} on site ${site}`;
    return [`${candidates.map((env) => labelOf(fileOf.get(env)!)).join(", ")} (${where}): ${result.problem}`];
  });
}

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
  /** `datadog.organization` of every environment it shows. @default none: the site's one organization */
  readonly organization?: string;
  readonly backend: EnvironmentDefinition["backend"];
}

/**
 * Where the fleet stack lives: the one Datadog site all environments use (mixed sites are refused,
 * naming each environment's site), and the state backend of the definition stacks/fleet-state.ts
 * chooses (same bucket, region and lock table; key `vpn-monitor/fleet.tfstate`), or local state.
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
  const organizations = new Set(sorted.map((env) => env.datadog.organization));
  if (organizations.size > 1) {
    const byOrganization = sorted.map((env) => `${env.name}: ${env.datadog.organization ?? "(none)"}`).join(", ");
    throw new FleetDefinitionError(
      `${FLEET_STACK_ID}: every environment's datadog.organization must be the same, because one dashboard shows one Datadog org; found ${byOrganization}`,
    );
  }
  const chosen = fleetStateHolder(sorted);
  if ("problem" in chosen) throw new FleetDefinitionError(`${stackId}: ${chosen.problem}`);
  const first = chosen.holder ?? sorted[0]!;
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
  return { site: first.datadog.site, ...(first.datadog.organization === undefined ? {} : { organization: first.datadog.organization }), backend };
}
