/**
 * `datadog.organization`: one repository may serve several Datadog organizations on one site (a
 * managed-service team whose customers each own one). Webhook and custom-variable names are unique
 * within an organization, not the repository, and each organization gets its own fleet overview.
 */
import { fleetPreflight } from "../../../cli/preflight/core";
import { datadogOrganizationKey } from "../../../contract/names";
import { crossCheckEnvironments, validateEnvironment, type LoadedEnvironment } from "../../../stacks/environment/load";
import type { EnvironmentInput } from "../../../contract/definition/schema";
import { FleetDefinitionError, fleetGroups, fleetPlan } from "../../../stacks/fleet-groups";
import { baseDefinition } from "../../helpers/synth";

function loaded(name: string, datadog: Partial<EnvironmentInput["datadog"]>, ticketing: Partial<EnvironmentInput["ticketing"]> = {}): LoadedEnvironment {
  const base = baseDefinition();
  const result = validateEnvironment(`environments/${name}.yaml`, { ...base, name, datadog: { ...base.datadog, ...datadog }, ticketing: { ...base.ticketing, ...ticketing } });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return { file: `environments/${name}.yaml`, definition: result.definition };
}
const labelOf = (file: string) => file;

describe("datadog.organization", () => {
  it("is a short slug, and names the organization with its site", () => {
    expect(datadogOrganizationKey(loaded("acme-prod", { organization: "acme" }).definition.datadog)).toBe("eu/acme");
    expect(datadogOrganizationKey(loaded("acme-prod", {}).definition.datadog)).toBe("eu");
    const result = validateEnvironment("environments/acme-prod.yaml", { ...baseDefinition(), datadog: { ...baseDefinition().datadog, organization: "Acme Corp" } });
    expect(result.ok ? [] : result.problems).toEqual([
      'environments/acme-prod.yaml: datadog.organization "Acme Corp" must be lowercase letters, digits and hyphens (2-32), starting with a letter and not ending with a hyphen: it becomes part of the fleet stack name',
    ]);
  });

  it("lets two organizations use one webhook and variable name, and refuses both twice in one organization", () => {
    const ticketing = { webhookName: "vpn-tickets", secretVariables: ["TICKET_TOKEN"], customHeaders: { Authorization: "Bearer $TICKET_TOKEN" } };
    const acme = loaded("acme-prod", { organization: "acme" }, ticketing);
    const globex = loaded("globex-prod", { organization: "globex" }, ticketing);
    const acmeLab = loaded("acme-lab", { organization: "acme" }, ticketing);

    expect(crossCheckEnvironments([acme, globex], labelOf)).toEqual([]);
    expect(crossCheckEnvironments([acme, globex, acmeLab], labelOf)).toEqual([
      'environments/acme-lab.yaml: ticketing.webhookName "vpn-tickets" is already used by environments/acme-prod.yaml in Datadog organization eu/acme (Datadog webhook names must be unique within an organization)',
      'environments/acme-lab.yaml: ticketing.secretVariables "TICKET_TOKEN" is already used by environments/acme-prod.yaml in Datadog organization eu/acme (Datadog webhook variables must be unique within an organization)',
    ]);
  });

  it("makes one fleet overview per organization, named by site and organization, plainly when there is one", () => {
    const acme = loaded("acme-prod", { organization: "acme" }).definition;
    const globex = loaded("globex-prod", { organization: "globex" }).definition;
    const plain = loaded("own-prod", {}).definition;

    expect(fleetGroups([acme]).map((g) => [g.stackId, g.environments.map((e) => e.name)])).toEqual([["vpn-monitor-fleet", ["acme-prod"]]]);
    expect(fleetGroups([plain, globex, acme]).map((g) => [g.stackId, g.environments.map((e) => e.name)])).toEqual([
      ["vpn-monitor-fleet-eu", ["own-prod"]],
      ["vpn-monitor-fleet-eu-acme", ["acme-prod"]],
      ["vpn-monitor-fleet-eu-globex", ["globex-prod"]],
    ]);
  });

  it("refuses one fleet dashboard over two organizations, naming each environment's", () => {
    const acme = loaded("acme-prod", { organization: "acme" }).definition;
    const plain = loaded("own-prod", {}).definition;

    expect(() => fleetPlan([acme, plain])).toThrow(
      new FleetDefinitionError(
        "vpn-monitor-fleet: every environment's datadog.organization must be the same, because one dashboard shows one Datadog org; found acme-prod: acme, own-prod: (none)",
      ),
    );
  });

  it("says in preflight which organization a fleet overview's keys must belong to", () => {
    const result = fleetPreflight({ stack: "vpn-monitor-fleet-eu-acme", environments: [loaded("acme-prod", { organization: "acme" })], labelOf, env: {} });

    expect(result.notes).toContain("datadog: site EU (https://api.datadoghq.eu/), organization acme: DD_API_KEY and DD_APP_KEY must be keys of that Datadog org");
  });
});
