/**
 * One cheap pass over an answer's raw bytes, chunk by chunk, BEFORE either JSON reader sees them
 * (handler/vns3-client.ts parses small answers whole with JSON.parse and large ones as a stream).
 * It holds both readers to the same rules, so an answer gives the same result whichever reads it:
 * - nesting deeper than {@link MAX_NESTING_DEPTH} is refused at once: the streaming parser is
 *   quadratic in depth outside `response` (150,000 levels blocked the event loop for 15 s, and
 *   with it every other controller's series);
 * - the bytes must be UTF-8 as the WHATWG decoder reads it in fatal mode (no overlong forms, no
 *   surrogates, nothing past U+10FFFF, no sequence cut at the end): Buffer#toString would replace
 *   what the streaming parser refuses;
 * - a leading byte-order mark is skipped (RFC 8259 §8.1 lets a reader ignore it; the streaming
 *   parser does) and its length reported, for JSON.parse, which would refuse it;
 * - `response` may appear once at the top level (JSON.parse keeps the last, a stream sees both);
 * - the members of an object `response` are counted, so that the whole-body reader can tell that
 *   JSON.parse merged a repeated tunnel id (the stream sees every repeat; the client refuses both).
 * It is not a JSON validator: what it lets through, the parsers still judge.
 */
import { BadResponseError } from "./vns3-responses";

/**
 * Deepest nesting accepted. A VNS3 status answer is 4 deep (`response` → tunnel → `tunnel_params`
 * → value); 64 leaves room for any firmware's additions and keeps the stream parser's cost flat.
 */
export const MAX_NESTING_DEPTH = 64;

/** Longest top-level key decoded to compare with `response` (`\u0072\u0065…` spelled out is 48 bytes). */
const MAX_KEY_BYTES = 64;

const BOM = [0xef, 0xbb, 0xbf];
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** What the scan learned about `response`, once every chunk has been scanned. */
export interface ResponseShape {
  /** The JSON type of `response`, or undefined when the top level has no `response`. */
  readonly type: "object" | "array" | "other" | undefined;
  /** Members of an object `response` as written, repeats included. */
  readonly members: number;
}

export class AnswerScan {
  private offset = 0;
  private bomDone = false;
  private bomMatched = 0;
  private bomLength = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private topIsObject = false;
  private topEnded = false;
  /** At depth 1 in the top object, the next string is a key. */
  private expectKey = false;
  private key: number[] | undefined;
  private keyTooLong = false;
  /** After the `response` key: the next value byte decides its type. */
  private awaitingResponseValue = false;
  /** Inside the container that is `response`'s value (depth 2 and below). */
  private inResponse = false;
  private responseType: ResponseShape["type"];
  private responseSeen = false;
  private responseCommas = 0;
  private responseNonEmpty = false;
  // UTF-8: continuation bytes still expected, and the allowed range of the next one.
  private utf8Needed = 0;
  private utf8Lower = 0x80;
  private utf8Upper = 0xbf;

  /** Leading byte-order mark bytes (0 or 3) that JSON.parse must not see. */
  get bom(): number {
    return this.bomLength;
  }

  /** Scan the next chunk. @throws BadResponseError naming the rule broken (never a value) */
  push(chunk: Uint8Array): void {
    let i = 0;
    if (!this.bomDone) i = this.skipBom(chunk);
    for (; i < chunk.length; i += 1) {
      const byte = chunk[i] as number;
      if (this.utf8Needed > 0 || byte >= 0x80) this.utf8(byte);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) this.endString();
        if (this.key !== undefined && this.inString) this.keyByte(byte);
        continue;
      }
      this.structural(byte);
    }
    this.offset += chunk.length;
  }

  /** Everything is in. @throws BadResponseError when the body ends inside a UTF-8 sequence */
  end(): ResponseShape {
    if (!this.bomDone) {
      this.bomDone = true;
      for (const byte of BOM.slice(0, this.bomMatched)) this.utf8(byte);
    }
    if (this.utf8Needed > 0) throw new BadResponseError("body is not valid UTF-8 (it ends inside a character)");
    return { type: this.responseType, members: this.responseType === "object" && this.responseNonEmpty ? this.responseCommas + 1 : 0 };
  }

  /**
   * Skip the mark at the very start, which may be split over chunks. Bytes that begin like the
   * mark but are not one are judged as ordinary bytes once that is known.
   */
  private skipBom(chunk: Uint8Array): number {
    let i = 0;
    while (this.offset + i < 3 && i < chunk.length && chunk[i] === BOM[this.bomMatched] && this.bomMatched === this.offset + i) {
      this.bomMatched += 1;
      i += 1;
    }
    if (this.bomMatched === 3) {
      this.bomDone = true;
      this.bomLength = 3;
      return i;
    }
    if (i === chunk.length && this.offset + i < 3) return i; // the mark may go on in the next chunk
    this.bomDone = true;
    for (const byte of BOM.slice(0, this.bomMatched)) this.utf8(byte);
    return i;
  }

  private utf8(byte: number): void {
    if (this.utf8Needed > 0) {
      if (byte < this.utf8Lower || byte > this.utf8Upper) throw invalidUtf8();
      this.utf8Needed -= 1;
      this.utf8Lower = 0x80;
      this.utf8Upper = 0xbf;
      return;
    }
    if (byte >= 0xc2 && byte <= 0xdf) this.utf8Needed = 1;
    else if (byte === 0xe0) [this.utf8Needed, this.utf8Lower] = [2, 0xa0];
    else if (byte === 0xed) [this.utf8Needed, this.utf8Upper] = [2, 0x9f];
    else if (byte >= 0xe1 && byte <= 0xef) this.utf8Needed = 2;
    else if (byte === 0xf0) [this.utf8Needed, this.utf8Lower] = [3, 0x90];
    else if (byte >= 0xf1 && byte <= 0xf3) this.utf8Needed = 3;
    else if (byte === 0xf4) [this.utf8Needed, this.utf8Upper] = [3, 0x8f];
    else throw invalidUtf8();
  }

  private structural(byte: number): void {
    const whitespace = byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
    if (whitespace) return;
    if (this.awaitingResponseValue && byte !== 0x3a /* : */) {
      this.awaitingResponseValue = false;
      this.responseType = byte === 0x7b ? "object" : byte === 0x5b ? "array" : "other";
      if (this.responseType !== "other") {
        this.inResponse = true;
        this.responseCommas = 0;
        this.responseNonEmpty = false;
      }
    } else if (this.inResponse && this.depth === 2 && byte !== 0x7d && byte !== 0x5d) {
      if (byte === 0x2c) this.responseCommas += 1;
      else this.responseNonEmpty = true;
    }
    switch (byte) {
      case QUOTE:
        this.inString = true;
        if (this.depth === 1 && this.topIsObject && this.expectKey) {
          this.key = [];
          this.keyTooLong = false;
        }
        return;
      case 0x7b: // {
      case 0x5b: // [
        // Keys are tracked in the first top-level value only; what follows it is for the parsers to refuse.
        if (this.depth === 0) this.topIsObject = !this.topEnded && byte === 0x7b;
        this.depth += 1;
        if (this.depth > MAX_NESTING_DEPTH) throw new BadResponseError(`unexpected body: nested deeper than ${MAX_NESTING_DEPTH} levels`);
        if (this.depth === 1 && this.topIsObject) this.expectKey = true;
        return;
      case 0x7d: // }
      case 0x5d: // ]
        this.depth = Math.max(0, this.depth - 1);
        if (this.depth === 1) this.inResponse = false;
        if (this.depth === 0) this.topEnded = true;
        return;
      case 0x2c: // ,
        if (this.depth === 1 && this.topIsObject) this.expectKey = true;
        return;
      default:
        return;
    }
  }

  private keyByte(byte: number): void {
    const key = this.key as number[];
    if (key.length >= MAX_KEY_BYTES) this.keyTooLong = true;
    else key.push(byte);
  }

  private endString(): void {
    this.inString = false;
    const key = this.key;
    if (key === undefined) return;
    this.key = undefined;
    this.expectKey = false;
    if (this.keyTooLong || decodeKey(key) !== "response") return;
    if (this.responseSeen) throw new BadResponseError("unexpected body: more than one response key");
    this.responseSeen = true;
    this.awaitingResponseValue = true;
  }
}

/** A top-level key's text, escapes decoded as JSON.parse would; undefined when it is not a valid string. */
function decodeKey(bytes: readonly number[]): string | undefined {
  const raw = Buffer.from(bytes).toString("utf8");
  if (!raw.includes("\\")) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

function invalidUtf8(): BadResponseError {
  return new BadResponseError("body is not valid UTF-8");
}
