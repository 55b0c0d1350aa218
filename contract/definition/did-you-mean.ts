/**
 * "Did you mean …" for near-miss field and flag names (`windowMinute` → `windowMinutes`). Shared
 * by the definition loader and the CLIs' flag checks, so both suggest alike.
 */

/** Edit distance (insertions, deletions, substitutions), case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let previous = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= y.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[y.length]!;
}

/**
 * The closest candidate to `input`, when it is close enough to be a typo: at most a third of the
 * input's length in edits (at least 1, at most 3), or differing only in case.
 */
export function didYouMean(input: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(input.length / 3)));
  let best: { readonly candidate: string; readonly score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(input, candidate);
    if (score <= limit && (best === undefined || score < best.score)) best = { candidate, score };
  }
  return best?.candidate;
}
