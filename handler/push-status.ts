/**
 * Whether a controller's push path is still there: the checker reads `GET /api/alerts` every few
 * checks (not every minute: the alert list rarely changes and each read is one more request per
 * controller) and sends `vpn.controller.push_configured` 1 when the environment's alert
 * (`vpn-monitor-<environment>`, made by `npm run alerts -- --apply`) exists and is enabled, else 0.
 * Between reads it repeats the last value it read, from the warm container's state; a cold start
 * reads at once. A failed read sends nothing for that controller (its `vpn.controller.up` already
 * says why), so a 0 always means "read, and the alert is missing or disabled".
 *
 * Pure: the reader plugs into the checker's GET client (`vns3Get(target, credentials,
 * PUSH_ALERTS_PATH, () => pushAlertsReader(environment), options)`), the schedule holds only times
 * and values. `GET /api/alerts` answers `{"response": [Alert]}` with `name` and `enabled` (Cohesive's
 * OpenAPI description, schema `AlertsListResponse`; python-cohesivenet-sdk tests/vns3/stub_data.py
 * `AlertsListResponse`).
 */
import { METRICS, TAG_KEYS } from "../contract/metrics";
import { pushResourceName } from "../contract/push";
import { GAUGE_TYPE, type MetricSeries } from "./core";
import { tag } from "./tags";
import { BadResponseError, type ResponseReader } from "./vns3-responses";

/** The path the checker reads (relative to the controller's base URL, like contract/vns3.ts's paths). */
export const PUSH_ALERTS_PATH = "/api/alerts";

/** Default time between two reads of one controller's alerts. */
export const DEFAULT_PUSH_CHECK_EVERY_MS = 15 * 60 * 1000;

/** Reader of `GET /api/alerts`: 1 when an alert named for the environment is enabled, else 0. */
export function pushAlertsReader(environment: string): ResponseReader<0 | 1> {
  const wanted = pushResourceName(environment);
  let configured: 0 | 1 = 0;
  return {
    container: "array",
    entry(key, value) {
      if (typeof value !== "object" || value === null) throw new BadResponseError(`unexpected body at response[${key.slice(0, 10)}]: expected an alert object`);
      const alert = value as { name?: unknown; enabled?: unknown };
      if (alert.name === wanted && alert.enabled === true) configured = 1;
    },
    finish: () => configured,
  };
}

/**
 * When each controller's alerts are next due and what they said last. One per warm container
 * (module scope in the Lambda), like the checker's other warm state.
 */
export class PushStatusSchedule {
  private readonly lastRead = new Map<string, { atMs: number; value: 0 | 1 }>();

  /** @param everyMs time between reads of one controller. @default 15 minutes */
  constructor(private readonly everyMs: number = DEFAULT_PUSH_CHECK_EVERY_MS) {}

  /** Whether this check should read the controller's alerts (never read, or read `everyMs` ago or more). */
  due(controller: string, nowMs: number): boolean {
    const last = this.lastRead.get(controller);
    return last === undefined || nowMs - last.atMs >= this.everyMs || nowMs < last.atMs;
  }

  /** Records a successful read. */
  record(controller: string, nowMs: number, value: 0 | 1): void {
    this.lastRead.set(controller, { atMs: nowMs, value });
  }

  /** Forgets a controller after a failed read: the next check tries again, and nothing is sent meanwhile. */
  forget(controller: string): void {
    this.lastRead.delete(controller);
  }

  /** The value to send this check, or undefined when none was read yet. */
  value(controller: string): 0 | 1 | undefined {
    return this.lastRead.get(controller)?.value;
  }
}

/** The series for one controller, tagged like `vpn.controller.up`. */
export function pushConfiguredSeries(environment: string, controller: string, value: 0 | 1, timestamp: number): MetricSeries {
  return {
    metric: METRICS.controllerPushConfigured,
    type: GAUGE_TYPE,
    points: [{ timestamp, value }],
    tags: [tag(TAG_KEYS.environment, environment), tag(TAG_KEYS.controller, controller)],
  };
}
