/**
 * After a failed synth the previous `cdktf.out` must not look current: a `cdktf deploy` or a
 * `terraform plan` in it would act on definitions that are no longer those on disk. Only a folder
 * that cdktf wrote (it holds `manifest.json`) is removed; anything else at that path is left alone.
 */
import { existsSync, rmSync } from "node:fs";
import * as path from "node:path";

/** Removes `outdir` when it is a previous synth's output; says what it did, or nothing. */
export function discardStaleOutput(outdir: string): string | undefined {
  if (!existsSync(path.join(outdir, "manifest.json"))) return undefined;
  rmSync(outdir, { recursive: true, force: true });
  return `removed the previous synth output ${outdir}, so that nothing plans or deploys it as current`;
}
