/**
 * Lambda adapter of the tunnel checker. Module scope holds what a warm container reuses (the
 * Secrets Manager client, the secret cache, the parsed configuration); each invocation builds a
 * Deadline from the Lambda's remaining time and runs one check.
 *
 * The contract (environment variables, metrics, tags, reasons, logs) is in docs/checker.md.
 */
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createCheckState, runCheck, type CheckOptions } from "./check";
import type { SubnetState } from "./core";
import { ConfigError, parseCheckerConfig, type CheckerConfig, type EnvRecord } from "./config";
import { createDatadogSink, type MetricsSink, type RetryPolicy } from "./datadog-sink";
import { Deadline, systemClock, type Clock } from "./deadline";
import { createJsonLogger, Redactor } from "./log";
import { createCredentialsResolver, DEFAULT_SECRET_TTL_MS, registerCredentials, resolveApiKey, SecretCache, type SecretsClient } from "./secrets";
import { createVns3Reader, type Vns3Reader } from "./vns3-client";

/** The part of the Lambda context the checker uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  readonly awsRequestId?: string;
}

/** What an invocation resolves with (visible in test invokes and the Lambda console). */
export interface HandlerResult {
  readonly environment: string;
  readonly controllersUp: number;
  readonly controllersDown: number;
  readonly tunnelsUp: number;
  readonly tunnelsDown: number;
  readonly tunnelsDisabled: number;
  /** Over the controllers whose subnets were compared; "unknown" when none were (see `subnets`). */
  readonly unmatchedSubnets: number | "unknown";
  /** Per controller: subnets compared (with the count) or unknown (with why). */
  readonly subnets: readonly SubnetState[];
  readonly datadog: { readonly status: "accepted" | "dry_run"; readonly requests: number; readonly attempts: number };
  readonly durationMs: number;
}

/** Dependencies and tuning of {@link createHandler}; all optional, defaults are production. */
export interface HandlerOptions {
  /** Environment variables. @default process.env */
  readonly env?: EnvRecord;
  /** Secrets Manager client. @default a SecretsManagerClient with bounded timeouts */
  readonly secretsClient?: SecretsClient;
  /** Secret cache TTL. @default 5 minutes */
  readonly secretTtlMs?: number;
  /** Controller reader. @default createVns3Reader() */
  readonly reader?: Vns3Reader;
  /** Datadog retry policy overrides. @default DEFAULT_RETRY_POLICY */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Check tuning. @default CheckOptions defaults */
  readonly check?: CheckOptions;
  /** Where log lines go. @default stdout */
  readonly write?: (line: string) => void;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
}

/** The handler signature (event content is ignored: any schedule or manual invoke triggers a check). */
export type CheckerHandler = (event: unknown, context: LambdaContext) => Promise<HandlerResult>;

/** The Datadog API key could not be obtained: nothing can be delivered, so the invocation fails. */
export class ApiKeyUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`Datadog API key unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "ApiKeyUnavailableError";
  }
}

/** An Error whose message and stack went through the redactor (the runtime logs both). */
function redactedError(error: unknown, redactor: Redactor): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const safe = new Error(redactor.redact(source.message));
  safe.name = source.name;
  safe.stack = redactor.redact(source.stack ?? `${source.name}: ${source.message}`);
  return safe;
}

/** Build a handler with its own warm state. Tests create one per case; Lambda uses {@link handler}. */
export function createHandler(options: HandlerOptions = {}): CheckerHandler {
  const env = options.env ?? process.env;
  const clock = options.clock ?? systemClock;
  const redactor = new Redactor();
  const secretsClient =
    options.secretsClient ??
    // SDK defaults have no request timeout; the invocation's deadline bounds the wait anyway, these
    // keep a stuck connection from being reused across invocations.
    new SecretsManagerClient({ maxAttempts: 2, requestHandler: { connectionTimeout: 3_000, requestTimeout: 5_000 } });
  const secrets = new SecretCache({ client: secretsClient, ttlMs: options.secretTtlMs ?? DEFAULT_SECRET_TTL_MS, clock, onValue: (value) => redactor.add(value) });
  const credentials = createCredentialsResolver(secrets, redactor);
  const reader = options.reader ?? createVns3Reader({ clock });
  // Warm-container memory: last delivery attempts (sent as a health gauge next time) and each
  // controller's last tunnels (tag context while it is down).
  const state = createCheckState();
  let config: CheckerConfig | undefined;
  let sink: { readonly apiKey: string; readonly sink: MetricsSink } | undefined;

  const loadConfig = (): CheckerConfig => {
    if (config === undefined) {
      const parsed = parseCheckerConfig(env);
      for (const c of parsed.controllers) {
        if (c.credentials.kind !== "secret") registerCredentials(redactor, c.credentials);
      }
      if (parsed.datadog.apiKey.kind === "inline") redactor.add(parsed.datadog.apiKey.apiKey);
      config = parsed;
    }
    return config;
  };

  return async (_event, context) => {
    const deadline = Deadline.after(context.getRemainingTimeInMillis(), clock);
    const logger = createJsonLogger({
      redactor,
      now: () => clock.now(),
      write: options.write,
      ...(context.awsRequestId !== undefined ? { base: { request_id: context.awsRequestId } } : {}),
    });
    try {
      const cfg = loadConfig();
      let apiKey: string;
      try {
        // Bounded so a slow Secrets Manager cannot eat the controllers' and Datadog's time.
        apiKey = await resolveApiKey(cfg.datadog.apiKey, secrets, deadline.cappedAt(Math.max(1_000, deadline.remainingMs() / 4)), redactor);
      } catch (error) {
        throw new ApiKeyUnavailableError(error);
      }
      // Kept across invocations while the key is the same (it rotates through the secret cache).
      if (sink === undefined || sink.apiKey !== apiKey) {
        sink = { apiKey, sink: createDatadogSink({ apiKey, site: cfg.datadog.site, apiUrl: cfg.datadog.apiUrl, retry: options.retry }) };
      }
      const result = await runCheck(cfg, { reader, credentials, sink: sink.sink, clock, logger, state }, deadline, options.check);
      const { summary } = result;
      return {
        environment: cfg.environment,
        controllersUp: summary.controllersUp,
        controllersDown: summary.controllersDown,
        tunnelsUp: summary.tunnelsUp,
        tunnelsDown: summary.tunnelsDown,
        tunnelsDisabled: summary.tunnelsDisabled,
        unmatchedSubnets: summary.subnets.some((s) => s.state === "read") ? summary.unmatchedSubnets : "unknown",
        subnets: summary.subnets,
        datadog: { status: result.delivery.series.status, requests: result.delivery.series.requests, attempts: result.delivery.series.attempts },
        durationMs: result.durationMs,
      };
    } catch (error) {
      // runCheck logs its own failure line; configuration and API key problems are logged here.
      if (error instanceof ConfigError || error instanceof ApiKeyUnavailableError) {
        logger.log("error", "check failed", { error: error.message });
      }
      throw redactedError(error, redactor);
    }
  };
}

/** The Lambda entry point. */
export const handler: CheckerHandler = createHandler();
