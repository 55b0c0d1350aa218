/**
 * The GitHub REST calls of `github-setup --apply`, over fetch (the `gh` CLI need not be
 * installed). Endpoints, bodies and status codes as GitHub's REST documentation gives them
 * (docs.github.com/en/rest, API version 2022-11-28):
 * - environments: "Create or update an environment", PUT /repos/{owner}/{repo}/environments/{environment_name}
 *   with `reviewers`, `prevent_self_review`, `deployment_branch_policy {protected_branches, custom_branch_policies}`;
 * - deployment branch policies: GET, POST and DELETE …/{branch_policy_id}; GET and POST /repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies
 *   (body `{name, type: "branch"}`);
 * - variables: POST /repos/{owner}/{repo}/actions/variables and
 *   /repos/{owner}/{repo}/environments/{environment_name}/variables (201), PATCH …/variables/{name} (204) to update;
 * - reviewers by id: GET /users/{username}, GET /orgs/{org}/teams/{team_slug}.
 * Secrets are never set here: their values would have to pass through this process.
 */
import type { GitHubEnvironmentSetup, GitHubSetup } from "../../contract/github-setup";

export interface GitHubApiOptions {
  /** `https://api.github.com`, or `https://<host>/api/v3` for GitHub Enterprise Server. */
  readonly baseUrl: string;
  readonly token: string;
  readonly repository: string;
  readonly fetch?: typeof fetch;
}

export class GitHubApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GitHubApiError";
  }
}

/** A reviewer as the operator names it: `<login>` (a user) or `<org>/<team-slug>` (a team). */
export type ReviewerName = string;

/** The API base for a GH_HOST (`github.com` or an Enterprise Server host). */
export function apiBaseUrl(host: string | undefined): string {
  return host === undefined || host === "" || host === "github.com" ? "https://api.github.com" : `https://${host}/api/v3`;
}

export function githubApi(options: GitHubApiOptions) {
  const doFetch = options.fetch ?? fetch;
  const repo = options.repository.split("/").map(encodeURIComponent).join("/");
  const call = async (method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    const response = await doFetch(`${options.baseUrl.replace(/\/$/, "")}${route}`, {
      method,
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${options.token}`,
        "X-GitHub-Api-Version": "2022-11-28",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = (await response.text()).slice(0, 64 * 1024);
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, json };
  };
  const expect = (result: { status: number; json: unknown }, ok: readonly number[], what: string) => {
    if (ok.includes(result.status)) return result.json;
    // GitHub's error bodies carry `message`; bounded and stripped to printable characters.
    const message = String((result.json as { message?: unknown } | undefined)?.message ?? "").replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
    throw new GitHubApiError(`${what}: GitHub answered ${result.status}${message ? ` (${message})` : ""}`);
  };

  const reviewerId = async (name: ReviewerName): Promise<{ type: "User" | "Team"; id: number }> => {
    const team = /^([^/]+)\/([^/]+)$/.exec(name);
    const route = team ? `/orgs/${encodeURIComponent(team[1]!)}/teams/${encodeURIComponent(team[2]!)}` : `/users/${encodeURIComponent(name)}`;
    const json = expect(await call("GET", route), [200], `reviewer ${name}`) as { id?: unknown };
    if (typeof json?.id !== "number") throw new GitHubApiError(`reviewer ${name}: GitHub's answer has no numeric id`);
    return { type: team ? "Team" : "User", id: json.id };
  };

  const setVariable = async (scope: string, name: string, value: string) => {
    const created = await call("POST", `${scope}/variables`, { name, value });
    if (created.status === 201) return;
    // 409: it exists already; update it.
    if (created.status === 409) {
      expect(await call("PATCH", `${scope}/variables/${encodeURIComponent(name)}`, { name, value }), [204], `variable ${name}`);
      return;
    }
    expect(created, [201], `variable ${name}`);
  };

  /** Applies environments, branch policies and the variables whose values are known; reports each change as it is made. */
  const apply = async (
    setup: GitHubSetup,
    reviewers: readonly ReviewerName[],
    values: { readonly repository: ReadonlyMap<string, string>; readonly environment: (env: GitHubEnvironmentSetup) => ReadonlyMap<string, string> },
    report: (change: string) => void,
  ): Promise<void> => {
    const reviewerIds = await Promise.all(reviewers.map(reviewerId));
    for (const variable of setup.repositoryVariables) {
      const value = values.repository.get(variable.name);
      if (value === undefined) continue;
      await setVariable(`/repos/${repo}/actions`, variable.name, value);
      report(`repository variable ${variable.name} set`);
    }
    for (const env of setup.environments) {
      const route = `/repos/${repo}/environments/${encodeURIComponent(env.name)}`;
      expect(
        await call("PUT", route, {
          ...(env.requiredReviewers ? { reviewers: reviewerIds, prevent_self_review: true } : { reviewers: [] }),
          deployment_branch_policy: { protected_branches: false, custom_branch_policies: true },
        }),
        [200],
        `environment ${env.name}`,
      );
      report(`environment ${env.name}: ${env.requiredReviewers ? `${reviewerIds.length} required reviewer${reviewerIds.length === 1 ? "" : "s"}, ` : ""}custom branch policies`);
      const policies = expect(await call("GET", `${route}/deployment-branch-policies?per_page=100`), [200], `branch policies of ${env.name}`) as { branch_policies?: { id?: number; name?: string; type?: string }[] };
      const isDeployBranch = (p: { name?: string; type?: string }) => p.name === env.branch && (p.type ?? "branch") === "branch";
      // Any other pattern (`*`, `release/*`, a tag) would let another ref deploy: removed.
      for (const other of (policies?.branch_policies ?? []).filter((p) => !isDeployBranch(p) && typeof p.id === "number")) {
        expect(await call("DELETE", `${route}/deployment-branch-policies/${other.id}`), [204], `branch policy ${String(other.name)} of ${env.name}`);
        report(`environment ${env.name}: branch policy ${String(other.name).replace(/[^\x20-\x7e]/g, "?").slice(0, 100)} removed`);
      }
      if (!(policies?.branch_policies ?? []).some(isDeployBranch)) {
        expect(await call("POST", `${route}/deployment-branch-policies`, { name: env.branch, type: "branch" }), [200], `branch policy ${env.branch} of ${env.name}`);
        report(`environment ${env.name}: branch policy ${env.branch} added`);
      }
      for (const variable of env.variables) {
        const value = values.environment(env).get(variable.name);
        if (value === undefined) continue;
        await setVariable(route, variable.name, value);
        report(`environment ${env.name}: variable ${variable.name} set`);
      }
    }
  };
  return { apply };
}
