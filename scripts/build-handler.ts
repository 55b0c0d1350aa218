/**
 * Bundles the checker Lambda (handler/index.ts) into dist/handler/index.js with esbuild.
 *
 * The build needs an esbuild plugin (the Datadog model pruning), and esbuild runs plugins only in
 * its async API. {@link buildHandlerBundleAsync} is the build; {@link buildHandlerBundle} is a
 * synchronous wrapper that runs it in a child process, for callers that cannot await (construct
 * code during synth). Paths are resolved from this file, never from the working directory.
 *
 * Run as a script (`npm run build`) it also prints the bundle size and the biggest inputs.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { pruneDatadogModels } from "./datadog-model-pruning";
import { BUNDLE_NODE_TARGET } from "../contract/node-version";

/** Repository root (this file lives in scripts/). */
const ROOT = path.resolve(__dirname, "..");

/** Options of {@link buildHandlerBundle}. */
export interface BuildHandlerOptions {
  /** Output directory (absolute, or relative to the repository root). @default <repo>/dist/handler */
  readonly outDir?: string;
}

/** Where the bundle was written. */
export interface BuildHandlerResult {
  /** Absolute output directory: index.js, index.js.map, meta.json. */
  readonly outDir: string;
  /** Absolute path of index.js (exports `handler`). */
  readonly entryFile: string;
}

/**
 * Bundle the handler: platform node, target node22, CommonJS, minified, source map in
 * `index.js.map` (linked by a trailing comment so `--enable-source-maps` finds it), metafile in
 * `meta.json`. Only `@aws-sdk/*` stays external: the nodejs22.x runtime provides it. `cross-fetch`
 * is swapped for a native-fetch shim (handler/bundle-shims/cross-fetch.ts).
 */
export async function buildHandlerBundleAsync(opts: BuildHandlerOptions = {}): Promise<BuildHandlerResult> {
  const outDir = path.resolve(ROOT, opts.outDir ?? path.join("dist", "handler"));
  const entryFile = path.join(outDir, "index.js");
  fs.mkdirSync(outDir, { recursive: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, "handler", "index.ts")],
    outfile: entryFile,
    bundle: true,
    platform: "node",
    target: BUNDLE_NODE_TARGET,
    format: "cjs",
    minify: true,
    // "linked" = external file + sourceMappingURL comment; "external" would omit the comment and
    // Node could not find the map. No sources content: stack traces only need the mappings.
    sourcemap: "linked",
    sourcesContent: false,
    metafile: true,
    // Keep node_modules paths as written: `npm run review` builds the base revision in a worktree
    // whose node_modules is a symlink, and the bundle must not differ by where it was built.
    preserveSymlinks: true,
    external: ["@aws-sdk/*"],
    // The Datadog client's unused default transport would pull node-fetch & co.: see the shim.
    alias: { "cross-fetch": path.join(ROOT, "handler", "bundle-shims", "cross-fetch.ts") },
    // MetricsApi's serializer registers all ~3,000 v2 models; keep the few submitMetrics reaches.
    plugins: [pruneDatadogModels()],
    tsconfig: path.join(ROOT, "tsconfig.json"),
    logLevel: "warning",
    legalComments: "none",
  });
  fs.writeFileSync(path.join(outDir, "meta.json"), JSON.stringify(result.metafile));
  return { outDir, entryFile };
}

/** {@link buildHandlerBundleAsync}, synchronously: runs this file as a script in a child process. */
export function buildHandlerBundle(opts: BuildHandlerOptions = {}): BuildHandlerResult {
  const outDir = path.resolve(ROOT, opts.outDir ?? path.join("dist", "handler"));
  const child = spawnSync(process.execPath, ["--import", "tsx", __filename, "--quiet", "--out", outDir], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (child.status !== 0) {
    throw new Error(`building the checker bundle failed (exit ${child.status}):\n${child.stderr || child.error?.message}`);
  }
  return { outDir, entryFile: path.join(outDir, "index.js") };
}

/** Human-readable size. */
function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

/** Bytes each package contributes to the output, largest first. */
function sizeByPackage(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const key = match ? match[1]! : "(project)";
      totals.set(key, (totals.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

async function main(args: readonly string[]): Promise<void> {
  const started = Date.now();
  const outIndex = args.indexOf("--out");
  const { outDir, entryFile } = await buildHandlerBundleAsync(outIndex >= 0 ? { outDir: args[outIndex + 1] } : {});
  if (args.includes("--quiet")) return;
  const code = fs.readFileSync(entryFile);
  const metafile = JSON.parse(fs.readFileSync(path.join(outDir, "meta.json"), "utf8")) as Metafile;
  const lines = [
    `built ${path.relative(process.cwd(), entryFile)} in ${Date.now() - started} ms`,
    `  size: ${formatBytes(code.length)} raw, ${formatBytes(gzipSync(code).length)} gzipped (${code.length} bytes)`,
    "  largest packages:",
    ...sizeByPackage(metafile)
      .slice(0, 8)
      .map(([name, bytes]) => `    ${formatBytes(bytes).padStart(9)}  ${name}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
