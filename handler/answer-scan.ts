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
import { isUtf8 } from "node:buffer";
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

/** Bytes that change nothing deeper than `response`'s members: all but a quote and the four brackets. */
const DEEP_INERT = new Uint8Array(256).fill(1);
for (const byte of [QUOTE, 0x7b, 0x7d, 0x5b, 0x5d]) DEEP_INERT[byte] = 0;

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
  /** The start of a character cut by the previous chunk's end. */
  private utf8Carry: Buffer = Buffer.alloc(0);

  /** Leading byte-order mark bytes (0 or 3) that JSON.parse must not see. */
  get bom(): number {
    return this.bomLength;
  }

  /** Scan the next chunk. @throws BadResponseError naming the rule broken (never a value) */
  push(chunk: Uint8Array): void {
    let i = 0;
    if (!this.bomDone) i = this.skipBom(chunk);
    this.checkUtf8(chunk, i);
    const length = chunk.length;
    while (i < length) {
      if (this.inString) {
        i = this.skipString(chunk, i);
        continue;
      }
      if (this.depth > 2) {
        i = this.insideTunnel(chunk, i);
        continue;
      }
      this.structural(chunk[i] as number);
      i += 1;
    }
    this.offset += chunk.length;
  }

  /**
   * Inside a tunnel (deeper than `response`'s members) only strings and brackets matter: no key is
   * tracked, no member counted, no `response` value awaited there, and most of an answer's bytes
   * are. Read in one loop, with the depth in a local, until back at `response`'s members (where
   * {@link structural} takes over again) or the chunk's end.
   */
  private insideTunnel(chunk: Uint8Array, from: number): number {
    const length = chunk.length;
    let depth = this.depth;
    let i = from;
    while (i < length) {
      const byte = chunk[i] as number;
      if (DEEP_INERT[byte] === 1) {
        i += 1;
      } else if (byte === QUOTE) {
        const quote = closingQuote(chunk, i + 1);
        if (quote < 0) {
          this.inString = true;
          this.escaped = escapesNextChunk(chunk, i + 1);
          i = length;
        } else i = quote + 1;
      } else if (byte === 0x7b || byte === 0x5b) {
        depth += 1;
        i += 1;
        if (depth > MAX_NESTING_DEPTH) throw new BadResponseError(`unexpected body: nested deeper than ${MAX_NESTING_DEPTH} levels`);
      } else {
        depth -= 1; // } or ]
        i += 1;
        if (depth <= 2) break;
      }
    }
    this.depth = depth;
    return i;
  }

  /**
   * Past the string content from `from`: to just after its closing quote, or to the chunk's end
   * (noting a pending escape), collecting a top-level key's bytes on the way. Strings inside a
   * tunnel are skipped by {@link insideTunnel} with the same {@link closingQuote}.
   */
  private skipString(chunk: Uint8Array, from: number): number {
    let start = from;
    if (this.escaped) {
      this.escaped = false;
      if (this.key !== undefined) this.keyBytes(chunk, start, start + 1);
      start += 1;
    }
    const quote = closingQuote(chunk, start);
    if (quote < 0) {
      if (this.key !== undefined) this.keyBytes(chunk, start, chunk.length);
      this.escaped = escapesNextChunk(chunk, start);
      return chunk.length;
    }
    if (this.key !== undefined) this.keyBytes(chunk, start, quote);
    this.endString();
    return quote + 1;
  }

  /**
   * UTF-8 as the fatal WHATWG decoder reads it, checked natively (`buffer.isUtf8`, strict: no
   * overlong forms, surrogates or code points past U+10FFFF); a character cut by the chunk's end
   * is carried to the next chunk.
   */
  private checkUtf8(chunk: Uint8Array, from: number): void {
    let start = from;
    if (this.utf8Carry.length > 0) {
      const missing = sequenceLength(this.utf8Carry[0] as number) - this.utf8Carry.length;
      const take = Math.min(missing, chunk.length - start);
      const joined = Buffer.concat([this.utf8Carry, chunk.subarray(start, start + take)]);
      start += take;
      if (take < missing) {
        this.utf8Carry = joined;
        return;
      }
      this.utf8Carry = Buffer.alloc(0);
      if (!isUtf8(joined)) throw invalidUtf8();
    }
    let end = chunk.length;
    // The last lead byte within the final three: if its character needs more bytes than are left, carry it.
    for (let j = chunk.length - 1; j >= Math.max(start, chunk.length - 3); j -= 1) {
      const byte = chunk[j] as number;
      if ((byte & 0xc0) === 0x80) continue;
      if (byte >= 0xc0 && j + sequenceLength(byte) > chunk.length) end = j;
      break;
    }
    if (!isUtf8(chunk.subarray(start, end))) throw invalidUtf8();
    if (end < chunk.length) this.utf8Carry = Buffer.from(chunk.subarray(end));
  }

  /** Everything is in. @throws BadResponseError when the body ends inside a UTF-8 sequence */
  end(): ResponseShape {
    if (!this.bomDone) {
      this.bomDone = true;
      this.checkUtf8(Uint8Array.from(BOM.slice(0, this.bomMatched)), 0);
    }
    if (this.utf8Carry.length > 0) throw new BadResponseError("body is not valid UTF-8 (it ends inside a character)");
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
    // Not a mark: the bytes held back are judged with the rest (a cut mark is not UTF-8 on its own).
    if (this.bomMatched > 0) this.checkUtf8(Uint8Array.from(BOM.slice(0, this.bomMatched)), 0);
    return i;
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

  private keyBytes(chunk: Uint8Array, from: number, to: number): void {
    const key = this.key as number[];
    for (let j = from; j < to; j += 1) {
      if (key.length >= MAX_KEY_BYTES) {
        this.keyTooLong = true;
        return;
      }
      key.push(chunk[j] as number);
    }
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

/**
 * The quote that ends a string whose contents start at `from` (the next quote that no odd run of
 * backslashes escapes), or -1 when the string goes on past the chunk. A native search per quote:
 * faster than a loop over every byte, however short the strings.
 */
function closingQuote(chunk: Uint8Array, from: number): number {
  let search = from;
  for (;;) {
    const quote = chunk.indexOf(QUOTE, search);
    if (quote < 0 || chunk[quote - 1] !== BACKSLASH || quote === from) return quote;
    let run = 1;
    while (quote - run - 1 >= from && chunk[quote - run - 1] === BACKSLASH) run += 1;
    if (run % 2 === 0) return quote;
    search = quote + 1;
  }
}

/** Whether a string cut by the chunk's end (its contents from `from`) ends in an escaping backslash. */
function escapesNextChunk(chunk: Uint8Array, from: number): boolean {
  let run = 0;
  while (chunk.length - run - 1 >= from && chunk[chunk.length - run - 1] === BACKSLASH) run += 1;
  return run % 2 === 1;
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

/** Bytes of the UTF-8 character a lead byte starts (1 for what cannot lead one: isUtf8 refuses it). */
function sequenceLength(lead: number): number {
  return lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xc2 && lead <= 0xdf ? 2 : 1;
}

function invalidUtf8(): BadResponseError {
  return new BadResponseError("body is not valid UTF-8");
}
