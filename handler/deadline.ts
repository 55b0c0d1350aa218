/**
 * Time budget of one invocation. Every outbound call runs under a Deadline so the invocation
 * always finishes inside the Lambda's own timeout, however the network behaves.
 */

/** Source of wall-clock time in milliseconds since the epoch (injected so tests can fix it). */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Raised (as an abort reason) when a deadline passes. */
export class DeadlineExceededError extends Error {
  constructor(message = "deadline exceeded") {
    super(message);
    this.name = "DeadlineExceededError";
  }
}

/** An absolute point in time by which some work must be over. Immutable. */
export class Deadline {
  /**
   * @param endsAt epoch milliseconds at which the budget is exhausted.
   * @param clock time source. @default systemClock
   */
  constructor(
    readonly endsAt: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** A deadline `ms` from now. */
  static after(ms: number, clock: Clock = systemClock): Deadline {
    return new Deadline(clock.now() + Math.max(0, ms), clock);
  }

  /** Milliseconds left, never negative. */
  remainingMs(): number {
    return Math.max(0, this.endsAt - this.clock.now());
  }

  /** True once no time is left. */
  expired(): boolean {
    return this.remainingMs() <= 0;
  }

  /** A deadline `ms` earlier than this one: keeps a reserve for work that must come after. */
  shortenedBy(ms: number): Deadline {
    return new Deadline(this.endsAt - Math.max(0, ms), this.clock);
  }

  /** This deadline, or `ms` from now if that is sooner: caps one step of the work. */
  cappedAt(ms: number): Deadline {
    return new Deadline(Math.min(this.endsAt, this.clock.now() + Math.max(0, ms)), this.clock);
  }

  /**
   * Run `work` with an AbortSignal that fires when this deadline passes (or when `parent` aborts).
   * The timer is cleared as soon as `work` settles, so nothing lingers after the invocation.
   * Timers use real time even when the clock is injected.
   */
  async run<T>(work: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
    const controller = new AbortController();
    const remaining = this.remainingMs();
    const onParentAbort = (): void => controller.abort(parent?.reason);
    if (parent?.aborted) controller.abort(parent.reason);
    else parent?.addEventListener("abort", onParentAbort, { once: true });
    if (remaining <= 0) controller.abort(new DeadlineExceededError());
    const timer = setTimeout(() => controller.abort(new DeadlineExceededError()), remaining);
    try {
      return await work(controller.signal);
    } finally {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    }
  }
}

/** Resolve after `ms`, or reject with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
