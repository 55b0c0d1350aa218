/**
 * The set-up of contract/github-setup.ts as lines an operator follows: repository settings, then
 * per target its two environments with their protection rules, variables and secrets. Secrets are
 * `gh secret set NAME [--env ENV]` commands for the operator to run: gh prompts for the value, so
 * it never passes through this tool, its output or the shell history.
 */
import type { GitHubEnvironmentSetup, GitHubSetting, GitHubSetup } from "../../contract/github-setup";

/** Which variables this run sets (role ARNs, the plan certificate), per place: names only are printed. */
export interface KnownVariables {
  readonly repository: ReadonlySet<string>;
  readonly environment: (env: GitHubEnvironmentSetup) => ReadonlySet<string>;
}

const secretCommand = (repository: string, setting: GitHubSetting, environment?: string) =>
  `gh secret set ${setting.name} --repo ${repository}${environment ? ` --env ${environment}` : ""}`;
const variableCommand = (repository: string, setting: GitHubSetting, environment?: string) =>
  `gh variable set ${setting.name} --repo ${repository}${environment ? ` --env ${environment}` : ""} --body <value>`;

export function setupLines(setup: GitHubSetup, repository: string, known: KnownVariables, applied: boolean): string[] {
  const out: string[] = [];
  const say = (line = "") => out.push(line);
  const variable = (setting: GitHubSetting, environment?: GitHubEnvironmentSetup) => {
    const where = environment?.name ?? "repository";
    const set = environment === undefined ? known.repository : known.environment(environment);
    if (set.has(setting.name) && applied) say(`    variable ${setting.name}: set (${where}) — ${setting.usedBy}`);
    else say(`    variable ${setting.name}${setting.optional ? " (optional)" : ""} — ${environment?.kind === "fleet" && setting.name === "AWS_ROLE_ARN" ? "apply (the fleet state role)" : setting.usedBy}:  ${variableCommand(repository, setting, environment?.name)}`);
  };
  const secret = (setting: GitHubSetting, environment?: string) => say(`    secret ${setting.name} — ${setting.usedBy}:  ${secretCommand(repository, setting, environment)}`);

  say(`GitHub set-up of ${repository}`);
  say("  repository:");
  for (const s of setup.repositoryVariables) variable(s);
  for (const s of setup.repositorySecrets) secret(s);
  for (const env of setup.environments) {
    say();
    const protection = env.requiredReviewers ? "required reviewers (prevent self-review)" : "no reviewers";
    say(`  environment ${env.name} (${env.role} of ${env.target}): ${protection}; deployment branches: ${env.branch} only${applied ? " — applied" : ""}`);
    for (const s of env.variables) variable(s, env);
    for (const s of env.secrets) secret(s, env.name);
    if (env.variables.length === 0 && env.secrets.length === 0) say("    no variables, no secrets");
  }
  return out;
}
