/**
 * What GitHub holds for the workflows, and where: one table read by `npm run github-setup`, by the
 * bootstrap stack's trust policies and by the docs; test/cli/github-setup/contract.test.ts parses
 * the workflow files and fails when a job reads a variable or secret this table does not place
 * where that job runs. Names only: no value ever passes through here.
 */

/** Where a setting lives: the repository, the protected environment `<name>`, or `<name>_plan`. */
export type SettingHome = "repository" | "deploy-environment" | "plan-environment";

export interface GitHubSetting {
  readonly name: string;
  readonly kind: "variable" | "secret";
  readonly home: SettingHome;
  /** Which jobs read it, for the printout. */
  readonly usedBy: string;
  /** The workflows fall back to a default when it is unset. @default false */
  readonly optional?: boolean;
}

/** The branch every deploy credential is bound to (deployment branch policy of both environments). */
export const DEPLOY_BRANCH = "main";

/** GitHub environment of a target's apply job: required reviewers, branch main. */
export const deployEnvironmentName = (target: string): string => target;
/** GitHub environment of a target's plan job: no reviewers, branch main. `_` never occurs in a definition name. */
export const planEnvironmentName = (target: string): string => `${target}_plan`;

/** The ticketing secret of one `ticketing.secretVariables` entry, in `<name>_plan` (the plan job reads it). */
export const webhookSecretName = (variable: string): string => `WEBHOOK_SECRET_${variable.toUpperCase()}`;
/** Prefix the plan step selects the ticketing secrets by. */
export const WEBHOOK_SECRET_PREFIX = "WEBHOOK_SECRET_";

/**
 * How many ticketing secrets the deploy's plan job can read by name: its slots SECRET_0 …
 * SECRET_9 in .github/workflows/deploy-environments.yml (a step's environment is a fixed list).
 * The schema refuses a definition with more `ticketing.secretVariables`, so synth and the
 * pull-request review say so, not only the plan; test/workflows.test.ts holds the workflow to it.
 */
export const PLAN_JOB_TICKETING_SLOTS = 10;

/** Every fixed-name setting the workflows read. */
export const GITHUB_SETTINGS: readonly GitHubSetting[] = [
  { name: "AWS_PLAN_ROLE_ARN", kind: "variable", home: "repository", usedBy: "plan, drift (the plan role: main only, never pull requests)" },
  { name: "PLAN_RECIPIENT_CERT", kind: "variable", home: "repository", usedBy: "plan (encrypts the plan artifact; a certificate, public)" },
  { name: "PLAN_SIGNING_PUBLIC_KEY", kind: "variable", home: "repository", usedBy: "apply (verifies the plan artifact's signature; a public key)" },
  { name: "AWS_REGION", kind: "variable", home: "repository", usedBy: "every job that assumes a role (default us-east-1)", optional: true },
  { name: "DD_PLAN_API_KEY", kind: "secret", home: "repository", usedBy: "plan, drift (read-only Datadog keys; never pull requests)" },
  { name: "DD_PLAN_APP_KEY", kind: "secret", home: "repository", usedBy: "plan, drift (read-only Datadog keys; never pull requests)" },
  { name: "AWS_ROLE_ARN", kind: "variable", home: "deploy-environment", usedBy: "apply (the deploy role)" },
  { name: "DD_API_KEY", kind: "secret", home: "deploy-environment", usedBy: "apply (deploy Datadog keys)" },
  { name: "DD_APP_KEY", kind: "secret", home: "deploy-environment", usedBy: "apply (deploy Datadog keys)" },
  { name: "PLAN_DECRYPTION_KEY", kind: "secret", home: "deploy-environment", usedBy: "apply (decrypts the approved plan)" },
  { name: "PLAN_SIGNING_KEY", kind: "secret", home: "plan-environment", usedBy: "plan (signs the plan artifact; in every `<name>_plan`, fleets included, so a branch cannot sign)" },
];

/** One deploy target as GitHub sees it: an environment (with its ticketing variables) or a fleet overview (none). */
export interface GitHubTarget {
  readonly name: string;
  /** A fleet overview's protected environment takes the fleet state role as AWS_ROLE_ARN. @default "environment" */
  readonly kind?: "environment" | "fleet";
  readonly secretVariables: readonly string[];
}

export interface GitHubEnvironmentSetup {
  readonly name: string;
  readonly target: string;
  readonly kind: "environment" | "fleet";
  readonly role: "deploy" | "plan";
  /** Required reviewers (the deploy environment only); prevent self-review with them. */
  readonly requiredReviewers: boolean;
  /** Deployment branch policy: only this branch may deploy to the environment. */
  readonly branch: string;
  readonly variables: readonly GitHubSetting[];
  readonly secrets: readonly GitHubSetting[];
}

export interface GitHubSetup {
  readonly repositoryVariables: readonly GitHubSetting[];
  readonly repositorySecrets: readonly GitHubSetting[];
  readonly environments: readonly GitHubEnvironmentSetup[];
}

const at = (home: SettingHome, kind: GitHubSetting["kind"]) => GITHUB_SETTINGS.filter((s) => s.home === home && s.kind === kind);

/** Everything GitHub needs for these targets: two environments per target, in target order. */
export function githubSetup(targets: readonly GitHubTarget[]): GitHubSetup {
  return {
    repositoryVariables: at("repository", "variable"),
    repositorySecrets: at("repository", "secret"),
    environments: targets.flatMap((target): GitHubEnvironmentSetup[] => [
      {
        name: deployEnvironmentName(target.name),
        target: target.name,
        kind: target.kind ?? "environment",
        role: "deploy",
        requiredReviewers: true,
        branch: DEPLOY_BRANCH,
        variables: at("deploy-environment", "variable"),
        secrets: at("deploy-environment", "secret"),
      },
      {
        name: planEnvironmentName(target.name),
        target: target.name,
        kind: target.kind ?? "environment",
        role: "plan",
        requiredReviewers: false,
        branch: DEPLOY_BRANCH,
        variables: at("plan-environment", "variable"),
        secrets: [
          ...at("plan-environment", "secret"),
          ...target.secretVariables.map((v) => ({
          name: webhookSecretName(v),
          kind: "secret" as const,
          home: "plan-environment" as const,
          usedBy: `plan (ticketing variable ${v}, carried in the encrypted plan)`,
          })),
        ],
      },
    ]),
  };
}
