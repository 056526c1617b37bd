/**
 * Unsigned big integers over raw memory, for the exact slow path of the
 * JSON number decoder (json-number.ts): little-endian u32 limbs at a given
 * address, the length in limbs carried by the caller (no leading zero
 * limbs; 0 has length 0).
 *
 * In: limb addresses and lengths inside the number scratch area the plan
 * reserves (`P.numberScratch`, BIG_LIMBS limbs per number). Out: new
 * lengths, comparisons, bit lengths. Every loop is bounded by the lengths
 * it is given; the caller guarantees no result exceeds BIG_LIMBS limbs
 * (json-number.ts explains why 96 is enough).
 * Must not allocate or keep state.
 */

/** Limbs per big number in the scratch area: 96 × 32 = 3,072 bits. */
export const BIG_LIMBS: u32 = 96;
/** Bytes of one big number in the scratch area. */
export const BIG_BYTES: usize = <usize>BIG_LIMBS << 2;

// @ts-ignore: decorator
@inline
function limb(p: usize, i: u32): u32 {
  return load<u32>(p + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline
function setLimb(p: usize, i: u32, v: u32): void {
  store<u32>(p + (<usize>i << 2), v);
}

/** Writes the u64 `v` as a big number at `p`; its length. */
export function bigFromU64(p: usize, v: u64): u32 {
  if (v == 0) return 0;
  setLimb(p, 0, <u32>v);
  const hi = <u32>(v >> 32);
  if (hi == 0) return 1;
  setLimb(p, 1, hi);
  return 2;
}

/** `p = p × m + add` in place (m, add < 2^32); the new length. */
export function bigMulAdd(p: usize, n: u32, m: u32, add: u32): u32 {
  let carry: u64 = add;
  for (let i: u32 = 0; i < n; i++) {
    const x = <u64>limb(p, i) * <u64>m + carry;
    setLimb(p, i, <u32>x);
    carry = x >> 32;
  }
  if (carry != 0) {
    setLimb(p, n, <u32>carry);
    return n + 1;
  }
  return n;
}

/** `p = p × 5^k` in place; the new length. */
export function bigMulPow5(p: usize, n: u32, k: u32): u32 {
  let len = n;
  let left = k;
  // 5^13 = 1220703125 is the largest power of five below 2^32.
  while (left >= 13) {
    len = bigMulAdd(p, len, 1220703125, 0);
    left -= 13;
  }
  if (left > 0) {
    let m: u32 = 1;
    for (let i: u32 = 0; i < left; i++) m *= 5;
    len = bigMulAdd(p, len, m, 0);
  }
  return len;
}

/** `dst = src × m` for a u64 `m` (dst and src distinct); the length of dst. */
export function bigMulU64(dst: usize, src: usize, n: u32, m: u64): u32 {
  if (n == 0 || m == 0) return 0;
  const lo = <u64>(<u32>m);
  const hi = m >> 32;
  let carry: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const x = <u64>limb(src, i) * lo + carry;
    setLimb(dst, i, <u32>x);
    carry = x >> 32;
  }
  setLimb(dst, n, <u32>carry);
  let len = n + 1;
  if (hi != 0) {
    setLimb(dst, len, 0);
    len++;
    carry = 0;
    for (let i: u32 = 0; i < n; i++) {
      const x = <u64>limb(src, i) * hi + <u64>limb(dst, i + 1) + carry;
      setLimb(dst, i + 1, <u32>x);
      carry = x >> 32;
    }
    // dst[n + 1] was 0: the carry lands there without overflowing.
    setLimb(dst, n + 1, <u32>(<u64>limb(dst, n + 1) + carry));
  }
  while (len > 0 && limb(dst, len - 1) == 0) len--;
  return len;
}

/** `dst = src << bits` (dst and src may be the same); the length of dst. */
export function bigShl(dst: usize, src: usize, n: u32, bits: u32): u32 {
  if (n == 0) return 0;
  const words = bits >> 5;
  const shift = bits & 31;
  let len = n + words;
  if (shift == 0) {
    for (let i = n; i > 0; i--) setLimb(dst, i - 1 + words, limb(src, i - 1));
  } else {
    const top = limb(src, n - 1) >> (32 - shift);
    if (top != 0) {
      setLimb(dst, n + words, top);
      len++;
    }
    for (let i = n - 1; i > 0; i--) setLimb(dst, i + words, (limb(src, i) << shift) | (limb(src, i - 1) >> (32 - shift)));
    setLimb(dst, words, limb(src, 0) << shift);
  }
  for (let i: u32 = 0; i < words; i++) setLimb(dst, i, 0);
  return len;
}

/** Number of significant bits (0 for 0). */
export function bigBits(p: usize, n: u32): u32 {
  if (n == 0) return 0;
  return (n << 5) - <u32>clz<u32>(limb(p, n - 1));
}

/** -1, 0 or 1 as a < b, a == b, a > b. */
export function bigCmp(a: usize, an: u32, b: usize, bn: u32): i32 {
  if (an != bn) return an < bn ? -1 : 1;
  for (let i = an; i > 0; i--) {
    const x = limb(a, i - 1);
    const y = limb(b, i - 1);
    if (x != y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The 64 most significant bits of a non-zero number, shifted so bit 63 is
 * set: the number is `top × 2^(bigBits − 64)` plus what lies below.
 */
export function bigTop64(p: usize, n: u32): u64 {
  const bits = bigBits(p, n);
  // Gather up to three limbs below the top bit, then align.
  let have: u32 = bits - ((n - 1) << 5); // significant bits in the top limb
  let i = n - 1;
  let acc: u64 = <u64>limb(p, n - 1);
  while (have < 64 && i > 0) {
    i--;
    const room = 64 - have;
    if (room >= 32) {
      acc = (acc << 32) | <u64>limb(p, i);
      have += 32;
    } else {
      acc = (acc << room) | (<u64>limb(p, i) >> (32 - room));
      have = 64;
    }
  }
  return have < 64 ? acc << (64 - have) : acc;
}

/** Whether any bit below the top 64 is set. */
export function bigLowBitsSet(p: usize, n: u32): bool {
  const bits = bigBits(p, n);
  if (bits <= 64) return false;
  const below = bits - 64; // bits strictly under the top 64
  const whole = below >> 5;
  for (let i: u32 = 0; i < whole; i++) if (limb(p, i) != 0) return true;
  const part = below & 31;
  return part != 0 && (limb(p, whole) & ((<u32>1 << part) - 1)) != 0;
}
