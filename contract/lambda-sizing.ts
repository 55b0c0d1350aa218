/**
 * Default memory of the checker Lambda by controller count, and the projection it is derived from.
 *
 * Lambda gives a function CPU in proportion to its memory: "At 1,769 MB, a function has the
 * equivalent of one vCPU (one vCPU-second of credits per second)"
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). A check is network
 * waits plus CPU work (TLS, HTTP and JSON parsing, tags, the Datadog payload and its compression);
 * below 1,769 MB the CPU part stretches by 1,769 / memory, the waits do not.
 *
 * The rule (figures from `npm run bench`, docs/performance.md, 2026-11-25, against controllers that
 * close every connection, the dearer case: 5 × 30 took 41–73 ms of CPU per check, 20 × 50 took
 * 125–162 ms, on a 2-core x86 machine under load): CPU per check grows about linearly, ~6.5 ms per
 * controller plus ~15 ms. The default is the smallest of 256, 512, 1,024 and 1,769 MB at which that
 * CPU, stretched to the memory's CPU share, stays within {@link CPU_BUDGET_MS}: 256 MB up to 4
 * controllers, 512 MB up to 11, 1,024 MB up to 24, 1,769 MB (one full vCPU) beyond. Billed cost is
 * memory × duration, so for the CPU part a larger size costs about the same and finishes sooner;
 * docs/performance.md has the cost table.
 */

/** Memory at which a Lambda function gets one full vCPU (AWS Lambda developer guide). */
export const LAMBDA_MB_PER_VCPU = 1769;

/** Memory sizes the default is chosen from. */
export const LAMBDA_MEMORY_STEPS_MB = [256, 512, 1024, LAMBDA_MB_PER_VCPU] as const;

/** CPU milliseconds of one check at one full vCPU: a fixed part plus a part per controller (bench figures). */
export const CPU_MS_FIXED = 15;
export const CPU_MS_PER_CONTROLLER = 6.5;

/**
 * Most CPU time one check may take once stretched to the chosen memory's CPU share, in ms: a check
 * then stays well inside its one-minute slot and its Datadog reserve, on a slower vCPU too.
 */
export const CPU_BUDGET_MS = 300;

/** Waits and CPU of one check. */
export interface CheckCost {
  /** CPU time at one full vCPU, in ms. */
  readonly cpuMs: number;
  /** Time spent waiting on the network, in ms (unchanged by memory). */
  readonly waitMs: number;
}

/** Duration of a check on a Lambda of `memoryMb`: the waits, plus the CPU stretched to that CPU share. */
export function projectedDurationMs(cost: CheckCost, memoryMb: number): number {
  if (!(memoryMb > 0)) throw new Error(`memoryMb must be positive, got ${memoryMb}`);
  return cost.waitMs + cost.cpuMs * Math.max(1, LAMBDA_MB_PER_VCPU / memoryMb);
}

/** Default `lambda.memoryMb` for an environment with `controllerCount` controllers (rule above). */
export function defaultLambdaMemoryMb(controllerCount: number): number {
  if (!Number.isInteger(controllerCount) || controllerCount < 0) throw new Error(`controllerCount must be a non-negative integer, got ${controllerCount}`);
  const cpuMs = CPU_MS_FIXED + CPU_MS_PER_CONTROLLER * controllerCount;
  for (const memoryMb of LAMBDA_MEMORY_STEPS_MB) {
    if (projectedDurationMs({ cpuMs, waitMs: 0 }, memoryMb) <= CPU_BUDGET_MS) return memoryMb;
  }
  return LAMBDA_MEMORY_STEPS_MB[LAMBDA_MEMORY_STEPS_MB.length - 1];
}
