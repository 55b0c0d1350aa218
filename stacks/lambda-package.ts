/**
 * The directory the Lambda's zip is made from: the checker bundle and its source map, nothing else
 * (the esbuild metafile beside them is 3 MB of build data the function never reads).
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import * as path from "node:path";
import { buildHandlerBundle } from "../scripts/build-handler";

const ROOT = path.resolve(__dirname, "..");

/** Builds the checker bundle and stages it in `<repo>/dist/lambda-package`. Returns that directory. */
export function stageLambdaPackage(): string {
  const { outDir } = buildHandlerBundle();
  const packageDir = path.join(ROOT, "dist", "lambda-package");
  rmSync(packageDir, { recursive: true, force: true });
  mkdirSync(packageDir, { recursive: true });
  for (const file of ["index.js", "index.js.map"]) copyFileSync(path.join(outDir, file), path.join(packageDir, file));
  return packageDir;
}
