/**
 * The Lambda's deployment package: the checker bundle and its source map in one zip, built once per
 * synth and shared by every stack.
 *
 * Zipping here rather than with a TerraformAsset of type ARCHIVE matters at scale: cdktf archives a
 * directory by spawning a child process per asset, which made a synth of 100 environments spend
 * ~28 s zipping the same 800 KB a hundred times. The zip is deterministic (fixed timestamps, fixed
 * order), so unchanged code keeps the same hash and a review shows no code change.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import { buildHandlerBundle } from "../scripts/build-handler";

const ROOT = path.resolve(__dirname, "..");
/** Files the function needs; the esbuild metafile beside them is build data. */
const PACKAGE_FILES = ["index.js", "index.js.map"] as const;
/** Zip entries carry this modification time, so identical code gives identical bytes. */
const FIXED_MTIME = new Date("2020-01-01T00:00:00Z");

/** Builds the checker bundle and writes `<repo>/dist/lambda-package/checker.zip`. Returns the zip's path. */
export function buildLambdaPackage(): string {
  const { outDir } = buildHandlerBundle();
  const packageDir = path.join(ROOT, "dist", "lambda-package");
  mkdirSync(packageDir, { recursive: true });
  const zip = zipSync(
    Object.fromEntries(PACKAGE_FILES.map((file) => [file, [readFileSync(path.join(outDir, file)), { mtime: FIXED_MTIME }]])),
    { level: 9 },
  );
  const zipPath = path.join(packageDir, "checker.zip");
  writeFileSync(zipPath, zip);
  return zipPath;
}
