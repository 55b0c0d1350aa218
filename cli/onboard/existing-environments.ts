/**
 * Reads the environments already in a folder for onboard's cross-check. Unlike loadEnvironments
 * it does not fail on an invalid file: that file is someone else's problem and is reported as a
 * warning, while the valid ones still guard names, webhook names and variables.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { listEnvironmentFiles, parseEnvironmentText, validateEnvironment, type LoadedEnvironment } from "../../stacks/environment/load";

/** Environments already in the target folder. */
export interface ExistingEnvironments {
  /** The folder (as given), e.g. `environments`. */
  readonly dir: string;
  /** File names (not paths) in the folder. */
  readonly fileNames: readonly string[];
  /** The definitions that validate, their files named as `dir` was given. */
  readonly loaded: readonly LoadedEnvironment[];
  /** Problems of files that do not validate (they cannot be cross-checked). */
  readonly problems: readonly string[];
}

/** Nothing there yet. */
export const NO_ENVIRONMENTS: ExistingEnvironments = { dir: "environments", fileNames: [], loaded: [], problems: [] };

/** Everything in `dir` (as given; resolved against `cwd`) that bears on a new definition. */
export function readExistingEnvironments(dir: string, cwd: string): ExistingEnvironments {
  const absolute = path.resolve(cwd, dir);
  const fileNames = existsSync(absolute) ? readdirSync(absolute).filter((f) => !f.startsWith(".")) : [];
  const loaded: LoadedEnvironment[] = [];
  const problems: string[] = [];
  for (const file of listEnvironmentFiles(absolute)) {
    // Messages name the folder as the operator gave it.
    const label = path.join(dir, path.basename(file));
    const parsed = parseEnvironmentText(label, readFileSync(file, "utf8"));
    const validated = parsed.ok ? validateEnvironment(label, parsed.data) : undefined;
    if (!parsed.ok) problems.push(...parsed.problems);
    else if (validated !== undefined && !validated.ok) problems.push(...validated.problems);
    else if (validated?.ok) loaded.push({ file: label, definition: validated.definition });
  }
  return { dir, fileNames, loaded, problems };
}
