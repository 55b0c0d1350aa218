/**
 * Datadog tag normalization, done on our side so the tag in a monitor query and `{{tunnel.name}}`
 * in a notification are predictable (Datadog would otherwise normalize on intake, the same way).
 *
 * Rules (those of the Datadog Agent):
 * - Unicode NFC first, so a decomposed "é" (e + combining accent) and a composed "é" give one tag.
 * - Lowercase (Unicode-aware), then NFC again: lowercasing can decompose (e.g. "İ").
 * - Keep letters of any script (`\p{L}`), decimal digits of any script (`\p{Nd}`) and `_ - : . /`;
 *   every other character becomes `_`. Non-ASCII letters are KEPT ("Zürich" → "zürich"), as
 *   Datadog keeps them; we never transliterate, so the tag matches what Datadog would store.
 * - Runs of `_` collapse to one; trailing `_` are dropped.
 * - A whole tag (`key:value`) is at most 200 characters (code points, never splitting a surrogate
 *   pair); the value is cut to fit after its key.
 */

/** Maximum length of one Datadog tag, key and value included. */
export const MAX_TAG_LENGTH = 200;

const DISALLOWED = /[^\p{L}\p{Nd}_\-:./]/gu;

/**
 * Normalize a tag value the way Datadog does. Returns "" when nothing survives (callers decide
 * the fallback, e.g. the tunnel id for an empty description).
 * @param maxLength maximum length in code points. @default 200
 */
export function normalizeTagValue(value: string, maxLength: number = MAX_TAG_LENGTH): string {
  // Tunnel descriptions and endpoint names rarely change, and a warm container normalizes the
  // same few thousand strings every minute: remember them (bounded, so odd input cannot grow it).
  const key = `${maxLength}\u0000${value}`;
  const known = normalized.get(key);
  if (known !== undefined) return known;
  if (normalized.size >= MAX_REMEMBERED) normalized.clear();
  const result = normalizeUncached(value, maxLength);
  normalized.set(key, result);
  return result;
}

const MAX_REMEMBERED = 20_000;
const normalized = new Map<string, string>();

function normalizeUncached(value: string, maxLength: number): string {
  const replaced = value.normalize("NFC").toLowerCase().normalize("NFC").replace(DISALLOWED, "_").replace(/_+/g, "_");
  // Truncate by code point before trimming, so a cut that lands after an `_` is trimmed too.
  const truncated = Array.from(replaced).slice(0, Math.max(0, maxLength)).join("");
  return truncated.replace(/_+$/u, "");
}

/**
 * Build `key:value` with the value normalized and cut so the whole tag fits in 200 characters.
 * `key` must already be a valid lowercase tag key (ours are constants).
 */
export function tag(key: string, value: string): string {
  return `${key}:${normalizeTagValue(value, MAX_TAG_LENGTH - key.length - 1)}`;
}
