/**
 * Onboarding's next steps, docs/onboarding.md and the deploy workflow say the same thing about
 * where the ticketing secrets live: parsed from deploy-environments.yml (the job that reads
 * WEBHOOK_SECRET_* and the GitHub environment it runs in), compared with what nextSteps prints
 * and what the runbook says.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { renderEnvironmentYaml } from "../../../cli/onboard/environment-yaml";
import { nextSteps, planEnvironment, webhookSecretName } from "../../../cli/onboard/next-steps";
import { githubSetup } from "../../../contract/github-setup";
import { validateEnvironment } from "../../../stacks/environment/load";
import type { EnvironmentInput } from "../../../contract/definition/schema";
import { fixtureEnvironment } from "../../helpers/fixture-environments";

const ROOT = path.resolve(__dirname, "../../..");
interface Job {
  environment?: string;
  steps?: { name?: string; run?: string; env?: Record<string, string> }[];
}
const jobs = (parse(readFileSync(path.join(ROOT, ".github/workflows/deploy-environments.yml"), "utf8")) as { jobs: Record<string, Job> }).jobs;

/** The jobs whose steps read the ticketing secrets, with the GitHub environment each runs in for `target`. */
function ticketingReaders(target: string): { job: string; environment: string | undefined }[] {
  return Object.entries(jobs)
    .filter(([, job]) => (job.steps ?? []).some((s) => /WEBHOOK_SECRET_/.test(`${s.run ?? ""}${JSON.stringify(s.env ?? {})}`)))
    .map(([name, job]) => ({ job: name, environment: job.environment?.replace("${{ matrix.environment }}", target) }));
}

function definition() {
  const input = parse(readFileSync(fixtureEnvironment("example-multi.yaml"), "utf8")) as EnvironmentInput;
  const validated = validateEnvironment("example-multi.yaml", input);
  if (!validated.ok) throw new Error(validated.problems.join("\n"));
  return validated.definition;
}

describe("where WEBHOOK_SECRET_<VAR> lives", () => {
  const def = definition();
  const lines = nextSteps(def, "environments/example-multi.yaml");

  it("the workflow reads it in the plan job only, which runs in <name>_plan", () => {
    expect(ticketingReaders("example-multi")).toEqual([{ job: "plan", environment: "example-multi_plan" }]);
    expect(planEnvironment("example-multi")).toBe("example-multi_plan");
    // The step maps WEBHOOK_SECRET_<VAR> to the stack's TF_VAR_webhook_secret_<VAR>.
    const extract = jobs.plan!.steps!.find((s) => s.name === "Ticketing secrets of the plan environment")!;
    expect(extract.run).toContain('startswith("WEBHOOK_SECRET_")');
    expect(extract.run).toContain("export TF_VAR_webhook_secret_");
  });

  it("next steps name that environment and each secret, and how to set it without the value on a command line", () => {
    const [{ environment }] = ticketingReaders(def.name);
    expect(lines).toContain(`   One secret per ticketing variable, in the plan environment ${environment}:`);
    expect(lines).toContain("     WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN   (docs/review.md)");
    expect(lines).toContain(`     gh secret set WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN --env ${environment}   # prompts for the value`);
    expect(def.ticketing.secretVariables.map(webhookSecretName)).toEqual(["WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN"]);
    // Never the protected environment: the plan that needs the secret does not run there.
    expect(lines.join("\n")).not.toMatch(/environment example-multi needs|--env example-multi(\s|$)/);
  });

  it("docs/onboarding.md and docs/review.md say <name>_plan as well", () => {
    const onboarding = readFileSync(path.join(ROOT, "docs/onboarding.md"), "utf8").replace(/\s+/g, " ");
    expect(onboarding).toContain("one secret `WEBHOOK_SECRET_<NAME>` per `ticketing.secretVariables` entry in the GitHub environment `<name>_plan`");
    expect(onboarding).not.toMatch(/WEBHOOK_SECRET_<NAME>`? per `ticketing\.secretVariables` entry live in that GitHub environment/);
    const review = readFileSync(path.join(ROOT, "docs/review.md"), "utf8");
    expect(review).toContain("| `WEBHOOK_SECRET_<NAME>` | secrets of the environment `<name>_plan` | `plan` (carried in the encrypted plan) |");
  });

  it("next steps set exactly the secrets github-setup places in <name>_plan, and the written file's comment names it", () => {
    const plan = githubSetup([{ name: def.name, secretVariables: def.ticketing.secretVariables }]).environments.find((e) => e.name === "example-multi_plan")!;
    expect(plan.secrets.map((s) => s.name)).toEqual(["PLAN_SIGNING_KEY", "WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN"]);
    expect(lines.filter((l) => l.includes("gh secret set"))).toEqual(plan.secrets.map((s) => `     gh secret set ${s.name} --env example-multi_plan   # prompts for the value`));
    const input = parse(readFileSync(fixtureEnvironment("example-multi.yaml"), "utf8")) as EnvironmentInput;
    const yaml = renderEnvironmentYaml(input as Parameters<typeof renderEnvironmentYaml>[0]);
    expect(yaml).toContain("  # from the secrets WEBHOOK_SECRET_EXAMPLE_MULTI_TICKET_TOKEN of the GitHub environment example-multi_plan.");
  });
});
