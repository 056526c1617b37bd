/**
 * JSON number text → f64, correctly rounded (round half to even), for every
 * spelling: exactly the double `JSON.parse` gives, whatever the number of
 * digits, leading or trailing zeros, exponent size, subnormals; a magnitude
 * past the largest double is ±Infinity and one below half the smallest
 * subnormal is ±0, as `JSON.parse` gives them (docs/abi.md, "Numbers").
 *
 * In: the number's bytes (already checked against the JSON grammar by
 * json-parse.ts; any other bytes give some number, never a trap) and a
 * scratch area of NUMBER_SCRATCH_BYTES for four big integers. Out: its value.
 *
 * Three paths:
 * - Clinger's fast path: at most 19 significant digits whose integer fits
 *   2^53 and a decimal exponent within ±22: one exact double operation.
 * - exponent ≥ 0 otherwise: the integer D × 5^e (big integer), rounded once
 *   from its top 64 bits and a sticky bit, scaled by 2^e.
 * - exponent < 0 otherwise: an estimate within a few ulps from the top bits
 *   of D and 5^k, corrected by exact comparisons of D with the midpoints
 *   between neighbouring doubles (D vs (2M+1) × 5^k × 2^s, big integers).
 * Only the first 800 significant digits are kept, plus whether any later
 * digit is non-zero: a midpoint between two doubles has at most 768
 * significant digits, so this decides every comparison exactly.
 *
 * Time is bounded by the text's length (one scan) plus a constant: at most
 * 800 digits, |exponent| ≤ 1,124 once out-of-range magnitudes are settled,
 * big integers of at most 96 limbs (BIG_LIMBS; 800 digits are 2,658 bits,
 * 5^1124 is 2,610).
 * Must not keep static data (the code generator's `setMemory` would drop
 * it, module.ts refuses stdlib data above address 16): powers are computed.
 */
import { P, S, tok } from "./json-context";
import { BIG_BYTES, BIG_LIMBS, bigBits, bigCmp, bigFromU64, bigLowBitsSet, bigMulAdd, bigMulPow5, bigMulU64, bigShl, bigTop64 } from "./big-uint";

/** Scratch the decoder needs: four big numbers (D, 5^k, a product, a shifted copy). */
export const NUMBER_SCRATCH_BYTES: u32 = 4 * (BIG_LIMBS << 2);

const MAX_DIGITS: u32 = 800;
const MASK52: u64 = (<u64>1 << 52) - 1;
const INF_BITS: u64 = 0x7ff0000000000000;
const MAX_BITS: u64 = 0x7fefffffffffffff;

// @ts-ignore: decorator
@inline
function byteAt(text: usize, i: u32): u32 {
  return <u32>load<u8>(text + <usize>i);
}

// @ts-ignore: decorator
@inline
function isDigit(c: u32): bool {
  return c - 0x30 < 10;
}

/** 10^n for 0 ≤ n ≤ 22: exact (every product is exactly representable). */
function exactPow10(n: i32): f64 {
  let v: f64 = 1;
  for (let k = 0; k < n; k++) v *= 10;
  return v;
}

/** 2^e for -1022 ≤ e ≤ 1023, exactly. */
function pow2(e: i32): f64 {
  return reinterpret<f64>(<u64>(e + 1023) << 52);
}

/** `v × 2^e`, for an estimate (may round twice near the subnormal range). */
function scale(v: f64, e: i32): f64 {
  let x = v;
  let left = e;
  while (left > 1000) {
    x *= pow2(1000);
    left -= 1000;
    if (!isFinite<f64>(x)) return x;
  }
  while (left < -1000) {
    x *= pow2(-1000);
    left += 1000;
  }
  return x * pow2(left);
}

/**
 * The double nearest `(t + ε) × 2^e2` (t ≠ 0; ε ∈ [0, 1), non-zero exactly
 * when `sticky`), ties to even; subnormals and overflow included.
 */
function roundToDouble(top: u64, sticky: bool, exp2: i32): f64 {
  const lz = <i32>clz<u64>(top);
  const t = top << lz;
  const ue = 63 + exp2 - lz; // the value lies in [2^ue, 2^(ue+1))
  if (ue > 1023) return Infinity;
  let drop: i32 = 11; // bits below the 53 a normal double keeps
  if (ue < -1022) drop += -1022 - ue;
  if (drop >= 65) return 0; // below 2^-1075, half the smallest subnormal
  let m: u64;
  let rest: u64;
  let half: u64;
  if (drop == 64) {
    m = 0;
    rest = t;
    half = <u64>1 << 63;
  } else {
    m = t >> drop;
    rest = t & ((<u64>1 << drop) - 1);
    half = <u64>1 << (drop - 1);
  }
  if (rest > half || (rest == half && (sticky || (m & 1) != 0))) m++;
  if (ue < -1022) return reinterpret<f64>(m); // subnormal (2^52 is then the smallest normal)
  let e = ue;
  if (m == <u64>1 << 53) {
    m >>= 1;
    e++;
    if (e > 1023) return Infinity;
  }
  return reinterpret<f64>((<u64>(e + 1023) << 52) | (m & MASK52));
}

/**
 * Compares V = D / (5^k · 2^k) (plus a tiny ε when `sticky`) with the
 * midpoint between the positive double `x` and the next one up:
 * (2M + 1) · 2^(q − 1) for x = M · 2^q. -1, 0 or 1.
 */
function cmpMid(x: u64, d: usize, dn: u32, p: usize, pn: u32, k: i32, sticky: bool, r: usize, t: usize): i32 {
  const ef = <i32>(x >> 52);
  const frac = x & MASK52;
  const m: u64 = ef == 0 ? frac : frac | (<u64>1 << 52);
  const q: i32 = ef == 0 ? -1074 : ef - 1075;
  const rn = bigMulU64(r, p, pn, 2 * m + 1);
  // D against (2M + 1) · 5^k · 2^s
  const s = q - 1 + k;
  const db = <i32>bigBits(d, dn);
  const rb = <i32>bigBits(r, rn);
  let c: i32;
  if (s >= 0) {
    if (db != rb + s) c = db < rb + s ? -1 : 1;
    else c = bigCmp(d, dn, t, bigShl(t, r, rn, <u32>s));
  } else {
    if (db - s != rb) c = db - s < rb ? -1 : 1;
    else c = bigCmp(t, bigShl(t, d, dn, <u32>(-s)), r, rn);
  }
  return c == 0 && sticky ? 1 : c;
}

/**
 * Decodes the number text at `text` (`len` bytes), with `scratch` pointing
 * at NUMBER_SCRATCH_BYTES free bytes.
 */
export function decodeNumber(text: usize, len: u32, scratch: usize): f64 {
  let i: u32 = 0;
  const negative = len > 0 && byteAt(text, 0) == 0x2d;
  if (negative) i++;
  const intStart = i;
  while (i < len && isDigit(byteAt(text, i))) i++;
  const nInt = i - intStart;
  let fracStart = i;
  if (i < len && byteAt(text, i) == 0x2e) {
    i++;
    fracStart = i;
    while (i < len && isDigit(byteAt(text, i))) i++;
  }
  const nFrac = i > fracStart ? i - fracStart : 0;
  let exp: i64 = 0;
  if (i < len && (byteAt(text, i) | 0x20) == 0x65) {
    i++;
    let sign: i64 = 1;
    if (i < len && (byteAt(text, i) == 0x2b || byteAt(text, i) == 0x2d)) {
      if (byteAt(text, i) == 0x2d) sign = -1;
      i++;
    }
    // Saturates far beyond any exponent that could still matter.
    while (i < len && isDigit(byteAt(text, i))) {
      if (exp < 1000000000000) exp = exp * 10 + <i64>(byteAt(text, i) - 0x30);
      i++;
    }
    exp *= sign;
  }
  // Digit k of int ++ frac, for 0 ≤ k < nInt + nFrac.
  const total = nInt + nFrac;
  let first = total;
  for (let k: u32 = 0; k < total; k++) {
    if (byteAt(text, k < nInt ? intStart + k : fracStart + k - nInt) != 0x30) {
      first = k;
      break;
    }
  }
  if (first == total) return negative ? -0.0 : 0.0;
  let last = first;
  for (let k = total; k > first; k--) {
    if (byteAt(text, k - 1 < nInt ? intStart + k - 1 : fracStart + k - 1 - nInt) != 0x30) {
      last = k - 1;
      break;
    }
  }
  // value = digits[first..last] × 10^e10
  let n = last - first + 1;
  let e10: i64 = exp + <i64>nInt - 1 - <i64>last;
  let sticky = false;
  if (n > MAX_DIGITS) {
    sticky = true; // digit `last` is not zero and is dropped
    e10 += <i64>(n - MAX_DIGITS);
    n = MAX_DIGITS;
  }
  // The value lies in [10^(n-1+e10), 10^(n+e10)).
  const magnitude = <i64>n + e10;
  if (magnitude >= 310) return negative ? -Infinity : Infinity;
  if (magnitude <= -324) return negative ? -0.0 : 0.0;
  const e = <i32>e10;

  let w: u64 = 0;
  if (n <= 19) {
    for (let k = first; k < first + n; k++) w = w * 10 + <u64>(byteAt(text, k < nInt ? intStart + k : fracStart + k - nInt) - 0x30);
    if (!sticky && w <= (<u64>1 << 53) && e >= -22 && e <= 22) {
      const v = e >= 0 ? <f64>w * exactPow10(e) : <f64>w / exactPow10(-e);
      return negative ? -v : v;
    }
  }
  const d = scratch;
  const p = scratch + BIG_BYTES;
  const r = p + BIG_BYTES;
  const t = r + BIG_BYTES;
  let dn: u32;
  if (n <= 19) dn = bigFromU64(d, w);
  else {
    dn = 0;
    let chunk: u32 = 0;
    let scaleBy: u32 = 1;
    for (let k = first; k < first + n; k++) {
      chunk = chunk * 10 + (byteAt(text, k < nInt ? intStart + k : fracStart + k - nInt) - 0x30);
      scaleBy *= 10;
      if (scaleBy == 1000000000) {
        dn = bigMulAdd(d, dn, scaleBy, chunk);
        chunk = 0;
        scaleBy = 1;
      }
    }
    if (scaleBy > 1) dn = bigMulAdd(d, dn, scaleBy, chunk);
  }
  let v: f64;
  if (e >= 0) {
    dn = bigMulPow5(d, dn, <u32>e);
    v = roundToDouble(bigTop64(d, dn), sticky || bigLowBitsSet(d, dn), <i32>bigBits(d, dn) - 64 + e);
  } else {
    const k = -e;
    const pn = bigMulPow5(p, bigFromU64(p, 1), <u32>k);
    const estimate = scale(<f64>bigTop64(d, dn) / <f64>bigTop64(p, pn), <i32>bigBits(d, dn) - <i32>bigBits(p, pn) - k);
    let x: u64 = isFinite<f64>(estimate) ? reinterpret<u64>(estimate) : MAX_BITS;
    // The estimate is within a few ulps: walk to the double nearest V, ties to even.
    let c = cmpMid(x, d, dn, p, pn, k, sticky, r, t);
    if (c > 0 || (c == 0 && (x & 1) != 0)) {
      for (let steps = 0; steps < 64; steps++) {
        x++;
        if (x == INF_BITS) break;
        c = cmpMid(x, d, dn, p, pn, k, sticky, r, t);
        if (c < 0 || (c == 0 && (x & 1) == 0)) break;
      }
    } else {
      for (let steps = 0; steps < 64 && x > 0; steps++) {
        c = cmpMid(x - 1, d, dn, p, pn, k, sticky, r, t);
        if (c < 0 || (c == 0 && ((x - 1) & 1) == 0)) x--;
        else break;
      }
    }
    v = reinterpret<f64>(x);
  }
  return negative ? -v : v;
}

/**
 * The value of number token `t` of the JSON entry point. Decoded once per
 * call: the value is cached in the scratch area (the token's x, unused for
 * numbers, holds its address) when there is room, so validation and
 * encoding never pay the slow path twice.
 */
export function numberOf(t: u32): f64 {
  const at = tok(t);
  const cached = load<u32>(at, 12);
  if (cached != 0) return load<f64>(<usize>cached);
  const start = load<u32>(at, 4);
  const v = decodeNumber(<usize>P.input + <usize>start, load<u32>(at, 8) - start, <usize>P.numberScratch);
  const top = S.scratchTop;
  if (top + 8 <= P.scratchCap) {
    const slot = <usize>P.scratch + <usize>top;
    store<f64>(slot, v);
    store<u32>(at, <u32>slot, 12);
    S.scratchTop = top + 8;
  }
  return v;
}

/** Export for tests and hosts: `decodeNumber` over `len` bytes at `text`, big-integer scratch at `scratch`. */
export function json_number(text: usize, len: u32, scratch: usize): f64 {
  return decodeNumber(text, len, scratch);
}
