/**
 * `npm run preflight -- --secret-names`: the ticketing secrets (WEBHOOK_SECRET_<VAR>) each deploy
 * target's plan job reads by name from <target>_plan, and the plan job's fixed number of slots for
 * them (cli/preflight/plan-secrets.ts). Definitions in a temporary folder; nothing touches the network.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runPreflight } from "../helpers/preflight-run";
import { PLAN_JOB_TICKETING_SLOTS } from "../../cli/preflight/plan-secrets";
import { githubSetup } from "../../contract/github-setup";
import { validateEnvironment } from "../../stacks/environment/load";
import { parse } from "yaml";
import { fixtureEnvironment } from "../helpers/fixture-environments";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "preflight-secrets-"));
  for (const file of ["example-simple.yaml", "example-multi.yaml"]) copyFileSync(fixtureEnvironment(file), path.join(dir, file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = (argv: readonly string[], env: Record<string, string> = {}) => runPreflight(dir, argv, env);

/** example-multi with `count` secret variables TOKEN_1 …, its Authorization header on TOKEN_1. */
function withSecretVariables(count: number) {
  const file = path.join(dir, "example-multi.yaml");
  const names = Array.from({ length: count }, (_, i) => `TOKEN_${i + 1}`);
  const text = readFileSync(file, "utf8").replace(/\n {2}secretVariables:\n(?: {4}- .*\n)+/, `\n  secretVariables:\n${names.map((n) => `    - ${n}\n`).join("")}`).replaceAll("$EXAMPLE_MULTI_TICKET_TOKEN", "$TOKEN_1");
  expect(text).toContain("    - TOKEN_1\n");
  writeFileSync(file, text);
  return names;
}

describe("preflight --secret-names", () => {
  it("prints each target's WEBHOOK_SECRET_<VAR> names as one JSON object: the same names github-setup places in <target>_plan, none for fleet overviews", async () => {
    const result = await run(["--secret-names"]);

    expect(result).toEqual({
      code: 0,
      stdout: '{"example-multi":["WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN"],"example-simple":[],"fleet-eu":[],"fleet-us1":[]}\n',
      stderr: "",
    });
    const placed = githubSetup([{ name: "example-multi", secretVariables: ["EXAMPLE_MULTI_TICKET_TOKEN"] }]).environments.find((e) => e.name === "example-multi_plan")!;
    expect(placed.secrets.map((s) => s.name).filter((n) => n.startsWith("WEBHOOK_SECRET_"))).toEqual(JSON.parse(result.stdout)["example-multi"]);
  });

  it("takes no target and not --list beside it (usage errors), and refuses invalid definitions like --list", async () => {
    expect(await run(["--secret-names", "example-multi"])).toEqual({ code: 2, stdout: "", stderr: expect.stringContaining("error: --secret-names takes no <target>\n") });
    expect(await run(["--secret-names", "--list"])).toEqual({ code: 2, stdout: "", stderr: "error: --list and --secret-names print different things: give one of them\n" });
    writeFileSync(path.join(dir, "example-simple.yaml"), readFileSync(path.join(dir, "example-simple.yaml"), "utf8").replace("region: eu-west-1", "region: nowhere-1"));
    const invalid = await run(["--secret-names"]);
    expect(invalid.code).toBe(1);
    expect(invalid.stdout).toBe("");
    expect(invalid.stderr).toContain("example-simple.yaml: aws.region");
  });
});

describe("preflight: the plan job's ticketing secret slots", () => {
  const env = (names: readonly string[]) => ({
    GITHUB_ACTIONS: "true",
    DD_API_KEY: "canary-api",
    DD_APP_KEY: "canary-app",
    ...Object.fromEntries(names.map((n) => [`TF_VAR_webhook_secret_${n}`, "canary-ticket"])),
  });

  it(`accepts ${PLAN_JOB_TICKETING_SLOTS} secret variables, as many as the plan job has slots`, async () => {
    const names = withSecretVariables(PLAN_JOB_TICKETING_SLOTS);
    const result = await run(["example-multi"], env(names));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse((await run(["--secret-names"])).stdout)["example-multi"]).toEqual(names.map((n) => `WEBHOOK_SECRET_${n}`));
  });

  it("refuses one more as an invalid definition (the schema's rule, so synth and the pull-request review refuse it too), naming the file, the field, the count and the workflow's slots", async () => {
    const names = withSecretVariables(PLAN_JOB_TICKETING_SLOTS + 1);
    const result = await run(["example-multi"], env(names));
    const message =
      `example-multi.yaml: ticketing.secretVariables lists ${PLAN_JOB_TICKETING_SLOTS + 1} variables, and the deploy's plan job reads at most ` +
      `${PLAN_JOB_TICKETING_SLOTS} ticketing secrets by name (SECRET_0 … SECRET_${PLAN_JOB_TICKETING_SLOTS - 1} in .github/workflows/deploy-environments.yml): ` +
      `expected at most ${PLAN_JOB_TICKETING_SLOTS}, or add slots to that workflow and raise PLAN_JOB_TICKETING_SLOTS (contract/github-setup.ts)`;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`preflight: invalid environment definition:\n  ${message}\n`);
    expect(result.stdout + result.stderr).not.toContain("canary");
    const definition = parse(readFileSync(path.join(dir, "example-multi.yaml"), "utf8")) as Record<string, unknown>;
    expect(validateEnvironment("example-multi.yaml", definition)).toEqual({ ok: false, problems: [message] });
  });
});
