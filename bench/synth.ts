/** Time and peak memory of the app's synth (`node --import tsx main.ts`) at several sizes. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { writeGeneratedEnvironments } from "./environments";
import { round } from "./stats";

const ROOT = path.resolve(__dirname, "..");

export interface SynthMeasurement {
  readonly environments: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly stacksWritten: number;
}

/** Runs one synth of `environmentsDir` into a fresh outdir; throws with the app's stderr on failure. */
export function synthOnce(environmentsDir: string): SynthMeasurement & { outDir: string } {
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-synth-out-"));
  const outDir = path.join(scratch, "cdktf.out");
  const rssFile = path.join(scratch, "rss");
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ["--import", "tsx", "--import", "./bench/rss-probe.mjs", "main.ts"], {
    cwd: ROOT,
    env: { ...process.env, VPN_MONITOR_ENVIRONMENTS_DIR: environmentsDir, CDKTF_OUTDIR: outDir, BENCH_RSS_FILE: rssFile },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`synth failed (exit ${result.status}):\n${result.stderr.slice(0, 2000)}`);
  return {
    environments: readdirSync(environmentsDir).length,
    seconds: round(seconds, 2),
    peakRssMb: round(Number(readFileSync(rssFile, "utf8")) / (1024 * 1024), 0),
    stacksWritten: readdirSync(path.join(outDir, "stacks")).length,
    outDir,
  };
}

export function benchSynth(sizes: readonly number[] = [1, 10, 100]): SynthMeasurement[] {
  return sizes.map((count) => {
    const dir = mkdtempSync(path.join(tmpdir(), `bench-envs-${count}-`));
    try {
      writeGeneratedEnvironments(dir, count);
      const { outDir, ...measurement } = synthOnce(dir);
      rmSync(path.dirname(outDir), { recursive: true, force: true });
      // One stack per environment, plus the fleet overview (the generated environments share one site).
      if (measurement.stacksWritten !== count + 1) {
        throw new Error(`synth of ${count} environments wrote ${measurement.stacksWritten} stacks, expected ${count + 1}`);
      }
      return measurement;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
