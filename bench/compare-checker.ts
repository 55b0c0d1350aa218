/**
 * A/B of the checker between two built bundles, interleaved so both sides share the machine's
 * load: `npx tsx bench/compare-checker.ts <bundle A> <bundle B> [rounds]` (each bundle an
 * index.js built by `npm run build`, e.g. one from another revision). Each round measures 20 × 50
 * with keep-alive controllers on A, then on B (the checker section's method, bench/checker.ts),
 * and the medians over the rounds are printed. Not part of `npm test`.
 */
import * as path from "node:path";
import { benchChecker, type CheckerMeasurement } from "./checker";
import { median, round } from "./stats";

async function main(): Promise<void> {
  const [a, b, roundsText = "3"] = process.argv.slice(2);
  if (a === undefined || b === undefined) throw new Error("usage: compare-checker.ts <bundle A index.js> <bundle B index.js> [rounds]");
  const sides = [path.resolve(a), path.resolve(b)];
  const measured = new Map<string, CheckerMeasurement[]>(sides.map((s) => [s, []]));
  for (let r = 0; r < Number(roundsText); r += 1) {
    for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
      const [m] = await benchChecker([{ controllers: 20, tunnelsPerController: 50 }], ["keep"], side);
      measured.get(side)!.push(m!);
      process.stdout.write(`round ${r + 1} ${side}: ${m!.productMs} ms, CPU ${m!.productCpuMs} ms, floor ${m!.floorMs} ms, ${m!.productOverFloor}×, ${m!.productDatadogRequests} request(s), ${m!.productDatadogBytes} B\n`);
    }
  }
  for (const [side, ms] of measured) {
    const cpu = median(ms.map((m) => m.productCpuMs));
    process.stdout.write(
      `${side}: warm median ${round(median(ms.map((m) => m.productMs)))} ms, CPU ${round(cpu)} ms (${round(cpu)} µs per tunnel), product/floor ${round(median(ms.map((m) => m.productOverFloor)), 2)}×, requests ${ms.map((m) => m.productDatadogRequests).join("/")}, bytes ${median(ms.map((m) => m.productDatadogBytes))}\n`,
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
