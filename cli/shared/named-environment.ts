/**
 * The one environment a command names as its operand (`npm run check -- <environment>`,
 * `npm run alerts -- <environment>`): loaded and validated with every other definition of the
 * folder, so a file that review and synth refuse is refused here too.
 */
import path from "node:path";
import { EnvironmentValidationError, loadEnvironments, type LoadedEnvironment } from "../../stacks/environment/load";
import { suggestion } from "./args";

/**
 * The environment named `name` under `dir`, or undefined after printing why through `err`: every
 * validation problem of the folder, or the unknown name with the nearest known one.
 */
export function loadNamedEnvironment(cwd: string, dir: string, name: string, err: (line: string) => void): LoadedEnvironment | undefined {
  let loaded: LoadedEnvironment[];
  try {
    loaded = loadEnvironments(path.resolve(cwd, dir), { labelRoot: cwd });
  } catch (error) {
    if (!(error instanceof EnvironmentValidationError)) throw error;
    for (const problem of error.problems) err(`error: ${problem}`);
    return undefined;
  }
  const environment = loaded.find((e) => e.definition.name === name);
  if (environment === undefined) {
    const names = loaded.map((e) => e.definition.name);
    const guess = suggestion(name, names);
    err(`error: no environment named ${JSON.stringify(name)} in ${dir}${guess !== undefined ? ` (did you mean ${guess}?)` : ""}; there are: ${names.join(", ") || "none"}`);
  }
  return environment;
}
