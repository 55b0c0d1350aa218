/**
 * The trust policies of the plan and deploy roles: exact OIDC subjects, never a wildcard, so that
 * no environment a branch's workflow creates on the fly matches. GitHub's default subject for a
 * job in an environment is `repo:<owner>/<repo>:environment:<name>` ("About security hardening
 * with OpenID Connect", Example subject claims); a job in no environment on a branch gets
 * `repo:<owner>/<repo>:ref:refs/heads/<branch>`, a pull request `repo:<owner>/<repo>:pull_request`.
 * Pure: printed by the bootstrap CLI and documented in docs/onboarding.md ("Bootstrap").
 */
import { DEPLOY_BRANCH, deployEnvironmentName, planEnvironmentName } from "../../contract/github-setup";
import { GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST } from "./names";

export interface TrustOptions {
  /** `owner/repo` of the repository whose workflows deploy. */
  readonly repository: string;
  /** Deploy targets (environments, fleet overviews) of the account. */
  readonly targets: readonly string[];
}

/** `owner/repo`: GitHub's owner and repository name characters. */
export const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;

const subjectOf = (repository: string, rest: string) => `repo:${repository}:${rest}`;

/** The deploy role's subjects: each target's protected environment `<name>`. */
export function deploySubjects(options: TrustOptions): string[] {
  return [...options.targets].sort().map((t) => subjectOf(options.repository, `environment:${deployEnvironmentName(t)}`));
}

/**
 * The plan role's subjects: each `<name>_plan` and main (the drift check runs in no environment).
 * Never pull requests: the plan role reads the state, ticketing tokens included (docs/review.md).
 */
export function planSubjects(options: TrustOptions): string[] {
  return [
    ...[...options.targets].sort().map((t) => subjectOf(options.repository, `environment:${planEnvironmentName(t)}`)),
    subjectOf(options.repository, `ref:refs/heads/${DEPLOY_BRANCH}`),
  ];
}

/** An assume-role policy for GitHub's OIDC provider that admits exactly `subjects` (StringEquals, no pattern). */
export function githubTrustPolicy(oidcProviderArn: string, subjects: readonly string[]): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: [...subjects],
          },
        },
      },
    ],
  };
}

/** IAM's limit on a trust policy (2,048 characters unless raised to 4,096): about 30 subjects. */
export const TRUST_POLICY_LIMIT = 2048;
