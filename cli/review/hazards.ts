/**
 * Changes a reviewer must not miss, put above everything else in the report. Today one kind: a
 * stack whose Terraform backend changes. Its state then lives somewhere else, and the next apply
 * starts from empty state there: it tries to create every resource again (duplicate monitors,
 * names already taken) while the old state still holds the real ones. A fleet overview's backend
 * followed the first environment by name on its site, so onboarding an environment could move it.
 */
import type { ReviewDiff } from "./diff";
import { targetOfStack } from "../preflight/targets";

export interface BackendHazard {
  /** The stack, `vpn-monitor-fleet-us1`. */
  readonly stack: string;
  /** The deploy target, `fleet-us1`. */
  readonly target: string;
  /** Each backend setting that changes, `s3.bucket: a → b` (values are not secret: bucket, key, region, path). */
  readonly changes: readonly { readonly setting: string; readonly before?: string | undefined; readonly after?: string | undefined }[];
}

/** The existing stacks whose backend changes. A new stack's backend is no move; a removed one's neither. */
export function backendHazards(diff: ReviewDiff): BackendHazard[] {
  return diff.stacks
    .filter((s) => s.status === "changed")
    .flatMap((s) => {
      const backend = s.entries.find((e) => e.address === "terraform.backend");
      if (!backend || backend.changes.length === 0) return [];
      return [{ stack: s.stack, target: targetOfStack(s.stack), changes: backend.changes.map((c) => ({ setting: c.path, before: c.before, after: c.after })) }];
    });
}

const shown = (value: string | undefined) => (value === undefined ? "(none)" : `\`${value.replace(/`/g, "ˋ")}\``);

/** The hazard block at the top of the Markdown report, or nothing. */
export function renderHazards(hazards: readonly BackendHazard[]): string[] {
  if (hazards.length === 0) return [];
  const lines = ["> [!CAUTION]", `> **HAZARD: the Terraform state of ${hazards.length === 1 ? "1 stack moves" : `${hazards.length} stacks move`}. Do not approve until it has been moved.**`, ">"];
  for (const h of hazards) {
    lines.push(`> - **${h.target}** (\`${h.stack}\`): its backend changes: ${h.changes.map((c) => `${c.setting} ${shown(c.before)} → ${shown(c.after)}`).join("; ")}.`);
  }
  lines.push(
    ">",
    "> The next apply would start from EMPTY state at the new location: it would try to create every resource again, while the old state still holds the real ones.",
    "> Move the state first (docs/operations.md, \"Move a stack's state\"), or undo the change.",
    "",
  );
  return lines;
}
