/**
 * What the operator does after onboard wrote the file, as printable lines: the runbook of
 * docs/onboarding.md with this environment's names filled in. Secrets are read with `read -rs`
 * and turned into JSON with `jq`, so no value lands on a command line or in the shell history.
 */
import { DATADOG_SITES } from "../../contract/datadog-sites";
import { githubSetup, planEnvironmentName, webhookSecretName } from "../../contract/github-setup";
import { defaultWebhookName } from "../../contract/names";
import { DEFAULT_VNS3_API_USER } from "../../contract/vns3";
import type { EnvironmentDefinition } from "../../contract/definition/schema";
import type { Answers } from "./answers";
import { formatHostPort } from "../shared/host-port";
import { controllerEnvPrefix, controllerSecretName, datadogSecretName } from "../shared/names";

/** The GitHub environment the deploy's plan job runs in (deploy-environments.yml: `<name>_plan`). */
export const planEnvironment = planEnvironmentName;
/** The GitHub secret that feeds the sensitive variable of ticketing.secretVariables entry `variable`. */
export { webhookSecretName };

/** `read -rsp '<prompt>' NAME && echo`: reads a value without echoing it or keeping it in history. */
function readSecret(variable: string, prompt: string): string {
  return `read -rsp '${prompt}: ' ${variable} && echo`;
}

/** Region of a secret ARN. */
function regionOfArn(arn: string): string {
  return arn.split(":")[3] ?? "";
}

/** The operator's next steps for a new definition, as lines ready to print. */
export function nextSteps(def: EnvironmentDefinition, file: string, answers?: Pick<Answers, "controllers">): string[] {
  const name = def.name;
  const out: string[] = [];
  const say = (text = "") => out.push(text);
  let step = 0;
  const heading = (text: string) => {
    step += 1;
    say();
    say(`${step}. ${text}`);
  };
  const putControllerSecret = (region: string, secretId: string, controller: string) => {
    say(`     ${readSecret("VNS3_PW", `API password of ${controller}`)}`);
    say(`     aws secretsmanager put-secret-value --region ${region} --secret-id ${secretId} \\`);
    say(`       --secret-string "$(jq -nc --arg p "$VNS3_PW" '{username:"${DEFAULT_VNS3_API_USER}",password:$p}')"`);
    say("     unset VNS3_PW");
  };
  const putApiKey = (region: string, secretId: string) => {
    say(`     ${readSecret("DD_KEY", "Datadog API key")}`);
    say(`     aws secretsmanager put-secret-value --region ${region} --secret-id ${secretId} --secret-string "$DD_KEY"`);
    say("     unset DD_KEY");
  };

  say(`Next steps for ${name} (the whole runbook: docs/onboarding.md)`);

  const unconfirmed = def.controllers.filter((c) => !answers?.controllers.find((a) => a.name === c.name)?.fingerprintConfirmed);
  if (unconfirmed.length > 0) {
    heading("Confirm the pinned certificates from a host that reaches the controllers:");
    for (const c of unconfirmed) say(`     npm run fingerprint -- ${formatHostPort(c.host, c.port)}     # must show ${c.tlsSha256}`);
  }

  heading("Check once, from a host that reaches the controllers (reads every tunnel, sends nothing).");
  say("   Type each API password at its prompt: it stays off the command line and out of the history.");
  const variables = def.controllers.map((c) => `${controllerEnvPrefix(c.name)}PASSWORD`);
  def.controllers.forEach((c, i) => say(`     ${readSecret(variables[i] as string, `API password of ${c.name}`)} && export ${variables[i]}`));
  say(`     npm run check -- ${name}`);
  say(`     unset ${variables.join(" ")}`);
  say("   An API token instead: VNS3_<CONTROLLER>_API_TOKEN; another user than api: VNS3_<CONTROLLER>_USERNAME.");

  const named = def.controllers.filter((c) => c.secretArn !== undefined);
  if (named.length > 0 || def.datadog.apiKeySecretArn !== undefined) {
    heading("The secrets the file names must hold these values before the merge (skip those already filled):");
    for (const c of named) putControllerSecret(regionOfArn(c.secretArn as string), c.secretArn as string, c.name);
    if (def.datadog.apiKeySecretArn !== undefined) putApiKey(regionOfArn(def.datadog.apiKeySecretArn), def.datadog.apiKeySecretArn);
    say(`   A controller with an API token: --secret-string "$(jq -nc --arg t "$VNS3_TOKEN" '{apiToken:$t}')"`);
  }

  heading("Review: commit the file on a branch and open a pull request; the review comments on it (the synthesized diff, terraform validate).");
  say(`     git switch -c onboard-${name}`);
  say(`     git add ${file} && git commit -m "Onboard ${name}"`);
  if (def.backend.type === "local") {
    say("   WARNING: the file keeps Terraform state locally. The deploy workflow refuses it: before the");
    say("   merge, add `backend: {type: s3, bucket: <bucket>}` (npm run onboard -- --state-bucket <bucket> …).");
  } else {
    say(`   The state bucket ${def.backend.bucket} must exist before the first deploy.`);
  }

  heading("Deploy: merging the pull request deploys. Nobody runs cdktf deploy by hand.");
  say("   The deploy workflow plans the environment, a reviewer approves that plan in its GitHub");
  say("   environment, and the workflow applies exactly the approved plan.");
  // The plan job reads the ticketing secrets and runs in <name>_plan (deploy-environments.yml):
  // there they must be, not in the protected <name>, or the first plan fails.
  say(`   Before the merge, GitHub needs the environments ${planEnvironment(name)} and ${name} (docs/review.md,`);
  say('   "Setting up GitHub"; npm run github-setup prints them), each with deployment branch main.');
  // The same table github-setup prints (contract/github-setup.ts): the plan environment's secrets.
  const planSecrets = githubSetup([{ name, secretVariables: def.ticketing.secretVariables }]).environments.find((e) => e.role === "plan")!.secrets;
  const ticketing = planSecrets.filter((s) => def.ticketing.secretVariables.some((v) => webhookSecretName(v) === s.name));
  if (ticketing.length > 0) {
    say(`   One secret per ticketing variable, in the plan environment ${planEnvironment(name)}:`);
    say(`     ${ticketing.map((s) => s.name).join(", ")}   (docs/review.md)`);
  }
  say(`   The plan environment ${planEnvironment(name)} holds ${planSecrets.map((s) => s.name).join(", ")}:`);
  for (const secret of planSecrets) say(`     gh secret set ${secret.name} --env ${planEnvironment(name)}   # prompts for the value`);

  const created = def.controllers.filter((c) => c.secretArn === undefined);
  if (def.datadog.apiKeySecretArn === undefined) {
    // The deploy's first check (stacks/constructs/checker-first-post.ts) fails while the key
    // secret is empty, before any monitor exists: say so, or the failed apply looks like a bug.
    heading(`The first deploy stops at its first check, before any monitor exists (nothing pages): the Datadog`);
    say(`   API key secret the stack created is still empty. Fill the secrets it created, then deploy again`);
    say(`   (Actions → deploy → Run workflow, environments ${name}):`);
    for (const c of created) putControllerSecret(def.aws.region, controllerSecretName(name, c.name), c.name);
    putApiKey(def.aws.region, datadogSecretName(name));
    say("   To deploy in one go instead, create the key secret before the merge and set");
    say(`   datadog.apiKeySecretArn in ${file} (docs/onboarding.md, step 3b).`);
  } else if (created.length > 0) {
    heading("Right after the first deploy, fill the controller secrets the stack created empty (until then");
    say("   those controllers report reason:credentials and their controller monitor alerts):");
    for (const c of created) putControllerSecret(def.aws.region, controllerSecretName(name, c.name), c.name);
  }

  heading(`Check against the deployed secrets and post it once to Datadog (site ${def.datadog.site}, ${DATADOG_SITES[def.datadog.site]}):`);
  say(`     ${readSecret("DD_API_KEY", "Datadog API key")} && export DD_API_KEY`);
  say(`     npm run check -- ${name} --send`);
  say("     unset DD_API_KEY");

  heading("Test the ticket path:");
  say(`   Datadog → Monitors → the vpn.tunnel.status monitor of vpn_environment:${name} → Edit →`);
  say(`   Test Notifications → Alert → Run Test: a test ticket must reach ${def.ticketing.webhookUrl}`);
  say(`   (webhook ${def.ticketing.webhookName ?? defaultWebhookName(name)}). End to end: docs/onboarding.md, step 8.`);
  return out;
}
