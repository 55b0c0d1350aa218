/**
 * The sink `npm run check` hands to `runCheck`: it keeps a copy of every series and event, for
 * the printout, and passes them on to the real Datadog sink with --send (nothing without it). The
 * delivery itself, its retries and its errors, stay the checker's own code.
 */
import type { DeliveryStats, MetricsSink, SeriesDelivery } from "../../handler/datadog-sink";
import type { CheckEvent, MetricSeries } from "../../handler/core";
import type { Deadline } from "../../handler/deadline";

export class TeeSink implements MetricsSink {
  /** Every series submitted, in order. */
  readonly series: MetricSeries[] = [];
  /** Every event submitted, in order. */
  readonly events: CheckEvent[] = [];

  /** @param target the real sink; undefined records only (a dry run). */
  constructor(private readonly target: MetricsSink | undefined) {}

  async submitSeries(series: readonly MetricSeries[], deadline: Deadline): Promise<SeriesDelivery> {
    this.series.push(...series);
    return this.target === undefined ? { status: "dry_run", requests: 0, attempts: 0 } : this.target.submitSeries(series, deadline);
  }

  async submitEvent(event: CheckEvent, deadline: Deadline): Promise<DeliveryStats> {
    this.events.push(event);
    return this.target === undefined ? { requests: 0, attempts: 0 } : this.target.submitEvent(event, deadline);
  }
}
