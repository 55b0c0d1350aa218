/**
 * Checker latency, CPU and Datadog traffic: the shipped bundle's handler next to the 2017 design,
 * against loopback stand-ins (a child process, bench/stand-ins.mjs) that add a fixed latency to
 * every request. Every size runs twice: against controllers that keep idle connections longer than
 * the schedule interval, and against controllers that close every connection after one answer.
 */
import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { fork } from "node:child_process";
import { generate } from "selfsigned";
import { buildHandlerBundle } from "../scripts/build-handler";
import { runBaselineCheck, type BaselineController } from "./baseline";
import { median, round, timeMs } from "./stats";
import { projectedDurationMs } from "../contract/lambda-sizing";

export const INJECTED_LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const API_KEY = "bench-api-key-not-a-secret";
const USERNAME = "api";
const PASSWORD = "bench-password-not-a-secret";

export interface CheckerSize {
  readonly controllers: number;
  readonly tunnelsPerController: number;
}

export const CHECKER_SIZES: readonly CheckerSize[] = [
  { controllers: 1, tunnelsPerController: 5 },
  { controllers: 5, tunnelsPerController: 30 },
  { controllers: 20, tunnelsPerController: 50 },
];

/** How the controller stand-ins treat idle connections. */
export type ConnectionBehaviour = "keep" | "close";
/** Both, unless BENCH_CONNECTIONS=keep or =close picks one (to compare a change quickly). */
export const CONNECTION_BEHAVIOURS: readonly ConnectionBehaviour[] =
  process.env.BENCH_CONNECTIONS === "keep" || process.env.BENCH_CONNECTIONS === "close" ? [process.env.BENCH_CONNECTIONS] : ["keep", "close"];

export interface CheckerMeasurement {
  readonly connections: ConnectionBehaviour;
  readonly controllers: number;
  readonly tunnels: number;
  /** Median CPU time (user + system, process.cpuUsage) of one warm invocation, in ms. */
  readonly productCpuMs: number;
  /** Median of wall time minus CPU time: what the check spends waiting on the network. */
  readonly productWaitMs: number;
  /** TLS handshakes the controllers completed per warm invocation (median). */
  readonly handshakesPerCheck: number;
  /** Projected duration of a warm invocation on Lambda, by memory size (MB → ms). */
  readonly projectedMs: Readonly<Record<string, number>>;
  /** Median wall time of one warm invocation of the product's handler. */
  readonly productMs: number;
  /** Wall time of the first invocation in a fresh container (no known-good controllers yet). */
  readonly productFirstMs: number;
  /** Only measured in the "close" pass (the 2017 design opens a connection per request either way). */
  readonly baselineMs?: number;
  /** One controller round trip (fresh pinned TLS connection) plus one Datadog round trip. */
  readonly floorMs: number;
  readonly productOverFloor: number;
  readonly baselineOverProduct?: number;
  readonly productDatadogRequests: number;
  readonly productDatadogBytes: number;
  readonly baselineDatadogRequests?: number;
  readonly baselineDatadogBytes?: number;
}

/** Memory sizes the projection is made for. */
export const PROJECTED_MEMORY_MB = [256, 512, 1024] as const;

/** Stand-ins running in a child process (see stand-ins.mjs for why). */
interface StandIns {
  readonly controllerPorts: readonly number[];
  readonly intakeUrl: URL;
  /** Bytes of each controller's /api/status/ipsec answer. */
  readonly ipsecBytes: readonly number[];
  /** Datadog requests, their body bytes and controller TLS handshakes since the last reset. */
  stats(): Promise<{ requests: number; bytes: number; handshakes: number }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Options of the stand-ins process (see the protocol in stand-ins.mjs). */
export interface StandInOptions {
  readonly controllers: number;
  readonly tunnelsPerController: number;
  readonly connections: ConnectionBehaviour;
  /** Length of each tunnel description. @default a short one */
  readonly descriptionChars?: number;
}

export async function startStandIns(options: StandInOptions, cert: { key: string; cert: string }): Promise<StandIns> {
  const child = fork(path.join(__dirname, "stand-ins.mjs"), [JSON.stringify({ ...options, latencyMs: INJECTED_LATENCY_MS, cert, username: USERNAME, password: PASSWORD })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = <T>(type: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(message as T);
      };
      const onExit = (code: number | null) => reject(new Error(`stand-ins exited with ${code}`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ready = await next<{ ports: number[]; intakePort: number; ipsecBytes: number[] }>("ready");
  return {
    controllerPorts: ready.ports,
    intakeUrl: new URL(`http://127.0.0.1:${ready.intakePort}`),
    ipsecBytes: ready.ipsecBytes,
    async stats() {
      const reply = next<{ requests: number; bytes: number; handshakes: number }>("stats");
      child.send({ type: "stats" });
      const { requests, bytes, handshakes } = await reply;
      return { requests, bytes, handshakes };
    },
    async reset() {
      const reply = next("reset");
      child.send({ type: "reset" });
      await reply;
    },
    async close() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      child.kill();
    },
  };
}

/** The floor: one fresh pinned-TLS controller GET and one Datadog POST, back to back. */
async function roundTripFloorMs(controller: BaselineController, intakeUrl: URL): Promise<number> {
  const get = () =>
    new Promise<void>((resolve, reject) => {
      https
        .get({ host: controller.host, port: controller.port, path: "/api/status/ipsec", ca: controller.ca, agent: false, auth: `${USERNAME}:${PASSWORD}` }, (res) => {
          res.resume();
          res.on("end", () => resolve());
        })
        .on("error", reject);
    });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request({ host: intakeUrl.hostname, port: intakeUrl.port, path: "/api/v2/series", method: "POST" }, (res) => {
        res.resume();
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end("{}");
    });
  const samples: number[] = [];
  for (let i = 0; i < 7; i += 1) {
    samples.push((await timeMs(async () => {
      await get();
      await post();
    })).ms);
  }
  return median(samples);
}

type BundleModule = {
  createHandler(options: { env: Record<string, string>; write?: (line: string) => void }): (
    event: unknown,
    context: { getRemainingTimeInMillis(): number },
  ) => Promise<{ controllersUp: number; tunnelsUp: number; tunnelsDown: number; datadog: { requests: number } }>;
};

/** Warm invocations of the product per size; its median is reported. */
const PRODUCT_RUNS = 15;
/** The baseline makes one request per tunnel, ~25 s a run at 1,000 tunnels: fewer runs there. */
const baselineRuns = (tunnels: number) => (tunnels >= 500 ? 3 : 7);

/** CPU time (user + system) of the whole process while `fn` runs, in ms, with its wall time. */
async function timeAndCpu<T>(fn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const { ms, value } = await timeMs(fn);
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000, value };
}

async function benchSize(bundle: BundleModule, size: CheckerSize, connections: ConnectionBehaviour, cert: { key: string; cert: string; fingerprint: string }): Promise<CheckerMeasurement> {
  const standIns = await startStandIns({ ...size, connections }, cert);
  try {
    const environment = `bench-${size.controllers}x${size.tunnelsPerController}`;
    // A new handler per pass: a fresh container, with no connection kept from another pass.
    const handler = bundle.createHandler({
      env: {
        VPN_ENVIRONMENT: environment,
        VNS3_CONTROLLERS: JSON.stringify(
          standIns.controllerPorts.map((port, i) => ({ name: `vns3-${i}`, host: "127.0.0.1", port, tlsSha256: cert.fingerprint, username: USERNAME, password: PASSWORD })),
        ),
        DD_API_KEY: API_KEY,
        DD_API_URL: standIns.intakeUrl.toString(),
      },
      // BENCH_DEBUG=1 shows the handler's own log lines.
      write: (line) => void (process.env.BENCH_DEBUG && process.stderr.write(`${line}\n`)),
    });
    const baselineControllers: BaselineController[] = standIns.controllerPorts.map((port) => ({ host: "127.0.0.1", port, username: USERNAME, password: PASSWORD, ca: cert.cert }));
    const context = () => {
      const end = Date.now() + 50_000;
      return { getRemainingTimeInMillis: () => end - Date.now() };
    };
    const tunnels = size.controllers * size.tunnelsPerController;

    const first = await timeMs(() => handler({}, context()));
    if (first.value.tunnelsUp + first.value.tunnelsDown !== tunnels) throw new Error(`handler reported ${first.value.tunnelsUp + first.value.tunnelsDown} of ${tunnels} tunnels`);

    const wall: number[] = [];
    const cpu: number[] = [];
    const waits: number[] = [];
    const handshakes: number[] = [];
    let productRequests = 0;
    let productBytes = 0;
    for (let run = 0; run < PRODUCT_RUNS; run += 1) {
      await standIns.reset();
      const measured = await timeAndCpu(() => handler({}, context()));
      wall.push(measured.ms);
      cpu.push(measured.cpuMs);
      waits.push(Math.max(0, measured.ms - measured.cpuMs));
      const stats = await standIns.stats();
      handshakes.push(stats.handshakes);
      ({ requests: productRequests, bytes: productBytes } = stats);
    }

    const baseline: number[] = [];
    let baselineRequests = 0;
    let baselineBytes = 0;
    if (connections === "close") {
      for (let run = 0; run < baselineRuns(tunnels); run += 1) {
        await standIns.reset();
        baseline.push((await timeMs(() => runBaselineCheck(environment, baselineControllers, standIns.intakeUrl, API_KEY))).ms);
        ({ requests: baselineRequests, bytes: baselineBytes } = await standIns.stats());
      }
    }
    const floorMs = await roundTripFloorMs(baselineControllers[0]!, standIns.intakeUrl);
    const productMs = median(wall);
    const productCpuMs = median(cpu);
    const productWaitMs = median(waits);
    return {
      connections,
      controllers: size.controllers,
      tunnels,
      productMs: round(productMs),
      productFirstMs: round(first.ms),
      productCpuMs: round(productCpuMs),
      productWaitMs: round(productWaitMs),
      handshakesPerCheck: median(handshakes),
      projectedMs: Object.fromEntries(PROJECTED_MEMORY_MB.map((mb) => [String(mb), round(projectedDurationMs({ cpuMs: productCpuMs, waitMs: productWaitMs }, mb))])),
      floorMs: round(floorMs),
      productOverFloor: round(productMs / floorMs, 2),
      productDatadogRequests: productRequests,
      productDatadogBytes: productBytes,
      ...(baseline.length > 0
        ? {
            baselineMs: round(median(baseline)),
            baselineOverProduct: round(median(baseline) / productMs, 1),
            baselineDatadogRequests: baselineRequests,
            baselineDatadogBytes: baselineBytes,
          }
        : {}),
    };
  } finally {
    await standIns.close();
  }
}

/** The stand-ins' certificate: EC P-256 for 127.0.0.1, as a VNS3 controller's self-signed one would be pinned. */
export async function benchCertificate(): Promise<{ key: string; cert: string; fingerprint: string }> {
  const pems = await generate([{ name: "commonName", value: "vns3-bench" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  return { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/** @param entryFile a bundle built elsewhere (an A/B comparison with another revision). @default this tree's, built now */
export async function benchChecker(sizes: readonly CheckerSize[] = CHECKER_SIZES, behaviours: readonly ConnectionBehaviour[] = CONNECTION_BEHAVIOURS, entryFile: string = buildHandlerBundle().entryFile): Promise<CheckerMeasurement[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(entryFile) as BundleModule;
  const cert = await benchCertificate();
  const results: CheckerMeasurement[] = [];
  for (const connections of behaviours) {
    for (const size of sizes) results.push(await benchSize(bundle, size, connections, cert));
  }
  return results;
}
