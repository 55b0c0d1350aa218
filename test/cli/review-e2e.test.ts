/**
 * `npm run review` end to end, in a throwaway git repository holding a copy of the project: a
 * commit that switches one environment's monitor mode, adds a controller to another and removes a
 * third, reviewed against the commit before.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const PROJECT_ENTRIES = ["main.ts", "stacks", "handler", "scripts", "cli", "environments", "package.json", "cdktf.json", "tsconfig.json"];
const NEW_CONTROLLER = `  - name: vns3-east-c
    host: 198.51.100.30
    securityGroupId: sg-0f1e2d3c4b5a60203
    secretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:vpn-monitor/example-multi/vns3-east-c-QwErTy
    tlsSha256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

datadog:`;

let repo: string;
let baseCommit: string;

const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: repo, encoding: "utf8" }).trim();

function review(...args: string[]) {
  const { VPN_MONITOR_ENVIRONMENTS_DIR: _ignored, ...env } = process.env;
  const result = spawnSync(process.execPath, ["--import", "tsx", "cli/review.ts", ...args], { cwd: repo, env, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  repo = mkdtempSync(path.join(tmpdir(), "review-fixture-"));
  for (const entry of PROJECT_ENTRIES) cpSync(path.join(ROOT, entry), path.join(repo, entry), { recursive: true });
  symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
  writeFileSync(path.join(repo, ".gitignore"), "node_modules\ncdktf.out\ndist\n*.tfstate\n");
  const third = readFileSync(path.join(repo, "environments/example-simple.yaml"), "utf8").replace(/example-simple/g, "example-third");
  writeFileSync(path.join(repo, "environments/example-third.yaml"), third);
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("commit", "-q", "-m", "base");
  baseCommit = git("rev-parse", "HEAD");

  const simple = path.join(repo, "environments/example-simple.yaml");
  writeFileSync(simple, readFileSync(simple, "utf8").replace("  mode: simple", "  mode: multi"));
  const multi = path.join(repo, "environments/example-multi.yaml");
  writeFileSync(multi, readFileSync(multi, "utf8").replace("\ndatadog:", `\n${NEW_CONTROLLER}`));
  rmSync(path.join(repo, "environments/example-third.yaml"));
  git("commit", "-q", "-am", "switch a mode, add a controller, remove an environment");
});

afterAll(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
});

describe("npm run review on a change to three environments", () => {
  let report: string;
  let status: number | null;

  beforeAll(() => {
    ({ stdout: report, status } = review("--base", baseCommit, "--fail-on-change"));
  });

  it("exits 2 with --fail-on-change", () => {
    expect(status).toBe(2);
  });

  it("summarizes first, then leads with the removed environment", () => {
    expect(report).toContain("3 environments: 2 changed, 0 added, 1 removed, 0 unchanged.");
    expect(report.indexOf("## example-third: environment removed")).toBeLessThan(report.indexOf("## example-multi: changed"));
  });

  it("calls out the monitor's mode and exact query change for the switched environment", () => {
    const section = report.slice(report.indexOf("## example-simple: changed"));
    expect(section).toContain("### Monitoring changes\n\n- **VPN tunnel down: example-simple** (monitor changed)\n  - mode: `simple` → `multi (tunnel)`");
    expect(section).toContain(
      "  - query: `min(last_5m):min:vpn.tunnel.status{vpn_environment:example-simple} < 1` → `min(last_5m):min:vpn.tunnel.status{vpn_environment:example-simple} by {tunnel} < 1`",
    );
    expect(section).toContain("### Resources: 0 added, 1 changed, 0 removed");
  });

  it("shows the new controller's ingress and egress rules with its port and security group", () => {
    const section = report.slice(report.indexOf("## example-multi: changed"), report.indexOf("## example-simple"));
    expect(section).toContain("### Resources: 2 added, 2 changed, 0 removed");
    expect(section).toMatch(/➕ added `aws_vpc_security_group_ingress_rule\.network_api-in-sg-0f1e2d3c4b5a60203-8000_\w+`/);
    expect(section).toMatch(/➕ added `aws_vpc_security_group_egress_rule\.network_api-out-sg-0f1e2d3c4b5a60203-8000_\w+`/);
    expect(section).toContain("  - `security_group_id`: `sg-0f1e2d3c4b5a60203`");
    expect(section).toContain("  - `referenced_security_group_id`: `sg-0f1e2d3c4b5a60203`");
    expect(section).toContain("  - `from_port`: `8000`");
    // The checker learns about it and may read its secret.
    expect(section).toContain("`environment.variables.VNS3_CONTROLLERS{json}[2].host`: `198.51.100.30`");
    // Lists of values are compared as lists: the new secret is one addition to the policy.
    expect(section).toContain(
      "`policy{json}.Statement[1].Resource[+]`: `arn:aws:secretsmanager:us-east-1:123456789012:secret:vpn-monitor/example-multi/vns3-east-c-QwErTy`",
    );
    expect(section).not.toContain("datadog-api-key-AsDfGh");
    // The webhook token stays masked even in a changed stack.
    expect(section).not.toMatch(/Bearer/);
  });

  it("lists what the removed environment destroys, monitors first", () => {
    const section = report.slice(report.indexOf("## example-third: environment removed"), report.indexOf("## example-multi"));
    expect(section).toContain("- **VPN tunnel down: example-third** (monitor removed)");
    expect(section).toContain("- **VNS3 controller unreadable: example-third** (monitor removed)");
    expect(section).toMatch(/➖ removed `aws_lambda_function\.checker_function_\w+`/);
  });

  it("lists the changed environments for the workflows", () => {
    const listed = review("--base", baseCommit, "--list-changed");
    expect(listed.status).toBe(0);
    expect(listed.stdout).toBe("example-multi\nexample-simple\n");
  });
});

describe("npm run review without changes", () => {
  it('says "no changes" per environment and exits 0 even with --fail-on-change', () => {
    const { status, stdout } = review("--base", "HEAD", "--fail-on-change");

    expect(status).toBe(0);
    expect(stdout).toContain("2 environments: 0 changed, 0 added, 0 removed, 2 unchanged.");
    expect(stdout).toContain("## example-multi: no changes");
    expect(stdout).toContain("## example-simple: no changes");
  });

  it("fails clearly on a ref that does not exist", () => {
    const { status, stderr } = review("--base", "no-such-ref");

    expect(status).toBe(1);
    expect(stderr).toContain("review: --base no-such-ref: not a commit in this repository");
  });

  it("leaves no worktree behind", () => {
    expect(git("worktree", "list").split("\n")).toHaveLength(1);
  });
});
