/**
 * Which maintenance windows an environment already had at a commit (`npm run preflight -- <env>
 * --deployed <git-ref>`): those exist in Datadog and keep the start Datadog has (the schedule ignores
 * later changes to it), so only the others, the windows this deploy adds, must start in the future
 * (contract/definition/maintenance-limits.ts). Reads the definition files with `git show`; nothing else.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { parseEnvironmentText, listEnvironmentFiles } from "../../stacks/environment/load";

/** Thrown when the ref is not a commit of the repository the definitions are in. */
export class DeployedRefError extends Error {}

function git(cwd: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", ["-C", cwd, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 4 * 1024 * 1024 });
  } catch {
    return undefined;
  }
}

/** The window names of one parsed definition, ignoring anything that is not a named window. */
export function windowNamesOf(data: unknown): Set<string> {
  const maintenance = data !== null && typeof data === "object" ? (data as { maintenance?: unknown }).maintenance : undefined;
  if (!Array.isArray(maintenance)) return new Set();
  return new Set(
    maintenance.flatMap((window: unknown) => {
      const name = window !== null && typeof window === "object" ? (window as { name?: unknown }).name : undefined;
      return typeof name === "string" ? [name.trim()] : [];
    }),
  );
}

/**
 * `deployedWindows` for the loader: per environment, the names of the windows its definition file
 * (in `dir`) had at `ref`; an environment whose file did not exist then has none.
 * @throws DeployedRefError when `ref` names no commit.
 */
export function deployedWindowsAt(dir: string, ref: string): (environment: string) => ReadonlySet<string> {
  if (ref.startsWith("-") || git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]) === undefined) {
    throw new DeployedRefError(`--deployed ${JSON.stringify(ref)}: not a commit of the repository holding ${dir} (expected e.g. HEAD~1 or a commit id)`);
  }
  const files = new Map(listEnvironmentFiles(dir).map((file) => [path.basename(file, path.extname(file)), path.basename(file)]));
  return (environment) => {
    const file = files.get(environment);
    const text = file === undefined ? undefined : git(dir, ["show", `${ref}:./${file}`]);
    if (text === undefined) return new Set();
    const parsed = parseEnvironmentText(file!, text);
    return parsed.ok ? windowNamesOf(parsed.data) : new Set();
  };
}
