/**
 * Which maintenance windows an environment already had at a commit (`npm run preflight -- <env>
 * --deployed <git-ref>`): those exist in Datadog and keep the start Datadog has (the schedule ignores
 * later changes to it), so only the others, the windows this deploy adds, must start in the future
 * (contract/definition/maintenance-limits.ts). Reads the definition files with `git show`; nothing else.
 * `--first-deploy` says nothing was deployed yet: every window is new and no git is needed.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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

/** The window names of a definition's text, or none when it does not parse (then every window counts as new). */
function windowNamesOfText(file: string, text: string | undefined): Set<string> {
  if (text === undefined) return new Set();
  const parsed = parseEnvironmentText(file, text);
  return parsed.ok ? windowNamesOf(parsed.data) : new Set();
}

/** Whose windows are judged: only the environment a run deploys, or every one (`--list`, the pull-request check). */
export type JudgedEnvironments = (environment: string) => boolean;

/**
 * `deployedWindows` for the loader. For a judged environment, the names of the windows its
 * definition file (in `dir`) had at `ref`; an environment whose file did not exist then (a new
 * environment), or every environment when `ref` is `undefined` (the first deploy), has none. An
 * environment that is not judged counts every window of its current file as deployed: a deploy of
 * one target adds no other environment's windows, so their starts must not stop it.
 * @throws DeployedRefError when `ref` names no commit.
 */
export function deployedWindowsAt(dir: string, ref: string | undefined, judged: JudgedEnvironments = () => true): (environment: string) => ReadonlySet<string> {
  if (ref !== undefined && (ref.startsWith("-") || git(dir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]) === undefined)) {
    throw new DeployedRefError(`--deployed ${JSON.stringify(ref)}: not a commit of the repository holding ${dir} (expected e.g. HEAD~1 or a commit id)`);
  }
  const files = new Map(listEnvironmentFiles(dir).map((file) => [path.basename(file, path.extname(file)), path.basename(file)]));
  return (environment) => {
    const file = files.get(environment);
    if (file === undefined) return new Set();
    if (!judged(environment)) return windowNamesOfText(file, readFileSync(path.join(dir, file), "utf8"));
    return ref === undefined ? new Set() : windowNamesOfText(file, git(dir, ["show", `${ref}:./${file}`]));
  };
}
