/**
 * Monthly cost of the checker per environment: Lambda, Secrets Manager, CloudWatch Logs and the
 * Datadog custom metric timeseries it creates, at list prices (us-east-1, on-demand, before free
 * tiers and discounts). Prices are constants here so a reader can check them against the pages.
 */

/**
 * AWS Lambda, arm64, first pricing tier: per GB-second and per million requests.
 * Source: https://aws.amazon.com/lambda/pricing/
 */
export const LAMBDA_PRICES_ARM64 = {
  perGbSecond: 0.0000133334,
  perMillionRequests: 0.2,
} as const;

/**
 * AWS Secrets Manager: per secret per month, per 10,000 API calls.
 * Source: https://aws.amazon.com/secrets-manager/pricing/
 */
export const SECRETS_MANAGER_PRICES = {
  perSecretMonth: 0.4,
  per10kCalls: 0.05,
} as const;

/**
 * Amazon CloudWatch Logs, standard class: per GB ingested, per GB-month stored (compressed).
 * Source: https://aws.amazon.com/cloudwatch/pricing/
 */
export const CLOUDWATCH_LOGS_PRICES = {
  perGbIngested: 0.5,
  perGbMonthStored: 0.03,
} as const;

/**
 * Datadog custom metrics beyond the plan's allotment (100 per host on Pro, 200 on Enterprise):
 * $5 per 100 per month, i.e. $0.05 per timeseries. Source: https://www.datadoghq.com/pricing/
 * (counting rules: https://docs.datadoghq.com/account_management/billing/custom_metrics/).
 */
export const DATADOG_PRICE_PER_CUSTOM_METRIC_MONTH = 0.05;

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
 * Custom metric timeseries (metric × unique tag set) for T tunnels on C controllers, of which D are
 * disabled (a tunnel sends `vpn.tunnel.status` or `vpn.tunnel.disabled`, never both).
 * - vpn.tunnel.status / vpn.tunnel.disabled: one per tunnel (controller, tunnel id and endpoint are 1:1 with it).
 * - vpn.controller.up: one per controller while up, plus one per distinct down reason seen.
 * - vpn.subnet.unmatched: one per controller.
 * - vpn.checker.duration_ms and vpn.checker.delivery_attempts: one each per environment.
 */
export function customMetricTimeseries(tunnels: number, controllers: number): { steady: number; worstCase: number } {
  const steady = tunnels + controllers + controllers + 2;
  return { steady, worstCase: steady + controllers * CONTROLLER_DOWN_REASONS };
}

import type { SignalGroup } from "../contract/signals";
import { signalTimeseries } from "./cost-signals";

/** Assumptions of the per-environment estimate beyond the Lambda (documented in docs/performance.md). */
export interface EnvironmentCostInput {
  /** Environments sharing one account: the Datadog API key secret is shared by all of them. */
  readonly environments: number;
  readonly controllers: number;
  readonly tunnels: number;
  readonly durationMs: number;
  readonly memoryMb: number;
  /**
   * GetSecretValue calls per secret per month: the checker caches values for 5 minutes per warm
   * container (8,640 a month); cold starts and a second concurrent container add some. @default 10,000
   */
  readonly secretReadsPerSecretMonth?: number;
  /**
   * Log bytes per invocation: the checker's summary line plus Lambda's START, END and REPORT lines.
   * @default 700
   */
  readonly logBytesPerInvocation?: number;
  /** Log retention in months (stored volume ≈ retention × monthly volume, compressed ~×0.15). @default 1 */
  readonly logRetentionMonths?: number;
  /** Signal groups on (bench/cost-signals.ts). @default every group, as a definition's default */
  readonly signalGroups?: ReadonlySet<SignalGroup>;
}

export interface EnvironmentCost {
  readonly environments: number;
  readonly lambdaUsd: number;
  readonly secretsUsd: number;
  readonly logsUsd: number;
  readonly datadogUsd: number;
  readonly timeseries: number;
  readonly totalUsd: number;
}

/** Cost of one environment per month when `environments` environments are run from one account. */
export function environmentMonthlyCost(input: EnvironmentCostInput): EnvironmentCost {
  const lambdaUsd = lambdaMonthlyCost(input.durationMs, input.memoryMb).totalUsd;
  // One secret per controller, and this environment's share of the one Datadog API key secret.
  const secrets = input.controllers + 1 / input.environments;
  const reads = (input.secretReadsPerSecretMonth ?? 10_000) * (input.controllers + 1);
  const secretsUsd = secrets * SECRETS_MANAGER_PRICES.perSecretMonth + (reads / 10_000) * SECRETS_MANAGER_PRICES.per10kCalls;
  const logGb = (INVOCATIONS_PER_MONTH * (input.logBytesPerInvocation ?? 700)) / 1024 ** 3;
  const logsUsd = logGb * CLOUDWATCH_LOGS_PRICES.perGbIngested + logGb * 0.15 * (input.logRetentionMonths ?? 1) * CLOUDWATCH_LOGS_PRICES.perGbMonthStored;
  const timeseries = customMetricTimeseries(input.tunnels, input.controllers).steady + signalTimeseries(input.tunnels, input.controllers, input.signalGroups).total;
  const datadogUsd = timeseries * DATADOG_PRICE_PER_CUSTOM_METRIC_MONTH;
  return { environments: input.environments, lambdaUsd, secretsUsd, logsUsd, datadogUsd, timeseries, totalUsd: lambdaUsd + secretsUsd + logsUsd + datadogUsd };
}
