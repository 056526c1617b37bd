/**
 * The bounded JSON tokenizer of the JSON entry point: request bytes → a flat
 * token array (16 bytes each: kind, start, end, x), strings with escapes
 * decoded into the scratch area ([u32 len][bytes], lone \u surrogates kept
 * as 3-byte WTF-8 so validation can report them where the JS path does).
 *
 * In: `LEN` bytes at `P.input`. Out: tokens in document order (a container's
 * x is the index after its subtree), or `S.err` / `S.errAt` (a malformed-JSON
 * reason and byte offset). Strict RFC 8259: UTF-8 only (no overlongs, no
 * encoded surrogates), no control characters in strings, no duplicate keys,
 * nesting at most `P.maxDepth`, at most `P.maxValues` values. Never traps:
 * recursion is bounded by the depth cap, every loop by the input length,
 * every write by the caps. runtime/json/reader.ts is this tokenizer's twin
 * for texts longer than the buffer: same reasons, same offsets.
 */
import { bytes_cmp } from "./strings";
import {
  P, S, NONE, T_NULL, T_FALSE, T_TRUE, T_NUMBER, T_STRING, T_ARRAY, T_OBJECT,
  M_UNEXPECTED, M_END, M_UTF8, M_ESCAPE, M_CONTROL, M_DUPLICATE, M_DEEP, M_NUMBER, M_TOKENS, M_VALUES,
  tok, skip, strPtr, strLen, same,
} from "./json-context";

// The cursor lives in globals, not in the state record: the tokenizer's hot
// loops then run on registers instead of a load and a store per byte.
// @ts-ignore: mutable global, reset by every call
let IN: usize = 0;
// @ts-ignore: mutable global, reset by every call
let LEN: u32 = 0;
// @ts-ignore: mutable global, reset by every call
let POS: u32 = 0;

/** Parses the whole input as one JSON value; false with S.err set when malformed. */
export function parseDocument(): bool {
  IN = <usize>P.input;
  LEN = S.len;
  POS = 0;
  if (!parseValue(0)) return false;
  skipWs();
  if (POS < LEN) return fail(M_UNEXPECTED, POS);
  return true;
}

function fail(code: u32, at: u32): bool {
  if (S.err == 0) {
    S.err = code;
    S.errAt = at;
  }
  return false;
}

// @ts-ignore: decorator
@inline
function byteAt(i: u32): u32 {
  return <u32>load<u8>(IN + <usize>i);
}

// Inlined: JSON as machines write it has no whitespace, so the usual answer is one byte test.
// @ts-ignore: decorator
@inline
function skipWs(): void {
  if (POS < LEN && byteAt(POS) > 0x20) return;
  skipWhitespace();
}

function skipWhitespace(): void {
  let i = POS;
  const n = LEN;
  while (i < n) {
    const c = byteAt(i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) i++;
    else break;
  }
  POS = i;
}

function newToken(kind: u32, start: u32): u32 {
  if (S.ntok >= P.tokenCap) return NONE;
  const i = S.ntok++;
  const t = tok(i);
  store<u32>(t, kind);
  store<u32>(t, start, 4);
  store<u32>(t, start, 8);
  store<u32>(t, 0, 12);
  return i;
}

function parseValue(depth: u32): bool {
  skipWs();
  if (POS >= LEN) return fail(M_END, POS);
  // Every value counts, where it starts (the request bounds; runtime/json/reader.ts counts the same way).
  if (++S.values > P.maxValues) return fail(M_VALUES, POS);
  const c = byteAt(POS);
  if (c == 0x7b) return parseObject(depth + 1);
  if (c == 0x5b) return parseArray(depth + 1);
  if (c == 0x22) return parseString();
  if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
  if (c == 0x74) return literal(T_TRUE, 0x74, 0x72, 0x75, 0x65, 4); // true
  if (c == 0x66) return literal(T_FALSE, 0x66, 0x61, 0x6c, 0x73, 5); // false (+ e)
  if (c == 0x6e) return literal(T_NULL, 0x6e, 0x75, 0x6c, 0x6c, 4); // null
  return fail(M_UNEXPECTED, POS);
}

function literal(kind: u32, a: u32, b: u32, c: u32, d: u32, n: u32): bool {
  const at = POS;
  if (at + n > LEN) return fail(M_END, LEN);
  if (byteAt(at) != a || byteAt(at + 1) != b || byteAt(at + 2) != c || byteAt(at + 3) != d) return fail(M_UNEXPECTED, at);
  if (n == 5 && byteAt(at + 4) != 0x65) return fail(M_UNEXPECTED, at + 4);
  const t = newToken(kind, at);
  if (t == NONE) return fail(M_TOKENS, at);
  POS = at + n;
  store<u32>(tok(t), POS, 8);
  return true;
}

function digits(): u32 {
  let n: u32 = 0;
  while (POS < LEN) {
    const c = byteAt(POS);
    if (c < 0x30 || c > 0x39) break;
    POS++;
    n++;
  }
  return n;
}

function parseNumber(): bool {
  const at = POS;
  if (byteAt(POS) == 0x2d) POS++;
  if (POS >= LEN) return fail(M_END, POS);
  const first = byteAt(POS);
  if (first == 0x30) POS++;
  else if (digits() == 0) return fail(M_NUMBER, at);
  if (POS < LEN && byteAt(POS) == 0x2e) {
    POS++;
    if (digits() == 0) return fail(M_NUMBER, at);
  }
  if (POS < LEN && (byteAt(POS) | 0x20) == 0x65) {
    POS++;
    if (POS < LEN && (byteAt(POS) == 0x2b || byteAt(POS) == 0x2d)) POS++;
    if (digits() == 0) return fail(M_NUMBER, at);
  }
  const t = newToken(T_NUMBER, at);
  if (t == NONE) return fail(M_TOKENS, at);
  store<u32>(tok(t), POS, 8);
  return true;
}

function hex(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return <i32>(l - 0x61 + 10);
  return -1;
}

/** The 4 hex digits at `at` as a code unit, or -1. */
function hex4(at: u32): i32 {
  if (at + 4 > LEN) return -1;
  let v: i32 = 0;
  for (let k: u32 = 0; k < 4; k++) {
    const h = hex(byteAt(at + k));
    if (h < 0) return -1;
    v = (v << 4) | h;
  }
  return v;
}

/** Length of the well-formed UTF-8 sequence at `at` (lead byte >= 0x80), or 0. */
function utf8Length(at: u32): u32 {
  const b0 = byteAt(at);
  let n: u32 = 0;
  let lo: u32 = 0x80;
  let hi: u32 = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) n = 2;
  else if (b0 == 0xe0) { n = 3; lo = 0xa0; }
  else if (b0 == 0xed) { n = 3; hi = 0x9f; }
  else if (b0 >= 0xe1 && b0 <= 0xef) n = 3;
  else if (b0 == 0xf0) { n = 4; lo = 0x90; }
  else if (b0 >= 0xf1 && b0 <= 0xf3) n = 4;
  else if (b0 == 0xf4) { n = 4; hi = 0x8f; }
  else return 0;
  if (at + n > LEN) return 0;
  const b1 = byteAt(at + 1);
  if (b1 < lo || b1 > hi) return 0;
  for (let k: u32 = 2; k < n; k++) if ((byteAt(at + k) & 0xc0) != 0x80) return 0;
  return n;
}

function parseString(): bool {
  const at = POS;
  POS++;
  let escaped = false;
  while (true) {
    // Plain ASCII runs on a local cursor: the common case.
    let i = POS;
    const n = LEN;
    // Eight bytes at a time while none is a quote, a backslash, a control or non-ASCII byte
    // (the has-zero-byte trick; a false alarm only hands over to the byte loop).
    while (i + 8 <= n) {
      const w = load<u64>(IN + <usize>i);
      const q = w ^ 0x2222222222222222;
      const b = w ^ 0x5c5c5c5c5c5c5c5c;
      const hits =
        (w | ((w - 0x2020202020202020) & ~w) | ((q - 0x0101010101010101) & ~q) | ((b - 0x0101010101010101) & ~b)) & 0x8080808080808080;
      if (hits != 0) break;
      i += 8;
    }
    while (i < n) {
      const b = byteAt(i);
      if (b < 0x20 || b == 0x22 || b == 0x5c || b >= 0x80) break;
      i++;
    }
    POS = i;
    if (POS >= LEN) return fail(M_END, POS);
    const c = byteAt(POS);
    if (c == 0x22) break;
    if (c < 0x20) return fail(M_CONTROL, POS);
    if (c == 0x5c) {
      escaped = true;
      if (POS + 1 >= LEN) return fail(M_END, LEN);
      const e = byteAt(POS + 1);
      if (e == 0x75) {
        if (hex4(POS + 2) < 0) return fail(M_ESCAPE, POS);
        POS += 6;
      } else if (e == 0x22 || e == 0x5c || e == 0x2f || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
        POS += 2;
      } else return fail(M_ESCAPE, POS);
      continue;
    }
    if (c >= 0x80) {
      const n = utf8Length(POS);
      if (n == 0) return fail(M_UTF8, POS);
      POS += n;
      continue;
    }
    POS++;
  }
  POS++;
  const t = newToken(T_STRING, at);
  if (t == NONE) return fail(M_TOKENS, at);
  store<u32>(tok(t), POS, 8);
  if (escaped) {
    const x = decode(at + 1, POS - 1);
    if (x == 0) return fail(M_TOKENS, at);
    store<u32>(tok(t), x, 12);
  }
  return true;
}

function put(at: usize, cp: u32): usize {
  if (cp < 0x80) {
    store<u8>(at, <u8>cp);
    return at + 1;
  }
  if (cp < 0x800) {
    store<u8>(at, <u8>(0xc0 | (cp >> 6)));
    store<u8>(at + 1, <u8>(0x80 | (cp & 0x3f)));
    return at + 2;
  }
  if (cp < 0x10000) {
    store<u8>(at, <u8>(0xe0 | (cp >> 12)));
    store<u8>(at + 1, <u8>(0x80 | ((cp >> 6) & 0x3f)));
    store<u8>(at + 2, <u8>(0x80 | (cp & 0x3f)));
    return at + 3;
  }
  store<u8>(at, <u8>(0xf0 | (cp >> 18)));
  store<u8>(at + 1, <u8>(0x80 | ((cp >> 12) & 0x3f)));
  store<u8>(at + 2, <u8>(0x80 | ((cp >> 6) & 0x3f)));
  store<u8>(at + 3, <u8>(0x80 | (cp & 0x3f)));
  return at + 4;
}

/** Decodes the (already checked) string body [from, to) into scratch; its address, or 0 when scratch is full. */
function decode(from: u32, to: u32): u32 {
  const base = (S.scratchTop + 3) & ~3;
  // Decoded never exceeds raw: every escape (2 or 6 bytes) becomes at most 3 bytes, a pair (12) 4.
  if (base + 4 + (to - from) > P.scratchCap) return 0;
  const start = <usize>P.scratch + <usize>base;
  let out = start + 4;
  let i = from;
  while (i < to) {
    const c = byteAt(i);
    if (c != 0x5c) {
      store<u8>(out++, <u8>c);
      i++;
      continue;
    }
    const e = byteAt(i + 1);
    if (e != 0x75) {
      let v: u32 = e; // " \ /
      if (e == 0x62) v = 8;
      else if (e == 0x66) v = 12;
      else if (e == 0x6e) v = 10;
      else if (e == 0x72) v = 13;
      else if (e == 0x74) v = 9;
      store<u8>(out++, <u8>v);
      i += 2;
      continue;
    }
    let cp = <u32>hex4(i + 2);
    i += 6;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= to && byteAt(i) == 0x5c && byteAt(i + 1) == 0x75) {
      const low = hex4(i + 2);
      if (low >= 0xdc00 && low <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (<u32>low - 0xdc00);
        i += 6;
      }
    }
    out = put(out, cp);
  }
  const len = <u32>(out - start - 4);
  store<u32>(start, len);
  S.scratchTop = base + 4 + len;
  return <u32>start;
}

function parseArray(depth: u32): bool {
  if (depth > P.maxDepth) return fail(M_DEEP, POS);
  const t = newToken(T_ARRAY, POS);
  if (t == NONE) return fail(M_TOKENS, POS);
  POS++;
  skipWs();
  if (POS < LEN && byteAt(POS) == 0x5d) return close(t);
  while (true) {
    if (!parseValue(depth)) return false;
    skipWs();
    if (POS >= LEN) return fail(M_END, POS);
    const c = byteAt(POS);
    if (c == 0x2c) {
      POS++;
      continue;
    }
    if (c == 0x5d) return close(t);
    return fail(M_UNEXPECTED, POS);
  }
}

function parseObject(depth: u32): bool {
  if (depth > P.maxDepth) return fail(M_DEEP, POS);
  const t = newToken(T_OBJECT, POS);
  if (t == NONE) return fail(M_TOKENS, POS);
  POS++;
  skipWs();
  if (POS < LEN && byteAt(POS) == 0x7d) return close(t);
  let keys: u32 = 0;
  while (true) {
    skipWs();
    if (POS >= LEN) return fail(M_END, POS);
    if (byteAt(POS) != 0x22) return fail(M_UNEXPECTED, POS);
    const key = S.ntok;
    if (!parseString()) return false;
    keys++;
    if (keys <= SCAN_KEYS && duplicate(t, key)) return fail(M_DUPLICATE, load<u32>(tok(key), 4));
    skipWs();
    if (POS >= LEN) return fail(M_END, POS);
    if (byteAt(POS) != 0x3a) return fail(M_UNEXPECTED, POS);
    POS++;
    if (!parseValue(depth)) return false;
    skipWs();
    if (POS >= LEN) return fail(M_END, POS);
    const c = byteAt(POS);
    if (c == 0x2c) {
      POS++;
      continue;
    }
    if (c == 0x7d) {
      close(t);
      if (keys <= SCAN_KEYS) return true;
      const repeated = sortedDuplicate(t, keys);
      return repeated == NONE ? true : fail(M_DUPLICATE, load<u32>(tok(repeated), 4));
    }
    return fail(M_UNEXPECTED, POS);
  }
}

function close(t: u32): bool {
  POS++;
  store<u32>(tok(t), POS, 8);
  store<u32>(tok(t), S.ntok, 12);
  return true;
}

/** Whether key token `key` repeats an earlier key of object `o` (compared decoded). */
function duplicate(o: u32, key: u32): bool {
  const p = strPtr(key);
  const n = strLen(key);
  let i = o + 1;
  while (i < key) {
    // The length first: most keys differ in it, and it needs no pointer.
    if (strLen(i) == n && same(strPtr(i), n, p, n)) return true;
    i = skip(i + 1);
  }
  return false;
}

/**
 * Objects with more keys than this are checked for duplicates once closed,
 * by sorting their keys (O(k log k) comparisons, whatever the keys: no hash
 * an attacker could flood); smaller ones by scanning while parsing.
 */
const SCAN_KEYS: u32 = 8;

/** `(bytes, index)` order of two key tokens. */
function keyLess(x: u32, y: u32): bool {
  const c = bytes_cmp(strPtr(x), strLen(x), strPtr(y), strLen(y));
  return c < 0 || (c == 0 && x < y);
}

/**
 * The first key of object `o` (in document order) that repeats an earlier
 * one, or NONE: a bottom-up merge sort of its `count` key tokens by (bytes,
 * index) in the sort area, then one pass over neighbours.
 */
function sortedDuplicate(o: u32, count: u32): u32 {
  let src = <usize>P.sortArea;
  let dst = src + (<usize>count << 2);
  let i = o + 1;
  for (let k: u32 = 0; k < count; k++) {
    store<u32>(src + (<usize>k << 2), i);
    i = skip(i + 1);
  }
  for (let width: u32 = 1; width < count; width <<= 1) {
    for (let lo: u32 = 0; lo < count; lo += width << 1) {
      const mid = lo + width < count ? lo + width : count;
      const hi = lo + (width << 1) < count ? lo + (width << 1) : count;
      let a = lo;
      let b = mid;
      let k = lo;
      while (a < mid && b < hi) {
        const x = load<u32>(src + (<usize>a << 2));
        const y = load<u32>(src + (<usize>b << 2));
        if (keyLess(y, x)) {
          store<u32>(dst + (<usize>k << 2), y);
          b++;
        } else {
          store<u32>(dst + (<usize>k << 2), x);
          a++;
        }
        k++;
      }
      while (a < mid) store<u32>(dst + (<usize>(k++) << 2), load<u32>(src + (<usize>(a++) << 2)));
      while (b < hi) store<u32>(dst + (<usize>(k++) << 2), load<u32>(src + (<usize>(b++) << 2)));
    }
    const swap = src;
    src = dst;
    dst = swap;
  }
  let first = NONE;
  for (let k: u32 = 1; k < count; k++) {
    const x = load<u32>(src + (<usize>(k - 1) << 2));
    const y = load<u32>(src + (<usize>k << 2));
    // Equal neighbours in index order: y is a repeat of x.
    if (y < first && same(strPtr(x), strLen(x), strPtr(y), strLen(y))) first = y;
  }
  return first;
}
