/**
 * The review's pure core: two synthesized trees (stack name → parsed cdk.tf.json) in, a structured
 * diff out. No git, no files, no process: tested on plain objects.
 */

/** A synthesized stack as cdktf writes it. */
export type StackJson = Record<string, unknown>;
/** Stack name → synthesized stack. */
export type SynthTree = ReadonlyMap<string, StackJson>;

/** One flattened attribute change. `undefined` means absent on that side. */
export interface AttributeChange {
  readonly path: string;
  readonly before?: string;
  readonly after?: string;
  /** The value is, or comes from, something secret: render as `(sensitive)`. */
  readonly sensitive: boolean;
}

/** One addressable thing in a stack: a resource, variable, output, provider or the backend. */
export interface EntryDiff {
  /** `aws_lambda_function.checker_function_F964E587`, `variable.x`, `provider.aws`, `terraform.backend`. */
  readonly address: string;
  readonly type: string;
  readonly kind: "added" | "removed" | "changed";
  readonly changes: readonly AttributeChange[];
  /** The construct path cdktf recorded (`checker/function`), for a readable name. */
  readonly constructPath?: string;
}

/** What changed about one monitor, in the terms a reviewer cares about. */
export interface MonitorChange {
  readonly address: string;
  readonly name: string;
  readonly kind: "added" | "removed" | "changed";
  readonly query?: { readonly before?: string; readonly after?: string };
  readonly mode?: { readonly before?: string; readonly after?: string };
  readonly threshold?: { readonly before?: string; readonly after?: string };
  readonly notifications?: { readonly before?: string[]; readonly after?: string[] };
  /** Other attributes of the monitor that changed (message wording, no-data, priority…). */
  readonly otherChanges: readonly AttributeChange[];
}

export interface StackDiff {
  readonly stack: string;
  readonly status: "added" | "removed" | "changed" | "unchanged";
  readonly monitors: readonly MonitorChange[];
  /** Lambda code (bundle hash) before → after, when only the code changed. */
  readonly codeChange?: { readonly before: string; readonly after: string };
  readonly entries: readonly EntryDiff[];
}

export interface ReviewDiff {
  readonly stacks: readonly StackDiff[];
  readonly changed: boolean;
}

/** Attribute names whose values are treated as secret: masking too much is safer than too little. */
const SECRET_NAME = /(^|[^a-z])(key|secret|password|passwd|pwd|token|credential|credentials|authorization|auth|cookie|api_?key|app_?key|private)($|[^a-z])/i;
/** Identifiers of secrets, not secrets: ARNs and names of where they live. */
const SECRET_REFERENCE_NAME = /(arn|_name|name)$/i;

/** Whether an attribute path names a secret, judged on its last segment(s). */
export function isSecretPath(path: string): boolean {
  const segments = path.split(/[.[\]{}]+/).filter((s) => s !== "" && !/^\d+$/.test(s));
  const last = segments[segments.length - 1] ?? "";
  if (SECRET_REFERENCE_NAME.test(last) || /^is_secret$/i.test(last)) return false;
  return segments.slice(-2).some((s) => SECRET_NAME.test(s.replace(/([a-z])([A-Z])/g, "$1_$2")));
}

/** Sensitive variables of a stack, which make every value referencing them sensitive. */
export function sensitiveVariables(stack: StackJson | undefined): Set<string> {
  const variables = (stack?.variable ?? {}) as Record<string, { sensitive?: boolean }>;
  return new Set(Object.entries(variables).filter(([, v]) => v.sensitive === true).map(([name]) => name));
}

function referencesSensitive(value: string, sensitive: ReadonlySet<string>): boolean {
  for (const match of value.matchAll(/\bvar\.([A-Za-z0-9_-]+)/g)) if (sensitive.has(match[1]!)) return true;
  return false;
}

/** Parses attributes that hold JSON documents (IAM policies, payloads, headers), so the diff sees inside. */
function parseEmbeddedJson(value: string): unknown {
  const trimmed = value.trim();
  if (!(trimmed.startsWith("{") || trimmed.startsWith("["))) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

/** A flattened leaf: a scalar as text, or a list of scalars (compared as a list of values, not by position). */
export type FlatValue = string | readonly string[];

const scalarText = (value: unknown): string => (typeof value === "string" ? value : JSON.stringify(value));
const isScalar = (value: unknown): boolean => value === null || ["string", "number", "boolean"].includes(typeof value);

/**
 * Flattens a value into `path → leaf`, descending into embedded JSON (marked `{json}`). Lists of
 * scalars (subnets, IAM actions and resources, tags) stay whole, so that an element added in the
 * middle reads as one addition rather than as a change of every later index.
 */
export function flatten(value: unknown, prefix = "", out = new Map<string, FlatValue>()): Map<string, FlatValue> {
  if (value === null || value === undefined) {
    if (prefix) out.set(prefix, String(value));
  } else if (Array.isArray(value)) {
    if (value.length === 0 && prefix) out.set(prefix, "[]");
    else if (value.every(isScalar) && !value.some((v) => typeof v === "string" && parseEmbeddedJson(v) !== undefined)) out.set(prefix, value.map(scalarText));
    else value.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  } else if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== "//");
    if (entries.length === 0 && prefix) out.set(prefix, "{}");
    for (const [key, child] of entries) flatten(child, prefix ? `${prefix}.${key}` : key, out);
  } else if (typeof value === "string") {
    const embedded = parseEmbeddedJson(value);
    if (embedded !== undefined && typeof embedded === "object" && embedded !== null) flatten(embedded, `${prefix}{json}`, out);
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

/** A list's change as element additions (`path[+]`) and removals (`path[-]`), or its order. */
function listChanges(path: string, was: FlatValue | undefined, now: FlatValue | undefined): { path: string; before?: string; after?: string }[] {
  const before = was === undefined ? [] : typeof was === "string" ? (was === "[]" ? [] : [was]) : was;
  const after = now === undefined ? [] : typeof now === "string" ? (now === "[]" ? [] : [now]) : now;
  const removed = minus(before, after).map((v) => ({ path: `${path}[-]`, before: v }));
  const added = minus(after, before).map((v) => ({ path: `${path}[+]`, after: v }));
  if (removed.length === 0 && added.length === 0) return [{ path: `${path} (order)`, before: before.join(", "), after: after.join(", ") }];
  return [...removed, ...added];
}

/** Every addressable entry of a stack, without cdktf's metadata. */
function entriesOf(stack: StackJson | undefined): Map<string, { type: string; value: unknown; constructPath?: string }> {
  const entries = new Map<string, { type: string; value: unknown; constructPath?: string }>();
  if (!stack) return entries;
  const resources = (stack.resource ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, body] of Object.entries(byName)) {
      const metadata = (body["//"] as { metadata?: { path?: string } } | undefined)?.metadata;
      const constructPath = metadata?.path?.split("/").slice(1).join("/");
      entries.set(`${type}.${name}`, { type, value: body, ...(constructPath ? { constructPath } : {}) });
    }
  }
  for (const section of ["variable", "output", "data"] as const) {
    for (const [name, body] of Object.entries((stack[section] ?? {}) as Record<string, unknown>)) entries.set(`${section}.${name}`, { type: section, value: body });
  }
  for (const [name, body] of Object.entries((stack.provider ?? {}) as Record<string, unknown>)) entries.set(`provider.${name}`, { type: "provider", value: body });
  const terraform = (stack.terraform ?? {}) as Record<string, unknown>;
  if (terraform.backend) entries.set("terraform.backend", { type: "backend", value: terraform.backend });
  if (terraform.required_providers) entries.set("terraform.required_providers", { type: "required_providers", value: terraform.required_providers });
  return entries;
}

function attributeChanges(before: unknown, after: unknown, sensitiveBefore: ReadonlySet<string>, sensitiveAfter: ReadonlySet<string>): AttributeChange[] {
  const a = flatten(before);
  const b = flatten(after);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const changes: AttributeChange[] = [];
  for (const path of paths) {
    const was = a.get(path);
    const now = b.get(path);
    if (JSON.stringify(was) === JSON.stringify(now)) continue;
    const raw =
      typeof was === "string" || typeof now === "string" || was === undefined || now === undefined
        ? Array.isArray(was) || Array.isArray(now)
          ? listChanges(path, was, now)
          : [{ path, ...(was !== undefined ? { before: was as string } : {}), ...(now !== undefined ? { after: now as string } : {}) }]
        : listChanges(path, was, now);
    for (const change of raw) {
      const sensitive =
        isSecretPath(path) ||
        (change.before !== undefined && referencesSensitive(change.before, sensitiveBefore)) ||
        (change.after !== undefined && referencesSensitive(change.after, sensitiveAfter));
      changes.push({ ...change, sensitive });
    }
  }
  return changes;
}

const MENTION = /@[\w.-]+(?:-[\w.-]+)*/g;

function monitorMode(query: string | undefined): string | undefined {
  if (query === undefined) return undefined;
  return / by \{[^}]+\}/.test(query) ? `multi (${/ by \{([^}]+)\}/.exec(query)![1]})` : "simple";
}

function field(value: unknown, key: string): string | undefined {
  const v = (value as Record<string, unknown> | undefined)?.[key];
  if (v === undefined) return undefined;
  return typeof v === "string" ? v : JSON.stringify(v);
}

function pair<T>(before: T | undefined, after: T | undefined, same: (a: T | undefined, b: T | undefined) => boolean) {
  return same(before, after) ? undefined : { ...(before !== undefined ? { before } : {}), ...(after !== undefined ? { after } : {}) };
}

function describeMonitor(address: string, kind: EntryDiff["kind"], before: unknown, after: unknown, changes: readonly AttributeChange[]): MonitorChange {
  const queryBefore = field(before, "query");
  const queryAfter = field(after, "query");
  const thresholds = (v: unknown) => {
    const t = (v as { monitor_thresholds?: Record<string, unknown> } | undefined)?.monitor_thresholds;
    return t === undefined ? undefined : Object.entries(t).map(([k, x]) => `${k} ${String(x)}`).join(", ");
  };
  const mentions = (v: unknown) => {
    const message = field(v, "message");
    return message === undefined ? undefined : [...new Set(message.match(MENTION) ?? [])].sort();
  };
  const eq = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const described = new Set(["query", "monitor_thresholds.critical", "monitor_thresholds.warning"]);
  const query = pair(queryBefore, queryAfter, eq);
  const mode = pair(monitorMode(queryBefore), monitorMode(queryAfter), eq);
  const threshold = pair(thresholds(before), thresholds(after), eq);
  const notifications = pair(mentions(before), mentions(after), eq);
  return {
    address,
    name: field(after, "name") ?? field(before, "name") ?? address,
    kind,
    ...(query ? { query } : {}),
    ...(mode ? { mode } : {}),
    ...(threshold ? { threshold } : {}),
    ...(notifications ? { notifications } : {}),
    otherChanges: changes.filter((c) => !described.has(c.path)),
  };
}

/** Lambda code is a content-addressed asset: a new bundle shows as a new hash in two attributes. */
const CODE_ATTRIBUTES = new Set(["filename", "source_code_hash"]);

function diffStack(name: string, before: StackJson | undefined, after: StackJson | undefined): StackDiff {
  const a = entriesOf(before);
  const b = entriesOf(after);
  const sensitiveBefore = sensitiveVariables(before);
  const sensitiveAfter = sensitiveVariables(after);
  const entries: EntryDiff[] = [];
  const monitors: MonitorChange[] = [];
  let codeChange: StackDiff["codeChange"];

  for (const address of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const was = a.get(address);
    const now = b.get(address);
    const kind: EntryDiff["kind"] = !was ? "added" : !now ? "removed" : "changed";
    let changes = attributeChanges(was?.value, now?.value, sensitiveBefore, sensitiveAfter);
    if (changes.length === 0) continue;
    const type = (now ?? was)!.type;
    const variableName = address.slice("variable.".length);
    if (type === "variable" && (sensitiveBefore.has(variableName) || sensitiveAfter.has(variableName))) {
      // A sensitive variable's default is its secret value.
      changes = changes.map((c) => (c.path === "sensitive" || c.path === "type" || c.path === "description" || c.path === "nullable" ? c : { ...c, sensitive: true }));
    }
    if (type === "aws_lambda_function" && kind === "changed") {
      const hash = changes.find((c) => c.path === "source_code_hash");
      if (hash?.before && hash.after) codeChange = { before: hash.before, after: hash.after };
      changes = changes.filter((c) => !CODE_ATTRIBUTES.has(c.path));
      if (changes.length === 0) continue;
    }
    if (type === "datadog_monitor") monitors.push(describeMonitor(address, kind, was?.value, now?.value, changes));
    const constructPath = (now ?? was)!.constructPath;
    entries.push({ address, type, kind, changes, ...(constructPath ? { constructPath } : {}) });
  }

  const status: StackDiff["status"] = !before ? "added" : !after ? "removed" : entries.length > 0 || codeChange ? "changed" : "unchanged";
  return { stack: name, status, monitors, ...(codeChange ? { codeChange } : {}), entries };
}

/** Compares every stack of two synthesized trees, resource by resource. */
export function diffTrees(base: SynthTree, head: SynthTree): ReviewDiff {
  const names = [...new Set([...base.keys(), ...head.keys()])].sort();
  const stacks = names.map((name) => diffStack(name, base.get(name), head.get(name)));
  return { stacks, changed: stacks.some((s) => s.status !== "unchanged") };
}
