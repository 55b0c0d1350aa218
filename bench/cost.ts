/**
 * Monthly cost of one environment's checker, from a measured duration and the stack's memory and
 * architecture, and the Datadog custom-metric timeseries it creates.
 */

/** AWS Lambda list prices (us-east-1, first pricing tier), arm64. Source: aws.amazon.com/lambda/pricing. */
export const LAMBDA_PRICES_ARM64 = {
  perGbSecond: 0.0000133334,
  perMillionRequests: 0.2,
} as const;

/** One invocation a minute, 30 days. */
export const INVOCATIONS_PER_MONTH = 60 * 24 * 30;

export interface LambdaCostEstimate {
  readonly durationMs: number;
  readonly memoryMb: number;
  readonly invocationsPerMonth: number;
  readonly computeUsd: number;
  readonly requestsUsd: number;
  readonly totalUsd: number;
}

/** Lambda bills duration in 1 ms steps, rounded up, times the configured memory. */
export function lambdaMonthlyCost(durationMs: number, memoryMb: number, invocationsPerMonth = INVOCATIONS_PER_MONTH): LambdaCostEstimate {
  const billedSeconds = Math.ceil(durationMs) / 1000;
  const gbSeconds = billedSeconds * (memoryMb / 1024) * invocationsPerMonth;
  const computeUsd = gbSeconds * LAMBDA_PRICES_ARM64.perGbSecond;
  const requestsUsd = (invocationsPerMonth / 1e6) * LAMBDA_PRICES_ARM64.perMillionRequests;
  return { durationMs, memoryMb, invocationsPerMonth, computeUsd, requestsUsd, totalUsd: computeUsd + requestsUsd };
}

/** Distinct `reason:` values the checker can tag a down controller with (see docs/checker.md). */
export const CONTROLLER_DOWN_REASONS = 10;

/**
 * Custom metric timeseries (metric × unique tag set) for T tunnels on C controllers.
 * - vpn.tunnel.status: one per tunnel; controller, tunnel_id and endpoint tags are 1:1 with it.
 * - vpn.controller.up: one per controller while up, plus one per distinct down reason seen.
 * - vpn.subnet.unmatched: one per controller.
 */
export function customMetricTimeseries(tunnels: number, controllers: number): { steady: number; worstCase: number } {
  const steady = tunnels + controllers + controllers;
  return { steady, worstCase: steady + controllers * CONTROLLER_DOWN_REASONS };
}
