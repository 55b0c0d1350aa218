/**
 * `npm run onboard`: writes environments/<name>.yaml for a new customer environment and prints
 * the next steps. Every flag is checked before the first question; in a terminal it then asks for
 * what the flags leave out and shows the file, its equivalent command line, and a chance to change
 * any one answer. Without a terminal a missing required flag is an error.
 *
 * Exit codes: 0 written, 1 not written (invalid or missing values, name taken, cancelled),
 * 2 usage (unknown flag, a flag without its value), 130 aborted at a prompt.
 */
import * as path from "node:path";
import { lastValue, type CommandSpec, type ParsedArgs } from "../shared/args";
import type { CliIo } from "../shared/io";
import { PromptAbortedError, type Prompter } from "../shared/prompter";
import { EXIT, runAsScript, runCommand } from "../shared/runner";
import { FileExistsError, writeNewFileAtomic } from "../shared/write-new-file";
import { ALLOW_ISSUED_FLAG, inspectCertificate } from "../fingerprint/tls-inspect";
import type { Draft, OnboardContext } from "./answers";
import { buildOnboarding } from "./definition";
import { readExistingEnvironments } from "./existing-environments";
import { completeAnswers, draftFromFlags, missingAnswers, ONBOARD_FLAGS } from "./flags";
import { askMissing, previewLoop } from "./interactive";

export const ONBOARD_COMMAND: CommandSpec = {
  usage: "npm run onboard --",
  summary: "Write environments/<name>.yaml for a new environment and print the next steps.\nIn a terminal, asks for whatever the flags leave out.",
  flags: ONBOARD_FLAGS,
  footer: "Exit codes: 0 written, 1 not written (invalid or missing values, name taken, cancelled), 2 usage, 130 aborted.",
};

/** Options of {@link main} beyond the process. */
export interface OnboardDeps {
  /** Prompter for interactive mode. @default @inquirer/prompts on stdin/stdout */
  readonly prompter?: Prompter;
}

/** Everything decided from the command line before the first question. */
interface Prepared {
  readonly dir: string;
  readonly ctx: OnboardContext;
  readonly draft: Draft;
  readonly interactive: boolean;
  readonly problems: readonly string[];
}

function prepare(args: ParsedArgs, io: CliIo): Prepared {
  const dir = lastValue(args, "dir") ?? "environments";
  const existing = readExistingEnvironments(dir, io.cwd);
  const ctx: OnboardContext = {
    existing,
    inspect: (host, port) => inspectCertificate({ host, port, timeoutMs: 10_000 }),
    allowIssuedCertificate: args.switches.get(ALLOW_ISSUED_FLAG) === true,
  };
  const interactive = args.switches.get("interactive") ?? io.interactive;
  const { draft, problems } = draftFromFlags(args, ctx);
  // Without questions to come, a missing answer is as much a problem as a wrong one: say all at once.
  return { dir, ctx, draft, interactive, problems: interactive ? problems : [...problems, ...missingAnswers(draft, new Set(args.values.keys()))] };
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: OnboardDeps = {}): Promise<number> {
  let prepared: Prepared | undefined;
  const validate = (args: ParsedArgs) => {
    prepared = prepare(args, io);
    return prepared.problems;
  };
  return runCommand(ONBOARD_COMMAND, argv, io, (args) => onboard(args, prepared as Prepared, io, deps), {
    validate,
    afterProblems: "Nothing was written.",
    // A wrong answer (a field of the definition-to-be) is "not written", as documented, not usage.
    valueProblemsExit: EXIT.failed,
  });
}

async function onboard(args: ParsedArgs, prepared: Prepared, io: CliIo, deps: OnboardDeps): Promise<number> {
  const { dir, ctx, interactive } = prepared;
  const fail = (lines: readonly string[]): number => {
    for (const line of lines) io.stderr.write(`error: ${line}\n`);
    io.stderr.write("Nothing was written.\n");
    return EXIT.failed;
  };

  let draft = prepared.draft;
  let answers;
  try {
    if (interactive) {
      const prompter = deps.prompter ?? (await (await import("../shared/prompter")).createInquirerPrompter());
      draft = await askMissing(draft, prompter, ctx);
      if (args.switches.get("yes") !== true) {
        const reviewed = await previewLoop(draft, prompter, ctx, (a) => {
          const built = buildOnboarding(a, ctx.existing);
          return built.ok ? { ok: true, file: built.file, yaml: built.yaml } : { ok: false, problems: built.problems };
        }, dir);
        if (!reviewed.write) {
          io.stderr.write("Cancelled. Nothing was written.\n");
          return EXIT.failed;
        }
        answers = reviewed.answers;
      }
    }
  } catch (error) {
    if (error instanceof PromptAbortedError) {
      io.stderr.write("Aborted. Nothing was written.\n");
      return EXIT.aborted;
    }
    throw error;
  }

  answers ??= completeAnswers(draft);
  const result = buildOnboarding(answers, ctx.existing, { flagHints: !interactive });
  if (!result.ok) return fail(result.problems);
  try {
    writeNewFileAtomic(path.resolve(io.cwd, result.file), result.yaml);
  } catch (error) {
    if (error instanceof FileExistsError) return fail([`${result.file} already exists: onboard never overwrites a definition`]);
    throw error;
  }
  io.stdout.write(`Wrote ${result.file}\n`);
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
  io.stdout.write(`\n${result.nextSteps.join("\n")}\n`);
  return EXIT.ok;
}

if (require.main === module) runAsScript(main);
