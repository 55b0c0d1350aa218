/**
 * `npm run review -- [--base <ref>] [--fail-on-change] [--out <file>] [--list-changed]`
 *
 * Synthesizes the base revision and the working tree, compares every stack resource by resource,
 * and prints a Markdown report per environment, monitor changes first, secrets masked. Needs no
 * cloud credentials. Exits 0, or 2 with --fail-on-change when something changed; 1 on errors.
 */
import { writeFileSync } from "node:fs";
import { Command } from "commander";
import { diffTrees } from "./review/diff";
import { renderReport } from "./review/render";
import { defaultBase, git, resolveCommit, ReviewError, synthesizeBoth } from "./review/synthesize";

interface Options {
  readonly base?: string;
  readonly failOnChange?: boolean;
  readonly out?: string;
  readonly listChanged?: boolean;
}

async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name("npm run review --")
    .description("Compare the synthesized stacks of a base revision and the working tree")
    .option("--base <ref>", "git ref to compare against (default: merge base with origin/main, else main)")
    .option("--fail-on-change", "exit 2 when any environment changed")
    .option("--out <file>", "also write the report to this file")
    .option("--list-changed", "print only the names of changed or added environments, one per line")
    .exitOverride();
  program.parse([...argv], { from: "user" });
  const options = program.opts<Options>();

  const repo = await git(process.cwd(), "rev-parse", "--show-toplevel");
  const baseRef = options.base ?? (await defaultBase(repo));
  const baseCommit = await resolveCommit(repo, baseRef);
  const { base, head } = await synthesizeBoth(repo, baseCommit);
  const diff = diffTrees(base, head);

  if (options.listChanged) {
    const changed = diff.stacks.filter((s) => s.status === "changed" || s.status === "added").map((s) => s.stack.replace(/^vpn-monitor-/, ""));
    process.stdout.write(changed.map((name) => `${name}\n`).join(""));
  } else {
    const label = options.base ? `${options.base} (${baseCommit.slice(0, 12)})` : `the merge base ${baseCommit.slice(0, 12)}`;
    const report = renderReport(diff, label);
    process.stdout.write(report);
    if (options.out) writeFileSync(options.out, report);
  }
  return options.failOnChange && diff.changed ? 2 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const commanderExit = error as { code?: string; exitCode?: number };
    if (typeof commanderExit.code === "string" && commanderExit.code.startsWith("commander.")) {
      process.exitCode = commanderExit.code === "commander.helpDisplayed" || commanderExit.code === "commander.version" ? 0 : 1;
      return;
    }
    process.stderr.write(`review: ${error instanceof ReviewError || error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
