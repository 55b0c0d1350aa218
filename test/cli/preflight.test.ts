/**
 * `npm run preflight -- <target>`: the entry point against definition files in a temporary
 * folder, with the process environment given per test. Nothing here touches the network.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { detectRunner, requiredVariables } from "../../cli/preflight/core";
import { runPreflight } from "../helpers/preflight-run";
import { deployTargets, isFleetStack, targetOfStack } from "../../cli/preflight/targets";
import { loadEnvironments } from "../../stacks/environment/load";
import { fixtureEnvironment } from "../helpers/fixture-environments";

const ROOT = path.resolve(__dirname, "../..");
/** Never real credentials; must not appear in any output. */
const CANARIES = { DD_API_KEY: "canary-api-5f0e-do-not-print", DD_APP_KEY: "canary-app-5f0e-do-not-print" };
const TOKEN = "canary-ticket-token-do-not-print";
const MULTI_TOKEN_VARIABLE = "TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN";

let dir: string;
beforeEach(() => {
  // The tests' copies of the two examples: example-simple has the default local backend,
  // example-multi S3 state and one ticketing secret variable (EXAMPLE_MULTI_TICKET_TOKEN).
  dir = mkdtempSync(path.join(tmpdir(), "preflight-"));
  for (const file of ["example-simple.yaml", "example-multi.yaml"]) copyFileSync(fixtureEnvironment(file), path.join(dir, file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the entry point in-process with `argv`, this test's definitions and `env`. */
const runArgs = (argv: readonly string[], env: Record<string, string>) => runPreflight(dir, argv, env);

async function run(name: string, env: Record<string, string>) {
  const result = await runArgs([name], env);
  return { ...result, problems: result.stderr.split("\n").filter((l) => l.startsWith(`preflight ${name}: `) && !l.includes("not ready")) };
}

describe("preflight: the checker's Datadog API key", () => {
  it("says the stack creates the key secret empty when the definition names none, and what the first deploy then does", async () => {
    const file = path.join(dir, "example-simple.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace(/\n {2}apiKeySecretArn: .*\n/, "\n"));

    const result = await run("example-simple", { ...CANARIES });

    expect(result.stdout.split("\n").filter((line) => line.startsWith("preflight example-simple: datadog:"))).toEqual([
      "preflight example-simple: datadog: example-simple.yaml sets no datadog.apiKeySecretArn, so the stack creates the secret vpn-monitor/example-simple/datadog-api-key empty; " +
        "the deploy runs one check before it creates the monitors and stops there if the checker cannot post with it: on a first deploy, put the Datadog API key in that secret " +
        "when the deploy stops, then deploy again (or create the secret first and set datadog.apiKeySecretArn)",
    ]);
  });
});

describe("preflight: state backend", () => {
  it("refuses a local backend under GITHUB_ACTIONS=true, naming the file, the field and the fix", async () => {
    const result = await run("example-simple", { GITHUB_ACTIONS: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^preflight example-simple: example-simple\.yaml: backend is local \(the default when backend is not set\)/);
    expect(result.problems[0]).toContain("Set backend: {type: s3, bucket: <state bucket>, region: <bucket region>} in example-simple.yaml");
    expect(result.stderr).toContain("preflight example-simple: not ready on CI (1 problem)\n");
  });

  it("refuses it under CI=true as well", async () => {
    const result = await run("example-simple", { CI: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems[0]).toContain("backend is local");
  });

  it("allows the same definition on a workstation, and says local state is for trying things out", async () => {
    const result = await run("example-simple", { ...CANARIES });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("preflight example-simple: state: local file terraform.vpn-monitor-example-simple.tfstate in the project root. That is fine for trying things out");
    expect(result.stdout).toMatch(/preflight example-simple: ready on a workstation\n$/);
  });

  it.each([
    [{ CI: "true" }, "ci"],
    [{ CI: "1" }, "ci"],
    [{ GITHUB_ACTIONS: "TRUE" }, "ci"],
    [{ CI: "false" }, "workstation"],
    [{ CI: "" }, "workstation"],
    [{}, "workstation"],
  ])("treats %j as %s", (env, runner) => {
    expect(detectRunner(env)).toBe(runner);
  });
});

describe("preflight: sensitive variables", () => {
  it("passes S3 state with every secret set under CI, naming what is set and never a value", async () => {
    const result = await run("example-multi", { GITHUB_ACTIONS: "true", ...CANARIES, [MULTI_TOKEN_VARIABLE]: TOKEN });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "preflight example-multi: definition: example-multi.yaml is valid",
        "preflight example-multi: state: s3://example-terraform-state/vpn-monitor/example-multi.tfstate (us-east-1)",
        "preflight example-multi: datadog: the checker reads its API key from the secret datadog.apiKeySecretArn names; the deploy runs one check before it creates the monitors and stops there if the checker cannot post with it",
        `preflight example-multi: set: ${MULTI_TOKEN_VARIABLE}, DD_API_KEY, DD_APP_KEY`,
        "preflight example-multi: ready on CI",
        "",
      ].join("\n"),
    );
    for (const secret of [TOKEN, ...Object.values(CANARIES)]) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it("refuses a missing ticketing variable, naming it, its field and the GitHub secret that feeds it", async () => {
    const result = await run("example-multi", { GITHUB_ACTIONS: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      `preflight example-multi: example-multi.yaml: ticketing.secretVariables lists EXAMPLE_MULTI_TICKET_TOKEN, so ${MULTI_TOKEN_VARIABLE} must be set ` +
        "(the value of the Datadog webhook variable $EXAMPLE_MULTI_TICKET_TOKEN; the deploy workflow sets it from the GitHub environment secret WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN)",
    ]);
  });

  it("counts a blank value as missing", async () => {
    const result = await run("example-multi", { ...CANARIES, [MULTI_TOKEN_VARIABLE]: "  " });

    expect(result.code).toBe(1);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(`so ${MULTI_TOKEN_VARIABLE} must be set`);
  });

  it("refuses missing Datadog provider keys, and accepts the provider's DATADOG_* spellings", async () => {
    const missing = await run("example-multi", { [MULTI_TOKEN_VARIABLE]: TOKEN });
    const alternative = await run("example-multi", { [MULTI_TOKEN_VARIABLE]: TOKEN, DATADOG_API_KEY: "a", DATADOG_APP_KEY: "b" });

    expect(missing.problems).toEqual([
      "preflight example-multi: DD_API_KEY or DATADOG_API_KEY is not set (the Datadog provider's API key)",
      "preflight example-multi: DD_APP_KEY or DATADOG_APP_KEY is not set (the Datadog provider's application key)",
    ]);
    expect(alternative.code).toBe(0);
  });

  it("reports every problem of one run together: local state under CI and each missing variable", async () => {
    const result = await run("example-simple", { CI: "true" });

    expect(result.problems.map((p) => p.replace(/^preflight example-simple: /, "").slice(0, 30))).toEqual([
      "example-simple.yaml: backend i",
      "DD_API_KEY or DATADOG_API_KEY ",
      "DD_APP_KEY or DATADOG_APP_KEY ",
    ]);
  });

  it("derives the variables from ticketing.secretVariables through the shared resource names", () => {
    const [multi] = loadEnvironments(dir).filter((l) => l.definition.name === "example-multi");

    expect(requiredVariables(multi!.definition).map((v) => v.names)).toEqual([[MULTI_TOKEN_VARIABLE], ["DD_API_KEY", "DATADOG_API_KEY"], ["DD_APP_KEY", "DATADOG_APP_KEY"]]);
  });
});

describe("preflight: definitions", () => {
  it("refuses an invalid definition with the loader's message, naming file and field", async () => {
    writeFileSync(path.join(dir, "example-simple.yaml"), readFileSync(path.join(dir, "example-simple.yaml"), "utf8").replace("windowMinutes: 5", "windowMinutes: 7"));

    const result = await run("example-simple", { ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("example-simple.yaml: monitor.windowMinutes 7 is not a window Datadog accepts");
  });

  it("refuses an unknown environment and suggests the closest name", async () => {
    const result = await run("example-simpel", { ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`preflight: no environment or fleet overview named "example-simpel" in . (did you mean "example-simple"?)\n`);
  });

  it("needs a target or --list, not both, and says so as a usage error (exit 2)", async () => {
    const missing = "error: missing <target>: an environment or fleet overview name (or --list)\nEvery flag: npm run preflight -- --help\n";
    expect(await runArgs([], {})).toEqual({ code: 2, stdout: "", stderr: missing });
    expect(await runArgs([""], {})).toEqual({ code: 2, stdout: "", stderr: missing });
    expect(await runArgs(["--list", "example-simple"], {})).toEqual({ code: 2, stdout: "", stderr: "error: --list takes no <target>\nEvery flag: npm run preflight -- --help\n" });
    expect((await runArgs(["example-simple", "--lsit"], {})).stderr).toBe("error: unknown flag --lsit (did you mean --list?)\nEvery flag: npm run preflight -- --help\n");
  });

  it("answers --help with the target kinds and exit codes", async () => {
    const help = await runArgs(["--help"], {});

    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: npm run preflight -- [options] [target]");
    expect(help.stdout).toContain("a fleet overview: fleet, or fleet-<site>");
    expect(help.stdout).toContain("Exit codes: 0 ready, 1 not ready or invalid definitions, 2 wrong command line.");
  });
});

describe("preflight: deploy targets (--list)", () => {
  it("lists each environment, then one fleet overview per Datadog site (example-simple on EU, example-multi on US1)", async () => {
    expect(await runArgs(["--list"], { GITHUB_ACTIONS: "true" })).toEqual({ code: 0, stdout: "example-multi\nexample-simple\nfleet-eu\nfleet-us1\n", stderr: "" });
  });

  it("lists one plain fleet overview when every environment uses one site", async () => {
    writeFileSync(path.join(dir, "example-simple.yaml"), readFileSync(path.join(dir, "example-simple.yaml"), "utf8").replace(/^ {2}site: EU$/m, "  site: US1"));

    expect((await runArgs(["--list"], {})).stdout).toBe("example-multi\nexample-simple\nfleet\n");
  });

  it("refuses invalid definitions, as synth would, and lists nothing", async () => {
    writeFileSync(path.join(dir, "broken.yaml"), "name: broken\n");

    const result = await runArgs(["--list"], {});

    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^preflight: invalid environment definition:\n {2}broken\.yaml: /);
  });

  it("names each target's stack and kind from the one naming rule", () => {
    const targets = deployTargets(loadEnvironments(dir));

    expect(targets.map((t) => [t.name, t.stack, t.kind, t.environments.map((e) => e.definition.name)])).toEqual([
      ["example-multi", "vpn-monitor-example-multi", "environment", ["example-multi"]],
      ["example-simple", "vpn-monitor-example-simple", "environment", ["example-simple"]],
      ["fleet-eu", "vpn-monitor-fleet-eu", "fleet", ["example-simple"]],
      ["fleet-us1", "vpn-monitor-fleet-us1", "fleet", ["example-multi"]],
    ]);
    expect(["vpn-monitor-fleet", "vpn-monitor-fleet-eu", "vpn-monitor-fleetwood", "vpn-monitor-acme"].map(isFleetStack)).toEqual([true, true, false, false]);
    expect(targetOfStack("vpn-monitor-fleet-ap2")).toBe("fleet-ap2");
  });
});

describe("preflight: a fleet overview", () => {
  it("refuses local state under CI, naming the first environment by name on its site as where the backend comes from, and the fix", async () => {
    // example-simple (EU) keeps local state, so vpn-monitor-fleet-eu would too.
    const result = await run("fleet-eu", { GITHUB_ACTIONS: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      "preflight fleet-eu: vpn-monitor-fleet-eu keeps its state beside that of example-simple, the first environment by name on Datadog site EU (example-simple.yaml), " +
        "whose backend is local (the default when backend is not set): on a CI runner the state file is thrown away with the runner, and the next deploy would create the fleet dashboard again beside the first. " +
        "Set backend: {type: s3, bucket: <state bucket>, region: <bucket region>} in example-simple.yaml; vpn-monitor-fleet-eu then keeps its state in that bucket under vpn-monitor/fleet-eu.tfstate.",
    ]);
    expect(result.stderr).toContain("preflight fleet-eu: not ready on CI (1 problem)\n");
  });

  it("keeps the fleet state with the one definition on its site that keeps state in S3, whatever its name sorts", async () => {
    // example-zulu (EU, S3) sorts after example-simple (EU, local): the fleet's state is in zulu's bucket (stacks/fleet-state.ts).
    const zulu = readFileSync(path.join(dir, "example-multi.yaml"), "utf8").replace(/example-multi/g, "example-zulu").replace(/EXAMPLE_MULTI/g, "EXAMPLE_ZULU").replace(/^ {2}site: US1$/m, "  site: EU");
    writeFileSync(path.join(dir, "example-zulu.yaml"), zulu);

    const result = await run("fleet-eu", { CI: "true", ...CANARIES });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("preflight fleet-eu: state: s3://example-terraform-state/vpn-monitor/fleet-eu.tfstate (us-east-1), in the state bucket of example-zulu (example-zulu.yaml, the S3 state location of every definition on Datadog site EU)");
    expect(result.stdout).toContain("preflight fleet-eu: definitions: the 2 environment definition(s) on Datadog site EU are valid");
  });

  it("passes S3 state under CI with only the Datadog provider's keys: no AWS role of its own, no ticketing variable", async () => {
    const result = await run("fleet-us1", { GITHUB_ACTIONS: "true", ...CANARIES });

    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      [
        "preflight fleet-us1: definitions: the 1 environment definition(s) on Datadog site US1 are valid; the fleet dashboard shows each of them",
        "preflight fleet-us1: datadog: site US1 (https://api.datadoghq.com/): DD_API_KEY and DD_APP_KEY must be keys of that Datadog org",
        "preflight fleet-us1: state: s3://example-terraform-state/vpn-monitor/fleet-us1.tfstate (us-east-1), in the state bucket of example-multi (example-multi.yaml, the S3 state location of every definition on Datadog site US1)",
        "preflight fleet-us1: set: DD_API_KEY, DD_APP_KEY",
        "preflight fleet-us1: ready on CI",
        "",
      ].join("\n"),
    );
    for (const secret of Object.values(CANARIES)) expect(result.stdout).not.toContain(secret);
  });

  it("refuses missing Datadog provider keys, naming the fleet's stack", async () => {
    const result = await run("fleet-us1", { GITHUB_ACTIONS: "true", DD_API_KEY: CANARIES.DD_API_KEY });

    expect(result.code).toBe(1);
    expect(result.problems).toEqual(["preflight fleet-us1: DD_APP_KEY or DATADOG_APP_KEY is not set (the Datadog provider's application key)"]);
  });

  it("allows local fleet state on a workstation and says whose it follows", async () => {
    const result = await run("fleet-eu", { ...CANARIES });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "preflight fleet-eu: state: local file terraform.vpn-monitor-fleet-eu.tfstate in the project root, because example-simple, the first environment by name on Datadog site EU (example-simple.yaml) keeps local state.",
    );
    expect(result.stdout).toMatch(/preflight fleet-eu: ready on a workstation\n$/);
  });

  it('explains a bare "fleet" when the environments use several sites, and suggests a near-miss', async () => {
    expect((await runArgs(["fleet"], {})).stderr).toBe(
      'preflight: no fleet overview named "fleet" in .: the environments use 2 Datadog sites, and one dashboard shows one Datadog org, so there is one fleet overview per site: fleet-eu, fleet-us1\n',
    );
    expect((await runArgs(["fleet-ue"], {})).stderr).toBe('preflight: no environment or fleet overview named "fleet-ue" in . (did you mean "fleet-eu"?)\n');
  });
});

describe("npm run preflight", () => {
  it("is the script that runs cli/preflight/index.ts, and exits non-zero from the command line on a refusal", () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.preflight).toBe("tsx cli/preflight/index.ts");

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, VPN_MONITOR_ENVIRONMENTS_DIR: dir, GITHUB_ACTIONS: "true", ...CANARIES };
    const child = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "cli/preflight/index.ts"), "example-simple"], { cwd: ROOT, env, encoding: "utf8" });

    expect(child.status).toBe(1);
    expect(child.stderr).toContain("example-simple.yaml: backend is local");
    expect(child.stdout + child.stderr).not.toContain(CANARIES.DD_API_KEY);

    const fleet = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "cli/preflight/index.ts"), "fleet-eu"], { cwd: ROOT, env, encoding: "utf8" });
    expect(fleet.status).toBe(1);
    expect(fleet.stderr).toContain("vpn-monitor-fleet-eu keeps its state beside that of example-simple");
  });
});
