/**
 * Checker configuration: parsed from environment variables, validated once, failing fast with a
 * message that names the variable and the field. Pure (takes an env record), so the CLI reuses it.
 */
// Namespace import: lets esbuild drop the unused parts of zod (85 KB instead of 450 KB bundled).
import * as z from "zod";
import { CALENDAR_DATE_FORMAT, utcDayStartMs } from "../contract/calendar-date";
import { CHECKER_ENV } from "../contract/checker-env";
import { DATADOG_SITE_DOMAINS, parseDatadogSite, DATADOG_SITES, type DatadogSiteDomain } from "../contract/datadog-sites";
import { FINGERPRINT_FORMAT, parseFingerprint } from "../contract/fingerprint";
import { SIGNAL_GROUPS, parseSignalGroups, type SignalGroup } from "../contract/signals";
import { DEFAULT_VNS3_API_PORT } from "../contract/vns3";
import { normalizeTagValue } from "./tags";

/** One of the known Datadog sites, as a domain (`DD_SITE`). `DD_API_URL` covers anything else. */
export type DatadogSite = DatadogSiteDomain;

/** Where a controller's API credentials come from. */
export type ControllerCredentialsSource =
  /** Secrets Manager secret holding `{"username","password"}` or `{"apiToken"}` (deployed); `secretArn` is its ARN or its name. */
  | { readonly kind: "secret"; readonly secretArn: string }
  /** Inline basic auth (local runs, tests). */
  | { readonly kind: "basic"; readonly username: string; readonly password: string }
  /** Inline API token sent as the `api-token` header (local runs, tests). */
  | { readonly kind: "token"; readonly apiToken: string };

/** One VNS3 controller to read. */
export interface ControllerConfig {
  /** Name used in the `controller` tag and in logs. Unique within the environment. */
  readonly name: string;
  /** Host name or IP address of the controller's API. */
  readonly host: string;
  /** API port. @default 8000 */
  readonly port: number;
  /** Pinned SHA-256 certificate fingerprint in the contract's canonical form (contract/fingerprint.ts). Absent: CA verification. */
  readonly tlsSha256?: string | undefined;
  /** During a certificate rotation: the next certificate's fingerprint, accepted as well as `tlsSha256`. */
  readonly tlsSha256Next?: string | undefined;
  /** When the API credential expires, YYYY-MM-DD (for vpn.controller.credential_days_left). */
  readonly credentialExpires?: string | undefined;
  /** Credentials source. */
  readonly credentials: ControllerCredentialsSource;
}

/** Where the Datadog API key comes from. */
export type ApiKeySource =
  /** `secretArn`: the secret's ARN or its name. */
  | { readonly kind: "secret"; readonly secretArn: string }
  | { readonly kind: "inline"; readonly apiKey: string };

/** Datadog intake settings. */
export interface DatadogConfig {
  /** Datadog site. @default "datadoghq.com" */
  readonly site: DatadogSite;
  /** Base URL replacing `https://api.<site>` (no trailing slash), when set. */
  readonly apiUrl?: string | undefined;
  /** API key source. */
  readonly apiKey: ApiKeySource;
}

/** The whole validated configuration of the checker. */
export interface CheckerConfig {
  /** Value of the `vpn_environment` tag, as given (normalized when tagged). */
  readonly environment: string;
  /** Controllers to read, at least one. */
  readonly controllers: readonly ControllerConfig[];
  /** Datadog intake settings. */
  readonly datadog: DatadogConfig;
  /** Enabled signal groups (`VPN_SIGNALS`, contract/signals.ts). @default every group */
  readonly signals?: ReadonlySet<SignalGroup>;
  /** Minutes between reads of each controller's alerts (`VPN_PUSH_CHECK_MINUTES`); absent: push off, never read. */
  readonly pushCheckEveryMinutes?: number;
}

/** Environment record accepted by the parser (`process.env` fits). */
export type EnvRecord = Readonly<Record<string, string | undefined>>;

/** Invalid configuration. `issues` holds one `VARIABLE[i].field: problem` line per problem. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`invalid checker configuration:\n  ${issues.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

const PORT_MESSAGE = "expected an integer 1-65535";
const NON_EMPTY = "expected a non-empty string";
/**
 * A secret is named by its ARN or by its name: GetSecretValue's `SecretId` is "the ARN or name of
 * the secret to retrieve" (AWS Secrets Manager API Reference, GetSecretValue; the same text in
 * @aws-sdk/client-secrets-manager's GetSecretValueRequest). A name is what CreateSecret's `Name`
 * allows: ASCII letters, digits and /_+=.@- (1-512 characters). The stack passes full ARNs; a
 * local run (`npm run check`) passes the names of the secrets the stack creates.
 */
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN_MESSAGE = "expected a Secrets Manager secret ARN, arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters> (or the secret's name without arn:)";
const SECRET_NAME_MESSAGE = "expected a Secrets Manager secret name (1-512 ASCII letters, digits and /_+=.@-) or ARN (arn:aws:secretsmanager:<region>:<12-digit account>:secret:<name>-<6 characters>)";

/** Why `id` cannot name a secret, or undefined when it can. Never quotes the value (it may be a misplaced password). */
export function secretIdProblem(id: string): string | undefined {
  if (id.startsWith("arn:")) return SECRET_ARN.test(id) ? undefined : SECRET_ARN_MESSAGE;
  return SECRET_NAME.test(id) ? undefined : SECRET_NAME_MESSAGE;
}

const secretId = z
  .string({ error: SECRET_NAME_MESSAGE })
  .trim()
  .superRefine((id, ctx) => {
    const problem = secretIdProblem(id);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

const nonEmpty = z.string({ error: NON_EMPTY }).trim().min(1, { error: NON_EMPTY, abort: true });

const controllerSchema = z
  .strictObject({
    name: nonEmpty.refine((name) => normalizeTagValue(name) !== "", {
      error: "expected at least one letter or digit (it becomes the controller tag)",
    }),
    host: nonEmpty.regex(/^[^\s/:?#@]+$|^\[?[0-9a-fA-F:.]+\]?$/, {
      error: "expected a host name or IP address, without scheme, port or path",
    }),
    port: z
      .number({ error: PORT_MESSAGE })
      .int({ error: PORT_MESSAGE })
      .min(1, { error: PORT_MESSAGE })
      .max(65535, { error: PORT_MESSAGE })
      .default(DEFAULT_VNS3_API_PORT),
    tlsSha256: z
      .string({ error: `expected ${FINGERPRINT_FORMAT}` })
      .refine((value) => parseFingerprint(value) !== undefined, { error: `expected ${FINGERPRINT_FORMAT}` })
      .transform((value) => parseFingerprint(value) as string)
      .optional(),
    tlsSha256Next: z
      .string({ error: `expected ${FINGERPRINT_FORMAT}` })
      .refine((value) => parseFingerprint(value) !== undefined, { error: `expected ${FINGERPRINT_FORMAT}` })
      .transform((value) => parseFingerprint(value) as string)
      .optional(),
    credentialExpires: z
      .string({ error: `expected ${CALENDAR_DATE_FORMAT}` })
      .refine((value) => utcDayStartMs(value) !== undefined, { error: `expected ${CALENDAR_DATE_FORMAT}` })
      .optional(),
    /** ARN or name of the secret (GetSecretValue takes either). */
    secretArn: secretId.optional(),
    // Inline credentials are never echoed back in errors: zod messages carry no values, ours neither.
    username: nonEmpty.optional(),
    password: z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY }).optional(),
    apiToken: z.string({ error: NON_EMPTY }).min(1, { error: NON_EMPTY }).optional(),
  })
  .superRefine((c, ctx) => {
    const inlineBasic = c.username !== undefined || c.password !== undefined;
    const sources = [c.secretArn !== undefined, inlineBasic, c.apiToken !== undefined].filter(Boolean).length;
    if (sources === 0) {
      ctx.addIssue({ code: "custom", path: [], message: "no credentials: set secretArn, or username and password, or apiToken" });
    } else if (sources > 1) {
      ctx.addIssue({ code: "custom", path: [], message: "set only one of secretArn, username/password, apiToken" });
    } else if (inlineBasic && c.username === undefined) {
      ctx.addIssue({ code: "custom", path: ["username"], message: "required with password" });
    } else if (inlineBasic && c.password === undefined) {
      ctx.addIssue({ code: "custom", path: ["password"], message: "required with username" });
    }
    if (c.tlsSha256Next !== undefined && c.tlsSha256 === undefined) {
      ctx.addIssue({ code: "custom", path: ["tlsSha256Next"], message: "set only with tlsSha256 (it is the next pin of a rotation)" });
    }
  })
  .transform((c): ControllerConfig => {
    const credentials: ControllerCredentialsSource =
      c.secretArn !== undefined
        ? { kind: "secret", secretArn: c.secretArn }
        : c.apiToken !== undefined
          ? { kind: "token", apiToken: c.apiToken }
          : { kind: "basic", username: c.username ?? "", password: c.password ?? "" };
    return {
      name: c.name,
      host: c.host.replace(/^\[(.*)\]$/, "$1"),
      port: c.port,
      tlsSha256: c.tlsSha256,
      ...(c.tlsSha256Next !== undefined ? { tlsSha256Next: c.tlsSha256Next } : {}),
      ...(c.credentialExpires !== undefined ? { credentialExpires: c.credentialExpires } : {}),
      credentials,
    };
  });

const controllersSchema = z
  .array(controllerSchema, { error: "expected a JSON array of controllers" })
  .min(1, { error: "expected at least one controller" })
  .superRefine((controllers, ctx) => {
    // Names become the `controller` tag: two names that normalize alike would merge their series.
    const seen = new Map<string, number>();
    controllers.forEach((c, i) => {
      const key = normalizeTagValue(c.name);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate of VNS3_CONTROLLERS[${first}].name (controller tags would collide)` });
    });
  });

/** Treat empty strings as unset: deploy tools often render an absent variable as "". */
function read(env: EnvRecord, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function formatPath(variable: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === "number" ? `${out}[${key}]` : `${out}.${String(key)}`), variable);
}

/** Validates `DD_API_URL`: an http(s) base URL without query, fragment or credentials; trailing `/` dropped. */
export function parseApiUrl(value: string): { ok: true; apiUrl: string } | { ok: false; issue: string } {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "") {
    return { ok: false, issue: "DD_API_URL: expected an http(s) base URL without query, fragment or credentials, e.g. https://api.datadoghq.com" };
  }
  return { ok: true, apiUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, "") };
}

/**
 * Parse and validate the checker's environment variables. Pure: reads only `env`.
 * @throws ConfigError listing every problem as `VARIABLE[i].field: problem`.
 */
export function parseCheckerConfig(env: EnvRecord): CheckerConfig {
  const issues: string[] = [];

  const environment = read(env, CHECKER_ENV.environment);
  if (environment === undefined) issues.push("VPN_ENVIRONMENT: required (the value of the vpn_environment tag)");
  else if (normalizeTagValue(environment) === "") issues.push("VPN_ENVIRONMENT: expected at least one letter or digit");

  let controllers: readonly ControllerConfig[] = [];
  const controllersJson = read(env, CHECKER_ENV.controllers);
  if (controllersJson === undefined) {
    issues.push('VNS3_CONTROLLERS: required (JSON array of {"name","host","port","tlsSha256","secretArn"})');
  } else {
    let raw: unknown;
    try {
      raw = JSON.parse(controllersJson);
    } catch {
      // JSON.parse's own message quotes the input, which may hold inline passwords: say less.
      issues.push("VNS3_CONTROLLERS: not valid JSON");
    }
    if (raw !== undefined) {
      const result = controllersSchema.safeParse(raw);
      if (result.success) controllers = result.data;
      else for (const issue of result.error.issues) issues.push(`${formatPath(CHECKER_ENV.controllers, issue.path)}: ${issue.message}`);
    }
  }

  const siteValue = read(env, CHECKER_ENV.site);
  // Any spelling the contract reads (`datadoghq.eu`, `EU`, `app.datadoghq.eu`); unset means US1.
  const siteName = siteValue === undefined ? "US1" : parseDatadogSite(siteValue);
  const site: DatadogSite | undefined = siteName === undefined ? undefined : DATADOG_SITES[siteName];
  if (site === undefined) issues.push(`DD_SITE: expected one of ${DATADOG_SITE_DOMAINS.join(", ")} (use DD_API_URL for anything else)`);

  let apiUrl: string | undefined;
  const apiUrlValue = read(env, CHECKER_ENV.apiUrl);
  if (apiUrlValue !== undefined) {
    const parsed = parseApiUrl(apiUrlValue);
    if (parsed.ok) apiUrl = parsed.apiUrl;
    else issues.push(parsed.issue);
  }

  const keyArn = read(env, CHECKER_ENV.apiKeySecretArn);
  const keyInline = read(env, CHECKER_ENV.apiKey);
  let apiKey: ApiKeySource | undefined;
  if (keyArn !== undefined && keyInline !== undefined) {
    issues.push("DD_API_KEY_SECRET_ARN: set either DD_API_KEY_SECRET_ARN (deployed) or DD_API_KEY (local runs), not both");
  } else if (keyArn !== undefined) {
    const problem = secretIdProblem(keyArn);
    if (problem === undefined) apiKey = { kind: "secret", secretArn: keyArn };
    else issues.push(`DD_API_KEY_SECRET_ARN: ${problem}`);
  } else if (keyInline !== undefined) {
    apiKey = { kind: "inline", apiKey: keyInline };
  } else {
    issues.push("DD_API_KEY_SECRET_ARN: required (or DD_API_KEY for local runs)");
  }

  // Not read with read(): an empty VPN_SIGNALS means "no group", unset means "every group".
  const signals = parseSignalGroups(env[CHECKER_ENV.signals]);
  if (signals.unknown.length > 0) {
    issues.push(`${CHECKER_ENV.signals}: unknown signal group ${signals.unknown.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 40))).join(", ")}; expected a comma-separated list of ${SIGNAL_GROUPS.join(", ")}`);
  }

  let pushCheckEveryMinutes: number | undefined;
  const pushMinutes = read(env, CHECKER_ENV.pushCheckMinutes);
  if (pushMinutes !== undefined) {
    const minutes = /^\d{1,2}$/.test(pushMinutes) ? Number(pushMinutes) : NaN;
    if (minutes >= 1 && minutes <= 60) pushCheckEveryMinutes = minutes;
    else issues.push(`${CHECKER_ENV.pushCheckMinutes}: expected a whole number of minutes 1-60 (push.checkEveryMinutes), or unset when push is off`);
  }

  if (issues.length > 0 || environment === undefined || site === undefined || apiKey === undefined) {
    throw new ConfigError(issues);
  }
  return {
    environment,
    controllers,
    datadog: { site, apiUrl, apiKey },
    signals: signals.groups,
    ...(pushCheckEveryMinutes !== undefined ? { pushCheckEveryMinutes } : {}),
  };
}
