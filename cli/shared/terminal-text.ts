/**
 * Text a controller (or any remote party) sent, made safe to print on a terminal. Anything it
 * sends is untrusted: an ESC sequence can recolour, move the cursor or rewrite earlier lines, a
 * bare `\r` can overwrite a line, and bidirectional overrides can make text read backwards.
 */

/** Longest remote text printed in one place, in code points (the `…` included). */
export const DEFAULT_MAX_TERMINAL_TEXT = 200;

/** Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069), marks and separators. */
const INVISIBLE_CONTROLS = new Set([0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0xfeff]);

const NAMED: Readonly<Record<number, string>> = { 0x09: "\\t", 0x0a: "\\n", 0x0d: "\\r", 0x1b: "\\e" };

function escapeCodePoint(code: number): string {
  const named = NAMED[code];
  if (named !== undefined) return named;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** Whether a code point must not reach the terminal as is: C0, DEL, C1, bidi and line controls. */
function isControl(code: number): boolean {
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || INVISIBLE_CONTROLS.has(code);
}

/**
 * `text` with every control character written as a visible escape (`\e`, `\r`, `\x07`,
 * `\u202e`), cut to `maxLength` code points with a trailing `…`. Printable text, accents and
 * emoji included, passes unchanged.
 */
export function terminalSafe(text: string, maxLength: number = DEFAULT_MAX_TERMINAL_TEXT): string {
  let out = "";
  let length = 0;
  // Where the text would be cut if it turns out too long: the last piece boundary within maxLength - 1.
  let cut = 0;
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    const piece = isControl(code) ? escapeCodePoint(code) : char;
    const pieceLength = isControl(code) ? piece.length : 1;
    if (length + pieceLength > maxLength) return `${out.slice(0, cut)}…`;
    out += piece;
    length += pieceLength;
    if (length <= maxLength - 1) cut = out.length;
  }
  return out;
}
