/**
 * `npm run github-setup -- --repo <owner>/<repo> [--apply --reviewer <login>…]`
 *
 * Prints, for every deploy target of the definitions, what GitHub needs (contract/github-setup.ts:
 * the environments `<name>` and `<name>_plan`, their protection rules, variables, secrets and
 * where each lives). With `--apply` and a token in GH_TOKEN (or GITHUB_TOKEN) it creates the
 * environments, their rules and branch policies and sets the variables whose values it was
 * given, through GitHub's REST API. Secrets are never read or set: it prints the
 * `gh secret set` command of each.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { githubSetup, type GitHubEnvironmentSetup } from "../../contract/github-setup";
import { REPOSITORY } from "../../stacks/bootstrap/trust";
import { EnvironmentValidationError, loadEnvironments } from "../../stacks/environment/load";
import { deployTargets } from "../preflight/targets";
import { lastValue, type CommandSpec } from "../shared/args";
import { CliError, type CliIo } from "../shared/io";
import { EXIT, runAsScript, runCommand } from "../shared/runner";
import { apiBaseUrl, GitHubApiError, githubApi } from "./github-api";
import { setupLines } from "./printout";

const ROOT = path.resolve(__dirname, "../..");
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

export const GITHUB_SETUP_COMMAND: CommandSpec = {
  usage: "npm run github-setup --",
  summary: "Print (and with --apply, create) the GitHub environments, protection rules and variables the workflows need; secrets as gh commands to run.",
  flags: [
    { name: "repo", value: "<owner>/<repo>", help: "the repository whose workflows deploy" },
    { name: "apply", help: "create or update environments, branch policies and the given variables through the GitHub API (token in GH_TOKEN)" },
    { name: "reviewer", value: "<login|org/team>", help: "a required reviewer of every protected environment (with --apply; repeatable)", repeatable: true },
    { name: "plan-role-arn", value: "<arn>", help: "value of the repository variable AWS_PLAN_ROLE_ARN (terraform output -raw plan_role_arn)" },
    { name: "deploy-role-arn", value: "<arn>", help: "value of AWS_ROLE_ARN in each environment's protected environment (terraform output -raw deploy_role_arn)" },
    { name: "fleet-role-arn", value: "<arn>", help: "value of AWS_ROLE_ARN in each fleet overview's protected environment (terraform output -raw fleet_state_role_arn)" },
    { name: "plan-recipient-cert", value: "<file>", help: "PEM certificate for the repository variable PLAN_RECIPIENT_CERT (public; docs/review.md)" },
    { name: "api-url", value: "<url>", help: "GitHub REST API base (default: from GH_HOST, else https://api.github.com)" },
  ],
  footer: [
    "Reads VPN_MONITOR_ENVIRONMENTS_DIR (default: environments/), GH_TOKEN or GITHUB_TOKEN (with --apply), GH_HOST.",
    "Exit codes: 0 done, 1 invalid definitions or a refused API call, 2 wrong command line.",
  ].join("\n"),
};

export function main(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand(GITHUB_SETUP_COMMAND, argv, io, async (args) => {
    const repository = lastValue(args, "repo");
    const apply = args.switches.get("apply") === true;
    const reviewers = args.values.get("reviewer") ?? [];
    const planRoleArn = lastValue(args, "plan-role-arn");
    const deployRoleArn = lastValue(args, "deploy-role-arn");
    const fleetRoleArn = lastValue(args, "fleet-role-arn");
    const certFile = lastValue(args, "plan-recipient-cert");
    const token = io.env.GH_TOKEN || io.env.GITHUB_TOKEN;
    const usage: string[] = [];
    if (repository === undefined) usage.push("missing --repo <owner>/<repo>");
    else if (!REPOSITORY.test(repository)) usage.push(`--repo "${repository}" is not <owner>/<repo> (e.g. acme/vpn-monitor)`);
    for (const [flag, value] of [["--plan-role-arn", planRoleArn], ["--deploy-role-arn", deployRoleArn], ["--fleet-role-arn", fleetRoleArn]] as const) {
      if (value !== undefined && !ROLE_ARN.test(value)) usage.push(`${flag} "${value.slice(0, 200)}" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    }
    if (apply && token === undefined) usage.push("--apply needs a token in GH_TOKEN (or GITHUB_TOKEN) with the repository's administration and variables write permissions");
    if (apply && reviewers.length === 0) usage.push("--apply needs at least one --reviewer: every protected environment requires a reviewer");
    if (!apply && reviewers.length > 0) usage.push("--reviewer is used with --apply only");
    if (args.operands.length > 0) usage.push(`unexpected operand "${args.operands[0]}": github-setup reads every definition`);
    if (usage.length > 0) {
      for (const problem of usage) io.stderr.write(`error: ${problem}\n`);
      io.stderr.write(`Every flag: ${GITHUB_SETUP_COMMAND.usage} --help\n`);
      return EXIT.usage;
    }

    const values = new Map<string, string>();
    if (planRoleArn !== undefined) values.set("AWS_PLAN_ROLE_ARN", planRoleArn);
    // AWS_ROLE_ARN differs by kind: an environment's deploy role, a fleet overview's state role.
    const roleOf = { environment: deployRoleArn, fleet: fleetRoleArn } as const;
    const environmentValues = (env: GitHubEnvironmentSetup): Map<string, string> => {
      const arn = env.role === "deploy" ? roleOf[env.kind] : undefined;
      return new Map(arn === undefined ? [] : [["AWS_ROLE_ARN", arn]]);
    };
    if (certFile !== undefined) {
      let pem: string;
      try {
        pem = readFileSync(path.resolve(io.cwd, certFile), "utf8");
      } catch (error) {
        throw new CliError(`--plan-recipient-cert ${certFile}: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`);
      }
      // A certificate only: a private key given here by mistake must not become a variable.
      if (!/^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/.test(pem.trim()) || /PRIVATE KEY/.test(pem)) {
        throw new CliError(`--plan-recipient-cert ${certFile}: expected one PEM certificate (-----BEGIN CERTIFICATE-----) and no private key`);
      }
      values.set("PLAN_RECIPIENT_CERT", pem.trim());
    }

    const dir = io.env.VPN_MONITOR_ENVIRONMENTS_DIR || path.join(ROOT, "environments");
    let targets;
    try {
      targets = deployTargets(loadEnvironments(dir, { labelRoot: io.cwd })).map((t) => ({
        name: t.name,
        kind: t.kind,
        secretVariables: t.kind === "environment" ? t.environments[0]!.definition.ticketing.secretVariables : [],
      }));
    } catch (error) {
      if (!(error instanceof EnvironmentValidationError)) throw error;
      io.stderr.write(`github-setup: ${error.message}\n`);
      return EXIT.failed;
    }
    const setup = githubSetup(targets);
    if (apply) {
      const baseUrl = lastValue(args, "api-url") ?? apiBaseUrl(io.env.GH_HOST);
      try {
        await githubApi({ baseUrl, token: token!, repository: repository! }).apply(setup, reviewers, { repository: values, environment: environmentValues }, (change) => io.stdout.write(`applied ${change}\n`));
      } catch (error) {
        if (error instanceof GitHubApiError) throw new CliError(`github-setup: ${error.message}; what is listed above as applied was applied`);
        throw error;
      }
      io.stdout.write("\n");
    }
    const known = { repository: new Set(values.keys()), environment: (env: GitHubEnvironmentSetup) => new Set(environmentValues(env).keys()) };
    io.stdout.write(`${setupLines(setup, repository!, known, apply).join("\n")}\n`);
    io.stdout.write("\nEach gh secret set prompts for its value: it stays out of this output and the shell history.\n");
    return EXIT.ok;
  });
}

if (require.main === module) runAsScript(main);
