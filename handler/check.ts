/**
 * One full check with injected dependencies: read every controller concurrently, build the
 * report with the pure core, deliver it, log. The Lambda handler (and so the benchmark, which runs
 * the built handler bundle) and `npm run check` go through {@link runCheck}; they differ only in
 * the dependencies they pass: the Lambda the real Datadog sink and a warm-container
 * {@link CheckState}, `npm run check` a recording sink for a dry run or the real sink with
 * `--send`.
 */
import type { CheckerConfig, ControllerConfig } from "./config";
import { SIGNAL_GROUPS } from "../contract/signals";
import { buildCheckReport, type CheckEvent, type CheckReport, type CheckSummary, type ControllerMemory, type ControllerReading, type KnownTunnel, type TagMemory } from "./core";
import { Deadline, systemClock, type Clock } from "./deadline";
import { DeliveryError, type MetricsSink, type SeriesDelivery } from "./datadog-sink";
import { silentLogger, type Logger } from "./log";
import { PushStatusSchedule } from "./push-status";
import { compactString, endpointNameTag, MAX_CACHED_INPUT_LENGTH, tunnelNameTag } from "./tags";
import type { CredentialsResolver } from "./secrets";
import { classifyReadError, type ReadWants, type Vns3Credentials, type Vns3Reader } from "./vns3-client";

/** The I/O a check needs. */
export interface CheckDeps {
  /** Reads one controller (real: {@link createVns3Reader}). */
  readonly reader: Vns3Reader;
  /** Gives a controller's credentials (real: {@link createCredentialsResolver}). */
  readonly credentials: CredentialsResolver;
  /** Receives series and events (real: createDatadogSink; dry run: RecordingSink). */
  readonly sink: MetricsSink;
  /** Time source for timestamps and durations. @default systemClock */
  readonly clock?: Clock;
  /** Structured log output. @default silentLogger */
  readonly logger?: Logger;
  /**
   * What this container remembers between checks (the Lambda keeps one per warm container).
   * Without it no `vpn.checker.delivery_attempts` point is sent and a down controller's tunnels
   * do not take part in making tags unique. @default none
   */
  readonly state?: CheckState;
}

/** What a warm container carries from one check to the next. Mutated by {@link runCheck}. */
export interface CheckState {
  /** Series delivery attempts of the previous check, accepted or not; undefined before the first. */
  lastDeliveryAttempts: number | undefined;
  /** Per controller, its tunnels as last read, tag-normalized (bounded size): the tag context while it is down. */
  readonly lastTunnels: Map<string, readonly KnownTunnel[]>;
  /**
   * Per configured controller, the SAs, uptime and version of the previous check (traffic,
   * re-establishment, reboot). Replaced by each check's report: removed controllers and tunnels drop out.
   */
  memory: ReadonlyMap<string, ControllerMemory>;
  /** The previous check's tag assignment (reused while the tunnels are the same); replaced by each check's report. */
  tags?: TagMemory | undefined;
  /** When each controller's alerts are next due and what they said (push on only); made by the first check that needs it. */
  push?: PushStatusSchedule;
}

/** A fresh {@link CheckState} (a cold start). */
export function createCheckState(): CheckState {
  return { lastDeliveryAttempts: undefined, lastTunnels: new Map(), memory: new Map() };
}

/** Remember what the up controllers reported, normalized so no long controller text is kept. */
function rememberTunnels(state: CheckState, readings: readonly ControllerReading[]): void {
  for (const reading of readings) {
    if (!reading.up) continue;
    state.lastTunnels.set(
      reading.controller,
      reading.tunnels.map((t) => ({
        controller: reading.controller,
        id: t.id,
        // Normalizing is idempotent: the stored value tags exactly like the description did. A
        // description too long for the normalization cache comes back as a slice of its whole
        // normalized text: copied out, or every remembered tunnel keeps that text alive between checks.
        description: t.description.length > MAX_CACHED_INPUT_LENGTH ? compactString(tunnelNameTag(t.description)) : tunnelNameTag(t.description),
        ...(t.endpointName !== undefined ? { endpointName: endpointNameTag(t.endpointName) } : {}),
        endpointId: t.endpointId,
      })),
    );
  }
}

/** The subnet part of the summary line: a count only where subnets were compared. */
function subnetFields(summary: CheckSummary): Record<string, unknown> {
  const read = summary.subnets.filter((s) => s.state === "read");
  return {
    // Never a 0 that would claim "all carried" when nothing was compared.
    unmatched_subnets: read.length > 0 ? summary.unmatchedSubnets : "unknown",
    subnets: summary.subnets.map((s) => (s.state === "read" ? { controller: s.controller, state: s.state, unmatched: s.unmatched } : { controller: s.controller, state: s.state, reason: s.reason })),
  };
}

/** The health part of the summary line: bounded, one entry per controller. */
function healthFields(summary: CheckSummary): Record<string, unknown>[] {
  return summary.health.map((h) =>
    h.state === "read" ? { controller: h.controller, state: h.state, ...(h.rebooted ? { rebooted: true } : {}) } : h.state === "unavailable" ? { controller: h.controller, state: h.state, reason: h.reason.slice(0, 200) } : { controller: h.controller, state: h.state },
  );
}

/** Tuning of one check. */
export interface CheckOptions {
  /**
   * Time kept back from the controller reads for delivering to Datadog.
   * @default 30% of the budget, between 1 s and 10 s
   */
  readonly datadogReserveMs?: number;
  /** Time kept at the very end for logging and returning. @default 250 */
  readonly finalMarginMs?: number;
  /** Cap on unmatched-subnet events per check. @default 25 */
  readonly maxEvents?: number;
  /** Events in flight at once. @default 4 */
  readonly eventConcurrency?: number;
  /**
   * Send the checker's health gauges (`vpn.checker.duration_ms`, `vpn.checker.delivery_attempts`).
   * They describe the scheduled checker, so by default only a caller with a warm-container
   * `deps.state` (the Lambda) sends them; a one-off run (`npm run check --send`) does not pretend
   * to be the checker. @default deps.state !== undefined
   */
  readonly health?: boolean;
}

/** Delivery outcome of a check. */
export interface CheckDelivery {
  readonly series: SeriesDelivery;
  readonly events: { readonly sent: number; readonly failed: number };
}

/** Everything a check produced. */
export interface CheckResult extends CheckReport {
  /** One reading per configured controller, in configuration order. */
  readonly readings: readonly ControllerReading[];
  readonly delivery: CheckDelivery;
  /** Wall time of the whole check. */
  readonly durationMs: number;
}

/** Datadog reserve when not given: 30% of the budget, clamped to [1 s, 10 s]. */
export function defaultDatadogReserveMs(budgetMs: number): number {
  return Math.min(10_000, Math.max(1_000, Math.round(budgetMs * 0.3)));
}

/**
 * After a successful read, the push path's alerts when they are due: best effort under the same
 * read deadline, so it never delays delivery nor changes `vpn.controller.up`.
 */
async function readPushStatus(controller: ControllerConfig, credentials: Vns3Credentials, config: CheckerConfig, deps: CheckDeps, schedule: PushStatusSchedule, deadline: Deadline, clock: Clock): Promise<void> {
  const read = deps.reader.readPushAlerts;
  if (read === undefined || !schedule.due(controller.name, clock.now())) return;
  try {
    schedule.record(controller.name, clock.now(), await read.call(deps.reader, controller, credentials, deadline, config.environment));
  } catch (error) {
    schedule.forget(controller.name);
    deps.logger?.log("warn", "controller alerts unreadable", { vpn_environment: config.environment, controller: controller.name, ...classifyReadError(error) });
  }
}

async function readController(controller: ControllerConfig, deps: CheckDeps, deadline: Deadline, clock: Clock, want: ReadWants, push?: { config: CheckerConfig; schedule: PushStatusSchedule }): Promise<ControllerReading> {
  const started = clock.now();
  let credentials;
  try {
    credentials = await deps.credentials.resolve(controller, deadline);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { controller: controller.name, up: false, reason: "credentials", detail, durationMs: clock.now() - started };
  }
  let reading: ControllerReading;
  try {
    reading = await deps.reader.read(controller, credentials, deadline, want);
  } catch (error) {
    // Readers report failures as readings; this only guards against one that throws anyway.
    reading = { controller: controller.name, up: false, ...classifyReadError(error), durationMs: clock.now() - started };
  }
  if (!reading.up && reading.reason === "auth") deps.credentials.invalidate?.(controller);
  if (reading.up && push !== undefined) await readPushStatus(controller, credentials, push.config, deps, push.schedule, deadline, clock);
  return reading;
}

async function sendEvents(events: readonly CheckEvent[], sink: MetricsSink, deadline: Deadline, concurrency: number, logger: Logger): Promise<{ sent: number; failed: number }> {
  let next = 0;
  let sent = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const event = events[next++] as CheckEvent;
      try {
        await sink.submitEvent(event, deadline);
        sent += 1;
      } catch (error) {
        failed += 1;
        logger.log("warn", "event not delivered", { controller: event.controller, ...(event.subnet !== undefined ? { subnet: event.subnet } : {}), error: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, events.length)) }, worker));
  return { sent, failed };
}

/**
 * Run one check.
 * - Controllers are read concurrently under `deadline` minus a Datadog reserve; one failing
 *   controller never stops the others.
 * - With a `deps.state` (or `options.health`), the checker's health goes out with the series:
 *   `vpn.checker.duration_ms` (start of the check until delivery begins) and
 *   `vpn.checker.delivery_attempts` of the PREVIOUS check (a request cannot carry its own count).
 * - Series go out in one request (split only past the payload limit) and events alongside;
 *   an event failure is logged and never hides the series.
 * - Logs one warning per down controller, per unreadable or uncomparable subnet answer, one when
 *   names are shared (tagged with a suffix), and one summary line.
 * @throws DeliveryError when the series could not be delivered (after the summary line is logged).
 */
export async function runCheck(config: CheckerConfig, deps: CheckDeps, deadline: Deadline, options: CheckOptions = {}): Promise<CheckResult> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger;
  const started = clock.now();
  const budget = deadline.remainingMs();
  const finalMargin = options.finalMarginMs ?? 250;
  const reserve = options.datadogReserveMs ?? defaultDatadogReserveMs(budget);
  const readDeadline = deadline.shortenedBy(reserve + finalMargin);
  const sendDeadline = deadline.shortenedBy(finalMargin);

  const signals = config.signals ?? new Set(SIGNAL_GROUPS);
  // A group that is off costs nothing: no tunnel_params kept, no /api/status/system request.
  const want: ReadWants = { tunnelParams: signals.has("phase") || signals.has("traffic"), system: signals.has("health") };
  // Push on: a warm container keeps its schedule (reads every few checks); a one-off run reads once.
  let push: { config: CheckerConfig; schedule: PushStatusSchedule } | undefined;
  if (config.pushCheckEveryMinutes !== undefined) {
    const schedule = deps.state?.push ?? new PushStatusSchedule(config.pushCheckEveryMinutes * 60_000);
    if (deps.state !== undefined) deps.state.push = schedule;
    push = { config, schedule };
  }
  const readings = await Promise.all(config.controllers.map((controller) => readController(controller, deps, readDeadline, clock, want, push)));
  const pushConfigured = push === undefined ? undefined : new Map(readings.flatMap((r) => { const value = push.schedule.value(r.controller); return r.up && value !== undefined ? [[r.controller, value] as const] : []; }));

  for (const reading of readings) {
    if (!reading.up) {
      logger.log("warn", "controller down", { vpn_environment: config.environment, controller: reading.controller, reason: reading.reason, detail: reading.detail, duration_ms: reading.durationMs });
    } else if (!reading.subnets.ok) {
      logger.log("warn", "connected subnets unreadable", { vpn_environment: config.environment, controller: reading.controller, reason: reading.subnets.reason, detail: reading.subnets.detail });
    }
    if (reading.up && reading.system !== undefined && !reading.system.ok) {
      // Best effort: the controller stays up; an older controller answers 404 here.
      logger.log("warn", "controller health unreadable", { vpn_environment: config.environment, controller: reading.controller, reason: reading.system.reason, detail: reading.system.detail });
    }
  }

  const state = deps.state;
  const down = new Set(readings.filter((r) => !r.up).map((r) => r.controller));
  const knownTunnels = state === undefined ? [] : [...state.lastTunnels].filter(([controller]) => down.has(controller)).flatMap(([, tunnels]) => tunnels);
  const report = buildCheckReport({
    environment: config.environment,
    readings,
    timestamp: Math.floor(clock.now() / 1000),
    maxEvents: options.maxEvents,
    knownTunnels,
    signals,
    ...(pushConfigured !== undefined ? { pushConfigured } : {}),
    ...(state !== undefined ? { previous: state.memory } : {}),
    previousTags: state?.tags,
    ...((options.health ?? state !== undefined) ? { health: { durationMs: clock.now() - started, ...(state?.lastDeliveryAttempts !== undefined ? { previousDeliveryAttempts: state.lastDeliveryAttempts } : {}) } } : {}),
  });
  // Delivery starts before the bookkeeping below: by the time these calls return, the requests are
  // written, and what follows (remembering for the next check, warnings) runs while Datadog answers.
  const seriesDelivery = deps.sink.submitSeries(report.series, sendDeadline);
  const eventsDelivery = sendEvents(report.events, deps.sink, sendDeadline, options.eventConcurrency ?? 4, logger);
  if (state !== undefined) {
    rememberTunnels(state, readings);
    state.memory = report.memory;
    state.tags = report.tagMemory;
  }

  for (const subnets of report.summary.subnets) {
    // Failed reads and down controllers are logged above; this is the answer without origins.
    const reading = readings.find((r) => r.controller === subnets.controller);
    if (subnets.state === "unknown" && reading?.up === true && reading.subnets.ok) {
      logger.log("warn", "connected subnets not compared", { vpn_environment: config.environment, controller: subnets.controller, reason: subnets.reason });
    }
  }
  const { sharedDescriptions, sharedEndpointNames } = report.summary;
  if (sharedDescriptions.length > 0 || sharedEndpointNames.length > 0) {
    // Bounded: a definition with thousands of copies must not make a megabyte log line.
    logger.log("warn", "shared names tagged with a suffix", {
      vpn_environment: config.environment,
      shared_descriptions: sharedDescriptions.slice(0, 20).map((d) => ({ tag: d.tag, tunnels: d.tunnels.slice(0, 10) })),
      shared_endpoint_names: sharedEndpointNames.slice(0, 20).map((e) => ({ tag: e.tag, endpoints: e.endpoints.slice(0, 10) })),
    });
  }

  const [seriesOutcome, eventsOutcome] = await Promise.allSettled([seriesDelivery, eventsDelivery]);
  const events = eventsOutcome.status === "fulfilled" ? eventsOutcome.value : { sent: 0, failed: report.events.length };
  const durationMs = clock.now() - started;
  const { summary } = report;
  const line = {
    vpn_environment: config.environment,
    controllers_up: summary.controllersUp,
    controllers_down: summary.controllersDown,
    tunnels_up: summary.tunnelsUp,
    tunnels_down: summary.tunnelsDown,
    tunnels_disabled: summary.tunnelsDisabled,
    ...subnetFields(summary),
    shared_descriptions: summary.sharedDescriptions.length,
    shared_endpoint_names: summary.sharedEndpointNames.length,
    ...(signals.has("traffic") ? { reestablished: summary.reestablished } : {}),
    ...(signals.has("health") ? { health: healthFields(summary) } : {}),
    events_sent: events.sent,
    events_failed: events.failed,
    events_suppressed: summary.eventsSuppressed,
    series: report.series.length,
    duration_ms: durationMs,
    down: summary.down,
  };

  if (seriesOutcome.status === "rejected") {
    const error = seriesOutcome.reason as unknown;
    const stats = error instanceof DeliveryError ? error.stats : { requests: 0, attempts: 0 };
    if (state !== undefined) state.lastDeliveryAttempts = stats.attempts;
    const message = error instanceof Error ? error.message : String(error);
    logger.log("error", "check failed", {
      ...line,
      datadog: { status: "failed", requests: stats.requests, attempts: stats.attempts, http_status: error instanceof DeliveryError ? error.status : undefined, error: message },
    });
    throw error instanceof DeliveryError ? error : new DeliveryError(message, undefined, stats);
  }
  const series = seriesOutcome.value;
  if (state !== undefined) state.lastDeliveryAttempts = series.attempts;
  logger.log("info", "check complete", { ...line, datadog: { status: series.status, requests: series.requests, attempts: series.attempts } });
  return { ...report, readings, delivery: { series, events }, durationMs };
}
