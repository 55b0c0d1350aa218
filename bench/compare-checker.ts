/**
 * A/B of the checker between two built bundles, interleaved so both sides share the machine's
 * load: `npx tsx bench/compare-checker.ts <bundle A> <bundle B> [rounds] [--fresh]` (each bundle an
 * index.js built by `npm run build`, e.g. one from another revision, inside this repository so it
 * finds the AWS SDK). Each round measures 20 × 50 with keep-alive controllers on A, then on B (the
 * checker section's method, bench/checker.ts), and the medians over the rounds are printed.
 *
 * Without `--fresh` every round runs in this process, so the bundles' code is warmer from round to
 * round than in `npm run bench` (CPU per check falls by a third over ten rounds). With `--fresh`
 * each measurement runs in a new `node` process, as in `npm run bench`: use it to compare what the
 * benchmark reports. Not part of `npm test`.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { benchChecker, type CheckerMeasurement } from "./checker";
import { median, round } from "./stats";

const SIZE = { controllers: 20, tunnelsPerController: 50 };

/** One measurement of `bundle` in a new process. */
function measureFresh(bundle: string): CheckerMeasurement {
  const child = spawnSync(process.execPath, ["--import", "tsx", __filename, "--one", bundle], { encoding: "utf8", cwd: path.resolve(__dirname, "..") });
  const line = child.stdout.split("\n").find((l) => l.startsWith("{"));
  if (child.status !== 0 || line === undefined) throw new Error(`measuring ${bundle} failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(line) as CheckerMeasurement;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--one") {
    const [m] = await benchChecker([SIZE], ["keep"], path.resolve(args[1] as string));
    process.stdout.write(`${JSON.stringify(m)}\n`);
    return;
  }
  const fresh = args.includes("--fresh");
  const [a, b, roundsText = "3"] = args.filter((x) => x !== "--fresh");
  if (a === undefined || b === undefined) throw new Error("usage: compare-checker.ts <bundle A index.js> <bundle B index.js> [rounds] [--fresh]");
  const sides = [path.resolve(a), path.resolve(b)];
  const measured = new Map<string, CheckerMeasurement[]>(sides.map((s) => [s, []]));
  for (let r = 0; r < Number(roundsText); r += 1) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const m = fresh ? measureFresh(side) : (await benchChecker([SIZE], ["keep"], side))[0]!;
      measured.get(side)!.push(m);
      process.stdout.write(`round ${r + 1} ${side}: ${m.productMs} ms, CPU ${m.productCpuMs} ms, floor ${m.floorMs} ms, ${m.productOverFloor}×, ${m.productDatadogRequests} request(s), ${m.productDatadogBytes} B\n`);
    }
  }
  for (const [side, ms] of measured) {
    const cpu = median(ms.map((m) => m.productCpuMs));
    const ratios = ms.map((m) => m.productOverFloor).sort((x, y) => x - y);
    process.stdout.write(
      `${side}: warm median ${round(median(ms.map((m) => m.productMs)))} ms, CPU ${round(cpu)} ms (${round(cpu)} µs per tunnel), product/floor ${round(median(ratios), 2)}× (runs: ${ratios.join(", ")}), requests ${ms.map((m) => m.productDatadogRequests).join("/")}, bytes ${median(ms.map((m) => m.productDatadogBytes))}\n`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`compare failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
