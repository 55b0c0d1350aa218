/**
 * `npm run preflight` in-process over a folder of definitions: the entry point with
 * VPN_MONITOR_ENVIRONMENTS_DIR set to that folder (also its working directory), no terminal, and
 * what it printed, so each preflight test reads exactly the files it wrote.
 */
import { main } from "../../cli/preflight/index";

export interface PreflightRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runPreflight(dir: string, argv: readonly string[], env: Record<string, string> = {}): Promise<PreflightRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    env: { VPN_MONITOR_ENVIRONMENTS_DIR: dir, ...env },
    cwd: dir,
    interactive: false,
    stdout: { write: (t: string) => void (stdout += t) },
    stderr: { write: (t: string) => void (stderr += t) },
  });
  return { code, stdout, stderr };
}
