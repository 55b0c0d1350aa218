/**
 * contract/github-setup.ts against the workflow files themselves: every `vars.X` and `secrets.X`
 * a job reads must be placed by the contract where that job runs (the repository, the job's
 * `<name>` or `<name>_plan` environment), and every setting the contract names must be read by
 * some job there. The ticketing secrets are read by name prefix in the plan job.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { GITHUB_SETTINGS, githubSetup, WEBHOOK_SECRET_PREFIX, type SettingHome } from "../../../contract/github-setup";

const WORKFLOWS = path.resolve(__dirname, "../../../.github/workflows");

interface Job {
  environment?: string | { name: string };
  [key: string]: unknown;
}

/** Where a job runs, from its `environment:` (`…_plan` is the plan environment). */
function homeOf(job: Job): SettingHome | "none" {
  const env = typeof job.environment === "object" ? job.environment?.name : job.environment;
  if (env === undefined) return "none";
  return env.trim().endsWith("_plan") ? "plan-environment" : "deploy-environment";
}

interface Read {
  workflow: string;
  job: string;
  home: SettingHome | "none";
  kind: "variable" | "secret";
  name: string;
}

function readsOf(): { reads: Read[]; planJobText: string[] } {
  const reads: Read[] = [];
  const planJobText: string[] = [];
  for (const file of readdirSync(WORKFLOWS).filter((f) => f.endsWith(".yml"))) {
    const workflow = parse(readFileSync(path.join(WORKFLOWS, file), "utf8")) as { jobs: Record<string, Job> };
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      const text = JSON.stringify(job);
      const home = homeOf(job);
      if (home === "plan-environment") planJobText.push(text);
      for (const [, kind, name] of text.matchAll(/(?<=[\s{(!|&])(vars|secrets)\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
        reads.push({ workflow: file, job: jobName, home, kind: kind === "vars" ? "variable" : "secret", name: name! });
      }
    }
  }
  return { reads, planJobText };
}

const { reads, planJobText } = readsOf();

describe("contract/github-setup.ts matches .github/workflows", () => {
  it("finds the reads it checks (the parse is not empty)", () => {
    expect(reads.filter((r) => r.kind === "secret").map((r) => r.name)).toEqual(expect.arrayContaining(["DD_API_KEY", "DD_PLAN_API_KEY", "PLAN_DECRYPTION_KEY"]));
    expect(planJobText.length).toBeGreaterThan(0);
  });

  it.each(reads.map((r) => [`${r.workflow} ${r.job} ${r.kind} ${r.name}`, r] as const))("%s is placed where the job can read it", (_label, read) => {
    const setting = GITHUB_SETTINGS.find((s) => s.name === read.name && s.kind === read.kind);
    expect(setting).toBeDefined();
    // A job sees the repository's settings and those of the environment it runs in.
    const visible: SettingHome[] = read.home === "none" ? ["repository"] : ["repository", read.home];
    expect(visible).toContain(setting!.home);
  });

  it.each(GITHUB_SETTINGS.map((s) => [s.name, s] as const))("%s is read by a job where the contract puts it", (_name, setting) => {
    const readers = reads.filter((r) => r.name === setting.name && r.kind === setting.kind);
    expect(readers.length).toBeGreaterThan(0);
    if (setting.home !== "repository") expect(readers.every((r) => r.home === setting.home)).toBe(true);
  });

  it("is what docs/onboarding.md's GitHub set-up table says, home for home", () => {
    const docs = readFileSync(path.resolve(__dirname, "../../../docs/onboarding.md"), "utf8");
    const table = docs.slice(docs.indexOf("## GitHub set-up"), docs.indexOf("## Manual steps, counted"));
    const homeWords: Record<SettingHome, string> = { repository: "| repository |", "deploy-environment": "| each protected environment `<name>` |", "plan-environment": "| `<name>_plan`" };
    const rowOf = (name: string) => table.split("\n").find((line) => line.startsWith("| ") && line.includes(`\`${name}\``));
    for (const setting of GITHUB_SETTINGS) expect(rowOf(setting.name)).toContain(homeWords[setting.home]);
    expect(rowOf("WEBHOOK_SECRET_<VAR>")).toContain(homeWords["plan-environment"]);
  });

  it("puts the ticketing secrets in <name>_plan, whose job selects them by the contract's prefix", () => {
    expect(planJobText.some((text) => text.includes(WEBHOOK_SECRET_PREFIX))).toBe(true);
    const setup = githubSetup([{ name: "acme-prod", secretVariables: ["TICKET_TOKEN"] }]);
    expect(setup.environments.map((e) => [e.name, e.requiredReviewers, e.branch, e.secrets.map((s) => s.name), e.variables.map((v) => v.name)])).toEqual([
      ["acme-prod", true, "main", ["DD_API_KEY", "DD_APP_KEY", "PLAN_DECRYPTION_KEY"], ["AWS_ROLE_ARN"]],
      ["acme-prod_plan", false, "main", ["PLAN_SIGNING_KEY", "WEBHOOK_SECRET_TICKET_TOKEN"], []],
    ]);
  });
});
