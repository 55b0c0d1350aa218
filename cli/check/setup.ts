/**
 * Environment definition → the checker's own configuration, parsed the way the Lambda parses it:
 * the definition goes through `checkerEnvironment` (contract/checker-env.ts, which the stack uses
 * for the Lambda's variables) and the result through the checker's `parseCheckerConfig`
 * (handler/config.ts). Only credentials differ from the Lambda, where the operator has them
 * locally: inline credentials in a controller's entry and `DD_API_KEY`, as the checker's
 * configuration allows for local runs.
 */
import { CHECKER_ENV, checkerEnvironment } from "../../contract/checker-env";
import { awsPartition } from "../../contract/names";
import { ConfigError, parseCheckerConfig, type CheckerConfig, type ControllerConfig } from "../../handler/config";
import type { EnvironmentDefinition } from "../../stacks/environment/schema";
import { controllerEnvPrefix, controllerSecretName, datadogSecretName } from "../shared/names";

/** The checker configuration for one environment, and where each credential comes from. */
export interface CheckSetup {
  /** What the checker would run with; undefined when the parser refused it (see `problems`). */
  readonly config: CheckerConfig | undefined;
  /** Per controller name: `env VNS3_…_PASSWORD`, `secret <arn>`, … (never a value). */
  readonly credentialSources: Readonly<Record<string, string>>;
  /** Where the Datadog API key comes from (used with --send only). */
  readonly apiKeySource: string;
  /** Values that must never be printed (inline credentials), for the redactor. */
  readonly secrets: readonly string[];
  /** Things to fix before running. */
  readonly problems: readonly string[];
  /** Things worth saying that do not stop the run. */
  readonly warnings: readonly string[];
}

type Env = Readonly<Record<string, string | undefined>>;

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The checker accepts only secret ARNs, while the secrets the stack creates are known here by
 * name (their ARN carries the account and a random suffix). GetSecretValue takes either, so a
 * name goes through the parser as this stand-in ARN and is put back right after; the account
 * 000000000000 cannot be a real one.
 */
function standInArn(region: string, secretName: string): string {
  return `arn:${awsPartition(region)}:secretsmanager:${region}:000000000000:secret:${secretName}`;
}

/**
 * Builds the checker's configuration from a validated definition.
 * Controller credentials: `VNS3_<NAME>_PASSWORD` (+ `_USERNAME`, default `api`) or
 * `VNS3_<NAME>_API_TOKEN`; else the controller's `secretArn`; else the secret the stack creates.
 * Datadog API key: `DD_API_KEY`; else `datadog.apiKeySecretArn`; else the stack's secret.
 * `DD_API_URL` replaces `https://api.<site>` as it does for the checker.
 */
export function checkSetup(def: EnvironmentDefinition, env: Env): CheckSetup {
  const problems: string[] = [];
  const warnings: string[] = [];
  const secrets: string[] = [];
  const credentialSources: Record<string, string> = {};
  const prefixes = new Set<string>();
  const namesByStandIn = new Map<string, string>();
  const region = def.aws.region;

  const secretRef = (arn: string | undefined, name: string): string => {
    if (arn !== undefined) return arn;
    const standIn = standInArn(region, name);
    namesByStandIn.set(standIn, name);
    return standIn;
  };

  const controllerSecretArns = new Map(def.controllers.map((c) => [c.name, secretRef(c.secretArn, controllerSecretName(def.name, c.name))]));
  const datadogApiKeySecretArn = secretRef(def.datadog.apiKeySecretArn, datadogSecretName(def.name));
  const variables: Record<string, string> = { ...checkerEnvironment(def, { controllerSecretArns, datadogApiKeySecretArn }) };

  // Local credentials replace a controller's secret in its entry: the parser takes inline ones.
  const entries = JSON.parse(variables[CHECKER_ENV.controllers] as string) as Record<string, unknown>[];
  for (const entry of entries) {
    const name = String(entry.name);
    const prefix = controllerEnvPrefix(name);
    prefixes.add(prefix);
    const password = read(env, `${prefix}PASSWORD`);
    const token = read(env, `${prefix}API_TOKEN`);
    const username = read(env, `${prefix}USERNAME`);
    if (password !== undefined && token !== undefined) {
      problems.push(`${prefix}PASSWORD and ${prefix}API_TOKEN are both set: set one`);
    } else if (token !== undefined) {
      delete entry.secretArn;
      entry.apiToken = token;
      credentialSources[name] = `env ${prefix}API_TOKEN`;
      secrets.push(token);
    } else if (password !== undefined) {
      delete entry.secretArn;
      entry.username = username ?? "api";
      entry.password = password;
      credentialSources[name] = `env ${prefix}PASSWORD (user ${username ?? "api"})`;
      secrets.push(password);
    } else {
      if (username !== undefined) problems.push(`${prefix}USERNAME is set without ${prefix}PASSWORD`);
      const secretId = namesByStandIn.get(String(entry.secretArn)) ?? String(entry.secretArn);
      credentialSources[name] = `secret ${secretId}`;
    }
  }
  variables[CHECKER_ENV.controllers] = JSON.stringify(entries);

  // A typo in a variable name would silently fall back to Secrets Manager: say so.
  for (const name of Object.keys(env)) {
    const match = /^(VNS3_.+_)(PASSWORD|API_TOKEN|USERNAME)$/.exec(name);
    if (match && !prefixes.has(match[1] as string) && read(env, name) !== undefined) {
      warnings.push(`${name} matches no controller of ${def.name} (expected ${[...prefixes].map((p) => `${p}…`).join(", ")})`);
    }
  }

  const inlineKey = read(env, CHECKER_ENV.apiKey);
  let apiKeySource: string;
  if (inlineKey !== undefined) {
    delete variables[CHECKER_ENV.apiKeySecretArn];
    variables[CHECKER_ENV.apiKey] = inlineKey;
    apiKeySource = `env ${CHECKER_ENV.apiKey}`;
    secrets.push(inlineKey);
  } else {
    apiKeySource = `secret ${namesByStandIn.get(datadogApiKeySecretArn) ?? datadogApiKeySecretArn}`;
  }
  const apiUrl = read(env, CHECKER_ENV.apiUrl);
  if (apiUrl !== undefined) variables[CHECKER_ENV.apiUrl] = apiUrl;

  let config: CheckerConfig;
  try {
    config = parseCheckerConfig(variables);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { config: undefined, credentialSources, apiKeySource, secrets, problems: [...problems, ...error.issues.map((issue) => `checker configuration ${issue}`)], warnings };
  }
  const named = (arn: string) => namesByStandIn.get(arn) ?? arn;
  const controllers = config.controllers.map(
    (c): ControllerConfig => (c.credentials.kind === "secret" ? { ...c, credentials: { kind: "secret", secretArn: named(c.credentials.secretArn) } } : c),
  );
  const apiKey = config.datadog.apiKey.kind === "secret" ? { kind: "secret" as const, secretArn: named(config.datadog.apiKey.secretArn) } : config.datadog.apiKey;
  return { config: { ...config, controllers, datadog: { ...config.datadog, apiKey } }, credentialSources, apiKeySource, secrets, problems, warnings };
}
