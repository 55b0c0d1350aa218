/**
 * Limits Datadog puts on what an environment's maintenance windows become, checked when the
 * definition is validated so that `terraform apply` never finds them: the recurring SLO
 * corrections one SLO may have, and a window's start that must still lie ahead when the window is
 * added. Pure, and free of cdktf like the rest of the schema (docs/stacks.md, "Maintenance windows").
 */
import { RRule } from "rrule";
import { sloCorrectionPlan } from "./slo-corrections";
import { fromWallTime, parseWallTime, toWallTime } from "./time-zones";
import type { MaintenanceWindow, OperationsIssue } from "./operations-schema";

/**
 * Recurring corrections Datadog accepts per SLO, by frequency: at most 2 daily, 3 weekly and 5
 * monthly (Datadog's SLO status corrections docs; the API refuses the next one, which would fail
 * `terraform apply` half-way). Frequencies not listed have no documented limit.
 */
export const SLO_RECURRING_CORRECTION_LIMITS: Readonly<Record<string, number>> = { DAILY: 2, WEEKLY: 3, MONTHLY: 5 };

/**
 * Every window past its frequency's limit, at `maintenance[i].rrule`. Only windows that become a
 * correction count (one whose rule a correction cannot express gets a synth warning instead). No
 * merge: two windows' corrections cannot be one correction unless their rules are the same, and
 * then the windows are one window; the message says to merge or drop windows.
 */
export function sloCorrectionLimitIssues(maintenance: readonly MaintenanceWindow[]): OperationsIssue[] {
  const issues: OperationsIssue[] = [];
  const counts = new Map<string, number[]>();
  maintenance.forEach((window, i) => {
    const plan = sloCorrectionPlan(window);
    if (!plan.ok) return;
    const freq = /(?:^|;)FREQ=([A-Z]+)/.exec(plan.rrule)?.[1] ?? "";
    const limit = SLO_RECURRING_CORRECTION_LIMITS[freq];
    if (limit === undefined) return;
    const seen = [...(counts.get(freq) ?? []), i];
    counts.set(freq, seen);
    if (seen.length > limit) {
      const earlier = seen
        .slice(0, limit)
        .map((j) => `maintenance[${j}]`)
        .join(", ");
      issues.push({
        path: ["maintenance", i, "rrule"],
        message:
          `is the ${ordinal(seen.length)} ${freq.toLowerCase()} window that becomes an SLO correction; Datadog accepts at most ` +
          `${limit} ${freq.toLowerCase()} recurring corrections per SLO (${earlier} already are): merge windows that share a rule, or remove one`,
      });
    }
  });
  return issues;
}

function ordinal(n: number): string {
  const suffix = n % 100 >= 11 && n % 100 <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/** `YYYY-MM-DDTHH:MM` of a floating wall-clock date. */
function wallText(wall: Date): string {
  return wall.toISOString().slice(0, 16);
}

/**
 * Windows whose start is not after `now`, at `maintenance[i].start`, skipping those named in
 * `deployed` (a window already created keeps its start in Datadog: the schedule ignores later
 * changes to it, see maintenance-windows.ts). The message proposes the next occurrence.
 */
export function maintenanceStartIssues(
  maintenance: readonly Pick<MaintenanceWindow, "name" | "rrule" | "start" | "timezone">[],
  now: Date,
  deployed: ReadonlySet<string> = new Set(),
): OperationsIssue[] {
  const issues: OperationsIssue[] = [];
  maintenance.forEach((window, i) => {
    if (deployed.has(window.name)) return;
    const startWall = parseWallTime(window.start);
    if (fromWallTime(startWall, window.timezone).getTime() > now.getTime()) return;
    const rule = new RRule({ ...RRule.parseString(window.rrule), dtstart: startWall });
    const next = rule.after(toWallTime(now, window.timezone), false);
    issues.push({
      path: ["maintenance", i, "start"],
      message:
        `is not in the future (now is ${wallText(toWallTime(now, window.timezone))} in ${window.timezone}): Datadog may refuse a ` +
        `recurrence that starts in the past or move it forward, which Terraform reports as an inconsistent result after apply; ` +
        (next === null ? "the rule has no occurrence after now" : `expected e.g. the next occurrence, "${wallText(next)}"`),
    });
  });
  return issues;
}
