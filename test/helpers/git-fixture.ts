/**
 * A throwaway git repository holding a copy of what synth needs (node_modules linked, not
 * copied), for tests that run `npm run review` end to end. No network, no remote.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { FIXTURE_ENVIRONMENTS } from "./fixture-environments";

export const ROOT = path.resolve(__dirname, "../..");
/** What synth reads from the project. */
export const SYNTH_SOURCES = ["main.ts", "contract", "stacks", "handler", "scripts", "package.json", "cdktf.json", "tsconfig.json"] as const;

export interface GitFixture {
  readonly dir: string;
  /** Runs git in the fixture with a fixed identity; returns trimmed stdout. */
  git(...args: string[]): string;
  /** Commits everything (the fixture's .gitignore applies) and returns the commit id. */
  commit(message: string): string;
  read(file: string): string;
  write(file: string, text: string): void;
  remove(file: string): void;
  /** Runs this checkout's `cli/review/main.ts` with the fixture as working directory. */
  review(...args: string[]): { status: number | null; stdout: string; stderr: string };
  dispose(): void;
}

export function createGitFixture(prefix = "review-fixture-"): GitFixture {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main", ...args], {
      cwd: dir,
      encoding: "utf8",
    }).trim();
  git("init", "-q");
  writeFileSync(path.join(dir, ".gitignore"), "node_modules\ncdktf.out\ndist\n*.tfstate\n");
  symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return {
    dir,
    git,
    commit(message) {
      git("add", "-A");
      git("commit", "-q", "--allow-empty", "-m", message);
      return git("rev-parse", "HEAD");
    },
    read: (file) => readFileSync(path.join(dir, file), "utf8"),
    write: (file, text) => writeFileSync(path.join(dir, file), text),
    remove: (file) => rmSync(path.join(dir, file), { recursive: true, force: true }),
    review(...args) {
      // The review must not see the machine's settings: it synthesizes what the tree holds.
      const { VPN_MONITOR_ENVIRONMENTS_DIR: _dir, VPN_MONITOR_FLEET_ENVIRONMENTS_DIR: _fleet, CDKTF_OUTDIR: _out, ...env } = process.env;
      const result = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "cli/review/main.ts"), ...args], { cwd: dir, env, encoding: "utf8" });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Copies the project's synth sources, and the tests' copies of the examples as its environments/, into the fixture. */
export function copyProject(fixture: GitFixture): void {
  for (const entry of SYNTH_SOURCES) cpSync(path.join(ROOT, entry), path.join(fixture.dir, entry), { recursive: true });
  cpSync(FIXTURE_ENVIRONMENTS, path.join(fixture.dir, "environments"), { recursive: true });
}
