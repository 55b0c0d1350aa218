/**
 * The checker's configuration as environment variables: produced here from a definition, parsed by
 * the checker's own `parseCheckerConfig` (handler/config.ts). The stack sets these on the Lambda and
 * `npm run check` feeds the same output through the same parser, so both run one configuration.
 */
import type { EnvironmentDefinition } from "./definition/schema";
import { DATADOG_SITES } from "./datadog-sites";
import { formatSignalGroups, SIGNAL_GROUPS } from "./signals";

/** Names of the checker's environment variables (docs/checker.md). */
export const CHECKER_ENV = {
  environment: "VPN_ENVIRONMENT",
  controllers: "VNS3_CONTROLLERS",
  site: "DD_SITE",
  apiKeySecretArn: "DD_API_KEY_SECRET_ARN",
  /** Local runs only: the API key itself. */
  apiKey: "DD_API_KEY",
  /** Replaces `https://api.<site>` (proxy, PrivateLink). */
  apiUrl: "DD_API_URL",
  /** Enabled signal groups, comma-separated (contract/signals.ts); unset means all. */
  signals: "VPN_SIGNALS",
  /** Minutes between reads of each controller's `/api/alerts` (`vpn.controller.push_configured`); set only when `push.enabled`. */
  pushCheckMinutes: "VPN_PUSH_CHECK_MINUTES",
} as const;

/** Where the checker finds each credential: secret ARNs (or names), never a value. */
export interface CheckerSecretRefs {
  /** Per controller name, the secret holding its API credentials. */
  readonly controllerSecretArns: ReadonlyMap<string, string>;
  /** The secret holding the Datadog API key. */
  readonly datadogApiKeySecretArn: string;
}

/** One entry of `VNS3_CONTROLLERS`: where and how to reach a controller, never a credential. */
export interface ControllerEntry {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly tlsSha256: string;
  /** During a certificate rotation, the next certificate's fingerprint. */
  readonly tlsSha256Next?: string | undefined;
  /** The API credential's end, YYYY-MM-DD. */
  readonly credentialExpires?: string | undefined;
  readonly secretArn?: string | undefined;
}

/** The `VNS3_CONTROLLERS` entries of a definition. */
export function controllerEntries(def: Pick<EnvironmentDefinition, "controllers">, refs: Pick<CheckerSecretRefs, "controllerSecretArns">): ControllerEntry[] {
  return def.controllers.map((c) => ({
    name: c.name,
    host: c.host,
    port: c.port,
    tlsSha256: c.tlsSha256,
    ...(c.tlsSha256Next !== undefined ? { tlsSha256Next: c.tlsSha256Next } : {}),
    ...(c.credentialExpires !== undefined ? { credentialExpires: c.credentialExpires } : {}),
    secretArn: refs.controllerSecretArns.get(c.name),
  }));
}

/** The checker's environment variables for a definition. */
export function checkerEnvironment(
  def: Pick<EnvironmentDefinition, "name" | "controllers" | "datadog" | "signals"> & { readonly push?: { readonly enabled: boolean; readonly checkEveryMinutes: number } | undefined },
  refs: CheckerSecretRefs,
): Record<string, string> {
  return {
    [CHECKER_ENV.environment]: def.name,
    [CHECKER_ENV.controllers]: JSON.stringify(controllerEntries(def, refs)),
    [CHECKER_ENV.site]: DATADOG_SITES[def.datadog.site],
    [CHECKER_ENV.apiKeySecretArn]: refs.datadogApiKeySecretArn,
    [CHECKER_ENV.signals]: formatSignalGroups(new Set(SIGNAL_GROUPS.filter((g) => def.signals[g].enabled))),
    // Unset means "push off": the checker then never requests /api/alerts.
    ...(def.push?.enabled === true ? { [CHECKER_ENV.pushCheckMinutes]: String(def.push.checkEveryMinutes) } : {}),
  };
}
