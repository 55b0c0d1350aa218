/**
 * `npm run onboard`: writes environments/<name>.yaml for a new customer environment and prints
 * the next steps. Prompts for what the flags leave out when run in a terminal; without one, a
 * missing required flag is an error. Exit codes: 0 written, 1 not written (missing or invalid
 * input, name taken, declined), 2 usage, 130 aborted at a prompt.
 *
 * The decisions live in lib/onboard-core.ts (pure); this file only parses flags, asks, writes.
 */
import * as path from "node:path";
import { Command, CommanderError } from "commander";
import { describeDatadogSites } from "../contract/datadog-sites";
import { readExistingEnvironments } from "./lib/existing-environments";
import { runAsScript, type CliIo } from "./lib/io";
import { answersFromFlags, buildOnboarding, completeAnswers, missingAnswers, type OnboardFlags, type PartialAnswers } from "./lib/onboard-core";
import { promptForAnswers } from "./lib/onboard-interactive";
import { PromptAbortedError, type Prompter } from "./lib/prompter";
import { inspectCertificate } from "./lib/tls-inspect";
import { FileExistsError, writeNewFileAtomic } from "./lib/write-new-file";

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function program(io: CliIo): Command {
  return new Command()
    .name("npm run onboard --")
    .description("Write environments/<name>.yaml for a new environment and print the next steps.\nIn a terminal, prompts for whatever the flags leave out.")
    .option("--name <name>", "environment name (lowercase letters, digits, hyphens)")
    .option("--region <region>", "AWS region of the VPC")
    .option("--vpc <vpc-id>", "VPC the checker runs in")
    .option("--subnets <ids>", "private subnet ids for the checker, comma-separated")
    .option(
      "--controller <spec>",
      "name=…,host=…,sg=…,fingerprint=…[,secret=<ARN>][,port=8000], repeat per controller (no secret=: the stack creates vpn-monitor/<env>/<name>)",
      collect,
    )
    .option("--site <site>", `Datadog site: ${describeDatadogSites()}`)
    .option("--api-key-secret <arn>", "secret with the Datadog API key (default: the stack creates vpn-monitor/<env>/datadog-api-key)")
    .option("--mode <mode>", "simple: one alert for the environment; multi: one per tunnel (default: simple)")
    .option("--window <minutes>", "monitor evaluation window in minutes (default: 5)")
    .option("--priority <1-5>", "monitor priority (default: none)")
    .option("--message <text>", "extra text or @-mentions in the alert message")
    .option("--webhook-url <url>", "ticketing system endpoint, https only")
    .option("--webhook-name <name>", "Datadog webhook name (default: vpn-tickets-<name>)")
    .option("--secret-variable <NAME>", "secret webhook variable for a ticketing token, repeatable; its value is TF_VAR_webhook_secret_<NAME> at deploy", collect)
    .option("--header <Name=value>", 'webhook request header, repeatable, e.g. "Authorization=Bearer $NAME"', collect)
    .option("--tag <key=value>", "AWS tag for every resource, repeatable", collect)
    .option("--s3-bucket <bucket>", "keep Terraform state in this S3 bucket (default: local state)")
    .option("--s3-region <region>", "region of the state bucket (default: the environment's region)")
    .option("--dir <dir>", "folder of the environment definitions", "environments")
    .option("--interactive", "prompt for missing values even without a terminal")
    .option("--no-interactive", "never prompt, even in a terminal: a missing required flag is an error")
    .option("-y, --yes", "write without showing the file and asking first (interactive mode)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
}

/** Options of {@link main} beyond the process. */
export interface OnboardDeps {
  /** Prompter for interactive mode. @default @inquirer/prompts on stdin/stdout */
  readonly prompter?: Prompter;
}

/** Runs the command; resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo, deps: OnboardDeps = {}): Promise<number> {
  const cmd = program(io);
  try {
    cmd.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  const flags = cmd.opts<OnboardFlags & { dir: string; interactive?: boolean; yes?: boolean }>();
  const fail = (lines: readonly string[], hint?: string): number => {
    for (const line of lines) io.stderr.write(`error: ${line}\n`);
    if (hint !== undefined) io.stderr.write(`${hint}\n`);
    io.stderr.write("Nothing was written.\n");
    return 1;
  };

  const parsed = answersFromFlags(flags);
  if (parsed.problems.length > 0) return fail(parsed.problems);
  const dir = flags.dir;
  const existing = readExistingEnvironments(path.resolve(io.cwd, dir));
  // Messages name the folder as the operator gave it.
  const existingAsGiven = { ...existing, dir, loaded: existing.loaded.map((e) => ({ ...e, file: path.join(dir, path.basename(e.file)) })) };

  const interactive = flags.interactive ?? io.interactive;
  let answers: PartialAnswers = parsed.answers;
  let prompter: Prompter | undefined;
  if (interactive) {
    try {
      prompter = deps.prompter ?? (await (await import("./lib/prompter")).createInquirerPrompter());
      answers = await promptForAnswers(answers, prompter, {
        existing: existingAsGiven,
        inspect: (host, port) => inspectCertificate({ host, port, timeoutMs: 10_000 }),
      });
    } catch (error) {
      if (error instanceof PromptAbortedError) {
        io.stderr.write("Aborted. Nothing was written.\n");
        return 130;
      }
      throw error;
    }
  }

  const missing = missingAnswers(answers);
  if (missing.length > 0) {
    return fail(missing, "Without a terminal every required value must come as a flag (npm run onboard -- --help).");
  }
  const result = buildOnboarding(completeAnswers(answers), existingAsGiven, { flagHints: !interactive });
  if (!result.ok) return fail(result.problems);

  if (interactive && prompter !== undefined && flags.yes !== true) {
    prompter.say(`\n--- ${result.file} ---\n${result.yaml}---`);
    let write = false;
    try {
      write = await prompter.confirm({ message: `Write ${result.file}?`, default: true });
    } catch (error) {
      if (!(error instanceof PromptAbortedError)) throw error;
    }
    if (!write) {
      io.stderr.write("Not written.\n");
      return 1;
    }
  }

  try {
    writeNewFileAtomic(path.resolve(io.cwd, result.file), result.yaml);
  } catch (error) {
    if (error instanceof FileExistsError) return fail([`${result.file} already exists: onboard never overwrites a definition`]);
    throw error;
  }
  io.stdout.write(`Wrote ${result.file}\n`);
  for (const warning of result.warnings) io.stderr.write(`warning: ${warning}\n`);
  io.stdout.write(`\n${result.nextSteps.join("\n")}\n`);
  return 0;
}

if (require.main === module) runAsScript(main);
