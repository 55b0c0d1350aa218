/**
 * Security-association tracking across checks of one warm container: byte deltas and unexpected
 * re-establishments from `tunnel_params` (docs/checker.md, "Traffic"). Pure: the previous
 * observation and the time come in as arguments.
 */

/** The checker runs once a minute (stacks' schedule rule `…-every-minute`). */
export const CHECK_INTERVAL_SECONDS = 60;
/**
 * An SA replaced with less than this left to live is an ordinary rekey: two check intervals, so a
 * rekey that lands between two checks, a little early or late, is never counted.
 */
export const REKEY_MARGIN_SECONDS = 2 * CHECK_INTERVAL_SECONDS;

/** What `tunnel_params` says about a tunnel's current SA (handler/vns3-responses.ts). */
export interface SaObservation {
  readonly inboundSpi?: string | undefined;
  readonly outboundSpi?: string | undefined;
  readonly bytesIn?: number | undefined;
  readonly bytesOut?: number | undefined;
  /** Seconds the SA had left (`esp_time_remaining`). */
  readonly espSecondsLeft?: number | undefined;
}

/** An observation and when it was made (unix seconds): what the container keeps per tunnel. */
export interface SaMemory extends SaObservation {
  readonly at: number;
}

/** What changed since the previous observation. Nothing at all after a cold start. */
export interface SaChange {
  readonly bytesIn?: number;
  readonly bytesOut?: number;
  /** 1 when the SA was replaced early, 0 otherwise; absent without a previous observation. */
  readonly reestablished?: 0 | 1;
}

function hasSa(o: SaObservation): boolean {
  return o.inboundSpi !== undefined || o.outboundSpi !== undefined;
}

function spiChanged(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}

/** The counter's growth on the same SA, else the counter itself (a new SA's bytes are all new). */
function delta(sameSa: boolean, before: number | undefined, after: number | undefined): number | undefined {
  if (after === undefined) return undefined;
  return sameSa && before !== undefined && after >= before ? after - before : after;
}

/**
 * Compare the current SA with the previous check's.
 * - Same SA (same SPIs) and a counter that grew: the delta. A changed SPI, or a counter that went
 *   down, is a new SA: its counter is all new, so the delta is the counter itself.
 * - Re-established: both checks saw an SA, an SPI changed, and the old SA's `esp_time_remaining`
 *   minus the time since that check was still more than {@link REKEY_MARGIN_SECONDS}. An SA that
 *   disappeared in between (the tunnel was seen down) is not counted: that down was sampled.
 * Runs once per tunnel per check: no closures or object spreads (they were most of its cost).
 */
export function compareSa(previous: SaMemory | undefined, now: SaObservation, at: number): SaChange {
  if (previous === undefined) return {};
  const bothHaveSa = hasSa(previous) && hasSa(now);
  const replaced = bothHaveSa && (spiChanged(previous.inboundSpi, now.inboundSpi) || spiChanged(previous.outboundSpi, now.outboundSpi));
  const sameSa = bothHaveSa && !replaced;
  const bytesIn = delta(sameSa, previous.bytesIn, now.bytesIn);
  const bytesOut = delta(sameSa, previous.bytesOut, now.bytesOut);
  const lifeLeft = previous.espSecondsLeft === undefined ? undefined : previous.espSecondsLeft - Math.max(0, at - previous.at);
  const reestablished = replaced && lifeLeft !== undefined && lifeLeft > REKEY_MARGIN_SECONDS ? 1 : 0;
  if (bytesIn !== undefined) return bytesOut !== undefined ? { bytesIn, bytesOut, reestablished } : { bytesIn, reestablished };
  return bytesOut !== undefined ? { bytesOut, reestablished } : { reestablished };
}
