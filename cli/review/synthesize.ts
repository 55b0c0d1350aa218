/**
 * The review's adapter to git and the app: synthesizes a revision in a temporary worktree and the
 * working tree, each into its own output folder, and reads the stacks back. No cloud credentials:
 * synth never calls AWS or Datadog.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
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

async function gitOk(cwd: string, ...args: string[]): Promise<string | undefined> {
  try {
    return await git(cwd, ...args);
  } catch {
    return undefined;
  }
}

/** The default base: the merge base with origin/main, else with main. */
export async function defaultBase(repo: string): Promise<string> {
  for (const candidate of ["origin/main", "main"]) {
    if (await gitOk(repo, "rev-parse", "--verify", "--quiet", `${candidate}^{commit}`)) {
      const mergeBase = await gitOk(repo, "merge-base", "HEAD", candidate);
      if (mergeBase) return mergeBase;
    }
  }
  throw new ReviewError("no base given and neither origin/main nor main exists: pass --base <git ref>");
}

/** Resolves a ref to a commit, or fails with a message naming it. */
export async function resolveCommit(repo: string, ref: string): Promise<string> {
  const commit = await gitOk(repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`);
  if (!commit) throw new ReviewError(`--base ${ref}: not a commit in this repository`);
  return commit;
}

/** Runs the app's synth in `projectDir` into `outDir`; resolves with stderr on failure. */
function runSynth(projectDir: string, outDir: string): Promise<{ ok: boolean; stderr: string }> {
  return new Promise((resolve) => {
    // Each tree synthesizes its own environments/, whatever the caller's environment says.
    const { VPN_MONITOR_ENVIRONMENTS_DIR: _ignored, ...inherited } = process.env;
    const env = { ...inherited, CDKTF_OUTDIR: outDir };
    const child = spawn(process.execPath, ["--import", "tsx", "main.ts"], { cwd: projectDir, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("close", (code) => resolve({ ok: code === 0, stderr }));
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

/**
 * Synthesizes `baseCommit` (in a detached worktree sharing this checkout's node_modules) and the
 * working tree, concurrently. A base without the app (before this project existed) is empty.
 */
export async function synthesizeBoth(repo: string, baseCommit: string): Promise<{ base: SynthTree; head: SynthTree }> {
  const scratch = mkdtempSync(path.join(tmpdir(), "vpn-review-"));
  const worktree = path.join(scratch, "base");
  try {
    await git(repo, "worktree", "add", "--detach", "--quiet", worktree, baseCommit);
    const baseHasApp = existsSync(path.join(worktree, "main.ts"));
    if (baseHasApp && existsSync(path.join(repo, "node_modules"))) symlinkSync(path.join(repo, "node_modules"), path.join(worktree, "node_modules"), "dir");
    const [base, head] = await Promise.all([
      baseHasApp ? runSynth(worktree, path.join(scratch, "base.out")) : Promise.resolve({ ok: true, stderr: "" }),
      runSynth(repo, path.join(scratch, "head.out")),
    ]);
    if (!head.ok) throw new ReviewError(`synth of the working tree failed:\n${head.stderr.trim()}`);
    if (!base.ok) throw new ReviewError(`synth of the base ${baseCommit.slice(0, 12)} failed:\n${base.stderr.trim()}`);
    return { base: baseHasApp ? readSynthTree(path.join(scratch, "base.out")) : new Map(), head: readSynthTree(path.join(scratch, "head.out")) };
  } finally {
    await gitOk(repo, "worktree", "remove", "--force", worktree);
    rmSync(scratch, { recursive: true, force: true });
    await gitOk(repo, "worktree", "prune");
  }
}
