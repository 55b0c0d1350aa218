/**
 * `npm run github-setup`: the printout, usage errors (exit 2), and `--apply` against a loopback
 * stand-in of GitHub's REST API. The stand-in follows GitHub's REST documentation (API version
 * 2022-11-28, docs.github.com/en/rest):
 * - "Create or update an environment": PUT /repos/{owner}/{repo}/environments/{environment_name}, 200 with the environment;
 * - "List/Create/Delete a deployment branch policy": GET (200 `{total_count, branch_policies}`), POST (200 with the policy),
 *   DELETE …/{branch_policy_id} (204) under …/environments/{environment_name}/deployment-branch-policies;
 * - "Create a repository variable" POST /repos/{owner}/{repo}/actions/variables (201, 409 when it exists),
 *   "Update a repository variable" PATCH …/actions/variables/{name} (204); the same under
 *   /repos/{owner}/{repo}/environments/{environment_name}/variables for environment variables;
 * - "Get a user" GET /users/{username}, "Get a team by name" GET /orgs/{org}/teams/{team_slug};
 * - a wrong token: 401 `{"message": "Bad credentials"}`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { stringify } from "yaml";
import { main } from "../../../cli/github-setup/main";
import { listen, memoryIo, tempDir } from "../../helpers/cli-harness";
import { baseDefinition } from "../../helpers/synth";

const TOKEN = "ghp_standInToken0000000000000000000000";

interface Request {
  method: string;
  url: string;
  body: unknown;
}

function gitHubStandIn() {
  const requests: Request[] = [];
  const environments = new Map<string, Record<string, unknown>>();
  const branchPolicies = new Map<string, { id: number; name: string; type: string }[]>([["acme-prod", [{ id: 7, name: "*", type: "branch" }]]]);
  const variables = new Map<string, string>([["env:acme-prod:AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/old"]]);
  let nextId = 100;
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d: Buffer) => (raw += d.toString("utf8")));
    req.on("end", () => {
      const body = raw ? JSON.parse(raw) : undefined;
      requests.push({ method: req.method!, url: req.url!, body });
      const send = (status: number, json?: unknown) => {
        res.writeHead(status, json === undefined ? {} : { "Content-Type": "application/json; charset=utf-8" });
        res.end(json === undefined ? "" : JSON.stringify(json));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
      if (req.headers["x-github-api-version"] !== "2022-11-28") return send(400, { message: "missing API version" });
      const url = new URL(req.url!, "http://localhost");
      const route = decodeURIComponent(url.pathname);
      let m: RegExpExecArray | null;
      if (req.method === "GET" && (m = /^\/users\/([^/]+)$/.exec(route))) return send(200, { login: m[1], id: 4242, type: "User" });
      if (req.method === "GET" && (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)$/.exec(route))) return send(200, { id: 77, slug: m[2] });
      if ((m = /^\/repos\/acme\/vpn-monitor\/environments\/([^/]+)$/.exec(route)) && req.method === "PUT") {
        environments.set(m[1]!, body);
        return send(200, { id: nextId++, name: m[1], deployment_branch_policy: body.deployment_branch_policy });
      }
      if ((m = /^\/repos\/acme\/vpn-monitor\/environments\/([^/]+)\/deployment-branch-policies$/.exec(route))) {
        const list = branchPolicies.get(m[1]!) ?? [];
        if (req.method === "GET") return send(200, { total_count: list.length, branch_policies: list });
        if (req.method === "POST") {
          const policy = { id: nextId++, name: body.name, type: body.type };
          branchPolicies.set(m[1]!, [...list, policy]);
          return send(200, policy);
        }
      }
      if ((m = /^\/repos\/acme\/vpn-monitor\/environments\/([^/]+)\/deployment-branch-policies\/(\d+)$/.exec(route)) && req.method === "DELETE") {
        branchPolicies.set(m[1]!, (branchPolicies.get(m[1]!) ?? []).filter((p) => p.id !== Number(m![2])));
        return send(204);
      }
      const variableScope = (m = /^\/repos\/acme\/vpn-monitor\/(?:actions|environments\/([^/]+))\/variables(?:\/([^/]+))?$/.exec(route));
      if (variableScope) {
        const key = `${m![1] ? `env:${m![1]}` : "repo"}:${m![2] ?? body.name}`;
        if (req.method === "POST") {
          if (variables.has(key)) return send(409, { message: "Already exists - Variable already exists" });
          variables.set(key, body.value);
          return send(201);
        }
        if (req.method === "PATCH") {
          variables.set(key, body.value);
          return send(204);
        }
      }
      send(404, { message: "Not Found" });
    });
  });
  return { server, requests, environments, branchPolicies, variables };
}

function fixture() {
  const temp = tempDir("github-setup-");
  const envs = path.join(temp.dir, "environments");
  mkdirSync(envs);
  writeFileSync(path.join(envs, "acme-prod.yaml"), stringify(baseDefinition({ ticketing: { webhookUrl: "https://tickets.example.com/api/datadog", secretVariables: ["TICKET_TOKEN"] } })));
  return { ...temp, envs };
}

describe("npm run github-setup", () => {
  it("prints each environment's rules, variables and secrets, and where each lives", async () => {
    const f = fixture();
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs }, cwd: f.dir });
    expect(await main(["--repo", "acme/vpn-monitor"], io)).toBe(0);
    expect(io.out()).toBe(
      [
        "GitHub set-up of acme/vpn-monitor",
        "  repository:",
        "    variable AWS_PLAN_ROLE_ARN — plan, drift (the plan role: main only, never pull requests):  gh variable set AWS_PLAN_ROLE_ARN --repo acme/vpn-monitor --body <value>",
        "    variable PLAN_RECIPIENT_CERT — plan (encrypts the plan artifact; a certificate, public):  gh variable set PLAN_RECIPIENT_CERT --repo acme/vpn-monitor --body <value>",
        "    variable PLAN_SIGNING_PUBLIC_KEY — apply (verifies the plan artifact's signature; a public key):  gh variable set PLAN_SIGNING_PUBLIC_KEY --repo acme/vpn-monitor --body <value>",
        "    variable AWS_REGION (optional) — every job that assumes a role (default us-east-1):  gh variable set AWS_REGION --repo acme/vpn-monitor --body <value>",
        "    secret DD_PLAN_API_KEY — plan, drift (read-only Datadog keys; never pull requests):  gh secret set DD_PLAN_API_KEY --repo acme/vpn-monitor",
        "    secret DD_PLAN_APP_KEY — plan, drift (read-only Datadog keys; never pull requests):  gh secret set DD_PLAN_APP_KEY --repo acme/vpn-monitor",
        "",
        "  environment acme-prod (deploy of acme-prod): required reviewers (prevent self-review); deployment branches: main only",
        "    variable AWS_ROLE_ARN — apply (the deploy role):  gh variable set AWS_ROLE_ARN --repo acme/vpn-monitor --env acme-prod --body <value>",
        "    secret DD_API_KEY — apply (deploy Datadog keys):  gh secret set DD_API_KEY --repo acme/vpn-monitor --env acme-prod",
        "    secret DD_APP_KEY — apply (deploy Datadog keys):  gh secret set DD_APP_KEY --repo acme/vpn-monitor --env acme-prod",
        "    secret PLAN_DECRYPTION_KEY — apply (decrypts the approved plan):  gh secret set PLAN_DECRYPTION_KEY --repo acme/vpn-monitor --env acme-prod",
        "",
        "  environment acme-prod_plan (plan of acme-prod): no reviewers; deployment branches: main only",
        "    secret PLAN_SIGNING_KEY — plan (signs the plan artifact; in every `<name>_plan`, fleets included, so a branch cannot sign):  gh secret set PLAN_SIGNING_KEY --repo acme/vpn-monitor --env acme-prod_plan",
        "    secret WEBHOOK_SECRET_TICKET_TOKEN — plan (ticketing variable TICKET_TOKEN, carried in the encrypted plan):  gh secret set WEBHOOK_SECRET_TICKET_TOKEN --repo acme/vpn-monitor --env acme-prod_plan",
        "",
        "  environment fleet (deploy of fleet): required reviewers (prevent self-review); deployment branches: main only",
        "    variable AWS_ROLE_ARN — apply (the fleet state role):  gh variable set AWS_ROLE_ARN --repo acme/vpn-monitor --env fleet --body <value>",
        "    secret DD_API_KEY — apply (deploy Datadog keys):  gh secret set DD_API_KEY --repo acme/vpn-monitor --env fleet",
        "    secret DD_APP_KEY — apply (deploy Datadog keys):  gh secret set DD_APP_KEY --repo acme/vpn-monitor --env fleet",
        "    secret PLAN_DECRYPTION_KEY — apply (decrypts the approved plan):  gh secret set PLAN_DECRYPTION_KEY --repo acme/vpn-monitor --env fleet",
        "",
        "  environment fleet_plan (plan of fleet): no reviewers; deployment branches: main only",
        "    secret PLAN_SIGNING_KEY — plan (signs the plan artifact; in every `<name>_plan`, fleets included, so a branch cannot sign):  gh secret set PLAN_SIGNING_KEY --repo acme/vpn-monitor --env fleet_plan",
        "",
        "Each gh secret set prompts for its value: it stays out of this output and the shell history.",
        "",
      ].join("\n"),
    );
    f.remove();
  });

  it.each([
    [["--repo", "acme/vpn-monitor", "--apply", "--reviewer", "octocat"], {}, "error: --apply needs a token in GH_TOKEN (or GITHUB_TOKEN) with the repository's administration and variables write permissions"],
    [["--repo", "acme/vpn-monitor", "--apply"], { GH_TOKEN: TOKEN }, "error: --apply needs at least one --reviewer: every protected environment requires a reviewer"],
    [["--repo", "acme/vpn-monitor", "--plan-role-arn", "role/x"], {}, 'error: --plan-role-arn "role/x" is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)'],
    [["--rpo", "acme/vpn-monitor"], {}, "error: unknown flag --rpo (did you mean --repo?)"],
  ])("%j exits 2 with the usage line", async (argv, env, message) => {
    const f = fixture();
    const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs, ...env }, cwd: f.dir });
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toBe(`${message}\nEvery flag: npm run github-setup -- --help\n`);
    f.remove();
  });

  describe("--apply against the GitHub REST stand-in", () => {
    let gh: ReturnType<typeof gitHubStandIn>;
    let base: string;
    let close: () => Promise<void>;
    beforeEach(async () => {
      gh = gitHubStandIn();
      const listening = await listen(gh.server);
      base = `http://127.0.0.1:${listening.port}`;
      close = listening.close;
    });
    afterEach(() => close());

    it("creates both environments with main-only branch policies, reviewers and variables, and sets no secret", async () => {
      const f = fixture();
      const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs, GH_TOKEN: TOKEN }, cwd: f.dir });
      const argv = ["--repo", "acme/vpn-monitor", "--apply", "--reviewer", "octocat", "--reviewer", "acme/network-ops", "--api-url", base, "--plan-role-arn", "arn:aws:iam::123456789012:role/github-vpn-monitor-plan", "--deploy-role-arn", "arn:aws:iam::123456789012:role/github-vpn-monitor-deploy", "--fleet-role-arn", "arn:aws:iam::123456789012:role/github-vpn-monitor-fleet-state"];
      expect(await main(argv, io)).toBe(0);
      expect([...gh.environments.entries()]).toEqual([
        ["acme-prod", { reviewers: [{ type: "User", id: 4242 }, { type: "Team", id: 77 }], prevent_self_review: true, deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } }],
        ["acme-prod_plan", { reviewers: [], deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } }],
        ["fleet", { reviewers: [{ type: "User", id: 4242 }, { type: "Team", id: 77 }], prevent_self_review: true, deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } }],
        ["fleet_plan", { reviewers: [], deployment_branch_policy: { protected_branches: false, custom_branch_policies: true } }],
      ]);
      // The pre-existing `*` policy of acme-prod is gone: main only, everywhere.
      expect([...gh.branchPolicies.entries()].map(([env, list]) => [env, list.map((p) => `${p.type}:${p.name}`)])).toEqual([
        ["acme-prod", ["branch:main"]],
        ["acme-prod_plan", ["branch:main"]],
        ["fleet", ["branch:main"]],
        ["fleet_plan", ["branch:main"]],
      ]);
      expect(Object.fromEntries(gh.variables)).toEqual({
        "repo:AWS_PLAN_ROLE_ARN": "arn:aws:iam::123456789012:role/github-vpn-monitor-plan",
        "env:acme-prod:AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/github-vpn-monitor-deploy",
        "env:fleet:AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/github-vpn-monitor-fleet-state",
      });
      expect(gh.requests.filter((r) => r.url.includes("secrets"))).toEqual([]);
      expect(gh.requests.filter((r) => r.method === "PATCH").map((r) => r.url)).toEqual(["/repos/acme/vpn-monitor/environments/acme-prod/variables/AWS_ROLE_ARN"]);
      expect(io.out()).toContain("applied environment acme-prod: branch policy * removed\n");
      expect(io.out()).toContain("    variable AWS_ROLE_ARN: set (acme-prod) — apply (the deploy role)\n");
      expect(io.out()).toContain("gh secret set WEBHOOK_SECRET_TICKET_TOKEN --repo acme/vpn-monitor --env acme-prod_plan\n");
      expect(io.out() + io.err()).not.toContain(TOKEN);
      f.remove();
    });

    it("stops at a refused call, says what was applied, and never prints the token", async () => {
      const f = fixture();
      const io = memoryIo({ env: { VPN_MONITOR_ENVIRONMENTS_DIR: f.envs, GH_TOKEN: "ghp_wrong" }, cwd: f.dir });
      expect(await main(["--repo", "acme/vpn-monitor", "--apply", "--reviewer", "octocat", "--api-url", base], io)).toBe(1);
      expect(io.err()).toBe("error: github-setup: reviewer octocat: GitHub answered 401 (Bad credentials); what is listed above as applied was applied\n");
      expect(gh.environments.size).toBe(0);
      expect(io.out() + io.err()).not.toContain("ghp_wrong");
      f.remove();
    });
  });
});
