/** Renders a {@link ReviewDiff} as the Markdown a reviewer reads in a pull request. */
import type { AttributeChange, EntryDiff, MonitorChange, ReviewDiff, StackDiff } from "./diff";

export const MASK = "(sensitive)";
const MAX_VALUE = 300;

/** Backticked value, shortened, masked when sensitive; `—` when absent. */
function show(value: string | undefined, sensitive: boolean): string {
  if (value === undefined) return "—";
  if (sensitive) return MASK;
  const short = value.length > MAX_VALUE ? `${value.slice(0, MAX_VALUE)}… (${value.length} chars)` : value;
  const oneLine = short.replace(/\n/g, "⏎");
  const fence = oneLine.includes("`") ? "``" : "`";
  return `${fence}${oneLine}${fence}`;
}

function attributeLine(change: AttributeChange): string {
  if (change.before === undefined) return `  - \`${change.path}\`: ${show(change.after, change.sensitive)}`;
  if (change.after === undefined) return `  - \`${change.path}\`: ~~${show(change.before, change.sensitive)}~~ (removed)`;
  if (change.sensitive) return `  - \`${change.path}\`: ${MASK} → ${MASK} (changed)`;
  return `  - \`${change.path}\`: ${show(change.before, false)} → ${show(change.after, false)}`;
}

function beforeAfter(label: string, change: { before?: string; after?: string } | undefined): string[] {
  if (!change) return [];
  return [`  - ${label}: ${show(change.before, false)} → ${show(change.after, false)}`];
}

function monitorSection(monitor: MonitorChange): string[] {
  const verb = { added: "new monitor", removed: "monitor removed", changed: "monitor changed" }[monitor.kind];
  const lines = [`- **${monitor.name}** (${verb})`];
  lines.push(...beforeAfter("mode", monitor.mode));
  lines.push(...beforeAfter("query", monitor.query));
  lines.push(...beforeAfter("threshold", monitor.threshold));
  if (monitor.notifications) {
    lines.push(`  - notifies: ${show(monitor.notifications.before?.join(" "), false)} → ${show(monitor.notifications.after?.join(" "), false)}`);
  }
  const other = monitor.otherChanges.filter((c) => c.path !== "message" || monitor.kind === "changed");
  if (monitor.kind === "changed" && other.length > 0) lines.push(`  - also: ${other.map((c) => `\`${c.path}\``).join(", ")}`);
  return lines;
}

const SYMBOL = { added: "➕", removed: "➖", changed: "✏️" } as const;

function entrySection(entry: EntryDiff): string[] {
  const label = entry.constructPath ? ` (${entry.constructPath})` : "";
  const head = `- ${SYMBOL[entry.kind]} ${entry.kind} \`${entry.address}\`${label}`;
  return [head, ...entry.changes.map(attributeLine)];
}

function stackSection(stack: StackDiff): string[] {
  const environment = stack.stack.replace(/^vpn-monitor-/, "");
  if (stack.status === "unchanged") return [`## ${environment}: no changes`, ""];
  const title = { added: "new environment", removed: "environment removed", changed: "changed" }[stack.status];
  const lines = [`## ${environment}: ${title}`, "", `Stack \`${stack.stack}\`.`, ""];
  if (stack.status === "removed") {
    lines.push(`Removing the environment destroys its ${stack.entries.filter((e) => e.type !== "provider" && !e.type.startsWith("terraform") && e.type !== "backend" && e.type !== "required_providers").length} resources and outputs, its monitors included:`, "");
  }
  if (stack.monitors.length > 0) {
    lines.push("### Monitoring changes", "", ...stack.monitors.flatMap(monitorSection), "");
  }
  if (stack.codeChange) lines.push(`Lambda code changed (bundle hash \`${stack.codeChange.before}\` → \`${stack.codeChange.after}\`).`, "");
  const counts = (kind: EntryDiff["kind"]) => stack.entries.filter((e) => e.kind === kind).length;
  if (stack.entries.length > 0) {
    lines.push(`### Resources: ${counts("added")} added, ${counts("changed")} changed, ${counts("removed")} removed`, "", ...stack.entries.flatMap(entrySection), "");
  }
  return lines;
}

/** The whole report. `baseLabel` names what was compared against (e.g. `origin/main (abc1234)`). */
export function renderReport(diff: ReviewDiff, baseLabel: string): string {
  const count = (status: StackDiff["status"]) => diff.stacks.filter((s) => s.status === status).length;
  const summary = `${diff.stacks.length} environments: ${count("changed")} changed, ${count("added")} added, ${count("removed")} removed, ${count("unchanged")} unchanged.`;
  // Changed environments first, so the report leads with what needs reading.
  const order = { removed: 0, added: 1, changed: 2, unchanged: 3 } as const;
  const stacks = [...diff.stacks].sort((a, b) => order[a.status] - order[b.status] || a.stack.localeCompare(b.stack));
  return [`# Monitoring review against ${baseLabel}`, "", summary, "", ...stacks.flatMap(stackSection)].join("\n").trimEnd() + "\n";
}
