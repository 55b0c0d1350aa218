/**
 * Time of `npm run review` over 100 environments with one changed: a throwaway git repository
 * holds a copy of the project's sources and the generated environments, two commits apart.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writeGeneratedEnvironments } from "./environments";
import { round } from "./stats";

const ROOT = path.resolve(__dirname, "..");
/** What a synth needs from the project; node_modules is linked, not copied. */
const PROJECT_ENTRIES = ["main.ts", "contract", "stacks", "handler", "scripts", "cli", "package.json", "cdktf.json", "tsconfig.json"];

export interface ReviewMeasurement {
  readonly environments: number;
  readonly changedEnvironments: number;
  readonly seconds: number;
  readonly exitCode: number;
  readonly reportBytes: number;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd, stdio: "ignore" });
}

export function benchReview(environments = 100): ReviewMeasurement {
  const repo = mkdtempSync(path.join(tmpdir(), "bench-review-"));
  try {
    for (const entry of PROJECT_ENTRIES) cpSync(path.join(ROOT, entry), path.join(repo, entry), { recursive: true });
    symlinkSync(path.join(ROOT, "node_modules"), path.join(repo, "node_modules"), "dir");
    writeFileSync(path.join(repo, ".gitignore"), "node_modules\ncdktf.out\ndist\n");
    const files = writeGeneratedEnvironments(path.join(repo, "environments"), environments);
    git(repo, "init", "-q", "-b", "main");
    git(repo, "add", ".");
    git(repo, "commit", "-q", "-m", "base");

    // One environment switches its monitor to multi-alert and widens the window.
    const changed = files[0]!;
    writeFileSync(changed, readFileSync(changed, "utf8").replace("mode: simple", "mode: multi").replace("windowMinutes: 5", "windowMinutes: 10"));
    git(repo, "commit", "-q", "-am", "change one environment");

    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["--import", "tsx", "cli/review/main.ts", "--base", "HEAD~1"], { cwd: repo, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`review failed (exit ${result.status}):\n${result.stderr.slice(0, 2000)}`);
    return {
      environments,
      changedEnvironments: 1,
      seconds: round(seconds, 2),
      exitCode: result.status ?? -1,
      reportBytes: Buffer.byteLength(result.stdout),
    };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
