/**
 * `npm run preflight -- <env>`: the entry point against definition files in a temporary folder,
 * with the process environment given per test. Nothing here touches the network.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { detectRunner, requiredVariables } from "../../cli/preflight/core";
import { runPreflight } from "../../cli/preflight/index";
import { loadEnvironments } from "../../stacks/environment/load";

const ROOT = path.resolve(__dirname, "../..");
/** Never real credentials; must not appear in any output. */
const CANARIES = { DD_API_KEY: "canary-api-5f0e-do-not-print", DD_APP_KEY: "canary-app-5f0e-do-not-print" };
const TOKEN = "canary-ticket-token-do-not-print";
const MULTI_TOKEN_VARIABLE = "TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN";

let dir: string;
beforeEach(() => {
  // The two shipped examples: example-simple has the default local backend, example-multi S3
  // state and one ticketing secret variable (EXAMPLE_MULTI_TICKET_TOKEN).
  dir = mkdtempSync(path.join(tmpdir(), "preflight-"));
  for (const file of ["example-simple.yaml", "example-multi.yaml"]) copyFileSync(path.join(ROOT, "environments", file), path.join(dir, file));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(name: string, env: Record<string, string>) {
  let stdout = "";
  let stderr = "";
  const code = runPreflight([name], {
    env: { VPN_MONITOR_ENVIRONMENTS_DIR: dir, ...env },
    cwd: dir,
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
  });
  return { code, stdout, stderr, problems: stderr.split("\n").filter((l) => l.startsWith(`preflight ${name}: `) && !l.includes("not ready")) };
}

describe("preflight: state backend", () => {
  it("refuses a local backend under GITHUB_ACTIONS=true, naming the file, the field and the fix", () => {
    const result = run("example-simple", { GITHUB_ACTIONS: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^preflight example-simple: example-simple\.yaml: backend is local \(the default when backend is not set\)/);
    expect(result.problems[0]).toContain("Set backend: {type: s3, bucket: <state bucket>, region: <bucket region>} in example-simple.yaml");
    expect(result.stderr).toContain("preflight example-simple: not ready on CI (1 problem)\n");
  });

  it("refuses it under CI=true as well", () => {
    const result = run("example-simple", { CI: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems[0]).toContain("backend is local");
  });

  it("allows the same definition on a workstation, and says local state is for trying things out", () => {
    const result = run("example-simple", { ...CANARIES });

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
  it("passes S3 state with every secret set under CI, naming what is set and never a value", () => {
    const result = run("example-multi", { GITHUB_ACTIONS: "true", ...CANARIES, [MULTI_TOKEN_VARIABLE]: TOKEN });

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "preflight example-multi: definition: example-multi.yaml is valid",
        "preflight example-multi: state: s3://example-terraform-state/vpn-monitor/example-multi.tfstate (us-east-1)",
        `preflight example-multi: set: ${MULTI_TOKEN_VARIABLE}, DD_API_KEY, DD_APP_KEY`,
        "preflight example-multi: ready on CI",
        "",
      ].join("\n"),
    );
    for (const secret of [TOKEN, ...Object.values(CANARIES)]) expect(result.stdout + result.stderr).not.toContain(secret);
  });

  it("refuses a missing ticketing variable, naming it, its field and the GitHub secret that feeds it", () => {
    const result = run("example-multi", { GITHUB_ACTIONS: "true", ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.problems).toEqual([
      `preflight example-multi: example-multi.yaml: ticketing.secretVariables lists EXAMPLE_MULTI_TICKET_TOKEN, so ${MULTI_TOKEN_VARIABLE} must be set ` +
        "(the value of the Datadog webhook variable $EXAMPLE_MULTI_TICKET_TOKEN; the deploy workflow sets it from the GitHub environment secret WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN)",
    ]);
  });

  it("counts a blank value as missing", () => {
    const result = run("example-multi", { ...CANARIES, [MULTI_TOKEN_VARIABLE]: "  " });

    expect(result.code).toBe(1);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(`so ${MULTI_TOKEN_VARIABLE} must be set`);
  });

  it("refuses missing Datadog provider keys, and accepts the provider's DATADOG_* spellings", () => {
    const missing = run("example-multi", { [MULTI_TOKEN_VARIABLE]: TOKEN });
    const alternative = run("example-multi", { [MULTI_TOKEN_VARIABLE]: TOKEN, DATADOG_API_KEY: "a", DATADOG_APP_KEY: "b" });

    expect(missing.problems).toEqual([
      "preflight example-multi: DD_API_KEY or DATADOG_API_KEY is not set (the Datadog provider's API key)",
      "preflight example-multi: DD_APP_KEY or DATADOG_APP_KEY is not set (the Datadog provider's application key)",
    ]);
    expect(alternative.code).toBe(0);
  });

  it("reports every problem of one run together: local state under CI and each missing variable", () => {
    const result = run("example-simple", { CI: "true" });

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
  it("refuses an invalid definition with the loader's message, naming file and field", () => {
    writeFileSync(path.join(dir, "example-simple.yaml"), readFileSync(path.join(dir, "example-simple.yaml"), "utf8").replace("windowMinutes: 5", "windowMinutes: 7"));

    const result = run("example-simple", { ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("example-simple.yaml: monitor.windowMinutes 7 is not a window Datadog accepts");
  });

  it("refuses an unknown environment and suggests the closest name", () => {
    const result = run("example-simpel", { ...CANARIES });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`preflight: no environment named "example-simpel" in . (did you mean "example-simple"?)\n`);
  });

  it("needs an environment name", () => {
    expect(run("", {}).code).toBe(1);
    let stderr = "";
    expect(runPreflight([], { env: {}, cwd: dir, stdout: () => undefined, stderr: (t) => void (stderr += t) })).toBe(1);
    expect(stderr).toContain("missing required argument 'environment'");
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
  });
});
