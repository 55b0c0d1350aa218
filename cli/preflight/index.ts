/**
 * `npm run preflight -- <environment>`
 *
 * Before Terraform starts: the definitions validate (as synth validates them), the environment's
 * state survives the machine (CI refuses local state), and every sensitive variable the stack
 * declares is set, with the Datadog provider's keys. No network call, so it runs anywhere. Exits
 * 0 when ready, 1 with one line per problem. Prints variable names, never values.
 */
import * as path from "node:path";
import { Command } from "commander";
import { preflight, detectRunner, type ProcessEnv } from "./core";
import { didYouMean } from "../../stacks/environment/did-you-mean";
import { EnvironmentValidationError, loadEnvironments } from "../../stacks/environment/load";

/** Where the entry point writes, and what it reads: the process's by default, a test's in tests. */
export interface PreflightIo {
  readonly env: ProcessEnv;
  /** Labels in messages are relative to it. */
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const DEFAULT_ENVIRONMENTS_DIR = path.resolve(__dirname, "../../environments");

/** Runs preflight for the environment named in `argv`; returns the exit code. */
export function runPreflight(argv: readonly string[], io: PreflightIo): number {
  let requested: string | undefined;
  const program = new Command()
    .name("npm run preflight --")
    .description("Check an environment before planning: valid definition, durable state under CI, sensitive variables set. No network.")
    .argument("<environment>", "environment name (the definition file's name without extension)")
    .action((name: string) => {
      requested = name;
    })
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "commander.helpDisplayed" || code === "commander.version" ? 0 : 1;
  }
  const name = requested!;

  const dir = io.env.VPN_MONITOR_ENVIRONMENTS_DIR || DEFAULT_ENVIRONMENTS_DIR;
  let loaded;
  try {
    loaded = loadEnvironments(dir, { labelRoot: io.cwd });
  } catch (error) {
    if (!(error instanceof EnvironmentValidationError)) throw error;
    io.stderr(`preflight: ${error.message}\n`);
    return 1;
  }
  const environment = loaded.find((l) => l.definition.name === name);
  if (!environment) {
    const known = loaded.map((l) => l.definition.name);
    const suggestion = didYouMean(name, known);
    const where = path.relative(io.cwd, dir) || ".";
    io.stderr(`preflight: no environment named "${name}" in ${where}${suggestion ? ` (did you mean "${suggestion}"?)` : ""}\n`);
    return 1;
  }

  const label = path.relative(io.cwd, environment.file) || environment.file;
  const result = preflight({ environment, label, env: io.env });
  const runner = detectRunner(io.env) === "ci" ? "CI" : "a workstation";
  for (const note of result.notes) io.stdout(`preflight ${name}: ${note}\n`);
  if (!result.ok) {
    for (const problem of result.problems) io.stderr(`preflight ${name}: ${problem}\n`);
    io.stderr(`preflight ${name}: not ready on ${runner} (${result.problems.length} problem${result.problems.length === 1 ? "" : "s"})\n`);
    return 1;
  }
  io.stdout(`preflight ${name}: ready on ${runner}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runPreflight(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
