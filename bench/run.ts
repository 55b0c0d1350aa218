/**
 * `npm run bench [-- --only checker,memory,bundle,synth,review,cost]`: every benchmark on loopback,
 * one table per section, and `bench/results.json`. Not part of `npm test`: numbers, not assertions.
 */
import { writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { benchBundle } from "./bundle";
import { defaultLambdaMemoryMb } from "../contract/lambda-sizing";
import { benchChecker, INJECTED_LATENCY_MS, PROJECTED_MEMORY_MB, type CheckerMeasurement } from "./checker";
import { DATADOG_PRICE_PER_CUSTOM_METRIC_MONTH, environmentMonthlyCost, INVOCATIONS_PER_MONTH } from "./cost";
import { signalTimeseries } from "./cost-signals";
import { benchMemory } from "./memory";
import { benchReview } from "./review";
import { formatBytes, markdownTable, round } from "./stats";
import { benchSynth } from "./synth";

const ROOT = path.resolve(__dirname, "..");
const SECTIONS = ["checker", "memory", "bundle", "synth", "review", "cost"] as const;
type Section = (typeof SECTIONS)[number];

const TARGETS = {
  /**
   * Product / floor when the controllers keep idle connections, with every signal group on (the
   * checker's default, VPN_SIGNALS unset): issue 16's 1.5×. Issue 12's 1.3× held for the status
   * series alone, before the signals added five series per tunnel and /api/status/system.
   */
  checkerOverFloorKeep: 1.5,
  /** Product / floor per size on 2026-11-25 before connection reuse (issue 12): the "close" pass may not be worse. */
  checkerOverFloorBefore: { "1x5": 1.07, "5x30": 1.38, "20x50": 1.82 } as Record<string, number>,
  datadogRequestsPerInvocation: 1,
  bundleZippedBytes: 150 * 1024,
  coldStartMs: 300,
  memoryPeakRssMb: 200,
  synth1000Seconds: 15,
  review1000Seconds: 10,
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
    const sizeKey = (c: CheckerMeasurement) => `${c.controllers}x${c.tunnels / c.controllers}`;
    const target = (c: CheckerMeasurement) =>
      c.connections === "keep" ? `≤ ${TARGETS.checkerOverFloorKeep}×` : `≤ ${TARGETS.checkerOverFloorBefore[sizeKey(c)] ?? "?"}× (before)`;
    const met = (c: CheckerMeasurement) =>
      c.productDatadogRequests === TARGETS.datadogRequestsPerInvocation &&
      c.productOverFloor <= (c.connections === "keep" ? TARGETS.checkerOverFloorKeep : (TARGETS.checkerOverFloorBefore[sizeKey(c)] ?? 0));
    print(
      markdownTable(
        ["controllers keep idle connections?", "controllers × tunnels", "product (warm median)", "first run", "CPU / check", "waits / check", "TLS handshakes / check", "floor", "product / floor", "target", "", "Datadog requests", "Datadog bytes", "2017 design", "2017 / product", "2017 requests"],
        checker.map((c) => [
          c.connections === "keep" ? "keep (120 s)" : "close after each answer",
          `${c.controllers} × ${c.tunnels / c.controllers}`,
          `${c.productMs} ms`,
          `${c.productFirstMs} ms`,
          `${c.productCpuMs} ms`,
          `${c.productWaitMs} ms`,
          c.handshakesPerCheck,
          `${c.floorMs} ms`,
          `${c.productOverFloor}×`,
          target(c),
          mark(met(c)),
          c.productDatadogRequests,
          formatBytes(c.productDatadogBytes),
          c.baselineMs === undefined ? "" : `${c.baselineMs} ms`,
          c.baselineOverProduct === undefined ? "" : `${c.baselineOverProduct}×`,
          c.baselineDatadogRequests ?? "",
        ]),
      ),
    );
    print("");
    print("### Projected duration on Lambda (waits + CPU × 1,769 MB / memory)\n");
    print(
      markdownTable(
        ["controllers keep idle connections?", "controllers × tunnels", "CPU / check", ...PROJECTED_MEMORY_MB.map((mb) => `at ${mb} MB`), "default memory for this many controllers"],
        checker.map((c) => [
          c.connections,
          `${c.controllers} × ${c.tunnels / c.controllers}`,
          `${c.productCpuMs} ms`,
          ...PROJECTED_MEMORY_MB.map((mb) => `${c.projectedMs[String(mb)]} ms`),
          `${defaultLambdaMemoryMb(c.controllers)} MB`,
        ]),
      ),
    );
    print("");
  }

  if (sections.has("memory")) {
    print("## Memory: four controllers answering ~5 MB each (checker in its own process)\n");
    const memory = await benchMemory();
    results.memory = memory;
    print(
      markdownTable(
        ["controllers × tunnels", "ipsec answer", "peak RSS", `target ≤ ${TARGETS.memoryPeakRssMb} MB`, "check completed", "wall time"],
        [
          [
            `${memory.controllers} × ${memory.tunnels / memory.controllers}`,
            formatBytes(memory.answerBytes),
            `${memory.peakRssMb} MB`,
            mark(memory.peakRssMb <= TARGETS.memoryPeakRssMb),
            memory.controllersUp === memory.controllers && memory.tunnelsRead === memory.tunnels ? `yes (${memory.tunnelsRead} tunnels)` : `NO (${memory.controllersUp} up, ${memory.tunnelsRead} tunnels)`,
            `${memory.seconds} s`,
          ],
        ],
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
        ["bundle", "raw", "zipped", "cold start (require − node -e 0, median of 10)", "targets ≤ 150 KB zipped, ≤ 300 ms"],
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
    const synth = benchSynth([1, 10, 100, 1000]);
    results.synth = synth;
    print(
      markdownTable(
        ["environments", "wall time", "peak RSS", "stacks written", `target < ${TARGETS.synth1000Seconds} s at 1,000`],
        synth.map((s) => [s.environments, `${s.seconds} s`, `${s.peakRssMb} MB`, s.stacksWritten, s.environments === 1000 ? mark(s.seconds < TARGETS.synth1000Seconds) : ""]),
      ),
    );
    print("");
  }

  if (sections.has("review")) {
    print("## Review (`npm run review`, 1 environment changed)\n");
    const review = [benchReview(100), benchReview(1000)];
    results.review = review;
    print(
      markdownTable(
        ["environments", "changed", "wall time", "report size", `target < ${TARGETS.review1000Seconds} s at 1,000`],
        review.map((r) => [r.environments, r.changedEnvironments, `${r.seconds} s`, formatBytes(r.reportBytes), r.environments === 1000 ? mark(r.seconds < TARGETS.review1000Seconds) : ""]),
      ),
    );
    print("");
  }

  if (sections.has("cost") && checker) {
    print(`## Cost per environment per month (${INVOCATIONS_PER_MONTH.toLocaleString("en-US")} invocations, arm64, list prices)\n`);
    // The priced environment: the 5 × 30 size, with controllers that close every connection (the
    // dearer case), at the default memory for its controller count. Loopback has no network
    // distance: the measured floor is added once more for the VPC and internet round trips.
    const priced = checker.find((c) => c.connections === "close" && c.controllers === 5) ?? checker[0]!;
    const memoryMb = defaultLambdaMemoryMb(priced.controllers);
    const durationMs = priced.projectedMs[String(memoryMb)]! + priced.floorMs;
    const cost = [1, 100, 1000].map((environments) => environmentMonthlyCost({ environments, controllers: priced.controllers, tunnels: priced.tunnels, durationMs, memoryMb }));
    results.cost = { controllers: priced.controllers, tunnels: priced.tunnels, memoryMb, durationMs, perEnvironment: cost };
    print(`Per environment of ${priced.controllers} controllers × ${priced.tunnels / priced.controllers} tunnels, ${memoryMb} MB, ${Math.ceil(durationMs)} ms billed per check.\n`);
    const usd = (v: number) => `$${v.toFixed(v < 1 ? 4 : 2)}`;
    print(
      markdownTable(
        ["environments", "Lambda", "Secrets Manager", "CloudWatch Logs", "Datadog custom metrics", "timeseries", "total per environment", "total for all"],
        cost.map((c) => [c.environments, usd(c.lambdaUsd), usd(c.secretsUsd), usd(c.logsUsd), usd(c.datadogUsd), c.timeseries, usd(c.totalUsd), usd(c.totalUsd * c.environments)]),
      ),
    );
    print("");
    // What each signal group adds to the Datadog column (every group on, as by default).
    const signals = signalTimeseries(priced.tunnels, priced.controllers);
    results.signalCost = signals;
    print(
      markdownTable(
        ["signal group", "timeseries", "Datadog per month"],
        Object.entries(signals.perGroup).map(([group, n]) => [group, n, usd(n * DATADOG_PRICE_PER_CUSTOM_METRIC_MONTH)]),
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
