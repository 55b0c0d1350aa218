/**
 * `npm run bootstrap -- --repo <owner>/<repo>`
 *
 * Synthesizes one `vpn-monitor-bootstrap` stack per AWS account of the definitions (see
 * stacks/bootstrap/accounts.ts for how an account is found) into cdktf.out/bootstrap, prints what
 * each creates and whom its roles trust, and the exact commands that follow. Creates nothing in
 * AWS itself: Terraform does, with the operator's credentials, once; after that the stack lives in
 * its own bucket and changes go through review like every stack.
 */
import { mkdirSync } from "node:fs";
import * as path from "node:path";
import { App } from "cdktf";
import { ACCOUNT_ID, BootstrapDefinitionError, bootstrapLayout, type BootstrapAccount } from "../../stacks/bootstrap/accounts";
import { BootstrapStack } from "../../stacks/bootstrap/bootstrap-stack";
import { RESOURCE_PERMISSIONS } from "../../stacks/bootstrap/deploy-permissions";
import { DEPLOY_ROLE_NAME, FLEET_STATE_ROLE_NAME, PLAN_ROLE_NAME, STATE_KEY_ALIAS } from "../../stacks/bootstrap/names";
import { deploySubjects, githubTrustPolicy, planSubjects, REPOSITORY, TRUST_POLICY_LIMIT } from "../../stacks/bootstrap/trust";
import { EnvironmentValidationError, loadEnvironments } from "../../stacks/environment/load";
import { lastValue, type CommandSpec } from "../shared/args";
import type { CliIo } from "../shared/io";
import { EXIT, runAsScript, runCommand } from "../shared/runner";

const ROOT = path.resolve(__dirname, "../..");

export const BOOTSTRAP_COMMAND: CommandSpec = {
  usage: "npm run bootstrap --",
  summary: "Synthesize the per-account bootstrap stacks (state bucket and KMS key, GitHub OIDC provider, plan and deploy roles) and print the commands that create them.",
  flags: [
    { name: "repo", value: "<owner>/<repo>", help: "the GitHub repository whose workflows deploy (the roles trust its environments only)" },
    { name: "account", value: "<account-id>", help: "the AWS account of definitions whose ARNs name none" },
    { name: "first-apply", help: "keep the bootstrap stack's own state on disk: its first apply, before its bucket exists" },
    { name: "existing-oidc-provider", help: "the account already has GitHub's OIDC provider: use it instead of creating one" },
    { name: "out", value: "<dir>", help: "where to synthesize (default: cdktf.out/bootstrap)" },
  ],
  footer: ["Reads VPN_MONITOR_ENVIRONMENTS_DIR (default: environments/).", "Exit codes: 0 synthesized, 1 invalid definitions or nothing to bootstrap, 2 wrong command line."].join("\n"),
};

/** What one account's stack creates, and the commands that follow, as lines. */
export function describeAccount(account: BootstrapAccount, options: { repository: string; existingOidcProvider: boolean; stackDir: string; firstApply: boolean; root: string }): string[] {
  const trust = { repository: options.repository, targets: account.targets };
  const out: string[] = [];
  const say = (line = "") => out.push(line);
  say(`${account.stackId}: AWS account ${account.account}, region ${account.region}`);
  for (const bucket of account.buckets) {
    say(`  state bucket s3://${bucket.name} (${bucket.region}): versioning, SSE-KMS with its own key (rotation on, ${STATE_KEY_ALIAS}), public access blocked, TLS only, S3-native locking`);
  }
  say(options.existingOidcProvider ? "  GitHub OIDC provider: the account's existing one (token.actions.githubusercontent.com)" : "  GitHub OIDC provider token.actions.githubusercontent.com, audience sts.amazonaws.com");
  say(`  plan role ${PLAN_ROLE_NAME}: reads what plan and drift refresh (${Object.keys(RESOURCE_PERMISSIONS).length} resource types) and the state; trusts exactly:`);
  for (const subject of planSubjects(trust)) say(`    ${subject}`);
  say(`  deploy role ${DEPLOY_ROLE_NAME}: creates, changes and deletes those resource types (vpn-monitor-* names) and writes the state; trusts exactly:`);
  const environmentTrust = { ...trust, targets: account.targets.filter((t) => !account.fleets.includes(t)) };
  const fleetTrust = { ...trust, targets: account.fleets };
  for (const subject of deploySubjects(environmentTrust)) say(`    ${subject}`);
  if (account.fleets.length > 0) {
    say(`  fleet state role ${FLEET_STATE_ROLE_NAME}: writes the fleet overviews' own state objects only; trusts exactly:`);
    for (const subject of deploySubjects(fleetTrust)) say(`    ${subject}`);
  }
  // IAM counts the policy without whitespace; the provider ARN is known before it exists.
  const oidcArn = `arn:${account.partition}:iam::${account.account}:oidc-provider/token.actions.githubusercontent.com`;
  for (const [role, subjects] of [[PLAN_ROLE_NAME, planSubjects(trust)], [DEPLOY_ROLE_NAME, deploySubjects(environmentTrust)]] as const) {
    const size = JSON.stringify(githubTrustPolicy(oidcArn, subjects)).length;
    if (size > TRUST_POLICY_LIMIT) {
      say(`  WARNING: the trust policy of ${role} is ${size} characters; IAM allows ${TRUST_POLICY_LIMIT} (4,096 after a quota increase): apply fails until the quota is raised or the targets are split over accounts`);
    }
  }
  if (account.assumeRoleArns.length > 0) say(`  both roles may assume the customer roles ${account.assumeRoleArns.join(", ")}`);
  const dir = path.relative(options.root, options.stackDir) || ".";
  say();
  if (!options.firstApply) say(`  Its own state: s3://${account.buckets[0]!.name}. The very first time, before that bucket exists, run with --first-apply.`);
  say("  Next, with administrator credentials of that account (once):");
  say(`    cd ${dir}`);
  say("    terraform init");
  say("    terraform apply");
  if (options.firstApply) {
    say("  Then move this stack's state into its bucket:");
    say(`    cd - && npm run bootstrap -- --repo ${options.repository}${options.existingOidcProvider ? " --existing-oidc-provider" : ""}`);
    say(`    cd ${dir} && terraform init -migrate-state`);
  }
  say("  Then give GitHub the role ARNs (npm run github-setup prints the rest):");
  say("    terraform output -raw plan_role_arn     # repository variable AWS_PLAN_ROLE_ARN");
  say("    terraform output -raw deploy_role_arn   # variable AWS_ROLE_ARN of each protected environment");
  if (account.fleets.length > 0) say("    terraform output -raw fleet_state_role_arn   # variable AWS_ROLE_ARN of each fleet overview's protected environment");
  say(`  and encrypt the state with the key: npm run onboard -- … --state-kms-key arn:${account.partition}:kms:${account.buckets[0]!.region}:${account.account}:${STATE_KEY_ALIAS}`);
  return out;
}

/** A flag that existed once: refused with why, not as an unknown flag. */
const REMOVED_PULL_REQUEST_ROLE = "--pull-request-role";

export function main(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv.some((token) => token === REMOVED_PULL_REQUEST_ROLE || token.startsWith(`${REMOVED_PULL_REQUEST_ROLE}=`))) {
    io.stderr.write(
      `error: ${REMOVED_PULL_REQUEST_ROLE} was removed: no role trusts pull requests any more (their plans could never read the state, which holds the ticketing tokens); pull requests check each changed target with terraform validate, which needs no credential (docs/review.md)\n`,
    );
    io.stderr.write(`Every flag: ${BOOTSTRAP_COMMAND.usage} --help\n`);
    return Promise.resolve(EXIT.usage);
  }
  return runCommand(BOOTSTRAP_COMMAND, argv, io, async (args) => {
    const repository = lastValue(args, "repo");
    const defaultAccount = lastValue(args, "account");
    const usage: string[] = [];
    if (repository === undefined) usage.push("missing --repo <owner>/<repo>: the roles trust that repository's GitHub environments");
    else if (!REPOSITORY.test(repository)) usage.push(`--repo "${repository}" is not <owner>/<repo> (e.g. acme/vpn-monitor)`);
    if (defaultAccount !== undefined && !ACCOUNT_ID.test(defaultAccount)) usage.push(`--account "${defaultAccount}" is not a 12-digit AWS account id`);
    if (args.operands.length > 0) usage.push(`unexpected operand "${args.operands[0]}": bootstrap reads every definition`);
    if (usage.length > 0) {
      for (const problem of usage) io.stderr.write(`error: ${problem}\n`);
      io.stderr.write(`Every flag: ${BOOTSTRAP_COMMAND.usage} --help\n`);
      return EXIT.usage;
    }

    const dir = io.env.VPN_MONITOR_ENVIRONMENTS_DIR || path.join(ROOT, "environments");
    let layout;
    try {
      const loaded = loadEnvironments(dir, { labelRoot: io.cwd });
      layout = bootstrapLayout(
        loaded.map((e) => ({ label: path.relative(io.cwd, e.file) || e.file, definition: e.definition })),
        defaultAccount,
      );
    } catch (error) {
      if (!(error instanceof EnvironmentValidationError || error instanceof BootstrapDefinitionError)) throw error;
      io.stderr.write(`bootstrap: ${error.message}\n`);
      return EXIT.failed;
    }
    for (const line of layout.skipped) io.stdout.write(`skipped ${line}\n`);
    if (layout.accounts.length === 0) {
      io.stderr.write("bootstrap: no definition keeps its state in S3 (backend.bucket), so there is nothing to bootstrap\n");
      return EXIT.failed;
    }

    const outdir = path.resolve(io.cwd, lastValue(args, "out") ?? path.join(ROOT, "cdktf.out", "bootstrap"));
    const firstApply = args.switches.get("first-apply") === true;
    const existingOidcProvider = args.switches.get("existing-oidc-provider") === true;
    // cdktf creates only the last folder of outdir.
    mkdirSync(outdir, { recursive: true });
    const app = new App({ outdir });
    for (const account of layout.accounts) {
      const stackDir = path.join(outdir, "stacks", account.stackId);
      new BootstrapStack(app, {
        account,
        repository: repository!,
        existingOidcProvider,
        localState: firstApply,
        // Beside the project, not inside cdktf.out, which a clean synth may remove.
        localStatePath: path.relative(stackDir, path.join(io.cwd, `terraform.${account.stackId}.tfstate`)),
      });
    }
    app.synth();
    for (const account of layout.accounts) {
      io.stdout.write(`\n${describeAccount(account, { repository: repository!, existingOidcProvider, stackDir: path.join(outdir, "stacks", account.stackId), firstApply, root: io.cwd }).join("\n")}\n`);
    }
    return EXIT.ok;
  });
}

if (require.main === module) runAsScript(main);
