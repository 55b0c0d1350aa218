/**
 * Peak RSS of one check in its own process while four controllers each answer about 5 MB of
 * `/api/status/ipsec` (thousands of tunnels with long descriptions, shaped as Cohesive's OpenAPI
 * `IpsecTunnelListResponseKeyValue`, see bench/stand-ins.mjs). The stand-ins run in another process,
 * so the figure is the checker's alone.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildHandlerBundle } from "../scripts/build-handler";
import { benchCertificate, startStandIns } from "./checker";
import { round } from "./stats";

const ROOT = path.resolve(__dirname, "..");

export interface MemoryMeasurement {
  readonly controllers: number;
  readonly tunnels: number;
  /** Size of each controller's ipsec answer, in bytes. */
  readonly answerBytes: number;
  readonly peakRssMb: number;
  readonly seconds: number;
  readonly controllersUp: number;
  readonly tunnelsRead: number;
}

/**
 * @param tunnelsPerController chosen so that one answer is about 5 MB with 400-character descriptions.
 * @param entryFile a bundle built elsewhere (an A/B comparison with another revision). @default this tree's, built now
 */
export async function benchMemory(controllers = 4, tunnelsPerController = 4_350, entryFile: string = buildHandlerBundle().entryFile): Promise<MemoryMeasurement> {
  const cert = await benchCertificate();
  const standIns = await startStandIns({ controllers, tunnelsPerController, connections: "keep", descriptionChars: 400 }, cert);
  const scratch = mkdtempSync(path.join(tmpdir(), "bench-memory-"));
  try {
    const rssFile = path.join(scratch, "rss");
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, ["--import", "./bench/rss-probe.mjs", "bench/memory-check.cjs", entryFile], {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        BENCH_RSS_FILE: rssFile,
        // As the stack configures the Lambda (stacks/constructs/checker-function.ts).
        MALLOC_ARENA_MAX: "2",
        VPN_ENVIRONMENT: "bench-memory",
        VNS3_CONTROLLERS: JSON.stringify(standIns.controllerPorts.map((port, i) => ({ name: `vns3-${i}`, host: "127.0.0.1", port, tlsSha256: cert.fingerprint, username: "api", password: "bench-password-not-a-secret" }))),
        DD_API_KEY: "bench-api-key-not-a-secret",
        DD_API_URL: standIns.intakeUrl.toString(),
      },
    });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`memory check failed (exit ${result.status}): ${result.stdout.slice(0, 500)} ${result.stderr.slice(0, 1500)}`);
    const outcome = JSON.parse(result.stdout) as { controllersUp: number; tunnelsUp: number; tunnelsDown: number };
    return {
      controllers,
      tunnels: controllers * tunnelsPerController,
      answerBytes: Math.max(...standIns.ipsecBytes),
      peakRssMb: round(Number(readFileSync(rssFile, "utf8")) / (1024 * 1024), 0),
      seconds: round(seconds, 2),
      controllersUp: outcome.controllersUp,
      tunnelsRead: outcome.tunnelsUp + outcome.tunnelsDown,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await standIns.close();
  }
}
