/**
 * Environment definition → the checker's own configuration (handler/config.ts types), so that
 * `npm run check` runs exactly what the Lambda runs, with credentials from where an operator has
 * them: local environment variables first, else the secrets the definition (or the stack) names.
 */
import type { ApiKeySource, CheckerConfig, ControllerConfig, ControllerCredentialsSource } from "../../handler/config";
import { DATADOG_SITES } from "../../contract/datadog-sites";
import { parseApiUrl } from "../../handler/config";
import type { EnvironmentDefinition } from "../../stacks/environment/schema";
import { controllerEnvPrefix, controllerSecretName, datadogSecretName } from "./names";

/** The checker configuration for one environment, and where each credential comes from. */
export interface CheckSetup {
  readonly config: CheckerConfig;
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

  const controllers = def.controllers.map((c): ControllerConfig => {
    const prefix = controllerEnvPrefix(c.name);
    prefixes.add(prefix);
    const password = read(env, `${prefix}PASSWORD`);
    const token = read(env, `${prefix}API_TOKEN`);
    const username = read(env, `${prefix}USERNAME`);
    let credentials: ControllerCredentialsSource;
    if (password !== undefined && token !== undefined) {
      problems.push(`${prefix}PASSWORD and ${prefix}API_TOKEN are both set: set one`);
      credentials = { kind: "token", apiToken: token };
    } else if (token !== undefined) {
      credentials = { kind: "token", apiToken: token };
      credentialSources[c.name] = `env ${prefix}API_TOKEN`;
      secrets.push(token);
    } else if (password !== undefined) {
      credentials = { kind: "basic", username: username ?? "api", password };
      credentialSources[c.name] = `env ${prefix}PASSWORD (user ${username ?? "api"})`;
      secrets.push(password);
    } else {
      if (username !== undefined) problems.push(`${prefix}USERNAME is set without ${prefix}PASSWORD`);
      // The stack-created secret is addressed by name: GetSecretValue takes a name or an ARN.
      const secretId = c.secretArn ?? controllerSecretName(def.name, c.name);
      credentials = { kind: "secret", secretArn: secretId };
      credentialSources[c.name] = `secret ${secretId}`;
    }
    return { name: c.name, host: c.host, port: c.port, tlsSha256: c.tlsSha256, credentials };
  });

  // A typo in a variable name would silently fall back to Secrets Manager: say so.
  for (const name of Object.keys(env)) {
    const match = /^(VNS3_.+_)(PASSWORD|API_TOKEN|USERNAME)$/.exec(name);
    if (match && !prefixes.has(match[1] as string) && read(env, name) !== undefined) {
      warnings.push(`${name} matches no controller of ${def.name} (expected ${[...prefixes].map((p) => `${p}…`).join(", ")})`);
    }
  }

  const site = DATADOG_SITES[def.datadog.site];

  let apiUrl: string | undefined;
  const apiUrlValue = read(env, "DD_API_URL");
  if (apiUrlValue !== undefined) {
    const parsed = parseApiUrl(apiUrlValue);
    if (parsed.ok) apiUrl = parsed.apiUrl;
    else problems.push(parsed.issue);
  }

  const inlineKey = read(env, "DD_API_KEY");
  let apiKey: ApiKeySource;
  let apiKeySource: string;
  if (inlineKey !== undefined) {
    apiKey = { kind: "inline", apiKey: inlineKey };
    apiKeySource = "env DD_API_KEY";
    secrets.push(inlineKey);
  } else {
    const secretId = def.datadog.apiKeySecretArn ?? datadogSecretName(def.name);
    apiKey = { kind: "secret", secretArn: secretId };
    apiKeySource = `secret ${secretId}`;
  }

  return {
    config: {
      environment: def.name,
      controllers,
      datadog: { site, ...(apiUrl !== undefined ? { apiUrl } : {}), apiKey },
    },
    credentialSources,
    apiKeySource,
    secrets,
    problems,
    warnings,
  };
}
