/**
 * bootstrap.yaml brings the bootstrap stack into the app (main.ts), so the review and the plan see
 * it like every stack; a wrong field stops synth naming the file and the field.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { BootstrapSettingsError, validateBootstrapSettings } from "../../stacks/bootstrap/settings";
import { validateEnvironment } from "../../stacks/environment/load";
import { baseDefinition } from "../helpers/synth";

const ROOT = path.resolve(__dirname, "../..");
const scratch = mkdtempSync(path.join(tmpdir(), "main-bootstrap-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function synth(bootstrapYaml: string, name: string) {
  const dir = path.join(scratch, name);
  const envs = path.join(dir, "environments");
  mkdirSync(envs, { recursive: true });
  writeFileSync(path.join(envs, "acme-prod.yaml"), stringify(baseDefinition({ backend: { type: "s3", bucket: "acme-vpn-state" } })));
  writeFileSync(path.join(dir, "bootstrap.yaml"), bootstrapYaml);
  const outDir = path.join(dir, "cdktf.out");
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, VPN_MONITOR_ENVIRONMENTS_DIR: envs, VPN_MONITOR_BOOTSTRAP_FILE: path.join(dir, "bootstrap.yaml"), CDKTF_OUTDIR: outDir },
    encoding: "utf8",
  });
  return { status: result.status, stderr: result.stderr, outDir, label: path.relative(ROOT, path.join(dir, "bootstrap.yaml")) };
}

describe("bootstrap.yaml", () => {
  it("adds vpn-monitor-bootstrap, with its state in the definitions' bucket, beside the environment stacks", () => {
    const { status, stderr, outDir } = synth("repository: acme/vpn-monitor\nexistingOidcProvider: true\n", "good");
    expect(stderr).toBe("");
    expect(status).toBe(0);
    const stack = JSON.parse(readFileSync(path.join(outDir, "stacks/vpn-monitor-bootstrap/cdk.tf.json"), "utf8"));
    expect(stack.terraform.backend.s3).toMatchObject({ bucket: "acme-vpn-state", key: "vpn-monitor/bootstrap.tfstate", use_lockfile: true });
    const roles = Object.values(stack.resource.aws_iam_role as Record<string, { name: string }>).map((r) => r.name).sort();
    expect(roles).toEqual(["github-vpn-monitor-deploy", "github-vpn-monitor-fleet-state", "github-vpn-monitor-plan"]);
    expect(stack.resource.aws_iam_openid_connect_provider).toBeUndefined();
    expect(existsSync(path.join(outDir, "stacks/vpn-monitor-acme-prod/cdk.tf.json"))).toBe(true);
  });

  it("a wrong field stops synth with the file and the field", () => {
    const { status, stderr, outDir, label } = synth("repository: acme\n", "bad");
    expect(status).toBe(1);
    expect(stderr).toContain(`${label}: repository must be <owner>/<repo> (e.g. acme/vpn-monitor), got "acme"`);
    expect(existsSync(outDir)).toBe(false);
  });

  /** What a bootstrap.yaml that still names the removed pull-request role is told. */
  const PULL_REQUEST_ROLE_REMOVED =
    "pullRequestRole was removed: there is no pull-request role any more. Its plans could never read the S3 state (the state holds the ticketing tokens), and pull requests now check each changed target with terraform validate, which needs no credential (docs/review.md).";

  it("refuses the removed pullRequestRole: synth stops naming the file and the field, what to delete, and how the role goes", () => {
    const { status, stderr, outDir, label } = synth("repository: acme/vpn-monitor\npullRequestRole: true\n", "pull-request-role");
    expect(status).toBe(1);
    expect(stderr).toBe(
      `${label}: ${PULL_REQUEST_ROLE_REMOVED} Delete this line: the review then shows the role github-vpn-monitor-pull-request going, the next apply of the bootstrap stack deletes it, and \`gh variable delete AWS_PULL_REQUEST_ROLE_ARN\` removes its repository variable (docs/operations.md, "Roles").\n`,
    );
    expect(existsSync(outDir)).toBe(false);
  });

  it.each([
    [{ repository: "acme/vpn-monitor", acount: "123456789012" }, "bootstrap.yaml: acount is not a field (expected one of repository, account, existingOidcProvider)"],
    [{ repository: "acme/vpn-monitor", account: 123456789012 }, "bootstrap.yaml: account must be a 12-digit AWS account id in quotes, got 123456789012"],
    [{ repository: "acme/vpn-monitor", existingOidcProvider: "yes" }, "bootstrap.yaml: existingOidcProvider must be true or false"],
    [{ repository: "acme/vpn-monitor", pullRequestRole: false }, `bootstrap.yaml: ${PULL_REQUEST_ROLE_REMOVED} Delete this line.`],
    // Only its own keys are removed fields: an inherited name is just not a field.
    [{ repository: "acme/vpn-monitor", constructor: true }, "bootstrap.yaml: constructor is not a field (expected one of repository, account, existingOidcProvider)"],
  ])("%j is refused", (raw, message) => {
    expect(() => validateBootstrapSettings(raw, "bootstrap.yaml")).toThrow(new BootstrapSettingsError(message));
  });

  it("reserves the name bootstrap for the stack", () => {
    const result = validateEnvironment("bootstrap.yaml", { ...baseDefinition(), name: "bootstrap" });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems.join("\n")).toContain('bootstrap.yaml: name "bootstrap" is reserved: "bootstrap" and "bootstrap-…" name the bootstrap stacks');
  });
});
