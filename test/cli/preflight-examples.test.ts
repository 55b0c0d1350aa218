/**
 * Examples (`deploy: false`) are synthesized and reviewed, never deployed: `npm run preflight --
 * --list` (what deploy.yml, drift.yml and github-setup read) leaves them out, and so their fleet
 * overview when it shows examples only; preflight refuses one by name, naming the file and the
 * field; a deployed fleet overview never shows an example, nor takes its name or state from one.
 * Definitions: the tests' copies of the examples (test/fixtures/environments/), marked here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { main as githubSetup } from "../../cli/github-setup/main";
import { runPreflight } from "../helpers/preflight-run";
import { deployTargets } from "../../cli/preflight/targets";
import { bootstrapLayout } from "../../stacks/bootstrap/accounts";
import { EnvironmentValidationError, loadEnvironments } from "../../stacks/environment/load";
import { fleetGroups } from "../../stacks/fleet-groups";
import { fixtureEnvironment } from "../helpers/fixture-environments";
import { memoryIo } from "../helpers/cli-harness";
import { baseDefinition } from "../helpers/synth";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "preflight-examples-"));
  // example-simple: Datadog EU, local state; example-multi: US1, S3 state in account 123456789012.
  for (const file of ["example-simple.yaml", "example-multi.yaml"]) copyFileSync(fixtureEnvironment(file), path.join(dir, file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Marks a copied example as the shipped ones are: `deploy: false` right after its name. */
function markExample(name: string): void {
  const file = path.join(dir, `${name}.yaml`);
  const text = readFileSync(file, "utf8");
  writeFileSync(file, text.replace(`\nname: ${name}\n`, `\nname: ${name}\ndeploy: false\n`));
  expect(readFileSync(file, "utf8")).toContain("\ndeploy: false\n");
}

/** acme-prod on Datadog EU, a deploy target like every definition onboard writes. */
function writeAcme(overrides: Parameters<typeof baseDefinition>[0] = {}): void {
  writeFileSync(path.join(dir, "acme-prod.yaml"), stringify(baseDefinition(overrides)));
}

const run = (argv: readonly string[]) => runPreflight(dir, argv, { GITHUB_ACTIONS: "true" });


describe("preflight --list with examples", () => {
  it("lists nothing when every definition is an example, as on a fresh clone: the deploy and drift runs then plan nothing", async () => {
    markExample("example-simple");
    markExample("example-multi");

    expect(await run(["--list"])).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("leaves out the example, and names the fleet overview from the deploy targets: one site left, so plainly fleet", async () => {
    markExample("example-simple");

    expect(await run(["--list"])).toEqual({ code: 0, stdout: "example-multi\nfleet\n", stderr: "" });
  });

  it("names the deployed fleet overview from the deploy targets alone, so deleting the examples later renames nothing", async () => {
    markExample("example-simple");
    markExample("example-multi");
    writeAcme();

    expect((await run(["--list"])).stdout).toBe("acme-prod\nfleet\n");
    const groups = fleetGroups(loadEnvironments(dir).map((e) => e.definition));
    // EU shows acme-prod only; US1 has examples only: their overview is synthesized for the review, never a target.
    expect(groups.map((g) => [g.stackId, g.environments.map((e) => e.name)])).toEqual([
      ["vpn-monitor-fleet", ["acme-prod"]],
      ["vpn-monitor-fleet-us1", ["example-multi"]],
    ]);
    expect(deployTargets(loadEnvironments(dir)).map((t) => [t.name, t.environments.map((e) => e.definition.name)])).toEqual([
      ["acme-prod", ["acme-prod"]],
      ["fleet", ["acme-prod"]],
    ]);

    rmSync(path.join(dir, "example-simple.yaml"));
    rmSync(path.join(dir, "example-multi.yaml"));
    expect((await run(["--list"])).stdout).toBe("acme-prod\nfleet\n");
  });
});

describe("preflight <example>", () => {
  it("refuses an example by name, naming its file and the field, and exits 1", async () => {
    markExample("example-simple");

    expect(await run(["example-simple"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "preflight: example-simple is not a deploy target: example-simple.yaml: deploy: false (an example: synthesized and reviewed, never deployed or drift-checked); " +
        "to deploy it, put real ids in the file and delete that line\n",
    });
  });

  it("refuses a fleet overview of examples only, naming them", async () => {
    markExample("example-multi");

    expect(await run(["fleet-us1"])).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "preflight: fleet-us1 is not a deploy target: it shows examples only (example-multi.yaml: deploy: false; an example: synthesized and reviewed, never deployed or drift-checked); " +
        "it becomes one when an environment it shows is a deploy target\n",
    });
  });

  it("still says a name is unknown when synth makes no such stack, suggesting deploy targets only", async () => {
    markExample("example-simple");

    expect(await run(["example-simpel"])).toEqual({ code: 1, stdout: "", stderr: 'preflight: no environment or fleet overview named "example-simpel" in .\n' });
    expect((await run(["example-mutli"])).stderr).toBe('preflight: no environment or fleet overview named "example-mutli" in . (did you mean "example-multi"?)\n');
  });
});

describe("an example beside a deploy target on one Datadog site", () => {
  // acme-prod keeps state in another bucket on US1, where example-multi keeps its own: two S3
  // locations on one site need backend.fleet: true on one of them (stacks/fleet-state.ts).
  const acmeOnUs1 = () => writeAcme({ datadog: { site: "US1", apiKeySecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:vpn-monitor/datadog-api-key-QwErTy" }, backend: { type: "s3", bucket: "acme-vpn-state" } });

  it("takes no part in choosing where the deployed fleet overview keeps its state", () => {
    acmeOnUs1();
    markExample("example-multi");

    const loaded = loadEnvironments(dir, { labelRoot: dir });
    expect(fleetGroups(loaded.map((e) => e.definition)).map((g) => [g.stackId, g.environments.map((e) => e.name)])).toEqual([
      ["vpn-monitor-fleet-eu", ["example-simple"]],
      ["vpn-monitor-fleet-us1", ["acme-prod"]],
    ]);
  });

  it("does, as before, when it is a deploy target", () => {
    acmeOnUs1();

    expect(() => loadEnvironments(dir, { labelRoot: dir })).toThrow(EnvironmentValidationError);
    expect(() => loadEnvironments(dir, { labelRoot: dir })).toThrow("acme-prod.yaml, example-multi.yaml (Datadog site US1): backend.fleet: acme-prod, example-multi keep state in different S3 locations");
  });

  it("gets no bootstrap stack: bootstrap makes deploy roles, and an example is never deployed", () => {
    acmeOnUs1();
    markExample("example-multi");

    const layout = bootstrapLayout(loadEnvironments(dir).map((e) => ({ label: path.basename(e.file), definition: e.definition })));

    expect(layout.accounts.map((a) => [a.account, a.targets, a.buckets.map((b) => b.name)])).toEqual([["123456789012", ["acme-prod", "fleet-us1"], ["acme-vpn-state"]]]);
    expect(layout.skipped).toEqual([
      "example-multi: deploy: false (an example, never deployed), no deploy role to bootstrap",
      "example-simple: local state (backend.type local), no bucket to bootstrap; onboard with --state-bucket to give it one",
    ]);
  });
});

describe("github-setup with examples", () => {
  it("sets up the GitHub environments of the deploy targets only (it lists them as preflight --list does)", async () => {
    markExample("example-simple");
    markExample("example-multi");
    writeAcme();
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: dir }, cwd: dir });

    expect(await githubSetup(["--repo", "acme/vpn-monitor"], io)).toBe(0);

    expect([...io.out().matchAll(/^ {2}environment (\S+) /gm)].map((m) => m[1])).toEqual(["acme-prod", "acme-prod_plan", "fleet", "fleet_plan"]);
  });
});
