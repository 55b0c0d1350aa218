/**
 * `npm run review -- [--base <ref>] [--fail-on-change] [--format markdown|json] [--out <file>] [--list-changed] [--full]`
 *
 * Synthesizes the base revision and the working tree, compares every stack resource by resource,
 * and prints a report per environment and per fleet overview, monitoring changes first, secrets
 * masked. Needs no cloud
 * credentials and never runs Terraform. Exits 0; 2 with --fail-on-change when something changed;
 * 1 on errors (a bad ref, a definition that does not validate).
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { Command, Option } from "commander";
import { toolsNodeProblem } from "../../contract/node-version";
import { loadEnvironments } from "../../stacks/environment/load";
import { exampleTargets } from "../preflight/targets";
import { diffTrees } from "./diff";
import { bootstrapSkipNotes, changedTargets, exampleSkipNotes, renderJson, renderReport } from "./render";
import { chooseBase, repositoryRoot, ReviewError, synthesizeBoth } from "./synthesize";

interface Options {
  readonly base?: string;
  readonly failOnChange?: boolean;
  readonly format: "markdown" | "json";
  readonly out?: string;
  readonly listChanged?: boolean;
  readonly full?: boolean;
}

async function main(argv: readonly string[]): Promise<number> {
  const nodeProblem = toolsNodeProblem(process.versions.node);
  if (nodeProblem !== undefined) {
    process.stderr.write(`review: ${nodeProblem}\n`);
    return 2;
  }
  const program = new Command()
    .name("npm run review --")
    .description("Compare the synthesized stacks of a base revision and the working tree, per environment")
    .option("--base <ref>", "git ref to compare with (default: the merge base with origin/main, else main, else HEAD)")
    .option("--fail-on-change", "exit 2 when any environment or fleet overview changed")
    .addOption(new Option("--format <format>", "report format").choices(["markdown", "json"]).default("markdown"))
    .option("--out <file>", "also write the report to this file")
    .option(
      "--list-changed",
      "print only the deploy targets to plan, one per line: changed and new environments, then changed and new fleet overviews (fleet, fleet-<site>); the report still goes to --out",
    )
    .option("--full", "synthesize every environment, even when only definitions changed")
    .exitOverride();
  program.parse([...argv], { from: "user" });
  const options = program.opts<Options>();

  const repo = await repositoryRoot(process.cwd());
  const base = await chooseBase(repo, options.base);
  for (const note of base.notes) process.stderr.write(`review: ${note}\n`);
  const synthesized = await synthesizeBoth(repo, base.commit, { full: options.full === true });
  const diff = diffTrees(synthesized.base, synthesized.head, { unchangedStacks: synthesized.unchangedStacks });

  // The working tree synthesized, so its definitions are valid: which of its stacks are examples.
  const examples = new Set(exampleTargets(loadEnvironments(path.join(repo, "environments"), { labelRoot: repo })));
  const isTarget = (name: string) => !examples.has(name);
  const context = { baseLabel: base.label, notes: [...base.notes, ...synthesized.notes], examples };
  const report = options.format === "json" ? renderJson(diff, context) : renderReport(diff, context);
  if (options.out) writeFileSync(options.out, report);
  if (options.listChanged) {
    process.stdout.write(changedTargets(diff, isTarget).map((name) => `${name}\n`).join(""));
    for (const note of [...bootstrapSkipNotes(diff), ...exampleSkipNotes(diff, isTarget)]) process.stderr.write(`skipped ${note}\n`);
  } else {
    process.stdout.write(report);
  }
  return options.failOnChange && diff.changed ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const commanderExit = error as { code?: string };
    if (typeof commanderExit.code === "string" && commanderExit.code.startsWith("commander.")) {
      // Commander has printed its message (or the help) already.
      process.exitCode = commanderExit.code === "commander.helpDisplayed" || commanderExit.code === "commander.version" ? 0 : 1;
      return;
    }
    process.stderr.write(`review: ${error instanceof ReviewError || error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
