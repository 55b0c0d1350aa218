/**
 * One reader per answer: text as typed (a flag value or a prompt answer) → the answer, or the
 * problems naming what was expected. The rules are the schema's own fields
 * (contract/definition/schema.ts), so onboard refuses exactly what synth refuses; the wording of
 * "expected …" is onboard's, because it is also the flag's help and the prompt's hint.
 */
import * as path from "node:path";
import { DATADOG_SITE_NAMES, DATADOG_SITES, describeDatadogSites, parseDatadogSite, type DatadogSiteName } from "../../contract/datadog-sites";
import { CALENDAR_DATE_FORMAT, utcDayStartMs } from "../../contract/calendar-date";
import { FINGERPRINT_FORMAT, parseFingerprint } from "../../contract/fingerprint";
import { datadogOrganizationKey, defaultWebhookName } from "../../contract/names";
import { AWS_REGIONS } from "../../contract/definition/aws-regions";
import { environmentSchema, MONITOR_MODE_ALIASES, MONITOR_MODES, MONITOR_WINDOWS_MINUTES, type MonitorMode } from "../../contract/definition/schema";
import { suggestion } from "../shared/args";
import { canonicalMode, MODES_EXPECTED } from "../shared/monitor-modes";
import { HOST_FORMAT, parseHostPort } from "../shared/host-port";
import { bad, ok, type OnboardContext, type Problem, type Read } from "./answers";

const FIELDS = environmentSchema.shape;
const AWS = FIELDS.aws.shape;
const CONTROLLER = FIELDS.controllers.element.shape;
const DATADOG = FIELDS.datadog.shape;
const MONITOR = FIELDS.monitor.unwrap().shape;
const TICKETING = FIELDS.ticketing.shape;
const S3 = FIELDS.backend.unwrap().options[1].shape;

interface Checkable {
  safeParse(value: unknown): { success: boolean; error?: { issues: readonly { path: readonly PropertyKey[]; message: string }[] } };
}

const passes = (schema: Checkable, value: unknown) => schema.safeParse(value).success;

/** What each answer must look like: the flag's help, the error and the prompt's hint say this. */
export const EXPECTED = {
  name: "lowercase letters, digits and hyphens, 2-32 characters, starting with a letter (e.g. acme-prod)",
  region: "an AWS region, e.g. eu-west-1",
  vpcId: "a VPC id: vpc- and 8 or 17 hex digits (e.g. vpc-0a1b2c3d4e5f60718)",
  subnetIds: "subnet ids, comma-separated: subnet- and 8 or 17 hex digits each",
  tag: "key=value: a key of letters, digits and _ . : / - (at most 128, starting with a letter), a value of at most 256 characters",
  stateBucket: "an S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens",
  controllerName: "the controller's short name: lowercase letters, digits and hyphens, 2-32, starting with a letter (e.g. vns3-primary)",
  host: `${HOST_FORMAT}; IPv4 or a DNS name for the checker`,
  port: "a port number 1-65535",
  securityGroupId: "a security group id: sg- and 8 or 17 hex digits",
  secretArn: "a Secrets Manager secret ARN: arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>",
  fingerprint: FINGERPRINT_FORMAT,
  credentialExpires: `${CALENDAR_DATE_FORMAT}, the day the controller's API token (or password) expires`,
  site: `a Datadog site: ${describeDatadogSites()}; the domain (datadoghq.eu) or app URL (app.datadoghq.eu) works too`,
  datadogOrganization: "the Datadog organization's short name when the site serves several of yours: lowercase letters, digits and hyphens, 2-32, starting with a letter (empty: the site's one organization)",
  mode: MODES_EXPECTED,
  window: `minutes Datadog accepts: ${MONITOR_WINDOWS_MINUTES.join(", ")}`,
  priority: "1 (highest) to 5, or empty for none",
  message: "text of at most 2000 characters",
  webhookUrl: "an https:// URL without credentials in it",
  webhookName: "letters, digits, _ and - (at most 100)",
  secretVariable: "UPPER_SNAKE_CASE names, comma-separated (e.g. ACME_TICKET_TOKEN)",
  header: 'Name=value, e.g. "Authorization=Bearer $ACME_TICKET_TOKEN"',
} as const;

/** "did you mean" for a value among a closed set of choices. */
function suggest(input: string, candidates: readonly string[]): string {
  const guess = suggestion(input, candidates);
  return guess === undefined ? "" : ` (did you mean ${guess}?)`;
}

/** Splits a comma-separated answer; empty parts dropped. */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(","))
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The Datadog organization a draft's resources will live in (contract/names.ts), once its site is known. */
export interface DraftOrganization {
  readonly site?: DatadogSiteName | undefined;
  readonly datadogOrganization?: string | null | undefined;
}

/**
 * Who already uses an environment name (repository-wide: it names the file and the stack), and,
 * within the draft's Datadog organization, a webhook name or secret variable: Datadog keeps those
 * unique per organization, so another customer's organization may reuse them.
 */
function owners(ctx: OnboardContext, draft: DraftOrganization = {}) {
  const names = new Map<string, string>();
  for (const f of ctx.existing.fileNames) names.set(path.basename(f, path.extname(f)), path.join(ctx.existing.dir, f));
  for (const e of ctx.existing.loaded) names.set(e.definition.name, e.file);
  const organization = draft.site === undefined ? undefined : datadogOrganizationKey({ site: draft.site, organization: draft.datadogOrganization ?? undefined });
  const sameOrganization = ctx.existing.loaded.filter((e) => organization === undefined || datadogOrganizationKey(e.definition.datadog) === organization);
  const webhooks = new Map(sameOrganization.map((e) => [e.definition.ticketing.webhookName ?? defaultWebhookName(e.definition.name), e.file]));
  const variables = new Map(sameOrganization.flatMap((e) => e.definition.ticketing.secretVariables.map((v) => [v, e.file] as const)));
  return { names, webhooks, variables };
}

/** The organizations other definitions already name on a site, for the question and its hint. */
export function organizationsOnSite(ctx: OnboardContext, site: DatadogSiteName): string[] {
  const key = datadogOrganizationKey({ site });
  return [...new Set(ctx.existing.loaded.filter((e) => datadogOrganizationKey({ site: e.definition.datadog.site }) === key).flatMap((e) => e.definition.datadog.organization ?? []))].sort();
}

export function readDatadogOrganization(text: string): Read<string | null> {
  const value = text.trim();
  if (value === "") return ok(null);
  return passes(DATADOG.organization, value) ? ok(value) : bad({ value, detail: `expected ${EXPECTED.datadogOrganization}` });
}

export function readName(text: string, ctx: OnboardContext): Read<string> {
  const value = text.trim();
  if (!passes(FIELDS.name, value)) return bad({ value, detail: `expected ${EXPECTED.name}` });
  const owner = owners(ctx).names.get(value);
  return owner === undefined ? ok(value) : bad({ value, detail: `is already used by ${owner}: choose another name, or edit that file` });
}

export function readRegion(text: string): Read<string> {
  const value = text.trim();
  return passes(AWS.region, value) ? ok(value) : bad({ value, detail: `expected ${EXPECTED.region}${suggest(value, AWS_REGIONS)}` });
}

export function readVpcId(text: string): Read<string> {
  const value = text.trim();
  return passes(AWS.vpcId, value) ? ok(value) : bad({ value, detail: `expected ${EXPECTED.vpcId}` });
}

export function readSubnetIds(values: readonly string[]): Read<string[]> {
  const ids = splitList(values);
  if (ids.length === 0) return bad({ detail: `expected ${EXPECTED.subnetIds}` });
  const problems: Problem[] = ids.filter((id) => !passes(AWS.subnetIds.element, id)).map((id) => ({ value: id, detail: `expected ${EXPECTED.subnetIds}` }));
  const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
  for (const id of new Set(twice)) problems.push({ value: id, detail: "is listed twice" });
  return problems.length > 0 ? bad(...problems) : ok(ids);
}

/** `key=value` pairs; `secretValues` keeps values out of messages (headers may carry tokens). */
function readPairs(values: readonly string[], expected: string, secretValues: boolean): { pairs: Record<string, string>; problems: Problem[] } {
  const pairs: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const raw of values) {
    const eq = raw.indexOf("=");
    const key = eq < 0 ? "" : raw.slice(0, eq).trim();
    if (key === "") {
      problems.push({ ...(secretValues ? {} : { value: raw }), detail: `expected ${expected}` });
      continue;
    }
    if (key in pairs) problems.push({ value: key, detail: "is given twice" });
    pairs[key] = raw.slice(eq + 1).trim();
  }
  return { pairs, problems };
}

export function readTags(values: readonly string[]): Read<Record<string, string>> {
  const { pairs, problems } = readPairs(values, EXPECTED.tag, false);
  for (const [key, value] of Object.entries(pairs)) {
    if (!passes(AWS.tags, { [key]: value })) problems.push({ value: `${key}=${value}`, detail: `expected ${EXPECTED.tag}` });
  }
  return problems.length > 0 ? bad(...problems) : ok(pairs);
}

export function readStateBucket(text: string): Read<string> {
  const value = text.trim();
  return passes(S3.bucket, value) ? ok(value) : bad({ value, detail: `expected ${EXPECTED.stateBucket}` });
}

export function readSite(text: string): Read<DatadogSiteName> {
  const site = parseDatadogSite(text);
  if (site !== undefined) return ok(site);
  const value = text.trim();
  const spellings = [...DATADOG_SITE_NAMES, ...DATADOG_SITE_NAMES.map((n) => DATADOG_SITES[n])];
  const guess = suggestion(value.toLowerCase(), spellings.map((s) => s.toLowerCase()));
  const name = guess === undefined ? undefined : parseDatadogSite(guess);
  return bad({ value, detail: `expected ${EXPECTED.site}${name !== undefined ? ` (did you mean ${name}, ${DATADOG_SITES[name]}?)` : ""}` });
}

/**
 * A secret ARN field of the file (empty: the stack's own secret). An ARN-shaped value gets the
 * schema's own words (e.g. the missing six-character suffix). Anything else is not echoed: it may
 * be the secret itself, pasted into the wrong field.
 */
function readSecretArnField(schema: Checkable, text: string): Read<string | null> {
  const value = text.trim();
  if (value === "") return ok(null);
  const result = schema.safeParse(value);
  if (result.success) return ok(value);
  const message = result.error?.issues[0]?.message;
  if (value.startsWith("arn:") && message !== undefined) return bad({ value, detail: message });
  return bad({ detail: `expected ${EXPECTED.secretArn}, or nothing for the stack's own secret (the ARN of a secret you know by name: aws secretsmanager describe-secret --secret-id <name> --query ARN --output text)` });
}

export function readSecretArn(text: string): Read<string | null> {
  return readSecretArnField(DATADOG.apiKeySecretArn, text);
}

/** An alert mode; an earlier spelling (`multi`) is read as the mode it stands for now (`tunnel`). */
export function readMode(text: string): Read<MonitorMode> {
  const value = text.trim();
  const mode = canonicalMode(value);
  // The schema's own field decides, as for every other answer; the alias table only names the result.
  if (mode !== undefined && passes(MONITOR.mode, value)) return ok(mode);
  const guess = suggestion(value, [...MONITOR_MODES, ...Object.keys(MONITOR_MODE_ALIASES)]);
  const alias = guess === undefined ? undefined : MONITOR_MODE_ALIASES[guess];
  const hint = guess === undefined ? "" : ` (did you mean ${guess}${alias !== undefined ? `, read as ${alias}` : ""}?)`;
  return bad({ value, detail: `expected ${EXPECTED.mode}${hint}` });
}

export function readWindow(text: string): Read<number> {
  const value = text.trim();
  const minutes = /^\d+$/.test(value) ? Number(value) : NaN;
  return passes(MONITOR.windowMinutes, minutes) && !Number.isNaN(minutes) ? ok(minutes) : bad({ value, detail: `expected ${EXPECTED.window}` });
}

export function readPriority(text: string): Read<number | null> {
  const value = text.trim().replace(/^p/i, "");
  if (value === "" || value.toLowerCase() === "none") return ok(null);
  const priority = /^\d$/.test(value) ? Number(value) : NaN;
  return passes(MONITOR.priority, priority) && !Number.isNaN(priority) ? ok(priority) : bad({ value: text.trim(), detail: `expected ${EXPECTED.priority}` });
}

export function readMessage(text: string): Read<string | null> {
  const value = text.trim();
  if (value === "") return ok(null);
  return passes(MONITOR.message, value) ? ok(value) : bad({ detail: `expected ${EXPECTED.message} (got ${Array.from(value).length})` });
}

export function readWebhookUrl(text: string): Read<string> {
  const value = text.trim();
  // A URL may carry a token in its query: name what is wrong without repeating it.
  return passes(TICKETING.webhookUrl, value) ? ok(value) : bad({ detail: `expected ${EXPECTED.webhookUrl}` });
}

export function readWebhookName(text: string, environment: string | undefined, ctx: OnboardContext, draft: DraftOrganization = {}): Read<string | null> {
  const value = text.trim();
  if (value === "" || (environment !== undefined && value === defaultWebhookName(environment))) return ok(null);
  if (!passes(TICKETING.webhookName, value)) return bad({ value, detail: `expected ${EXPECTED.webhookName}` });
  const owner = owners(ctx, draft).webhooks.get(value);
  return owner === undefined ? ok(value) : bad({ value, detail: `is already used by ${owner} (webhook names are unique within a Datadog organization)` });
}

export function readSecretVariables(values: readonly string[], ctx: OnboardContext, draft: DraftOrganization = {}): Read<string[]> {
  const names = splitList(values);
  const problems: Problem[] = names.filter((n) => !passes(TICKETING.secretVariables, [n])).map((n) => ({ value: n, detail: `expected ${EXPECTED.secretVariable}` }));
  for (const n of new Set(names.filter((n, i) => names.indexOf(n) !== i))) problems.push({ value: n, detail: "is listed twice" });
  const used = owners(ctx, draft).variables;
  for (const n of names) {
    const owner = used.get(n);
    if (owner !== undefined) problems.push({ value: n, detail: `is already used by ${owner} (Datadog variables are unique within an organization)` });
  }
  return problems.length > 0 ? bad(...problems) : ok(names);
}

export function readHeaders(values: readonly string[]): Read<Record<string, string>> {
  const { pairs, problems } = readPairs(values, EXPECTED.header, true);
  for (const name of Object.keys(pairs)) {
    if (!passes(TICKETING.customHeaders, { [name]: "" })) problems.push({ value: name, detail: "expected an HTTP header name (letters, digits and !#$%&'*+.^_`|~-)" });
  }
  return problems.length > 0 ? bad(...problems) : ok(pairs);
}

// --- Controllers -----------------------------------------------------------------------------

export function readControllerName(text: string): Read<string> {
  const value = text.trim();
  return passes(CONTROLLER.name, value) ? ok(value) : bad({ value, detail: `expected ${EXPECTED.controllerName}` });
}

/** A host, with the port when written as host:port. */
export function readHost(text: string): Read<{ host: string; port?: number }> {
  const parsed = parseHostPort(text);
  if (!parsed.ok) return bad({ value: text.trim(), detail: parsed.problem });
  if (!passes(CONTROLLER.host, parsed.host)) return bad({ value: text.trim(), detail: `expected ${EXPECTED.host}` });
  return ok(parsed.port === undefined ? { host: parsed.host } : { host: parsed.host, port: parsed.port });
}

export function readPort(text: string): Read<number> {
  const value = text.trim();
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  return port >= 1 && port <= 65535 ? ok(port) : bad({ value, detail: `expected ${EXPECTED.port}` });
}

export function readSecurityGroupId(text: string): Read<string> {
  const value = text.trim();
  return passes(CONTROLLER.securityGroupId, value) ? ok(value) : bad({ value, detail: `expected ${EXPECTED.securityGroupId}` });
}

export function readControllerSecretArn(text: string): Read<string | null> {
  return readSecretArnField(CONTROLLER.secretArn, text);
}

/** When the controller's API credential expires; empty: not recorded (no credential_days_left). */
export function readCredentialExpires(text: string): Read<string | null> {
  const value = text.trim();
  if (value === "") return ok(null);
  return utcDayStartMs(value) !== undefined ? ok(value) : bad({ value, detail: `expected ${EXPECTED.credentialExpires}` });
}

export function readFingerprint(text: string): Read<string> {
  const canonical = parseFingerprint(text);
  return canonical !== undefined ? ok(canonical) : bad({ value: text.trim(), detail: `expected ${EXPECTED.fingerprint}` });
}
