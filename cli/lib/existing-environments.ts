/**
 * Reads the environments already in a folder for onboard's cross-check. Unlike loadEnvironments
 * it does not fail on an invalid file: that file is someone else's problem and is reported as a
 * warning, while the valid ones still guard names, webhook names and variables.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { listEnvironmentFiles, parseEnvironmentText, validateEnvironment, type LoadedEnvironment } from "../../stacks/environment/load";
import type { ExistingEnvironments } from "./onboard-core";

/** Everything in `dir` that bears on a new definition. `dir` as given is used in messages. */
export function readExistingEnvironments(dir: string): ExistingEnvironments {
  const fileNames = existsSync(dir) ? readdirSync(dir).filter((f) => !f.startsWith(".")) : [];
  const loaded: LoadedEnvironment[] = [];
  const problems: string[] = [];
  for (const file of listEnvironmentFiles(dir)) {
    const parsed = parseEnvironmentText(file, readFileSync(file, "utf8"));
    const validated = parsed.ok ? validateEnvironment(file, parsed.data) : undefined;
    if (!parsed.ok) problems.push(...parsed.problems);
    else if (validated !== undefined && !validated.ok) problems.push(...validated.problems);
    else if (validated?.ok) loaded.push({ file, definition: validated.definition });
  }
  return { dir, fileNames, loaded, problems };
}
