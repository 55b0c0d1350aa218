/**
 * cdktf records a full stack trace (with `Error.stackTraceLimit` lifted) for every token it creates,
 * only to point at the construct behind a token that later fails to resolve. That is about 85 traces
 * per environment, and the largest part of synth's time at 1,000 environments. The synthesized JSON
 * does not depend on them (the synth test compares the output with and without), so the app's own
 * synth turns them off. cdktf is pinned, and this reaches into a private module, so every step is
 * guarded: if the module moves, synth runs as before, only slower.
 */
export function skipTokenStackTraces(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a private module, looked up at run time on purpose
    const traces = require("cdktf/lib/tokens/private/stack-trace") as { captureStackTrace?: unknown };
    if (typeof traces.captureStackTrace !== "function") return false;
    // cdktf's callers read the export at each call (`(0, stack_trace_1.captureStackTrace)()`).
    traces.captureStackTrace = (): string[] => [];
    return true;
  } catch {
    return false;
  }
}
