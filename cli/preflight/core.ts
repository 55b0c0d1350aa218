/**
 * What `npm run preflight -- <env>` checks before Terraform starts, as pure functions of a loaded
 * definition and the process environment: no file system, no network. The thin entry point
 * (index.ts) loads the definitions and prints.
 *
 * Never returns a variable's value: problems and notes name variables only.
 */
import { fleetStateHolder } from "../../stacks/fleet-state";
import { datadogApiUrl } from "../../contract/datadog-sites";
import { resourceNames } from "../../contract/names";
import type { LoadedEnvironment } from "../../stacks/environment/load";
import { fleetPlan } from "../../stacks/fleet-groups";

/** Process environment as Node gives it. */
export type ProcessEnv = Readonly<Record<string, string | undefined>>;

/** Where preflight runs: CI refuses what a workstation allows. */
export type Runner = "ci" | "workstation";

/**
 * `CI=true` (most CI systems) or `GITHUB_ACTIONS=true` (GitHub Actions) means the machine is
 * thrown away after the job. `1` counts as true too; anything else, or unset, is a workstation.
 */
export function detectRunner(env: ProcessEnv): Runner {
  const truthy = (value: string | undefined) => value !== undefined && ["true", "1"].includes(value.trim().toLowerCase());
  return truthy(env.CI) || truthy(env.GITHUB_ACTIONS) ? "ci" : "workstation";
}

/** One variable the deploy needs; any one of `names` satisfies it (the provider reads them in order). */
export interface RequiredVariable {
  readonly names: readonly string[];
  /** Why it is needed, for the message when it is missing. */
  readonly purpose: string;
  /** The definition field that asks for it, when one does. @default none */
  readonly field?: string;
}

/**
 * The Datadog provider (DataDog/terraform-provider-datadog, `datadog/internal/utils/utils.go`:
 * `APIKeyEnvVars`, `APPKeyEnvVars`) reads its keys from DD_API_KEY or DATADOG_API_KEY and
 * DD_APP_KEY or DATADOG_APP_KEY; with `validate` at its default (true) it refuses to plan
 * without both. The stack sets neither in code, so the deployer's environment must.
 */
export const DATADOG_PROVIDER_KEYS: readonly RequiredVariable[] = [
  { names: ["DD_API_KEY", "DATADOG_API_KEY"], purpose: "the Datadog provider's API key" },
  { names: ["DD_APP_KEY", "DATADOG_APP_KEY"], purpose: "the Datadog provider's application key" },
];

/**
 * The variables a deploy of `definition` needs: one sensitive `TF_VAR_webhook_secret_<NAME>` per
 * `ticketing.secretVariables` entry (the stack declares them with `nullable: false` and no
 * default, so Terraform would stop and prompt, or fail in CI), then the Datadog provider's keys.
 */
export function requiredVariables(definition: LoadedEnvironment["definition"]): RequiredVariable[] {
  const names = resourceNames(definition);
  return [
    ...definition.ticketing.secretVariables.map((customVariable) => ({
      names: [`TF_VAR_${names.webhookSecretVariable(customVariable)}`],
      purpose: `the value of the Datadog webhook variable $${customVariable}; the deploy workflow sets it from the GitHub environment secret WEBHOOK_SECRET_${customVariable}`,
      field: `ticketing.secretVariables lists ${customVariable}`,
    })),
    ...DATADOG_PROVIDER_KEYS,
  ];
}

/** The outcome: `problems` empty means go. Both lists name fields and variables, never values. */
export interface PreflightResult {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly notes: readonly string[];
}

export interface PreflightInput {
  /** The definition, already validated by stacks/environment/load.ts. */
  readonly environment: LoadedEnvironment;
  /** How to show the definition's file in messages (`environments/acme-prod.yaml`). */
  readonly label: string;
  readonly env: ProcessEnv;
}

/** A variable counts as set when it has a non-blank value: an empty token is a mistake, not a token. */
const isSet = (env: ProcessEnv, name: string) => (env[name] ?? "").trim() !== "";

/** Explains where state goes, and refuses local state on a CI runner, whose disk is discarded. */
function checkBackend({ environment, label, env }: PreflightInput): { problems: string[]; notes: string[] } {
  const { definition } = environment;
  const stack = resourceNames(definition).stack;
  if (definition.backend.type === "s3") {
    const key = definition.backend.key ?? `vpn-monitor/${definition.name}.tfstate`;
    const region = definition.backend.region ?? definition.aws.region;
    return { problems: [], notes: [`state: s3://${definition.backend.bucket}/${key} (${region})`] };
  }
  if (detectRunner(env) === "ci") {
    return {
      problems: [
        `${label}: backend is local (the default when backend is not set), and on a CI runner the state file ` +
          `is thrown away with the runner: the next deploy would start from empty state and collide with what ` +
          `this one created. Set backend: {type: s3, bucket: <state bucket>, region: <bucket region>} in ${label} ` +
          `(optionally key, dynamodbTable, kmsKeyId; see contract/definition/schema.ts).`,
      ],
      notes: [],
    };
  }
  return {
    problems: [],
    notes: [
      `state: local file terraform.${stack}.tfstate in the project root. That is fine for trying things out on ` +
        `this machine; before anything real set backend: {type: s3, bucket: …} in ${label}. CI refuses local state.`,
    ],
  };
}

/** Every missing variable of `required`, each named once with what it is for. */
function checkVariables(required: readonly RequiredVariable[], label: string, env: ProcessEnv): { problems: string[]; notes: string[] } {
  const problems = required
    .filter((variable) => !variable.names.some((name) => isSet(env, name)))
    .map((variable) =>
      variable.field
        ? `${label}: ${variable.field}, so ${variable.names.join(" or ")} must be set (${variable.purpose})`
        : `${variable.names.join(" or ")} is not set (${variable.purpose})`,
    );
  const present = required.map((variable) => variable.names.find((name) => isSet(env, name))).filter((n): n is string => n !== undefined);
  return { problems, notes: present.length > 0 ? [`set: ${present.join(", ")}`] : [] };
}

/**
 * Where the checker's Datadog API key comes from, and what the deploy does with it: the stack runs
 * one check before it creates the monitors (stacks/constructs/checker-first-post.ts), so a secret
 * without the key stops the deploy there instead of leaving a checker that never posts. Preflight
 * cannot read the secret (no network, and the deployer need not be allowed to): it says which one.
 */
export function datadogKeyNote({ environment, label }: Pick<PreflightInput, "environment" | "label">): string {
  const { definition } = environment;
  const firstPost = "the deploy runs one check before it creates the monitors and stops there if the checker cannot post with it";
  if (definition.datadog.apiKeySecretArn !== undefined) {
    return `datadog: the checker reads its API key from the secret datadog.apiKeySecretArn names; ${firstPost}`;
  }
  return (
    `datadog: ${label} sets no datadog.apiKeySecretArn, so the stack creates the secret ${resourceNames(definition).datadogApiKeySecret} empty; ` +
    `${firstPost}: on a first deploy, put the Datadog API key in that secret when the deploy stops, then deploy again (or create the secret first and set datadog.apiKeySecretArn)`
  );
}

/** Runs every check; reports all problems at once so that one run shows everything to fix. */
export function preflight(input: PreflightInput): PreflightResult {
  const backend = checkBackend(input);
  const variables = checkVariables(requiredVariables(input.environment.definition), input.label, input.env);
  const problems = [...backend.problems, ...variables.problems];
  return { ok: problems.length === 0, problems, notes: [`definition: ${input.label} is valid`, ...backend.notes, datadogKeyNote(input), ...variables.notes] };
}

export interface FleetPreflightInput {
  /** The fleet overview's stack id, `vpn-monitor-fleet` or `vpn-monitor-fleet-<site>` (cli/preflight/targets.ts). */
  readonly stack: string;
  /** Every environment the overview shows: the validated definitions on its Datadog site. */
  readonly environments: readonly LoadedEnvironment[];
  /** How to show a definition's file in messages (`environments/acme-prod.yaml`). */
  readonly labelOf: (file: string) => string;
  readonly env: ProcessEnv;
}

/**
 * Preflight of a fleet overview (stacks/fleet-stack.ts): a Datadog provider and nothing of AWS, so
 * the only variables are the provider's keys, and its state lives in the bucket of the definition
 * stacks/fleet-state.ts chooses (`fleetPlan`). Under CI, local state is refused naming the file the
 * fix goes in.
 */
export function fleetPreflight({ stack, environments, labelOf, env }: FleetPreflightInput): PreflightResult {
  const plan = fleetPlan(environments.map((environment) => environment.definition), stack);
  const sorted = [...environments].sort((a, b) => (a.definition.name < b.definition.name ? -1 : a.definition.name > b.definition.name ? 1 : 0));
  const chosen = fleetStateHolder(sorted.map((e) => e.definition));
  const holder = ("holder" in chosen && chosen.holder && sorted.find((e) => e.definition === chosen.holder)) || sorted[0]!;
  const first = holder;
  const firstLabel = labelOf(first.file);
  const origin =
    plan.backend.type === "s3"
      ? `${first.definition.name} (${firstLabel}, ${first.definition.backend.type === "s3" && first.definition.backend.fleet ? "backend.fleet: true" : `the S3 state location of every definition on Datadog site ${plan.site}`})`
      : `${first.definition.name}, the first environment by name on Datadog site ${plan.site} (${firstLabel})`;
  const problems: string[] = [];
  const notes = [
    `definitions: the ${environments.length} environment definition(s) on Datadog site ${plan.site} are valid; the fleet dashboard shows each of them`,
    `datadog: site ${plan.site} (${datadogApiUrl(plan.site)}/)${plan.organization === undefined ? "" : `, organization ${plan.organization}`}: DD_API_KEY and DD_APP_KEY must be keys of that Datadog org`,
  ];
  if (plan.backend.type === "s3") {
    notes.push(`state: s3://${plan.backend.bucket}/${plan.backend.key} (${plan.backend.region}), in the state bucket of ${origin}`);
  } else if (detectRunner(env) === "ci") {
    // The key the stack would use with S3 state, from the stack's own rule.
    const s3Plan = fleetPlan([{ ...first.definition, backend: { type: "s3", bucket: "<state bucket>" } }], stack);
    const key = s3Plan.backend.type === "s3" ? s3Plan.backend.key : undefined;
    problems.push(
      `${stack} keeps its state beside that of ${origin}, whose backend is local (the default when backend is not set): ` +
        `on a CI runner the state file is thrown away with the runner, and the next deploy would create the fleet dashboard again beside the first. ` +
        `Set backend: {type: s3, bucket: <state bucket>, region: <bucket region>} in ${firstLabel}; ` +
        `${stack} then keeps its state in that bucket under ${key}.`,
    );
  } else {
    notes.push(
      `state: local file terraform.${stack}.tfstate in the project root, because ${origin} keeps local state. That is fine for trying ` +
        `things out on this machine; before anything real set backend: {type: s3, bucket: …} in ${firstLabel}. CI refuses local state.`,
    );
  }
  const variables = checkVariables(DATADOG_PROVIDER_KEYS, stack, env);
  problems.push(...variables.problems);
  notes.push(...variables.notes);
  return { ok: problems.length === 0, problems, notes };
}
