/**
 * `npm run bootstrap` in-process: usage problems exit 2 with the usage line, a good run writes one
 * stack per account and prints what it creates, whom the roles trust, and the commands that follow.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { describeAccount, main } from "../../../cli/bootstrap/main";
import { memoryIo, tempDir } from "../../helpers/cli-harness";
import { baseDefinition } from "../../helpers/synth";

function fixture(withS3 = true) {
  const temp = tempDir("bootstrap-");
  const envs = path.join(temp.dir, "environments");
  mkdirSync(envs);
  writeFileSync(path.join(envs, "acme-prod.yaml"), stringify(baseDefinition(withS3 ? { backend: { type: "s3", bucket: "acme-vpn-state" } } : {})));
  // Two levels that do not exist yet, as cdktf.out/bootstrap on a fresh clone.
  return { ...temp, envs, out: path.join(temp.dir, "out", "bootstrap") };
}

describe("npm run bootstrap", () => {
  it.each([
    [[], "error: missing --repo <owner>/<repo>: the roles trust that repository's GitHub environments"],
    [["--repo", "acme"], 'error: --repo "acme" is not <owner>/<repo> (e.g. acme/vpn-monitor)'],
    [["--repo", "acme/vpn", "--account", "12345"], 'error: --account "12345" is not a 12-digit AWS account id'],
    [["--repo", "acme/vpn", "--acount", "123456789012"], "error: unknown flag --acount (did you mean --account?)"],
  ])("%j exits 2 with the usage line", async (argv, message) => {
    const f = fixture();
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main([...argv, "--out", f.out], io)).toBe(2);
    expect(io.err()).toContain(`${message}\n`);
    expect(io.err()).toContain("Every flag: npm run bootstrap -- --help\n");
    expect(existsSync(f.out)).toBe(false);
    f.remove();
  });

  it.each([["--pull-request-role"], ["--pull-request-role=true"]])("refuses the removed %s with why, synthesizing nothing", async (flag) => {
    const f = fixture();
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main(["--repo", "acme/vpn-monitor", flag, "--out", f.out], io)).toBe(2);
    expect(io.err()).toBe(
      [
        "error: --pull-request-role was removed: no role trusts pull requests any more (their plans could never read the state, which holds the ticketing tokens); pull requests check each changed target with terraform validate, which needs no credential (docs/review.md)",
        "Every flag: npm run bootstrap -- --help",
        "",
      ].join("\n"),
    );
    expect(io.out()).toBe("");
    expect(existsSync(f.out)).toBe(false);
    f.remove();
  });

  it("neither offers nor prints a pull-request role", async () => {
    const f = fixture();
    const help = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main(["--help"], help)).toBe(0);
    expect(help.out()).toContain("--existing-oidc-provider");
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main(["--repo", "acme/vpn-monitor", "--out", f.out], io)).toBe(0);
    expect(io.out()).toContain("terraform output -raw plan_role_arn");
    expect(`${help.out()}${io.out()}`).not.toMatch(/pull.request|:pull_request/i);
    f.remove();
  });

  it("refuses when no definition keeps state in S3, naming the skipped one", async () => {
    const f = fixture(false);
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main(["--repo", "acme/vpn-monitor", "--out", f.out], io)).toBe(1);
    expect(io.out()).toBe("skipped acme-prod: local state (backend.type local), no bucket to bootstrap; onboard with --state-bucket to give it one\n");
    expect(io.err()).toBe("bootstrap: no definition keeps its state in S3 (backend.bucket), so there is nothing to bootstrap\n");
    f.remove();
  });

  it("synthesizes the stack for its first apply and prints the subjects and the next commands", async () => {
    const f = fixture();
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main(["--repo", "acme/vpn-monitor", "--first-apply", "--out", f.out], io)).toBe(0);
    const stack = JSON.parse(readFileSync(path.join(f.out, "stacks", "vpn-monitor-bootstrap", "cdk.tf.json"), "utf8")) as { terraform: { backend: Record<string, { path: string }> } };
    expect(stack.terraform.backend).toEqual({ local: { path: "../../../../terraform.vpn-monitor-bootstrap.tfstate" } });
    const out = io.out();
    expect(out).toContain("vpn-monitor-bootstrap: AWS account 123456789012, region eu-west-1\n");
    expect(out).toContain("  state bucket s3://acme-vpn-state (eu-west-1): versioning, SSE-KMS with its own key (rotation on, alias/vpn-monitor-state), public access blocked, TLS only, S3-native locking\n");
    expect(out).toContain(
      [
        "  plan role github-vpn-monitor-plan: reads what plan and drift refresh (13 resource types) and the state; trusts exactly:",
        "    repo:acme/vpn-monitor:environment:acme-prod_plan",
        "    repo:acme/vpn-monitor:environment:fleet_plan",
        "    repo:acme/vpn-monitor:ref:refs/heads/main",
        "  deploy role github-vpn-monitor-deploy: creates, changes and deletes those resource types (vpn-monitor-* names) and writes the state; trusts exactly:",
        "    repo:acme/vpn-monitor:environment:acme-prod",
        "  fleet state role github-vpn-monitor-fleet-state: writes the fleet overviews' own state objects only; trusts exactly:",
        "    repo:acme/vpn-monitor:environment:fleet",
        "",
        "  Next, with administrator credentials of that account (once):",
        "    cd out/bootstrap/stacks/vpn-monitor-bootstrap",
        "    terraform init",
        "    terraform apply",
        "  Then move this stack's state into its bucket:",
        "    cd - && npm run bootstrap -- --repo acme/vpn-monitor",
        "    cd out/bootstrap/stacks/vpn-monitor-bootstrap && terraform init -migrate-state",
      ].join("\n"),
    );
    expect(out).toContain("--state-kms-key arn:aws:kms:eu-west-1:123456789012:alias/vpn-monitor-state\n");
    f.remove();
  });
});

describe("describeAccount", () => {
  const account = (targets: number) => ({
    stackId: "vpn-monitor-bootstrap",
    account: "123456789012",
    partition: "aws",
    region: "eu-west-1",
    buckets: [{ name: "acme-vpn-state", region: "eu-west-1" }],
    targets: Array.from({ length: targets }, (_, i) => `customer-${String(i).padStart(2, "0")}-prod`),
    fleets: [],
    assumeRoleArns: [],
  });
  const options = { repository: "acme/vpn-monitor", existingOidcProvider: false, stackDir: "/r/cdktf.out/bootstrap/stacks/vpn-monitor-bootstrap", firstApply: false, root: "/r" };

  it("warns when a trust policy outgrows IAM's 2,048 characters, and not before", () => {
    expect(describeAccount(account(20), options).filter((l) => l.includes("WARNING"))).toEqual([]);
    const warnings = describeAccount(account(40), options).filter((l) => l.includes("WARNING"));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/^ {2}WARNING: the trust policy of github-vpn-monitor-deploy is \d{4} characters; IAM allows 2048 \(4,096 after a quota increase\)/);
  });
});
