/**
 * Environment definition → the checker's own configuration, parsed the way the Lambda parses it:
 * the definition goes through `checkerEnvironment` (contract/checker-env.ts, which the stack uses
 * for the Lambda's variables) and the result through the checker's `parseCheckerConfig`
 * (handler/config.ts). Only credentials differ from the Lambda, where the operator has them
 * locally: inline credentials in a controller's entry and `DD_API_KEY`, as the checker's
 * configuration allows for local runs.
 */
import { CHECKER_ENV, checkerEnvironment } from "../../contract/checker-env";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ConfigError, parseCheckerConfig, type CheckerConfig } from "../../handler/config";
import type { Redactor } from "../../handler/log";
import { createCredentialsResolver, SecretCache, type SecretsClient } from "../../handler/secrets";
import type { EnvironmentDefinition } from "../../contract/definition/schema";
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

  // The file's ARN, else the name of the secret the stack creates: the checker's parser takes
  // either, as GetSecretValue does (its ARN carries the account and a random suffix, unknown here).
  const controllerSecretArns = new Map(def.controllers.map((c) => [c.name, c.secretArn ?? controllerSecretName(def.name, c.name)]));
  const datadogApiKeySecretArn = def.datadog.apiKeySecretArn ?? datadogSecretName(def.name);
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
      credentialSources[name] = `secret ${String(entry.secretArn)}`;
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
    apiKeySource = `secret ${datadogApiKeySecretArn}`;
  }
  const apiUrl = read(env, CHECKER_ENV.apiUrl);
  if (apiUrl !== undefined) variables[CHECKER_ENV.apiUrl] = apiUrl;

  try {
    return { config: parseCheckerConfig(variables), credentialSources, apiKeySource, secrets, problems, warnings };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { config: undefined, credentialSources, apiKeySource, secrets, problems: [...problems, ...error.issues.map((issue) => `checker configuration ${issue}`)], warnings };
  }
}

/**
 * {@link checkSetup} for a command about to run (check, alerts): its inline credentials join the
 * redactor, its warnings and problems are printed through `err`. Undefined when it cannot run.
 */
export function announcedSetup(def: EnvironmentDefinition, env: Env, redactor: Redactor, err: (text: string) => void): (CheckSetup & { readonly config: CheckerConfig }) | undefined {
  const setup = checkSetup(def, env);
  for (const secret of setup.secrets) redactor.add(secret);
  for (const warning of setup.warnings) err(`warning: ${warning}`);
  if (setup.problems.length > 0 || setup.config === undefined) {
    for (const problem of setup.problems) err(`error: ${problem}`);
    return undefined;
  }
  return { ...setup, config: setup.config };
}

/**
 * Secrets Manager as a command reads it, from this machine: short timeouts and two attempts (a
 * person is waiting), every value it returns added to the redactor.
 */
export function commandSecrets(region: string, redactor: Redactor, client?: SecretsClient): { readonly secrets: SecretCache; readonly credentials: ReturnType<typeof createCredentialsResolver> } {
  const secretsClient = client ?? new SecretsManagerClient({ region, maxAttempts: 2, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
  const secrets = new SecretCache({ client: secretsClient, onValue: (value) => redactor.add(value) });
  return { secrets, credentials: createCredentialsResolver(secrets, redactor) };
}
