/**
 * The review's pure core: two synthesized trees (stack name → parsed cdk.tf.json) in, a structured
 * diff out. No git, no files, no process: tested on plain objects.
 *
 * Secrets never leave this module: every value the diff returns is already masked (see mask.ts),
 * so a renderer, the JSON output or a later consumer cannot print one by mistake.
 */
import { TAG_KEYS } from "../../contract/metrics";
import { isBootstrapStack, isFleetStack } from "../preflight/targets";
import { createScrubber, isHarmlessValue, isKnownNotSecret, isSecretPath, looksLikeSecretValue, maskWebhookUrl, MASK } from "./mask";
import { diffLines, type DiffLine } from "./text-diff";

export { MASK } from "./mask";

/** A synthesized stack as cdktf writes it. */
export type StackJson = Record<string, unknown>;
/** Stack name → synthesized stack. */
export type SynthTree = ReadonlyMap<string, StackJson>;

/** One flattened attribute change. An absent side means the attribute is absent there. */
export interface AttributeChange {
  readonly path: string;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  /** The value was secret: `before`/`after` hold {@link MASK}, and the change is still reported. */
  readonly sensitive: boolean;
}

export type Kind = "added" | "removed" | "changed";

/** One addressable thing in a stack: a resource, data source, variable, output, provider or the backend. */
export interface EntryDiff {
  /** `aws_lambda_function.checker_function_F964E587`, `variable.x`, `provider.aws`, `terraform.backend`. */
  readonly address: string;
  readonly type: string;
  readonly kind: Kind;
  readonly changes: readonly AttributeChange[];
  /** The construct path cdktf recorded (`checker/function`), for a readable name. */
  readonly constructPath?: string;
}

export interface BeforeAfter<T = string> {
  readonly before?: T | undefined;
  readonly after?: T | undefined;
}

/** What changed about one monitor, in the terms a reviewer cares about. */
export interface MonitorChange {
  readonly address: string;
  readonly name: string;
  readonly kind: Kind;
  /** `simple`, or `multi (<group>)` from the query's `by {…}`. */
  readonly mode?: BeforeAfter;
  readonly query?: BeforeAfter;
  readonly threshold?: BeforeAfter;
  /** The message's `@`-mentions: who is notified (`@webhook-…`, `@slack-…`, `@pagerduty-…`, emails). */
  readonly notifications?: BeforeAfter<readonly string[]>;
  /** The message by line, when it changed (or the whole message of a new monitor). */
  readonly message?: readonly DiffLine[];
  /** Every other attribute change of the monitor (no-data, renotify, priority, tags…). */
  readonly otherChanges: readonly AttributeChange[];
}

/** A Datadog webhook or webhook variable: where tickets go and with what. */
export interface WebhookChange {
  readonly address: string;
  readonly name: string;
  readonly type: "datadog_webhook" | "datadog_webhook_custom_variable";
  readonly kind: Kind;
  readonly changes: readonly AttributeChange[];
}

export interface CodeChange {
  readonly address: string;
  readonly before: string;
  readonly after: string;
}

/** What a fleet overview's change means to a reader: which environments its dashboard gains or loses. */
export interface FleetChange {
  /** Environments the dashboard shows after but not before (its `vpn_environment` template variable's values). */
  readonly environmentsAdded: readonly string[];
  readonly environmentsRemoved: readonly string[];
}

export interface StackDiff {
  readonly stack: string;
  /** An environment's stack, or a fleet overview (`vpn-monitor-fleet[-<site>]`, stacks/fleet-stack.ts). */
  /** `bootstrap`: an account's `vpn-monitor-bootstrap[-<account>]` (bootstrap.yaml), reviewed but applied by hand. */
  readonly kind: "environment" | "fleet" | "bootstrap";
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly monitors: readonly MonitorChange[];
  readonly webhooks: readonly WebhookChange[];
  /** Lambda functions whose bundle changed (a content hash), rather than two noisy attributes. */
  readonly codeChanges: readonly CodeChange[];
  readonly entries: readonly EntryDiff[];
  /** Fleet overviews only. */
  readonly fleet?: FleetChange;
}

export interface ReviewDiff {
  readonly stacks: readonly StackDiff[];
  readonly changed: boolean;
}

export interface DiffOptions {
  /**
   * Stacks known to be identical without having been synthesized (same code, same definition):
   * reported as unchanged.
   */
  readonly unchangedStacks?: readonly string[];
}

// --- Flattening --------------------------------------------------------------------------------

/** Parses attributes that hold JSON documents (IAM policies, payloads, headers), so the diff sees inside. */
function parseEmbeddedJson(value: string): object | undefined {
  const trimmed = value.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A flattened leaf: a scalar as text, or a list of scalars (compared as a list of values). */
export type FlatValue = string | readonly string[];

const scalarText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
const isScalar = (value: unknown): boolean => value === null || ["string", "number", "boolean"].includes(typeof value);

/**
 * Flattens a value into `path → leaf`, without cdktf's `//` metadata, descending into embedded
 * JSON (marked `{json}`). Lists of scalars (subnets, IAM actions, tags) stay whole, so that an
 * element added in the middle reads as one addition rather than as a change of every later index.
 */
export function flatten(value: unknown, prefix = "", out = new Map<string, FlatValue>()): Map<string, FlatValue> {
  if (value === null || value === undefined) {
    if (prefix) out.set(prefix, String(value));
  } else if (Array.isArray(value)) {
    if (value.length === 0) {
      if (prefix) out.set(prefix, "[]");
    } else if (value.every(isScalar) && !value.some((v) => typeof v === "string" && parseEmbeddedJson(v) !== undefined)) {
      out.set(prefix, value.map(scalarText));
    } else {
      value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
    }
  } else if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== "//");
    if (entries.length === 0 && prefix) out.set(prefix, "{}");
    for (const [key, child] of entries) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (typeof value === "string") {
    const embedded = parseEmbeddedJson(value);
    if (embedded !== undefined) flatten(embedded, `${prefix}{json}`, out);
    else out.set(prefix, value);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** Elements of `from` missing from `other`, counting duplicates. */
function minus(from: readonly string[], other: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const v of other) left.set(v, (left.get(v) ?? 0) + 1);
  return from.filter((v) => {
    const n = left.get(v) ?? 0;
    if (n === 0) return true;
    left.set(v, n - 1);
    return false;
  });
}

interface RawChange {
  readonly path: string;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
}

/** A list's change as element removals (`path[-]`) and additions (`path[+]`), or its new order. */
function listChanges(path: string, before: readonly string[], after: readonly string[]): RawChange[] {
  const removed = minus(before, after).map((v) => ({ path: `${path}[-]`, before: v }));
  const added = minus(after, before).map((v) => ({ path: `${path}[+]`, after: v }));
  if (removed.length === 0 && added.length === 0) return [{ path: `${path} (order)`, before: before.join(", "), after: after.join(", ") }];
  return [...removed, ...added];
}

const leafText = (value: FlatValue | undefined): string | undefined => (value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value));

function rawChanges(before: unknown, after: unknown): { path: string; changes: RawChange[] }[] {
  const a = flatten(before);
  const b = flatten(after);
  const out: { path: string; changes: RawChange[] }[] = [];
  for (const path of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(path);
    const now = b.get(path);
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    if (Array.isArray(was) && Array.isArray(now)) {
      out.push({ path, changes: listChanges(path, was, now) });
    } else {
      const beforeText = leafText(was);
      const afterText = leafText(now);
      out.push({ path, changes: [{ path, before: beforeText, after: afterText }] });
    }
  }
  return out;
}

// --- Entries -----------------------------------------------------------------------------------

interface Entry {
  readonly type: string;
  readonly value: unknown;
  readonly constructPath?: string;
}

/** Every addressable entry of a stack, keyed by address. */
function entriesOf(stack: StackJson | undefined): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  if (!stack) return entries;
  const typed = (section: Record<string, unknown> | undefined, prefix: string) => {
    for (const [type, byName] of Object.entries(section ?? {})) {
      for (const [name, body] of Object.entries((byName ?? {}) as Record<string, Record<string, unknown>>)) {
        const metadata = (body?.["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
        const constructPath = metadata?.path?.split("/").slice(1).join("/");
        entries.set(`${prefix}${type}.${name}`, { type: prefix ? `${prefix}${type}` : type, value: body, ...(constructPath ? { constructPath } : {}) });
      }
    }
  };
  typed(stack.resource as Record<string, unknown> | undefined, "");
  typed(stack.data as Record<string, unknown> | undefined, "data.");
  for (const section of ["variable", "output", "locals", "module"] as const) {
    for (const [name, body] of Object.entries((stack[section] ?? {}) as Record<string, unknown>)) entries.set(`${section}.${name}`, { type: section, value: body });
  }
  for (const [name, body] of Object.entries((stack.provider ?? {}) as Record<string, unknown>)) {
    // cdktf writes each provider as a list of configurations, almost always one.
    entries.set(`provider.${name}`, { type: "provider", value: Array.isArray(body) && body.length === 1 ? body[0] : body });
  }
  const terraform = (stack.terraform ?? {}) as Record<string, unknown>;
  if (terraform.backend) entries.set("terraform.backend", { type: "backend", value: terraform.backend });
  if (terraform.required_providers) entries.set("terraform.required_providers", { type: "required_providers", value: terraform.required_providers });
  return entries;
}

// --- Sensitivity -------------------------------------------------------------------------------

/** What decides masking in one stack (both sides), and where masked literals are collected. */
interface MaskContext {
  /** Sensitive Terraform variables on either side. */
  readonly sensitiveVariables: ReadonlySet<string>;
  /** Names of the stack's Datadog webhook custom variables (`$NAME` references name, not hold, them). */
  readonly datadogVariables: ReadonlySet<string>;
  /** Every literal masked anywhere, scrubbed from the whole diff at the end. */
  readonly literals: Set<string>;
}

/** Sensitive variables of a stack, which make every value referencing them sensitive. */
export function sensitiveVariables(stack: StackJson | undefined): Set<string> {
  const variables = (stack?.variable ?? {}) as Record<string, { sensitive?: boolean }>;
  return new Set(Object.entries(variables).filter(([, v]) => v?.sensitive === true).map(([name]) => name));
}

function customVariableNames(stack: StackJson | undefined): string[] {
  const resources = ((stack?.resource ?? {}) as Record<string, Record<string, { name?: unknown }>>).datadog_webhook_custom_variable ?? {};
  return Object.values(resources).map((v) => v?.name).filter((n): n is string => typeof n === "string");
}

function referencesSensitive(value: string, sensitive: ReadonlySet<string>): boolean {
  for (const match of value.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) if (sensitive.has(match[1]!)) return true;
  return false;
}

/** Whether one change must be masked, recording the masked literals for the final scrub. */
function isSensitiveChange(address: string, entry: { type: string; was?: unknown; now?: unknown }, path: string, change: RawChange, ctx: MaskContext): boolean {
  const values = [change.before, change.after].filter((v): v is string => v !== undefined);
  const fromVariable = values.some((v) => referencesSensitive(v, ctx.sensitiveVariables));
  const isDefaultOfSensitiveVariable =
    entry.type === "variable" && ctx.sensitiveVariables.has(address.slice("variable.".length)) && /^default(?:$|[.[{])/.test(path);
  const isValueOfSensitiveOutput =
    entry.type === "output" &&
    [entry.was, entry.now].some((o) => (o as { sensitive?: unknown } | undefined)?.sensitive === true) &&
    /^value(?:$|[.[{])/.test(path);
  const byName = isSecretPath(path) && !isKnownNotSecret(entry.type, path) && !values.every((v) => isHarmlessValue(v, ctx.datadogVariables));
  const byShape = values.some(looksLikeSecretValue);
  if (isDefaultOfSensitiveVariable || isValueOfSensitiveOutput || byName) {
    for (const v of values) if (!isHarmlessValue(v, ctx.datadogVariables) && !v.includes("${")) ctx.literals.add(v);
  }
  return fromVariable || isDefaultOfSensitiveVariable || isValueOfSensitiveOutput || byName || byShape;
}

/** Where a webhook's URL is: query values and long path segments in it may be credentials. */
const isWebhookUrl = (type: string, path: string) => type === "datadog_webhook" && path === "url";

/**
 * A webhook URL with its query values and long path segments masked (see maskWebhookUrl). When
 * only masked parts changed, the whole change is sensitive: it shows as changed, not as `x → x`.
 */
function maskedUrlChange(change: RawChange, ctx: MaskContext): { before?: string | undefined; after?: string | undefined; sensitive: boolean } {
  const mask = (value: string | undefined) => {
    if (value === undefined) return undefined;
    const { masked, hidden } = maskWebhookUrl(value, ctx.datadogVariables);
    for (const literal of hidden) ctx.literals.add(literal);
    return masked;
  };
  const before = mask(change.before);
  const after = mask(change.after);
  const onlyHiddenChanged = before !== undefined && after !== undefined && before === after && change.before !== change.after;
  return { before, after, sensitive: onlyHiddenChanged };
}

function attributeChanges(address: string, entry: { type: string; was?: unknown; now?: unknown }, ctx: MaskContext): AttributeChange[] {
  const out: AttributeChange[] = [];
  for (const { path, changes } of rawChanges(entry.was, entry.now)) {
    for (const change of changes) {
      const sensitive = isSensitiveChange(address, entry, path, change, ctx);
      if (!sensitive && isWebhookUrl(entry.type, change.path)) {
        const url = maskedUrlChange(change, ctx);
        out.push({
          path: change.path,
          ...(url.before !== undefined ? { before: url.sensitive ? MASK : url.before } : {}),
          ...(url.after !== undefined ? { after: url.sensitive ? MASK : url.after } : {}),
          sensitive: url.sensitive,
        });
        continue;
      }
      out.push({
        path: change.path,
        ...(change.before !== undefined ? { before: sensitive ? MASK : change.before } : {}),
        ...(change.after !== undefined ? { after: sensitive ? MASK : change.after } : {}),
        sensitive,
      });
    }
  }
  return out;
}

// --- Monitors, webhooks, code ------------------------------------------------------------------

/** `@slack-netops`, `@webhook-tickets`, `@pagerduty-network`, `@someone@example.com`. */
const MENTION = /(?<![\w.@])@[\w.+-]*[\w](?:@[\w-]+(?:\.[\w-]+)+)?/g;

export function monitorMode(query: string | undefined): string | undefined {
  if (query === undefined) return undefined;
  const group = / by \{([^}]+)\}/.exec(query)?.[1];
  return group === undefined ? "simple" : `multi (${group})`;
}

function field(value: unknown, key: string): string | undefined {
  const v = (value as Record<string, unknown> | undefined)?.[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

function pair<T>(before: T | undefined, after: T | undefined): BeforeAfter<T> | undefined {
  if (JSON.stringify(before) === JSON.stringify(after)) return undefined;
  return { before, after };
}

/** Attributes the monitor summary already shows in its own terms. */
const SUMMARIZED = /^(query|message|monitor_thresholds\.\w+)$/;

function describeMonitor(address: string, kind: Kind, before: unknown, after: unknown, changes: readonly AttributeChange[]): MonitorChange {
  const thresholds = (v: unknown) => {
    const t = (v as { monitor_thresholds?: Record<string, unknown> } | undefined)?.monitor_thresholds;
    return t === undefined ? undefined : Object.entries(t).map(([k, x]) => `${k} ${String(x)}`).join(", ");
  };
  const mentions = (v: unknown) => {
    const message = field(v, "message");
    return message === undefined ? undefined : [...new Set(message.match(MENTION) ?? [])].sort();
  };
  const messageBefore = field(before, "message");
  const messageAfter = field(after, "message");
  const message =
    kind === "removed" || messageBefore === messageAfter
      ? undefined
      : kind === "added" || messageBefore === undefined
        ? (messageAfter ?? "").split("\n").map((text): DiffLine => ({ op: "added", text }))
        : diffLines(messageBefore, messageAfter ?? "");
  const query = pair(field(before, "query"), field(after, "query"));
  const mode = pair(monitorMode(field(before, "query")), monitorMode(field(after, "query")));
  const threshold = pair(thresholds(before), thresholds(after));
  const notifications = pair(mentions(before), mentions(after));
  return {
    address,
    name: field(after, "name") ?? field(before, "name") ?? address,
    kind,
    ...(mode ? { mode } : {}),
    ...(query ? { query } : {}),
    ...(threshold ? { threshold } : {}),
    ...(notifications ? { notifications } : {}),
    ...(message ? { message } : {}),
    // A rename matters; the name of a new monitor is already its heading.
    otherChanges: changes.filter((c) => !SUMMARIZED.test(c.path) && !(kind === "added" && c.path === "name")),
  };
}

/** Lambda code is a content-addressed asset: a new bundle shows as a new hash in two attributes. */
const CODE_ATTRIBUTES = new Set(["filename", "source_code_hash"]);
const ASSET_HASH = /(?:^|\/)assets\/[^/]+\/([0-9A-Fa-f]{16,})\//;

function codeChangeOf(address: string, was: unknown, now: unknown): CodeChange | undefined {
  const hashBefore = field(was, "source_code_hash") ?? ASSET_HASH.exec(field(was, "filename") ?? "")?.[1];
  const hashAfter = field(now, "source_code_hash") ?? ASSET_HASH.exec(field(now, "filename") ?? "")?.[1];
  if (hashBefore === undefined || hashAfter === undefined || hashBefore === hashAfter) return undefined;
  return { address, before: hashBefore, after: hashAfter };
}

// --- Stacks ------------------------------------------------------------------------------------

/** The environments a fleet overview's dashboards offer in their `vpn_environment` template variable. */
function dashboardEnvironments(stack: StackJson | undefined): Set<string> {
  const dashboards = ((stack?.resource ?? {}) as Record<string, Record<string, { dashboard?: unknown }>>).datadog_dashboard_json ?? {};
  const names = new Set<string>();
  for (const { dashboard } of Object.values(dashboards)) {
    const body = typeof dashboard === "string" ? (parseEmbeddedJson(dashboard) as { template_variables?: { name?: unknown; available_values?: unknown }[] } | undefined) : undefined;
    for (const variable of body?.template_variables ?? []) {
      if (variable?.name !== TAG_KEYS.environment || !Array.isArray(variable.available_values)) continue;
      for (const value of variable.available_values) if (typeof value === "string") names.add(value);
    }
  }
  return names;
}

function fleetChangeOf(before: StackJson | undefined, after: StackJson | undefined): FleetChange {
  const was = dashboardEnvironments(before);
  const now = dashboardEnvironments(after);
  return { environmentsAdded: [...now].filter((n) => !was.has(n)).sort(), environmentsRemoved: [...was].filter((n) => !now.has(n)).sort() };
}

const kindOf = (stack: string): StackDiff["kind"] => (isFleetStack(stack) ? "fleet" : isBootstrapStack(stack) ? "bootstrap" : "environment");

function diffStack(name: string, before: StackJson | undefined, after: StackJson | undefined, literals: Set<string>): StackDiff {
  const a = entriesOf(before);
  const b = entriesOf(after);
  const ctx: MaskContext = {
    sensitiveVariables: new Set([...sensitiveVariables(before), ...sensitiveVariables(after)]),
    datadogVariables: new Set([...customVariableNames(before), ...customVariableNames(after)]),
    literals,
  };
  const entries: EntryDiff[] = [];
  const monitors: MonitorChange[] = [];
  const webhooks: WebhookChange[] = [];
  const codeChanges: CodeChange[] = [];

  for (const address of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(address);
    const now = b.get(address);
    const kind: Kind = !was ? "added" : !now ? "removed" : "changed";
    const type = (now ?? was)!.type;
    let changes = attributeChanges(address, { type, was: was?.value, now: now?.value }, ctx);
    if (changes.length === 0) continue;
    if (type === "aws_lambda_function" && kind === "changed") {
      const code = codeChangeOf(address, was!.value, now!.value);
      if (code) {
        codeChanges.push(code);
        changes = changes.filter((c) => !CODE_ATTRIBUTES.has(c.path));
        if (changes.length === 0) continue;
      }
    }
    if (type === "datadog_monitor") monitors.push(describeMonitor(address, kind, was?.value, now?.value, changes));
    if (type === "datadog_webhook" || type === "datadog_webhook_custom_variable") {
      webhooks.push({ address, name: field(now?.value, "name") ?? field(was?.value, "name") ?? address, type, kind, changes });
    }
    const constructPath = (now ?? was)!.constructPath;
    entries.push({ address, type, kind, changes, ...(constructPath ? { constructPath } : {}) });
  }

  const status: StackDiff["status"] = !before ? "added" : !after ? "removed" : entries.length > 0 || codeChanges.length > 0 ? "changed" : "unchanged";
  const kind = kindOf(name);
  return { stack: name, kind, status, monitors, webhooks, codeChanges, entries, ...(kind === "fleet" ? { fleet: fleetChangeOf(before, after) } : {}) };
}

/** Applies `scrub` to every string in a plain JSON-like value. */
function deepScrub<T>(value: T, scrub: (s: string) => string): T {
  if (typeof value === "string") return scrub(value) as T;
  if (Array.isArray(value)) return value.map((v) => deepScrub(v, scrub)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepScrub(v, scrub)])) as T;
  }
  return value;
}

/** Compares every stack of two synthesized trees, resource by resource. */
export function diffTrees(base: SynthTree, head: SynthTree, options: DiffOptions = {}): ReviewDiff {
  const literals = new Set<string>();
  const known = new Set([...base.keys(), ...head.keys()]);
  const synthesized = [...known].map((name) => diffStack(name, base.get(name), head.get(name), literals));
  const skipped = (options.unchangedStacks ?? [])
    .filter((name) => !known.has(name))
    .map((stack): StackDiff => {
      const kind = kindOf(stack);
      return { stack, kind, status: "unchanged", monitors: [], webhooks: [], codeChanges: [], entries: [], ...(kind === "fleet" ? { fleet: { environmentsAdded: [], environmentsRemoved: [] } } : {}) };
    });
  const stacks = [...synthesized, ...skipped].sort((x, y) => (x.stack < y.stack ? -1 : x.stack > y.stack ? 1 : 0));
  // Last line of defence: a secret masked in one place must not show in another.
  const scrubbed = deepScrub(stacks, createScrubber(literals));
  return { stacks: scrubbed, changed: scrubbed.some((s) => s.status !== "unchanged") };
}
