/**
 * Checker latency and Datadog traffic: the shipped bundle's handler next to the 2017 design, against
 * loopback stand-ins that add a fixed latency to every request.
 */
import { X509Certificate } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { generate } from "selfsigned";
import { buildHandlerBundle } from "../scripts/build-handler";
import { runBaselineCheck, type BaselineController } from "./baseline";
import { median, round, timeMs } from "./stats";

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

export interface CheckerMeasurement {
  readonly controllers: number;
  readonly tunnels: number;
  /** Median wall time of one warm invocation of the product's handler. */
  readonly productMs: number;
  /** Wall time of the first invocation in a fresh container (no known-good controllers yet). */
  readonly productFirstMs: number;
  readonly baselineMs: number;
  /** One controller round trip (fresh pinned TLS connection) plus one Datadog round trip. */
  readonly floorMs: number;
  readonly productOverFloor: number;
  readonly baselineOverProduct: number;
  readonly productDatadogRequests: number;
  readonly productDatadogBytes: number;
  readonly baselineDatadogRequests: number;
  readonly baselineDatadogBytes: number;
}

/** Stand-ins running in a worker thread (see stand-ins-worker.mjs for why). */
interface StandIns {
  readonly controllerPorts: readonly number[];
  readonly intakeUrl: URL;
  /** Datadog requests and body bytes received since the last reset. */
  stats(): Promise<{ requests: number; bytes: number }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

async function startStandIns(size: CheckerSize, cert: { key: string; cert: string }): Promise<StandIns> {
  const worker = new Worker(path.join(__dirname, "stand-ins-worker.mjs"), {
    workerData: { controllers: size.controllers, tunnelsPerController: size.tunnelsPerController, latencyMs: INJECTED_LATENCY_MS, cert, username: USERNAME, password: PASSWORD },
  });
  const next = <T>(type: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        worker.off("message", onMessage);
        worker.off("error", reject);
        resolve(message as T);
      };
      worker.on("message", onMessage);
      worker.once("error", reject);
    });
  const ready = await next<{ ports: number[]; intakePort: number }>("ready");
  return {
    controllerPorts: ready.ports,
    intakeUrl: new URL(`http://127.0.0.1:${ready.intakePort}`),
    async stats() {
      const reply = next<{ requests: number; bytes: number }>("stats");
      worker.postMessage({ type: "stats" });
      const { requests, bytes } = await reply;
      return { requests, bytes };
    },
    async reset() {
      const reply = next("reset");
      worker.postMessage({ type: "reset" });
      await reply;
    },
    async close() {
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      worker.postMessage({ type: "close" });
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      await worker.terminate();
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

async function benchSize(bundle: BundleModule, size: CheckerSize, cert: { key: string; cert: string; fingerprint: string }): Promise<CheckerMeasurement> {
  const standIns = await startStandIns(size, cert);
  try {
    const environment = `bench-${size.controllers}x${size.tunnelsPerController}`;
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

    const product: number[] = [];
    const baseline: number[] = [];
    let productRequests = 0;
    let productBytes = 0;
    let baselineRequests = 0;
    let baselineBytes = 0;
    for (let run = 0; run < PRODUCT_RUNS; run += 1) {
      await standIns.reset();
      product.push((await timeMs(() => handler({}, context()))).ms);
      ({ requests: productRequests, bytes: productBytes } = await standIns.stats());
      if (run >= baselineRuns(tunnels)) continue;

      await standIns.reset();
      baseline.push((await timeMs(() => runBaselineCheck(environment, baselineControllers, standIns.intakeUrl, API_KEY))).ms);
      ({ requests: baselineRequests, bytes: baselineBytes } = await standIns.stats());
    }
    const floorMs = await roundTripFloorMs(baselineControllers[0]!, standIns.intakeUrl);
    const productMs = median(product);
    const baselineMs = median(baseline);
    return {
      controllers: size.controllers,
      tunnels,
      productMs: round(productMs),
      productFirstMs: round(first.ms),
      baselineMs: round(baselineMs),
      floorMs: round(floorMs),
      productOverFloor: round(productMs / floorMs, 2),
      baselineOverProduct: round(baselineMs / productMs, 1),
      productDatadogRequests: productRequests,
      productDatadogBytes: productBytes,
      baselineDatadogRequests: baselineRequests,
      baselineDatadogBytes: baselineBytes,
    };
  } finally {
    await standIns.close();
  }
}

export async function benchChecker(sizes: readonly CheckerSize[] = CHECKER_SIZES): Promise<CheckerMeasurement[]> {
  const { entryFile } = buildHandlerBundle();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundle = require(entryFile) as BundleModule;
  const pems = await generate([{ name: "commonName", value: "vns3-bench" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] }],
  });
  const cert = { key: pems.private, cert: pems.cert, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
  const results: CheckerMeasurement[] = [];
  for (const size of sizes) results.push(await benchSize(bundle, size, cert));
  return results;
}
