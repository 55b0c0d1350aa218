/**
 * Bundle size and cold start of the checker, next to the same bundle built with the whole
 * Datadog client imported through its package entry (what `import { client, v2 }` gives).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { deflateRawSync } from "node:zlib";
import { buildSync } from "esbuild";
import { buildHandlerBundle } from "../scripts/build-handler";
import { median, round } from "./stats";

const ROOT = path.resolve(__dirname, "..");
const COLD_START_RUNS = 10;

export interface BundleMeasurement {
  readonly label: string;
  readonly rawBytes: number;
  /** Size of the file deflated at level 9, which is what a zip archive stores for it. */
  readonly zippedBytes: number;
  /** Median extra time of `require` in a fresh node process over `node -e 0`, in ms. */
  readonly coldStartMs: number;
}

function nodeRunMs(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr.toString().slice(0, 500)}`);
  return ms;
}

/** Median over interleaved runs, so that a noisy second on the machine hits both sides alike. */
function coldStartMs(file: string): number {
  const baseline: number[] = [];
  const loaded: number[] = [];
  nodeRunMs(["-e", `require(${JSON.stringify(file)})`]); // warm the file cache once
  for (let i = 0; i < COLD_START_RUNS; i += 1) {
    baseline.push(nodeRunMs(["-e", "0"]));
    loaded.push(nodeRunMs(["-e", `require(${JSON.stringify(file)})`]));
  }
  return round(median(loaded) - median(baseline));
}

function measure(label: string, file: string): BundleMeasurement {
  const raw = readFileSync(file);
  return {
    label,
    rawBytes: statSync(file).size,
    zippedBytes: deflateRawSync(raw, { level: 9 }).length,
    coldStartMs: coldStartMs(file),
  };
}

/**
 * The "before": a Lambda entry that submits metrics through the package entry point, bundled with
 * the same esbuild options as the checker. It shows what importing only what is used saves.
 */
function buildWholeClientBundle(outDir: string): string {
  const outfile = path.join(outDir, "whole-client.js");
  buildSync({
    stdin: {
      contents: [
        'import { client, v2 } from "@datadog/datadog-api-client";',
        "export async function handler() {",
        "  const api = new v2.MetricsApi(client.createConfiguration({ authMethods: { apiKeyAuth: process.env.DD_API_KEY } }));",
        "  return api.submitMetrics({ body: { series: [] } });",
        "}",
      ].join("\n"),
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    external: ["@aws-sdk/*"],
    outfile,
    logLevel: "silent",
  });
  return outfile;
}

export function benchBundle(): { product: BundleMeasurement; wholeClient: BundleMeasurement } {
  const { entryFile } = buildHandlerBundle();
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-bundle-"));
  try {
    const wholeClientFile = buildWholeClientBundle(scratch);
    // The bundles require nothing from the scratch dir, but @aws-sdk stays external: copy next to the repo's node_modules.
    const wholeClientInRepo = path.join(ROOT, "dist", "bench-whole-client.js");
    writeFileSync(wholeClientInRepo, readFileSync(wholeClientFile));
    try {
      return {
        product: measure("checker bundle (deep imports)", entryFile),
        wholeClient: measure("same, whole @datadog/datadog-api-client", wholeClientInRepo),
      };
    } finally {
      rmSync(wholeClientInRepo, { force: true });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
