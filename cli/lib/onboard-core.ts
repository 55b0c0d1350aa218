/**
 * The pure core of `npm run onboard`: answers (from flags or prompts) → the environment
 * definition, the text of its file and the operator's next steps. No I/O: the existing
 * environments come in as data, the adapter (cli/onboard.ts) reads and writes files.
 *
 * Validation is the project's own (validateEnvironment + crossCheckEnvironments from
 * stacks/environment/load.ts), run on the input and again on the rendered text, so what onboard
 * writes is exactly what synth and review accept.
 */
import { isDeepStrictEqual } from "node:util";
import * as path from "node:path";
import { crossCheckEnvironments, parseEnvironmentText, validateEnvironment, type LoadedEnvironment } from "../../stacks/environment/load";
import { describeDatadogSites } from "../../contract/datadog-sites";
import { parseFingerprint } from "../../contract/fingerprint";
import type { EnvironmentDefinition } from "../../stacks/environment/schema";
import { renderEnvironmentYaml, type RenderableEnvironment } from "./environment-yaml";
import { controllerEnvPrefix, controllerSecretName, datadogSecretName, stackName } from "./names";

// --- Answers ---------------------------------------------------------------------------------

/** One controller as the operator described it. Strings as typed; the schema judges them. */
export interface ControllerAnswer {
  readonly name: string;
  readonly host: string;
  /** @default 8000 (written to the file explicitly) */
  readonly port?: number | string;
  readonly securityGroupId: string;
  /** @default none: the stack creates `vpn-monitor/<env>/<controller>` */
  readonly secretArn?: string;
  readonly tlsSha256: string;
  /** The fingerprint was read from the controller during onboarding and confirmed by the operator. */
  readonly fingerprintConfirmed?: boolean;
}

/** Terraform state location. */
export type BackendAnswer = { readonly type: "local" } | { readonly type: "s3"; readonly bucket: string; readonly region?: string };

/** Everything onboard needs, complete. */
export interface OnboardAnswers {
  readonly name: string;
  readonly region: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** AWS tags. @default {} */
  readonly tags: Readonly<Record<string, string>>;
  /** @default local */
  readonly backend: BackendAnswer;
  readonly controllers: readonly ControllerAnswer[];
  /** Datadog site short name (US1, EU, …). */
  readonly site: string;
  /** @default none: the stack creates `vpn-monitor/<env>/datadog-api-key` */
  readonly apiKeySecretArn?: string;
  /** @default "simple" */
  readonly mode: string;
  /** @default 5 */
  readonly windowMinutes: number | string;
  /** @default none */
  readonly priority?: number | string;
  /** @default none */
  readonly message?: string;
  readonly webhookUrl: string;
  /** @default `vpn-tickets-<name>` (left out of the file) */
  readonly webhookName?: string;
  /** @default [] */
  readonly secretVariables: readonly string[];
  /** @default {} */
  readonly customHeaders: Readonly<Record<string, string>>;
}

/** Answers still being collected: anything may be missing. */
export type PartialControllerAnswer = { -readonly [K in keyof ControllerAnswer]?: ControllerAnswer[K] };
export type PartialAnswers = {
  -readonly [K in Exclude<keyof OnboardAnswers, "controllers">]?: OnboardAnswers[K];
} & { controllers?: readonly PartialControllerAnswer[] };


/** Documented defaults of the optional answers. */
export const ONBOARD_DEFAULTS = {
  mode: "simple",
  windowMinutes: 5,
  port: 8000,
  backend: { type: "local" } as BackendAnswer,
} as const;

// --- Flags -----------------------------------------------------------------------------------

/** Flags of `npm run onboard`, as commander hands them over. */
export interface OnboardFlags {
  readonly name?: string;
  readonly region?: string;
  readonly vpc?: string;
  readonly subnets?: string;
  readonly controller?: readonly string[];
  readonly site?: string;
  readonly apiKeySecret?: string;
  readonly mode?: string;
  readonly window?: string;
  readonly priority?: string;
  readonly message?: string;
  readonly webhookUrl?: string;
  readonly webhookName?: string;
  readonly secretVariable?: readonly string[];
  readonly header?: readonly string[];
  readonly tag?: readonly string[];
  readonly s3Bucket?: string;
  readonly s3Region?: string;
}

/** Keys of `--controller key=value,…` and the answer field each fills. */
const CONTROLLER_KEYS = {
  name: "name",
  host: "host",
  port: "port",
  sg: "securityGroupId",
  secret: "secretArn",
  fingerprint: "tlsSha256",
} as const satisfies Record<string, keyof ControllerAnswer>;
type ControllerKey = keyof typeof CONTROLLER_KEYS;

/** What each required value is, for "missing --flag (…)" messages and prompts. */
export const REQUIRED_FLAGS = {
  name: "--name (the environment name: lowercase letters, digits and hyphens, e.g. acme-prod)",
  region: "--region (the AWS region of the VPC, e.g. eu-west-1)",
  vpcId: "--vpc (the VPC id the checker runs in)",
  subnetIds: "--subnets (private subnet ids for the checker, comma-separated)",
  controllers: "--controller (name=…,host=…,sg=…,fingerprint=…[,secret=…][,port=…]; once per controller)",
  site: `--site (the Datadog site: ${describeDatadogSites()})`,
  webhookUrl: "--webhook-url (the https:// endpoint of the ticketing system)",
} as const;

const CONTROLLER_REQUIRED: readonly [ControllerKey, string][] = [
  ["name", "the controller's short name, e.g. vns3-primary"],
  ["host", "its private IP or DNS name"],
  ["sg", "its security group id"],
  ["fingerprint", "its certificate's SHA-256: npm run fingerprint -- <host>"],
];

/** A number when the text is an integer, else the text (so the schema names the field). */
function numberish(value: string): number | string {
  return /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
}

function splitList(value: string): string[] {
  return value
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Parses `key=value` pairs (repeatable flags); problems name the flag. */
export function parsePairs(flag: string, values: readonly string[], problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of values) {
    const eq = raw.indexOf("=");
    const key = eq < 0 ? "" : raw.slice(0, eq).trim();
    if (key === "") {
      problems.push(`${flag} takes key=value (got a value without a key)`);
      continue;
    }
    if (key in out) problems.push(`${flag} ${key} is given twice`);
    out[key] = raw.slice(eq + 1).trim();
  }
  return out;
}

/** Parses one `--controller` value. `index` is 0-based; messages count from 1. */
export function parseControllerSpec(spec: string, index: number, problems: string[]): PartialControllerAnswer {
  const label = `--controller #${index + 1}`;
  const controller: PartialControllerAnswer = {};
  const seen = new Set<string>();
  for (const part of spec.split(",")) {
    if (part.trim() === "") continue;
    const eq = part.indexOf("=");
    const key = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (eq < 0 || !(key in CONTROLLER_KEYS)) {
      // Only the key is quoted: a misplaced value could be a password.
      const what = eq < 0 ? "a part without key=" : `unknown key ${JSON.stringify(key)}`;
      problems.push(`${label}: ${what}; expected ${Object.keys(CONTROLLER_KEYS).map((k) => `${k}=`).join(", ")}`);
      continue;
    }
    if (seen.has(key)) problems.push(`${label}: ${key}= is given twice`);
    seen.add(key);
    const value = part.slice(eq + 1).trim();
    const field = CONTROLLER_KEYS[key as ControllerKey];
    if (field === "port") controller.port = numberish(value);
    else controller[field] = value;
  }
  return controller;
}

/** Turns flags into (partial) answers. Problems are format errors of the flags themselves. */
export function answersFromFlags(flags: OnboardFlags): { answers: PartialAnswers; problems: string[] } {
  const problems: string[] = [];
  const answers: PartialAnswers = {};
  if (flags.name !== undefined) answers.name = flags.name.trim();
  if (flags.region !== undefined) answers.region = flags.region.trim();
  if (flags.vpc !== undefined) answers.vpcId = flags.vpc.trim();
  if (flags.subnets !== undefined) answers.subnetIds = splitList(flags.subnets);
  if (flags.controller !== undefined && flags.controller.length > 0) {
    answers.controllers = flags.controller.map((spec, i) => parseControllerSpec(spec, i, problems));
  }
  if (flags.site !== undefined) answers.site = flags.site.trim().toUpperCase();
  if (flags.apiKeySecret !== undefined) answers.apiKeySecretArn = flags.apiKeySecret.trim();
  if (flags.mode !== undefined) answers.mode = flags.mode.trim();
  if (flags.window !== undefined) answers.windowMinutes = numberish(flags.window);
  if (flags.priority !== undefined) answers.priority = numberish(flags.priority);
  if (flags.message !== undefined) answers.message = flags.message;
  if (flags.webhookUrl !== undefined) answers.webhookUrl = flags.webhookUrl.trim();
  if (flags.webhookName !== undefined) answers.webhookName = flags.webhookName.trim();
  if (flags.secretVariable !== undefined) answers.secretVariables = flags.secretVariable.flatMap(splitList);
  if (flags.header !== undefined) answers.customHeaders = parsePairs("--header", flags.header, problems);
  if (flags.tag !== undefined) answers.tags = parsePairs("--tag", flags.tag, problems);
  if (flags.s3Region !== undefined && flags.s3Bucket === undefined) problems.push("--s3-region needs --s3-bucket");
  if (flags.s3Bucket !== undefined) {
    answers.backend = { type: "s3", bucket: flags.s3Bucket.trim(), ...(flags.s3Region !== undefined ? { region: flags.s3Region.trim() } : {}) };
  }
  return { answers, problems };
}

/** One line per required value that is still missing, e.g. `missing --vpc (the VPC id …)`. */
export function missingAnswers(answers: PartialAnswers): string[] {
  const missing: string[] = [];
  for (const [key, description] of Object.entries(REQUIRED_FLAGS) as [keyof typeof REQUIRED_FLAGS, string][]) {
    const value = answers[key];
    if (value === undefined || value === "" || (Array.isArray(value) && value.length === 0)) missing.push(`missing ${description}`);
  }
  (answers.controllers ?? []).forEach((c, i) => {
    for (const [key, description] of CONTROLLER_REQUIRED) {
      const value = c[CONTROLLER_KEYS[key]];
      if (value === undefined || value === "") missing.push(`missing ${key}= in --controller #${i + 1} (${description})`);
    }
  });
  return missing;
}

/** Applies the documented defaults. Call once {@link missingAnswers} is empty. */
export function completeAnswers(answers: PartialAnswers): OnboardAnswers {
  const missing = missingAnswers(answers);
  if (missing.length > 0) throw new Error(`incomplete answers: ${missing.join("; ")}`);
  return {
    name: answers.name as string,
    region: answers.region as string,
    vpcId: answers.vpcId as string,
    subnetIds: answers.subnetIds as string[],
    tags: answers.tags ?? {},
    backend: answers.backend ?? ONBOARD_DEFAULTS.backend,
    controllers: (answers.controllers ?? []).map((c) => ({ ...c, port: c.port ?? ONBOARD_DEFAULTS.port }) as ControllerAnswer),
    site: answers.site as string,
    ...(answers.apiKeySecretArn !== undefined && answers.apiKeySecretArn !== "" ? { apiKeySecretArn: answers.apiKeySecretArn } : {}),
    mode: answers.mode ?? ONBOARD_DEFAULTS.mode,
    windowMinutes: answers.windowMinutes ?? ONBOARD_DEFAULTS.windowMinutes,
    ...(answers.priority !== undefined && answers.priority !== "" ? { priority: answers.priority } : {}),
    ...(answers.message !== undefined && answers.message !== "" ? { message: answers.message } : {}),
    webhookUrl: answers.webhookUrl as string,
    ...(answers.webhookName !== undefined && answers.webhookName !== "" ? { webhookName: answers.webhookName } : {}),
    secretVariables: answers.secretVariables ?? [],
    customHeaders: answers.customHeaders ?? {},
  };
}

// --- Definition ------------------------------------------------------------------------------

/** The file input the answers stand for (before schema defaults), in the schema's key order. */
export function toEnvironmentInput(a: OnboardAnswers): RenderableEnvironment {
  const env = {
    name: a.name,
    aws: {
      region: a.region,
      vpcId: a.vpcId,
      subnetIds: [...a.subnetIds],
      ...(Object.keys(a.tags).length > 0 ? { tags: { ...a.tags } } : {}),
    },
    ...(a.backend.type === "s3" ? { backend: { ...a.backend } } : {}),
    controllers: a.controllers.map((c) => ({
      name: c.name,
      host: c.host,
      port: c.port ?? ONBOARD_DEFAULTS.port,
      securityGroupId: c.securityGroupId,
      ...(c.secretArn !== undefined && c.secretArn !== "" ? { secretArn: c.secretArn } : {}),
      // The file holds the form `npm run fingerprint` prints, whatever form was pasted.
      tlsSha256: parseFingerprint(c.tlsSha256) ?? c.tlsSha256,
    })),
    datadog: {
      site: a.site,
      ...(a.apiKeySecretArn !== undefined ? { apiKeySecretArn: a.apiKeySecretArn } : {}),
    },
    monitor: {
      mode: a.mode,
      windowMinutes: a.windowMinutes,
      ...(a.priority !== undefined ? { priority: a.priority } : {}),
      ...(a.message !== undefined ? { message: a.message } : {}),
    },
    ticketing: {
      webhookUrl: a.webhookUrl,
      ...(a.webhookName !== undefined ? { webhookName: a.webhookName } : {}),
      ...(a.secretVariables.length > 0 ? { secretVariables: [...a.secretVariables] } : {}),
      ...(Object.keys(a.customHeaders).length > 0 ? { customHeaders: { ...a.customHeaders } } : {}),
    },
  };
  // Strings where the schema wants numbers or enums are passed through on purpose: the schema
  // rejects them with a message naming the field, which is the message the operator should see.
  return env as unknown as RenderableEnvironment;
}

/** Environments already in the target folder. */
export interface ExistingEnvironments {
  /** The folder (as given), e.g. `environments`. */
  readonly dir: string;
  /** File names (not paths) in the folder. */
  readonly fileNames: readonly string[];
  /** The definitions that validate. */
  readonly loaded: readonly LoadedEnvironment[];
  /** Problems of files that do not validate (they cannot be cross-checked). */
  readonly problems: readonly string[];
}

/** Where a message path points to, by flag, so a scripted run knows which argument to fix. */
const FLAG_OF_FIELD: readonly [RegExp, string][] = [
  [/^name\b/, "--name"],
  [/^aws\.region\b/, "--region"],
  [/^aws\.vpcId\b/, "--vpc"],
  [/^aws\.subnetIds\b/, "--subnets"],
  [/^aws\.tags\b/, "--tag"],
  [/^backend\.bucket\b/, "--s3-bucket"],
  [/^backend\.region\b/, "--s3-region"],
  [/^controllers\[(\d+)\]\.name\b/, "--controller #$1 name="],
  [/^controllers\[(\d+)\]\.host\b/, "--controller #$1 host="],
  [/^controllers\[(\d+)\]\.port\b/, "--controller #$1 port="],
  [/^controllers\[(\d+)\]\.securityGroupId\b/, "--controller #$1 sg="],
  [/^controllers\[(\d+)\]\.secretArn\b/, "--controller #$1 secret="],
  [/^controllers\[(\d+)\]\.tlsSha256\b/, "--controller #$1 fingerprint="],
  [/^datadog\.site\b/, "--site"],
  [/^datadog\.apiKeySecretArn\b/, "--api-key-secret"],
  [/^monitor\.mode\b/, "--mode"],
  [/^monitor\.windowMinutes\b/, "--window"],
  [/^monitor\.priority\b/, "--priority"],
  [/^monitor\.message\b/, "--message"],
  [/^ticketing\.webhookUrl\b/, "--webhook-url"],
  [/^ticketing\.webhookName\b/, "--webhook-name"],
  [/^ticketing\.secretVariables\b/, "--secret-variable"],
  [/^ticketing\.customHeaders\b/, "--header"],
];

/** Appends the flag that sets the field a `<label>: <field> …` problem names, when there is one. */
export function withFlagHint(problem: string, label: string): string {
  if (!problem.startsWith(`${label}: `)) return problem;
  const field = problem.slice(label.length + 2);
  for (const [pattern, flag] of FLAG_OF_FIELD) {
    const match = pattern.exec(field);
    if (match) return `${problem} [${flag.replace("$1", String(Number(match[1] ?? 0) + 1))}]`;
  }
  return problem;
}

/** The outcome of {@link buildOnboarding}. */
export type OnboardingResult =
  | {
      readonly ok: true;
      /** Path of the new file, `<dir>/<name>.yaml`. */
      readonly file: string;
      readonly definition: EnvironmentDefinition;
      /** The file's text. */
      readonly yaml: string;
      /** What the operator does next, as printable lines. */
      readonly nextSteps: readonly string[];
      /** Things worth a look that do not block writing. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Answers → definition, file text and next steps, or every problem found. Validates the input,
 * the rendered text (re-parsed) and the new file against the existing ones.
 */
export function buildOnboarding(answers: OnboardAnswers, existing: ExistingEnvironments, options: { flagHints?: boolean } = {}): OnboardingResult {
  const file = path.join(existing.dir, `${answers.name}.yaml`);
  const input = toEnvironmentInput(answers);
  const validated = validateEnvironment(file, input);
  if (!validated.ok) {
    return { ok: false, problems: options.flagHints ? validated.problems.map((p) => withFlagHint(p, file)) : validated.problems };
  }

  const taken = existing.fileNames.find((f) => path.basename(f, path.extname(f)) === answers.name);
  if (taken !== undefined) {
    return {
      ok: false,
      problems: [`${path.join(existing.dir, taken)} already exists: onboard never overwrites a definition (edit that file, or choose another --name)`],
    };
  }

  const labelOf = (f: string) => f;
  const before = new Set(crossCheckEnvironments(existing.loaded, labelOf));
  // The new file goes last, so a name it reuses is reported against it, not against its owner.
  const after = crossCheckEnvironments([...existing.loaded, { file, definition: validated.definition }], labelOf);
  const clashes = after.filter((p) => !before.has(p));
  if (clashes.length > 0) return { ok: false, problems: clashes };

  const yaml = renderEnvironmentYaml(input);
  const reparsed = parseEnvironmentText(file, yaml);
  const revalidated = reparsed.ok ? validateEnvironment(file, reparsed.data) : undefined;
  if (!reparsed.ok || !revalidated?.ok || !isDeepStrictEqual(revalidated.definition, validated.definition)) {
    // A rendering bug: refuse rather than write a file that says something else than the answers.
    const problems = !reparsed.ok ? reparsed.problems : revalidated && !revalidated.ok ? revalidated.problems : ["the rendered file differs from the answers"];
    return { ok: false, problems: [`internal error: the rendered YAML does not read back as the answers (${problems.join("; ")})`] };
  }

  const warnings: string[] = [...existing.problems.map((p) => `not cross-checked (invalid): ${p}`)];
  const referenced = JSON.stringify(validated.definition.ticketing.customHeaders) + (validated.definition.ticketing.payload ?? "");
  for (const variable of validated.definition.ticketing.secretVariables) {
    if (!referenced.includes(`$${variable}`)) {
      warnings.push(`ticketing.secretVariables ${variable} is not used: reference it as $${variable} in a header (--header "Authorization=Bearer $${variable}")`);
    }
  }

  return {
    ok: true,
    file,
    definition: validated.definition,
    yaml,
    nextSteps: nextSteps(validated.definition, file, answers),
    warnings,
  };
}

// --- Next steps ------------------------------------------------------------------------------

/** Region a secret ARN lives in. */
function regionOfArn(arn: string): string {
  return arn.split(":")[3] ?? "";
}

/** The operator's next steps for a new definition, as lines ready to print. */
export function nextSteps(def: EnvironmentDefinition, file: string, answers?: Pick<OnboardAnswers, "controllers">): string[] {
  const name = def.name;
  const region = def.aws.region;
  const out: string[] = [];
  const say = (text = "") => out.push(text);
  const controllerJson = `'{"username":"api","password":"<VNS3 API password>"}'`;
  const datadogKey = `'<Datadog API key>'`;
  let step = 0;
  const heading = (text: string) => {
    step += 1;
    say();
    say(`${step}. ${text}`);
  };
  const putSecret = (secretRegion: string, id: string, value: string) => {
    say(`     aws secretsmanager put-secret-value --region ${secretRegion} --secret-id ${id} \\`);
    say(`       --secret-string ${value}`);
  };

  say(`Next steps for ${name} (the whole runbook: docs/onboarding.md)`);

  const created = def.controllers.filter((c) => c.secretArn === undefined);
  const named = def.controllers.filter((c) => c.secretArn !== undefined);
  const datadogCreated = def.datadog.apiKeySecretArn === undefined;
  if (named.length > 0 || !datadogCreated) {
    heading("Credentials: the secrets the file names must hold these shapes (skip those already filled):");
    for (const c of named) putSecret(regionOfArn(c.secretArn as string), c.secretArn as string, controllerJson);
    if (!datadogCreated) putSecret(regionOfArn(def.datadog.apiKeySecretArn as string), def.datadog.apiKeySecretArn as string, datadogKey);
    say(`   A controller with an API token instead: --secret-string '{"apiToken":"<VNS3 API token>"}'`);
  }

  const unconfirmed = def.controllers.filter((c) => !answers?.controllers.find((a) => a.name === c.name)?.fingerprintConfirmed);
  if (unconfirmed.length > 0) {
    heading("Confirm the pinned certificates from a host that reaches the controllers:");
    for (const c of unconfirmed) say(`     npm run fingerprint -- ${c.host} ${c.port}     # must show ${c.tlsSha256}`);
  }

  heading("Check once, from a host that reaches the controllers (reads every tunnel, sends nothing):");
  const local = def.controllers.map((c) => `${controllerEnvPrefix(c.name)}PASSWORD=…`);
  if (created.length > 0) {
    say("   Before the deploy the stack's secrets do not exist yet: pass the credentials locally.");
  }
  say(`     ${local.join(" ")} npm run check -- ${name}`);
  say("   Without those variables it reads the secrets with your AWS credentials. Also accepted:");
  say("   VNS3_<CONTROLLER>_USERNAME (default api) and VNS3_<CONTROLLER>_API_TOKEN.");

  heading("Review: commit the file and open a pull request; the plan review comments on it.");
  say(`     git add ${file} && git commit -m "Onboard ${name}"`);

  heading("Deploy, with AWS credentials for the account and Datadog keys for the monitor and webhook:");
  say("     export DD_API_KEY=<Datadog API key> DD_APP_KEY=<Datadog application key>");
  for (const v of def.ticketing.secretVariables) say(`     export TF_VAR_webhook_secret_${v}=<value of ${v}>`);
  say(`     npx cdktf deploy ${stackName(name)}`);
  if (created.length > 0 || datadogCreated) {
    say("   The stack creates these secrets empty: fill them right away, or the checker reports the");
    say("   controllers down (reason:credentials) and the monitor alerts:");
    for (const c of created) putSecret(region, controllerSecretName(name, c.name), controllerJson);
    if (datadogCreated) putSecret(region, datadogSecretName(name), datadogKey);
  }
  say(`   Then run the check against the deployed secrets and post it once to Datadog (site ${def.datadog.site}):`);
  say(`     DD_API_KEY=<Datadog API key> npm run check -- ${name} --send`);

  heading("Test the ticket path:");
  say(`   Datadog → Monitors → the vpn.tunnel.status monitor of vpn_environment:${name} → Edit →`);
  say(`   Test Notifications → Alert → Run Test: a test ticket must reach ${def.ticketing.webhookUrl}`);
  say(`   (webhook ${def.ticketing.webhookName ?? `vpn-tickets-${name}`}). End to end instead: post one 0 for a real tunnel`);
  say(`   (its tags as npm run check prints them); it alerts, then recovers ${def.monitor.windowMinutes} minutes later — see docs/onboarding.md.`);
  return out;
}
