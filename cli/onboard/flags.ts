/**
 * The flag table of `npm run onboard`: one row per answer. From each row come its `--help` line,
 * the check of its flag value (before the first prompt), its question in a terminal, its entry
 * in the change-one-answer menu, and its part of the equivalent command line. Adding an answer
 * is adding a row.
 */
import { DATADOG_SITE_NAMES, DATADOG_SITES, parseDatadogSite } from "../../contract/datadog-sites";
import { defaultWebhookName } from "../../contract/names";
import { MONITOR_MODES, MONITOR_WINDOWS_MINUTES } from "../../contract/definition/schema";
import type { FlagSpec, ParsedArgs } from "../shared/args";
import { MODE_ALIAS_NOTES, MODE_DESCRIPTIONS } from "../shared/monitor-modes";
import type { Prompter } from "../shared/prompter";
import { flagProblem, ok, promptProblem, type AnswerKey, type Answers, type ControllerDraft, type Draft, type OnboardContext, type Problem, type Read } from "./answers";
import { completeController, CONTROLLER_FORMAT, CONTROLLER_KEYS, controllerSpec, missingControllerKeys, readControllerSpec } from "./controllers";
import * as fields from "./fields";

/** A value a draft can hold for a key (controllers may still be incomplete). */
export type DraftValue<K extends AnswerKey> = K extends keyof Draft ? Exclude<Draft[K], undefined> : never;

/** How a row asks when its flag is absent. */
export type Question =
  /** Free text, read by the row's own reader; `list` answers are comma-separated. */
  | { readonly kind: "text"; readonly message: (draft: Draft, ctx: OnboardContext) => string; readonly default?: (draft: Draft) => string | undefined; readonly list?: boolean }
  /** A choice; the chosen value is read by the row's reader like a typed one. */
  | {
      readonly kind: "select" | "search";
      readonly message: string;
      readonly choices: () => readonly { readonly value: string; readonly name: string; readonly description?: string }[];
      readonly default?: string;
    }
  /** A flow of its own (controllers, state, headers). */
  | { readonly kind: "custom"; readonly ask: (p: Prompter, draft: Draft, ctx: OnboardContext) => Promise<unknown> };

/** One answer of onboard. */
export interface AnswerRow<K extends AnswerKey> {
  readonly key: K;
  readonly flag: FlagSpec;
  /** Its name in the change-one-answer menu. */
  readonly label: string;
  /** No default: without a terminal the flag must be given. */
  readonly required: boolean;
  /** The answer when neither a flag nor a prompt gave one. */
  readonly fallback?: (draft: Draft) => DraftValue<K>;
  /** Flag values (or a typed answer) → the answer, or what was expected. */
  readonly read: (values: readonly string[], draft: Draft, ctx: OnboardContext) => Read<DraftValue<K>>;
  readonly question: Question;
  /** Whether to ask at all (the state region only with a bucket). @default always */
  readonly asked?: (draft: Draft, ctx: OnboardContext) => boolean;
  /** The flags that give this answer back; empty for the default. */
  readonly argv: (value: Answers[K], answers: Answers) => string[];
  /** The answer in a few words, for the change-one-answer menu. */
  readonly show: (value: Answers[K]) => string;
}

const last = (values: readonly string[]) => values[values.length - 1] ?? "";
const orNone = (value: string | null) => value ?? "(none)";

function row<K extends AnswerKey>(r: AnswerRow<K>): AnswerRow<K> {
  return r;
}

// --- Custom questions ---------------------------------------------------------------------------

/** Asks until the reader accepts, showing its problem as the prompt's error. */
async function askText<T>(p: Prompter, message: string, read: (text: string) => Read<T>, defaultValue?: string): Promise<T> {
  const text = await p.text({
    message,
    default: defaultValue,
    validate: (v) => {
      const result = read(v);
      return result.ok ? true : result.problems.map(promptProblem).join("; ");
    },
  });
  const result = read(text);
  if (!result.ok) throw new Error(`the prompt accepted an answer its reader refuses: ${message}`);
  return result.value;
}

const STATE_TRADE_OFF = [
  "Terraform state records what the stack created. In S3 it survives between deploys; kept local,",
  "it lives only where cdktf runs: a CI runner discards it, the next deploy starts empty and collides",
  "with the IAM role, secrets and security group it made before. The deploy workflow (and",
  "npm run preflight under CI) refuses local state. Local is for trying things out on this machine.",
];

async function askState(p: Prompter, draft: Draft): Promise<void> {
  for (const line of STATE_TRADE_OFF) p.say(line);
  const where = await p.select({
    message: "Terraform state",
    choices: [
      { value: "s3", name: "S3 bucket", description: "required for the deploy workflow; S3-native locking" },
      { value: "local", name: "local", description: "this machine only: for trying things out, never for CI" },
    ],
    default: draft.stateBucket === null ? "local" : "s3",
  });
  if (where === "local") {
    draft.stateBucket = null;
    draft.stateRegion = null;
    return;
  }
  draft.stateBucket = await askText(p, "S3 bucket for the state (it must exist; one bucket can hold many environments)", fields.readStateBucket, draft.stateBucket ?? undefined);
  draft.stateRegion = await askText(p, "Region of the bucket (empty: the environment's region)", (t) => (t.trim() === "" ? ok(null) : fields.readRegion(t)), draft.stateRegion ?? "");
}

/** Asks for whatever a controller still lacks; `given` values are kept. */
export async function askController(p: Prompter, given: ControllerDraft, others: readonly ControllerDraft[], ctx: OnboardContext, n: number, ask: "missing" | "all" = "missing"): Promise<ControllerDraft> {
  const c: ControllerDraft = { ...given };
  const label = `Controller ${n}`;
  const key = (k: string) => CONTROLLER_KEYS.find((entry) => entry.key === k) as (typeof CONTROLLER_KEYS)[number];
  const keyRead = (k: string, extra?: (d: ControllerDraft) => Problem | undefined) => (text: string) => {
    const scratch: ControllerDraft = { ...c, ...(k === "host" || k === "port" ? { port: undefined } : {}) };
    const problems = key(k).apply(scratch, text);
    if (problems.length > 0) return { ok: false as const, problems };
    const clash = extra?.(scratch);
    return clash !== undefined ? { ok: false as const, problems: [clash] } : ok(scratch);
  };
  const needs = (field: keyof ControllerDraft) => ask === "all" || c[field] === undefined;

  if (needs("name")) {
    Object.assign(
      c,
      await askText(p, `${label}: ${key("name").question}`, keyRead("name", (d) => (others.some((o) => o.name === d.name) ? { value: d.name as string, detail: "is already used by another controller" } : undefined)), c.name),
    );
  }
  if (needs("host")) {
    const before = c.port;
    Object.assign(c, await askText(p, `${label}: ${key("host").question}`, keyRead("host"), c.host));
    if (c.port === undefined) c.port = before;
  }
  if (needs("port")) {
    // Not asked when host:port gave it.
    if (ask === "all" || c.port === undefined) Object.assign(c, await askText(p, `${label}: ${key("port").question}`, keyRead("port"), String(c.port ?? 8000)));
  }
  if (needs("securityGroupId")) Object.assign(c, await askText(p, `${label}: ${key("sg").question}`, keyRead("sg"), c.securityGroupId));
  if (needs("secretArn")) Object.assign(c, await askText(p, `${label}: ${key("secret").question.replace("<name>", c.name ?? "<name>")}`, keyRead("secret"), c.secretArn ?? ""));
  if (ask === "all") delete c.tlsSha256;
  while (c.tlsSha256 === undefined) {
    const canRead = ctx.inspect !== undefined;
    const answer = await askText(
      p,
      `${label}: ${key("fingerprint").question}${canRead ? " (empty: read it from the controller now)" : ""}`,
      (text) => (text.trim() === "" && canRead ? ok(undefined) : fields.readFingerprint(text)),
    );
    if (answer !== undefined) {
      c.tlsSha256 = answer;
      delete c.fingerprintConfirmed;
      break;
    }
    const port = c.port ?? 8000;
    p.say(`Reading the certificate of ${c.host}:${port} (TLS handshake only, nothing is sent) …`);
    try {
      const { formatCertificateReport, issuedCertificateRefusal, issuedCertificateWarning } = await import("../fingerprint/tls-inspect");
      const info = await (ctx.inspect as NonNullable<OnboardContext["inspect"]>)(c.host as string, port);
      for (const line of formatCertificateReport(info).slice(0, 8)) p.say(line);
      // Not the controller's own (a TLS-inspecting proxy's, most likely): never offered unless allowed.
      const refusal = ctx.allowIssuedCertificate === true ? undefined : issuedCertificateRefusal(info);
      if (refusal !== undefined) {
        p.say(`Not offered for pinning: ${refusal}`);
        continue;
      }
      if (!info.selfSigned) p.say(issuedCertificateWarning(info));
      if (await p.confirm({ message: "Pin this certificate (compare the SHA-256 with the controller's, out of band)?", default: true })) {
        c.tlsSha256 = info.sha256;
        c.fingerprintConfirmed = true;
      }
    } catch (error) {
      p.say(`Could not read it: ${error instanceof Error ? error.message : String(error)}`);
      p.say("Run `npm run fingerprint -- <host>` where the controller is reachable and paste the fingerprint.");
    }
  }
  if (ask === "all" || c.credentialExpires === undefined) {
    Object.assign(c, await askText(p, `${label}: ${key("expires").question}`, keyRead("expires"), c.credentialExpires ?? ""));
  }
  return c;
}

async function askControllers(p: Prompter, draft: Draft, ctx: OnboardContext): Promise<void> {
  const given = draft.controllers ?? [];
  const done: ControllerDraft[] = [];
  for (const g of given) done.push(await askController(p, g, done, ctx, done.length + 1));
  if (given.length === 0) {
    do {
      done.push(await askController(p, {}, done, ctx, done.length + 1));
    } while (await p.confirm({ message: "Add another controller?", default: false }));
  }
  draft.controllers = done;
}

async function askHeaders(p: Prompter, draft: Draft): Promise<void> {
  const headers: Record<string, string> = { ...(draft.customHeaders ?? {}) };
  const variables = draft.secretVariables ?? [];
  for (;;) {
    const entry = await askText(p, `Request header as Name=value, e.g. Authorization=Bearer $${variables[0] ?? "TOKEN"} (empty: done)`, (text) =>
      text.trim() === "" ? ok(undefined) : fields.readHeaders([text]),
    );
    if (entry === undefined) break;
    Object.assign(headers, entry);
  }
  draft.customHeaders = headers;
}

// --- The table ----------------------------------------------------------------------------------

/** Any row of the table. */
export type AnyAnswerRow = { [K in AnswerKey]: AnswerRow<K> }[AnswerKey];

export const ANSWER_ROWS: readonly AnyAnswerRow[] = [
  row({
    key: "name",
    flag: { name: "name", value: "<name>", help: `environment name: ${fields.EXPECTED.name}` },
    label: "Environment name",
    required: true,
    read: (v, _d, ctx) => fields.readName(last(v), ctx),
    question: { kind: "text", message: () => "Environment name (lowercase letters, digits, hyphens; the stack is vpn-monitor-<name>)" },
    argv: (v) => ["--name", v],
    show: (v) => v,
  }),
  row({
    key: "region",
    flag: { name: "region", value: "<region>", help: `AWS region of the VPC: ${fields.EXPECTED.region}` },
    label: "AWS region",
    required: true,
    read: (v) => fields.readRegion(last(v)),
    question: { kind: "text", message: () => "AWS region of the VPC (e.g. eu-west-1)" },
    argv: (v) => ["--region", v],
    show: (v) => v,
  }),
  row({
    key: "vpcId",
    flag: { name: "vpc", value: "<vpc-id>", help: `VPC the checker runs in: ${fields.EXPECTED.vpcId}` },
    label: "VPC",
    required: true,
    read: (v) => fields.readVpcId(last(v)),
    question: { kind: "text", message: () => "VPC id the checker runs in (vpc-…)" },
    argv: (v) => ["--vpc", v],
    show: (v) => v,
  }),
  row({
    key: "subnetIds",
    flag: { name: "subnets", value: "<ids>", help: `private subnets for the checker: ${fields.EXPECTED.subnetIds}` },
    label: "Subnets",
    required: true,
    read: (v) => fields.readSubnetIds(v),
    question: { kind: "text", message: () => "Private subnet ids for the checker, comma-separated (they need a route to Datadog and Secrets Manager)", list: true },
    argv: (v) => ["--subnets", v.join(",")],
    show: (v) => v.join(", "),
  }),
  row({
    key: "tags",
    flag: { name: "tag", value: "<key=value>", help: "AWS tag for every resource", repeatable: true },
    label: "AWS tags",
    required: false,
    fallback: () => ({}),
    read: (v) => fields.readTags(v),
    question: { kind: "text", message: () => "AWS tags as key=value, comma-separated (empty: none)", list: true },
    argv: (v) => Object.entries(v).flatMap(([k, value]) => ["--tag", `${k}=${value}`]),
    show: (v) => Object.entries(v).map(([k, value]) => `${k}=${value}`).join(", ") || "(none)",
  }),
  row({
    key: "stateBucket",
    flag: { name: "state-bucket", value: "<bucket>", help: `S3 bucket for the Terraform state, which the deploy workflow needs: ${fields.EXPECTED.stateBucket} (or --local-state)` },
    label: "Terraform state",
    // No silent default: local state is lost on a CI runner, so it must be asked for by name.
    required: true,
    read: (v) => fields.readStateBucket(last(v)),
    question: { kind: "custom", ask: (p, draft) => askState(p, draft) },
    argv: (v) => (v === null ? ["--local-state"] : ["--state-bucket", v]),
    show: (v) => (v === null ? "local (this machine only)" : `S3 ${v}`),
  }),
  row({
    key: "stateRegion",
    flag: { name: "state-region", value: "<region>", help: "region of the state bucket (default: the environment's region)" },
    label: "State bucket region",
    required: false,
    fallback: () => null,
    read: (v, draft) => (draft.stateBucket === undefined || draft.stateBucket === null ? { ok: false, problems: [{ detail: "needs --state-bucket" }] } : fields.readRegion(last(v))),
    // Asked together with the bucket.
    question: { kind: "custom", ask: async () => undefined },
    asked: () => false,
    argv: (v) => (v === null ? [] : ["--state-region", v]),
    show: orNone,
  }),
  row({
    key: "stateKmsKey",
    flag: { name: "state-kms-key", value: "<arn>", help: "KMS key (or alias) ARN the state is encrypted with, e.g. the bootstrap stack's arn:aws:kms:<region>:<account>:alias/vpn-monitor-state" },
    label: "State KMS key",
    required: false,
    fallback: () => null,
    // The schema checks the ARN (backend.kmsKeyId), and the message names this flag.
    read: (v, draft) => (draft.stateBucket === undefined || draft.stateBucket === null ? { ok: false, problems: [{ detail: "needs --state-bucket" }] } : ok(last(v).trim())),
    // A flag only (printed by npm run bootstrap); the interactive run leaves it unset.
    question: { kind: "custom", ask: async () => undefined },
    asked: () => false,
    argv: (v) => (v === null || v === undefined ? [] : ["--state-kms-key", v]),
    show: (v) => v ?? "(none)",
  }),
  row({
    key: "controllers",
    flag: { name: "controller", value: "<spec>", help: `${CONTROLLER_FORMAT}, once per controller (no secret=: the stack creates vpn-monitor/<env>/<name>)`, repeatable: true },
    label: "Controllers",
    required: true,
    read: (v) => {
      const problems: Problem[] = [];
      const drafts = v.map((spec, i) => {
        const read = readControllerSpec(spec, i);
        problems.push(...read.problems);
        return read.draft;
      });
      drafts.forEach((d, i) => {
        const first = drafts.findIndex((o) => o.name !== undefined && o.name === d.name);
        if (first !== i && d.name !== undefined) problems.push({ where: `#${i + 1} name=`, value: d.name, detail: `is already used by --controller #${first + 1}` });
      });
      return problems.length > 0 ? { ok: false, problems } : ok(drafts);
    },
    question: { kind: "custom", ask: (p, draft, ctx) => askControllers(p, draft, ctx) },
    argv: (v) => v.flatMap((c) => ["--controller", controllerSpec(c)]),
    show: (v) => v.map((c) => `${c.name} (${c.host}:${c.port})`).join(", "),
  }),
  row({
    key: "site",
    flag: { name: "site", value: "<site>", help: fields.EXPECTED.site },
    label: "Datadog site",
    required: true,
    read: (v) => fields.readSite(last(v)),
    question: {
      kind: "search",
      message: "Datadog site (type to filter: EU, datadoghq.eu, ap2 …)",
      choices: () => DATADOG_SITE_NAMES.map((name) => ({ value: name, name: `${name.padEnd(3)}  ${DATADOG_SITES[name]}` })),
    },
    argv: (v) => ["--site", v],
    show: (v) => `${v} (${DATADOG_SITES[v]})`,
  }),
  row({
    key: "datadogOrganization",
    flag: { name: "datadog-organization", value: "<name>", help: `datadog.organization: ${fields.EXPECTED.datadogOrganization}` },
    label: "Datadog organization",
    required: false,
    fallback: () => null,
    read: (v) => fields.readDatadogOrganization(last(v)),
    question: {
      kind: "text",
      message: (d, ctx) =>
        `Datadog organization on ${d.site ?? "this site"}, if it is not the site's one organization (definitions here name ${d.site === undefined ? "" : fields.organizationsOnSite(ctx, d.site).join(", ")}; names are unique per organization; empty: the site's one organization)`,
    },
    // Asked only where the repository already separates organizations on this site: everyone
    // else has one organization per site and never sees the question.
    asked: (d, ctx) => d.site !== undefined && fields.organizationsOnSite(ctx, d.site).length > 0,
    argv: (v) => (v === null ? [] : ["--datadog-organization", v]),
    show: (v) => v ?? "(the site's one organization)",
  }),
  row({
    key: "apiKeySecretArn",
    flag: { name: "api-key-secret", value: "<arn>", help: `secret with the Datadog API key: ${fields.EXPECTED.secretArn} (default: the stack creates vpn-monitor/<env>/datadog-api-key)` },
    label: "Datadog API key secret",
    required: false,
    fallback: () => null,
    read: (v) => fields.readSecretArn(last(v)),
    question: { kind: "text", message: () => "ARN of the secret with the Datadog API key (empty: the stack creates vpn-monitor/<env>/datadog-api-key)" },
    argv: (v) => (v === null ? [] : ["--api-key-secret", v]),
    show: (v) => v ?? "(the stack's own secret)",
  }),
  row({
    key: "mode",
    flag: { name: "mode", value: "<mode>", help: `alert mode (default: simple): ${modeHelp()}` },
    label: "Alert mode",
    required: false,
    fallback: () => "simple" as const,
    read: (v) => fields.readMode(last(v)),
    question: {
      kind: "select",
      message: "Alert mode",
      choices: () => modeChoices(),
      default: "simple",
    },
    argv: (v) => (v === "simple" ? [] : ["--mode", v]),
    show: (v) => v,
  }),
  row({
    key: "windowMinutes",
    flag: { name: "window", value: "<minutes>", help: `monitor evaluation window: ${fields.EXPECTED.window} (default: 5)` },
    label: "Evaluation window",
    required: false,
    fallback: () => 5,
    read: (v) => fields.readWindow(last(v)),
    question: { kind: "select", message: "Evaluation window (minutes): a single 0 inside it alerts", choices: () => MONITOR_WINDOWS_MINUTES.map((m) => ({ value: String(m), name: String(m) })), default: "5" },
    argv: (v) => (v === 5 ? [] : ["--window", String(v)]),
    show: (v) => `${v} minutes`,
  }),
  row({
    key: "priority",
    flag: { name: "priority", value: "<1-5>", help: `monitor priority: ${fields.EXPECTED.priority} (default: none)` },
    label: "Monitor priority",
    required: false,
    fallback: () => null,
    read: (v) => fields.readPriority(last(v)),
    question: { kind: "select", message: "Monitor priority", choices: () => [{ value: "none", name: "none" }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), name: `P${n}` }))], default: "none" },
    argv: (v) => (v === null ? [] : ["--priority", String(v)]),
    show: (v) => (v === null ? "(none)" : `P${v}`),
  }),
  row({
    key: "message",
    flag: { name: "message", value: "<text>", help: "extra text or @-mentions in the alert message" },
    label: "Alert message",
    required: false,
    fallback: () => null,
    read: (v) => fields.readMessage(last(v)),
    question: { kind: "text", message: () => "Extra text or @-mentions for the alert message (empty: none)" },
    argv: (v) => (v === null ? [] : ["--message", v]),
    show: orNone,
  }),
  row({
    key: "webhookUrl",
    flag: { name: "webhook-url", value: "<url>", help: `ticketing system endpoint: ${fields.EXPECTED.webhookUrl}` },
    label: "Ticketing webhook URL",
    required: true,
    read: (v) => fields.readWebhookUrl(last(v)),
    question: { kind: "text", message: () => "Ticketing webhook URL (https://…)" },
    argv: (v) => ["--webhook-url", v],
    show: (v) => v,
  }),
  row({
    key: "webhookName",
    flag: { name: "webhook-name", value: "<name>", help: `Datadog webhook name: ${fields.EXPECTED.webhookName} (default: vpn-tickets-<name>)` },
    label: "Datadog webhook name",
    required: false,
    fallback: () => null,
    read: (v, draft, ctx) => fields.readWebhookName(last(v), draft.name, ctx, draft),
    question: { kind: "text", message: () => "Datadog webhook name", default: (d) => (d.name !== undefined ? defaultWebhookName(d.name) : undefined) },
    argv: (v) => (v === null ? [] : ["--webhook-name", v]),
    show: (v) => v ?? "(vpn-tickets-<name>)",
  }),
  row({
    key: "secretVariables",
    flag: { name: "secret-variable", value: "<NAME>", help: "secret webhook variable for a ticketing token; its value is TF_VAR_webhook_secret_<NAME> at deploy", repeatable: true },
    label: "Secret webhook variables",
    required: false,
    fallback: () => [],
    read: (v, draft, ctx) => fields.readSecretVariables(v, ctx, draft),
    question: { kind: "text", message: () => "Secret webhook variables for ticketing tokens, UPPER_SNAKE_CASE, comma-separated (empty: none)", list: true },
    argv: (v) => v.flatMap((name) => ["--secret-variable", name]),
    show: (v) => v.join(", ") || "(none)",
  }),
  row({
    key: "customHeaders",
    flag: { name: "header", value: "<Name=value>", help: 'webhook request header, e.g. "Authorization=Bearer $NAME"', repeatable: true },
    label: "Webhook headers",
    required: false,
    fallback: () => ({}),
    read: (v) => fields.readHeaders(v),
    question: { kind: "custom", ask: (p, draft) => askHeaders(p, draft) },
    // Asked only for a secret the URL does not already carry (?token=$TICKET_TOKEN needs no header).
    asked: (d) => (d.secretVariables ?? []).some((v) => !new RegExp(`\\$${v}(?![A-Z0-9_])`).test(d.webhookUrl ?? "")),
    argv: (v) => Object.entries(v).flatMap(([k, value]) => ["--header", `${k}=${value}`]),
    show: (v) => Object.keys(v).join(", ") || "(none)",
  }),
];

/** The schema's alert modes as choices, each with what it does. */
function modeChoices() {
  return MONITOR_MODES.map((value) => ({ value, name: value, description: MODE_DESCRIPTIONS[value] }));
}

/** `simple: one alert …; partner: …; tunnel: …`, then the accepted earlier spellings. */
function modeHelp(): string {
  return [...MONITOR_MODES.map((mode) => `${mode}: ${MODE_DESCRIPTIONS[mode]}`), ...MODE_ALIAS_NOTES].join("; ");
}

/** Flags that steer the run rather than answer a question. */
export const RUN_FLAGS: readonly FlagSpec[] = [
  { name: "local-state", help: "keep Terraform state on this machine (trying things out; CI refuses it)" },
  { name: "dir", value: "<dir>", help: "folder of the environment definitions (default: environments)" },
  { name: "interactive", help: "prompt for what the flags leave out (default: when stdin and stdout are a terminal)", negatable: true },
  { name: "yes", short: "y", help: "write without the preview (interactive mode)" },
  { name: "allow-issued-certificate", help: "offer to pin a controller certificate that is not self-signed (with a warning naming its issuer); by default it is refused, as a TLS-inspecting proxy's would be" },
];

/** Every flag of onboard, for the parser and `--help`. */
export const ONBOARD_FLAGS: readonly FlagSpec[] = [...ANSWER_ROWS.map((r) => r.flag), ...RUN_FLAGS];

/** The answers the flags give, and every problem with them, each naming its flag. */
export function draftFromFlags(args: ParsedArgs, ctx: OnboardContext): { draft: Draft; problems: string[] } {
  const draft: Draft = {};
  const problems: string[] = [];
  for (const r of ANSWER_ROWS) {
    const values = args.values.get(r.flag.name);
    if (values === undefined) continue;
    const result = r.read(values, draft, ctx);
    if (result.ok) (draft as Record<string, unknown>)[r.key] = result.value;
    else for (const problem of result.problems) problems.push(flagProblem(`--${r.flag.name}`, problem));
  }
  if (args.switches.get("local-state") === true) {
    if (args.values.has("state-bucket")) problems.push("--local-state and --state-bucket exclude each other: choose one");
    else draft.stateBucket = null;
  }
  return { draft, problems };
}

/**
 * `missing --vpc: expected …` for each required answer the draft lacks. Flags in `given` were
 * there but refused: their problem is already said, "missing" would only repeat it.
 */
export function missingAnswers(draft: Draft, given: ReadonlySet<string> = new Set()): string[] {
  const missing: string[] = [];
  for (const r of ANSWER_ROWS) {
    if (r.required && draft[r.key] === undefined && !given.has(r.flag.name)) missing.push(`missing --${r.flag.name}: ${r.flag.help}`);
  }
  (draft.controllers ?? []).forEach((c, i) => {
    for (const key of missingControllerKeys(c)) missing.push(`missing ${key.key}= in --controller #${i + 1}: ${key.expected}`);
  });
  return missing;
}

/** The complete answers: the draft with every fallback applied. Call once {@link missingAnswers} is empty. */
export function completeAnswers(draft: Draft): Answers {
  const out: Record<string, unknown> = {};
  for (const r of ANSWER_ROWS) {
    const value = draft[r.key];
    out[r.key] = value !== undefined ? value : r.fallback?.(draft);
    if (out[r.key] === undefined) throw new Error(`incomplete answers: ${r.key}`);
  }
  out.controllers = (draft.controllers ?? []).map((c) => {
    const complete = completeController(c);
    if (complete === undefined) throw new Error(`incomplete controller ${c.name ?? "?"}`);
    return complete;
  });
  return out as unknown as Answers;
}

/** A word safe for a POSIX shell as is, or single-quoted. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command line that writes the same file without a single question. */
export function equivalentCommandLine(answers: Answers, dir: string): string {
  const args = ANSWER_ROWS.flatMap((r) => r.argv(answers[r.key] as never, answers));
  if (dir !== "environments") args.push("--dir", dir);
  return ["npm run onboard --", ...args.map(shellWord), "--no-interactive"].join(" ");
}

/** Exposed for the site question: the choices a typed filter keeps, best match first. */
export function filterSites(term: string | undefined): string[] {
  const all = DATADOG_SITE_NAMES.map((name) => name as string);
  const text = (term ?? "").trim().toLowerCase();
  if (text === "") return all;
  const exact = parseDatadogSite(text);
  const matching = all.filter((name) => name.toLowerCase().includes(text) || DATADOG_SITES[name as keyof typeof DATADOG_SITES].includes(text));
  return exact !== undefined ? [exact, ...matching.filter((n) => n !== exact)] : matching;
}
