/**
 * Where a warm check's CPU goes: `npx tsx bench/profile-checker.ts [controllers] [tunnels per
 * controller] [runs]` (default 20 × 50, 40 runs) runs the handler from source (so the profile has
 * real function names) against the benchmark's loopback stand-ins (controllers that keep idle
 * connections), with V8's sampling profiler on over the warm runs only. It prints the median CPU
 * per check and the functions with the most self time, and writes the `.cpuprofile` (open it in
 * Chrome DevTools) to $BENCH_PROFILE_OUT or the temporary directory. Not part of `npm test`.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { createHandler } from "../handler/index";
import { benchCertificate, startStandIns } from "./checker";
import { median, round } from "./stats";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
}

/** Self time per function (name, file and line), most first. */
function topSelfTime(profile: Profile, count: number): { share: number; where: string }[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map<string, number>();
  for (const id of profile.samples) {
    const frame = byNode.get(id)?.callFrame;
    if (frame === undefined) continue;
    const file = frame.url === "" ? "" : path.relative(path.resolve(__dirname, ".."), frame.url.replace(/^file:\/\//, ""));
    const key = `${frame.functionName || "(anonymous)"} ${file}${file ? `:${frame.lineNumber + 1}` : ""}`;
    hits.set(key, (hits.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  return [...hits].sort((a, b) => b[1] - a[1]).slice(0, count).map(([where, n]) => ({ share: round((100 * n) / total, 1), where }));
}

async function main(): Promise<void> {
  const [controllers = 20, perController = 50, runs = 40] = process.argv.slice(2).map(Number);
  const cert = await benchCertificate();
  const standIns = await startStandIns({ controllers, tunnelsPerController: perController, connections: "keep" }, cert);
  try {
    const handler = createHandler({
      env: {
        VPN_ENVIRONMENT: `profile-${controllers}x${perController}`,
        VNS3_CONTROLLERS: JSON.stringify(standIns.controllerPorts.map((port, i) => ({ name: `vns3-${i}`, host: "127.0.0.1", port, tlsSha256: cert.fingerprint, username: "api", password: "bench-password-not-a-secret" }))),
        DD_API_KEY: "bench-api-key-not-a-secret",
        DD_API_URL: standIns.intakeUrl.toString(),
      },
      write: () => undefined,
    });
    const context = () => {
      const end = Date.now() + 50_000;
      return { getRemainingTimeInMillis: () => end - Date.now() };
    };
    // Warm up: connections, sessions, the normalization cache and the JIT, as in a warm container.
    for (let i = 0; i < 5; i += 1) await handler({}, context());
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    const cpu: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const before = process.cpuUsage();
      const result = await handler({}, context());
      const used = process.cpuUsage(before);
      cpu.push((used.user + used.system) / 1000);
      if (result.tunnelsUp + result.tunnelsDown !== controllers * perController) throw new Error(`read ${result.tunnelsUp + result.tunnelsDown} tunnels`);
    }
    const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
    session.disconnect();
    const out = process.env.BENCH_PROFILE_OUT ?? path.join(tmpdir(), `checker-${controllers}x${perController}.cpuprofile`);
    writeFileSync(out, JSON.stringify(profile));
    const cpuMs = median(cpu);
    process.stdout.write(`${controllers} × ${perController}, ${runs} warm runs: CPU median ${round(cpuMs)} ms per check, ${round((cpuMs * 1000) / (controllers * perController), 1)} µs per tunnel (profiler on)\n`);
    process.stdout.write(`profile: ${out}\n\nself time, % of samples:\n`);
    for (const { share, where } of topSelfTime(profile, Number(process.env.BENCH_PROFILE_TOP ?? 40))) process.stdout.write(`${String(share).padStart(5)}  ${where}\n`);
  } finally {
    await standIns.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
