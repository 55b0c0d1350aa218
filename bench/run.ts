/**
 * `npm run bench [-- --only checker,bundle,synth,review]`: every benchmark on loopback, one table
 * per section, and `bench/results.json`. Not part of `npm test`: numbers, not assertions.
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadEnvironments } from "../stacks/environment/load";
import { benchBundle } from "./bundle";
import { benchChecker, INJECTED_LATENCY_MS, type CheckerMeasurement } from "./checker";
import { customMetricTimeseries, INVOCATIONS_PER_MONTH, lambdaMonthlyCost } from "./cost";
import { benchReview } from "./review";
import { formatBytes, markdownTable, round } from "./stats";
import { benchSynth } from "./synth";

const ROOT = path.resolve(__dirname, "..");
const SECTIONS = ["checker", "bundle", "synth", "review", "cost"] as const;
type Section = (typeof SECTIONS)[number];

const TARGETS = {
  checkerOverFloor: 1.5,
  datadogRequestsPerInvocation: 1,
  bundleZippedBytes: 1.5 * 1024 * 1024,
  coldStartMs: 300,
  synth100Seconds: 15,
};

function selectedSections(argv: readonly string[]): Set<Section> {
  const i = argv.indexOf("--only");
  if (i < 0) return new Set(SECTIONS);
  const wanted = (argv[i + 1] ?? "").split(",").filter(Boolean);
  const unknown = wanted.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new Error(`--only takes a comma-separated list of ${SECTIONS.join(", ")}; got "${argv[i + 1] ?? ""}"`);
  }
  return new Set(wanted as Section[]);
}

const mark = (ok: boolean) => (ok ? "met" : "MISSED");
const print = (text: string) => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const sections = selectedSections(process.argv.slice(2));
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: round(os.totalmem() / 1024 ** 3, 0), node: process.version, platform: `${process.platform}-${process.arch}` },
    targets: TARGETS,
  };
  print(`# Benchmarks (${results.date as string}, ${os.cpus().length} cores, node ${process.version})\n`);

  let checker: CheckerMeasurement[] | undefined;
  if (sections.has("checker") || sections.has("cost")) {
    print(`## Checker: product vs the 2017 design (loopback, +${INJECTED_LATENCY_MS} ms per request)\n`);
    checker = await benchChecker();
    results.checker = checker;
    print(
      markdownTable(
        ["controllers × tunnels", "product (warm median)", "product (first run)", "2017 design", "2017 / product", "floor", "product / floor", "target ≤ 1.5×", "Datadog requests", "Datadog bytes", "2017 requests", "2017 bytes"],
        checker.map((c) => [
          `${c.controllers} × ${c.tunnels / c.controllers}`,
          `${c.productMs} ms`,
          `${c.productFirstMs} ms`,
          `${c.baselineMs} ms`,
          `${c.baselineOverProduct}×`,
          `${c.floorMs} ms`,
          `${c.productOverFloor}×`,
          mark(c.productOverFloor <= TARGETS.checkerOverFloor && c.productDatadogRequests === TARGETS.datadogRequestsPerInvocation),
          c.productDatadogRequests,
          formatBytes(c.productDatadogBytes),
          c.baselineDatadogRequests,
          formatBytes(c.baselineDatadogBytes),
        ]),
      ),
    );
    print("");
  }

  if (sections.has("bundle")) {
    print("## Bundle and cold start\n");
    const bundle = benchBundle();
    results.bundle = bundle;
    print(
      markdownTable(
        ["bundle", "raw", "zipped", "cold start (require − node -e 0, median of 10)", "targets ≤ 1.5 MB zipped, ≤ 300 ms"],
        [bundle.product, bundle.wholeClient].map((b) => [
          b.label,
          formatBytes(b.rawBytes),
          formatBytes(b.zippedBytes),
          `${b.coldStartMs} ms`,
          // The whole-client row is the "before" for comparison; only the shipped bundle has targets.
          b === bundle.product ? mark(b.zippedBytes <= TARGETS.bundleZippedBytes && b.coldStartMs <= TARGETS.coldStartMs) : "(before)",
        ]),
      ),
    );
    print("");
  }

  if (sections.has("synth")) {
    print("## Synth (`node --import tsx main.ts`, generated environments)\n");
    const synth = benchSynth();
    results.synth = synth;
    print(
      markdownTable(
        ["environments", "wall time", "peak RSS", "stacks written", "target < 15 s at 100"],
        synth.map((s) => [s.environments, `${s.seconds} s`, `${s.peakRssMb} MB`, s.stacksWritten, s.environments === 100 ? mark(s.seconds < TARGETS.synth100Seconds) : ""]),
      ),
    );
    print("");
  }

  if (sections.has("review")) {
    print("## Review (`npm run review`, 100 environments, 1 changed)\n");
    const review = benchReview(100);
    results.review = review;
    print(markdownTable(["environments", "changed", "wall time", "report size"], [[review.environments, review.changedEnvironments, `${review.seconds} s`, formatBytes(review.reportBytes)]]));
    print("");
  }

  if (sections.has("cost") && checker) {
    print(`## Cost per environment per month (${INVOCATIONS_PER_MONTH.toLocaleString("en-US")} invocations, arm64)\n`);
    const examples = loadEnvironments(path.join(ROOT, "environments"), { labelRoot: ROOT });
    const memoryMb = Math.max(...examples.map((e) => e.definition.lambda.memoryMb));
    const cost = checker.map((c) => {
      // Loopback has no network distance; add the measured floor's worth again as a stand-in for
      // the VPC and internet round trips a deployed check pays, so the estimate errs high.
      const assumedMs = c.productMs + c.floorMs;
      return { controllers: c.controllers, tunnels: c.tunnels, timeseries: customMetricTimeseries(c.tunnels, c.controllers), ...lambdaMonthlyCost(assumedMs, memoryMb) };
    });
    results.cost = cost;
    print(
      markdownTable(
        ["controllers × tunnels", "billed duration assumed", "memory", "compute", "requests", "Lambda total / month", "custom metric timeseries (steady / worst)"],
        cost.map((c) => [
          `${c.controllers} × ${c.tunnels / c.controllers}`,
          `${Math.ceil(c.durationMs)} ms`,
          `${c.memoryMb} MB`,
          `$${c.computeUsd.toFixed(4)}`,
          `$${c.requestsUsd.toFixed(4)}`,
          `$${c.totalUsd.toFixed(4)}`,
          `${c.timeseries.steady} / ${c.timeseries.worstCase}`,
        ]),
      ),
    );
    print("");
  }

  const out = path.join(ROOT, "bench", "results.json");
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  print(`results written to ${path.relative(process.cwd(), out)}`);
}

main().then(
  // Keep-alive sockets of the Datadog client would hold the process open after the last section.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
