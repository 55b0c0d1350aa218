/**
 * Datadog tag values as every layer builds them: the checker when it sends, the stacks in monitor
 * queries and downtime scopes, the CLIs when they match a name. One rule, so `{{tunnel.name}}` in a
 * notification and the tag in a query are predictable and every tag we send is valid as sent.
 *
 * Rules (Datadog's "Getting started with tags", content/en/getting_started/tagging/_index.md in
 * DataDog/documentation, and the Agent's normalizer):
 * - Unicode NFC first, so a decomposed "é" (e + combining accent) and a composed "é" give one tag.
 * - Lowercase (Unicode-aware), then NFC again: lowercasing can decompose (e.g. "İ").
 * - Keep letters of any script (`\p{L}`), decimal digits of any script (`\p{Nd}`) and `_ - : . /`;
 *   every other character becomes `_`. Non-ASCII letters are KEPT ("Zürich" → "zürich"), as
 *   Datadog keeps them; we never transliterate, so the tag matches what Datadog would store.
 * - Runs of `_` collapse to one.
 * - A value never ends with `_` or `:` ("A tag cannot end with a colon"): both are trimmed.
 * - A whole tag (`key:value`) is at most 200 characters (code points, never splitting a surrogate
 *   pair); the value is cut to fit after its key.
 */

/** Maximum length of one Datadog tag, key and value included. */
export const MAX_TAG_LENGTH = 200;

/**
 * Longest input (UTF-16 units) looked at. Anything a controller sends is untrusted: a 5 MB
 * description must not cost 5 MB of regex work per tunnel. Normalization only shortens text except
 * for runs of dropped characters, so cutting at 4× the longest tag changes a result only for an
 * input with hundreds of consecutive symbols before its 200th kept character.
 */
export const MAX_TAG_INPUT_LENGTH = 4 * MAX_TAG_LENGTH;

/** Inputs longer than this are normalized but never remembered (the cache holds short keys only). */
export const MAX_CACHED_INPUT_LENGTH = MAX_TAG_LENGTH;

/** Entries the normalization cache holds at most; the oldest entry (of the same length) goes first. */
export const MAX_CACHED_ENTRIES = 8192;

const DISALLOWED = /[^\p{L}\p{Nd}_\-:./]/gu;
/** What a tag value may not end with (Datadog: "A tag cannot end with a colon"; the Agent trims `_`). */
export const TRAILING = /[_:]+$/u;

/** Per maximum length, input → normalized value (a map per length: no key string is built per lookup). */
const normalized = new Map<number, Map<string, string>>();
let cachedEntries = 0;

/**
 * Normalize a tag value the way Datadog does. Returns "" when nothing survives (callers decide
 * the fallback, e.g. the tunnel id for an empty description).
 * @param maxLength maximum length in code points. @default 200
 */
export function normalizeTagValue(value: string, maxLength: number = MAX_TAG_LENGTH): string {
  // Tunnel descriptions and endpoint names rarely change, and a warm container normalizes the
  // same strings every minute: remember short ones, in a bounded map, so odd input cannot grow it.
  if (value.length > MAX_CACHED_INPUT_LENGTH) return normalizeUncached(value, maxLength);
  let forLength = normalized.get(maxLength);
  if (forLength === undefined) normalized.set(maxLength, (forLength = new Map()));
  const known = forLength.get(value);
  if (known !== undefined) return known;
  if (cachedEntries >= MAX_CACHED_ENTRIES) {
    // The oldest entry of this length goes first (of the oldest length when this one has none).
    const from = forLength.size > 0 ? forLength : [...normalized.values()].find((m) => m.size > 0);
    const oldest = from?.keys().next();
    if (from !== undefined && oldest !== undefined && oldest.done !== true) {
      from.delete(oldest.value);
      cachedEntries -= 1;
    }
  }
  const result = normalizeUncached(value, maxLength);
  forLength.set(value, result);
  cachedEntries += 1;
  return result;
}

/** Entries in the normalization cache now (for tests of its bound). */
export function normalizationCacheSize(): number {
  return cachedEntries;
}

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair. */
function cutInput(value: string, max: number): string {
  if (value.length <= max) return value;
  const code = value.charCodeAt(max - 1);
  return value.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** The first `max` code points (a pair of surrogates is one), without building an array of them. */
function firstCodePoints(value: string, max: number): string {
  if (value.length <= max) return value; // UTF-16 units ≥ code points
  let end = 0;
  for (let count = 0; count < max && end < value.length; count += 1) {
    const code = value.charCodeAt(end);
    const low = end + 1 < value.length ? value.charCodeAt(end + 1) : 0;
    end += code >= 0xd800 && code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : 1;
  }
  return value.slice(0, end);
}

/** Number of code points, without building an array of them. */
export function codePointLength(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff || i === 0 || value.charCodeAt(i - 1) < 0xd800 || value.charCodeAt(i - 1) > 0xdbff) count += 1;
  }
  return count;
}

/** Cut to `max` code points, then drop what a value may not end with. */
/** `value` cut to at most `max` code points, never leaving a trailing `_` or `:`. */
export function cutValue(value: string, max: number): string {
  return firstCodePoints(value, Math.max(0, max)).replace(TRAILING, "");
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const DISALLOWED_ASCII = /[^a-z0-9_\-:./]/g;

function normalizeUncached(value: string, maxLength: number): string {
  const input = cutInput(value, MAX_TAG_INPUT_LENGTH);
  // Most descriptions are printable ASCII: NFC is then the identity and only ASCII letters and
  // digits exist, so the cheaper ASCII pattern gives the same result as the Unicode one.
  const replaced = PRINTABLE_ASCII.test(input)
    ? input.toLowerCase().replace(DISALLOWED_ASCII, "_").replace(/_+/g, "_")
    : input.normalize("NFC").toLowerCase().normalize("NFC").replace(DISALLOWED, "_").replace(/_+/g, "_");
  // Cut before trimming, so a cut that lands after an `_` or `:` is trimmed too.
  return cutValue(replaced, maxLength);
}

/**
 * The same text in a string of its own. V8 represents a slice or a concatenation of strings as a
 * reference to its parts, so a 200-character tag cut from an 800-character description keeps all
 * 800 alive; a tag kept for the length of a check (in a series) should own only its own characters.
 * A UTF-8 round trip is exact here: a tag value holds no lone surrogate (DISALLOWED replaces them).
 */
export function compactString(value: string): string {
  return Buffer.from(value, "utf8").toString("utf8");
}

/** Room for the value of tag `key` in a 200-character tag. */
export function maxValueLength(key: string): number {
  return MAX_TAG_LENGTH - key.length - 1;
}

/**
 * Build `key:value` with the value normalized and cut so the whole tag fits in 200 characters.
 * `key` must already be a valid lowercase tag key (ours are constants in contract/metrics.ts).
 */
export function tag(key: string, value: string): string {
  return `${key}:${normalizeTagValue(value, maxValueLength(key))}`;
}
