/**
 * Renders a {@link ReviewDiff} as the Markdown a reviewer reads in a pull request, or as JSON.
 * Values arrive already masked (diff.ts); this module only decides how they read.
 */
import type { AttributeChange, BeforeAfter, EntryDiff, MonitorChange, ReviewDiff, StackDiff, WebhookChange } from "./diff";
import { targetOfStack } from "../preflight/targets";
import { backendHazards, renderHazards } from "./hazards";
import { MASK } from "./mask";
import { focusOnDifference, type DiffLine } from "./text-diff";

export { MASK } from "./mask";

/** What the report says about how it was made. */
export interface ReportContext {
  /** What was compared against, e.g. `origin/main (abc1234def56)`. */
  readonly baseLabel: string;
  /** Extra lines under the summary (how the base was chosen, what was not synthesized). */
  readonly notes?: readonly string[];
  /** Targets of the working tree that are no deploy target (`deploy: false`, cli/preflight/targets.ts `exampleTargets`). @default none */
  readonly examples?: ReadonlySet<string>;
}

const EXAMPLE_NOTE = "**An example** (`deploy: false` in its definition): reviewed here, never deployed or drift-checked.";
const EXAMPLE_FLEET_NOTE = "**Shows examples only** (`deploy: false`): reviewed here, never deployed or drift-checked.";

const MAX_VALUE = 300;

/** A value as inline code, on one line, shortened unless `whole`; `—` when absent. */
function code(value: string | undefined, whole = false): string {
  if (value === undefined) return "—";
  if (value === MASK) return MASK;
  const short = value.length > MAX_VALUE && !whole ? `${value.slice(0, MAX_VALUE)}… (${value.length} chars)` : value;
  const oneLine = short.replace(/\r?\n/g, "⏎");
  const ticks = "`".repeat(Math.max(0, ...(oneLine.match(/`+/g) ?? []).map((m) => m.length)) + 1);
  const pad = oneLine.startsWith("`") || oneLine.endsWith("`") ? " " : "";
  return `${ticks}${pad}${oneLine}${pad}${ticks}`;
}

/** `before → after`; when either is too long to show whole, the part that differs. */
function beforeAfter(before: string | undefined, after: string | undefined): string {
  if (before !== undefined && after !== undefined && before !== MASK && after !== MASK && (before.length > MAX_VALUE || after.length > MAX_VALUE)) {
    const focused = focusOnDifference(before, after);
    return `${code(focused.before)} → ${code(focused.after)}`;
  }
  return `${code(before)} → ${code(after)}`;
}

function attributeLine(change: AttributeChange, indent = "  "): string {
  const path = code(change.path);
  if (change.before === undefined) return `${indent}- ${path}: ${code(change.after)}`;
  if (change.after === undefined) return `${indent}- ${path}: ${code(change.before)} (removed)`;
  if (change.sensitive) return `${indent}- ${path}: ${MASK} → ${MASK} (changed)`;
  return `${indent}- ${path}: ${beforeAfter(change.before, change.after)}`;
}

/** A monitor's summary line, values whole: a query is read exactly. */
function labelled(label: string, change: BeforeAfter | undefined): string[] {
  return change ? [`  - ${label}: ${code(change.before, true)} → ${code(change.after, true)}`] : [];
}

/** A fenced block nested under a list item. */
function fenced(language: string, lines: readonly string[], indent = "    "): string[] {
  const fence = "`".repeat(Math.max(3, ...lines.map((l) => (l.match(/`+/g) ?? []).reduce((m, t) => Math.max(m, t.length + 1), 0))));
  return [`${indent}${fence}${language}`, ...lines.map((l) => `${indent}${l}`), `${indent}${fence}`];
}

function messageLines(message: readonly DiffLine[], kind: MonitorChange["kind"]): string[] {
  if (kind === "added") return ["  - message:", ...fenced("text", message.map((l) => l.text))];
  const sign = { same: " ", removed: "-", added: "+" } as const;
  // Changed lines with two lines of context; `…` where unchanged lines are left out.
  const near = (i: number) => message.slice(Math.max(0, i - CONTEXT_LINES), i + CONTEXT_LINES + 1).some((l) => l.op !== "same");
  const shown: string[] = [];
  message.forEach((line, i) => {
    if (near(i)) shown.push(`${sign[line.op]}${line.text}`);
    else if (shown[shown.length - 1] !== " …") shown.push(" …");
  });
  return ["  - message:", ...fenced("diff", shown)];
}

const CONTEXT_LINES = 2;

const VERB = { added: "new", removed: "removed", changed: "changed" } as const;

function monitorSection(monitor: MonitorChange): string[] {
  const lines = [`- **${monitor.name}** (monitor ${VERB[monitor.kind]}) ${code(monitor.address)}`];
  lines.push(...labelled("mode", monitor.mode));
  lines.push(...labelled("query", monitor.query));
  lines.push(...labelled("threshold", monitor.threshold));
  if (monitor.notifications) {
    lines.push(...labelled("notifies", { before: monitor.notifications.before?.join(" "), after: monitor.notifications.after?.join(" ") }));
  }
  if (monitor.message) lines.push(...messageLines(monitor.message, monitor.kind));
  if (monitor.kind !== "removed") lines.push(...monitor.otherChanges.map((c) => attributeLine(c)));
  return lines;
}

function webhookSection(webhook: WebhookChange): string[] {
  const what = webhook.type === "datadog_webhook" ? "webhook" : "webhook variable";
  const lines = [`- **${what} ${webhook.name}** (${VERB[webhook.kind]}) ${code(webhook.address)}`];
  if (webhook.kind !== "removed") lines.push(...webhook.changes.filter((c) => c.path !== "depends_on" && !c.path.startsWith("depends_on[")).map((c) => attributeLine(c)));
  return lines;
}

const SYMBOL = { added: "➕", removed: "➖", changed: "✏️" } as const;
const DESCRIBED_ABOVE = new Set(["datadog_monitor", "datadog_webhook", "datadog_webhook_custom_variable"]);

function entrySection(entry: EntryDiff): string[] {
  const label = entry.constructPath ? ` (${entry.constructPath})` : "";
  const head = `- ${SYMBOL[entry.kind]} ${entry.kind} ${code(entry.address)}${label}`;
  // Removed entries go whole: their old attributes are noise. Monitors and webhooks are above.
  if (entry.kind === "removed") return [head];
  if (DESCRIBED_ABOVE.has(entry.type)) return [`${head}: see Monitoring changes`];
  const attributes = entry.changes.map((c) => attributeLine(c));
  if (attributes.length <= FOLD_AFTER) return [head, ...attributes];
  // A long document (a dashboard's JSON, a big policy) folds, so the rest of the report stays readable.
  return [head, `  <details><summary>${attributes.length} attribute changes</summary>`, "", ...attributes, "", "  </details>", ""];
}

/** Attribute lines of one resource shown open; more fold under <details>. */
export const FOLD_AFTER = 12;

/** Entry types that are configuration, not something Terraform creates. */
const NOT_RESOURCES = new Set(["provider", "backend", "required_providers", "output", "variable", "locals", "module"]);

/** `vpn-monitor-acme` → `acme`, `vpn-monitor-fleet-eu` → `fleet-eu`: the name a reader and the workflows use. */
const environmentOf = targetOfStack;

/** Monitoring changes, the Lambda's code and every resource of one stack: the body of its section. */
function changeLines(stack: StackDiff): string[] {
  const lines: string[] = [];
  if (stack.monitors.length > 0 || stack.webhooks.length > 0) {
    lines.push("### Monitoring changes", "", ...stack.monitors.flatMap(monitorSection), ...stack.webhooks.flatMap(webhookSection), "");
  }
  for (const change of stack.codeChanges) {
    lines.push(`Lambda code changed (bundle hash ${code(change.before)} → ${code(change.after)}) in ${code(change.address)}.`, "");
  }
  const count = (kind: EntryDiff["kind"]) => stack.entries.filter((e) => e.kind === kind).length;
  if (stack.entries.length > 0) {
    lines.push(`### Resources: ${count("added")} added, ${count("changed")} changed, ${count("removed")} removed`, "", ...stack.entries.flatMap(entrySection), "");
  }
  return lines;
}

function stackSection(stack: StackDiff, examples: ReadonlySet<string>): string[] {
  const title = { added: "new environment", removed: "environment removed", changed: "changed", unchanged: "no changes" }[stack.status];
  const lines = [`## ${environmentOf(stack.stack)}: ${title}`, "", `Stack ${code(stack.stack)}.`, ""];
  if (examples.has(environmentOf(stack.stack))) lines.push(EXAMPLE_NOTE, "");
  if (stack.kind === "bootstrap" && stack.status !== "unchanged") {
    lines.push("**The deploy workflow does not apply this stack** (its roles are the deploy credentials): after the merge, apply it by hand with the account's administrator credentials (docs/onboarding.md, \"Bootstrap\").", "");
  }
  if (stack.status === "removed") {
    lines.push(
      `Its definition is gone, so its ${stack.entries.filter((e) => !NOT_RESOURCES.has(e.type)).length} resources (monitors included) are no longer managed. ` +
        `**Merging does not destroy them**: run \`npx cdktf destroy ${stack.stack}\` from a checkout that still has the definition (before merging), or they stay in AWS and Datadog.`,
      "",
    );
  }
  return [...lines, ...changeLines(stack)];
}

const FLEET_TITLE = { added: "new", removed: "removed", changed: "changed", unchanged: "no changes" } as const;

/** A fleet overview: one dashboard over the environments of one Datadog site, deployed as its own stack. */
function fleetSection(stack: StackDiff, examples: ReadonlySet<string>): string[] {
  const target = environmentOf(stack.stack);
  const lines = [
    `## Fleet overview (${stack.stack}): ${FLEET_TITLE[stack.status]}`,
    "",
    `Stack ${code(stack.stack)}: the dashboard over every environment on its Datadog site, deployed like an environment as ${code(target)}.`,
    "",
  ];
  if (examples.has(target)) lines.push(EXAMPLE_FLEET_NOTE, "");
  const added = stack.fleet?.environmentsAdded ?? [];
  const removed = stack.fleet?.environmentsRemoved ?? [];
  if (stack.status !== "removed" && added.length + removed.length > 0) {
    lines.push(`Environments on the dashboard: ${[...added.map((n) => `➕ ${code(n)}`), ...removed.map((n) => `➖ ${code(n)}`)].join(", ")}.`, "");
  }
  if (stack.status === "removed") {
    lines.push(
      `No environment synthesizes it any more (its site has no environment left, or the environments now use one site or several). ` +
        `**Merging does not destroy its dashboard**: run \`npx cdktf destroy ${stack.stack}\` from a checkout that still synthesizes it (before merging), or the dashboard stays in Datadog.`,
      "",
    );
  }
  return [...lines, ...changeLines(stack)];
}

const ORDER = { removed: 0, added: 1, changed: 2, unchanged: 3 } as const;
const SUMMARY_WORD = { added: "new", removed: "removed", changed: "changed", unchanged: "unchanged" } as const;

/**
 * The whole Markdown report: summary, then removed, new and changed environments, then the fleet
 * overviews that changed, then the unchanged ones. The summary counts environments; fleet
 * overviews are named apart, as they are not environments.
 */
export function renderReport(diff: ReviewDiff, context: ReportContext): string {
  const sorted = [...diff.stacks].sort((a, b) => ORDER[a.status] - ORDER[b.status] || (a.stack < b.stack ? -1 : 1));
  const environments = sorted.filter((s) => s.kind !== "fleet");
  const fleets = sorted.filter((s) => s.kind === "fleet");
  const count = (status: StackDiff["status"]) => environments.filter((s) => s.status === status).length;
  let summary = `${environments.length} environments: ${count("changed")} changed, ${count("added")} added, ${count("removed")} removed, ${count("unchanged")} unchanged.`;
  if (fleets.length > 0) {
    const byName = [...fleets].sort((a, b) => (a.stack < b.stack ? -1 : 1));
    summary += ` Fleet overview${fleets.length === 1 ? "" : "s"}: ${byName.map((s) => `${s.stack} ${SUMMARY_WORD[s.status]}`).join(", ")}.`;
  }
  // A moved state first, above the summary: it is the one change that must stop an approval.
  const lines = [`# Monitoring review against ${context.baseLabel}`, "", ...renderHazards(backendHazards(diff)), summary, ""];
  if (context.notes?.length) lines.push(...context.notes.map((n) => `> ${n}`), "");
  const examples = context.examples ?? new Set<string>();
  lines.push(...environments.filter((s) => s.status !== "unchanged").flatMap((s) => stackSection(s, examples)));
  lines.push(...fleets.filter((s) => s.status !== "unchanged").flatMap((s) => fleetSection(s, examples)));
  const unchanged = environments.filter((s) => s.status === "unchanged");
  if (unchanged.length > 0) {
    lines.push("## Unchanged environments", "", ...unchanged.map((s) => `- ${environmentOf(s.stack)}: no changes`), "");
  }
  const unchangedFleets = fleets.filter((s) => s.status === "unchanged");
  if (unchangedFleets.length > 0) {
    lines.push("## Unchanged fleet overviews", "", ...unchangedFleets.map((s) => `- ${s.stack}: no changes`), "");
  }
  return lines.join("\n").trimEnd() + "\n";
}

/**
 * The deploy targets to plan and apply: changed and new environments, then changed and new fleet
 * overviews (`fleet`, `fleet-<site>`), of those `isTarget` (the working tree's deploy targets,
 * cli/preflight/targets.ts) accepts: an example's changes are reviewed, never deployed.
 */
export function changedTargets(diff: ReviewDiff, isTarget: (target: string) => boolean = () => true): string[] {
  return changedStacks(diff).filter(isTarget);
}

/** Why a changed example is not among the deploy targets, one line each, for the deploy log. */
export function exampleSkipNotes(diff: ReviewDiff, isTarget: (target: string) => boolean): string[] {
  return changedStacks(diff)
    .filter((target) => !isTarget(target))
    .map((target) => `${target}: not a deploy target (an example, deploy: false in its definition): reviewed, never deployed`);
}

function changedStacks(diff: ReviewDiff): string[] {
  // Removed stacks are not listed: there is nothing left to deploy or plan.
  // The bootstrap stacks hold the deploy credentials themselves: applied by hand (bootstrapSkipNotes).
  const deployable = diff.stacks.filter((s) => (s.status === "changed" || s.status === "added") && s.kind !== "bootstrap");
  return [...deployable.filter((s) => s.kind !== "fleet"), ...deployable.filter((s) => s.kind === "fleet")].map((s) => environmentOf(s.stack));
}

/** Why a changed bootstrap stack is not among the deploy targets, one line each, for the deploy log. */
export function bootstrapSkipNotes(diff: ReviewDiff): string[] {
  return diff.stacks
    .filter((s) => s.kind === "bootstrap" && s.status !== "unchanged")
    .map((s) => `${s.stack} ${s.status}: not deployed by the workflow (its roles are the deploy credentials); apply it by hand with the account's administrator credentials: from main, npx cdktf synth, then terraform init and terraform apply in cdktf.out/stacks/${s.stack} (docs/onboarding.md, "Bootstrap")`);
}

/** The same diff as JSON, for tools: already masked. */
export function renderJson(diff: ReviewDiff, context: ReportContext): string {
  return `${JSON.stringify({ base: context.baseLabel, notes: context.notes ?? [], hazards: backendHazards(diff), ...diff }, null, 2)}\n`;
}
