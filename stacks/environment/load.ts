/**
 * Reads and validates environment definitions. Every problem names the file and the field, and
 * all problems of all files are reported together, so that one run shows everything to fix.
 */
import { fleetStateProblems } from "../fleet-groups";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { didYouMean } from "../../contract/definition/did-you-mean";
import { environmentSchema, type EnvironmentDefinition } from "../../contract/definition/schema";
import { maintenanceStartIssues } from "../../contract/definition/maintenance-limits";
import { datadogOrganizationKey, defaultWebhookName } from "../../contract/names";
import { isCredentialName } from "../../contract/credential-names";

/** File extensions read from the environments folder. YAML is a superset of JSON, so both parse alike. */
export const ENVIRONMENT_FILE_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

/** A validated definition and the file it came from. */
export interface LoadedEnvironment {
  readonly file: string;
  readonly definition: EnvironmentDefinition;
}

/** Thrown when one or more definitions are invalid; `problems` holds one line per problem. */
export class EnvironmentValidationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid environment definition:\n  ${problems.join("\n  ")}`);
    this.name = "EnvironmentValidationError";
  }
}

/** Renders a zod path the way the file is written: `controllers[1].securityGroupId`. */
export function formatFieldPath(fieldPath: readonly PropertyKey[]): string {
  return fieldPath
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

function valueAt(input: unknown, fieldPath: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of fieldPath) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Fields whose values may be credentials: never echoed in a message. Headers may carry one under any name. */
const mayHoldCredential = (key: string): boolean => isCredentialName(key) || key === "customHeaders";

/** Quotes the offending value when it is a short scalar, so the message shows what was wrong. */
function describeValue(value: unknown, fieldPath: readonly PropertyKey[]): string {
  if (fieldPath.some((key) => typeof key === "string" && mayHoldCredential(key))) return "";
  if (typeof value === "string" && value.length <= 120) return ` ${JSON.stringify(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return ` ${String(value)}`;
  return "";
}

/** Wrappers that change a schema's defaults or output but not the fields it accepts. */
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/** The schema under its wrappers: for a pipe (a transform or preprocess) the side that holds the fields. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType; out?: z.core.$ZodType };
    if (WRAPPERS.has(def.type) && def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in && def.out) current = (unwrap(def.in)._zod.def.type === "object" ? def.in : def.out) as z.core.$ZodType;
    else return current;
  }
}

/** The object schemas a (possibly wrapped, possibly union) schema may be: one, or one per union option. */
function objectsOf(schema: z.core.$ZodType): Record<string, z.core.$ZodType>[] {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; options?: z.core.$ZodType[] };
  if (def.type === "object" && def.shape) return [def.shape];
  if (def.type === "union" && def.options) return def.options.flatMap(objectsOf);
  return [];
}

/** The fields the schema accepts at a path of the input, for "did you mean". */
export function knownFieldsAt(fieldPath: readonly PropertyKey[]): string[] {
  let schemas: z.core.$ZodType[] = [environmentSchema];
  for (const key of fieldPath) {
    schemas = schemas.flatMap((schema) => {
      const inner = unwrap(schema);
      const def = inner._zod.def as { type: string; element?: z.core.$ZodType; valueType?: z.core.$ZodType };
      if (typeof key === "number") return def.type === "array" && def.element ? [def.element] : [];
      if (def.type === "record" && def.valueType) return [def.valueType];
      return objectsOf(inner).flatMap((shape) => (typeof key === "string" && shape[key] ? [shape[key]] : []));
    });
  }
  return [...new Set(schemas.flatMap((schema) => objectsOf(schema).flatMap((shape) => Object.keys(shape))))];
}

/** The words of a camelCase or snake_case name, lower case: `renotifyIntervalMinutes` → renotify, interval, minutes. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/**
 * A field that holds every word of `key` in order, when exactly one does: `renotifyMinutes` →
 * `renotifyIntervalMinutes`. For names too far apart for a typo, but plainly meant.
 */
function fieldWithWordsOf(key: string, fields: readonly string[]): string | undefined {
  const wanted = wordsOf(key);
  if (wanted.length < 2) return undefined;
  const holds = (field: string) => {
    const words = wordsOf(field);
    let at = 0;
    for (const word of words) if (word === wanted[at]) at += 1;
    return at === wanted.length && words.length > wanted.length;
  };
  const matches = fields.filter(holds);
  return matches.length === 1 ? matches[0] : undefined;
}

/** `did you mean "windowMinutes"?` for a near miss, else the list of fields expected there. */
function unknownFieldHint(key: string, fieldPath: readonly PropertyKey[], input: unknown): string {
  const present = valueAt(input, fieldPath);
  const known = knownFieldsAt(fieldPath);
  const free = known.filter((field) => present === null || typeof present !== "object" || !(field in present));
  const suggestion = didYouMean(key, free) ?? fieldWithWordsOf(key, free);
  if (suggestion !== undefined) return `did you mean "${suggestion}"?`;
  return known.length > 0 ? `expected one of ${known.join(", ")}` : "";
}

/** A custom issue may ask that the value stay out of the message (a URL with a token in it). */
function concealsValue(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && (issue.params as { concealValue?: boolean } | undefined)?.concealValue === true;
}

function formatIssue(label: string, input: unknown, issue: z.core.$ZodIssue): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const hint = unknownFieldHint(key, issue.path, input);
      return `${label}: ${formatFieldPath([...issue.path, key])} is not a known field${hint ? ` (${hint})` : ""}`;
    });
  }
  const field = formatFieldPath(issue.path) || "(file)";
  const value = valueAt(input, issue.path);
  const missing = value === undefined && issue.code === "invalid_type";
  const message = missing && !issue.message.startsWith("is required") ? "is required" : issue.message;
  const shown = concealsValue(issue) ? "" : describeValue(value, issue.path);
  return [`${label}: ${field}${shown} ${message}`];
}

/**
 * Validates one parsed definition. `label` names the file in messages (e.g. `environments/acme-prod.yaml`).
 * Returns the definition or the list of problems; never throws for bad input.
 */
export function validateEnvironment(
  label: string,
  input: unknown,
  options: ValidationClock = {},
): { ok: true; definition: EnvironmentDefinition } | { ok: false; problems: string[] } {
  const result = environmentSchema.safeParse(input);
  if (!result.success) return { ok: false, problems: result.error.issues.flatMap((issue) => formatIssue(label, input, issue)) };
  const repeated = repeatedControllerAddresses(label, result.data);
  if (repeated.length > 0) return { ok: false, problems: repeated };
  if (options.now === undefined) return { ok: true, definition: result.data };
  const late = maintenanceStartIssues(result.data.maintenance, options.now, options.deployedWindows?.(result.data.name));
  if (late.length === 0) return { ok: true, definition: result.data };
  return { ok: false, problems: late.map((issue) => `${label}: ${formatFieldPath(issue.path)}${describeValue(valueAt(input, issue.path), issue.path)} ${issue.message}`) };
}

/**
 * What validation needs to judge a maintenance window's start: the time to judge it at, and the
 * windows an environment already has in Datadog (whose start no longer matters). Without `now`
 * no start is judged. @default {}
 */
export interface ValidationClock {
  readonly now?: Date;
  readonly deployedWindows?: (environment: string) => ReadonlySet<string>;
}

/**
 * Two controllers at one host and port are one controller checked twice: its tunnels would be
 * reported under two names, and alert twice. Host names compare without case (DNS does).
 */
function repeatedControllerAddresses(label: string, definition: EnvironmentDefinition): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  definition.controllers.forEach((controller, i) => {
    const address = `${controller.host.toLowerCase()}:${controller.port}`;
    const first = seen.get(address);
    if (first === undefined) seen.set(address, i);
    else problems.push(`${label}: controllers[${i}].host "${controller.host}" with port ${controller.port} repeats controllers[${first}] (${definition.controllers[first]!.name}): one controller must be listed once`);
  });
  return problems;
}

/** Where (line:column) the first `*name` alias of `text` is, for a message about it. */
function aliasPlace(text: string, name: string): string | undefined {
  const at = text.search(new RegExp(`\\*${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`));
  if (at < 0) return undefined;
  const { line, col } = placeAt(text, at);
  return `${line}:${col}`;
}

/** 1-based line of a character offset. */
const lineAt = (text: string, offset: number): number => text.slice(0, offset).split("\n").length;
/** 1-based line and column of a character offset, as yaml's own messages give them. */
const placeAt = (text: string, offset: number): { line: number; col: number } => ({ line: lineAt(text, offset), col: offset - text.lastIndexOf("\n", offset - 1) });

/**
 * yaml notices some mistakes only where the document can no longer go on, lines after the one
 * that holds it. For those, the line a person must edit: where an unclosed quote or bracket opens,
 * and the line indented too far under a `key: value`.
 */
function yamlMistake(text: string, error: { code: string; message: string; pos: [number, number] }): { line: number; col: number; message: string } | undefined {
  const [start, end] = error.pos;
  if (error.code === "MISSING_CHAR" && /closing "quote|closing 'quote/.test(error.message)) {
    const quote = error.message.includes("'quote") ? "'" : '"';
    const opened = text.lastIndexOf(quote, start - 1);
    if (opened >= 0) return { ...placeAt(text, opened), message: `this line opens a ${quote}quoted value that is never closed (add the closing ${quote})` };
  }
  if (error.code === "BAD_INDENT" && /^Flow (sequence|map)/.test(error.message)) {
    const [open, close] = error.message.startsWith("Flow sequence") ? ["[", "]"] : ["{", "}"];
    let depth = 0;
    for (let i = start - 1; i >= 0; i -= 1) {
      if (text[i] === close) depth += 1;
      else if (text[i] === open && depth-- === 0) return { ...placeAt(text, i), message: `this line opens ${open} that is never closed with ${close} on the same or a following, more indented line` };
    }
  }
  if ((error.code === "MULTILINE_IMPLICIT_KEY" || error.code === "BLOCK_AS_IMPLICIT_KEY") && lineAt(text, end) > lineAt(text, start)) {
    const lineStart = text.lastIndexOf("\n", end - 1) + 1;
    const indent = /^ */.exec(text.slice(lineStart))![0].length;
    return { ...placeAt(text, lineStart + indent), message: "this line is indented further than the key above it, which already has a value: align it with that key, or move the value to its own indented lines" };
  }
  return undefined;
}

/** Parses a definition file's text (YAML or JSON) into plain data, or reports where it is malformed. */
export function parseEnvironmentText(label: string, text: string): { ok: true; data: unknown } | { ok: false; problems: string[] } {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const located = doc.errors.map((e) => ({ error: e, mistake: yamlMistake(text, e) }));
    // An over-indented line raises two errors from one place: keep the one that names its line.
    const explained = new Set(located.filter((l) => l.mistake).map((l) => l.error.pos[0]));
    const problems = located.filter((l) => l.mistake || !explained.has(l.error.pos[0])).map(({ error: e, mistake }) => {
      if (mistake) return `${label}:${mistake.line}:${mistake.col}: ${mistake.message}`;
      const line = e.linePos?.[0];
      // Pretty messages end their first line with " at line N, column M:" before a code frame.
      const message = (e.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
      return `${label}${line ? `:${line.line}:${line.col}` : ""}: ${message}`;
    });
    // One mistake often raises two errors at one place: say it once.
    return { ok: false, problems: [...new Set(problems)] };
  }
  try {
    return { ok: true, data: doc.toJS() };
  } catch (error) {
    // yaml throws for an alias whose anchor comes later or not at all, and for aliases that
    // expand too far (a resource-exhaustion guard): a message, not a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    const unresolved = /^Unresolved alias \(the anchor must be set before the alias\): (.+)$/.exec(message);
    if (unresolved) {
      const place = aliasPlace(text, unresolved[1]!);
      return { ok: false, problems: [`${label}${place ? `:${place}` : ""}: the alias *${unresolved[1]} names no anchor &${unresolved[1]} above it (an anchor must come before its aliases)`] };
    }
    return { ok: false, problems: [`${label}: ${message.split("\n")[0]} (expected plain YAML: anchors and aliases are best avoided in a definition)`] };
  }
}

/** Lists definition files in a folder, sorted so that synth order and reports are stable. */
export function listEnvironmentFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => (ENVIRONMENT_FILE_EXTENSIONS as readonly string[]).includes(path.extname(f)))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Checks what no single file can: names match file names and are unique, and the Datadog
 * names that are global to an organization (webhooks, custom variables) are not claimed twice in
 * one organization (`datadogOrganizationKey`: the site and `datadog.organization`).
 */
export function crossCheckEnvironments(loaded: readonly LoadedEnvironment[], labelOf: (file: string) => string): string[] {
  const problems: string[] = [];
  const organizationOf = new Map(loaded.map(({ file, definition }) => [file, datadogOrganizationKey(definition.datadog)]));
  const claim = (kind: string, field: string, perOrganization = false) => {
    const owners = new Map<string, string>();
    return (value: string, file: string) => {
      const key = perOrganization ? `${organizationOf.get(file)}\u0000${value}` : value;
      const owner = owners.get(key);
      const where = perOrganization ? ` in Datadog organization ${organizationOf.get(file)}` : "";
      if (owner) problems.push(`${labelOf(file)}: ${field} "${value}" is already used by ${labelOf(owner)}${where} (${kind} must be unique${perOrganization ? " within an organization" : ""})`);
      else owners.set(key, file);
    };
  };
  const claimName = claim("environment names", "name");
  const claimWebhook = claim("Datadog webhook names", "ticketing.webhookName", true);
  const claimVariable = claim("Datadog webhook variables", "ticketing.secretVariables", true);
  for (const { file, definition } of loaded) {
    const stem = path.basename(file, path.extname(file));
    if (stem !== definition.name) {
      problems.push(`${labelOf(file)}: name "${definition.name}" must match the file name "${stem}"`);
    }
    claimName(definition.name, file);
    claimWebhook(definition.ticketing.webhookName ?? defaultWebhookName(definition.name), file);
    for (const variable of definition.ticketing.secretVariables) claimVariable(variable, file);
  }
  problems.push(...fleetStateProblems(loaded, labelOf));
  return problems;
}

/**
 * Loads and validates every definition in `dir`. Throws one EnvironmentValidationError listing
 * every problem in every file; returns nothing partial.
 */
export function loadEnvironments(dir: string, opts: { labelRoot?: string } & ValidationClock = {}): LoadedEnvironment[] {
  const labelRoot = opts.labelRoot ?? process.cwd();
  const labelOf = (file: string) => path.relative(labelRoot, file) || file;
  const files = listEnvironmentFiles(dir);
  if (files.length === 0) {
    throw new EnvironmentValidationError([`${labelOf(dir)}: no environment definitions (*.yaml, *.yml, *.json)`]);
  }
  const problems: string[] = [];
  const loaded: LoadedEnvironment[] = [];
  for (const file of files) {
    const label = labelOf(file);
    const parsed = parseEnvironmentText(label, readFileSync(file, "utf8"));
    if (!parsed.ok) {
      problems.push(...parsed.problems);
      continue;
    }
    const validated = validateEnvironment(label, parsed.data, opts);
    if (validated.ok) loaded.push({ file, definition: validated.definition });
    else problems.push(...validated.problems);
  }
  problems.push(...crossCheckEnvironments(loaded, labelOf));
  if (problems.length > 0) throw new EnvironmentValidationError(problems);
  return loaded;
}
