/**
 * The one way a CLI of this project runs: read the command line from its table, answer `--help`,
 * report every usage problem at once, turn a {@link CliError} into `error: …` and its exit code,
 * and keep the process quiet (see {@link quietProcessEnv}). Commands implement only their body.
 */
import { helpText, parseArgs, type CommandSpec, type ParsedArgs } from "./args";
import { CliError, processIo, type CliIo } from "./io";
import { toolsNodeProblem } from "../../contract/node-version";

/** Exit codes every command uses. */
export const EXIT = {
  ok: 0,
  /** The command ran and the answer is no (a controller down, a definition refused, …). */
  failed: 1,
  /** The command line is wrong: unknown flag, missing value, bad operand. */
  usage: 2,
  /** A bug: an unexpected exception (EX_SOFTWARE). */
  software: 70,
  /** Ctrl+C at a prompt (128 + SIGINT). */
  aborted: 130,
} as const;

/**
 * Environment that keeps runs quiet without hiding anything the operator needs:
 * - `CHECKPOINT_DISABLE`: cdktf-cli asks checkpoint-api.hashicorp.com for a newer version on every
 *   run (@cdktf/commons src/environment.js) and prints a red ENOTFOUND without internet.
 * - `AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED`: the AWS SDK's documented opt-out of its
 *   seven-line Node-version warning (@aws-sdk/core submodules/client: emitWarningIfUnsupportedVersion
 *   checks it before calling process.emitWarning). Only that warning: every other one still prints.
 * An operator's own setting wins.
 */
export const QUIET_ENV: Readonly<Record<string, string>> = {
  CHECKPOINT_DISABLE: "1",
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

/** Applies {@link QUIET_ENV} to `env` where unset; returns `env`. */
export function quietProcessEnv<T extends Record<string, string | undefined>>(env: T): T {
  for (const [name, value] of Object.entries(QUIET_ENV)) if (env[name] === undefined) (env as Record<string, string>)[name] = value;
  return env;
}

/** How a command body is run. */
export interface RunOptions {
  /**
   * Problems of the flag values, checked before the body starts (and before any prompt), so
   * that they are reported together with the usage problems.
   */
  readonly validate?: (args: ParsedArgs) => readonly string[];
  /** A line after the problems, e.g. "Nothing was written." @default none */
  readonly afterProblems?: string;
  /**
   * The exit code when only `validate` found problems. A flag value that cannot be read (`--now
   * tomorrow`, `--timeout 0`) is a wrong command line like an unknown flag, so it exits with the
   * usage code; onboard, whose validation judges the answers (a field of the definition), says 1.
   * @default EXIT.usage
   */
  readonly valueProblemsExit?: number;
}

/**
 * Parses `argv` with `spec` and runs `body` with the result. Usage problems exit 2, value
 * problems from `validate` exit `valueProblemsExit` (2 unless the command says otherwise; 2
 * whenever usage problems are present too), {@link CliError}s exit with their own code. Resolves
 * with the exit code.
 */
export async function runCommand(spec: CommandSpec, argv: readonly string[], io: CliIo, body: (args: ParsedArgs) => Promise<number>, options: RunOptions = {}): Promise<number> {
  const args = parseArgs(spec, argv);
  if (args.help) {
    io.stdout.write(helpText(spec));
    return EXIT.ok;
  }
  const valueProblems = options.validate?.(args) ?? [];
  const problems = [...args.problems, ...valueProblems];
  if (problems.length > 0) {
    for (const problem of problems) io.stderr.write(`error: ${problem}\n`);
    if (options.afterProblems !== undefined) io.stderr.write(`${options.afterProblems}\n`);
    io.stderr.write(`Every flag: ${spec.usage} --help\n`);
    return args.problems.length > 0 ? EXIT.usage : (options.valueProblemsExit ?? EXIT.usage);
  }
  try {
    return await body(args);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.stderr.write(`error: ${error.message}\n`);
    return error.exitCode;
  }
}

/**
 * Runs a CLI's `main` as the process entry point: quiet environment first, a Node.js older than the
 * tools need refused (exit 2, contract/node-version.ts), then the exit code is set rather than
 * `process.exit` called, so pending output is flushed before Node exits.
 */
export function runAsScript(main: (argv: readonly string[], io: CliIo) => Promise<number>): void {
  quietProcessEnv(process.env);
  const nodeProblem = toolsNodeProblem(process.versions.node);
  if (nodeProblem !== undefined) {
    process.stderr.write(`error: ${nodeProblem}\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT.software;
    },
  );
}
