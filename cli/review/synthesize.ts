/**
 * The review's adapter to git and the app: synthesizes a base revision in a temporary worktree and
 * the working tree, each into its own output folder (`CDKTF_OUTDIR`), concurrently, and reads the
 * stacks back. No cloud credentials: synth never calls AWS or Datadog, and Terraform never runs.
 *
 * When the base and the working tree differ only in environment definitions (and in files synth
 * never reads: docs, tests, workflows), only the changed definitions are synthesized on each side;
 * the others are identical by construction (same code, same definition) and reported unchanged.
 * The fleet overviews (stacks/fleet-stack.ts) read every definition, so each side synthesizes them
 * from its whole environments/ (`VPN_MONITOR_FLEET_ENVIRONMENTS_DIR`). `full` turns this off.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { EnvironmentValidationError, ENVIRONMENT_FILE_EXTENSIONS, listEnvironmentFiles, loadEnvironments } from "../../stacks/environment/load";
import { fleetGroups } from "../../stacks/fleet-groups";
import { stackName } from "../shared/names";
import type { StackJson, SynthTree } from "./diff";

const execFileAsync = promisify(execFile);

export class ReviewError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReviewError";
  }
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("git", args, { cwd, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** `git …` output, or undefined when git fails (a missing ref, not a repository). */
export async function gitOk(cwd: string, ...args: string[]): Promise<string | undefined> {
  try {
    return await git(cwd, ...args);
  } catch {
    return undefined;
  }
}

/** The top of the git checkout around `cwd`. */
export async function repositoryRoot(cwd: string): Promise<string> {
  const root = await gitOk(cwd, "rev-parse", "--show-toplevel");
  if (!root) throw new ReviewError(`${cwd} is not inside a git repository`);
  return root;
}

/** Resolves a ref to a commit, or fails with a message naming it. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  const commit = await gitOk(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`);
  if (!commit) throw new ReviewError(`--base ${ref}: not a commit in this repository (a branch, tag or SHA; in CI, fetch it first)`);
  return commit;
}

export interface ChosenBase {
  readonly commit: string;
  /** How the report names it: `origin/main (abc123def456)`. */
  readonly label: string;
  /** Said on stderr and in the report when the choice was a fallback. */
  readonly notes: readonly string[];
}

/** `--base`, else the merge base with origin/main, else with main, else HEAD — saying which. */
export async function chooseBase(repo: string, ref: string | undefined): Promise<ChosenBase> {
  if (ref !== undefined) {
    const commit = await resolveCommit(repo, ref);
    return { commit, label: `${ref} (${commit.slice(0, 12)})`, notes: [] };
  }
  const missing: string[] = [];
  for (const candidate of ["origin/main", "main"]) {
    if ((await gitOk(repo, "rev-parse", "--verify", "--quiet", `${candidate}^{commit}`)) === undefined) {
      missing.push(candidate);
      continue;
    }
    const mergeBase = await gitOk(repo, "merge-base", "HEAD", candidate);
    if (!mergeBase) {
      missing.push(`a merge base with ${candidate}`);
      continue;
    }
    const notes = missing.length > 0 ? [`No ${missing.join(", no ")}: compared with the merge base of HEAD and ${candidate}.`] : [];
    return { commit: mergeBase, label: `the merge base with ${candidate} (${mergeBase.slice(0, 12)})`, notes };
  }
  const head = await gitOk(repo, "rev-parse", "--verify", "--quiet", "HEAD^{commit}");
  if (!head) throw new ReviewError("no --base given, no origin/main or main, and no commit yet: nothing to compare with");
  return {
    commit: head,
    label: `HEAD (${head.slice(0, 12)})`,
    notes: [`No ${missing.join(", no ")}: compared with HEAD, so only uncommitted changes show. Pass --base <ref> to choose.`],
  };
}

/** Synth processes still running, stopped with the review on a signal. */
const runningSynths = new Set<ChildProcess>();

/** A subset of the definitions to synthesize, and the whole folder the fleet overviews span. */
interface SynthSubset {
  /** A folder holding copies of the definitions to synthesize (`VPN_MONITOR_ENVIRONMENTS_DIR`). */
  readonly environmentsDir: string;
  /** The tree's whole environments/ (`VPN_MONITOR_FLEET_ENVIRONMENTS_DIR`, read by main.ts). */
  readonly fleetEnvironmentsDir: string;
}

/** Runs the app's synth in `projectDir` into `outDir`; resolves with stderr on failure. */
function runSynth(projectDir: string, outDir: string, subset?: SynthSubset): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    // Each tree synthesizes its own environments/ (or the given subset), whatever the caller's environment says.
    const { VPN_MONITOR_ENVIRONMENTS_DIR: _ignored, VPN_MONITOR_FLEET_ENVIRONMENTS_DIR: _fleet, CDKTF_OUTDIR: _alsoIgnored, ...inherited } = process.env;
    const env = {
      ...inherited,
      CDKTF_OUTDIR: outDir,
      ...(subset ? { VPN_MONITOR_ENVIRONMENTS_DIR: subset.environmentsDir, VPN_MONITOR_FLEET_ENVIRONMENTS_DIR: subset.fleetEnvironmentsDir } : {}),
    };
    const child = spawn(process.execPath, ["--import", "tsx", "main.ts"], { cwd: projectDir, env, stdio: ["ignore", "ignore", "pipe"] });
    runningSynths.add(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("close", (code) => {
      runningSynths.delete(child);
      resolve({ ok: code === 0, stderr });
    });
    child.on("error", (error) => resolve({ ok: false, stderr: error.message }));
  });
}

/** Reads `<outDir>/stacks/<name>/cdk.tf.json` for every stack. */
export function readSynthTree(outDir: string): Map<string, StackJson> {
  const stacksDir = path.join(outDir, "stacks");
  const tree = new Map<string, StackJson>();
  if (!existsSync(stacksDir)) return tree;
  for (const name of readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, name, "cdk.tf.json");
    if (existsSync(file)) tree.set(name, JSON.parse(readFileSync(file, "utf8")) as StackJson);
  }
  return tree;
}

const isDefinition = (file: string) => (ENVIRONMENT_FILE_EXTENSIONS as readonly string[]).includes(path.extname(file));
const lines = (text: string | undefined) => (text ? text.split("\n").filter(Boolean) : []);

/** Paths synth never reads: a difference there does not change any stack. */
const NOT_READ_BY_SYNTH = [":(exclude)docs", ":(exclude)test", ":(exclude)bench", ":(exclude).github", ":(exclude).ci", ":(exclude,glob)**/*.md"];

/** Whether the working tree differs from `commit` anywhere but in environments/ and files synth never reads. */
async function onlyDefinitionsDiffer(repo: string, commit: string): Promise<boolean> {
  const pathspec = ["--", ".", ":(exclude)environments", ...NOT_READ_BY_SYNTH];
  const [tracked, untracked] = await Promise.all([
    gitOk(repo, "diff", "--name-only", "--no-renames", commit, ...pathspec),
    gitOk(repo, "ls-files", "--others", "--exclude-standard", ...pathspec),
  ]);
  return tracked === "" && untracked === "";
}

/** Definition files of a commit (`environments/x.yaml`) → blob id. */
async function committedDefinitions(repo: string, commit: string): Promise<Map<string, string>> {
  const listing = lines(await gitOk(repo, "ls-tree", commit, "--", "environments/"));
  const blobs = new Map<string, string>();
  for (const line of listing) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
    if (match && isDefinition(match[2]!)) blobs.set(match[2]!, match[1]!);
  }
  return blobs;
}

/** Definition files of the working tree (what synth reads, ignored or not) → the blob id they would have. */
async function workingDefinitions(repo: string): Promise<Map<string, string>> {
  const files = listEnvironmentFiles(path.join(repo, "environments")).map((f) => path.relative(repo, f).split(path.sep).join("/"));
  if (files.length === 0) return new Map();
  const ids = lines(await git(repo, "hash-object", "--", ...files));
  return new Map(files.map((f, i) => [f, ids[i]!]));
}

function copyInto(dir: string, root: string, files: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  for (const file of files) copyFileSync(path.join(root, file), path.join(dir, path.basename(file)));
  return dir;
}

/** Copies `files` of the tree at `root` into `dir`; the fleet overviews still span the tree's whole environments/. */
function subsetOf(dir: string, root: string, files: readonly string[]): SynthSubset {
  return { environmentsDir: copyInto(dir, root, files), fleetEnvironmentsDir: path.join(root, "environments") };
}

export interface SynthesizedPair {
  readonly base: SynthTree;
  readonly head: SynthTree;
  /** Stacks not synthesized because neither their definition nor the code differs from the base. */
  readonly unchangedStacks: readonly string[];
  /** What the report should say about how the trees were made. */
  readonly notes: readonly string[];
}

/**
 * Synthesizes `baseCommit` (in a detached worktree sharing this checkout's node_modules) and the
 * working tree, concurrently. A base without the app (before this project existed) or without
 * definitions is empty. The worktree is removed afterwards, also on failure or Ctrl-C.
 */
export async function synthesizeBoth(repo: string, baseCommit: string, options: { full?: boolean } = {}): Promise<SynthesizedPair> {
  const scratch = mkdtempSync(path.join(tmpdir(), "vpn-review-"));
  const worktree = path.join(scratch, "base");
  let worktreeAdded = false;
  const cleanUp = () => {
    if (worktreeAdded) {
      try {
        execFileSync("git", ["worktree", "remove", "--force", worktree], { cwd: repo, stdio: "ignore" });
      } catch {
        // Deleted below with the scratch folder; `worktree prune` then forgets it.
      }
    }
    rmSync(scratch, { recursive: true, force: true });
    if (worktreeAdded) {
      try {
        execFileSync("git", ["worktree", "prune"], { cwd: repo, stdio: "ignore" });
      } catch {
        // Nothing left to prune.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    for (const child of runningSynths) child.kill(signal);
    cleanUp();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const baseHasApp = (await gitOk(repo, "cat-file", "-e", `${baseCommit}:main.ts`)) !== undefined;
    const committed = baseHasApp ? await committedDefinitions(repo, baseCommit) : new Map<string, string>();
    const baseDefinitions = [...committed.keys()];
    const notes: string[] = [];
    if (!baseHasApp) notes.push("The base has no main.ts (the project did not exist yet): every environment is new.");
    else if (baseDefinitions.length === 0) notes.push("The base has no environment definitions: every environment is new.");

    // Which definitions to synthesize on each side; undefined means all of that side's environments/.
    let baseSubset: string[] | undefined;
    let headSubset: string[] | undefined;
    let unchangedStacks: string[] = [];
    if (!options.full && baseDefinitions.length > 0 && (await onlyDefinitionsDiffer(repo, baseCommit))) {
      // Synth would reject an invalid definition anywhere; check them all here, as synth would.
      let loaded;
      try {
        loaded = loadEnvironments(path.join(repo, "environments"), { labelRoot: repo });
      } catch (error) {
        if (error instanceof EnvironmentValidationError) throw new ReviewError(`synth of the working tree failed:\n${error.message}`);
        throw error;
      }
      const working = await workingDefinitions(repo);
      const changed = new Set([...committed.keys(), ...working.keys()].filter((f) => committed.get(f) !== working.get(f)));
      baseSubset = [...committed.keys()].filter((f) => changed.has(f));
      headSubset = [...working.keys()].filter((f) => changed.has(f));
      const unchangedFiles = [...working.keys()].filter((f) => !changed.has(f));
      unchangedStacks = unchangedFiles.map((f) => stackName(path.basename(f, path.extname(f))));
      let fleetNote: string;
      if (changed.size === 0) {
        // Same code, same definitions: the fleet overviews are the same too.
        unchangedStacks.push(...fleetGroups(loaded.map((l) => l.definition)).map((group) => group.stackId));
        fleetNote = "The fleet overviews are unchanged too.";
      } else {
        // The fleet overviews come from every definition, so both sides must synthesize, and main.ts
        // refuses an empty folder: when one side has no changed definition, both sides also
        // synthesize one unchanged definition, whose identical stacks then compare as unchanged.
        const companion = unchangedFiles[0];
        if (companion !== undefined && (baseSubset.length === 0 || headSubset.length === 0)) {
          baseSubset.push(companion);
          headSubset.push(companion);
        }
        fleetNote = "The fleet overviews were synthesized from every definition on both sides.";
      }
      notes.push(
        `Only environment definitions differ from the base, so only the ${changed.size} changed definition file(s) were synthesized; ` +
          `the other ${unchangedFiles.length} environment(s) have the same code and definition. ${fleetNote} \`--full\` synthesizes everything.`,
      );
    }

    const synthBase = baseHasApp && baseDefinitions.length > 0 && (baseSubset === undefined || baseSubset.length > 0);
    const synthHead = headSubset === undefined || headSubset.length > 0;
    if (synthBase) {
      await git(repo, "worktree", "add", "--detach", "--quiet", worktree, baseCommit);
      worktreeAdded = true;
      if (existsSync(path.join(repo, "node_modules"))) symlinkSync(path.join(repo, "node_modules"), path.join(worktree, "node_modules"), "dir");
    }
    const baseOut = path.join(scratch, "base.out");
    const headOut = path.join(scratch, "head.out");
    const [base, head] = await Promise.all([
      synthBase
        ? runSynth(worktree, baseOut, baseSubset && subsetOf(path.join(scratch, "base-environments"), worktree, baseSubset))
        : Promise.resolve({ ok: true, stderr: "" }),
      synthHead ? runSynth(repo, headOut, headSubset && subsetOf(path.join(scratch, "head-environments"), repo, headSubset)) : Promise.resolve({ ok: true, stderr: "" }),
    ]);
    if (!head.ok) throw new ReviewError(`synth of the working tree failed:\n${head.stderr.trim()}`);
    if (!base.ok) throw new ReviewError(`synth of the base ${baseCommit.slice(0, 12)} failed (the base itself does not synthesize):\n${base.stderr.trim()}`);
    return {
      base: synthBase ? readSynthTree(baseOut) : new Map(),
      head: synthHead ? readSynthTree(headOut) : new Map(),
      unchangedStacks,
      notes,
    };
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    cleanUp();
  }
}
