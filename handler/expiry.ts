/**
 * Days left before a controller becomes unreadable on its own: its pinned certificate's end of
 * validity (`valid_to` of the certificate the checker saw in its own last full TLS handshake) and
 * the definition's `credentialExpires` (the API token's end, as the operator recorded it; the
 * checker never reads `/access/tokens`, whose answer holds every token's value). Pure.
 */
import { utcDayStartMs } from "../contract/calendar-date";
import { METRICS } from "../contract/metrics";
import type { SignalGroup } from "../contract/signals";
import type { MetricSeries } from "./core";

/** What a reading knows about a controller's expiry dates. */
export interface ControllerExpiryFacts {
  /** `valid_to` of the certificate of the last full, trusted handshake, Unix milliseconds. */
  readonly certificateNotAfterMs?: number;
  /** The definition's `credentialExpires`, `YYYY-MM-DD` (the credential is taken to end at 00:00 UTC that day). */
  readonly credentialExpires?: string;
}

const DAY_MS = 86_400_000;

/** Days from `nowMs` to `endMs`, to two decimals; negative once past. */
export function daysLeft(endMs: number, nowMs: number): number {
  return Math.round(((endMs - nowMs) / DAY_MS) * 100) / 100;
}

/**
 * The expiry gauges of one controller, tagged like `vpn.controller.up` without its `reason`.
 * @param base `[vpn_environment:…, controller:…]`
 * @param timestamp Unix seconds of the check
 * @param signals enabled groups; nothing unless `expiry` is one. @default every group
 */
export function expirySeries(facts: ControllerExpiryFacts | undefined, base: readonly string[], timestamp: number, signals?: ReadonlySet<SignalGroup>): MetricSeries[] {
  if (facts === undefined || (signals !== undefined && !signals.has("expiry"))) return [];
  const series: MetricSeries[] = [];
  const nowMs = timestamp * 1000;
  const gauge = (metric: string, value: number): MetricSeries => ({ metric, type: 3, points: [{ timestamp, value }], tags: base });
  if (facts.certificateNotAfterMs !== undefined) series.push(gauge(METRICS.controllerCertDaysLeft, daysLeft(facts.certificateNotAfterMs, nowMs)));
  const credentialEnd = facts.credentialExpires === undefined ? undefined : utcDayStartMs(facts.credentialExpires);
  if (credentialEnd !== undefined) series.push(gauge(METRICS.controllerCredentialDaysLeft, daysLeft(credentialEnd, nowMs)));
  return series;
}
