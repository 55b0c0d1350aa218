/**
 * A fleet overview's state location is chosen once (stacks/fleet-state.ts): `backend.fleet: true`
 * on one definition per fleet overview (one per Datadog organization), or the one S3 location all
 * of them there name. Onboarding an
 * environment whose name sorts earlier, with another bucket, never moves it.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { EnvironmentValidationError, loadEnvironments } from "../../stacks/environment/load";
import type { EnvironmentInput } from "../../contract/definition/schema";
import { fleetGroups, fleetPlan } from "../../stacks/fleet-groups";
import { baseDefinition } from "../helpers/synth";

const scratch: string[] = [];
afterAll(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function load(files: Record<string, EnvironmentInput>) {
  const dir = mkdtempSync(path.join(tmpdir(), "fleet-state-"));
  scratch.push(dir);
  for (const [name, input] of Object.entries(files)) writeFileSync(path.join(dir, `${name}.yaml`), stringify(input));
  return () => loadEnvironments(dir, { labelRoot: dir }).map((e) => e.definition);
}
const env = (name: string, backend: EnvironmentInput["backend"]) => baseDefinition({ name, backend, ticketing: { webhookUrl: `https://tickets.example.com/${name}` } });

describe("the fleet overview's state", () => {
  it("stays in the bucket of the definition that held it when one whose name sorts earlier arrives with another bucket", () => {
    const before = load({ "globex-prod": env("globex-prod", { type: "s3", bucket: "globex-state" }) })();
    expect(fleetPlan(before).backend).toMatchObject({ bucket: "globex-state", key: "vpn-monitor/fleet.tfstate" });

    // acme-prod sorts first: without the marker the set is refused, naming both files and the field.
    const unmarked = load({ "globex-prod": env("globex-prod", { type: "s3", bucket: "globex-state" }), "acme-prod": env("acme-prod", { type: "s3", bucket: "acme-state" }) });
    expect(unmarked).toThrow(EnvironmentValidationError);
    expect(unmarked).toThrow(
      "acme-prod.yaml, globex-prod.yaml (Datadog site EU): backend.fleet: acme-prod, globex-prod keep state in different S3 locations; set backend.fleet: true in the one whose bucket holds the fleet overview's state (until now: its key vpn-monitor/fleet*.tfstate), so that it never moves",
    );

    const marked = load({ "globex-prod": env("globex-prod", { type: "s3", bucket: "globex-state", fleet: true }), "acme-prod": env("acme-prod", { type: "s3", bucket: "acme-state" }) })();
    expect(fleetPlan(marked).backend).toMatchObject({ bucket: "globex-state", key: "vpn-monitor/fleet.tfstate" });
  });

  it("refuses the marker on two definitions of one site, naming both files", () => {
    const twice = load({ "acme-prod": env("acme-prod", { type: "s3", bucket: "acme-state", fleet: true }), "globex-prod": env("globex-prod", { type: "s3", bucket: "globex-state", fleet: true }) });
    expect(twice).toThrow("acme-prod.yaml, globex-prod.yaml (Datadog site EU): backend.fleet is true in acme-prod, globex-prod: exactly one definition per fleet overview (one per Datadog organization) holds its state");
  });

  it("chooses per Datadog organization: two customers' organizations on one site each keep their fleet state in their own bucket, unmarked", () => {
    const inOrganization = (name: string, organization: string) => ({ ...env(name, { type: "s3", bucket: `${name}-state` }), datadog: { ...env(name, undefined).datadog, organization } });
    const both = load({ "acme-prod": inOrganization("acme-prod", "acme"), "globex-prod": inOrganization("globex-prod", "globex") })();
    expect(fleetGroups(both).map((group) => [group.stackId, fleetPlan(group.environments, group.stackId).backend])).toEqual([
      ["vpn-monitor-fleet-eu-acme", expect.objectContaining({ bucket: "acme-prod-state", key: "vpn-monitor/fleet-eu-acme.tfstate" })],
      ["vpn-monitor-fleet-eu-globex", expect.objectContaining({ bucket: "globex-prod-state", key: "vpn-monitor/fleet-eu-globex.tfstate" })],
    ]);
    // Within one organization the rule holds as before, and the message names the organization.
    const sameOrganization = load({ "acme-prod": inOrganization("acme-prod", "acme"), "acme-dev": inOrganization("acme-dev", "acme") });
    expect(sameOrganization).toThrow("acme-dev.yaml, acme-prod.yaml (Datadog organization acme on site EU): backend.fleet: acme-dev, acme-prod keep state in different S3 locations");
  });

  it("refuses a marker that is not a boolean, with the field", () => {
    const bad = load({ "acme-prod": env("acme-prod", { type: "s3", bucket: "acme-state", fleet: "yes" as unknown as boolean }) });
    expect(bad).toThrow('acme-prod.yaml: backend.fleet "yes" must be true or false');
  });
});
