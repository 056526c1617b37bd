/**
 * The JSON decider's reader for texts longer than the module's input buffer
 * (`manifest.json.inputBytes`): the twin of the module's tokenizer
 * (stdlib/json-parse.ts), so the size of a text never changes its decision
 * (ADR 0008). It checks exactly what the module checks, in the same order,
 * and reports the same reason at the same byte offset: strict RFC 8259
 * (UTF-8 only, no control characters in strings, only JSON escapes, nothing
 * after the value), no duplicate keys (compared after decoding; objects of
 * up to 8 keys at each key, larger ones once closed, first repeat in
 * document order), and the request bounds (values counted where they
 * start, containers deeper than `maxDepth` refused where they open).
 *
 * In: the request's bytes, the bounds. Out: `ok` with the value
 * (`JSON.parse` of the text, which the checks make equal to what the module
 * reads), `malformed` with the reason code and offset (runtime/abi.ts
 * JSON_MALFORMED_CODES), or `too_large`.
 * Must not throw; recursion is bounded by `maxDepth`.
 */
import type { RequestBounds } from "../manifest.js";

export type ReadJson =
  | { readonly kind: "ok"; readonly value: unknown }
  | { readonly kind: "malformed"; readonly code: number; readonly offset: number }
  | { readonly kind: "too_large" };

// Malformed reasons, as runtime/abi.ts JSON_MALFORMED_CODES numbers them.
const UNEXPECTED = 1;
const END = 2;
const UTF8 = 3;
const ESCAPE = 4;
const CONTROL = 5;
const DUPLICATE = 6;
const DEEP = 7;
const NUMBER = 9;
const EMPTY = 11;
const VALUES = 12;

/** Objects with more keys than this are checked for repeats once closed (as the module does). */
const SCAN_KEYS = 8;

class Stop {
  constructor(
    readonly code: number,
    readonly offset: number,
  ) {}
}

// ignoreBOM: a key may begin with U+FEFF, which is a character there, not a byte-order mark.
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

/** Reads a JSON request text as the module would. */
export function readJson(bytes: Uint8Array, bounds: RequestBounds): ReadJson {
  if (bytes.length === 0) return { kind: "malformed", code: EMPTY, offset: 0 };
  const reader = new Reader(bytes, bounds);
  try {
    reader.value(0);
    reader.ws();
    if (reader.pos < bytes.length) throw new Stop(UNEXPECTED, reader.pos);
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    if (error.code === DEEP || error.code === VALUES) return { kind: "too_large" };
    return { kind: "malformed", code: error.code, offset: error.offset };
  }
  // Checked: strict UTF-8, no duplicates. JSON.parse now reads exactly the values the module would.
  return { kind: "ok", value: JSON.parse(decoder.decode(bytes)) as unknown };
}

class Reader {
  pos = 0;
  private values = 0;

  constructor(
    private readonly b: Uint8Array,
    private readonly bounds: RequestBounds,
  ) {}

  ws(): void {
    const b = this.b;
    let i = this.pos;
    while (i < b.length) {
      const c = b[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  value(depth: number): void {
    this.ws();
    const b = this.b;
    if (this.pos >= b.length) throw new Stop(END, this.pos);
    if (++this.values > this.bounds.maxValues) throw new Stop(VALUES, this.pos);
    const c = b[this.pos]!;
    if (c === 0x7b) return this.object(depth + 1);
    if (c === 0x5b) return this.array(depth + 1);
    if (c === 0x22) {
      this.string();
      return;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c === 0x74) return this.literal([0x74, 0x72, 0x75, 0x65]);
    if (c === 0x66) return this.literal([0x66, 0x61, 0x6c, 0x73, 0x65]);
    if (c === 0x6e) return this.literal([0x6e, 0x75, 0x6c, 0x6c]);
    throw new Stop(UNEXPECTED, this.pos);
  }

  private literal(word: readonly number[]): void {
    const at = this.pos;
    const b = this.b;
    if (at + word.length > b.length) throw new Stop(END, b.length);
    // The module compares four bytes, then the fifth of `false`.
    for (let k = 0; k < 4; k++) if (b[at + k] !== word[k]) throw new Stop(UNEXPECTED, at);
    if (word.length === 5 && b[at + 4] !== word[4]) throw new Stop(UNEXPECTED, at + 4);
    this.pos = at + word.length;
  }

  private digits(): number {
    const b = this.b;
    let n = 0;
    while (this.pos < b.length && b[this.pos]! >= 0x30 && b[this.pos]! <= 0x39) {
      this.pos++;
      n++;
    }
    return n;
  }

  private number(): void {
    const b = this.b;
    const at = this.pos;
    if (b[this.pos] === 0x2d) this.pos++;
    if (this.pos >= b.length) throw new Stop(END, this.pos);
    if (b[this.pos] === 0x30) this.pos++;
    else if (this.digits() === 0) throw new Stop(NUMBER, at);
    if (this.pos < b.length && b[this.pos] === 0x2e) {
      this.pos++;
      if (this.digits() === 0) throw new Stop(NUMBER, at);
    }
    if (this.pos < b.length && (b[this.pos]! | 0x20) === 0x65) {
      this.pos++;
      if (this.pos < b.length && (b[this.pos] === 0x2b || b[this.pos] === 0x2d)) this.pos++;
      if (this.digits() === 0) throw new Stop(NUMBER, at);
    }
  }

  private hex4(at: number): boolean {
    const b = this.b;
    if (at + 4 > b.length) return false;
    for (let k = 0; k < 4; k++) {
      const c = b[at + k]! | 0x20;
      if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
    }
    return true;
  }

  /** Length of the well-formed UTF-8 sequence at `at` (lead byte ≥ 0x80), or 0. */
  private utf8Length(at: number): number {
    const b = this.b;
    const b0 = b[at]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
    else if (b0 === 0xe0) {
      n = 3;
      lo = 0xa0;
    } else if (b0 === 0xed) {
      n = 3;
      hi = 0x9f;
    } else if (b0 >= 0xe1 && b0 <= 0xef) n = 3;
    else if (b0 === 0xf0) {
      n = 4;
      lo = 0x90;
    } else if (b0 >= 0xf1 && b0 <= 0xf3) n = 4;
    else if (b0 === 0xf4) {
      n = 4;
      hi = 0x8f;
    } else return 0;
    if (at + n > b.length) return 0;
    const b1 = b[at + 1]!;
    if (b1 < lo || b1 > hi) return 0;
    for (let k = 2; k < n; k++) if ((b[at + k]! & 0xc0) !== 0x80) return 0;
    return n;
  }

  /** Reads a string token; returns its start offset (the opening quote). */
  string(): number {
    const b = this.b;
    const at = this.pos;
    this.pos++;
    for (;;) {
      if (this.pos >= b.length) throw new Stop(END, this.pos);
      const c = b[this.pos]!;
      if (c === 0x22) break;
      if (c < 0x20) throw new Stop(CONTROL, this.pos);
      if (c === 0x5c) {
        if (this.pos + 1 >= b.length) throw new Stop(END, b.length);
        const e = b[this.pos + 1]!;
        if (e === 0x75) {
          if (!this.hex4(this.pos + 2)) throw new Stop(ESCAPE, this.pos);
          this.pos += 6;
        } else if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          this.pos += 2;
        } else throw new Stop(ESCAPE, this.pos);
        continue;
      }
      if (c >= 0x80) {
        const n = this.utf8Length(this.pos);
        if (n === 0) throw new Stop(UTF8, this.pos);
        this.pos += n;
        continue;
      }
      this.pos++;
    }
    this.pos++;
    return at;
  }

  private array(depth: number): void {
    if (depth > this.bounds.maxDepth) throw new Stop(DEEP, this.pos);
    const b = this.b;
    this.pos++;
    this.ws();
    if (this.pos < b.length && b[this.pos] === 0x5d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.value(depth);
      this.ws();
      if (this.pos >= b.length) throw new Stop(END, this.pos);
      const c = b[this.pos]!;
      this.pos++;
      if (c === 0x2c) continue;
      if (c === 0x5d) return;
      throw new Stop(UNEXPECTED, this.pos - 1);
    }
  }

  private object(depth: number): void {
    if (depth > this.bounds.maxDepth) throw new Stop(DEEP, this.pos);
    const b = this.b;
    this.pos++;
    this.ws();
    if (this.pos < b.length && b[this.pos] === 0x7d) {
      this.pos++;
      return;
    }
    // Decoded keys in document order, with the offsets of their opening quotes.
    const keys: string[] = [];
    const starts: number[] = [];
    for (;;) {
      this.ws();
      if (this.pos >= b.length) throw new Stop(END, this.pos);
      if (b[this.pos] !== 0x22) throw new Stop(UNEXPECTED, this.pos);
      const start = this.string();
      const raw = b.subarray(start + 1, this.pos - 1);
      // Escapes decoded by JSON.parse (lone surrogates as JS does); plain keys (valid UTF-8, checked) by the decoder alone.
      const key = raw.includes(0x5c) ? (JSON.parse(decoder.decode(b.subarray(start, this.pos))) as string) : decoder.decode(raw);
      if (keys.length < SCAN_KEYS && keys.includes(key)) throw new Stop(DUPLICATE, start);
      keys.push(key);
      starts.push(start);
      this.ws();
      if (this.pos >= b.length) throw new Stop(END, this.pos);
      if (b[this.pos] !== 0x3a) throw new Stop(UNEXPECTED, this.pos);
      this.pos++;
      this.value(depth);
      this.ws();
      if (this.pos >= b.length) throw new Stop(END, this.pos);
      const c = b[this.pos]!;
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        if (keys.length > SCAN_KEYS) {
          const seen = new Set<string>();
          for (let i = 0; i < keys.length; i++) {
            if (seen.has(keys[i]!)) throw new Stop(DUPLICATE, starts[i]!);
            seen.add(keys[i]!);
          }
        }
        return;
      }
      throw new Stop(UNEXPECTED, this.pos);
    }
  }
}
